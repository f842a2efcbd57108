// Exponential relaxation fit by variable projection (see the header).
#include "analysis/exponential_fit.h"

#include "calibration/levenberg_marquardt.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace otj
{
  namespace
  {
    struct Projection
    {
      double              rss = std::numeric_limits<double>::infinity();
      std::vector<double> coefficients; ///< offset, then amplitudes
    };

    /// Linear least squares for offset + amplitudes at fixed taus (normal
    /// equations with partial pivoting; the basis is scaled to O(1)).
    Projection project(const std::vector<double> &t, const std::vector<double> &y, const std::vector<double> &taus)
    {
      const std::size_t m = taus.size() + 1, n = t.size();
      std::vector<std::array<double, 3>> basis(n);
      for (std::size_t k = 0; k < n; ++k)
        {
          basis[k][0] = 1.0;
          for (std::size_t i = 0; i < taus.size(); ++i)
            basis[k][i + 1] = std::exp(-t[k] / taus[i]);
        }
      double A[3][4] = {};
      for (std::size_t k = 0; k < n; ++k)
        for (std::size_t i = 0; i < m; ++i)
          {
            for (std::size_t j = 0; j < m; ++j)
              A[i][j] += basis[k][i] * basis[k][j];
            A[i][m] += basis[k][i] * y[k];
          }
      for (std::size_t c = 0; c < m; ++c)
        {
          std::size_t p = c;
          for (std::size_t r = c + 1; r < m; ++r)
            if (std::abs(A[r][c]) > std::abs(A[p][c]))
              p = r;
          if (std::abs(A[p][c]) < 1e-14 * (std::abs(A[0][0]) + 1e-300))
            return {};
          for (std::size_t j = 0; j <= m; ++j)
            std::swap(A[c][j], A[p][j]);
          for (std::size_t r = 0; r < m; ++r)
            if (r != c)
              {
                const double f = A[r][c] / A[c][c];
                for (std::size_t j = c; j <= m; ++j)
                  A[r][j] -= f * A[c][j];
              }
        }
      Projection pr;
      pr.coefficients.resize(m);
      for (std::size_t i = 0; i < m; ++i)
        pr.coefficients[i] = A[i][m] / A[i][i];
      pr.rss = 0;
      for (std::size_t k = 0; k < n; ++k)
        {
          double f = 0;
          for (std::size_t i = 0; i < m; ++i)
            f += pr.coefficients[i] * basis[k][i];
          pr.rss += (y[k] - f) * (y[k] - f);
        }
      return pr;
    }

    ExponentialFit make_fit(const std::vector<double> &taus, const Projection &p, std::size_t n, double span_y)
    {
      // a singular basis (e.g. a time constant far outside the data's span) leaves no coefficients
      if (p.coefficients.size() != taus.size() + 1)
        throw std::runtime_error("exponential fit: singular least-squares basis (the data do not determine the fit)");
      ExponentialFit f;
      f.terms  = taus.size();
      f.offset = p.coefficients[0];
      std::vector<std::pair<double, double>> ta;
      for (std::size_t i = 0; i < taus.size(); ++i)
        ta.emplace_back(taus[i], p.coefficients[i + 1]);
      std::sort(ta.begin(), ta.end());
      for (const auto &[tau, amp] : ta)
        f.taus.push_back(tau), f.amplitudes.push_back(amp);
      f.rms          = std::sqrt(p.rss / n);
      f.relative_rms = span_y > 0 ? f.rms / span_y : 0;
      const double k = 1 + 2.0 * taus.size();
      f.bic          = n * std::log(std::max(p.rss / n, 1e-300)) + k * std::log(double(n));
      return f;
    }
  } // namespace

  double ExponentialFit::evaluate(const double t) const
  {
    double v = offset;
    for (std::size_t i = 0; i < taus.size(); ++i)
      v += amplitudes[i] * std::exp(-t / taus[i]);
    return v;
  }

  ExponentialFit fit_exponential_decay(const std::vector<double> &t, const std::vector<double> &y,
                                       const ExponentialFitOptions &o)
  {
    if (t.size() != y.size() || t.size() < 4)
      throw std::invalid_argument("fit_exponential_decay: need at least 4 (t, y) points of equal count");
    const std::size_t n = t.size();
    // the smallest positive spacing of the sorted times (the points may come in any order,
    // e.g. an STDP branch sampled from -8 us up to -1 us and fitted in |dt|)
    std::vector<double> ts(t);
    std::sort(ts.begin(), ts.end());
    double dt_min = std::numeric_limits<double>::infinity();
    const double t0 = ts.front(), t1 = ts.back();
    for (std::size_t k = 1; k < n; ++k)
      if (ts[k] - ts[k - 1] > 0)
        dt_min = std::min(dt_min, ts[k] - ts[k - 1]);
    if (!(t1 > t0))
      throw std::invalid_argument("fit_exponential_decay: the times span no interval");
    const double lo = std::log(o.tau_min > 0 ? o.tau_min : 0.1 * dt_min);
    const double hi = std::log(o.tau_max > 0 ? o.tau_max : 10 * (t1 - t0));
    const auto [ymin, ymax] = std::minmax_element(y.begin(), y.end());
    const double span_y     = *ymax - *ymin;

    // one term: log grid, then golden section on the best cell
    const unsigned grid = 80;
    double         best = lo, best_rss = std::numeric_limits<double>::infinity();
    for (unsigned i = 0; i <= grid; ++i)
      {
        const double s = lo + (hi - lo) * i / grid, r = project(t, y, {std::exp(s)}).rss;
        if (r < best_rss)
          best_rss = r, best = s;
      }
    double a = std::max(lo, best - (hi - lo) / grid), b = std::min(hi, best + (hi - lo) / grid);
    const double phi = 0.5 * (std::sqrt(5.0) - 1);
    double c = b - phi * (b - a), d = a + phi * (b - a);
    double fc = project(t, y, {std::exp(c)}).rss, fd = project(t, y, {std::exp(d)}).rss;
    for (int k = 0; k < 80 && b - a > 1e-10; ++k)
      {
        if (fc < fd)
          b = d, d = c, fd = fc, c = b - phi * (b - a), fc = project(t, y, {std::exp(c)}).rss;
        else
          a = c, c = d, fc = fd, d = a + phi * (b - a), fd = project(t, y, {std::exp(d)}).rss;
      }
    const std::vector<double> tau1{std::exp(0.5 * (a + b))};
    ExponentialFit            one = make_fit(tau1, project(t, y, tau1), n, span_y);
    one.single_relative_rms       = one.relative_rms;
    if (o.max_terms < 2 || n < 6 || one.relative_rms <= o.demand_rms)
      return one;

    // two terms: coarse grid over tau_a < tau_b, then LM in (ln tau_a, ln tau_b)
    const unsigned g2 = 40;
    std::vector<double> s2{lo, hi};
    double              r2 = std::numeric_limits<double>::infinity();
    for (unsigned i = 0; i <= g2; ++i)
      for (unsigned j = i + 1; j <= g2; ++j)
        {
          const double sa = lo + (hi - lo) * i / g2, sb = lo + (hi - lo) * j / g2;
          const double r  = project(t, y, {std::exp(sa), std::exp(sb)}).rss;
          if (r < r2)
            r2 = r, s2 = {sa, sb};
        }
    auto residuals = [&](const std::vector<double> &s, const char *) -> std::optional<std::vector<double>> {
      const std::vector<double> taus{std::exp(s[0]), std::exp(s[1])};
      const Projection          p = project(t, y, taus);
      if (!std::isfinite(p.rss) || p.coefficients.size() != 3)
        return std::nullopt;
      std::vector<double> res(n);
      for (std::size_t k = 0; k < n; ++k)
        res[k] = y[k] - (p.coefficients[0] + p.coefficients[1] * std::exp(-t[k] / taus[0]) +
                         p.coefficients[2] * std::exp(-t[k] / taus[1]));
      return res;
    };
    LevenbergMarquardtOptions lmo;
    lmo.max_iterations = 40;
    lmo.jacobian_step  = 1e-4;
    const auto lm = levenberg_marquardt(
      residuals, s2, lmo, [](const std::vector<double> &) { return false; },
      [&](std::vector<double> s) {
        for (double &v : s)
          v = std::clamp(v, lo, hi);
        return s;
      });
    const std::vector<double> taus2{std::exp(lm.x[0]), std::exp(lm.x[1])};
    const Projection          p2 = project(t, y, taus2);
    if (!std::isfinite(p2.rss) || std::abs(lm.x[0] - lm.x[1]) < 1e-3 || p2.coefficients.size() != 3)
      return one;
    ExponentialFit two      = make_fit(taus2, p2, n, span_y);
    two.single_relative_rms = one.relative_rms;
    return two.bic < one.bic - 10 ? two : one;
  }
} // namespace otj
