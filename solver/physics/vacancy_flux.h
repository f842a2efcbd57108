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
// Discretisation. We write the flux in Scharfetter-Gummel form with a
// field-enhanced diffusivity D* = D0 sinh(beta)/beta and the exact Boltzmann
// Peclet number Pe = (U_i - U_j)/kT:
//     J_ij = (D*/L) [ B(-Pe) c_i (1 - c_j/c_max) - B(Pe) c_j (1 - c_i/c_max) ].
// For L = a this is *identical* to the lattice hopping law above (with the
// lattice-gas site-exclusion factors (1 - theta)); for any L it vanishes
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
  /// where beta < 30 for E < 3e9 V/m).
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

  /// The lattice hopping law (reference, L = a): a nu0 exp(-Ea/kT) [c_i (1-theta_j) e^b - c_j (1-theta_i) e^-b].
  double lattice_hopping_flux(const HoppingParameters &p,
                              double                   c_i,
                              double                   c_j,
                              double                   U_i,
                              double                   U_j);

  /// Continuum drift velocity of a dilute vacancy in a uniform field E (V/m):
  /// v = 2 a nu0 exp(-Ea/kT) sinh(z e a E / 2kT) (Mott-Gurney).
  double mott_gurney_velocity(const HoppingParameters &p, double charge_number, double field);

  /// sinh(x)/x and its derivative, stable at 0 and clamped at max_hop_tilt.
  double sinhc(double x);
  double sinhc_derivative(double x);
} // namespace otj::physics
