// Levenberg-Marquardt minimisation of 0.5 |r(x)|^2 for expensive models (PDE
// runs): forward-difference Jacobians, multiplicative damping of the normal
// equations (J^T J + lambda diag(J^T J)) dx = -J^T r (Marquardt, J. SIAM 11,
// 431 (1963); Nocedal & Wright, Numerical Optimization, 2nd ed., section
// 10.3), a projection onto the feasible set after every step, and models that
// may fail at a point (then the step is rejected and the damping raised).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace otj
{
  struct LevenbergMarquardtOptions
  {
    unsigned int max_iterations  = 8;
    double       jacobian_step   = 0.05; ///< forward-difference step in x
    double       initial_damping = 1e-2;
    unsigned int max_attempts    = 4;    ///< damping increases per iteration before giving up
    /// Threads for the Jacobian's columns (independent model evaluations; 0: one per core).
    /// The model must then be safe to call from several threads at once; the result does
    /// not depend on the number.
    unsigned int threads         = 1;
  };

  struct LevenbergMarquardtResult
  {
    std::vector<double>              x, residuals;
    std::vector<std::vector<double>> accepted; ///< x after the start and each accepted step
    unsigned int                     iterations = 0, evaluations = 0;
    bool                             done       = false; ///< the stopping test was met
    /// Why the iteration stopped early with the last accepted point (a Jacobian that the model could
    /// not evaluate after at least one accepted step); empty otherwise.
    std::string                      stopped_by;
  };

  /// model(x, role) gives the residuals at x or nothing if the model fails
  /// there; role is "start", "jacobian" or "step" (for progress output).
  /// done(r) is the stopping test; project(x) maps x into the feasible set.
  /// Throws std::runtime_error if the start or a column of the first Jacobian cannot be evaluated;
  /// a later Jacobian that cannot be evaluated ends the iteration at the last accepted point
  /// (LevenbergMarquardtResult::stopped_by says so).
  LevenbergMarquardtResult levenberg_marquardt(
    const std::function<std::optional<std::vector<double>>(const std::vector<double> &, const char *)> &model,
    std::vector<double> x0, const LevenbergMarquardtOptions &options,
    const std::function<bool(const std::vector<double> &)>                      &done,
    const std::function<std::vector<double>(const std::vector<double> &)>       &project);
} // namespace otj
