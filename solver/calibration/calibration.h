// Calibration of the uncertain material parameters to the paper's
// calibration set (SPEC section 7) by a least-squares fit of PDE runs.
//
// Targets (all from the paper's calibration set, nothing from the prediction set):
//   - R_LRS at the read voltage after a +V_set write of t_w and a relaxation t_r,
//   - R_HRS at the read voltage after a subsequent -V_reset write and relaxation,
//   - the STM-to-LTM threshold: a pulse of amplitude V_th and width t_p (1.8 V,
//     20 ns) leaves a non-volatile relative conductance change equal to the
//     criterion, read after t_relax (the volatile part has faded by then).
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
  };

  /// Everything one evaluation of the model gives.
  struct CalibrationEvaluation
  {
    bool                ok = false;
    std::string         failure;
    double              r_pristine = 0, r_lrs = 0, r_hrs = 0;
    double              tunnelling_share_lrs = 0, tunnelling_share_hrs = 0;
    double              threshold_change = 0; ///< relative conductance change of the threshold pulse
    double              threshold_progress = 0;
    double              solved_value = 0; ///< value of the 'Threshold solved by' parameter ///< vacancy centroid advance during the pulse / film thickness
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
