// Calibration of the uncertain material parameters to the paper's
// calibration set (SPEC section 7) by a least-squares fit of PDE runs.
//
// Targets (all from the paper's calibration set, nothing from the prediction set):
//   - R_LRS at the read voltage after a +V_set write of t_w and a relaxation t_r,
//   - R_HRS at the read voltage after a subsequent -V_reset write and relaxation,
//   - the STM-to-LTM threshold: a pulse of amplitude V_th and width t_p (1.8 V,
//     20 ns) leaves a non-volatile relative conductance change equal to the
//     criterion, read after t_relax (the volatile part has faded by then).
//   - optionally (Relaxation weight > 0) the STM relaxation "of order
//     microseconds": the 1/e time of the volatile read-conductance change after
//     a sub-threshold spike (0.6 V, 50 ns) from the pristine state, against a
//     band [tau_low, tau_high] (residual: log2 distance to the band, 0 inside).
// Residuals are log2 ratios (simulated / target), so 1 means a factor 2.
// Each fitted parameter has a prior (centre and width, documented in the
// calibration file); the prior enters as an extra residual (p - p0)/w
// (maximum a posteriori), which keeps the problem well posed when parameters
// outnumber targets. Minimisation: Levenberg-Marquardt on the scaled
// parameters (p - p0)/w (log10 p for densities) with forward-difference
// Jacobians (Nocedal & Wright, Numerical Optimization, 2nd ed., section 10.3).
#pragma once

#include "simulation/run_parameters.h"

#include <functional>
#include <string>
#include <vector>

namespace dealii
{
  class ParameterHandler;
}

namespace otj
{
  /// One material parameter that calibration may fit.
  struct FitParameter
  {
    std::string key;         ///< name in the calibration file
    std::string unit;
    std::string description; ///< which material file entries it sets
    bool        log_scale = false;
    bool        fitted    = false;
    double      prior = 0, prior_width = 1, lower = 0, upper = 0;
    double      value = 0; ///< current value (SI-free: in the unit above)
    std::function<void(DeviceModel &, double)> apply;
    std::function<double(const DeviceModel &)> read;
    /// material file edits: {layer role or "top electrode", entry name}
    std::vector<std::pair<std::string, std::string>> entries;
  };

  struct CalibrationTargets
  {
    double set_voltage = 2.2, reset_voltage = -4.3, write_time = 0.1, relax_time = 1.0, edge_time = 1e-7;
    double lrs_resistance = 2.7e4, hrs_resistance = 1.8e8;
    double threshold_voltage = 1.8, threshold_width = 20e-9, threshold_edge = 1e-9, threshold_relax = 25e-6,
           threshold_criterion = 0.1;
    bool threshold_as_voltage = false; ///< threshold residual in volts (else in the change at V_th)
    /// relaxation target: off at weight 0
    double relaxation_weight = 0, relaxation_voltage = 0.6, relaxation_width = 50e-9, relaxation_tau_low = 3e-7,
           relaxation_tau_high = 8e-6;
    unsigned int count() const { return relaxation_weight > 0 ? 4 : 3; } ///< number of target residuals
  };

  /// The 1/e time of a decaying volatile part A(t) read at increasing times t
  /// (t[0] the end of the spike): the time where ln A falls to ln A[0] - 1,
  /// interpolated linearly in ln A between the two reads that bracket it (exact
  /// for a single exponential). NaN without a volatile part (A[0] <= 0), +inf if
  /// A stays above A[0]/e to the last read.
  double e_folding_time(const std::vector<double> &t, const std::vector<double> &A);

  /// log2 distance of x > 0 to the band [lo, hi]: 0 inside, log2(lo/x) below, log2(x/hi) above.
  double log2_distance_to_band(double x, double lo, double hi);

  /// Everything one evaluation of the model gives.
  struct CalibrationEvaluation
  {
    bool                ok = false;
    std::string         failure;
    double              r_pristine = 0, r_lrs = 0, r_hrs = 0;
    double              tunnelling_share_lrs = 0, tunnelling_share_hrs = 0;
    double              threshold_change = 0; ///< relative conductance change of the threshold pulse
    double              threshold_progress = 0;
    double              solved_value = 0; ///< value of the 'Threshold solved by' parameter
    double              threshold_amplitude = 0; ///< amplitude leaving the criterion's change (threshold residual 'voltage')
    double              relaxation_tau  = 0; ///< 1/e time of the relaxation spike's volatile part (s; NaN: none)
    double              relaxation_peak = 0; ///< its volatile part at the end of the spike (G/G0)
    std::vector<double> residuals;            ///< targets, then priors
    double              cost() const;
  };

  class Calibration
  {
  public:
    /// Declares every entry of a calibration file (defaults, ranges, meaning): what
    /// `otj calibrate --print-parameters` prints.
    static void declare_parameters(dealii::ParameterHandler &prm);
    /// Reads the calibration file (its device/run file, targets, priors).
    explicit Calibration(const std::string &file);

    /// Runs the fit; writes calibrated material files and calibration.json.
    /// check_only: evaluates the targets at the current materials only and
    /// writes calibration_check.json (no material file is changed).
    void run(bool quiet, bool check_only = false);

    /// One model evaluation at the given fitted-parameter values.
    CalibrationEvaluation evaluate(const std::vector<double> &values) const;

    const std::vector<FitParameter> &parameters() const { return parameters_; }

  private:
    std::vector<double> fitted_values() const;
    void                write_outputs(const CalibrationEvaluation &initial, const CalibrationEvaluation &final,
                                      const std::vector<std::vector<double>> &history, double wall) const;

    std::string               file_;
    RunParameters             base_;
    CalibrationTargets        targets_;
    std::vector<FitParameter> parameters_;
    unsigned int              max_iterations_ = 8;
    unsigned int              threads_        = 0; ///< threads for the Jacobian's PDE evaluations (0: one per core)
    double                    tolerance_      = 0.1;
    long                      threshold_solver_ = -1; ///< index of the 'Threshold solved by' parameter ///< stop when every target |log2 ratio| < this
    std::string               output_dir_, materials_dir_;
    bool                      check_only_ = false;
  };
} // namespace otj
