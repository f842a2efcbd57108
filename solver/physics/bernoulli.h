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
} // namespace otj::physics
