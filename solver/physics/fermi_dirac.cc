// Implementation of the Fermi-Dirac statistics helpers (see fermi_dirac.h).
#include "physics/fermi_dirac.h"

#include "physics/constants.h"

#include <cmath>
#include <stdexcept>

namespace otj::physics
{
  namespace
  {
    constexpr double c34 = 0.75 * 1.7724538509055160273; // 3 sqrt(pi) / 4

    struct NuAndDerivative
    {
      double nu, dnu;
    };

    NuAndDerivative nu_of(const double eta)
    {
      const double g  = std::exp(-0.17 * (eta + 1.0) * (eta + 1.0));
      const double e2 = eta * eta;
      const double nu = e2 * e2 + 50.0 + 33.6 * eta * (1.0 - 0.68 * g);
      const double dnu =
        4.0 * e2 * eta + 33.6 * (1.0 - 0.68 * g) + 33.6 * eta * 0.68 * 0.34 * (eta + 1.0) * g;
      return {nu, dnu};
    }
  } // namespace

  double fermi_dirac_half(const double eta)
  {
    double derivative;
    return fermi_dirac_half(eta, derivative);
  }

  double fermi_dirac_half(const double eta, double &derivative)
  {
    if (eta < -40.0)
      {
        derivative = std::exp(eta);
        return derivative;
      }
    if (eta < -25.0)
      {
        // non-degenerate: the series F_1/2(eta) = sum_k (-1)^(k+1) exp(k eta) / k^(3/2)
        // (Blakemore, Solid-State Electron. 25, 1067 (1982)) to three terms (the fourth is
        // below 1e-30 of the sum). The switch is where the approximation below meets the
        // series to 5e-12 (relative): at -10 its 1.4e-5 jump stalls Newton's last digits.
        const double y = std::exp(eta);
        constexpr double i2 = 0.35355339059327376220; // 2^(-3/2)
        constexpr double i3 = 0.19245008972987525484; // 3^(-3/2)
        derivative          = y * (1.0 - y * (2.0 * i2 - 3.0 * i3 * y));
        return y * (1.0 - y * (i2 - i3 * y));
      }
    const auto [nu, dnu] = nu_of(eta);
    // nu^(-3/8) by three square roots (nu >= 50 - 33.6 * 1.7 > 0): the hot
    // path of every assembly, several times cheaper than std::pow
    const double eighth = std::sqrt(std::sqrt(std::sqrt(nu)));
    const double p38    = 1.0 / (eighth * eighth * eighth);
    const double e      = std::exp(-eta);
    const double g      = e + c34 * p38;
    const double dg     = -e - 0.375 * c34 * (p38 / nu) * dnu;
    derivative          = -dg / (g * g);
    return 1.0 / g;
  }

  double fermi_dirac_half_derivative(const double eta)
  {
    double derivative;
    fermi_dirac_half(eta, derivative);
    return derivative;
  }

  double inverse_fermi_dirac_half(const double y)
  {
    if (!(y > 0.0) || !std::isfinite(y))
      throw std::invalid_argument("inverse_fermi_dirac_half: argument must be positive");
    // Start from the Joyce-Dixon leading term and polish by safeguarded Newton.
    double eta = std::log(y) + y / std::sqrt(8.0);
    if (y > 10.0)
      eta = std::pow(0.75 * 1.7724538509055160273 * y, 2.0 / 3.0);
    double lo = -800.0, hi = 1e4;
    for (int it = 0; it < 200; ++it)
      {
        const double f = fermi_dirac_half(eta) - y;
        if (f > 0)
          hi = eta;
        else
          lo = eta;
        const double step = f / fermi_dirac_half_derivative(eta);
        double next = eta - step;
        if (!(next > lo && next < hi))
          next = 0.5 * (lo + hi);
        if (std::abs(next - eta) < 1e-14 * (1.0 + std::abs(eta)))
          return next;
        eta = next;
      }
    return eta;
  }

  double fermi_dirac_half_quadrature(const double eta)
  {
    // F(eta) = 2/sqrt(pi) int_0^inf sqrt(e) / (1 + exp(e - eta)) de,
    // substituting e = s^2: 4/sqrt(pi) int_0^inf s^2 / (1 + exp(s^2 - eta)) ds.
    const double smax = std::sqrt(std::max(eta, 0.0) + 60.0);
    const int    n    = 20000;
    const double h    = smax / n;
    double       sum  = 0.0;
    for (int i = 0; i <= n; ++i)
      {
        const double s = i * h;
        const double x = s * s - eta;
        double       f;
        if (x > 0)
          f = s * s * std::exp(-x) / (1.0 + std::exp(-x));
        else
          f = s * s / (1.0 + std::exp(x));
        const double w = (i == 0 || i == n) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
        sum += w * f;
      }
    return 4.0 / 1.7724538509055160273 * sum * h / 3.0;
  }

  double effective_density_of_states(const double relative_mass, const double temperature)
  {
    using namespace constants;
    const double m = relative_mass * electron_mass;
    return 2.0 * std::pow(2.0 * pi * m * boltzmann * temperature / (planck * planck), 1.5);
  }
} // namespace otj::physics
