// Case enumeration and seed variation of a sweep (see sweep_cases.h).
#include "sweep/sweep_cases.h"

#include <cmath>
#include <cstdio>
#include <random>

namespace otj
{
  std::vector<SweepCase> enumerate_cases(const CaseLists &L)
  {
    std::vector<SweepCase> cases;
    cases.reserve(L.temperatures.size() * L.material_factors.size() * L.seeds.size() * L.amplitudes.size() *
                  L.widths.size());
    for (double T : L.temperatures)
      for (double f : L.material_factors)
        for (unsigned int s : L.seeds)
          for (double V : L.amplitudes)
            for (double w : L.widths)
              {
                SweepCase c;
                c.id              = static_cast<unsigned int>(cases.size());
                c.temperature     = T;
                c.material_factor = f;
                c.seed            = s;
                c.amplitude       = V;
                c.width           = w;
                cases.push_back(c);
              }
    return cases;
  }

  std::string describe(const SweepCase &c)
  {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%+g V, %g s, %g K, x%g, seed %u", c.amplitude, c.width, c.temperature,
                  c.material_factor, c.seed);
    return buf;
  }

  double vacancy_density_factor(const unsigned int seed, const double spread)
  {
    if (seed == 0)
      return 1.0;
    std::mt19937_64 engine(seed);
    // uniform numbers in (0, 1] from the top 53 bits
    const double u1 = (double(engine() >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = double(engine() >> 11) * 0x1.0p-53;
    const double z  = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
    return std::exp(spread * z);
  }
} // namespace otj
