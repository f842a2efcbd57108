// Electron current through the junction from the conduction-band profile:
// the Tsu-Esaki integral (Tsu & Esaki, APL 22, 562 (1973); Duke, "Tunneling
// in Solids" (1969))
//   J = (e m_s kT / (2 pi^2 hbar^3)) Int dE T(E)
//         ln{ [1 + exp((E_F,sub - E)/kT)] / [1 + exp((E_F,Pt - E)/kT)] }
// with the transmission T(E) of the one-dimensional band profile, by WKB
// (exact integral of kappa over the piecewise-linear profile) or by a transfer
// matrix (piecewise-constant slices, BenDaniel-Duke matching). Thermionic
// emission (E above the barrier top), direct tunnelling and Fowler-Nordheim
// tunnelling all follow from the one profile; the analytic Richardson, Simmons
// and Fowler-Nordheim formulas are test limits only.
//
// Sign: J > 0 is conventional current from the Pt (left, x = 0) into the
// substrate (right), i.e. electrons flowing from the substrate to the Pt,
// which is what a positive Pt voltage (E_F,Pt = -eV < E_F,sub = 0) drives.
#pragma once

#include <limits>
#include <vector>

namespace otj
{
  /// Conduction-band edge (J) at nodes x (m), linear in between; tunnelling
  /// mass (m/m0) per segment.
  struct BandProfile
  {
    std::vector<double> x, Ec, mass;
    double              top() const;
  };

  /// Image-force lowering of the barrier by the metal at x = x_metal:
  /// E_c(x) -= e^2 / (16 pi eps0 eps_if |x - x_metal|) (Sze & Ng, Physics of
  /// Semiconductor Devices, 3rd ed., section 3.2.4), with eps_if the
  /// image-force (optical) permittivity. Evaluated at the nodes; the divergence
  /// at the metal is cut at `cutoff` (m).
  void add_image_force_lowering(BandProfile &p, double eps_if, double x_metal, double cutoff = 1e-11);

  enum class TransmissionMethod
  {
    wkb,
    transfer_matrix
  };

  /// One node of the current's energy spectrum: the current density carried per unit energy at
  /// the longitudinal energy E, dJ/dE = (e m_s kT / (2 pi^2 hbar^3)) T(E) ln{...} (the integrand).
  struct SpectrumPoint
  {
    double energy;  ///< J (the band-edge scale of the profile)
    double density; ///< A/m^2 per J
  };

  struct TsuEsakiParameters
  {
    double             temperature   = 300.0;
    double             supply_mass   = 1.0;  ///< m/m0 in the supply function
    double             fermi_pt      = 0.0;  ///< Fermi level of the Pt (J), -eV
    double             fermi_substrate = 0.0; ///< Fermi level of the substrate (J)
    double             lowest_energy = 0.0;  ///< lower end of the energy integral (J): the substrate band bottom
    unsigned int       energy_points = 4001; ///< Simpson nodes (odd), at least
    double             maximum_energy_step = 0.0; ///< J; if > 0, more nodes are used so that dE stays below it
    TransmissionMethod method        = TransmissionMethod::wkb;
    /// Band bottoms of the leads for the transfer matrix (J).
    double             lead_bottom_pt = -1e-18, lead_bottom_substrate = -1e-18;
    unsigned int       slices        = 200;
    /// Top of the substrate's band bending (J): the largest E_c over the semiconductor
    /// electrode, i.e. the Schottky barrier of its depletion region behind the film
    /// (line_junction_current sets it; the default -inf: no such barrier is marked).
    /// Splits the thermally excited current into emission over this barrier and
    /// tunnelling through the depletion region (ConductionShares::schottky_emission).
    double             substrate_barrier = -std::numeric_limits<double>::infinity();
    /// If set, receives the integrand at every energy node (cleared first): where the current flows.
    std::vector<SpectrumPoint> *spectrum = nullptr;
  };

  /// Shares of a current by the energy range that carries it (Padovani &
  /// Stratton, Solid-State Electron. 9, 695 (1966); Sze & Ng 3rd ed. 3.3.3):
  ///  - thermionic emission: energies above the barrier top;
  ///  - thermionic-field emission: thermally excited electrons, more than 3 kT
  ///    above the higher Fermi level, tunnelling through the upper part of the barrier;
  ///  - field emission / direct tunnelling: the Fermi window (up to 3 kT above
  ///    the higher Fermi level).
  /// TE and TFE are both thermally activated (emission); FE is not.
  /// A metal / thin insulator / semiconductor junction (the Pt / STO film / Nb:STO
  /// device) has a second barrier: the semiconductor's depletion region behind the
  /// film. Electrons emitted over its top (more than 3 kT above the higher Fermi
  /// level) and then tunnelling through the film are the thermionic emission of the
  /// MIS tunnel diode (Card & Rhoderick, J. Phys. D 4, 1589 (1971): J = A* T^2
  /// exp(-chi^(1/2) delta) exp(-q phi_B / kT) (exp(qV / n kT) - 1), chi the film's mean
  /// barrier in eV and delta its thickness in angstrom; Sze & Ng 3rd ed., MIS tunnel
  /// diode, chapter 8): activated with the Schottky barrier phi_B of the
  /// semiconductor, the film a tunnel barrier. `schottky_emission` is that part of `thermionic_field` (0 without a
  /// substrate barrier more than 3 kT above the higher Fermi level); the rest of
  /// `thermionic_field` tunnels through the upper part of the depletion region.
  struct ConductionShares
  {
    double thermionic = 0, thermionic_field = 0, field = 0;
    double schottky_emission = 0; ///< part of thermionic_field over the substrate's Schottky barrier
    /// the substrate's Schottky barrier above the higher Fermi level (J); -inf if not marked
    double substrate_barrier = -std::numeric_limits<double>::infinity();
    double mean_energy = 0; ///< current-weighted energy above the higher Fermi level (J)
    double barrier     = 0; ///< barrier top above the higher Fermi level (J)
    double emission() const { return thermionic + thermionic_field; }
    double tunnelling() const { return thermionic_field + field; }
    /// "thermionic emission", "thermionic-field emission" or "field emission / direct tunnelling":
    /// the range with the largest share; with a substrate barrier, "emission over the substrate's
    /// Schottky barrier" competes as a fourth range (taken out of thermionic-field emission).
    const char *dominant() const;
  };

  struct JunctionCurrent
  {
    double current_density = 0;  ///< A/m^2
    double above_barrier   = 0;  ///< part carried by energies above the barrier top (A/m^2)
    double below_barrier   = 0;  ///< part carried by tunnelling energies (A/m^2)
    double thermally_excited = 0; ///< part of below_barrier more than 3 kT above the higher Fermi level (A/m^2)
    double over_substrate_barrier = 0; ///< part of thermally_excited above the substrate's barrier (A/m^2)
    double substrate_barrier = -std::numeric_limits<double>::infinity(); ///< J (as TsuEsakiParameters)
    double energy_moment   = 0;  ///< Int (E - E_F,high) dJ (J A/m^2)
    double barrier_top     = 0;  ///< J
    double fermi_high      = 0;  ///< the higher of the two Fermi levels (J)
    ConductionShares shares() const;
  };

  /// The WKB transmission exp(-2 Int kappa dx) of one band profile at any energy, with the
  /// profile's per-segment factors computed once. On a linear segment k of length L_k on which
  /// u = Ec - E runs from u_k to u_{k+1} (> 0 where forbidden), exactly
  ///   Int sqrt(2 m u) dx / hbar = (2/3) sqrt(2 m) / hbar * L_k / |u_{k+1} - u_k| * |s_{k+1} - s_k|,
  /// s = max(u, 0)^{3/2}, also where the segment is forbidden only in part; so each node's s
  /// serves both its segments (one square root per node and energy, no division). Segments
  /// flatter than 1e-9 eV use sqrt(u at the midpoint) L_k (relative error (du / u)^2).
  /// One object per thread (it keeps the nodes' s as scratch).
  class WkbExponent
  {
  public:
    explicit WkbExponent(const BandProfile &p);
    double transmission(double E) const;

  private:
    std::vector<double>         Ec_, coefficient_;      ///< per node; per segment (0 where flat)
    std::vector<std::size_t>    flat_;                  ///< flat segments
    std::vector<double>         flat_coefficient_;      ///< sqrt(2 m) L / hbar of each flat segment
    mutable std::vector<double> s_;                     ///< scratch: max(Ec - E, 0)^{3/2} per node
  };

  class TsuEsakiCurrent
  {
  public:
    /// exp(-2 Int kappa dx) over the classically forbidden parts (1 above the top).
    static double wkb_transmission(const BandProfile &p, double E);
    /// |t|^2 k_out m_in / (k_in m_out) by transfer matrices over `slices` constant slices.
    static double transfer_matrix_transmission(const BandProfile &p, double E, double lead_left, double lead_right,
                                               unsigned int slices, double lead_mass = 1.0);
    static JunctionCurrent current(const BandProfile &p, const TsuEsakiParameters &par);
  };
} // namespace otj
