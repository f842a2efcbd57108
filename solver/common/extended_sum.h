// A sum in double-double arithmetic (an unevaluated pair hi + lo) for the residual of the
// vacancy balance.
//
// Near equilibrium and at long time steps the drift and diffusion parts of an edge flux are
// ~1e10 times the accumulation term c_v a0 + history, and that term is itself the small
// difference of two large numbers; summed in double precision the rounding breaks the
// vacancy balance (conservation) at ~1e-6. Each addition here is Knuth's error-free TwoSum,
// so that a sum of a few double terms is kept to ~106 bits (Ogita, Rump & Oishi, "Accurate
// sum and dot product", SIAM J. Sci. Comput. 26, 1955 (2005); Muller et al., Handbook of
// Floating-Point Arithmetic, 2nd ed., ch. 4); a product that must be kept exactly (a0 c in
// the accumulation term) enters as the pair (p, fma(a, b, -p)) (Dekker's TwoProduct).
// Until 2026-12-01 the residual was accumulated in x87 long double (64 bits), whose 80-bit
// loads and stores through memory made up a tenth of the 1D assembly.
#pragma once

#include <cmath>

namespace otj
{
  struct ExtendedSum
  {
    double hi = 0.0, lo = 0.0;

    /// this += x (TwoSum: s + err = hi + x exactly)
    void add(const double x)
    {
      const double s  = hi + x;
      const double bp = s - hi;
      lo += (hi - (s - bp)) + (x - bp);
      hi = s;
    }
    void add(const ExtendedSum &o)
    {
      add(o.hi);
      lo += o.lo;
    }
    /// this * k, each part rounded: the relative error 1e-16 of the (already cancelled) sum
    ExtendedSum times(const double k) const { return {hi * k, lo * k}; }
    double value() const { return hi + lo; }
  };
} // namespace otj
