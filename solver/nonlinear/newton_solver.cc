// Damped Newton solver (see newton_solver.h).
#include "nonlinear/newton_solver.h"

#include <deal.II/base/parameter_handler.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace otj
{
  using namespace dealii;

  void NewtonParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Newton");
    prm.declare_entry("Maximum iterations", "40", Patterns::Integer(1, 1000), "Newton iterations per solve.");
    prm.declare_entry("Potential tolerance (V)", "1e-9", Patterns::Double(1e-16, 1.0),
                      "Converged when the potential update is below this (V) ...");
    prm.declare_entry("Concentration tolerance", "1e-9", Patterns::Double(1e-16, 1.0),
                      "... and every vacancy update is below this fraction of the local density.");
    prm.declare_entry("Maximum potential step (V)", "0.5", Patterns::Double(1e-3, 100.0),
                      "Largest potential change allowed in one Newton iteration (V).");
    prm.leave_subsection();
  }

  void NewtonParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Newton");
    max_iterations          = prm.get_integer("Maximum iterations");
    potential_tolerance     = prm.get_double("Potential tolerance (V)");
    concentration_tolerance = prm.get_double("Concentration tolerance");
    max_potential_step      = prm.get_double("Maximum potential step (V)");
    prm.leave_subsection();
  }

  NewtonSolver::NewtonSolver(const SparsityPattern &sparsity, const NewtonParameters &p)
    : params_(p)
  {
    jacobian_.reinit(sparsity);
  }

  NewtonResult NewtonSolver::solve(const Assembler &assemble, const std::vector<bool> &is_vacancy, Vector<double> &u)
  {
    NewtonResult r;
    const unsigned int n = u.size();
    residual_.reinit(n);
    update_.reinit(n);
    trial_.reinit(n);
    trial_residual_.reinit(n);

    assemble(u, residual_, &jacobian_);
    double f0 = residual_.l2_norm();
    for (unsigned int it = 1; it <= params_.max_iterations; ++it)
      {
        r.iterations = it;
        if (!std::isfinite(f0))
          break;
        lu_.initialize(jacobian_);
        lu_.vmult(update_, residual_);
        update_ *= -1.0;

        double dphi    = 0;
        bool   small_c0 = true;
        for (unsigned int i = 0; i < n; ++i)
          if (!is_vacancy[i])
            dphi = std::max(dphi, std::abs(update_[i]));
          else if (std::abs(update_[i]) >
                   params_.concentration_tolerance * (std::abs(u[i]) + params_.concentration_floor))
            small_c0 = false;
        // converged: the full Newton correction is below the tolerances
        if (dphi <= params_.potential_tolerance && small_c0)
          {
            u += update_;
            r.converged     = true;
            r.update_norm   = dphi;
            r.residual_norm = f0;
            return r;
          }
        double lambda = std::min(1.0, params_.max_potential_step / std::max(dphi, 1e-300));

        double f = 0;
        bool   accepted = false;
        for (unsigned int k = 0; k <= params_.max_backtracking; ++k)
          {
            for (unsigned int i = 0; i < n; ++i)
              {
                double v = u[i] + lambda * update_[i];
                if (is_vacancy[i] && v < 0.01 * u[i])
                  v = 0.01 * u[i];
                trial_[i] = v;
              }
            assemble(trial_, trial_residual_, nullptr);
            f = trial_residual_.l2_norm();
            if (std::isfinite(f) && (f <= (1.0 - 1e-4 * lambda) * f0 || k == params_.max_backtracking))
              {
                accepted = std::isfinite(f);
                break;
              }
            lambda *= 0.5;
          }
        if (!accepted)
          break;

        // convergence test on the update actually taken
        double max_dphi = 0;
        bool   small_c  = true;
        for (unsigned int i = 0; i < n; ++i)
          {
            const double d = trial_[i] - u[i];
            if (is_vacancy[i])
              {
                if (std::abs(d) > params_.concentration_tolerance *
                                    (std::abs(trial_[i]) + params_.concentration_floor))
                  small_c = false;
              }
            else
              max_dphi = std::max(max_dphi, std::abs(d));
          }
        u.swap(trial_);
        if (std::getenv("OTJ_DEBUG_NEWTON"))
          std::fprintf(stderr, "newton it %u: |R| %.3e -> %.3e, lambda %.3g, max dphi %.3e, c-small %d\n", it, f0, f,
                       lambda, max_dphi, int(small_c));
        r.update_norm   = max_dphi;
        r.residual_norm = f;
        if (lambda == 1.0 && max_dphi <= params_.potential_tolerance && small_c)
          {
            r.converged = true;
            return r;
          }
        assemble(u, residual_, &jacobian_);
        f0 = residual_.l2_norm();
      }
    r.residual_norm = f0;
    return r;
  }
} // namespace otj
