// Contact of a conductive AFM tip on the SrTiO3 film (SPEC section 4; the
// paper's Fig. 1c writes and reads patterns with a C-AFM: section 2.2,
// conductive diamond-coated silicon tips, writes at +-6.5 V, reads at +0.5 V).
// Axisymmetric r-z section under the tip apex: x = r (0 on the tip axis),
// y = depth below the film surface (0 at the surface), coordinates in nm,
// the layers of the paper device as in electrode_edge.geo.
//
// The tip is a sphere of radius R_tip pressed on the film with force F: it
// touches a disc of Hertz radius a = (3 F R_tip / (4 E*))^(1/3) (K. L.
// Johnson, Contact Mechanics, 1985, eq. 4.22), 1/E* = (1 - nu_t^2)/E_t +
// (1 - nu_s^2)/E_s. Diamond coating: E_t ~ 1000 GPa, nu_t ~ 0.07 (CVD
// diamond, approximate); SrTiO3: E_s ~ 264 GPa, nu_s ~ 0.23 (approximate
// room-temperature values). With R_tip = 50 nm (a few tens of nm) and
// F = 20 nN: E* ~ 218 GPa, a ~ 1.5 nm. The disc r < a is the metal contact
// (Dirichlet, the "pt_contact" group: the solver's top contact); the rest of
// the surface is free. The air gap between the sphere and the film is not
// meshed: with eps(air)/eps(SrTiO3) ~ 1/100 the normal displacement field
// leaving the film is ~1 % of that inside, so the free surface carries the
// zero-flux (Neumann) condition of the solver.
//
// Physical groups: curves pt_contact (y = 0, r < a), free_surface (y = 0,
// r > a), back_contact (y = depth), axis (r = 0, symmetry), lateral
// (r = r_max, far field, zero flux); surfaces as in layered_section.geo.
// Regenerate the .msh with meshes/generate.sh.

R_tip  = DefineNumber[50, Name "Parameters/tip radius (nm)"];
F      = DefineNumber[20e-9, Name "Parameters/contact force (N)"];
E_t    = DefineNumber[1000e9, Name "Parameters/tip Young modulus (Pa)"];
nu_t   = DefineNumber[0.07, Name "Parameters/tip Poisson ratio"];
E_s    = DefineNumber[264e9, Name "Parameters/film Young modulus (Pa)"];
nu_s   = DefineNumber[0.23, Name "Parameters/film Poisson ratio"];
r_max  = DefineNumber[150, Name "Parameters/radius of the section (nm)"];
t_top  = DefineNumber[0, Name "Parameters/top interface layer (nm)"];
t_bar  = DefineNumber[2.4, Name "Parameters/barrier (nm)"];
t_bot  = DefineNumber[0.4, Name "Parameters/bottom interface layer (nm)"];
t_sub  = DefineNumber[60, Name "Parameters/substrate (nm)"];
n_left = DefineNumber[12, Name "Parameters/cells under the contact"];
q_left = DefineNumber[1.15, Name "Parameters/growth ratio under the contact (toward the axis)"];
n_right = DefineNumber[34, Name "Parameters/cells outside the contact"];
q_right = DefineNumber[1.2, Name "Parameters/growth ratio outside the contact"];
n_film = DefineNumber[24, Name "Parameters/cells across the barrier"];
n_int  = DefineNumber[6, Name "Parameters/cells across an interface layer"];
bump   = DefineNumber[0.1, Name "Parameters/film end / middle cell size ratio"];
n_sub  = DefineNumber[30, Name "Parameters/cells across the substrate"];
q_sub  = DefineNumber[1.2, Name "Parameters/substrate growth ratio"];

E_star = 1 / ((1 - nu_t^2) / E_t + (1 - nu_s^2) / E_s);
a = 1e9 * (3 * F * R_tip * 1e-9 / (4 * E_star))^(1/3); // contact radius (nm)
Printf("C-AFM tip: E* = %g GPa, contact radius a = %g nm", E_star / 1e9, a);

xs[] = {0, a, r_max};
Include "layered_section.geo";

Physical Curve("pt_contact", 1) = {1000};
Physical Curve("free_surface", 2) = {1001};
Physical Curve("back_contact", 3) = {1000 + 2 * ny, 1001 + 2 * ny};
ax[] = {};
lat[] = {};
For j In {0 : ny - 1}
  ax[] += {2000 + 3 * j};
  lat[] += {2000 + 3 * j + 2};
EndFor
Physical Curve("axis", 5) = {ax[]};
Physical Curve("lateral", 4) = {lat[]};
