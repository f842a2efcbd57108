// Adaptive BDF1/BDF2 integrator (see bdf_integrator.h).
#include "time_stepping/bdf_integrator.h"

#include <deal.II/base/parameter_handler.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace otj
{
  using namespace dealii;

  void TimeSteppingParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Time stepping");
    prm.declare_entry("Relative tolerance", "1e-3", Patterns::Double(1e-12, 1.0),
                      "Local-error tolerance relative to the vacancy density.");
    prm.declare_entry("Absolute tolerance (m^-3)", "1e22", Patterns::Double(0.0, 1e30),
                      "Local-error tolerance for small vacancy densities (m^-3).");
    prm.declare_entry("Initial step (s)", "1e-12", Patterns::Double(1e-20, 1e6), "First time step (s).");
    prm.declare_entry("Smallest step (s)", "1e-18", Patterns::Double(1e-24, 1.0),
                      "Below this step a convergence failure is reported (s).");
    prm.declare_entry("Largest step (s)", "1e3", Patterns::Double(1e-15, 1e10), "Largest time step (s).");
    prm.declare_entry("Maximum order", "2", Patterns::Integer(1, 2), "BDF order (1 = implicit Euler, 2 = BDF2).");
    prm.leave_subsection();
  }

  void TimeSteppingParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Time stepping");
    relative_tolerance = prm.get_double("Relative tolerance");
    absolute_tolerance = prm.get_double("Absolute tolerance (m^-3)"); // converted by the caller
    initial_step       = prm.get_double("Initial step (s)");
    smallest_step      = prm.get_double("Smallest step (s)");
    largest_step       = prm.get_double("Largest step (s)");
    maximum_order      = prm.get_integer("Maximum order");
    prm.leave_subsection();
  }

  ConvergenceFailure::ConvergenceFailure(double t, double dt, double res, const std::string &what)
    : std::runtime_error(what)
    , time(t)
    , step(dt)
    , residual(res)
  {}

  BdfIntegrator::BdfIntegrator(const TimeSteppingParameters &p, std::vector<bool> is_vacancy,
                               std::vector<bool> error_controlled)
    : p_(p)
    , is_vacancy_(std::move(is_vacancy))
    , error_controlled_(error_controlled.empty() ? is_vacancy_ : std::move(error_controlled))
  {}

  void BdfIntegrator::reset(const double t0, const Vector<double> &u0)
  {
    t_         = t0;
    u_         = u0;
    dt_        = p_.initial_step;
    n_history_ = 0;
    restart_   = false;
  }

  double BdfIntegrator::error_norm(const Vector<double> &u, const Vector<double> &pred) const
  {
    double e = 0;
    for (unsigned int i = 0; i < u.size(); ++i)
      if (error_controlled_[i])
        e = std::max(e, std::abs(u[i] - pred[i]) / (p_.absolute_tolerance + p_.relative_tolerance * std::abs(u[i])));
    return reduce_ ? reduce_(e) : e;
  }

  void BdfIntegrator::advance(const double t_end, const std::vector<double> &corners_in, const StepSolver &solve,
                              const Observer &observe)
  {
    std::vector<double> corners;
    for (double c : corners_in)
      if (c > t_ * (1 + 1e-14) + 1e-300 && c < t_end)
        corners.push_back(c);
    corners.push_back(t_end);
    std::sort(corners.begin(), corners.end());
    // a call that starts on the stop of the previous one starts as after a corner, with the
    // step capped at a tenth of the first segment (before 2026-12-01 it kept the previous
    // segment's step, e.g. 3e-2 s from a 100 ms write into a 100 ns edge, and left it to
    // rejections by the error test: R-V loop 1129 -> 1041 rejected steps)
    if (restart_ && corners.front() > t_)
      dt_ = std::min(dt_, (corners.front() - t_) / 10.0);

    Vector<double> u(u_.size()), pred(u_.size()), history(u_.size());
    std::size_t    next = 0;
    bool           force_first_order = false;
    unsigned int   steps_here = 0;
    while (next < corners.size())
      {
        const double target = corners[next];
        const double remaining = target - t_;
        if (remaining <= 1e-15 * std::max(1.0, std::abs(target)))
          {
            ++next;
            // restart at a corner: the source derivative jumps, so BDF1 next (the history
            // stays for the error estimate of that step; see the header)
            restart_ = true;
            if (next < corners.size())
              dt_ = std::min(dt_, (corners[next] - target) / 10.0);
            continue;
          }
        double dt = std::min({dt_, p_.largest_step, remaining});
        if (dt < remaining && remaining - dt < 0.05 * dt)
          dt = remaining; // avoid a sliver before the corner
        else if (dt < remaining && remaining < 2.0 * dt)
          dt = 0.5 * remaining;
        const bool lands = (dt == remaining);

        const unsigned int order =
          (n_history_ >= 1 && p_.maximum_order >= 2 && !force_first_order && !restart_) ? 2 : 1;
        // BDF coefficients and history term
        TimeTerm tt;
        if (order == 1)
          {
            tt.a0 = 1.0 / dt;
            history.equ(-1.0 / dt, u_);
          }
        else
          {
            const double w = dt / dt_prev_;
            tt.a0          = (1 + 2 * w) / ((1 + w) * dt);
            history.equ(-(1 + w) / dt, u_);
            history.add(w * w / ((1 + w) * dt), u_prev_);
          }
        tt.history = &history;

        // predictor: polynomial extrapolation through the last states
        bool have_pred = false;
        if (n_history_ >= 2 && order == 2)
          {
            // quadratic through (t-dt_prev2-dt_prev, u_prev2), (t-dt_prev, u_prev), (t, u_)
            const double t0 = -dt_prev_ - dt_prev2_, t1 = -dt_prev_, t2 = 0, x = dt;
            const double l0 = (x - t1) * (x - t2) / ((t0 - t1) * (t0 - t2));
            const double l1 = (x - t0) * (x - t2) / ((t1 - t0) * (t1 - t2));
            const double l2 = (x - t0) * (x - t1) / ((t2 - t0) * (t2 - t1));
            pred.equ(l0, u_prev2_);
            pred.add(l1, u_prev_);
            pred.add(l2, u_);
            have_pred = true;
          }
        else if (n_history_ >= 1)
          {
            pred.equ(1.0 + dt / dt_prev_, u_);
            pred.add(-dt / dt_prev_, u_prev_);
            have_pred = true;
          }
        else
          pred = u_;
        u = pred;
        for (unsigned int i = 0; i < u.size(); ++i)
          if (is_vacancy_[i] && u[i] < 0.5 * u_[i])
            u[i] = 0.5 * u_[i];

        const NewtonResult nr = solve(t_ + dt, tt, u);
        stats_.newton_iterations += nr.iterations;
        stats_.chord_steps += nr.chord_steps;
        if (!nr.converged)
          {
            ++stats_.rejected_newton;
            if (order == 2)
              {
                // BDF2 is not positivity preserving: retry the same step with
                // implicit Euler, whose SG/EAFE system is an M-matrix
                force_first_order = true;
                continue;
              }
            dt_      = dt * 0.25;
            restart_ = true; // BDF1, still error-controlled through the accepted history
            if (dt_ < p_.smallest_step)
              {
                std::ostringstream m;
                m << "time integration failed at t = " << t_ << " s: Newton did not converge with step " << dt
                  << " s (smallest allowed " << p_.smallest_step << " s), scaled residual " << nr.residual_norm
                  << " after " << nr.iterations << " iterations";
                throw ConvergenceFailure(t_, dt, nr.residual_norm, m.str());
              }
            continue;
          }
        double       factor = p_.maximum_growth;
        if (have_pred)
          {
            const double C   = order == 2 ? 2.0 / 11.0 : 1.0 / 3.0;
            const double err = C * error_norm(u, pred);
            // the step may shrink to a tenth on an error-test failure (CVODE's eta_min = 0.1;
            // Hindmarsh et al., ACM TOMS 31, 363 (2005)): the first step after a waveform
            // corner often fails by err ~ 10-60, which a floor of 0.2 took 2-4 rejections to meet
            factor = std::min(p_.maximum_growth, std::max(0.1, 0.9 * std::pow(std::max(err, 1e-12), -1.0 / (order + 1))));
            if (err > 1.0 && dt > p_.smallest_step * 4)
              {
                ++stats_.rejected_error;
                dt_ = dt * factor;
                continue;
              }
          }
        else
          factor = 2.0; // no error estimate on the first step after a restart

        // accept
        force_first_order = false;
        restart_          = false;
        u_prev2_  = u_prev_;
        u_prev_   = u_;
        dt_prev2_ = dt_prev_;
        dt_prev_  = dt;
        u_        = u;
        t_        = lands ? target : t_ + dt;
        n_history_ = std::min(n_history_ + 1, 2u);
        ++stats_.steps;
        if (++steps_here > p_.maximum_steps)
          throw ConvergenceFailure(t_, dt, nr.residual_norm, "time integration exceeded the maximum number of steps");
        // a step shortened to land on a corner does not shrink the next one
        const double requested = dt_;
        dt_ = dt * factor;
        if (dt < requested && factor >= 1.0)
          dt_ = std::max(dt_, requested);
        observe(t_, u_, dt, order, nr);
      }
  }
} // namespace otj
