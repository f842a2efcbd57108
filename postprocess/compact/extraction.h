// `otj extract FILE`: extraction of the compact model from PDE runs of a
// device (any material files), with provenance, and its validation against
// the PDE on pulse sequences that were not used for the extraction.
//
// Training runs (all from the device's pristine equilibrium or its LRS):
//  1. constant source voltage V for each V of the rate grid, from the pristine
//     state and from the LRS, sampled at log-spaced times: the state
//     trajectories (w(t), v(t)) give dw/dt and v_eq on the (V, w) grid;
//  2. a sub-threshold spike and its relaxation at 0 V: tau_v from an
//     exponential fit of v(t), kappa from the read conductance along it;
//  3. static reads (vacancies frozen) of states along the set trajectory: the
//     current table I(V, s).
// Validation: a paired-pulse sequence and a pulse train at an amplitude and
// interval not in the training set, PDE against compact model, conductance
// and current compared along the sequence.
#pragma once

#include "compact/compact_model.h"
#include "compact/compact_validation.h"
#include "compact/reduced_oxide_model.h"
#include "simulation/run_parameters.h"

#include <array>
#include <string>
#include <vector>

namespace otj
{
  /// Pulse count, width and period (s) of a pulse train of the extraction's training runs.
  struct TrainShape
  {
    unsigned int pulses = 1;
    double       width = 5e-8, period = 1e-6;
  };

  /// The states that extend the current table above its last node (the LRS): of the
  /// candidates (s, G) (read state and read conductance of frozen PDE states), those with
  /// s above s_top and G above g_top, sorted by s, keeping each only if its G exceeds the
  /// last kept one (the table must be monotone in s), thinned evenly to at most
  /// `max_nodes`. Returns indices into `candidates`, in increasing s.
  std::vector<std::size_t> select_table_extension(double s_top, double g_top,
                                                  const std::vector<std::pair<double, double>> &candidates,
                                                  unsigned int max_nodes);

  /// The interface capture law of the screening pre-fit at one voltage: the fit
  /// ln k_eff(w) = a + b exp(-w / w_s) (k_eff = (dw/dt) / v_N) is the compact model's
  /// ln k_N+ - g+ w_s (1 - exp(-w / w_s)) with ln k_N+ = a + b and g+ = b / w_s (g+ clamped
  /// to [0, max_coupling]; then ln k_N+ = a + g+ w_s).
  struct CaptureLaw
  {
    double ln_k, g;
  };
  CaptureLaw capture_law_of_prefit(double a, double b, double w_s, double max_coupling);

  /// The "Rate smoothing" prior of the per-voltage fit: appends weight (x_m - previous_m)
  /// to the residuals r for the first n parameters (ln k and g+-) that both vectors hold;
  /// nothing when the weight is 0 or there is no previous voltage.
  void append_rate_smoothing_residuals(std::vector<double> &r, const std::vector<double> &x,
                                       const std::vector<double> &previous, std::size_t n, double weight);

  /// The depth correction of the current table at one current voltage: beta at the s
  /// nodes (hat functions in s) minimising
  ///   sum_k (du_k - dphi_k beta(s_k))^2 + smoothing sum_j (beta_{j+1} - beta_j)^2 + 1e-12 sum_j beta_j^2
  /// over samples (s_k, dphi_k, du_k): dphi = phi - phi_table(s), du = asinh(I / I0) of the
  /// frozen state minus the table's value at its s.
  std::vector<double> fit_depth_slope(const std::vector<double> &s_nodes,
                                      const std::vector<std::array<double, 3>> &samples, double smoothing);

  /// The refined PDE reference of the validation: the device with every mesh cell halved
  /// (MeshParameters::refinement + 1) and the time-step tolerance divided by 10.
  RunParameters refined_reference(const RunParameters &device);

  class CompactExtraction
  {
  public:
    /// Declares every entry of a extraction file (defaults, ranges, meaning): what
    /// `otj extract --print-parameters` prints.
    static void declare_parameters(dealii::ParameterHandler &prm);
    explicit CompactExtraction(const std::string &file);
    void run(bool quiet);

  private:
    std::string                     file_, output_dir_;
    RunParameters                   device_;
    std::vector<double>             rate_voltages_, w_nodes_, current_voltages_;
    double                          run_duration_ = 0.1, lrs_write_ = 2.2, lrs_write_time_ = 0.1;
    double                          interior_start_ = 0.5e-9;
    unsigned int                    film_cells_     = 2;
    unsigned int                    hidden_cells_   = 0;
    double                          hidden_penalty_ = 1.0;
    double                          spike_amplitude_ = 1.0, spike_width_ = 5e-8;
    double                          set_spike_amplitude_ = 2.4, set_spike_width_ = 1e-8;
    unsigned int                    set_spike_count_     = 1;
    double                          conductance_tolerance_ = 0.1, current_tolerance_ = 0.2;
    unsigned int                    fit_iterations_ = 40;
    double                          rate_smoothing_ = 0.0; ///< weight of the prior towards the previous voltage's ln k
    double                          fit_horizon_    = 1e-7;
    double                          relaxation_bias_ = 0.0; ///< source voltage of the training relaxations
    bool                            film_read_correction_ = false;
    bool                            refined_reference_    = true;
    unsigned int                    reduced_cells_        = 0; ///< reduced oxide model validated alongside (0: not)
    ReducedGridCoarsening           reduced_coarsening_;       ///< its coarser stretch (none by default)
    unsigned int                    threads_              = 0; ///< threads for the independent PDE runs (0: one per core)
    bool                            depth_early_reads_    = false;
    bool                            pt_link_coupling_     = false;
    bool                            pt_self_coupling_     = false;
    double                          slab_weight_          = 1.0; ///< weight of the film slabs' trajectory residuals
    double                          capture_screening_ = 0.0;
    bool                            capture_from_prefit_ = false;
    double                          intermediate_w_ = 0.0;
    bool                            film_coupling_  = false;
    bool                            uniform_film_links_ = false;
    bool                            free_last_film_link_ = false;
    double                          read_weight_        = 0.0;
    double                          set_capture_coupling_ = -1.0;
    double                          set_film_coupling_    = -1.0;
    double                          train_weight_         = 1.0;
    double                          film_screening_       = 0.0;
    double                          horizon_coverage_     = 0.0;
    double                          table_train_voltage_ = 0.0;
    double                          depth_split_         = 0.0; ///< m beyond the interface (0: no depth state)
    struct DepthTrain
    {
      double     voltage = 0;
      TrainShape shape;
    };
    std::vector<DepthTrain>         depth_trains_;
    TrainShape                      table_train_{20, 5e-8, 1e-6};
    std::vector<double>             train_voltages_;
    TrainShape                      train_{5, 3e-8, 1e-6};
    std::vector<ValidationSequence> validation_;
  };
} // namespace otj
