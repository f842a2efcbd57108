// Levenberg-Marquardt for expensive models (see levenberg_marquardt.h).
#include "calibration/levenberg_marquardt.h"

#include <deal.II/lac/full_matrix.h>

#include "common/parallel_tasks.h"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>

namespace otj
{
  namespace
  {
    double cost(const std::vector<double> &r)
    {
      double c = 0;
      for (double x : r)
        c += x * x;
      return 0.5 * c;
    }
  } // namespace

  LevenbergMarquardtResult levenberg_marquardt(
    const std::function<std::optional<std::vector<double>>(const std::vector<double> &, const char *)> &model,
    std::vector<double> x, const LevenbergMarquardtOptions &o, const std::function<bool(const std::vector<double> &)> &done,
    const std::function<std::vector<double>(const std::vector<double> &)> &project)
  {
    LevenbergMarquardtResult res;
    std::atomic<unsigned int> evaluations{0};
    auto eval = [&](const std::vector<double> &p, const char *role) {
      ++evaluations;
      return model(p, role);
    };
    x        = project(x);
    auto r0  = eval(x, "start");
    if (!r0)
      throw std::runtime_error("Levenberg-Marquardt: the model fails at the starting point");
    std::vector<double> r = *r0;
    res.accepted.push_back(x);
    const unsigned n = x.size(), m = r.size();
    double         lambda = o.initial_damping;
    for (; res.iterations < o.max_iterations && n > 0 && !done(r); ++res.iterations)
      {
        dealii::FullMatrix<double> J(m, n);
        // a column that the model cannot evaluate in either direction (noted, not thrown from a worker)
        std::atomic<long> failed_column{-1};
        // the columns are independent evaluations: side by side on "threads" workers
        for_each_index(n, worker_count(o.threads, n), [&](std::size_t j, unsigned int) {
            double              h  = o.jacobian_step;
            std::vector<double> xp = x;
            xp[j] += h;
            xp      = project(xp);
            const bool up_pinned = xp[j] == x[j];
            auto       rp        = up_pinned ? std::nullopt : eval(xp, "jacobian");
            if (!rp) // at a bound or a failing point: the backward difference
              {
                xp = x, xp[j] -= h, xp = project(xp);
                if (up_pinned && xp[j] == x[j])
                  {
                    // the bounds pin this parameter (lower = upper): a zero column, held
                    for (unsigned i = 0; i < m; ++i)
                      J(i, j) = 0.0;
                    return;
                  }
                rp = xp[j] != x[j] ? eval(xp, "jacobian") : std::nullopt;
              }
            if (!rp || xp[j] == x[j])
              {
                failed_column = static_cast<long>(j);
                return;
              }
            if (rp->size() < m)
              throw std::runtime_error("Levenberg-Marquardt: the model changed its number of residuals");
            for (unsigned i = 0; i < m; ++i)
              J(i, j) = ((*rp)[i] - r[i]) / (xp[j] - x[j]);
          });
        if (failed_column >= 0)
          {
            // at the start nothing was gained: an error; later the accepted steps are kept and
            // returned with the reason (before 2026-12-02 they were thrown away: the compact
            // extraction's 0 V fit lost three iterations' progress this way)
            if (res.iterations == 0)
              throw std::runtime_error("Levenberg-Marquardt: cannot evaluate a Jacobian column");
            res.stopped_by = "the model could not be evaluated around parameter " + std::to_string(failed_column) +
                             " for the Jacobian of iteration " + std::to_string(res.iterations + 1) +
                             "; the last accepted point is returned";
            break;
          }
        bool accepted = false;
        for (unsigned attempt = 0; attempt < o.max_attempts && !accepted; ++attempt)
          {
            dealii::FullMatrix<double> A(n, n);
            std::vector<double>        g(n, 0.0);
            for (unsigned a = 0; a < n; ++a)
              {
                for (unsigned i = 0; i < m; ++i)
                  g[a] += J(i, a) * r[i];
                for (unsigned b = 0; b < n; ++b)
                  for (unsigned i = 0; i < m; ++i)
                    A(a, b) += J(i, a) * J(i, b);
              }
            // Marquardt's scaling, plus Levenberg's identity term at 1e-6 of the
            // largest diagonal so that a parameter without influence (a zero
            // Jacobian column) is held, not sent to a bound by a singular system
            double largest = 0;
            for (unsigned a = 0; a < n; ++a)
              largest = std::max(largest, A(a, a));
            for (unsigned a = 0; a < n; ++a)
              A(a, a) = A(a, a) * (1 + lambda) + lambda * 1e-6 * largest + 1e-300;
            A.gauss_jordan();
            std::vector<double> xt = x;
            for (unsigned a = 0; a < n; ++a)
              for (unsigned b = 0; b < n; ++b)
                xt[a] -= A(a, b) * g[b];
            xt            = project(xt);
            const auto rt = eval(xt, "step");
            if (rt && cost(*rt) < cost(r))
              {
                x = xt, r = *rt, accepted = true;
                lambda = std::max(lambda / 3, 1e-7);
                res.accepted.push_back(x);
              }
            else
              lambda *= 4;
          }
        if (!accepted)
          break;
      }
    res.done      = done(r);
    res.x         = x;
    res.residuals = r;
    res.evaluations = evaluations;
    return res;
  }
} // namespace otj
