// Compact thermal network of the Joule heating (see thermal_network.h).
#include "device/thermal_network.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace otj
{
  namespace
  {
    /// I(s) = int_0^inf J_1(l)^2 erf(l s) / l^2 dl: 8-point Gauss-Legendre panels on [0, L]
    /// (geometric panels from 1e-4 to 0.5, where erf(l s) turns for the late times, then
    /// panels of 0.5 along the oscillations; J_1(l)^2 / l^2 at the nodes tabulated once), and
    /// the tail beyond L with J_1(l)^2 replaced by its mean 1 / (pi l) (Abramowitz & Stegun
    /// 9.2.1; the oscillating remainder contributes O(1 / L^3)):
    ///   int_L^inf erf(l s) / (pi l^3) dl
    ///     = [erf(L s) / (2 L^2) + s / sqrt(pi) (exp(-L^2 s^2) / L - s sqrt(pi) erfc(L s))] / pi.
    /// For s > 1e3: I = 4 / (3 pi) - 1 / (4 s sqrt(pi)) + O(s^-3) (erfc(l s) confines the
    /// deficit to l << 1, where J_1(l)^2 / l^2 = 1/4 - l^2 / 16 + ...).
    /// Limits: s / sqrt(pi) for s -> 0, 4 / (3 pi) for s -> inf.
    constexpr double pi_     = 3.14159265358979323846;
    constexpr double l_tail_ = 200.0;

    struct QuadratureNodes
    {
      std::vector<double> l, weight; ///< weight includes J_1(l)^2 / l^2
      QuadratureNodes()
      {
        static const double xg[4] = {0.1834346424956498, 0.5255324099163290, 0.7966664774136267,
                                     0.9602898564975363};
        static const double wg[4] = {0.3626837833783620, 0.3137066458778873, 0.2223810344533745,
                                     0.1012285362903763};
        std::vector<double> breaks{0.0};
        for (double b = 1e-4; b < 0.5; b *= 2)
          breaks.push_back(b);
        for (int k = 1; k <= int(2 * l_tail_); ++k)
          breaks.push_back(0.5 * k);
        for (std::size_t k = 0; k + 1 < breaks.size(); ++k)
          {
            const double m = 0.5 * (breaks[k] + breaks[k + 1]), h = 0.5 * (breaks[k + 1] - breaks[k]);
            for (int i = 0; i < 4; ++i)
              for (const double x : {m - h * xg[i], m + h * xg[i]})
                {
                  const double j = std::cyl_bessel_j(1.0, x);
                  l.push_back(x);
                  weight.push_back(h * wg[i] * j * j / (x * x));
                }
          }
      }
    };

    double disc_integral(const double s)
    {
      if (s > 1e3)
        return 4.0 / (3.0 * pi_) - 1.0 / (4.0 * s * std::sqrt(pi_));
      static const QuadratureNodes q;
      double                       sum = 0;
      for (std::size_t i = 0; i < q.l.size(); ++i)
        sum += q.weight[i] * std::erf(q.l[i] * s);
      const double L    = l_tail_;
      const double tail = (std::erf(L * s) / (2 * L * L) +
                           s / std::sqrt(pi_) * (std::exp(-L * L * s * s) / L - s * std::sqrt(pi_) * std::erfc(L * s))) /
                          pi_;
      return sum + tail;
    }
  } // namespace

  double surface_capacity_factor(const double t, const double surface_heat_capacity, const double conductivity,
                                 const double heat_capacity)
  {
    if (surface_heat_capacity <= 0)
      return 1.0;
    if (t <= 0)
      return 0.0;
    const double b = std::sqrt(conductivity * heat_capacity) / surface_heat_capacity;
    const double x = b * b * t;
    // E = exp(x) erfc(sqrt(x)); asymptotic series beyond x = 200 (next term 105 / (16 x^4))
    const double E = x < 200 ? std::exp(x) * std::erfc(std::sqrt(x))
                             : (1 - 1 / (2 * x) + 3 / (4 * x * x) - 15 / (8 * x * x * x)) / std::sqrt(pi_ * x);
    return 1 - std::sqrt(pi_) / (2 * std::sqrt(x)) * (1 - E);
  }

  double disc_mean_temperature_step_response(const double t, const double radius, const double conductivity,
                                             const double heat_capacity, const double surface_heat_capacity)
  {
    if (!(radius > 0) || !(conductivity > 0) || !(heat_capacity > 0))
      throw std::invalid_argument("disc_mean_temperature_step_response: radius, conductivity and heat capacity must "
                                  "be positive");
    if (t <= 0)
      return 0.0;
    const double     alpha = conductivity / heat_capacity;
    const double     s     = std::sqrt(alpha * t) / radius;
    // dT / P = (2 q a / kappa) I(s) / P with q = P / (pi a^2)
    return 2.0 / (pi_ * radius * conductivity) * disc_integral(s) *
           surface_capacity_factor(t, surface_heat_capacity, conductivity, heat_capacity);
  }

  ThermalNetwork::ThermalNetwork(std::vector<ThermalPole> poles)
    : poles_(std::move(poles))
    , rise_(poles_.size(), 0.0)
  {
    for (const auto &p : poles_)
      if (!(p.resistance >= 0) || !(p.time_constant > 0))
        throw std::invalid_argument("ThermalNetwork: each pole needs R >= 0 and tau > 0");
  }

  ThermalNetwork ThermalNetwork::single_pole(const double resistance, const double time_constant)
  {
    return ThermalNetwork({{resistance, time_constant}});
  }

  ThermalNetwork ThermalNetwork::disc_on_half_space(const double radius, const double conductivity,
                                                    const double heat_capacity, const double surface_heat_capacity,
                                                    const double t_min, double t_max)
  {
    const double alpha = conductivity / heat_capacity;
    if (t_max <= 0)
      t_max = 1e4 * radius * radius / alpha;
    if (!(t_min > 0) || !(t_max > 2 * t_min))
      throw std::invalid_argument("ThermalNetwork::disc_on_half_space: needs 0 < t_min < t_max / 2");
    const double decades = std::log10(t_max / t_min);
    // sample times, 8 per decade; poles, 3 per decade from t_min / 3 to 3 t_max
    std::vector<double> t, b;
    const unsigned int  n_samples = static_cast<unsigned int>(std::ceil(8 * decades)) + 1;
    for (unsigned int i = 0; i < n_samples; ++i)
      {
        t.push_back(t_min * std::pow(t_max / t_min, double(i) / (n_samples - 1)));
        b.push_back(disc_mean_temperature_step_response(t.back(), radius, conductivity, heat_capacity, surface_heat_capacity));
      }
    std::vector<double> tau;
    for (double lt = std::log10(t_min / 3); lt <= std::log10(3 * t_max) + 1e-9; lt += 1.0 / 3)
      tau.push_back(std::pow(10.0, lt));
    const std::size_t K = tau.size(), N = t.size();
    // relative residuals: M_ik = (1 - exp(-t_i / tau_k)) / b_i, target 1
    std::vector<double> M(N * K);
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t k = 0; k < K; ++k)
        M[i * K + k] = -std::expm1(-t[i] / tau[k]) / b[i];
    std::vector<double> G(K * K, 0.0), c(K, 0.0);
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t k = 0; k < K; ++k)
        {
          c[k] += M[i * K + k];
          for (std::size_t l = 0; l < K; ++l)
            G[k * K + l] += M[i * K + k] * M[i * K + l];
        }
    // start: the time-constant spectrum, R_k = Z over pole k's share of the log-time axis
    std::vector<double> x(K);
    for (std::size_t k = 0; k < K; ++k)
      {
        const double lo = k == 0 ? 0.0 : std::sqrt(tau[k - 1] * tau[k]);
        const double hi = k + 1 == K ? 1e6 * tau[k] : std::sqrt(tau[k] * tau[k + 1]);
        x[k] = disc_mean_temperature_step_response(hi, radius, conductivity, heat_capacity, surface_heat_capacity) -
               disc_mean_temperature_step_response(lo, radius, conductivity, heat_capacity, surface_heat_capacity);
      }
    // non-negative least squares by projected coordinate descent (the problem is convex)
    std::vector<double> g(K);
    for (unsigned int sweep = 0; sweep < 20000; ++sweep)
      {
        double largest = 0;
        for (std::size_t k = 0; k < K; ++k)
          {
            double gk = -c[k];
            for (std::size_t l = 0; l < K; ++l)
              gk += G[k * K + l] * x[l];
            const double xn = std::max(0.0, x[k] - gk / G[k * K + k]);
            largest         = std::max(largest, std::abs(xn - x[k]) / (std::abs(x[k]) + 1e-30 + 1e-6 * b.back()));
            x[k]            = xn;
          }
        if (largest < 1e-10)
          break;
      }
    std::vector<ThermalPole> poles;
    for (std::size_t k = 0; k < K; ++k)
      if (x[k] > 0)
        poles.push_back({x[k], tau[k]});
    return ThermalNetwork(poles);
  }

  double ThermalNetwork::step_response(const double t) const
  {
    double z = 0;
    for (const auto &p : poles_)
      z += -p.resistance * std::expm1(-t / p.time_constant);
    return z;
  }

  double ThermalNetwork::thermal_resistance() const
  {
    double r = 0;
    for (const auto &p : poles_)
      r += p.resistance;
    return r;
  }

  void ThermalNetwork::advance(const double dt, const double power_start, const double power_end)
  {
    if (dt < 0)
      throw std::invalid_argument("ThermalNetwork::advance: negative step " + std::to_string(dt));
    if (dt == 0)
      return;
    for (std::size_t k = 0; k < poles_.size(); ++k)
      {
        // T <- T e + R [P_1 (1 - phi) + P_0 (phi - e)], e = exp(-x), phi = (1 - e) / x, x = dt / tau:
        // the exact response to the linear power, written without the cancelling terms
        // R tau P' of the form R (P_1 - tau P') + (T - R (P_0 - tau P')) e (they reach 1e16 K for a
        // slow pole over a femtosecond step); series below x = 1e-4
        const double x = dt / poles_[k].time_constant, e = std::exp(-x);
        double       a, b; // 1 - phi and phi - e
        if (x < 1e-4)
          {
            a = x * (0.5 - x * (1.0 / 6 - x / 24));
            b = x * (0.5 - x * (1.0 / 3 - x / 8));
          }
        else
          {
            const double phi = -std::expm1(-x) / x;
            a                = 1 - phi;
            b                = phi - e;
          }
        rise_[k] = rise_[k] * e + poles_[k].resistance * (power_end * a + power_start * b);
      }
  }

  double ThermalNetwork::temperature_rise() const
  {
    double r = 0;
    for (double x : rise_)
      r += x;
    return r;
  }

  void ThermalNetwork::reset() { std::fill(rise_.begin(), rise_.end(), 0.0); }
} // namespace otj
