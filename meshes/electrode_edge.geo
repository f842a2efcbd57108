// Electrode edge of the Pt / SrTiO3 / Nb:SrTiO3 junction (SPEC section 4):
// an axisymmetric r-z section through the rim of the 10 um Pt disc of the
// paper (otj-synapses-2019, section 2: Pt discs of radius 10 um on 2.8 nm
// SrTiO3 on Nb:SrTiO3). Coordinates in nm: x = r (distance from the disc
// axis), y = depth below the film surface (0 at the Pt / SrTiO3 interface,
// growing into the substrate), as in the solver (the last coordinate is the
// depth). The section spans r = R - L .. R + L around the disc edge r = R; at
// R/L = 100 its curvature is negligible, so the same mesh serves planar runs.
//
// Layers (top to bottom; the default is the paper device of
// drivers/paper_device/writes.prm: no top interface layer, a 2.4 nm barrier,
// a 0.4 nm bottom interface layer, 60 nm of substrate): the solver checks
// that the thicknesses here equal those of the device it runs.
//
// Cells: quadrilaterals (transfinite + recombine). Laterally geometric
// grading toward the disc edge (smallest h_edge, ratio q_lat); in depth the
// film layers are refined at both of their interfaces (Bump), the substrate
// at its top (geometric ratio q_sub). deal.II refines globally from here.
//
// Physical groups (names are what solver/mesh/gmsh_mesh.cc looks for):
//   curves:   pt_contact (y = 0, r < R), free_surface (y = 0, r > R),
//             back_contact (y = depth), lateral (r = R - L and r = R + L)
//   surfaces: top_interface (if t_top > 0), barrier, bottom_interface
//             (if t_bot > 0), substrate
// Regenerate the .msh with meshes/generate.sh.

R      = DefineNumber[10000, Name "Parameters/disc radius R (nm)"];
L      = DefineNumber[100, Name "Parameters/half width L of the section (nm)"];
t_top  = DefineNumber[0, Name "Parameters/top interface layer (nm)"];
t_bar  = DefineNumber[2.4, Name "Parameters/barrier (nm)"];
t_bot  = DefineNumber[0.4, Name "Parameters/bottom interface layer (nm)"];
t_sub  = DefineNumber[60, Name "Parameters/substrate (nm)"];
n_lat  = DefineNumber[30, Name "Parameters/cells on each side of the edge"];
q_lat  = DefineNumber[1.22, Name "Parameters/lateral growth ratio"];
n_film = DefineNumber[24, Name "Parameters/cells across the barrier"];
n_int  = DefineNumber[6, Name "Parameters/cells across an interface layer"];
bump   = DefineNumber[0.1, Name "Parameters/film end / middle cell size ratio"];
n_sub  = DefineNumber[30, Name "Parameters/cells across the substrate"];
q_sub  = DefineNumber[1.2, Name "Parameters/substrate growth ratio"];

xs[] = {R - L, R, R + L};
n_left = n_lat; q_left = q_lat; n_right = n_lat; q_right = q_lat;
Include "layered_section.geo";

Physical Curve("pt_contact", 1) = {1000};
Physical Curve("free_surface", 2) = {1001};
Physical Curve("back_contact", 3) = {1000 + 2 * ny, 1001 + 2 * ny};
lat[] = {};
For j In {0 : ny - 1}
  lat[] += {2000 + 3 * j, 2000 + 3 * j + 2};
EndFor
Physical Curve("lateral", 4) = {lat[]};
Mesh.RecombineAll = 1;
