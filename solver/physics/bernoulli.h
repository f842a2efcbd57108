// The Bernoulli function B(x) = x / (exp(x) - 1) and its derivative, evaluated
// without cancellation or overflow. B is the weight of the Scharfetter-Gummel
// exponentially fitted flux (Scharfetter & Gummel, IEEE Trans. Electron Dev.
// 16, 64 (1969)); B(-x) / B(x) = exp(x) is what makes the discrete flux vanish
// exactly for a Boltzmann profile.
#pragma once

#include <cmath>

namespace otj::physics
{
  inline double bernoulli(const double x)
  {
    const double ax = std::abs(x);
    if (ax < 1e-3)
      return 1.0 - x / 2.0 + x * x / 12.0 - x * x * x * x / 720.0;
    if (x > 0)
      {
        if (x > 700.0)
          return x * std::exp(-x);
        return x / std::expm1(x);
      }
    // x < 0: B(x) = -x + B(-x) ... use the direct form, no overflow for x<0
    if (x < -700.0)
      return -x;
    return x / std::expm1(x);
  }

  /// dB/dx.
  inline double bernoulli_derivative(const double x)
  {
    const double ax = std::abs(x);
    if (ax < 1e-3)
      return -0.5 + x / 6.0 - x * x * x / 180.0;
    if (x > 700.0)
      return std::exp(-x) * (1.0 - x);
    if (x < -700.0)
      return -1.0;
    // B' = (e^x - 1 - x e^x) / (e^x - 1)^2 = B/x - B^2 e^x / x ... use stable form
    const double em1 = std::expm1(x);
    const double b   = x / em1;
    // B' = B (1/x - (1 + em1)/em1) = B (1/x - 1 - 1/em1)
    return b * (1.0 / x - 1.0 - 1.0 / em1);
  }

  /// The Scharfetter-Gummel pair at once, from one exponential: B(x), B(-x), dB/dx at x and
  /// d/dx [B(-x)]. Evaluated at |x| (no cancellation) and mapped by B(-a) = B(a) + a and
  /// B'(-a) = -1 - B'(a), the identities of B(x) = x / (e^x - 1).
  struct BernoulliPair
  {
    double plus, minus;     ///< B(x), B(-x)
    double d_plus, d_minus; ///< dB(x)/dx, d[B(-x)]/dx
  };
  inline BernoulliPair bernoulli_pair(const double x)
  {
    const double a = std::abs(x);
    double       b, db; // B(a), B'(a)
    if (a < 1e-3)
      {
        b  = 1.0 - a / 2.0 + a * a / 12.0 - a * a * a * a / 720.0;
        db = -0.5 + a / 6.0 - a * a * a / 180.0;
      }
    else if (a > 700.0)
      {
        const double e = std::exp(-a);
        b              = a * e;
        db             = e * (1.0 - a);
      }
    else
      {
        const double em1 = std::expm1(a);
        b                = a / em1;
        db               = b * (1.0 / a - 1.0 - 1.0 / em1);
      }
    // x >= 0: B(x) = b, B(-x) = b + a, d[B(-x)]/dx = -B'(-a) = 1 + db;
    // x < 0:  B(x) = B(-a) = b + a, B'(x) = -1 - db, B(-x) = b, d[B(-x)]/dx = -B'(a) = -db
    if (x >= 0)
      return {b, b + a, db, 1.0 + db};
    return {b + a, b, -1.0 - db, -db};
  }
} // namespace otj::physics
