// Variable-step BDF1/BDF2 time integration with local-error control for the
// differential-algebraic system (vacancies differential, potential algebraic).
//
// - Coefficients of variable-step BDF2 (omega = dt_n / dt_{n-1}):
//   dc/dt ~ [(1+2w)/(1+w) c_{n+1} - (1+w) c_n + w^2/(1+w) c_{n-1}] / dt_n
//   (Hairer, Norsett & Wanner, Solving ODEs I, section III.5).
// - Local error estimated from the distance to the explicit polynomial
//   predictor (Milne's device): LTE ~ C (u - u_pred), C = 1/3 (BDF1, linear
//   predictor), 2/11 (BDF2, quadratic predictor), measured on the vacancy
//   dofs in the norm max |e_i| / (atol + rtol |c_i|).
// - Steps land exactly on waveform corners and stops (output times); after
//   one the method restarts at order 1 (the source's derivative may jump),
//   with the step capped at a tenth of the next segment when it is known,
//   and it stays error-controlled: the first step after the restart is
//   checked against the linear predictor through the last two states (the
//   densities are C1 across a corner of a continuous piecewise-linear
//   source; their second derivative jumps, which only makes the estimate
//   conservative). Before 2026-11-30 a restart dropped the history, so the
//   first step after every stop had no error estimate and took the step
//   size of the previous segment: a whole 20 ns pulse went in one implicit
//   Euler step at any tolerance (the results depended on the output times
//   by a factor 2; tests Integrator.*AfterAStop*).
// - An error-test failure shrinks the step by 0.9 err^(-1/(q+1)), at most to a tenth;
//   a call of advance() that starts where the last one stopped restarts as at a corner.
// - A Newton failure cuts the step by 4 and retries; below the smallest step
//   a ConvergenceFailure reports time, step size and residual (SPEC 9).
#pragma once

#include "discretization/drift_diffusion_system.h"
#include "nonlinear/newton_solver.h"

#include <deal.II/lac/vector.h>

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace dealii
{
  class ParameterHandler;
}

namespace otj
{
  struct TimeSteppingParameters
  {
    double       relative_tolerance = 1e-3;
    double       absolute_tolerance = 1e-4;  ///< in units of the concentration scale
    double       initial_step       = 1e-12; ///< s
    double       smallest_step      = 1e-18; ///< s
    double       largest_step       = 1e3;   ///< s
    unsigned int maximum_order      = 2;
    double       maximum_growth     = 2.0; // < 1 + sqrt(2): zero-stability of variable-step BDF2
    unsigned int maximum_steps      = 200000;

    static void declare_parameters(dealii::ParameterHandler &prm);
    void        parse_parameters(dealii::ParameterHandler &prm);
  };

  class ConvergenceFailure : public std::runtime_error
  {
  public:
    ConvergenceFailure(double time, double step, double residual, const std::string &what);
    double time, step, residual;
  };

  struct IntegratorStatistics
  {
    unsigned int steps = 0, rejected_error = 0, rejected_newton = 0, newton_iterations = 0;
    unsigned int chord_steps = 0; ///< Newton iterations that were chord steps (NewtonResult)
  };

  class BdfIntegrator
  {
  public:
    /// Solves the implicit step to time t_new with the given time term, u holds
    /// the initial guess on entry and the solution on exit.
    using StepSolver = std::function<NewtonResult(double t_new, const TimeTerm &, dealii::Vector<double> &u)>;
    /// Called after each accepted step.
    using Observer = std::function<void(double t, const dealii::Vector<double> &u, double dt, unsigned int order,
                                        const NewtonResult &)>;

    /// is_vacancy marks densities (kept positive by the predictor); the local
    /// error is measured on the entries marked in error_controlled (default:
    /// the densities), in the state's own (scaled) units.
    BdfIntegrator(const TimeSteppingParameters &p, std::vector<bool> is_vacancy,
                  std::vector<bool> error_controlled = {});

    /// For a state distributed over MPI ranks (each rank integrates its own
    /// part of the vector): combines the local error norms into the global
    /// one (an MPI max), so that every rank takes the same step decisions.
    /// The step solver must then return globally reduced Newton results.
    void set_error_norm_reduction(std::function<double(double)> reduce) { reduce_ = std::move(reduce); }

    void reset(double t0, const dealii::Vector<double> &u0);
    /// Integrates to t_end, landing on every corner in (t, t_end].
    void advance(double t_end, const std::vector<double> &corners, const StepSolver &solve, const Observer &observe);

    double                        time() const { return t_; }
    const dealii::Vector<double> &solution() const { return u_; }
    const IntegratorStatistics &  statistics() const { return stats_; }
    double                        next_step() const { return dt_; }
    /// Caps the size of the next step (from an observer: e.g. the temperature-change limit of
    /// the Joule heating, simulation/joule_heating.h).
    void limit_next_step(double largest) { dt_ = std::min(dt_, std::max(largest, p_.smallest_step)); }

  private:
    double error_norm(const dealii::Vector<double> &u, const dealii::Vector<double> &pred) const;

    TimeSteppingParameters  p_;
    std::vector<bool>       is_vacancy_, error_controlled_;
    double                  t_ = 0, dt_ = 0;
    dealii::Vector<double>  u_, u_prev_, u_prev2_;
    double                  dt_prev_ = 0, dt_prev2_ = 0;
    unsigned int            n_history_ = 0; ///< accepted states since the last reset (besides u_)
    bool                    restart_   = false; ///< landed on a corner or stop: the next step is BDF1
    IntegratorStatistics    stats_;
    std::function<double(double)> reduce_;
  };
} // namespace otj
