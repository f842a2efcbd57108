// Oxygen-vacancy hopping flux between two lattice nodes: the constitutive law
// of the vacancy drift-diffusion equation and its discretisation.
//
// Physics. Vacancies of charge z e hop over a barrier E_a with attempt
// frequency nu0 and hop distance a. A driving energy difference U_i - U_j
// between neighbouring sites (U = z e phi + site energy) tilts the barrier by
// +-(U_i - U_j) a / (2 L) per hop (L = distance between the nodes). The lattice
// rate equation (Mott & Gurney, "Electronic processes in ionic crystals"
// (1940); PHYSICS-NOTES section 2.2) gives, for L = a,
//     J = a nu0 exp(-E_a/kT) [ c_i exp(+beta) - c_j exp(-beta) ],
//     beta = (U_i - U_j) / (2 kT)  (= z e a E / 2kT for a field E).
// Its continuum form is a drift velocity v = 2 a nu0 exp(-E_a/kT) sinh(beta),
// which reduces to the Einstein relation mu = z e D / kT with
// D = a^2 nu0 exp(-E_a/kT) at low field.
//
// Barrier collapse. The tilt lowers the forward barrier to E_a - beta kT; it
// cannot fall below zero: for beta > beta_c = E_a/kT (z e a E / 2 > E_a, a
// field E_c = 2 E_a / (z e a); 1.18e9 V/m for the calibrated film, E_a =
// 0.327 eV) the forward hop is barrier-free and occurs at the attempt
// frequency: nu0 is the prefactor of the transition-state rate
// nu0 exp(-E_b/kT) over a saddle E_b above the initial site (G. H. Vineyard,
// J. Phys. Chem. Solids 3, 121 (1957)), and with the saddle lowered to the
// initial site (E_b = 0) there is no barrier left to lower; the backward
// rate follows from detailed balance,
// k_- = k_+ exp(-2 beta) (the saddle sits on the upper site, the backward
// barrier is the whole drop 2 beta kT). So, for L = a,
//     J = a nu0 exp(-max(beta_c - beta, 0)) [ c_i - c_j exp(-2 beta) ]
// (beta >= 0; antisymmetric in i, j): below E_c the Mott-Gurney law
// unchanged, above it a drift velocity that saturates at a nu0 instead of
// growing as exp(beta) (the sinh law would have a forward hop faster than
// the attempt frequency). Molecular dynamics of field-driven ion hopping
// finds effective barriers falling linearly with the field, extrapolating to
// zero near the highest simulated fields (Wettstein, Diddens & Heuer,
// arXiv:2503.16136 (2025)). It
// matters where the field is singular: at the rim of a contact on a free
// surface (meshes/cafm_tip.geo) the potential grows as the square root of
// the distance to the rim, a 0.06 nm edge there carries 6e9 V/m and the sinh
// law gave a per-hop tilt of 1.6 eV on a 0.33 eV barrier, hop rates
// exp(50) times nu0 (README, C-AFM tip).
//
// Discretisation. We write the flux in Scharfetter-Gummel form with a
// field-enhanced diffusivity D* = D0 S(beta) and the exact Boltzmann
// Peclet number Pe = (U_i - U_j)/kT, where
//     S(beta) = exp(min(|beta|, beta_c)) (1 - exp(-2 |beta|)) / (2 |beta|)
// (= sinh(beta)/beta for |beta| <= beta_c, see hop_enhancement):
//     J_ij = (D*/L) [ B(-Pe) c_i (1 - c_j/c_max) - B(Pe) c_j (1 - c_i/c_max) ].
// For L = a this is *identical* to the lattice hopping law above, barrier
// collapse included (with the lattice-gas site-exclusion factors
// (1 - theta)); above E_c every edge length gives the saturated velocity
// a nu0 (B(-Pe) -> Pe = 2 beta L / a); for any L it vanishes
// exactly for the equilibrium (Fermi-like lattice-gas) profile
// theta/(1-theta) ~ exp(-U/kT), is positive for positive c, and never
// fills a node beyond c_max. beta_ij = Pe a / (2 L) is the per-hop tilt.
// The site-exclusion form is the lattice-gas (Bikerman / modified
// Nernst-Planck) law, cf. Kilic, Bazant & Ajdari, PRE 75, 021502 (2007).
#pragma once

namespace otj::physics
{
  /// Parameters of the hopping law on one edge (SI units).
  struct HoppingParameters
  {
    double hop_distance;        ///< a (m)
    double attempt_frequency;   ///< nu0 (Hz)
    double activation_energy;   ///< E_a (J)
    double max_density;         ///< c_max (m^-3); +infinity disables exclusion
    double temperature;         ///< T (K)

    /// D0 = a^2 nu0 exp(-E_a/kT)  (m^2/s): the low-field diffusivity.
    double diffusivity() const;
  };

  /// Value of the edge flux and its partial derivatives.
  struct EdgeFlux
  {
    double flux;        ///< J from node i to node j (m^-2 s^-1 times 1/L scaling, see below)
    double d_ci, d_cj;  ///< dJ/dc_i, dJ/dc_j
    double d_Ui, d_Uj;  ///< dJ/dU_i, dJ/dU_j (per joule)
  };

  /// Numerical guard on the per-hop tilt: sinh(beta) is evaluated with beta
  /// clamped to this value (exp(300) ~ 1e130; never reached at physical fields,
  /// where beta < 30 for E < 3e9 V/m; hop_enhancement, bounded above the
  /// barrier collapse, meets it only for barriers above 7.7 eV).
  constexpr double max_hop_tilt = 300.0;

  /// Flux density from node i to node j a distance L apart (m^-2 s^-1),
  /// given concentrations c (m^-3) and vacancy energies U (J).
  ///
  /// site_step = s_i - s_j is the part of U_i - U_j that is a site-energy
  /// offset (an interface step, not a field): it enters the Boltzmann factor
  /// (Pe) but not the per-hop field tilt beta, which is computed from the
  /// electrostatic part only. (A step resolved on an edge much shorter than
  /// a is not a field of (U_i - U_j)/L acting over a whole hop; extrapolating
  /// it to a would tilt the barrier by (a/L) times the step.)
  EdgeFlux hopping_edge_flux(const HoppingParameters &p,
                             double                   length,
                             double                   c_i,
                             double                   c_j,
                             double                   U_i,
                             double                   U_j,
                             double                   site_step = 0.0);

  /// The same with the low-field diffusivity D0 = p.diffusivity() given (a caller that
  /// evaluates many edges of one material computes its exponential once).
  EdgeFlux hopping_edge_flux(const HoppingParameters &p,
                             double                   D0,
                             double                   length,
                             double                   c_i,
                             double                   c_j,
                             double                   U_i,
                             double                   U_j,
                             double                   site_step);

  /// The lattice hopping law (reference, L = a): a nu0 exp(-Ea/kT) [c_i (1-theta_j) e^b - c_j (1-theta_i) e^-b].
  double lattice_hopping_flux(const HoppingParameters &p,
                              double                   c_i,
                              double                   c_j,
                              double                   U_i,
                              double                   U_j);

  /// Continuum drift velocity of a dilute vacancy in a uniform field E (V/m):
  /// v = 2 a nu0 exp(-Ea/kT) sinh(z e a E / 2kT) (Mott-Gurney) below the
  /// barrier-collapse field E_c = 2 Ea / (z e a); above it
  /// v = a nu0 (1 - exp(-z e a E / kT)) (forward hops at the attempt
  /// frequency, see the top of this file).
  double mott_gurney_velocity(const HoppingParameters &p, double charge_number, double field);

  /// sinh(x)/x and its derivative, stable at 0 and clamped at max_hop_tilt.
  double sinhc(double x);
  double sinhc_derivative(double x);

  /// Field enhancement S(beta) of the hopping diffusivity with barrier
  /// collapse at beta_c = Ea/kT >= 0: sinh(beta)/beta for |beta| <= beta_c,
  /// exp(beta_c) (1 - exp(-2|beta|)) / (2|beta|) above (continuous at
  /// beta_c), and its derivative dS/dbeta.
  double hop_enhancement(double beta, double beta_c);
  double hop_enhancement_derivative(double beta, double beta_c);

  /// S(beta) and dS/dbeta together from one exponential (what the edge flux evaluates).
  struct HopEnhancement
  {
    double value, derivative;
  };
  HopEnhancement hop_enhancement_with_derivative(double beta, double beta_c);
} // namespace otj::physics
