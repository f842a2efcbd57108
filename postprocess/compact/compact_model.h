// Compact model of the junction extracted from the PDE (issue "Compact model"):
// the vacancy inventory in a chain of compartments read off the PDE profile,
//   p = 1 - sum v_i - w: the Pt-side vacancy layer (the pristine / HRS reservoir);
//   v_1 .. v_N:          the film interior in N slabs, the volatile state (it
//                        drains back to the Pt layer within ns at 0 V); optionally
//                        preceded by hidden cells (released from the Pt interface,
//                        not yet in the film; not read, see hidden_cells);
//   w:                   the STO/Nb:STO interface layer, the non-volatile state
//                        (0: pristine / HRS, 1: the LRS of a +2.2 V write);
// exchanged by first-order hopping between neighbouring compartments (a
// coarse finite-volume drift chain: the film slabs give the transit delay),
//   flux_0 = k_0+ p - k_0- v_1 (optionally k_0+ p e^{g_p p} - k_0- v_1 e^{-g_p p}: the
//            Pt-side layer's own charge pushes its vacancies out, see pt_self_coupling),
//   flux_i = k_i+ v_i - k_i- v_{i+1},
//   flux_N = k_N+ v_N exp(-g+ w) - k_N- w exp(g- w)
//            (the charge of the trapped vacancies repels newcomers and
//            pushes trapped ones out: a
//            Frumkin-type interaction, Frumkin, Z. Phys. Chem. 116, 466
//            (1925); Bard & Faulkner, Electrochemical Methods, 2nd ed.,
//            section 13.5; it gives the logarithmic-in-time (Elovich) decay
//            of w the PDE shows under reset and at rest; the interface
//            layer and the substrate beyond it hold the whole inventory in
//            the LRS, w = 1, so there is no site-blocking factor 1 - w),
//   dv_i/dt = flux_{i-1} - flux_i,  dw/dt = flux_N,
// the film links (i < N) optionally screened by the trapped charge, k_i+ exp(-g_f c(w)),
// k_i- exp(+g_f c(w)), c(w) = w or w_f (1 - exp(-w / w_f)) (Gauss's law: the trapped
// charge lowers the film's field, rates of a hop over a barrier in a field ~
// exp(+-q a E / 2 k T); Mott & Gurney, Electronic Processes in Ionic Crystals, ch. 2),
// optionally (has_depth()) with the depth of the trapped population: w_d, the part of w
// beyond the interface layer's first depth_split_nm (the PDE fills the deepest sites
// first and holds a fast set's surplus nearer the film, which reads up to 2x more
// conductive at the same w), exchanged within the interface layer by
//   dw_d/dt = k_d+ exp(-g_d w_d) (w - w_d) - k_d- exp(g_d w_d) w_d
//   (the same Frumkin-type interaction among the deep sites; w itself is not affected);
// each rate and the couplings g+, g- fitted per training voltage (link-by-link
// non-negative least squares for a start, then Levenberg-Marquardt on the
// PDE trajectories); rates interpolated exponentially in V between them (the
// sinh-like field dependence of hopping over a barrier); and the current
// I(V, s), s = w + sum kappa_i v_i, tabulated from static Tsu-Esaki reads of
// frozen PDE states (interpolated in asinh(I / I0)); with the depth state,
// asinh(I / I0) = u(V, s) + beta(V, s) (phi - phi_table(s)), phi = w_d / w, where
// phi_table is the depth of the table's states and beta is regressed on reads of
// states set by other pulse trains (see otj::fit_depth_slope); optionally a film term
// gamma(V, s) v_film in the same asinh space, regressed on states during set pulses (the
// per-slab weights kappa_i alone miss the film's effect on the read by up to 35 % at w ~ 0.6).
// Integrated by an adaptive
// exponential Rosenbrock integrator (the state equations linearised at the
// step's start are affine; the step uses exp of the augmented matrix at the
// midpoint voltage, with step doubling for the error; Hochbruck & Ostermann,
// Acta Numer. 19, 209 (2010)) that stops at every waveform corner.
#pragma once

#include "waveform/waveform.h"

#include <nlohmann/json.hpp>

#include <array>

#include <string>
#include <vector>

namespace otj
{
  struct CompactModelParameters
  {
    std::vector<double>              rate_voltages;   ///< V grid of the state equations (increasing)
    unsigned int                     film_cells = 1;  ///< N
    /// [voltage][k_0+, k_0-, k_1+, k_1-, ..., k_N+, k_N-] (1/s)
    std::vector<std::vector<double>> rates;
    /// [voltage] g+ and g- of the interface link (dimensionless; empty: zero)
    std::vector<double>              capture_coupling, release_coupling;
    /// [voltage] g_f of the film links (dimensionless; empty: zero): the field of the
    /// trapped charge w screens the applied field in the film, so each film link's
    /// forward rate carries exp(-g_f w) and its backward rate exp(+g_f w) (a hop over a
    /// barrier in a field lowered by dE: rates ~ exp(-+ q a dE / 2 k T), dE linear in w
    /// by Gauss's law)
    std::vector<double>              film_coupling;
    /// [voltage] g_0 of the link out of the Pt-side layer (empty: g_f like the film links): the
    /// release over the Pt interface's barrier responds to the trapped charge's screening with
    /// its own strength (in a 2.0 V pulse at w 0.57 the PDE's film fills ~150x slower in its
    /// first 0.2 ns than at w 0, ~2.5x slower by 10 ns)
    std::vector<double>              pt_link_coupling;
    /// [voltage] g_p of the Pt-side layer's self-interaction on the link out of it (empty: 0):
    /// k_0+ p e^{g_p p} - k_0- v_1 e^{-g_p p} (the layer's own positive charge pushes its
    /// vacancies into the film; a Frumkin interaction like the interface's). In the PDE's
    /// 2.0 V training train the film fills 150x slower in the first 0.2 ns of pulse 5 than of
    /// pulse 1 while the layer holds 0.38 instead of 1.0 of the inventory.
    std::vector<double>              pt_self_coupling;
    /// w_s of the screened capture interaction exp(-g+ w_s (1 - exp(-w / w_s))) (0: the
    /// plain Frumkin exp(-g+ w))
    double                           capture_screening = 0.0;
    /// w_f of the screened film coupling exp(-+g_f w_f (1 - exp(-w / w_f))) (0: linear in w): the
    /// substrate's electrons screen the trapped charge's field once w grows
    double                           film_screening = 0.0;
    double                           tau_v = 1e-9;    ///< volatile relaxation time of the spike fit (s; a check)
    double                           kappa = 1.0;     ///< weight of v in the current state s
    std::vector<double>              cell_kappa;      ///< per-slab weights (empty: kappa for every slab)
    /// The first `hidden_cells` compartments after the Pt-side layer are not slabs of the
    /// PDE profile: vacancies released from the Pt interface but not yet in the film
    /// interior (the PDE counts them in the Pt-side layer). They are not read (weight 0)
    /// and not part of the observed film population.
    unsigned int                     hidden_cells = 0;
    /// The depth state (all empty / 0: no depth state): the split beyond the interface
    /// (nm; informational), [voltage][k_d+, k_d-] (1/s), [voltage] g_d
    double                           depth_split_nm = 0.0;
    std::vector<std::vector<double>> depth_rates;
    std::vector<double>              depth_coupling;
    /// phi = w_d / w of the current table's states, one per s node (empty: no depth correction)
    std::vector<double>              node_depth;
    /// beta: d asinh(I / I0) / d phi at [current voltage][s node]
    std::vector<std::vector<double>> depth_slope;
    /// [phi_min, phi_max] of the states the slope was regressed on (empty: [0, 1]); phi is
    /// clamped to it, so the linear correction is not extrapolated beyond its data (a pulse's
    /// film front entering the interface layer at w ~ 1e-3 has phi ~ 0.01)
    std::vector<double>              depth_phi_range;
    /// gamma: d asinh(I / I0) / d v_film at [current voltage][s node] (empty: none), the read's
    /// residual dependence on the film population that the weights kappa_i leave (regressed on
    /// frozen PDE states during set pulses; see otj::fit_depth_slope)
    std::vector<std::vector<double>> film_slope;
    bool                             has_depth() const { return !depth_rates.empty(); }
    std::vector<double>              current_voltages;///< V grid of the current table (increasing)
    std::vector<double>              s_nodes;         ///< s grid of the current table (increasing)
    std::vector<std::vector<double>> current;         ///< I (A) [voltage][s]
    double                           read_voltage = 0.1;
    nlohmann::json                   provenance;      ///< inputs, hashes, version, training runs, residuals

    nlohmann::json to_json() const;
    static CompactModelParameters from_json(const nlohmann::json &j, const std::string &where);
    /// The tables as CSV (one file per table) into `directory`.
    void write_csv(const std::string &directory) const;
    /// Throws std::invalid_argument naming `where` if a table is inconsistent.
    void check(const std::string &where) const;
  };

  struct CompactState
  {
    double              w = 0;
    std::vector<double> v; ///< film slabs from the Pt side
    double              w_deep = 0; ///< the part of w in the deep sites (models with the depth state)
    /// The reduced oxide model's state instead (compact/reduced_oxide_model.h): vacancy densities at
    /// its nodes (m^-3); empty for the compartment model. w is then the share in the interface layer.
    std::vector<double> c;
    double              volatile_share() const
    {
      double t = 0;
      for (double x : v)
        t += x;
      return t;
    }
  };

  struct CompactSample
  {
    double       t, voltage, current;
    CompactState state;
  };

  class CompactModel
  {
  public:
    /// Scale I0 (A) of the current table's interpolation in asinh(I / I0).
    static constexpr double current_scale = 1e-15;
    explicit CompactModel(CompactModelParameters p);
    const CompactModelParameters &parameters() const { return p_; }

    /// The 2 (N + 1) rates at V (1/s).
    std::vector<double> rates(double V) const;
    /// g+ and g- of the interface link at V (linear in V between the training voltages).
    std::pair<double, double> couplings(double V) const;
    /// g_f of the film links at V (linear in V between the training voltages).
    double                    film_coupling(double V) const;
    /// g_0 of the link out of the Pt-side layer at V (g_f without a separate one).
    double                    pt_link_coupling(double V) const;
    /// g_p of the Pt-side layer's self-interaction at V (linear in V between the training voltages).
    double                    pt_self_coupling(double V) const;
    /// k_d+, k_d- and g_d of the depth exchange at V (zeros without the depth state).
    std::array<double, 3>     depth_exchange(double V) const;
    CompactState derivative(double V, const CompactState &s) const;
    /// Junction current (A) at V in state s.
    double       current(double V, const CompactState &s) const;
    /// The read state s = w + sum kappa_i v_i (hidden cells not read): the column
    /// coordinate of the current table.
    double       read_state(const CompactState &s) const;
    /// The observed film population: sum of v_i over the slabs after the hidden cells.
    double       film_share(const CompactState &s) const;
    /// Read conductance I(V_read) / V_read (S).
    double       conductance(const CompactState &s) const;

    /// One exponential step of length h at constant voltage V (the state equations
    /// linearised at s). With `half`, also the step of length h / 2 from s into *half
    /// (one matrix exponential for both: exp(h M) = exp(h M / 2)^2).
    CompactState step(const CompactState &s, double V, double h, CompactState *half = nullptr) const;
    /// Integrates from s0 over the waveform (from its start to its end); the
    /// state and current are sampled at `times` (increasing, inside the
    /// waveform). Relative tolerance `rtol` on the states. Stops after
    /// `max_steps` accepted or rejected steps (then fewer samples are returned).
    std::vector<CompactSample> integrate(const PiecewiseLinearWaveform &w, CompactState s0,
                                         const std::vector<double> &times, double rtol = 1e-5,
                                         unsigned int *steps = nullptr, unsigned int max_steps = 1000000) const;

  private:
    /// A per-rate-voltage coefficient at V, linear in V between the training voltages
    /// (`if_empty` when the model has none).
    double per_voltage(const std::vector<double> &c, double V, double if_empty) const;
    /// The table's current at read state st with the depth correction (no film term).
    double depth_corrected_current(double V, const CompactState &s, double st) const;
    CompactModelParameters p_;
  };
} // namespace otj
