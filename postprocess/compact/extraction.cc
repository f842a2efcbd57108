// Compact-model extraction from PDE runs and its validation (see the header).
#include "compact/extraction.h"
#include "simulation/device_file.h"
#include "common/output_directory.h"
#include "compact/reduced_oxide_model.h"
#include "common/version.h"

#include "analysis/exponential_fit.h"
#include "calibration/levenberg_marquardt.h"
#include "common/file_fingerprint.h"
#include "common/input_error.h"
#include "common/parallel_tasks.h"
#include "materials/material.h"
#include "output/atomic_file.h"
#include "physics/constants.h"
#include "simulation/transient_simulation.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/utilities.h>
#include <deal.II/lac/full_matrix.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>

namespace otj
{
  namespace fs = std::filesystem;
  using dealii::Vector;
  using nlohmann::json;

  namespace
  {
    /// A time in s for a message (std::to_string would print 1e-8 as 0.000000).
    std::string seconds(const double t)
    {
      std::ostringstream o;
      o << t << " s";
      return o.str();
    }

    using Clock = std::chrono::steady_clock;
    /// Largest interface coupling g+- of the fit (exp(40) spans any rate range the PDE shows).
    constexpr double max_coupling = 40.0;
    /// Largest hopping rate of the fit (1/s): a lattice attempt frequency (~1e13 1/s,
    /// Kittel, Introduction to Solid State Physics, ch. 20) over the ~10 hops of a
    /// compartment; faster links are in equilibrium within 1 ps anyway, and rates of
    /// 1e14 1/s cost the integrator femtosecond steps on every voltage edge.
    constexpr double max_rate = 1e12;
    double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

    /// A comma-separated increasing list (at least two values, unless `may_be_empty`: any number).
    std::vector<double> list(dealii::ParameterHandler &prm, const std::string &name, const std::string &file,
                             const bool may_be_empty = false)
    {
      std::vector<double> v;
      for (const auto &s : dealii::Utilities::split_string_list(prm.get(name)))
        {
          try
            {
              v.push_back(dealii::Utilities::string_to_double(s));
            }
          catch (...)
            {
              throw_bad_parameter(file, "Extraction/" + name, prm.get(name), "a comma-separated list of numbers");
            }
        }
      for (std::size_t i = 1; i < v.size(); ++i)
        if (!(v[i] > v[i - 1]))
          throw_bad_parameter(file, "Extraction/" + name, prm.get(name), "increasing values");
      if (v.size() < 2 && !may_be_empty)
        throw_bad_parameter(file, "Extraction/" + name, prm.get(name), "at least two values");
      return v;
    }

    std::vector<double> log_times(double first, double last, unsigned per_decade)
    {
      const unsigned      n = 1 + unsigned(std::ceil(per_decade * std::log10(last / first)));
      std::vector<double> t;
      for (unsigned k = 0; k < n; ++k)
        t.push_back(first * std::pow(last / first, double(k) / (n - 1)));
      return t;
    }

    PiecewiseLinearWaveform points(std::vector<std::pair<double, double>> p) { return PiecewiseLinearWaveform(std::move(p)); }

    /// The subsections of the validation sequences (unseen: the pass/fail test of the model)
    /// and the development sequences (those the extraction settings are chosen on; reported,
    /// not a test).
    const std::vector<std::string> &sequence_sections()
    {
      static const std::vector<std::string> names{"Validation 1",  "Validation 2",  "Validation 3",
                                                  "Development 1", "Development 2", "Development 3"};
      return names;
    }

    /// Declares "<name> pulses", "<name> width (s)" and "<name> period (s)" of a pulse train.
    void declare_train(dealii::ParameterHandler &prm, const std::string &name, const std::string &pulses,
                       const std::string &width)
    {
      using dealii::Patterns::Double;
      prm.declare_entry(name + " pulses", pulses, dealii::Patterns::Integer(1, 1000));
      prm.declare_entry(name + " width (s)", width, Double(0.0));
      prm.declare_entry(name + " period (s)", "1e-6", Double(0.0));
    }

    /// Reads the train declared by declare_train; if `check`, refuses a period that does not
    /// hold the width and the two 1 ns edges.
    TrainShape read_train(dealii::ParameterHandler &prm, const std::string &name, const std::string &file,
                          const bool check)
    {
      const TrainShape t{static_cast<unsigned>(prm.get_integer(name + " pulses")), prm.get_double(name + " width (s)"),
                         prm.get_double(name + " period (s)")};
      if (check && !(t.period > t.width + 2e-9))
        throw_bad_parameter(file, "Extraction/" + name + " period (s)", seconds(t.period),
                            "a period longer than the width (" + seconds(t.width) + ") plus the two 1 ns edges");
      return t;
    }

    /// `count` pulses of amplitude A and width W (1 ns edges) every T seconds on 0 V, the
    /// n-th rising at n T.
    /// `count` trapezoidal pulses of amplitude A and width W (1 ns edges) every T seconds on
    /// a baseline of `base` volts.
    PiecewiseLinearWaveform pulse_train(const double A, const double W, const double T, const unsigned count,
                                        const double base)
    {
      const double                           e = 1e-9;
      std::vector<std::pair<double, double>> pts{{0, base}};
      for (unsigned n = 0; n < count; ++n)
        pts.insert(pts.end(), {{n * T + e, A}, {n * T + e + W, A}, {n * T + 2 * e + W, base}, {(n + 1) * T, base}});
      return points(pts);
    }

    /// The minimum of a unimodal f on [a, b] by golden-section search (60 steps: the
    /// bracket shrinks by 0.618^60 ~ 3e-13).
    template <typename F>
    double golden_minimum(const F &f, double a, double b)
    {
      const double phi = 0.5 * (std::sqrt(5.0) - 1);
      for (int k = 0; k < 60; ++k)
        {
          const double c = b - phi * (b - a), e = a + phi * (b - a);
          if (f(c) < f(e))
            b = e;
          else
            a = c;
        }
      return 0.5 * (a + b);
    }

    /// The compact-model state variables read off a vacancy profile.
    struct StateProbe
    {
      double       x_interior, x_interface;
      unsigned int cells;
      double       x_deep = 0; ///< start of the deep sites (0: no depth state)
      CompactState operator()(const DriftDiffusionSystem<1> &sys, const Vector<double> &u) const
      {
        const double N = sys.total_vacancies(u);
        CompactState s;
        s.w = sys.vacancies_between(u, x_interface, 1.0) / N;
        if (x_deep > 0)
          s.w_deep = sys.vacancies_between(u, x_deep, 1.0) / N;
        const double dx = (x_interface - x_interior) / cells;
        for (unsigned i = 0; i < cells; ++i)
          s.v.push_back(sys.vacancies_between(u, x_interior + i * dx, x_interior + (i + 1) * dx) / N);
        return s;
      }
    };

    struct TrajectoryPoint
    {
      double       t;
      CompactState s;
    };

  } // namespace

  RunParameters refined_reference(const RunParameters &device)
  {
    RunParameters p = device;
    p.mesh.refinement += 1;
    p.time.relative_tolerance *= 0.1;
    return p;
  }

  namespace
  {
    RunParameters quiet_run(const RunParameters &device, const PiecewiseLinearWaveform &waveform)
    {
      RunParameters p = device;
      p.output.write_vtu = p.output.write_profiles = false;
      p.experiment.output_times = {};
      p.experiment.initial_state = "equilibrium";
      p.experiment.waveform = waveform;
      return p;
    }

  } // namespace

  std::vector<std::size_t> select_table_extension(const double s_top, const double g_top,
                                                  const std::vector<std::pair<double, double>> &candidates,
                                                  const unsigned int max_nodes)
  {
    std::vector<std::size_t> order;
    for (std::size_t j = 0; j < candidates.size(); ++j)
      if (candidates[j].first > s_top * (1 + 1e-9) + 1e-12 && candidates[j].second > g_top)
        order.push_back(j);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return candidates[a].first < candidates[b].first; });
    std::vector<std::size_t> kept;
    for (std::size_t j : order)
      if ((kept.empty() || candidates[j].second > candidates[kept.back()].second) &&
          (kept.empty() || candidates[j].first > candidates[kept.back()].first * (1 + 1e-9)))
        kept.push_back(j);
    if (kept.size() <= max_nodes || max_nodes == 0)
      return max_nodes == 0 ? std::vector<std::size_t>{} : kept;
    // evenly thinned, the last (most conductive) kept
    std::vector<std::size_t> out;
    for (unsigned k = 1; k <= max_nodes; ++k)
      out.push_back(kept[(k * kept.size()) / max_nodes - 1]);
    return out;
  }

  std::vector<double> fit_depth_slope(const std::vector<double> &s_nodes, const std::vector<std::array<double, 3>> &samples,
                                      const double smoothing)
  {
    const std::size_t  n = s_nodes.size();
    dealii::FullMatrix<double> A(n, n);
    dealii::Vector<double> b(n), beta(n);
    for (const auto &[s, dphi, du] : samples)
      {
        // hat functions of the s nodes at s (clamped at the ends like the table)
        std::size_t i = 0;
        double      f = 0;
        if (n > 1 && s > s_nodes.front())
          {
            if (s >= s_nodes.back())
              i = n - 2, f = 1;
            else
              {
                i = std::upper_bound(s_nodes.begin(), s_nodes.end(), s) - s_nodes.begin() - 1;
                f = (s - s_nodes[i]) / (s_nodes[i + 1] - s_nodes[i]);
              }
          }
        const std::size_t idx[2] = {i, std::min(i + 1, n - 1)};
        const double      h[2]   = {(1 - f) * dphi, f * dphi};
        for (int a = 0; a < 2; ++a)
          {
            b(idx[a]) += h[a] * du;
            for (int c = 0; c < 2; ++c)
              A(idx[a], idx[c]) += h[a] * h[c];
          }
      }
    for (std::size_t j = 0; j < n; ++j)
      {
        A(j, j) += 1e-12; // (keeps nodes without samples and without smoothing at 0)
        if (j + 1 < n)
          {
            A(j, j) += smoothing, A(j + 1, j + 1) += smoothing;
            A(j, j + 1) -= smoothing, A(j + 1, j) -= smoothing;
          }
      }
    dealii::FullMatrix<double> Ainv(n, n);
    Ainv.invert(A);
    Ainv.vmult(beta, b);
    return std::vector<double>(beta.begin(), beta.end());
  }

  void append_rate_smoothing_residuals(std::vector<double> &r, const std::vector<double> &x,
                                       const std::vector<double> &previous, const std::size_t n, const double weight)
  {
    if (!(weight > 0))
      return;
    for (std::size_t m = 0; m < n && m < previous.size() && m < x.size(); ++m)
      r.push_back(weight * (x[m] - previous[m]));
  }

  CaptureLaw capture_law_of_prefit(const double a, const double b, const double w_s, const double max_coupling)
  {
    const double g = std::clamp(b / w_s, 0.0, max_coupling);
    return {a + g * w_s, g};
  }

  void CompactExtraction::declare_parameters(dealii::ParameterHandler &prm)
  {
    using namespace dealii;
    prm.enter_subsection("Extraction");
    prm.declare_entry("Device file", "writes.prm", Patterns::FileName(),
                      "Run parameter file of the device (relative to this file): its materials define the model.");
    prm.declare_entry("Output directory", "results/compact", Patterns::Anything());
    prm.declare_entry("Rate voltages (V)", "-4.3, -3, -2, -1, 0, 0.5, 1, 1.5, 2, 2.5", Patterns::Anything(),
                      "Constant source voltages of the training runs (the V grid of dw/dt).");
    prm.declare_entry("w nodes", "0, 1e-4, 1e-3, 0.01, 0.05, 0.15, 0.3, 0.5, 0.7, 0.85, 0.95, 1", Patterns::Anything(),
                      "States of the current table: the non-volatile state w (share of the inventory in the bottom interface "
                      "layer) of the LRS relaxing at 0 V nearest to each node.");
    prm.declare_entry("Current voltages (V)", "-2, -1, -0.5, -0.2, -0.1, 0, 0.1, 0.2, 0.5, 1, 1.5, 2, 2.5",
                      Patterns::Anything(), "V grid of the current table.");
    prm.declare_entry("Run duration (s)", "0.1", Patterns::Double(1e-9), "Length of each constant-voltage run.");
    prm.declare_entry("LRS write (V)", "2.2", Patterns::Double(0.0, 10.0), "The LRS: this write from the pristine state.");
    prm.declare_entry("LRS write time (s)", "0.1", Patterns::Double(0.0));
    prm.declare_entry("Film cells", "2", Patterns::Integer(1, 40),
                      "Slabs of the film interior in the compartment chain (the transit delay).");
    prm.declare_entry("Hidden Pt-side cell", "false", Patterns::Bool(),
                      "A compartment between the Pt-side layer and the first film slab that the PDE profile does not "
                      "show: vacancies released from the Pt interface but not yet in the film interior (the PDE counts "
                      "them in the Pt-side layer). It is not read; it starts empty in the equilibrium states, and its "
                      "content at the end of the 0 V training runs' pulses is fitted.");
    prm.declare_entry("Hidden cell penalty", "1.0", Patterns::Double(0.0),
                      "Weight of the hidden cell's content in the trajectory residuals (the hidden cell holds what "
                      "the observed trajectories demand, no more; without it the fit at low voltages parks the "
                      "Pt-side layer in the hidden cell).");
    prm.declare_entry("Film interior start (nm)", "0.5", Patterns::Double(0.0),
                      "Depth from the Pt beyond which film vacancies count as the volatile state.");
    prm.declare_entry("Spike amplitude (V)", "1.0", Patterns::Double(0.0, 10.0),
                      "Sub-threshold spike whose relaxation gives tau_v and kappa.");
    prm.declare_entry("Spike width (s)", "5e-8", Patterns::Double(0.0));
    prm.declare_entry("Set spike amplitude (V)", "2.4", Patterns::Double(0.0, 10.0),
                      "A short supra-threshold spike whose relaxation at 0 V shows how the film population "
                      "near the interface splits between trapping and return (trains the 0 V rates).");
    prm.declare_entry("Set spike width (s)", "1e-8", Patterns::Double(0.0));
    prm.declare_entry("Set spike count", "1", Patterns::Integer(1, 50),
                      "Set spikes in a row, each 1 ms after the previous one; the 0 V relaxation after each is a "
                      "training run.");
    prm.declare_entry("Set film coupling", "-1", Patterns::Double(),
                      "If >= 0 (with 'Film coupling'): g_f is this value at every training voltage >= 1 V instead "
                      "of fitted per voltage. By Gauss's law the trapped charge changes the film's field by the "
                      "same amount at any bias, so g_f = q a dE / (2 k T) per unit w does not depend on V; the "
                      "constant-voltage runs from the pristine state do not show it (w ~ 0 while the front crosses).");
    prm.declare_entry("Film coupling screening (w)", "0", Patterns::Double(0.0, 1.0),
                      "w_f of the film coupling exp(-+g_f w_f (1 - exp(-w / w_f))): the trapped charge's field in the "
                      "film saturates once the substrate's electrons screen it (0: linear in w, the default).");
    prm.declare_entry("Free last film link", "false", Patterns::Bool(),
                      "With 'Uniform film links': the link between the last two slabs keeps rates of its own (the "
                      "PDE holds a pile-up in the film's last few tenths of a nm, at the interface's field, that "
                      "drains back far more slowly than the rest of the film).");
    prm.declare_entry("Uniform film links", "false", Patterns::Bool(),
                      "The links between neighbouring film slabs share one pair of rates per training voltage (a "
                      "uniform drift chain, the finite-volume form of drift in a uniform field); with many slabs it "
                      "resolves the drift front's transit without a free pair of rates per link.");
    prm.declare_entry("Relaxation bias (V)", "0", Patterns::Double(-1.0, 1.0),
                      "Source voltage between the pulses of the training, table and depth trains and after the "
                      "spikes: the relaxations there train the rates at rest (the film's drain, the capture of "
                      "the pile-up, the depth exchange). 0, or the read voltage, at which the validation "
                      "sequences and the protocols hold the junction between pulses (the rates at a voltage "
                      "between two training voltages are interpolated, so rest dynamics trained at 0 V reach "
                      "the read bias only through the neighbouring constant-voltage fit). Must be one of "
                      "'Rate voltages (V)'.");
    prm.declare_entry("Film slab weight", "1", Patterns::Double(0.0),
                      "Weight of the film slabs' residuals (delta v_i / (0.01 + 0.05 v_i)) in the trajectory "
                      "fits, relative to those of w: below 1 the fit follows w (which the reads need) before the "
                      "shape of the drift front in the slabs (which a short chain cannot follow).");
    prm.declare_entry("Pt layer self-coupling", "false", Patterns::Bool(),
                      "The link out of the Pt-side layer carries the layer's self-interaction, k_0+ p e^{g_p p} - "
                      "k_0- v_1 e^{-g_p p} (its own charge pushes its vacancies into the film), with g_p fitted per "
                      "training voltage: the release slows superlinearly as the layer empties into w.");
    prm.declare_entry("Pt link coupling", "false", Patterns::Bool(),
                      "With 'Film coupling': the link out of the Pt-side layer gets its own coupling g_0 to the "
                      "trapped charge (fitted per training voltage like g_f) instead of sharing g_f: the release "
                      "over the Pt interface's barrier and the hops inside the film respond differently to the "
                      "screened field.");
    prm.declare_entry("Depth train early reads", "false", Patterns::Bool(),
                      "Each period of the depth trains is also read a quarter of its rest after the pulse (not "
                      "only at its end), so that the depth slope sees the states the reads shortly after a "
                      "pulse meet (a fast set's surplus near the film before it has moved deeper).");
    prm.declare_entry("Threads", "0", Patterns::Integer(0, 1024),
                      "Threads for independent runs: the PDE's constant-voltage runs, validation sequences and "
                      "their refined references, and the Jacobian columns of the rate fits (0: one per core). The "
                      "results do not depend on it: each run is the same computation on any thread, and the fits "
                      "use them in a fixed order.");
    prm.declare_entry("Reduced model cells", "0", Patterns::Integer(0, 10000),
                      "If > 0: also validate the reduced oxide model (the PDE's vacancy and Poisson equations on "
                      "this many uniform cells of the oxide (or fewer: 'Reduced model coarse stretch (nm)'), the substrate by its "
                      "first integral, the current by "
                      "Tsu-Esaki; compact/reduced_oxide_model.h) on the same sequences, from the PDE's pristine state "
                      "projected onto its nodes. Nothing of it is fitted.");
    prm.declare_entry("Reduced model coarse stretch (nm)", "", Patterns::Anything(),
                      "Empty, or two depths in the oxide (nm, from the Pt): the reduced oxide model's cells are "
                      "'Reduced model coarsening' times the fine cell (oxide / 'Reduced model cells') between them, "
                      "the cell size ramped linearly over 0.1 nm inside each end (ReducedGridCoarsening).");
    prm.declare_entry("Reduced model coarsening", "1", Patterns::Double(1.0, 8.0),
                      "Cell-size factor of the reduced oxide model's coarse stretch (1: a uniform grid).");
    prm.declare_entry("Refined reference", "true", Patterns::Bool(),
                      "Each validation and development sequence is also run by the PDE on the device's mesh with "
                      "every cell halved and with the time-step tolerance divided by 10: the table reports the "
                      "PDE reference's own numerical error beside the compact model's (the compact model is "
                      "trained and judged on the device's resolution).");
    prm.declare_entry("Film read correction", "false", Patterns::Bool(),
                      "A film term gamma(V, s) v_film in asinh(I / I0) of the read, regressed per current voltage "
                      "on frozen PDE states during set pulses (the training trains' pulses and the set runs from "
                      "the pristine state): the residual effect of the film population on the read that the "
                      "per-slab weights kappa_i leave.");
    prm.declare_entry("Table train (V)", "0", Patterns::Double(-10.0, 10.0),
                      "Amplitude of a pulse train from the pristine state whose states (at the end of each period) are "
                      "the current table's nodes from the first pulse's w up (0: the table is read from the LRS "
                      "relaxing at 0 V only). The protocols visit pulse-set states.");
    declare_train(prm, "Table train", "20", "5e-8");
    prm.declare_entry("Read-weighted fit", "0", Patterns::Double(0.0),
                      "If > 0: the trajectory fits also compare the read conductance of w (the current table at the "
                      "read bias, empty film), residual (ln G(w_cm) - ln G(w_pde)) / this value, so that w is fitted "
                      "where the read is sensitive to it (ln G rises ~10 per unit w below w ~ 0.9).");
    prm.declare_entry("Set capture coupling", "-1", Patterns::Double(-1.0, 40.0),
                      "If >= 0: the interface capture coupling g+ at every training voltage >= 1 V is this value "
                      "instead of fitted per voltage (the repulsion of the trapped charge is an electrostatic energy, "
                      "not a function of the applied voltage; per-voltage fits leave it undetermined where the set "
                      "run's w stays small within the fit horizon). -1: fitted per voltage.");
    prm.declare_entry("Fit horizon coverage", "0", Patterns::Double(0.0, 1.0),
                      "The set runs from the pristine state are fitted beyond the fit horizon until w reaches this "
                      "value (0: not), so that the capture at intermediate w is trained at the lower set voltages "
                      "too, where w stays small within the horizon.");
    prm.declare_entry("Interface depth split (nm)", "0", Patterns::Double(0.0),
                      "If > 0: the model carries the depth of the trapped population, w_d = the share beyond this "
                      "depth into the interface layer (the deep sites), with its exchange rates fitted per training "
                      "voltage on the same runs, and the current table gains the depth correction regressed on the "
                      "'Depth trains' (0: no depth state, the default).");
    prm.declare_entry("Depth trains", "", Patterns::Anything(),
                      "Pulse trains from the pristine state whose states (read at the end of each period, at every "
                      "current voltage) give the depth correction of the current table: 'V width period pulses' "
                      "(V, s, s, count), separated by ';'. Used with 'Interface depth split (nm)' > 0.");
    prm.declare_entry("Film coupling", "false", Patterns::Bool(),
                      "Fit a coupling g_f per training voltage by which the trapped charge w screens the film's "
                      "field: the film links' forward rates carry exp(-g_f w), their backward rates exp(+g_f w).");
    prm.declare_entry("Training trains (V)", "", Patterns::Anything(),
                      "Training voltages (each one of the rate voltages) at which a train of pulses from the pristine "
                      "state is also run: each pulse (from the state the previous ones left) is a training run at its "
                      "voltage, each relaxation between pulses one at 0 V, so that the refill of the film and the "
                      "capture at w > 0 are trained. Empty: none.");
    declare_train(prm, "Training train", "5", "3e-8");
    prm.declare_entry("Training train weight", "1", Patterns::Double(0.0),
                      "Weight of the training trains' pulses in the trajectory fits (w residuals; 1: like the "
                      "constant-voltage runs).");
    prm.declare_entry("Intermediate start w", "0.0", Patterns::Double(0.0, 1.0),
                      "The constant-voltage runs above 0 V also start from the state of the LRS relaxing at 0 V "
                      "whose w is nearest this value (0: not, the default), so that capture and release at intermediate w are "
                      "trained.");
    prm.declare_entry("Capture screening (w)", "auto", Patterns::Anything(),
                      "w_s of the interface capture exp(-g+ w_s (1 - exp(-w / w_s))): the repulsion of the trapped "
                      "vacancies saturates once the substrate's electrons screen it. 'auto': fitted to the capture "
                      "rate dw/dt / v_N of the set runs from the pristine state at the training voltages >= 1 V "
                      "(ln of it against w, per voltage a + b exp(-w / w_s)); 0: the plain Frumkin form exp(-g+ w); "
                      "or a value in (0, 1].");
    prm.declare_entry("Capture law from the pre-fit", "false", Patterns::Bool(),
                      "The interface capture rate k_N+ and coupling g+ at the training voltages of the screening "
                      "pre-fit are taken from it (ln k_eff = ln k_N+ - g+ w_s (1 - exp(-w / w_s)) over the whole set "
                      "run) and held in the trajectory fits, instead of fitted within the fit horizon.");
    prm.declare_entry("Fit horizon (s)", "1e-7", Patterns::Double(0.0),
                      "The constant-voltage runs away from 0 V are fitted up to this time (default: the 50-100 ns "
                      "set and reset pulses of the protocols): a compartment chain cannot follow both the "
                      "nanosecond arrival of the vacancy front at the interface and the slow filling after it "
                      "(fitting to 0.1 s smooths the arrival out). The 0 V runs (relaxation, retention) are "
                      "fitted to their end.");
    prm.declare_entry("Rate smoothing", "0", Patterns::Double(0.0),
                      "Weight of a prior that holds ln k and the interface couplings of a training voltage "
                      "near those of the previously fitted voltage (residual: weight times the difference of "
                      "ln k; 0: none). Rates that no run at a voltage exercises (the film's drain at 0.3 V) "
                      "then follow their neighbour instead of drifting to the bounds, where the log-linear "
                      "interpolation in V would carry them to the voltages in between.");
    prm.declare_entry("Fit iterations", "40", Patterns::Integer(0, 200),
                      "Levenberg-Marquardt iterations of the trajectory fit at each training voltage.");
    prm.declare_entry("Conductance tolerance", "0.1", Patterns::Double(0.0), "Validation: largest |G_cm / G_pde - 1|.");
    prm.declare_entry("Current tolerance", "0.2", Patterns::Double(0.0), "Validation: largest |I_cm / I_pde - 1|.");
    for (const std::string &v : sequence_sections())
      {
        prm.enter_subsection(v);
        prm.declare_entry("Name", v, Patterns::Anything());
        prm.declare_entry("Amplitude (V)", "0.6", Patterns::Double(-10.0, 10.0));
        prm.declare_entry("Width (s)", "5e-8", Patterns::Double(0.0));
        prm.declare_entry("Period (s)", "1e-7", Patterns::Double(0.0));
        prm.declare_entry("Count", (v == "Validation 1" || v == "Validation 2") ? "2" : "0", Patterns::Integer(0, 10000),
                          "0 disables this sequence.");
        prm.leave_subsection();
      }
    prm.leave_subsection();
  }

  CompactExtraction::CompactExtraction(const std::string &file)
    : file_(file)
  {
    using namespace dealii;
    ParameterHandler prm;
    declare_parameters(prm);
    parse_parameter_file(prm, file);
    prm.enter_subsection("Extraction");
    device_           = read_device_file((fs::path(file).parent_path() / prm.get("Device file")).string(), file,
                                         "Extraction/Device file");
    output_dir_       = prm.get("Output directory");
    check_output_directory(output_dir_, file, "Extraction/Output directory");
    rate_voltages_    = list(prm, "Rate voltages (V)", file);
    w_nodes_          = list(prm, "w nodes", file);
    current_voltages_ = list(prm, "Current voltages (V)", file);
    run_duration_     = prm.get_double("Run duration (s)");
    lrs_write_        = prm.get_double("LRS write (V)");
    lrs_write_time_   = prm.get_double("LRS write time (s)");
    interior_start_   = prm.get_double("Film interior start (nm)") * 1e-9;
    film_cells_       = prm.get_integer("Film cells");
    hidden_cells_     = prm.get_bool("Hidden Pt-side cell") ? 1 : 0;
    hidden_penalty_   = prm.get_double("Hidden cell penalty");
    spike_amplitude_  = prm.get_double("Spike amplitude (V)");
    spike_width_      = prm.get_double("Spike width (s)");
    set_spike_amplitude_ = prm.get_double("Set spike amplitude (V)");
    set_spike_width_     = prm.get_double("Set spike width (s)");
    set_spike_count_     = prm.get_integer("Set spike count");
    conductance_tolerance_ = prm.get_double("Conductance tolerance");
    fit_iterations_        = prm.get_integer("Fit iterations");
    rate_smoothing_        = prm.get_double("Rate smoothing");
    fit_horizon_           = prm.get_double("Fit horizon (s)");
    relaxation_bias_       = prm.get_double("Relaxation bias (V)");
    film_read_correction_  = prm.get_bool("Film read correction");
    refined_reference_     = prm.get_bool("Refined reference");
    reduced_cells_         = static_cast<unsigned>(prm.get_integer("Reduced model cells"));
    {
      const auto stretch = list(prm, "Reduced model coarse stretch (nm)", file, true);
      if (!stretch.empty() && (stretch.size() != 2 || stretch[0] < 0))
        throw_bad_parameter(file, "Extraction/Reduced model coarse stretch (nm)", prm.get("Reduced model coarse stretch (nm)"),
                            "empty or two increasing depths >= 0 in the oxide (nm)");
      reduced_coarsening_ = {};
      if (stretch.size() == 2)
        {
          reduced_coarsening_.from   = stretch[0] * 1e-9;
          reduced_coarsening_.to     = stretch[1] * 1e-9;
          reduced_coarsening_.factor = prm.get_double("Reduced model coarsening");
          // inside the oxide, with room for its two ramps (checked before any PDE run)
          const double L = device_.device.film_thickness();
          if (!(stretch[1] * 1e-9 <= L * (1 + 1e-12)) ||
              !(stretch[1] - stretch[0] > 2 * reduced_coarsening_.ramp * 1e9))
            throw_bad_parameter(file, "Extraction/Reduced model coarse stretch (nm)",
                                prm.get("Reduced model coarse stretch (nm)"),
                                "two depths within the oxide (0 to " + std::to_string(L * 1e9) +
                                  " nm) more than 0.2 nm apart");
        }
    }
    threads_               = static_cast<unsigned>(prm.get_integer("Threads"));
    depth_early_reads_     = prm.get_bool("Depth train early reads");
    pt_link_coupling_      = prm.get_bool("Pt link coupling");
    pt_self_coupling_      = prm.get_bool("Pt layer self-coupling");
    slab_weight_           = prm.get_double("Film slab weight");
    if (pt_link_coupling_ && !prm.get_bool("Film coupling"))
      throw_bad_parameter(file, "Extraction/Pt link coupling", "true", "'Film coupling = true' as well");
    if (std::find(rate_voltages_.begin(), rate_voltages_.end(), relaxation_bias_) == rate_voltages_.end())
      throw_bad_parameter(file, "Extraction/Relaxation bias (V)", std::to_string(relaxation_bias_),
                          "one of 'Rate voltages (V)' (the relaxations are fitted at it)");
    capture_from_prefit_   = prm.get_bool("Capture law from the pre-fit");
    {
      const std::string c = prm.get("Capture screening (w)");
      if (c == "auto")
        capture_screening_ = -1; // fitted in run()
      else
        {
          try
            {
              capture_screening_ = dealii::Utilities::string_to_double(c);
            }
          catch (...)
            {
              capture_screening_ = -2;
            }
          if (!(capture_screening_ >= 0 && capture_screening_ <= 1))
            throw_bad_parameter(file, "Extraction/Capture screening (w)", c, "'auto' or a number in [0, 1]");
        }
    }
    intermediate_w_        = prm.get_double("Intermediate start w");
    film_coupling_         = prm.get_bool("Film coupling");
    uniform_film_links_    = prm.get_bool("Uniform film links");
    free_last_film_link_   = prm.get_bool("Free last film link");
    read_weight_           = prm.get_double("Read-weighted fit");
    set_capture_coupling_  = prm.get_double("Set capture coupling");
    set_film_coupling_     = prm.get_double("Set film coupling");
    train_weight_          = prm.get_double("Training train weight");
    film_screening_        = prm.get_double("Film coupling screening (w)");
    horizon_coverage_      = prm.get_double("Fit horizon coverage");
    depth_split_           = prm.get_double("Interface depth split (nm)") * constants::nm;
    {
      std::istringstream all(prm.get("Depth trains"));
      std::string        item;
      while (std::getline(all, item, ';'))
        {
          if (item.find_first_not_of(" \t") == std::string::npos)
            continue;
          std::istringstream one(item);
          DepthTrain         t;
          std::string        rest;
          if (!(one >> t.voltage >> t.shape.width >> t.shape.period >> t.shape.pulses) || (one >> rest) ||
              !(t.shape.width > 0) || !(t.shape.period >= t.shape.width + 2e-9) || t.shape.pulses < 1)
            throw_bad_parameter(file, "Extraction/Depth trains", item,
                                "'V width period pulses' (width > 0 s, period >= width + 2 ns, pulses >= 1), "
                                "entries separated by ';'");
          depth_trains_.push_back(t);
        }
    }
    table_train_voltage_   = prm.get_double("Table train (V)");
    table_train_           = read_train(prm, "Table train", file, table_train_voltage_ != 0.0);
    train_voltages_        = list(prm, "Training trains (V)", file, true);
    train_                 = read_train(prm, "Training train", file, true);
    for (double V : train_voltages_)
      if (std::find(rate_voltages_.begin(), rate_voltages_.end(), V) == rate_voltages_.end() || V == 0.0)
        throw_bad_parameter(file, "Extraction/Training trains (V)", std::to_string(V),
                            "non-zero voltages that are also in 'Rate voltages (V)'");
    current_tolerance_     = prm.get_double("Current tolerance");
    for (const std::string &v : sequence_sections())
      {
        prm.enter_subsection(v);
        ValidationSequence s{prm.get("Name"), prm.get_double("Amplitude (V)"), prm.get_double("Width (s)"),
                             prm.get_double("Period (s)"), static_cast<unsigned>(prm.get_integer("Count")),
                             v.rfind("Development", 0) == 0};
        prm.leave_subsection();
        if (s.count == 0)
          continue;
        if (!(s.period > s.width + 2e-9))
          throw_bad_parameter(file, "Extraction/" + v + "/Period (s)", seconds(s.period),
                              "a period longer than the width (" + seconds(s.width) + ") plus the two 1 ns edges");
        validation_.push_back(s);
      }
    prm.leave_subsection();
    if (w_nodes_.front() < 0 || w_nodes_.back() > 1)
      throw_bad_parameter(file, "Extraction/w nodes", std::to_string(w_nodes_.front()) + " .. " +
                                                        std::to_string(w_nodes_.back()), "values in [0, 1]");
  }

  void CompactExtraction::run(const bool quiet)
  {
    const auto start = Clock::now();
    fs::create_directories(output_dir_);
    const DeviceModel &d = device_.device;
    double             x_interface = 0;
    for (const auto &l : d.layers)
      if (l.id == ids::top_interface || l.id == ids::barrier)
        x_interface += l.thickness;
    const StateProbe probe{interior_start_, x_interface, film_cells_, depth_split_ > 0 ? x_interface + depth_split_ : 0.0};
    auto phi_of = [](const CompactState &st) { return st.w > 1e-12 ? std::clamp(st.w_deep / st.w, 0.0, 1.0) : 0.0; };
    if (!quiet)
      std::cout << "otj extract " << file_ << ": compact model of " << device_.input_file << "\n  states: w = share of "
                << "the vacancies beyond " << x_interface / constants::nm << " nm (interface layer), v = share in "
                << interior_start_ / constants::nm << " - " << x_interface / constants::nm << " nm (film interior)"
                << std::endl;
    json runs = json::array();
    // ---- start states ------------------------------------------------------
    Vector<double> pristine, lrs;
    {
      TransientSimulation sim(quiet_run(device_, points({{0, 0}, {1, 0}})), true);
      sim.solve_initial_state();
      pristine = sim.state();
      const double e = 1e-7;
      TransientSimulation w(quiet_run(device_, points({{0, 0}, {e, lrs_write_}, {e + lrs_write_time_, lrs_write_},
                                                       {2 * e + lrs_write_time_, 0}})),
                            true);
      w.restart_from(pristine);
      w.integrate_waveform(false);
      lrs = w.state();
      runs.push_back({{"run", "LRS write"}, {"voltage_V", lrs_write_}, {"duration_s", lrs_write_time_}});
    }
    auto probe_of = [&](const Vector<double> &u) {
      TransientSimulation sim(quiet_run(device_, points({{0, 0}, {1, 0}})), true);
      return probe(sim.system(), u);
    };
    const CompactState s_pristine = probe_of(pristine), s_lrs = probe_of(lrs);
    if (!quiet)
      std::cout << "  pristine w = " << s_pristine.w << ", v = " << s_pristine.volatile_share() << "; LRS w = " << s_lrs.w
                << ", v = " << s_lrs.volatile_share() << " (" << film_cells_ << " film cells)" << std::endl;

    // a spike of amplitude A and width W (1 ns edges) from state s0, then 0 V for `hold`:
    // sample(dt, sim) at the spike's end (dt = 0) and at log-spaced times dt after it;
    // returns the final state
    auto relax_after_spike = [&](double A, double W, const Vector<double> &s0, double hold,
                                 const std::function<void(double, TransientSimulation &)> &sample) {
      const double        tf = 2e-9 + W;
      const double        b  = relaxation_bias_;
      TransientSimulation sim(quiet_run(device_, points({{0, b}, {1e-9, A}, {1e-9 + W, A}, {tf, b}, {tf + hold, b}})),
                              true);
      sim.restart_from(s0);
      sim.integrate_waveform(false, tf);
      sample(0.0, sim);
      for (double dt : log_times(1e-11, hold, 8))
        {
          sim.integrate_waveform(false, tf + dt);
          sample(dt, sim);
        }
      return sim.state();
    };

    // ---- the spike's relaxation at 0 V (trains the volatile rates at 0 V, tau_v and kappa) ----
    std::vector<double>       spike_t, spike_G;
    std::vector<CompactState> spike_s;
    relax_after_spike(spike_amplitude_, spike_width_, pristine, 1e-4, [&](double dt, TransientSimulation &sim) {
      if (dt == 0.0)
        return;
      spike_t.push_back(dt), spike_s.push_back(probe(sim.system(), sim.state()));
      spike_G.push_back(1.0 / sim.read(sim.state(), device_.experiment.read_voltage).resistance);
    });

    // the relaxation at 0 V after each of "Set spike count" set spikes (each from the
    // state the previous one left 1 ms later): the capture and return at 0 V of what a
    // pulse leaves in the film, at the interface coverages a pulse train passes through
    std::vector<std::vector<TrajectoryPoint>> set_spikes;
    {
      Vector<double> start = pristine;
      for (unsigned n = 0; n < set_spike_count_; ++n)
        {
          std::vector<TrajectoryPoint> relax;
          start = relax_after_spike(set_spike_amplitude_, set_spike_width_, start, 1e-3,
                                    [&](double dt, TransientSimulation &sim) {
                                      relax.push_back({dt, probe(sim.system(), sim.state())});
                                    });
          runs.push_back({{"run", "set spike relaxation"}, {"spike", n + 1}, {"amplitude_V", set_spike_amplitude_},
                          {"width_s", set_spike_width_}, {"w_before", relax.front().s.w}, {"w_after", relax.back().s.w}});
          set_spikes.push_back(std::move(relax));
        }
    }

    // the training trains: per voltage, the pulses' trajectories (from each pulse's
    // plateau start) and the 0 V relaxations after them
    std::map<double, std::vector<std::vector<TrajectoryPoint>>> train_pulses;
    std::vector<Vector<double>> pulse_vectors; // PDE states during the training trains' pulses (film read correction)
    {
      // the trains side by side, joined in the order of the voltages
      struct TrainRun
      {
        std::vector<std::vector<TrajectoryPoint>> pulses, relaxations;
        std::vector<Vector<double>>               vectors;
        double                                    w_before = 0;
      };
      std::vector<TrainRun> trains(train_voltages_.size());
      for_each_index(trains.size(), worker_count(threads_, trains.size()), [&](std::size_t q, unsigned int) {
        const double        V = train_voltages_[q], W = train_.width, T = train_.period, e = 1e-9;
        TrainRun           &out = trains[q];
        TransientSimulation sim(quiet_run(device_, pulse_train(V, W, T, train_.pulses, relaxation_bias_)), true);
        sim.restart_from(pristine);
        for (unsigned n = 0; n < train_.pulses; ++n)
          {
            const double                 t0 = n * T;
            std::vector<TrajectoryPoint> pulse, relax;
            sim.integrate_waveform(false, t0 + e);
            pulse.push_back({0.0, probe(sim.system(), sim.state())});
            if (n == 0)
              out.w_before = pulse.front().s.w;
            for (double dt : log_times(2e-10, W, 8))
              {
                sim.integrate_waveform(false, t0 + e + dt);
                pulse.push_back({dt, probe(sim.system(), sim.state())});
                if (film_read_correction_)
                  out.vectors.push_back(sim.state());
              }
            const double tr = t0 + 2 * e + W;
            sim.integrate_waveform(false, tr);
            relax.push_back({0.0, probe(sim.system(), sim.state())});
            for (double dt : log_times(1e-11, T - 2 * e - W, 8))
              {
                sim.integrate_waveform(false, tr + dt);
                relax.push_back({dt, probe(sim.system(), sim.state())});
              }
            out.pulses.push_back(std::move(pulse));
            out.relaxations.push_back(std::move(relax));
          }
      });
      for (std::size_t q = 0; q < trains.size(); ++q)
        {
          const double V = train_voltages_[q], W = train_.width, T = train_.period;
          auto        &run = trains[q];
          for (auto &p : run.pulses)
            train_pulses[V].push_back(std::move(p));
          for (auto &r : run.relaxations)
            set_spikes.push_back(std::move(r)); // trains the 0 V rates like the set spikes' relaxations
          for (auto &u : run.vectors)
            pulse_vectors.push_back(std::move(u));
          runs.push_back({{"run", "training train"}, {"voltage_V", V}, {"pulses", train_.pulses}, {"width_s", W},
                          {"period_s", T}, {"w_before", run.w_before}, {"w_after", set_spikes.back().back().s.w}});
          if (!quiet)
            std::cout << "  training train at " << V << " V: " << train_.pulses << " x " << W << " s every " << T
                      << " s, w " << run.w_before << " -> " << set_spikes.back().back().s.w << std::endl;
        }
    }

    // ---- constant-voltage PDE runs ------------------------------------------------
    // from a start state at V from t = 0 to T, sampled at log-spaced times (the state
    // probed and the PDE vector kept); a run that stops early keeps what it reached
    struct ConstantRun
    {
      std::vector<TrajectoryPoint> tr;
      std::vector<Vector<double>>  u;
    };
    std::mutex print_mutex; // the runs below may be on several threads
    auto constant_voltage_run = [&](double V, const Vector<double> &s0, double T, const std::string &name) {
      ConstantRun         r;
      TransientSimulation sim(quiet_run(device_, points({{0, 0}, {1e-10, V}, {T, V}})), true);
      sim.restart_from(s0);
      r.tr.push_back({0.0, probe(sim.system(), sim.state())});
      r.u.push_back(sim.state());
      try
        {
          for (double t : log_times(2e-10, T, 8))
            {
              sim.integrate_waveform(false, t);
              r.tr.push_back({t, probe(sim.system(), sim.state())});
              r.u.push_back(sim.state());
            }
        }
      catch (const std::exception &e)
        {
          if (!quiet)
            {
              const std::lock_guard<std::mutex> lock(print_mutex);
              std::cout << "    (run at " << V << " V from the " << name << " stopped at t = " << sim.time()
                        << " s: " << e.what() << ")" << std::endl;
            }
        }
      return r;
    };
    // the set runs from the pristine state (V >= 1 V) serve both the screening pre-fit
    // and the rate fits, and the LRS relaxing at 0 V, followed to long times (retention
    // scale), is a training run at 0 V and the source of the current table's states: run
    // once, side by side
    std::map<double, ConstantRun> set_runs;
    ConstantRun                   lrs_at_0;
    {
      std::vector<double> set_voltages;
      for (double V : rate_voltages_)
        if (V >= 1.0 && std::find(set_voltages.begin(), set_voltages.end(), V) == set_voltages.end())
          set_voltages.push_back(V);
      std::vector<ConstantRun> done(set_voltages.size() + 1);
      // the longest run (1e4 s) first, so that it does not finish last alone
      for_each_index(done.size(), worker_count(threads_, done.size()), [&](std::size_t i, unsigned int) {
        done[i] = i == 0 ? constant_voltage_run(0.0, lrs, std::max(run_duration_, 1e4), "LRS")
                         : constant_voltage_run(set_voltages[i - 1], pristine, run_duration_, "pristine");
      });
      lrs_at_0 = std::move(done[0]);
      for (std::size_t i = 0; i < set_voltages.size(); ++i)
        set_runs.emplace(set_voltages[i], std::move(done[i + 1]));
    }
    auto set_run = [&](double V) -> const ConstantRun & { return set_runs.at(V); };
    TransientSimulation reader(quiet_run(device_, points({{0, 0}, {1, 0}})), true); // static reads of PDE states

    // ---- the screening coverage of the interface capture (a pre-fit) -----------------
    // The capture rate k_eff = (dw/dt) / v_N of the set runs from the pristine state falls
    // steeply with w at first and then levels off; ln k_eff = a_V + b_V exp(-w / w_s) per
    // voltage (linear least squares in a_V, b_V), w_s by golden section on ln w_s.
    json screening_json;
    // per training voltage of the pre-fit: ln k_N+ and g+ of its capture law (used by the
    // trajectory fits if "Capture law from the pre-fit" is set)
    std::map<double, std::pair<double, double>> capture_law;
    if (capture_screening_ < 0)
      {
        std::vector<std::vector<std::pair<double, double>>> samples; // per voltage: (w, ln k_eff)
        std::vector<double>                                 sample_voltages;
        for (double V : rate_voltages_)
          {
            if (V < 1.0)
              continue;
            const auto                            &tr = set_run(V).tr;
            std::vector<std::pair<double, double>> pts;
            for (std::size_t k = 1; k + 1 < tr.size(); ++k)
              {
                const double w = tr[k].s.w, vN = tr[k].s.v.back();
                const double dw = (tr[k + 1].s.w - tr[k - 1].s.w) / (tr[k + 1].t - tr[k - 1].t);
                if (w > 0.01 && w < 0.8 && vN > 1e-3 && dw > 0)
                  pts.push_back({w, std::log(dw / vN)});
              }
            if (pts.size() >= 4)
              samples.push_back(pts), sample_voltages.push_back(V);
          }
        auto sse = [&](double ws, std::vector<std::pair<double, double>> *ab = nullptr) {
          double total = 0;
          for (const auto &pts : samples)
            {
              // y = a + b z, z = exp(-w / ws)
              double n = 0, sz = 0, sy = 0, szz = 0, szy = 0, syy = 0;
              for (const auto &[w, y] : pts)
                {
                  const double z = std::exp(-w / ws);
                  n += 1, sz += z, sy += y, szz += z * z, szy += z * y, syy += y * y;
                }
              const double det = n * szz - sz * sz;
              const double b = det > 0 ? (n * szy - sz * sy) / det : 0.0, a = (sy - b * sz) / n;
              total += syy - 2 * (a * sy + b * szy) + a * a * n + 2 * a * b * sz + b * b * szz;
              if (ab)
                ab->push_back({a, b});
            }
          return total;
        };
        if (samples.empty())
          capture_screening_ = 0;
        else
          {
            capture_screening_ =
              std::exp(golden_minimum([&](double x) { return sse(std::exp(x)); }, std::log(0.01), std::log(1.0)));
          }
        if (!samples.empty() && capture_screening_ > 0)
          {
            // ln k_eff = a_V + b_V exp(-w / w_s) is ln k_N+ - g+ w_s (1 - exp(-w / w_s)):
            // k_N+ = exp(a_V + b_V), g+ = b_V / w_s
            std::vector<std::pair<double, double>> ab;
            sse(capture_screening_, &ab);
            for (std::size_t j = 0; j < ab.size(); ++j)
              {
                const CaptureLaw law = capture_law_of_prefit(ab[j].first, ab[j].second, capture_screening_, max_coupling);
                capture_law[sample_voltages[j]] = {law.ln_k, law.g};
              }
          }
        screening_json = {{"w_s", capture_screening_}, {"voltages", samples.size()},
                          {"sse_ln_k", samples.empty() ? 0.0 : sse(capture_screening_)},
                          {"sse_ln_k_frumkin_limit", samples.empty() ? 0.0 : sse(1e3)}};
        if (!quiet)
          std::cout << "  capture screening w_s = " << capture_screening_ << " (fitted to the capture rate of "
                    << samples.size() << " set runs; sum of squares of ln k_eff "
                    << screening_json["sse_ln_k"].get<double>() << ", plain Frumkin "
                    << screening_json["sse_ln_k_frumkin_limit"].get<double>() << ")" << std::endl;
      }

    // ---- 1. constant-voltage runs: the four hopping rates at each training voltage ----
    CompactModelParameters P;
    P.capture_screening = capture_screening_;
    P.film_screening    = film_screening_;
    P.rate_voltages    = rate_voltages_;
    P.film_cells       = film_cells_ + hidden_cells_;
    P.hidden_cells     = hidden_cells_;
    // a PDE state (w, observed slabs) as a compact state: the hidden cells hold h
    auto extend = [&](CompactState s, double h = 0.0) {
      s.v.insert(s.v.begin(), hidden_cells_, h);
      return s;
    };
    P.current_voltages = current_voltages_;
    P.read_voltage     = device_.experiment.read_voltage;
    std::vector<std::pair<double, Vector<double>>> relaxation_states; // (w, state) of the LRS relaxing at 0 V
    std::ostringstream traj_csv;
    traj_csv << "voltage_V,start,time_s,w,v";
    for (unsigned i = 1; i <= film_cells_; ++i)
      traj_csv << ",v_" << i; // the film slabs from the Pt side
    traj_csv << '\n' << std::setprecision(8);
    // the LRS relaxing at 0 V (run above): the source of the current table's states
    for (std::size_t k = 1; k < lrs_at_0.tr.size(); ++k)
      relaxation_states.emplace_back(lrs_at_0.tr[k].s.w, lrs_at_0.u[k]);

    // ---- the current table from frozen states of the LRS relaxing at 0 V (and of a pulse train) ----
    std::vector<double> node_phi; // phi = w_d / w of the table's states
    {
      relaxation_states.emplace_back(s_pristine.w, pristine);
      relaxation_states.emplace_back(s_lrs.w, lrs);
      std::sort(relaxation_states.begin(), relaxation_states.end(),
                [](const auto &a, const auto &b) { return a.first < b.first; });
      TransientSimulation sim(quiet_run(device_, points({{0, 0}, {1, 0}})), true);
      // "Table train (V)": the states a pulse train leaves (read at the end of each period,
      // the film drained) are the table's nodes from the first pulse's w up; below it the
      // LRS relaxing at 0 V gives the nodes. Pulse-set states hold the trapped vacancies
      // nearer the film than a long write does and read more conductive at the same w
      // (up to 1.4x at w ~ 1).
      std::vector<std::pair<double, Vector<double>>> train_states;
      if (table_train_voltage_ != 0.0)
        {
          const double        W = table_train_.width, T = table_train_.period, A = table_train_voltage_;
          TransientSimulation train(quiet_run(device_, pulse_train(A, W, T, table_train_.pulses, relaxation_bias_)), true);
          train.restart_from(pristine);
          for (unsigned n = 0; n < table_train_.pulses; ++n)
            {
              train.integrate_waveform(false, (n + 1) * T);
              const double w = probe(train.system(), train.state()).w;
              if (train_states.empty() || w > train_states.back().first + 1e-5)
                train_states.emplace_back(w, train.state());
            }
          runs.push_back({{"run", "table train"}, {"voltage_V", A}, {"pulses", table_train_.pulses}, {"width_s", W},
                          {"period_s", T}, {"states", train_states.size()},
                          {"w_first", train_states.empty() ? 0.0 : train_states.front().first},
                          {"w_last", train_states.empty() ? 0.0 : train_states.back().first}});
        }
      const double w_first_train = train_states.empty() ? 2.0 : train_states.front().first;
      std::vector<std::pair<double, const Vector<double> *>> picks;
      for (double sn : w_nodes_)
        {
          const Vector<double> *best = nullptr;
          double                wb   = 0;
          for (const auto &[w, u] : relaxation_states)
            if (w < w_first_train && (!best || std::abs(w - sn) < std::abs(wb - sn)))
              best = &u, wb = w;
          if (best && (train_states.empty() || sn < w_first_train))
            picks.push_back({wb, best});
        }
      for (const auto &[w, u] : train_states)
        picks.push_back({w, &u});
      std::vector<std::vector<double>> by_state; // [s][V]
      std::vector<double>              s_used, phi_used;
      for (const auto &[w, u] : picks)
        {
          s_used.push_back(w);
          phi_used.push_back(phi_of(probe(sim.system(), *u)));
          std::vector<double> I;
          for (double V : current_voltages_)
            I.push_back(V == 0.0 ? 0.0 : V / sim.read(*u, V).resistance);
          by_state.push_back(I);
        }
      // the table's s nodes are the w of the states actually read (strictly increasing)
      std::vector<double>              nodes;
      std::vector<std::vector<double>> cols;
      node_phi.clear();
      for (std::size_t k = 0; k < s_used.size(); ++k)
        if (nodes.empty() || s_used[k] > nodes.back() * (1 + 1e-9) + 1e-15)
          nodes.push_back(s_used[k]), cols.push_back(by_state[k]), node_phi.push_back(phi_used[k]);
      P.s_nodes = nodes;
      P.current.assign(current_voltages_.size(), std::vector<double>(nodes.size()));
      for (std::size_t i = 0; i < current_voltages_.size(); ++i)
        for (std::size_t k = 0; k < nodes.size(); ++k)
          P.current[i][k] = cols[k][i];
      runs.push_back({{"run", "static reads"}, {"states", nodes.size()}, {"voltages", current_voltages_.size()}});
      if (!quiet)
        std::cout << "  current table: " << nodes.size() << " states (w " << nodes.front() << " .. " << nodes.back()
                  << ") x " << current_voltages_.size() << " voltages" << std::endl;
    }

    // the read conductance of a state with an empty film (the table at the read bias), so
    // that the trajectory fits can weigh w by what the read sees ("Read-weighted fit")
    CompactModelParameters table_only = P;
    table_only.rate_voltages          = {0.0};
    table_only.film_cells             = 1;
    table_only.hidden_cells           = 0;
    table_only.rates                  = {std::vector<double>(4, 0.0)};
    const CompactModel read_table(table_only);
    auto               ln_read = [&](double w) {
      CompactState st;
      st.w = w;
      st.v = {0.0};
      return std::log(read_table.conductance(st));
    };
    json rate_fits = json::array();
    std::vector<double> previous_fit; // ln(rates + floor), g+, g- of the previous training voltage
    std::vector<std::pair<CompactState, double>> film_states; // (state, read conductance) during set runs
    std::vector<Vector<double>>                  film_vectors; // their PDE states (for the table's extension)
    // the start states of the constant-voltage runs at V
    auto starts_at = [&](double V) {
      std::vector<std::pair<std::string, const Vector<double> *>> starts{{"pristine", &pristine}, {"LRS", &lrs}};
      // away from 0 V (after the 0 V run has given the LRS relaxing): also from the
      // relaxed state with w nearest "Intermediate start w", so that the capture and
      // release at intermediate w are trained (the runs from the pristine state reach
      // only w ~ 0.3 within the fit horizon)
      if (V > 0.0 && intermediate_w_ > 0 && !relaxation_states.empty())
        {
          const auto it = std::min_element(relaxation_states.begin(), relaxation_states.end(), [&](const auto &a, const auto &b) {
            return std::abs(a.first - intermediate_w_) < std::abs(b.first - intermediate_w_);
          });
          starts.push_back({"intermediate", &it->second});
        }
      return starts;
    };
    // every other constant-voltage run, side by side before the fits (which use them in order)
    std::map<std::pair<double, std::string>, ConstantRun> other_runs;
    {
      struct Task
      {
        double                V;
        std::string           name;
        const Vector<double> *s0;
      };
      std::vector<Task> tasks;
      for (double V : rate_voltages_)
        for (const auto &[name, s0] : starts_at(V))
          if (!(V >= 1.0 && name == "pristine") && !(V == 0.0 && name == "LRS") &&
              other_runs.emplace(std::make_pair(V, name), ConstantRun{}).second)
            tasks.push_back({V, name, s0});
      std::vector<ConstantRun> done(tasks.size());
      for_each_index(tasks.size(), worker_count(threads_, tasks.size()), [&](std::size_t i, unsigned int) {
        done[i] = constant_voltage_run(tasks[i].V, *tasks[i].s0, run_duration_, tasks[i].name);
      });
      for (std::size_t i = 0; i < tasks.size(); ++i)
        other_runs[{tasks[i].V, tasks[i].name}] = std::move(done[i]);
    }
    for (double V : rate_voltages_)
      {
        // samples of each training run: (time, state) -> rows of the chain equations
        struct Row
        {
          std::vector<double> x, dx; ///< p, v_1 .. v_N, w and their time derivatives
          int                 run;   ///< 0: from the pristine state, 1: from the LRS, 2: the spike, 3: the set spike,
                                     ///< 4: from an intermediate w, 5: a pulse of a training train
        };
        std::vector<Row>                          rows;
        std::vector<std::vector<TrajectoryPoint>> training; // for the trajectory fit below
        std::vector<int>                          training_run;
        auto add_rows = [&](const std::vector<TrajectoryPoint> &full, int run) {
          // away from 0 V only the protocols' time scale is fitted (see "Fit horizon (s)")
          std::vector<TrajectoryPoint> tr;
          for (const auto &q : full)
            if (V == 0.0 || V == relaxation_bias_ || q.t <= fit_horizon_ || tr.size() < 3 ||
                (run == 0 && q.s.w <= horizon_coverage_)) // see "Fit horizon coverage"
              tr.push_back(q);
          training.push_back(tr);
          training_run.push_back(run);
          auto xs = [](const CompactState &s) {
            std::vector<double> x{std::max(0.0, 1 - s.volatile_share() - s.w)};
            x.insert(x.end(), s.v.begin(), s.v.end());
            x.push_back(s.w);
            return x;
          };
          for (std::size_t k = 1; k + 1 < tr.size(); ++k)
            {
              const double dt = tr[k + 1].t - tr[k - 1].t;
              const auto   a = xs(tr[k - 1].s), b = xs(tr[k].s), c = xs(tr[k + 1].s);
              Row          r{b, std::vector<double>(b.size()), run};
              for (std::size_t i = 0; i < b.size(); ++i)
                r.dx[i] = (c[i] - a[i]) / dt;
              rows.push_back(r);
            }
        };
        const auto starts_of_v = starts_at(V);
        // one row of training_trajectories.csv per sample
        auto write_trajectory = [&](const std::vector<TrajectoryPoint> &tr, const std::string &name) {
          for (const auto &p : tr)
            {
              traj_csv << V << ',' << name << ',' << p.t << ',' << p.s.w << ',' << p.s.volatile_share();
              for (double x : p.s.v)
                traj_csv << ',' << x;
              traj_csv << '\n';
            }
        };
        for (const auto &[name, s0] : starts_of_v)
          {
            // the LRS relaxing at 0 V is followed to long times (retention scale)
            const double      T = (V == 0.0 && name == "LRS") ? std::max(run_duration_, 1e4) : run_duration_;
            const ConstantRun &run = (V >= 1.0 && name == "pristine") ? set_run(V)
                                     : (V == 0.0 && name == "LRS")    ? lrs_at_0
                                                                       : other_runs.at({V, name});
            const auto        &tr  = run.tr;
            for (std::size_t k = 1; k < tr.size(); ++k)
              {
                // states with a large film population (the set pulses' time scale)
                // train the per-slab weights of the read conductance
                if (V >= 1.0 && name == "pristine" && tr[k].t <= fit_horizon_)
                  {
                    film_states.push_back(
                      {tr[k].s, 1.0 / reader.read(run.u[k], device_.experiment.read_voltage).resistance});
                    film_vectors.push_back(run.u[k]);
                  }
              }
            add_rows(tr, name == "LRS" ? 1 : (name == "intermediate" ? 4 : 0));
            write_trajectory(tr, name);
            runs.push_back({{"run", "constant voltage"}, {"voltage_V", V}, {"start", name}, {"duration_s", T},
                            {"samples", tr.size()}, {"w_final", tr.back().s.w}, {"v_final", tr.back().s.volatile_share()}});
          }
        if (const auto it = train_pulses.find(V); it != train_pulses.end())
          for (std::size_t n = 0; n < it->second.size(); ++n)
            {
              add_rows(it->second[n], 5);
              write_trajectory(it->second[n], "train pulse " + std::to_string(n + 1));
            }
        if (V == relaxation_bias_) // the relaxations between and after the pulses
          {
            for (std::size_t n = 0; n < set_spikes.size(); ++n)
              write_trajectory(set_spikes[n], "relaxation after pulse " + std::to_string(n + 1));
            std::vector<TrajectoryPoint> tr;
            for (std::size_t k = 0; k < spike_t.size(); ++k)
              tr.push_back({spike_t[k], spike_s[k]});
            add_rows(tr, 2);
            for (const auto &relax : set_spikes)
              add_rows(relax, 3);
          }
        // non-negative least squares link by link from the interface back to the Pt layer:
        //   flux_N = dw/dt = k_N+ v_N - k_N- w (the couplings g+- are zero here),  flux_{i-1} = dv_i/dt + flux_i = k+ x_{i-1} - k- x_i;
        // each run weighted by its largest flux; runs whose flux is negligible (< 1e-6 of the
        // largest) carry no information on that link and are left out
        auto nnls2 = [](const std::vector<std::array<double, 3>> &A) {
          // rows (a1, a2, y), weighted; minimise sum (a1 x1 + a2 x2 - y)^2 over x >= 0
          double s11 = 0, s12 = 0, s22 = 0, s1y = 0, s2y = 0, syy = 0;
          for (const auto &r : A)
            s11 += r[0] * r[0], s12 += r[0] * r[1], s22 += r[1] * r[1], s1y += r[0] * r[2], s2y += r[1] * r[2],
              syy += r[2] * r[2];
          auto cost = [&](double x1, double x2) {
            return syy - 2 * (x1 * s1y + x2 * s2y) + x1 * x1 * s11 + 2 * x1 * x2 * s12 + x2 * x2 * s22;
          };
          std::array<double, 2> best{{0, 0}};
          double                c_best = cost(0, 0);
          const double          det    = s11 * s22 - s12 * s12;
          if (det > 1e-14 * s11 * s22)
            {
              const double x1 = (s1y * s22 - s2y * s12) / det, x2 = (s2y * s11 - s1y * s12) / det;
              if (x1 >= 0 && x2 >= 0 && cost(x1, x2) < c_best)
                best = {{x1, x2}}, c_best = cost(x1, x2);
            }
          if (s11 > 0 && s1y > 0 && cost(s1y / s11, 0) < c_best)
            best = {{s1y / s11, 0}}, c_best = cost(s1y / s11, 0);
          if (s22 > 0 && s2y > 0 && cost(0, s2y / s22) < c_best)
            best = {{0, s2y / s22}}, c_best = cost(0, s2y / s22);
          return std::make_pair(best, syy > 0 ? std::sqrt(std::max(c_best, 0.0) / syy) : 0.0);
        };
        const unsigned      N = film_cells_;
        std::vector<double> k(2 * (N + 1), 0.0), residual(N + 1, 0.0);
        std::vector<double> flux(rows.size());
        for (std::size_t r = 0; r < rows.size(); ++r)
          flux[r] = rows[r].dx[N + 1]; // dw/dt
        for (int link = int(N); link >= 0; --link)
          {
            double fmax[6] = {0, 0, 0, 0, 0, 0}, fall = 0;
            for (std::size_t r = 0; r < rows.size(); ++r)
              fmax[rows[r].run] = std::max(fmax[rows[r].run], std::abs(flux[r])), fall = std::max(fall, std::abs(flux[r]));
            std::vector<std::array<double, 3>> A;
            for (std::size_t r = 0; r < rows.size(); ++r)
              {
                const auto &x = rows[r].x;
                if (fmax[rows[r].run] < 1e-6 * fall)
                  continue;
                const double g = 1.0 / fmax[rows[r].run];
                const double a = x[link];
                A.push_back({{a * g, -x[link + 1] * g, flux[r] * g}});
              }
            const auto [kl, res] = nnls2(A);
            k[2 * link] = kl[0], k[2 * link + 1] = kl[1], residual[link] = res;
            // the fitted flux of this link, plus the change of the compartment before it, is the previous link's flux
            if (link > 0)
              for (std::size_t r = 0; r < rows.size(); ++r)
                {
                  const auto  &x = rows[r].x;
                  const double f = kl[0] * x[link] - kl[1] * x[link + 1];
                  flux[r]        = rows[r].dx[link] + f;
                }
          }
        // the interface couplings: a start from the LRS run at this voltage, where the
        // release dominates dw/dt: ln(-dw/dt / w) = ln k_N- + g- w (least squares over
        // the samples with w > 0.02 and dw/dt < 0); g+ starts equal to g- (a symmetric
        // Frumkin interaction)
        double g_release = 0;
        {
          double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
          for (const auto &r : rows)
            if (r.run == 1 && r.x[N + 1] > 0.02 && r.dx[N + 1] < 0)
              {
                const double x = r.x[N + 1], y = std::log(-r.dx[N + 1] / x);
                n += 1, sx += x, sy += y, sxx += x * x, sxy += x * y;
              }
          if (n >= 3 && n * sxx - sx * sx > 0)
            g_release = std::clamp((n * sxy - sx * sy) / (n * sxx - sx * sx), 0.0, max_coupling);
        }
        double g_capture = g_release, g_film = 0.0, g_pt = 0.0, g_self = 0.0;
        // the model's chain: the hidden cells (if any) between the Pt-side layer and the
        // first slab; their links start fast out of the Pt-side layer, and the link into
        // the first slab takes the observed link 0's rates (which see all of p)
        const unsigned NM = N + hidden_cells_;
        if (hidden_cells_ > 0)
          {
            std::vector<double> kf;
            for (unsigned h = 0; h < hidden_cells_; ++h)
              kf.insert(kf.end(), {1e9, 1e7});
            kf.insert(kf.end(), k.begin(), k.end());
            k = kf;
          }
        // the hidden cells' content at the start of the runs after a pulse (the 0 V spike
        // relaxations) is not in the PDE profile: fitted with the rates
        std::vector<std::size_t> h0_index(training.size(), std::size_t(-1));
        std::size_t              n_h0 = 0;
        if (hidden_cells_ > 0)
          for (std::size_t t = 0; t < training.size(); ++t)
            if (training_run[t] == 2 || training_run[t] == 3)
              h0_index[t] = n_h0++;
        // refinement: Levenberg-Marquardt on ln(k) and g+- against the whole trajectories
        // (the chain integrated from each run's first sample), starting from the
        // link-by-link NNLS rates
        double cost_nnls = 0, cost_fit = 0;
        json   cost_breakdown = json::object();
        json   depth_fit_json = nullptr;
        {
          const double floor_k = 1e-3;
          const std::size_t nk = k.size();
          // g+, g- (and g_f, g_0, g_p)
          const std::size_t ng = (film_coupling_ ? (pt_link_coupling_ ? 4 : 3) : 2) + (pt_self_coupling_ ? 1 : 0);
          auto model_for = [&](const std::vector<double> &x) {
            CompactModelParameters Q;
            Q.rate_voltages    = {V};
            Q.film_cells       = NM;
            Q.hidden_cells     = hidden_cells_;
            Q.rates            = {std::vector<double>(nk)};
            for (std::size_t m = 0; m < nk; ++m)
              Q.rates[0][m] = std::max(0.0, std::exp(x[m]) - floor_k);
            Q.capture_coupling = {x[nk]};
            Q.release_coupling = {x[nk + 1]};
            if (film_coupling_)
              Q.film_coupling = {x[nk + 2]};
            if (pt_link_coupling_)
              Q.pt_link_coupling = {x[nk + 3]};
            if (pt_self_coupling_)
              Q.pt_self_coupling = {x[nk + ng - 1]};
            Q.capture_screening = capture_screening_;
            Q.film_screening    = film_screening_;
            Q.current_voltages = {-1, 1};
            Q.s_nodes          = {0, 1};
            Q.current          = {{-1, -1}, {1, 1}};
            return CompactModel(Q);
          };
          // model m integrated over training run ti from its first sample at V (the hidden
          // cells start at the fitted h0 of x), sampled at the run's other samples
          auto replay = [&](const CompactModel &m, std::size_t ti, const std::vector<double> &x) {
            const auto         &tr = training[ti];
            std::vector<double> times;
            for (std::size_t q = 1; q < tr.size(); ++q)
              times.push_back(tr[q].t);
            unsigned     steps = 0;
            const double h0    = h0_index[ti] == std::size_t(-1) ? 0.0 : x[nk + ng + h0_index[ti]];
            auto out = m.integrate(points({{tr.front().t, V}, {tr.back().t, V}}), extend(tr.front().s, h0), times, 1e-5,
                                   &steps, 20000);
            if (std::getenv("OTJ_DEBUG_FIT"))
              std::cerr << "fit V " << V << ": " << steps << " steps\n";
            return out;
          };
          // the trajectory residuals of parameters lk; with `by_run`, also their sums of squares
          // per run kind (0 .. 5, see training_run) and residual kind (w, read, film slabs)
          // visit(ti, out) for each training run of at least 3 samples, model m replayed over it
          // (parameters x give the hidden cells' starts); false if a replay stopped early
          auto replay_all = [&](const CompactModel &m, const std::vector<double> &x, const auto &visit) {
            for (std::size_t ti = 0; ti < training.size(); ++ti)
              {
                if (training[ti].size() < 3)
                  continue;
                const auto out = replay(m, ti, x);
                if (out.size() + 1 != training[ti].size())
                  return false;
                visit(ti, out);
              }
            return true;
          };
          auto residuals_of = [&](const std::vector<double> &lk, std::vector<std::array<double, 3>> *by_run)
            -> std::optional<std::vector<double>> {
            const CompactModel  m = model_for(lk);
            std::vector<double> r;
            const bool complete = replay_all(m, lk, [&](std::size_t ti, const std::vector<CompactSample> &out) {
                const auto  &tr     = training[ti];
                const double weight = training_run[ti] == 5 ? train_weight_ : 1.0;
                auto         tally  = [&](unsigned kind, double x) {
                  if (by_run)
                    (*by_run)[std::min<unsigned>(training_run[ti], 5)][kind] += x * x;
                  r.push_back(x);
                };
                for (std::size_t q = 0; q < out.size(); ++q)
                  {
                    const auto &ref = tr[q + 1].s;
                    tally(0, weight * (out[q].state.w - ref.w) / (0.01 + 0.05 * ref.w));
                    if (read_weight_ > 0 && V != 0.0 && V != relaxation_bias_) // (retention and drain: fitted in w)
                      tally(1, (ln_read(out[q].state.w) - ln_read(ref.w)) / read_weight_);
                    for (std::size_t c = 0; c < N; ++c)
                      tally(2, slab_weight_ * (out[q].state.v[c + hidden_cells_] - ref.v[c]) / (0.01 + 0.05 * ref.v[c]));
                    // the hidden cells hold what the observed trajectories demand, no more
                    for (unsigned c = 0; c < hidden_cells_; ++c)
                      r.push_back(hidden_penalty_ * out[q].state.v[c]);
                  }
              });
            if (!complete)
              return std::nullopt;
            // the prior: ln k and g+- of the previously fitted voltage
            append_rate_smoothing_residuals(r, lk, previous_fit, nk + ng, rate_smoothing_);
            return r;
          };
          auto residuals = [&](const std::vector<double> &lk, const char *) { return residuals_of(lk, nullptr); };
          std::vector<double> x0(nk + ng + n_h0, 0.05); // the hidden cells' starts: 5 %
          for (std::size_t m = 0; m < nk; ++m)
            x0[m] = std::log(std::min(k[m], max_rate) + floor_k);
          x0[nk] = g_capture, x0[nk + 1] = g_release;
          if (film_coupling_)
            x0[nk + 2] = 0.0;
          // the capture law of the pre-fit (from the whole set run, not only the fit
          // horizon: at the lower set voltages the front reaches the interface after it)
          const auto law            = capture_law.find(V);
          const bool capture_pinned = capture_from_prefit_ && law != capture_law.end();
          if (capture_pinned)
            x0[2 * NM] = std::min(law->second.first, std::log(max_rate)), x0[nk] = law->second.second;
          // "Set capture coupling": g+ held at one value at every training voltage >= 1 V
          const bool capture_coupling_fixed = set_capture_coupling_ >= 0 && V >= 1.0;
          if (capture_coupling_fixed)
            x0[nk] = set_capture_coupling_;
          // "Set film coupling": g_f held at one value at every training voltage >= 1 V
          const bool film_coupling_fixed = film_coupling_ && set_film_coupling_ >= 0 && V >= 1.0;
          if (film_coupling_fixed)
            x0[nk + 2] = set_film_coupling_;
          auto sq = [](const std::vector<double> &r) {
            double c = 0;
            for (double x : r)
              c += x * x;
            return c;
          };
          const auto r0 = residuals(x0, "start");
          cost_nnls     = r0 ? sq(*r0) : std::nan("");
          cost_fit      = std::isfinite(cost_nnls) ? cost_nnls : std::numeric_limits<double>::infinity();
          std::vector<double> best = x0;
          LevenbergMarquardtOptions o;
          o.max_iterations  = fit_iterations_;
          o.jacobian_step   = 3e-2;
          o.initial_damping = 1e-1;
          o.max_attempts    = 6;
          o.threads         = threads_; // the Jacobian columns side by side (the replays are pure)
          // two starts: the link-by-link NNLS rates and the previous training
          // voltage's fit (a continuation in V); the lower cost wins
          std::vector<std::vector<double>> starts{x0};
          if (!previous_fit.empty())
            {
              // the previous voltage's rates and couplings (its hidden starts, if any, dropped)
              std::vector<double> st(previous_fit.begin(), previous_fit.begin() + std::min(previous_fit.size(), nk + ng));
              st.resize(nk + ng + n_h0, 0.05);
              if (capture_pinned)
                st[2 * NM] = x0[2 * NM], st[nk] = x0[nk];
              starts.push_back(st);
            }
          // a third start whose capture rate k_N+ reproduces the capture the runs show
          // where the last slab is populated and w grows (median of
          // ln(dw/dt / v_N) + g+ w over those samples; the other entries of the NNLS
          // start): the NNLS start ignores the coupling and can leave k_N+ at the floor,
          // where the fit's gradient in ln k vanishes
          if (!capture_pinned)
            {
              std::vector<double> ln_k;
              for (const auto &r : rows)
                if (r.x[N] > 1e-3 && r.dx[N + 1] > 0)
                  ln_k.push_back(std::log(r.dx[N + 1] / r.x[N]) + x0[nk] * r.x[N + 1]);
              if (!ln_k.empty())
                {
                  std::nth_element(ln_k.begin(), ln_k.begin() + ln_k.size() / 2, ln_k.end());
                  std::vector<double> st = x0;
                  st[2 * NM]             = std::min(ln_k[ln_k.size() / 2], std::log(max_rate));
                  starts.push_back(st);
                }
            }
          // with the Pt layer's self-interaction: also a start with g_p = 5 and k_0+ lowered by
          // e^{-5} (the same release from the full layer; g_p = 0 is a flat start for it)
          if (pt_self_coupling_)
            {
              std::vector<double> st = x0;
              st[nk + ng - 1]        = 5.0;
              st[0]                  = std::max(std::log(floor_k), st[0] - 5.0);
              starts.push_back(st);
            }
          if (capture_coupling_fixed)
            for (auto &st : starts)
              st[nk] = set_capture_coupling_;
          if (film_coupling_fixed)
            for (auto &st : starts)
              st[nk + 2] = set_film_coupling_;
          // "Uniform film links": the links between film slabs share one pair of rates
          // (a uniform drift chain, the finite-volume discretisation of drift in a uniform
          // field): the fit runs on the reduced vector without the tied entries
          const std::size_t tie_first = hidden_cells_ + 1; // the first link between two film slabs
          std::vector<bool> tied(best.size(), false);
          if (uniform_film_links_)
            for (std::size_t l = tie_first + 1; l + (free_last_film_link_ ? 2 : 1) <= NM; ++l)
              tied[2 * l] = tied[2 * l + 1] = true;
          auto expand = [&](const std::vector<double> &xr) {
            std::vector<double> x(tied.size());
            std::size_t         q = 0;
            for (std::size_t m = 0; m < x.size(); ++m)
              if (!tied[m])
                x[m] = xr[q++];
            for (std::size_t m = 0; m < x.size(); ++m)
              if (tied[m])
                x[m] = x[m % 2 == 0 ? 2 * tie_first : 2 * tie_first + 1];
            return x;
          };
          auto reduce = [&](const std::vector<double> &x) {
            std::vector<double> xr;
            for (std::size_t m = 0; m < x.size(); ++m)
              if (!tied[m])
                xr.push_back(x[m]);
            return xr;
          };
          for (const auto &start : starts)
            try
              {
                const auto lm = levenberg_marquardt(
                  [&](const std::vector<double> &xr, const char *what) { return residuals(expand(xr), what); },
                  reduce(start), o, [](const std::vector<double> &) { return false; },
                  [&](std::vector<double> xr) {
                    std::vector<double> x = expand(xr);
                    for (std::size_t m = 0; m < nk; ++m)
                      x[m] = std::clamp(x[m], std::log(floor_k), std::log(max_rate));
                    for (std::size_t m = nk; m < nk + ng; ++m)
                      x[m] = std::clamp(x[m], 0.0, max_coupling);
                    for (std::size_t m = nk + ng; m < x.size(); ++m)
                      x[m] = std::clamp(x[m], 0.0, 1.0);
                    if (capture_pinned) // held at the pre-fit's k_N+ and g+
                      x[2 * NM] = x0[2 * NM], x[nk] = x0[nk];
                    if (capture_coupling_fixed)
                      x[nk] = set_capture_coupling_;
                    if (film_coupling_fixed)
                      x[nk + 2] = set_film_coupling_;
                    return reduce(x);
                  });
                if (std::getenv("OTJ_DEBUG_FIT"))
                  std::cerr << "fit V " << V << " start done: " << lm.iterations << " iterations, " << lm.evaluations
                            << " evaluations, cost " << sq(lm.residuals) << " " << lm.stopped_by << "\n";
                if (sq(lm.residuals) < cost_fit)
                  cost_fit = sq(lm.residuals), best = expand(lm.x);
              }
            catch (const std::exception &e)
              {
                if (std::getenv("OTJ_DEBUG_FIT"))
                  std::cerr << "fit V " << V << " failed: " << e.what() << "\n";
              }
          if (!std::isfinite(cost_fit))
            cost_fit = cost_nnls;
          for (std::size_t m = 0; m < nk; ++m)
            k[m] = std::max(0.0, std::exp(best[m]) - floor_k);
          g_capture = best[nk], g_release = best[nk + 1];
          g_film    = film_coupling_ ? best[nk + 2] : 0.0;
          g_pt      = pt_link_coupling_ ? best[nk + 3] : g_film;
          g_self    = pt_self_coupling_ ? best[nk + ng - 1] : 0.0;
          previous_fit = best;
          // the fitted model's trajectory cost by run kind and residual kind (what it cannot follow)
          if (std::isfinite(cost_fit))
            {
              static const char *kinds[] = {"pristine", "LRS", "spike relaxation", "set relaxations",
                                            "intermediate", "train pulses"};
              std::vector<std::array<double, 3>> by_run(6, {{0.0, 0.0, 0.0}});
              std::vector<bool>                  present(6, false);
              for (std::size_t ti = 0; ti < training.size(); ++ti)
                if (training[ti].size() >= 3)
                  present[std::min<unsigned>(training_run[ti], 5)] = true;
              if (residuals_of(best, &by_run))
                for (unsigned kind = 0; kind < 6; ++kind)
                  if (present[kind])
                    cost_breakdown[kinds[kind]] = {{"w", by_run[kind][0]}, {"read", by_run[kind][1]},
                                                   {"film_slabs", by_run[kind][2]}};
            }
          if (std::getenv("OTJ_DEBUG_TRAJ")) // each training trajectory, PDE against the fitted chain, on stderr
            {
              const CompactModel m = model_for(best);
              for (std::size_t ti = 0; ti < training.size(); ++ti)
                {
                  const auto &tr = training[ti];
                  if (tr.size() < 3)
                    continue;
                  const auto out = replay(m, ti, best);
                  for (std::size_t q = 0; q < out.size(); ++q)
                    std::cerr << "TRAJ " << V << ' ' << training_run[ti] << ' ' << ti << ' ' << out[q].t << ' '
                              << tr[q + 1].s.w << ' ' << out[q].state.w << ' ' << tr[q + 1].s.volatile_share() << ' '
                              << out[q].state.volatile_share() << ' ' << tr[q + 1].s.v.back() << ' '
                              << out[q].state.v.back() << '\n';
                }
            }
          // the depth exchange (w_d within the interface layer): k_d+, k_d- and g_d on the
          // same trajectories with the chain's fit held (w_d does not act back on the
          // chain), multi-start Levenberg-Marquardt on ln k_d+-, g_d against w_d
          if (depth_split_ > 0)
            {
              const CompactModelParameters base = model_for(best).parameters();
              auto depth_residuals = [&](const std::vector<double> &y, const char *) -> std::optional<std::vector<double>> {
                CompactModelParameters Q = base;
                Q.depth_rates            = {{std::exp(y[0]), std::exp(y[1])}};
                Q.depth_coupling         = {y[2]};
                const CompactModel  m(Q);
                std::vector<double> r;
                if (!replay_all(m, best, [&](std::size_t ti, const std::vector<CompactSample> &out) {
                      const auto &tr = training[ti];
                      for (std::size_t q = 0; q < out.size(); ++q)
                        r.push_back((out[q].state.w_deep - tr[q + 1].s.w_deep) / (0.01 + 0.05 * tr[q + 1].s.w_deep));
                    }))
                  return std::nullopt;
                return r;
              };
              LevenbergMarquardtOptions od;
              od.max_iterations  = fit_iterations_;
              od.jacobian_step   = 3e-2;
              od.initial_damping = 1e-1;
              od.max_attempts    = 6;
              od.threads         = threads_;
              double              depth_cost = std::numeric_limits<double>::infinity();
              std::vector<double> depth_best{std::log(1e8), std::log(1e6), 0.0};
              for (const std::vector<double> &st : std::vector<std::vector<double>>{
                     {std::log(1e8), std::log(1e6), 0.0}, {std::log(1e9), std::log(1e5), 5.0}, {std::log(1e6), std::log(1e2), 10.0}})
                try
                  {
                    const auto lm = levenberg_marquardt(
                      depth_residuals, st, od, [](const std::vector<double> &) { return false; },
                      [&](std::vector<double> x) {
                        x[0] = std::clamp(x[0], std::log(1e-3), std::log(max_rate));
                        x[1] = std::clamp(x[1], std::log(1e-3), std::log(max_rate));
                        x[2] = std::clamp(x[2], 0.0, max_coupling);
                        return x;
                      });
                    if (sq(lm.residuals) < depth_cost)
                      depth_cost = sq(lm.residuals), depth_best = lm.x;
                  }
                catch (const std::exception &e)
                  {
                    if (std::getenv("OTJ_DEBUG_FIT"))
                      std::cerr << "depth fit V " << V << " failed: " << e.what() << "\n";
                  }
              P.depth_rates.push_back({std::exp(depth_best[0]), std::exp(depth_best[1])});
              P.depth_coupling.push_back(depth_best[2]);
              depth_fit_json = {{"k_d_plus_per_s", P.depth_rates.back()[0]}, {"k_d_minus_per_s", P.depth_rates.back()[1]},
                                {"g_d", depth_best[2]}, {"cost", depth_cost}};
            }
        }
        P.capture_coupling.push_back(g_capture);
        P.release_coupling.push_back(g_release);
        if (film_coupling_)
          P.film_coupling.push_back(g_film);
        if (pt_link_coupling_)
          P.pt_link_coupling.push_back(g_pt);
        if (pt_self_coupling_)
          P.pt_self_coupling.push_back(g_self);
        P.rates.push_back(k);
        rate_fits.push_back({{"voltage_V", V}, {"rates_per_s", k}, {"capture_coupling", g_capture},
                             {"release_coupling", g_release}, {"film_coupling", g_film}, {"pt_link_coupling", g_pt}, {"pt_self_coupling", g_self},
                             {"nnls_relative_residuals", residual},
                             {"trajectory_cost_nnls", cost_nnls}, {"trajectory_cost_fit", cost_fit},
                             {"trajectory_cost_by_run", cost_breakdown}, {"rows", rows.size()},
                             {"depth_exchange", depth_fit_json}});
        if (!quiet)
          {
            std::cout << "  V = " << std::setw(5) << V << " V: rates (1/s) " << std::setprecision(3);
            for (unsigned l = 0; l <= NM; ++l)
              std::cout << (l ? "  " : "") << k[2 * l] << "/" << k[2 * l + 1];
            std::cout << "  g+- " << g_capture << "/" << g_release;
            if (film_coupling_)
              std::cout << "  g_f " << g_film;
            if (pt_link_coupling_)
              std::cout << "  g_0 " << g_pt;
            if (pt_self_coupling_)
              std::cout << "  g_p " << g_self;
            if (depth_split_ > 0)
              std::cout << "  depth k_d+- " << P.depth_rates.back()[0] << "/" << P.depth_rates.back()[1] << " g_d "
                        << P.depth_coupling.back() << " (cost " << depth_fit_json["cost"].get<double>() << ")";
            if (std::isfinite(cost_nnls))
              std::cout << "; trajectory cost " << cost_nnls << " -> " << cost_fit;
            else
              std::cout << "; trajectory cost not evaluated (the chain integration at the link-by-link "
                           "rates takes more than 20000 steps; those rates are kept)";
            std::cout << "  [" << seconds_since(start) << " s]" << std::endl;
          }
      }
    write_atomically(output_dir_ + "/training_trajectories.csv", [&](std::ostream &o) { o << traj_csv.str(); });

    // ---- 2. the spike: tau_v and kappa -------------------------------------------
    json spike_json;
    {
      const std::vector<double> &t = spike_t, &G = spike_G;
      std::vector<double>        v;
      for (const auto &x : spike_s)
        v.push_back(x.volatile_share());
      const auto fit = fit_exponential_decay(t, v, {1});
      P.tau_v        = fit.taus.front();
      // kappa: least squares of ln G along the relaxation (golden section on [0, 50])
      CompactModelParameters Q = P;
      auto golden = [](const auto &f) { return golden_minimum(f, 0.0, 50.0); };
      auto cost = [&](double kappa) {
        Q.kappa = kappa;
        const CompactModel m(Q);
        double             c = 0;
        for (std::size_t k = 0; k < t.size(); ++k)
          c += std::pow(std::log(m.conductance(extend(spike_s[k])) / G[k]), 2);
        return c;
      };
      P.kappa = golden(cost);
      // per-slab weights kappa_i: the same least squares over the spike relaxation
      // and the film states of the set runs (where the population sits near the
      // interface), by coordinate descent from the single kappa
      Q.kappa = P.kappa;
      Q.cell_kappa.assign(film_cells_ + hidden_cells_, P.kappa);
      std::fill(Q.cell_kappa.begin(), Q.cell_kappa.begin() + hidden_cells_, 0.0); // not read anyway
      // reads above the table's conductance range (states with both a large w and a
      // large film population, more conductive than the LRS) are clamped at the
      // table's end by any kappa and carry no information on it: left out
      std::vector<std::pair<CompactState, double>> film_in_range;
      {
        CompactState top;
        top.w = P.s_nodes.back();
        top.v.assign(film_cells_ + hidden_cells_, 0.0);
        const double g_top = CompactModel(Q).conductance(top);
        for (const auto &fs : film_states)
          if (fs.second <= g_top)
            film_in_range.push_back(fs);
      }
      auto cost_cells = [&]() {
        const CompactModel m(Q);
        double             c = 0;
        for (std::size_t k = 0; k < t.size(); ++k)
          c += std::pow(std::log(m.conductance(extend(spike_s[k])) / G[k]), 2);
        for (const auto &[st, g] : film_in_range)
          c += std::pow(std::log(m.conductance(extend(st)) / g), 2);
        return c;
      };
      const double cost_single = cost_cells();
      // coordinate descent; the slab weights are correlated, so many sweeps
      for (int sweep = 0; sweep < 40; ++sweep)
        for (unsigned i = hidden_cells_; i < film_cells_ + hidden_cells_; ++i)
          Q.cell_kappa[i] = golden([&](double x) {
            Q.cell_kappa[i] = x;
            return cost_cells();
          });
      const std::size_t n_reads = t.size() + film_in_range.size();
      if (cost_cells() < cost_single)
        P.cell_kappa = Q.cell_kappa;
      const double rms_cells = std::sqrt(std::min(cost_cells(), cost_single) / n_reads);
      spike_json = {{"amplitude_V", spike_amplitude_}, {"width_s", spike_width_}, {"tau_v_s", P.tau_v},
                    {"tau_v_fit_relative_rms", fit.relative_rms}, {"kappa", P.kappa},
                    {"kappa_rms_ln_G", std::sqrt(cost(P.kappa) / t.size())}, {"kappa_per_slab", P.cell_kappa},
                    {"kappa_per_slab_reads", n_reads}, {"kappa_per_slab_rms_ln_G", rms_cells},
                    {"kappa_per_slab_reads_above_the_table", film_states.size() - film_in_range.size()}};
      runs.push_back({{"run", "spike relaxation"}, {"amplitude_V", spike_amplitude_}, {"width_s", spike_width_}});
      if (!quiet)
        std::cout << "  spike " << spike_amplitude_ << " V / " << spike_width_ << " s: tau_v = " << P.tau_v
                  << " s, kappa = " << P.kappa << " (rms ln G " << spike_json["kappa_rms_ln_G"].get<double>() << ")"
                  << "; per slab from the Pt side " << json(P.cell_kappa).dump() << " (rms ln G " << rms_cells
                  << " over " << n_reads << " reads incl. the set runs; " << film_states.size() - film_in_range.size()
                  << " set-run reads above the table's range left out)" << std::endl;
    }

    // ---- the current table above the LRS -----------------------------------------
    // Frozen states of the set runs with a large w and a large film population at once
    // read more conductive than the LRS; the table (from the LRS relaxing at 0 V) would
    // clamp them at the LRS. Columns for some of them, at their read state s (with the
    // weights just fitted), extend it, so that the middle of strong pulses is read.
    {
      const CompactModel                      m(P);
      CompactState                            top;
      top.w = P.s_nodes.back();
      top.v.assign(film_cells_ + hidden_cells_, 0.0);
      const double                            g_top = m.conductance(top);
      std::vector<std::pair<double, double>> cand;
      for (const auto &[st, g] : film_states)
        cand.push_back({m.read_state(extend(st)), g});
      const auto pick = select_table_extension(P.s_nodes.back(), g_top, cand, 6);
      TransientSimulation sim(quiet_run(device_, points({{0, 0}, {1, 0}})), true);
      for (std::size_t j : pick)
        {
          P.s_nodes.push_back(cand[j].first);
          node_phi.push_back(phi_of(film_states[j].first));
          for (std::size_t i = 0; i < current_voltages_.size(); ++i)
            {
              const double V = current_voltages_[i];
              P.current[i].push_back(V == 0.0 ? 0.0 : V / sim.read(film_vectors[j], V).resistance);
            }
        }
      runs.push_back({{"run", "static reads above the LRS"}, {"states", pick.size()},
                      {"s_max", P.s_nodes.back()}});
      if (!quiet)
        std::cout << "  current table extended above the LRS by " << pick.size() << " set-run states (s up to "
                  << P.s_nodes.back() << ", read G up to " << (pick.empty() ? g_top : cand[pick.back()].second)
                  << " S; the LRS reads " << g_top << " S)" << std::endl;
    }

    // ---- the depth correction of the current table ---------------------------------
    // States at the same s read differently by where the trapped vacancies sit in the
    // interface layer (w_d / w): frozen states of the "Depth trains" give, per current
    // voltage, beta(s) in asinh(I / I0) = u_table(V, s) + beta(V, s) (phi - phi_table(s)).
    json depth_json = nullptr;
    if (depth_split_ > 0)
      {
        P.node_depth.clear();
        P.depth_slope.clear();
        const CompactModel table_model(P); // without the correction
        // samples per state: s, phi - phi_table(s), and asinh(I / I0) - u_table per current voltage
        std::vector<double>              s_k, dphi_k;
        std::vector<std::vector<double>> du_k;
        auto phi_table = [&](double st) {
          if (st <= P.s_nodes.front())
            return node_phi.front();
          if (st >= P.s_nodes.back())
            return node_phi.back();
          const std::size_t i = std::upper_bound(P.s_nodes.begin(), P.s_nodes.end(), st) - P.s_nodes.begin() - 1;
          const double      f = (st - P.s_nodes[i]) / (P.s_nodes[i + 1] - P.s_nodes[i]);
          return (1 - f) * node_phi[i] + f * node_phi[i + 1];
        };
        constexpr double I0 = CompactModel::current_scale; // the table's asinh scale (A)
        // the trains side by side (one simulation and one reader each), their samples joined in order
        struct DepthSample
        {
          double              s, dphi;
          std::vector<double> du;
        };
        std::vector<std::vector<DepthSample>> per_train(depth_trains_.size());
        for_each_index(depth_trains_.size(), worker_count(threads_, depth_trains_.size()), [&](std::size_t q, unsigned int) {
          const auto         &dt = depth_trains_[q];
          const auto         &sh = dt.shape;
          TransientSimulation reader(quiet_run(device_, points({{0, 0}, {1, 0}})), true);
          TransientSimulation train(quiet_run(device_, pulse_train(dt.voltage, sh.width, sh.period, sh.pulses, relaxation_bias_)), true);
          train.restart_from(pristine);
          // each period read at its end and, with "Depth train early reads", also a quarter
          // of the rest after the pulse (the surplus near the film has moved deeper by the end)
          std::vector<double> read_times;
          for (unsigned n = 0; n < sh.pulses; ++n)
            {
              if (depth_early_reads_)
                read_times.push_back(n * sh.period + 2e-9 + sh.width + 0.25 * (sh.period - sh.width - 2e-9));
              read_times.push_back((n + 1) * sh.period);
            }
          for (const double t_read : read_times)
            {
              train.integrate_waveform(false, t_read);
              const CompactState st = extend(probe(train.system(), train.state()));
              const double       sr = table_model.read_state(st);
              if (!(st.w > 1e-3))
                continue;
              DepthSample d{sr, phi_of(st) - phi_table(sr), {}};
              for (double V : current_voltages_)
                d.du.push_back(V == 0.0 ? 0.0
                                        : std::asinh(V / reader.read(train.state(), V).resistance / I0) -
                                            std::asinh(table_model.current(V, st) / I0));
              per_train[q].push_back(std::move(d));
            }
        });
        for (std::size_t q = 0; q < depth_trains_.size(); ++q)
          {
            for (const auto &d : per_train[q])
              s_k.push_back(d.s), dphi_k.push_back(d.dphi), du_k.push_back(d.du);
            const auto &dt = depth_trains_[q];
            const auto &sh = dt.shape;
            runs.push_back({{"run", "depth train"}, {"voltage_V", dt.voltage}, {"pulses", sh.pulses},
                            {"width_s", sh.width}, {"period_s", sh.period}});
          }
        P.node_depth = node_phi;
        P.depth_phi_range.clear();
        if (!s_k.empty())
          {
            double lo = 1, hi = 0;
            for (std::size_t k = 0; k < s_k.size(); ++k)
              {
                const double phi = dphi_k[k] + phi_table(s_k[k]);
                lo = std::min(lo, phi), hi = std::max(hi, phi);
              }
            P.depth_phi_range = {std::clamp(lo, 0.0, 1.0), std::clamp(hi, std::clamp(lo, 0.0, 1.0), 1.0)};
          }
        double rms_before = 0, rms_after = 0;
        for (std::size_t i = 0; i < current_voltages_.size(); ++i)
          {
            std::vector<std::array<double, 3>> samples;
            for (std::size_t k = 0; k < s_k.size(); ++k)
              samples.push_back({{s_k[k], dphi_k[k], du_k[k][i]}});
            P.depth_slope.push_back(current_voltages_[i] == 0.0 ? std::vector<double>(P.s_nodes.size(), 0.0)
                                                                : fit_depth_slope(P.s_nodes, samples, 1e-3));
          }
        // the read conductance of the depth-train states before and after the correction
        const CompactModel corrected(P);
        const std::size_t  i_read = std::lower_bound(current_voltages_.begin(), current_voltages_.end(),
                                                    P.read_voltage - 1e-12) - current_voltages_.begin();
        double worst_before = 0, worst_after = 0;
        for (std::size_t k = 0; k < s_k.size() && i_read < current_voltages_.size(); ++k)
          {
            const double e0 = du_k[k][i_read];
            // the corrected model's residual: du minus the correction it applies
            double beta = 0;
            {
              const auto &B = P.depth_slope[i_read];
              const auto  j = std::min<std::size_t>(std::upper_bound(P.s_nodes.begin(), P.s_nodes.end(), s_k[k]) -
                                                       P.s_nodes.begin(), P.s_nodes.size() - 1);
              const std::size_t j0 = j == 0 ? 0 : j - 1;
              const double f = j == j0 ? 0.0 : std::clamp((s_k[k] - P.s_nodes[j0]) / (P.s_nodes[j] - P.s_nodes[j0]), 0.0, 1.0);
              beta = (1 - f) * B[j0] + f * B[j];
            }
            const double e1 = e0 - beta * dphi_k[k];
            rms_before += e0 * e0, rms_after += e1 * e1;
            worst_before = std::max(worst_before, std::abs(std::expm1(e0))), worst_after = std::max(worst_after, std::abs(std::expm1(e1)));
          }
        const double nk = std::max<std::size_t>(1, s_k.size());
        depth_json = {{"split_nm", depth_split_ / constants::nm}, {"states", s_k.size()},
                      {"read_rms_ln_before", std::sqrt(rms_before / nk)}, {"read_rms_ln_after", std::sqrt(rms_after / nk)},
                      {"read_max_relative_before", worst_before}, {"read_max_relative_after", worst_after}};
        P.depth_split_nm = depth_split_ / constants::nm;
        if (!quiet)
          std::cout << "  depth correction from " << s_k.size() << " depth-train states: read G error (0.1 V) max "
                    << worst_before << " -> " << worst_after << ", rms ln " << std::sqrt(rms_before / nk) << " -> "
                    << std::sqrt(rms_after / nk) << std::endl;
      }

    // ---- the film term of the read ---------------------------------------------------
    // The weights kappa_i map the film population into the read state s; states during set
    // pulses (the training trains' pulses and the set runs) read up to 35 % off that map at
    // w ~ 0.6. Their frozen reads give, per current voltage, gamma(s) in
    // asinh(I / I0) = u(V, s) + [depth term] + gamma(V, s) v_film (the same regression as the
    // depth slope, with v_film in place of phi - phi_table).
    json film_json = nullptr;
    if (film_read_correction_)
      {
        P.film_slope.clear();
        const CompactModel base_model(P);
        constexpr double    I0 = CompactModel::current_scale;
        std::vector<const Vector<double> *> states;
        for (const auto &u : film_vectors)
          states.push_back(&u);
        for (const auto &u : pulse_vectors)
          states.push_back(&u);
        std::vector<double>              s_k, v_k, g_k; // g_k: the PDE's read conductance
        std::vector<CompactState>        st_k;
        std::vector<std::vector<double>> du_k;
        // the frozen reads of every state (a read starts from the state itself: independent
        // of the reader's history), side by side on one reader per worker
        struct FilmSample
        {
          bool                used = false;
          double              s = 0, v = 0, g = 0;
          CompactState        st;
          std::vector<double> du;
        };
        std::vector<FilmSample>                          film(states.size());
        const unsigned int                               workers = worker_count(threads_, states.size());
        std::vector<std::unique_ptr<TransientSimulation>> readers(workers);
        for (auto &r : readers)
          r = std::make_unique<TransientSimulation>(quiet_run(device_, points({{0, 0}, {1, 0}})), true);
        for_each_index(states.size(), workers, [&](std::size_t k, unsigned int w) {
          TransientSimulation &rd = *readers[w];
          const Vector<double> &u = *states[k];
          FilmSample           &f = film[k];
          f.st                    = extend(probe(rd.system(), u));
          f.v                     = base_model.film_share(f.st);
          if (!(f.v > 1e-3))
            return;
          f.used = true;
          f.s    = base_model.read_state(f.st);
          f.g    = 1.0 / rd.read(u, P.read_voltage).resistance;
          for (double V : current_voltages_)
            f.du.push_back(V == 0.0 ? 0.0
                                    : std::asinh(V / rd.read(u, V).resistance / I0) -
                                        std::asinh(base_model.current(V, f.st) / I0));
        });
        for (const auto &f : film)
          if (f.used)
            {
              s_k.push_back(f.s);
              v_k.push_back(f.v);
              st_k.push_back(f.st);
              g_k.push_back(f.g);
              du_k.push_back(f.du);
            }
        for (std::size_t i = 0; i < current_voltages_.size(); ++i)
          {
            std::vector<std::array<double, 3>> samples;
            for (std::size_t k = 0; k < s_k.size(); ++k)
              samples.push_back({{s_k[k], v_k[k], du_k[k][i]}});
            P.film_slope.push_back(current_voltages_[i] == 0.0 || samples.empty()
                                     ? std::vector<double>(P.s_nodes.size(), 0.0)
                                     : fit_depth_slope(P.s_nodes, samples, 1e-3));
          }
        const CompactModel corrected(P);
        double worst_before = 0, worst_after = 0, rms_before = 0, rms_after = 0;
        std::size_t n_read = 0;
        for (std::size_t k = 0; k < st_k.size(); ++k)
          {
            const double e0 = std::log(base_model.conductance(st_k[k]) / g_k[k]);
            const double e1 = std::log(corrected.conductance(st_k[k]) / g_k[k]);
            rms_before += e0 * e0, rms_after += e1 * e1, ++n_read;
            worst_before = std::max(worst_before, std::abs(std::expm1(e0)));
            worst_after  = std::max(worst_after, std::abs(std::expm1(e1)));
          }
        const double nk = std::max<std::size_t>(1, n_read);
        film_json = {{"states", s_k.size()},
                     {"read_rms_ln_before", std::sqrt(rms_before / nk)}, {"read_rms_ln_after", std::sqrt(rms_after / nk)},
                     {"read_max_relative_before", worst_before}, {"read_max_relative_after", worst_after}};
        runs.push_back({{"run", "static reads of states during set pulses"}, {"states", s_k.size()}});
        if (!quiet)
          std::cout << "  film read correction from " << s_k.size() << " states during set pulses: read G error (at "
                    << P.read_voltage << " V) max " << worst_before << " -> " << worst_after << ", rms ln "
                    << std::sqrt(rms_before / nk) << " -> " << std::sqrt(rms_after / nk) << std::endl;
      }

    // ---- provenance ----------------------------------------------------------
    json inputs = json::array();
    inputs.push_back({{"path", file_}, {"fingerprint", file_fingerprint(file_)}});
    inputs.push_back({{"path", device_.input_file}, {"fingerprint", file_fingerprint(device_.input_file)}});
    for (const auto &l : d.layers)
      if (!l.material.source_file.empty())
        inputs.push_back({{"path", l.material.source_file}, {"fingerprint", file_fingerprint(l.material.source_file)}});
    P.provenance = {{"program", "otj extract"}, {"version", otj::program_version()}, {"inputs", inputs}, {"training_runs", runs},
                    {"states", {{"w", "share of the vacancies beyond the barrier (interface layer and below)"},
                                {"v", "share of the vacancies in the film interior"},
                                {"w_deep", "share of the vacancies beyond x_deep_nm (the deep sites; models with the depth state)"},
                                {"x_deep_nm", depth_split_ > 0 ? (x_interface + depth_split_) / constants::nm : 0.0},
                                {"x_interface_nm", x_interface / constants::nm},
                                {"x_interior_nm", interior_start_ / constants::nm}}},
                    {"spike_fit", spike_json},
                    {"depth_correction", depth_json},
                    {"film_read_correction", film_json},
                    {"capture_screening_fit", screening_json},
                    {"rate_fits", rate_fits},
                    {"pristine_state", {{"w", s_pristine.w}, {"v", s_pristine.v}}},
                    {"lrs_state", {{"w", s_lrs.w}, {"v", s_lrs.v}}},
                    {"film_cells", film_cells_}, {"hidden_cells", hidden_cells_}};
    const CompactModel model(P);
    // residual of the current table at the training states' read
    write_atomically(output_dir_ + "/compact_model.json", [&](std::ostream &o) { o << P.to_json().dump(1) << "\n"; });
    P.write_csv(output_dir_);

    // ---- validation on unseen sequences -----------------------------------------
    json               val = json::array();
    std::ostringstream vcsv;
    vcsv << "sequence,time_s,source_V,G_pde_S,G_compact_S,G_compact_of_pde_state_S,I_pde_A,I_compact_A,w_pde,w_compact,v_pde,"
            "v_compact,w_deep_pde,w_deep_compact,G_pde_refined_S";
    for (const char *who : {"pde", "compact"}) // the film slabs from the Pt side (where the drift front is)
      for (unsigned i = 1; i <= film_cells_; ++i)
        vcsv << ",v_" << i << '_' << who;
    vcsv << '\n' << std::setprecision(8);
    // the refined reference's pristine state, once for all sequences
    const RunParameters fine = refined_reference(device_);
    Vector<double>      fine_pristine;
    if (refined_reference_)
      {
        TransientSimulation eq(quiet_run(fine, points({{0, 0}, {1, 0}})), true);
        eq.solve_initial_state();
        fine_pristine = eq.state();
      }
    bool all_ok = true;
    // the reduced oxide model (optional), started from the PDE's pristine state
    std::unique_ptr<ReducedOxideModel> reduced;
    std::ostringstream                 rcsv;
    rcsv << "sequence,t_s,source_V,G_pde_S,G_reduced_S,I_pde_A,I_reduced_A,w_pde,w_reduced,w_deep_pde,w_deep_reduced\n"
         << std::setprecision(8);
    std::vector<double> reduced_pristine; // the PDE's pristine state on the reduced nodes (control-volume averages)
    json                reduced_validation = json::array();
    if (reduced_cells_ > 0)
      {
        try
          {
            reduced = std::make_unique<ReducedOxideModel>(device_.device, reduced_cells_, device_.time, device_.newton,
                                                          device_.concentration_scale, reduced_coarsening_);
          }
        catch (const std::invalid_argument &e)
          {
            throw InputError(file_ + ": Extraction/Reduced model coarse stretch (nm): " + e.what());
          }
        const TransientSimulation on_mesh(quiet_run(device_, points({{0, 0}, {1, 0}})), true); // the pristine state's system
        reduced_pristine = reduced->control_volume_averages(
          [&](double a, double b) { return on_mesh.system().vacancies_between(pristine, a, b); });
      }
    // the PDE on every sequence, and on its refined reference (the PDE's own numerical
    // error), side by side
    struct PdeSequence
    {
      std::vector<double>       G, I, G_refined;
      std::vector<CompactState> S;
    };
    std::vector<PdeSequence> pde_runs(validation_.size());
    {
      const std::size_t per_sequence = refined_reference_ ? 2 : 1;
      const std::size_t n            = per_sequence * validation_.size();
      // the refined runs first: they take longest
      for_each_index(n, worker_count(threads_, n), [&](std::size_t i, unsigned int) {
        const bool             refined = refined_reference_ && i < validation_.size();
        const std::size_t      q       = i % validation_.size();
        const double           Vr      = P.read_voltage;
        const SequenceSchedule sched   = validation_schedule(validation_[q], Vr);
        const auto             wf      = points(sched.corners);
        PdeSequence           &out     = pde_runs[q];
        if (refined)
          {
            out.G_refined.assign(sched.reads.size(), 0.0);
            TransientSimulation rs(quiet_run(fine, wf), true);
            rs.restart_from(fine_pristine);
            for (std::size_t k = 0; k < sched.reads.size(); ++k)
              {
                rs.integrate_waveform(false, sched.reads[k]);
                out.G_refined[k] = 1.0 / rs.read(rs.state(), Vr).resistance;
              }
            return;
          }
        TransientSimulation sim(quiet_run(device_, wf), true);
        sim.restart_from(pristine);
        for (double tr : sched.reads)
          {
            sim.integrate_waveform(false, tr);
            out.S.push_back(probe(sim.system(), sim.state()));
            out.G.push_back(1.0 / sim.read(sim.state(), Vr).resistance);
            out.I.push_back(sim.steps().back().tunnel_current);
          }
      });
    }
    for (std::size_t q = 0; q < validation_.size(); ++q)
      {
        const auto            &seq   = validation_[q];
        const double           Vr    = P.read_voltage;
        const SequenceSchedule sched = validation_schedule(seq, Vr);
        const auto            &reads = sched.reads;
        const auto             wf    = points(sched.corners);
        const auto            &G_pde = pde_runs[q].G, &I_pde = pde_runs[q].I;
        const auto            &S_pde = pde_runs[q].S;
        const std::vector<double> G_refined =
          refined_reference_ ? pde_runs[q].G_refined : std::vector<double>(reads.size(), 0.0);
        // compact model
        unsigned                   steps = 0;
        const auto                 cm    = model.integrate(wf, extend(s_pristine), reads, 1e-6, &steps);
        std::vector<SequencePoint> pts;
        for (std::size_t k = 0; k < reads.size() && k < cm.size(); ++k)
          {
            // the read model alone: the compact conductance of the PDE's own state
            pts.push_back({reads[k], wf.value(reads[k]), G_pde[k], model.conductance(cm[k].state),
                           model.conductance(extend(S_pde[k])), I_pde[k], cm[k].current, G_refined[k]});
            const auto &q = pts.back();
            vcsv << '"' << seq.name << "\"," << q.t << ',' << q.source_voltage << ',' << q.G_pde << ',' << q.G_compact << ','
                 << q.G_read_model << ',' << q.I_pde << ',' << q.I_compact << ',' << S_pde[k].w << ',' << cm[k].state.w << ','
                 << S_pde[k].volatile_share() << ',' << model.film_share(cm[k].state) << ',' << S_pde[k].w_deep << ','
                 << cm[k].state.w_deep << ',' << q.G_pde_refined;
            for (double x : S_pde[k].v)
              vcsv << ',' << x;
            for (unsigned i = hidden_cells_; i < cm[k].state.v.size(); ++i) // the hidden cells are not observed
              vcsv << ',' << cm[k].state.v[i];
            vcsv << '\n';
          }
        const SequenceErrors err = sequence_errors(pts, Vr);
        const bool ok = cm.size() == reads.size() && err.G <= conductance_tolerance_ && err.I <= current_tolerance_;
        // the reduced oxide model on the same sequence (its own state equations and Tsu-Esaki read)
        json        reduced_json = nullptr;
        std::string reduced_line; // printed after the compartment model's line
        if (reduced)
          {
            const auto t_red = std::chrono::steady_clock::now();
            IntegratorStatistics st;
            const auto           rm = reduced->integrate(wf, reduced_pristine, reads, true, &st);
            std::vector<SequencePoint> rp;
            for (std::size_t k = 0; k < reads.size() && k < rm.size(); ++k)
              {
                const CompactState rs = compartments_of(*reduced, rm[k].c, probe.x_interior, probe.x_interface,
                                                        probe.cells, probe.x_deep);
                rp.push_back({reads[k], wf.value(reads[k]), G_pde[k], reduced->conductance(rm[k].c, Vr), 0.0, I_pde[k],
                              rm[k].current, G_refined[k]});
                rcsv << '"' << seq.name << "\"," << reads[k] << ',' << wf.value(reads[k]) << ',' << G_pde[k] << ','
                     << rp.back().G_compact << ',' << I_pde[k] << ',' << rm[k].current << ',' << S_pde[k].w << ',' << rs.w
                     << ',' << S_pde[k].w_deep << ',' << rs.w_deep << '\n';
              }
            const SequenceErrors re = sequence_errors(rp, Vr);
            const bool rok = rm.size() == reads.size() && re.G <= conductance_tolerance_ && re.I <= current_tolerance_;
            reduced_json = {{"cells", reduced->nodes().size() - 1}, {"max_conductance_error", re.G},
                            {"max_conductance_error_at_read_bias", re.G_at_read_bias},
                            {"max_conductance_error_of_states_during_pulses", re.G_during_pulses},
                            {"max_current_error", re.I}, {"max_conductance_error_against_refined", re.G_refined},
                            {"time_steps", st.steps}, {"wall_time_s", seconds_since(t_red)}, {"passes", rok}};
            reduced_validation.push_back({{"sequence", seq.name}, {"role", seq.development ? "development" : "validation"}});
            reduced_validation.back().update(reduced_json);
            std::ostringstream line;
            line << "    the reduced oxide model (" << reduced->nodes().size() - 1 << " cells): max |G/G_pde - 1| = " << std::setprecision(3)
                 << re.G << " (" << re.G_at_read_bias << " at the read bias, " << re.G_during_pulses
                 << " during pulses), max |I/I_pde - 1| = " << re.I << ", " << st.steps << " steps, "
                 << seconds_since(t_red) << " s -> " << (rok ? "passes" : "FAILS");
            reduced_line = line.str();
          }
        if (!seq.development)
          all_ok = all_ok && ok;
        val.push_back({{"sequence", seq.name}, {"role", seq.development ? "development" : "validation"},
                       {"amplitude_V", seq.amplitude}, {"width_s", seq.width},
                       {"period_s", seq.period}, {"count", seq.count}, {"points", reads.size()},
                       {"max_conductance_error", err.G}, {"max_conductance_error_at_read_bias", err.G_at_read_bias},
                       {"max_conductance_error_of_states_during_pulses", err.G_during_pulses},
                       {"max_current_error", err.I}, {"compact_steps", steps},
                       {"max_read_model_error", err.read_model}, {"max_read_model_error_at_read_bias", err.read_model_at_read_bias},
                       {"reference_uncertainty", err.reference}, {"max_conductance_error_against_refined", err.G_refined},
                       {"passes", ok}, {"reduced_model", reduced_json}});
        if (!quiet)
          std::cout << (seq.development ? "  development '" : "  validation '") << seq.name << "': max |G_cm/G_pde - 1| = " << std::setprecision(3) << err.G
                    << " (tolerance " << conductance_tolerance_ << "; " << err.G_at_read_bias << " at the read bias between pulses, "
                    << err.G_during_pulses << " for the states during pulses; the read model alone, at the PDE's states: "
                    << err.read_model << "), max |I_cm/I_pde - 1| = " << err.I
                    << " (tolerance " << current_tolerance_ << ")";
        if (!quiet && err.reference >= 0)
          std::cout << "; the PDE itself changes by " << err.reference << " on refinement (compact against the refined PDE: "
                    << err.G_refined << ")";
        if (!quiet)
          std::cout << " -> " << (ok ? "passes" : "FAILS") << std::endl;
        if (!quiet && !reduced_line.empty())
          std::cout << reduced_line << std::endl;
      }
    write_atomically(output_dir_ + "/validation.csv", [&](std::ostream &o) { o << vcsv.str(); });
    bool reduced_ok = false;
    if (reduced)
      {
        write_atomically(output_dir_ + "/validation_reduced.csv", [&](std::ostream &o) { o << rcsv.str(); });
        reduced_ok = std::all_of(reduced_validation.begin(), reduced_validation.end(), [](const json &v) {
          return v["role"] == "development" || v["passes"].get<bool>();
        });
        // the reduced model's export: everything but the material files is in it; the device file (and
        // through it the material files) gives the physics, fingerprinted
        const std::string dev_abs = fs::absolute(device_.input_file).lexically_normal().string();
        json              mats    = json::array();
        for (const auto &l : device_.device.layers)
          mats.push_back({{"layer", l.role}, {"path", l.material.source_file},
                          {"fnv1a64", file_fingerprint(l.material.source_file)}});
        std::vector<double> site, act;
        for (double xx : reduced->nodes())
          site.push_back(device_.device.vacancy_site_energy_at(xx) / constants::eV),
            act.push_back(device_.device.vacancy_activation_at(xx) / constants::eV);
        const json rj = {
          {"kind", "reduced_oxide_model"},
          {"description", "the PDE's oxygen-vacancy and Poisson equations on a grid of the oxide (uniform or with a coarser stretch, nodes moved onto the landscape's kinks), the substrate by "
                          "its first integral, the current by Tsu-Esaki (postprocess/compact/reduced_oxide_model.h); "
                          "nothing fitted: the physics is the device file's"},
          {"device_file", dev_abs},
          {"device_file_relative", fs::relative(dev_abs, fs::absolute(output_dir_)).string()},
          {"device_fnv1a64", file_fingerprint(device_.input_file)},
          {"material_files", mats},
          {"cells", reduced_cells_},
          {"cells_definition", "the fine cell is the oxide's thickness / cells; the grid has grid_cells cells "
                               "(fewer than cells over a coarse stretch, grid_coarsening)"},
          {"grid_cells", reduced->nodes().size() - 1},
          {"grid_coarsening", reduced_coarsening_.active()
                                ? json{{"from_m", reduced_coarsening_.from}, {"to_m", reduced_coarsening_.to},
                                       {"factor", reduced_coarsening_.factor}, {"ramp_m", reduced_coarsening_.ramp},
                                       {"definition", "cells 'factor' times the fine cell (oxide / cells) between "
                                                      "from_m and to_m, ramped linearly over ramp_m inside each end"}}
                                : json(nullptr)},
          {"read_voltage_V", P.read_voltage},
          {"nodes_m", reduced->nodes()},
          {"site_energy_eV", site},
          {"activation_energy_eV", act},
          {"pristine_densities_m3", reduced_pristine},
          {"pristine_state", "the PDE's equilibrium at 0 V, averaged over the nodes' control volumes"},
          {"validation", reduced_validation},
          {"validation_passes", reduced_ok},
          {"program", "otj extract"},
          {"version", otj::program_version()},
          {"input_file", {{"path", file_}, {"fnv1a64", file_fingerprint(file_)}}}};
        write_atomically(output_dir_ + "/reduced_model.json", [&](std::ostream &o) { o << rj.dump(1) << "\n"; });
        write_atomically(output_dir_ + "/reduced_model_nodes.csv", [&](std::ostream &o) {
          o << "x_nm,site_energy_eV,activation_energy_eV,pristine_density_m3\n" << std::setprecision(10);
          for (std::size_t i = 0; i < reduced->nodes().size(); ++i)
            o << reduced->nodes()[i] / constants::nm << ',' << site[i] << ',' << act[i] << ',' << reduced_pristine[i] << '\n';
        });
      }
    write_atomically(output_dir_ + "/validation.md", [&](std::ostream &o) {
      write_validation_table(o, val, output_dir_ + "/compact_model.json", conductance_tolerance_, current_tolerance_,
                             P.read_voltage);
    });
    json summary = {{"program", "otj extract"}, {"version", otj::program_version()}, {"input_file", file_},
                    {"device_file", device_.input_file}, {"validation", val}, {"validation_passes", all_ok},
                    {"reduced_model_validation_passes", reduced ? json(reduced_ok) : json(nullptr)},
                    {"tau_v_s", P.tau_v}, {"kappa", P.kappa}, {"wall_time_s", seconds_since(start)}};
    write_atomically(output_dir_ + "/extraction.json", [&](std::ostream &o) { o << summary.dump(2) << "\n"; });
    if (!quiet)
      std::cout << "  " << seconds_since(start) << " s; results: " << output_dir_
                << "/{compact_model.json, compact_*.csv, training_trajectories.csv, validation.{csv,md}, extraction.json}"
                << std::endl;
  }
} // namespace otj
