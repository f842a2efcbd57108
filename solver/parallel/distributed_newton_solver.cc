// Distributed damped Newton solver (see distributed_newton_solver.h).
#include "parallel/distributed_newton_solver.h"

#include <deal.II/base/mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace otj
{
  using namespace dealii;

  namespace
  {
    double seconds_since(const std::chrono::steady_clock::time_point t0)
    {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
  } // namespace

  bool DistributedNewtonSolver::linear_solve(const DistributedVector &b, DistributedVector &x,
                                             const double relative_tolerance)
  {
    const auto t0 = std::chrono::steady_clock::now();
    const bool ok = linear_.solve(b, x, relative_tolerance);
    stats_.solve_seconds += seconds_since(t0);
    stats_.linear_iterations += linear_.last_iterations();
    stats_.preconditioner_fallbacks = linear_.fallbacks();
    stats_.petsc_selfp_setups       = linear_.petsc_selfp_setups();
    return ok;
  }

  NewtonResult DistributedNewtonSolver::solve(const Assembler &assemble, DistributedVector &u)
  {
    NewtonResult       r;
    const unsigned int n        = u.locally_owned_size();
    linear_.use_fast_preconditioner();
    const double       n_global = u.size();
    for (auto *v : {&residual_, &update_, &trial_, &trial_residual_, &simplified_})
      v->reinit(u, true);
    auto timed_assemble = [&](const DistributedVector &x, DistributedVector &R,
                              PETScWrappers::MPI::SparseMatrix *J) {
      const auto t0 = std::chrono::steady_clock::now();
      assemble(x, R, J);
      stats_.assembly_seconds += seconds_since(t0);
    };

    timed_assemble(u, residual_, &jacobian_);
    double       f0      = residual_.l2_norm();
    const double f_first = f0;
    for (unsigned int it = 1; it <= params_.max_iterations; ++it)
      {
        r.iterations = it;
        ++stats_.newton_iterations;
        if (!std::isfinite(f0))
          break;
        {
          const auto t0 = std::chrono::steady_clock::now();
          if (box_)
            linear_.initialize(jacobian_, box_->build(jacobian_, u));
          else
            linear_.initialize(jacobian_);
          stats_.setup_seconds += seconds_since(t0);
        }
        if (!linear_solve(residual_, update_))
          break; // the caller cuts the step
        update_ *= -1.0;

        double dphi = 0;
        int    small_c0 = 1;
        for (unsigned int i = 0; i < n; ++i)
          if (!is_vacancy_[i])
            dphi = std::max(dphi, std::abs(update_.local_element(i)));
          else if (std::abs(update_.local_element(i)) >
                   params_.concentration_tolerance * (std::abs(u.local_element(i)) + params_.concentration_floor))
            small_c0 = 0;
        dphi     = Utilities::MPI::max(dphi, comm_);
        small_c0 = Utilities::MPI::min(small_c0, comm_);
        // converged: the full update is below the tolerances, or the potential
        // update is and the residual has fallen by round_off_reduction from
        // the first iterate (round-off level: the relative vacancy test can no
        // longer be met where a node's density is far below its neighbours';
        // measured at 1e6 DOFs: 17 extra iterations with lambda -> 0 at
        // |R| ~ 3e-11 |R_0|; the residual test of PETSc SNES, Balay et al.,
        // PETSc users manual, SNESConvergedDefault)
        if (dphi <= params_.potential_tolerance && (small_c0 || f0 <= round_off_reduction * f_first))
          {
            for (unsigned int i = 0; i < n; ++i)
              {
                const double v      = u.local_element(i) + update_.local_element(i);
                u.local_element(i) = is_vacancy_[i] ? std::clamp(v, 0.0, site_limit_[i]) : v;
              }
            r.converged     = true;
            r.update_norm   = dphi;
            r.residual_norm = f0;
            return r;
          }
        double lambda = std::min(1.0, params_.max_potential_step / std::max(dphi, 1e-300));

        // Densities stay in the lattice gas's range 0 <= c <= c_max: a falling
        // density moves in log c, a rising one in log(c_max - c), both equal
        // to the Newton step lam d to first order. (Beyond c_max the exclusion
        // factors 1 - c/c_max of the flux law are negative: the lattice-gas law
        // is outside its range. At the C-AFM tip's contact rim, whose node
        // fills its sites within a 1 ps step, plain updates put the node at
        // 11 c_max and the line search then crawled at lambda = 1/256 to the
        // iteration limit: test_parallel.cc,
        // GmshCafmTipVacancyTransportFromAsGrownConvergesAndConserves.)
        auto make_trial = [&](const double lam) {
          for (unsigned int i = 0; i < n; ++i)
            {
              const double ui = u.local_element(i), di = update_.local_element(i);
              if (is_vacancy_[i] && di < 0)
                trial_.local_element(i) = ui > 0 ? ui * std::exp(std::max(lam * di / ui, -700.0)) : 0.0;
              else if (is_vacancy_[i] && di > 0 && std::isfinite(site_limit_[i]))
                {
                  // c_max - c' = (c_max - c) exp(-lam d / (c_max - c)), written as
                  // c' = c - (c_max - c) expm1(...): no cancellation for c << c_max
                  const double empty = site_limit_[i] - ui;
                  trial_.local_element(i) =
                    empty > 0 ? ui - empty * std::expm1(std::max(-lam * di / empty, -700.0)) : site_limit_[i];
                }
              else
                trial_.local_element(i) = ui + lam * di;
            }
        };
        auto scaled_norm = [&](const DistributedVector &d, const DistributedVector &ref) {
          double s2 = 0;
          for (unsigned int i = 0; i < n; ++i)
            {
              const double w = is_vacancy_[i] ? std::abs(ref.local_element(i)) + params_.concentration_floor : 0.025;
              s2 += (d.local_element(i) / w) * (d.local_element(i) / w);
            }
          return std::sqrt(Utilities::MPI::sum(s2, comm_) / n_global);
        };
        const double theta0 = scaled_norm(update_, u);
        double f = 0, best_theta = std::numeric_limits<double>::infinity(), best_lambda = lambda, best_f = 0;
        bool   accepted = false;
        for (unsigned int k = 0; k <= params_.max_backtracking; ++k)
          {
            make_trial(lambda);
            timed_assemble(trial_, trial_residual_, nullptr);
            f = trial_residual_.l2_norm();
            // the simplified correction only decides the step length:
            // a loose Krylov tolerance suffices (Deuflhard 2004, sec. 3.3.4)
            if (std::isfinite(f) && linear_solve(trial_residual_, simplified_, simplified_relative_tolerance))
              {
                const double theta = scaled_norm(simplified_, u);
                if (theta < best_theta)
                  {
                    best_theta  = theta;
                    best_lambda = lambda;
                    best_f      = f;
                  }
                if (theta <= (1.0 - lambda / 4.0) * theta0)
                  {
                    accepted = true;
                    break;
                  }
              }
            lambda *= 0.5;
          }
        if (!accepted)
          {
            if (!std::isfinite(best_theta))
              break;
            lambda = best_lambda;
            make_trial(lambda);
            f = best_f;
          }

        double max_dphi = 0;
        int    small_c  = 1;
        for (unsigned int i = 0; i < n; ++i)
          {
            const double d = trial_.local_element(i) - u.local_element(i);
            if (is_vacancy_[i])
              {
                if (std::abs(d) >
                    params_.concentration_tolerance * (std::abs(trial_.local_element(i)) + params_.concentration_floor))
                  small_c = 0;
              }
            else
              max_dphi = std::max(max_dphi, std::abs(d));
          }
        max_dphi = Utilities::MPI::max(max_dphi, comm_);
        small_c  = Utilities::MPI::min(small_c, comm_);
        u.swap(trial_);
        if (std::getenv("OTJ_DEBUG_NEWTON") && Utilities::MPI::this_mpi_process(comm_) == 0)
          std::fprintf(stderr, "newton it %u: |R| %.3e -> %.3e, lambda %.3g, max dphi %.3e, c-small %d, krylov %u\n",
                       it, f0, f, lambda, max_dphi, small_c, linear_.last_iterations());
        r.update_norm   = max_dphi;
        r.residual_norm = f;
        if (lambda == 1.0 && max_dphi <= params_.potential_tolerance && small_c)
          {
            r.converged = true;
            return r;
          }
        timed_assemble(u, residual_, &jacobian_);
        f0 = residual_.l2_norm();
      }
    r.residual_norm = f0;
    return r;
  }
} // namespace otj
