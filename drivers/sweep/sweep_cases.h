// The cases of a sweep: the cartesian product of the lists of a sweep file,
// numbered in a fixed order so that a case keeps its number (and its result
// file) between runs of the same file: temperature (outermost), material
// factor, seed, write amplitude, pulse width (innermost, varies fastest).
// Also the device-to-device variation drawn from a seed.
#pragma once

#include "sweep/sweep_parameters.h"

#include <string>
#include <vector>

namespace otj
{
  struct SweepCase
  {
    unsigned int id = 0;
    double       temperature     = 300; ///< K
    double       material_factor = 1;   ///< factor on the varied material entry
    unsigned int seed            = 0;   ///< device-to-device variation (0 = nominal)
    double       amplitude       = 0;   ///< write amplitude (V)
    double       width           = 0;   ///< write flat-top width (s)
  };

  /// All cases, id = position in the product order above.
  std::vector<SweepCase> enumerate_cases(const CaseLists &lists);

  /// "+1.8 V, 2e-08 s, 300 K, x1, seed 0" for progress lines and messages.
  std::string describe(const SweepCase &c);

  /// The lognormal factor on the initial vacancy density of seed `seed`:
  /// 1 for seed 0; for seed s > 0, exp(spread * z) with z a standard normal
  /// number from the Box-Muller transform of the first two 53-bit uniform
  /// numbers of std::mt19937_64(s) (the engine is fully specified by the C++
  /// standard, so the factor is the same on every platform).
  double vacancy_density_factor(unsigned int seed, double spread);
} // namespace otj
