// Damped Newton solver (see newton_solver.h).
#include "nonlinear/newton_solver.h"

#include <deal.II/base/parameter_handler.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdio>
#include <cstdlib>

namespace otj
{
  using namespace dealii;

  void NewtonParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Newton");
    prm.declare_entry("Maximum iterations", "40", Patterns::Integer(1, 1000), "Newton iterations per solve.");
    prm.declare_entry("Potential tolerance (V)", "1e-10", Patterns::Double(1e-16, 1.0),
                      "Converged when the potential update is below this (V) ...");
    prm.declare_entry("Concentration tolerance", "1e-10", Patterns::Double(1e-16, 1.0),
                      "... and every vacancy update is below this fraction of the local density.");
    prm.declare_entry("Maximum potential step (V)", "0.5", Patterns::Double(1e-3, 100.0),
                      "Largest potential change allowed in one Newton iteration (V).");
    prm.declare_entry("Chord contraction", "0.1", Patterns::Double(0.0, 1.0),
                      "When a full Newton step shrinks the next (simplified) correction by at least this "
                      "factor, the next iterate is a chord step with the factorisation at hand instead of a "
                      "new one (0 = always Newton). The convergence test is the same either way.");
    prm.declare_entry("Step tolerance fraction", "0.01", Patterns::Double(0.0, 1.0),
                      "In a step of the adaptive time integrator, Newton stops when every vacancy correction "
                      "is below this fraction of the local-error tolerance (atol + rtol |c|), when that is looser "
                      "than the concentration tolerance above (the potential keeps its tolerance; the nonlinear "
                      "error then stays well below the time error; Hindmarsh et al., "
                      "ACM TOMS 31, 363 (2005), section 2.1). 0 = the fixed tolerances in every solve.");
    prm.leave_subsection();
  }

  void NewtonParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Newton");
    max_iterations          = prm.get_integer("Maximum iterations");
    potential_tolerance     = prm.get_double("Potential tolerance (V)");
    concentration_tolerance = prm.get_double("Concentration tolerance");
    max_potential_step      = prm.get_double("Maximum potential step (V)");
    chord_contraction       = prm.get_double("Chord contraction");
    step_tolerance_fraction = prm.get_double("Step tolerance fraction");
    prm.leave_subsection();
  }

  NewtonSolver::NewtonSolver(const SparsityPattern &sparsity, const NewtonParameters &p)
    : params_(p)
  {
    jacobian_.reinit(sparsity);
    csr_.build(sparsity);
    // the band solve pays when the band is narrow compared with the size
    const int width = csr_.lower + csr_.upper;
    // (OTJ_SPARSE_LU=1 forces UMFPACK, for comparisons)
    banded_ = p.band_solver && width <= 64 && static_cast<unsigned int>(width) * 4 < sparsity.n_rows() && !std::getenv("OTJ_SPARSE_LU");
  }

  void NewtonSolver::factorize()
  {
    if (banded_)
      band_lu_.initialize(jacobian_, csr_);
    else
      lu_.initialize(jacobian_);
  }

  void NewtonSolver::apply_inverse(Vector<double> &dst, const Vector<double> &src) const
  {
    if (banded_)
      band_lu_.vmult(dst, src);
    else
      lu_.vmult(dst, src);
  }

  void NewtonSolver::apply_inverse(Vector<double> &b) const
  {
    if (banded_)
      band_lu_.solve(b);
    else
      lu_.solve(b);
  }

  void NewtonSolver::refine_linear_solve()
  {
    // One step of iterative refinement with the linear residual accumulated in
    // extended precision: J mixes flux couplings ~1e8 times larger than the
    // accumulation term at long time steps, and the plain solve loses the
    // vacancy balance to round-off (Higham, Accuracy and Stability of
    // Numerical Algorithms, 2nd ed., ch. 12).
    const unsigned int  n   = update_.size();
    const double *const val = CsrStructure::values(jacobian_);
    for (unsigned int i = 0; i < n; ++i)
      {
        long double r = -static_cast<long double>(residual_[i]);
        for (std::size_t k = csr_.row_start[i]; k < csr_.row_start[i + 1]; ++k)
          r -= static_cast<long double>(val[k]) * static_cast<long double>(update_[csr_.column[k]]);
        correction_[i] = static_cast<double>(r);
      }
    apply_inverse(correction_);
    update_ += correction_;
  }

  NewtonResult NewtonSolver::solve(const Assembler &assemble, const std::vector<bool> &is_vacancy, Vector<double> &u,
                                   const NewtonTolerances *tolerances)
  {
    const NewtonTolerances tol = tolerances ? *tolerances : params_.tolerances();
    NewtonResult r;
    const unsigned int n = u.size();
    residual_.reinit(n);
    update_.reinit(n);
    trial_.reinit(n);
    trial_residual_.reinit(n);
    simplified_.reinit(n);
    correction_.reinit(n);

    assemble(u, residual_, &jacobian_);
    double f0 = residual_.l2_norm();
    for (unsigned int it = 1; it <= params_.max_iterations; ++it)
      {
        r.iterations = it;
        if (!std::isfinite(f0))
          break;
        try
          {
            factorize();
          }
        catch (const std::exception &)
          {
            break; // singular Jacobian: report non-convergence, the caller cuts the step
          }
        apply_inverse(update_, residual_);
        update_ *= -1.0;
        if (params_.iterative_refinement)
          refine_linear_solve();

        double dphi    = 0;
        bool   small_c0 = true;
        for (unsigned int i = 0; i < n; ++i)
          if (!is_vacancy[i])
            dphi = std::max(dphi, std::abs(update_[i]));
          else if (std::abs(update_[i]) >
                   tol.concentration * (std::abs(u[i]) + tol.floor))
            small_c0 = false;
        // converged: the full Newton correction is below the tolerances
        if (dphi <= tol.potential && small_c0)
          {
            for (unsigned int i = 0; i < n; ++i)
              u[i] = (is_vacancy[i] && u[i] + update_[i] < 0) ? 0.0 : u[i] + update_[i];
            r.converged     = true;
            r.update_norm   = dphi;
            r.residual_norm = f0;
            return r;
          }
        double lambda = std::min(1.0, params_.max_potential_step / std::max(dphi, 1e-300));

        // Trial state. Densities that decrease are updated in the logarithm,
        // c <- c exp(lambda dc / c): identical to Newton for small relative
        // changes, and positive when c must fall by orders of magnitude.
        auto make_trial = [&](const double lam) {
          for (unsigned int i = 0; i < n; ++i)
            {
              if (is_vacancy[i] && update_[i] < 0)
                trial_[i] = u[i] > 0 ? u[i] * std::exp(std::max(lam * update_[i] / u[i], -700.0)) : 0.0;
              else
                trial_[i] = u[i] + lam * update_[i];
            }
        };
        // Natural monotonicity test (Deuflhard, "Newton Methods for Nonlinear
        // Problems", 2004, section 3.3): the simplified Newton correction
        // J(u)^-1 R(trial), in a scaled norm, must shrink. It is invariant
        // under the row scaling that makes the plain residual norm stall.
        auto scaled_norm = [&](const Vector<double> &d, const Vector<double> &ref) {
          double s2 = 0;
          for (unsigned int i = 0; i < n; ++i)
            {
              const double w = is_vacancy[i] ? std::abs(ref[i]) + params_.concentration_floor : 0.025;
              s2 += (d[i] / w) * (d[i] / w);
            }
          return std::sqrt(s2 / n);
        };
        const double theta0 = scaled_norm(update_, u);
        double f = 0, best_theta = std::numeric_limits<double>::infinity(), best_lambda = lambda, best_f = 0;
        bool   accepted = false;
        // the first trial (full or step-limited) is usually accepted: assemble
        // its Jacobian with its residual, so that the next iteration need not
        // assemble the same state again (the factorisation of J(u) used below
        // for the simplified corrections is already in the LU)
        bool jacobian_at_trial = false;
        for (unsigned int k = 0; k <= params_.max_backtracking; ++k)
          {
            make_trial(lambda);
            assemble(trial_, trial_residual_, k == 0 ? &jacobian_ : nullptr);
            jacobian_at_trial = (k == 0);
            f = trial_residual_.l2_norm();
            if (std::isfinite(f))
              {
                apply_inverse(simplified_, trial_residual_);
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
            jacobian_at_trial = false;
          }

        // convergence test on the next correction (Deuflhard, section 2.1.2: the
        // simplified correction J(u)^-1 R(trial) of an accepted full step estimates
        // the error of the trial): below the tolerances, the trial is the solution,
        // without factorising J(trial). The trial is returned, not trial minus that
        // correction: the correction is a plain solve (no refinement, see
        // refine_linear_solve), and the trial's vacancy balance is the refined one.
        if (accepted && lambda == 1.0)
          {
            bool small = true;
            for (unsigned int i = 0; i < n && small; ++i)
              small = is_vacancy[i] ? std::abs(simplified_[i]) <= tol.concentration *
                                                                     (std::abs(trial_[i]) + tol.floor)
                                    : std::abs(simplified_[i]) <= tol.potential;
            if (small)
              {
                double max_dphi = 0;
                for (unsigned int i = 0; i < n; ++i)
                  if (!is_vacancy[i])
                    max_dphi = std::max(max_dphi, std::abs(trial_[i] - u[i]));
                u.swap(trial_);
                r.converged     = true;
                r.update_norm   = max_dphi;
                r.residual_norm = f;
                return r;
              }
            // Not yet small, but contracting fast: one chord (simplified Newton) step with the
            // factorisation already at hand instead of a new one (Deuflhard, section 2.1.4; the
            // modified Newton iteration of stiff BDF codes, Hairer & Wanner, Solving ODEs II,
            // section IV.8). Its correction is refined against the Jacobian in jacobian_ as a
            // full step's is (refine_linear_solve: the vacancy balance), and the same test on
            // the next simplified correction decides; otherwise Newton goes on from the chord
            // iterate with a fresh Jacobian.
            if (best_theta <= params_.chord_contraction * theta0)
              {
                update_ = simplified_;
                update_ *= -1.0;
                residual_.swap(trial_residual_); // R(trial), the right-hand side of this correction
                if (params_.iterative_refinement)
                  refine_linear_solve();
                bool positive = true;
                for (unsigned int i = 0; i < n && positive; ++i)
                  {
                    simplified_[i] = trial_[i] + update_[i]; // the chord iterate
                    positive       = !(is_vacancy[i] && simplified_[i] < 0);
                  }
                if (positive)
                  {
                    ++it;
                    r.iterations = it;
                    ++r.chord_steps;
                    assemble(simplified_, trial_residual_, nullptr);
                    const double fc = trial_residual_.l2_norm();
                    if (std::isfinite(fc))
                      {
                        apply_inverse(correction_, trial_residual_);
                        bool chord_small = true;
                        for (unsigned int i = 0; i < n && chord_small; ++i)
                          chord_small = is_vacancy[i] ? std::abs(correction_[i]) <=
                                                          tol.concentration *
                                                            (std::abs(simplified_[i]) + tol.floor)
                                                      : std::abs(correction_[i]) <= tol.potential;
                        double max_dphi = 0;
                        for (unsigned int i = 0; i < n; ++i)
                          if (!is_vacancy[i])
                            max_dphi = std::max(max_dphi, std::abs(simplified_[i] - u[i]));
                        if (chord_small)
                          {
                            u.swap(simplified_);
                            r.converged     = true;
                            r.update_norm   = max_dphi;
                            r.residual_norm = fc;
                            return r;
                          }
                        // go on from the chord iterate with its Jacobian
                        u.swap(simplified_);
                        assemble(u, residual_, &jacobian_);
                        f0 = residual_.l2_norm();
                        r.update_norm   = max_dphi;
                        r.residual_norm = f0;
                        continue;
                      }
                  }
                residual_.swap(trial_residual_); // back to R(trial) for the path below
              }
          }

        // convergence test on the update actually taken
        double max_dphi = 0, worst_c = 0;
        unsigned int worst_i = 0;
        bool   small_c  = true;
        for (unsigned int i = 0; i < n; ++i)
          {
            const double d = trial_[i] - u[i];
            if (is_vacancy[i])
              {
                const double rel = std::abs(d) / (std::abs(trial_[i]) + tol.floor);
                if (rel > worst_c)
                  {
                    worst_c = rel;
                    worst_i = i;
                  }
                if (rel > tol.concentration)
                  small_c = false;
              }
            else
              max_dphi = std::max(max_dphi, std::abs(d));
          }
        u.swap(trial_);
        if (std::getenv("OTJ_DEBUG_NEWTON"))
          std::fprintf(stderr, "newton it %u: |R| %.3e -> %.3e, lambda %.3g, max dphi %.3e, c-small %d (worst dc/c %.2e at %u, c %.6e)\n", it, f0, f,
                       lambda, max_dphi, int(small_c), worst_c, worst_i, u[worst_i]);
        r.update_norm   = max_dphi;
        r.residual_norm = f;
        if (lambda == 1.0 && max_dphi <= tol.potential && small_c)
          {
            r.converged = true;
            return r;
          }
        if (jacobian_at_trial)
          residual_.swap(trial_residual_); // J(u) was assembled with the trial
        else
          assemble(u, residual_, &jacobian_);
        f0 = residual_.l2_norm();
      }
    r.residual_norm = f0;
    return r;
  }
} // namespace otj
