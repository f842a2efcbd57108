// Threshold search: bracketing and safeguarded Illinois iteration (see the header).
#include "analysis/threshold_search.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace otj
{
  ThresholdSearchResult find_threshold(const std::function<std::optional<double>(double)> &response,
                                       const double criterion, const ThresholdSearchOptions &o)
  {
    if (!(criterion > 0) || !(o.lower > 0) || !(o.upper > o.lower) || !(o.growth > 1) || o.start <= 0)
      throw std::invalid_argument("find_threshold: need criterion > 0, 0 < lower < upper, growth > 1, start > 0");
    ThresholdSearchResult r;
    // g = ln(response / criterion): > 0 above the threshold
    auto g = [&](double V) -> std::optional<double> {
      if (r.evaluations >= o.max_evaluations)
        return std::nullopt;
      ++r.evaluations;
      const auto y = response(V);
      if (!y || !std::isfinite(*y))
        {
          ++r.failures;
          return std::nullopt;
        }
      r.trace.emplace_back(V, *y);
      return std::log(std::max(*y, 1e-300) / criterion);
    };

    // 1. bracket [a, b] with g(a) < 0 <= g(b)
    double                a = 0, b = 0, ga = 0, gb = 0;
    bool                  have_a = false, have_b = false;
    double                V  = std::clamp(o.start, o.lower, o.upper);
    std::optional<double> gv = g(V);
    // a failed start: try smaller amplitudes first (failures are usually at high drive)
    while (!gv && r.evaluations < o.max_evaluations && V > o.lower)
      gv = g(V = std::max(o.lower, V / o.growth));
    if (!gv)
      return r;
    (*gv < 0 ? (a = V, ga = *gv, have_a = true) : (b = V, gb = *gv, have_b = true));
    double high_limit = o.upper; // lowered when an evaluation fails going up
    while (!(have_a && have_b) && r.evaluations < o.max_evaluations)
      {
        if (!have_b)
          {
            if (a >= high_limit)
              return r; // no response up to the largest usable amplitude
            const double Vn = std::min(a * o.growth, high_limit);
            const auto   gn = g(Vn);
            if (!gn)
              high_limit = 0.5 * (a + Vn);
            else if (*gn < 0)
              a = Vn, ga = *gn;
            else
              b = Vn, gb = *gn, have_b = true;
          }
        else
          {
            if (b <= o.lower)
              return r; // responds at the smallest amplitude: no threshold above `lower`
            const double Vn = std::max(b / o.growth, o.lower);
            const auto   gn = g(Vn);
            if (!gn || *gn >= 0)
              {
                if (gn)
                  b = Vn, gb = *gn;
                else
                  return r;
              }
            else
              a = Vn, ga = *gn, have_a = true;
          }
      }
    if (!(have_a && have_b))
      return r;
    r.bracketed = true;

    // 2. Illinois on [a, b]
    int side = 0; // which end was kept last (for the Illinois halving)
    while (b - a > o.relative_tolerance * b && r.evaluations < o.max_evaluations)
      {
        const double width = b - a;
        double       Vn    = (a * gb - b * ga) / (gb - ga);
        if (!(Vn > a && Vn < b))
          Vn = 0.5 * (a + b);
        // keep the new point away from the ends so that the bracket shrinks
        Vn = std::clamp(Vn, a + 0.05 * width, b - 0.05 * width);
        auto gn = g(Vn);
        if (!gn)
          {
            // a failure inside the bracket: bisect instead, then give up
            Vn = 0.5 * (a + b);
            gn = g(Vn);
            if (!gn)
              break;
          }
        if (*gn < 0)
          {
            a = Vn, ga = *gn;
            if (side == -1)
              gb *= 0.5;
            side = -1;
          }
        else
          {
            b = Vn, gb = *gn;
            if (side == +1)
              ga *= 0.5;
            side = +1;
          }
      }
    r.below     = a;
    r.above     = b;
    r.converged = b - a <= o.relative_tolerance * b;
    // linear interpolation of ln(response) over the final bracket (true values, not the halved ones)
    double ya = 0, yb = 0;
    for (const auto &[x, y] : r.trace)
      {
        if (x == a)
          ya = std::log(std::max(y, 1e-300) / criterion);
        if (x == b)
          yb = std::log(std::max(y, 1e-300) / criterion);
      }
    r.threshold = yb > ya ? a + (b - a) * (0 - ya) / (yb - ya) : 0.5 * (a + b);
    r.threshold = std::clamp(r.threshold, a, b);
    return r;
  }
} // namespace otj
