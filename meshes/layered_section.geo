// Shared geometry of the layered r-z sections (included by
// electrode_edge.geo and cafm_tip.geo): two columns x_0 .. x_1 .. x_2 (xs[],
// the contact edge at x_1) over the layer stack, transfinite quadrilaterals.
// Input: xs[], t_top, t_bar, t_bot, t_sub, n_left / q_left (cells and growth
// ratio of the left column, finest at x_1), n_right / q_right, n_film,
// n_int, bump, n_sub, q_sub. Output numbering: points 1 + 3 j + i, horizontal
// curves 1000 + 2 j + i (x_i to x_{i+1} at depth ys[j]), vertical curves
// 2000 + 3 j + i (at x_i, layer j), surfaces 3000 + 2 j + i; ny layers,
// kinds[j]: 1 top interface, 2 barrier, 3 bottom interface, 4 substrate.
// Physical surfaces: top_interface, barrier, bottom_interface, substrate
// (the layers present); the including file names the boundary curves.

// layer boundaries (depths) and the kind of each layer
ny = 0;
ys[] = {0};
kinds[] = {};   // 1 top interface, 2 barrier, 3 bottom interface, 4 substrate
ncells[] = {};
If (t_top > 0)
  ys[] += {ys[ny] + t_top}; ny += 1; kinds[] += {1}; ncells[] += {n_int};
EndIf
ys[] += {ys[ny] + t_bar}; ny += 1; kinds[] += {2}; ncells[] += {n_film};
If (t_bot > 0)
  ys[] += {ys[ny] + t_bot}; ny += 1; kinds[] += {3}; ncells[] += {n_int};
EndIf
ys[] += {ys[ny] + t_sub}; ny += 1; kinds[] += {4}; ncells[] += {n_sub};

// points p(i, j) = 1 + 3 j + i
For j In {0 : ny}
  For i In {0 : 2}
    Point(1 + 3 * j + i) = {xs[i], ys[j], 0};
  EndFor
EndFor
// horizontal curves h(i, j) = 1000 + 2 j + i (from x_i to x_{i+1})
For j In {0 : ny}
  For i In {0 : 1}
    Line(1000 + 2 * j + i) = {1 + 3 * j + i, 1 + 3 * j + i + 1};
  EndFor
  Transfinite Curve {1000 + 2 * j} = n_left + 1 Using Progression 1 / q_left; // fine at x_1
  Transfinite Curve {1000 + 2 * j + 1} = n_right + 1 Using Progression q_right;
EndFor
// vertical curves v(i, j) = 2000 + 3 j + i (from y_j down to y_{j+1})
For j In {0 : ny - 1}
  For i In {0 : 2}
    Line(2000 + 3 * j + i) = {1 + 3 * j + i, 1 + 3 * (j + 1) + i};
    If (kinds[j] == 4)
      Transfinite Curve {2000 + 3 * j + i} = ncells[j] + 1 Using Progression q_sub;
    Else
      Transfinite Curve {2000 + 3 * j + i} = ncells[j] + 1 Using Bump bump;
    EndIf
  EndFor
EndFor
// surfaces s(i, j) = 3000 + 2 j + i
For j In {0 : ny - 1}
  For i In {0 : 1}
    Curve Loop(3000 + 2 * j + i) = {1000 + 2 * j + i, 2000 + 3 * j + i + 1, -(1000 + 2 * (j + 1) + i), -(2000 + 3 * j + i)};
    Plane Surface(3000 + 2 * j + i) = {3000 + 2 * j + i};
    Transfinite Surface {3000 + 2 * j + i};
    Recombine Surface {3000 + 2 * j + i};
  EndFor
EndFor

// the layers, by name (solver/mesh/gmsh_mesh.cc maps them to material ids)
For j In {0 : ny - 1}
  If (kinds[j] == 1)
    Physical Surface("top_interface", 11) = {3000 + 2 * j, 3001 + 2 * j};
  EndIf
  If (kinds[j] == 2)
    Physical Surface("barrier", 12) = {3000 + 2 * j, 3001 + 2 * j};
  EndIf
  If (kinds[j] == 3)
    Physical Surface("bottom_interface", 13) = {3000 + 2 * j, 3001 + 2 * j};
  EndIf
  If (kinds[j] == 4)
    Physical Surface("substrate", 14) = {3000 + 2 * j, 3001 + 2 * j};
  EndIf
EndFor
Mesh.RecombineAll = 1;
