// Implementation of the vacancy hopping flux (see vacancy_flux.h).
#include "physics/vacancy_flux.h"

#include "physics/bernoulli.h"
#include "physics/constants.h"

#include <cmath>
#include <limits>

namespace otj::physics
{
  double HoppingParameters::diffusivity() const
  {
    const double kT = constants::boltzmann * temperature;
    return hop_distance * hop_distance * attempt_frequency * std::exp(-activation_energy / kT);
  }

  double sinhc(const double x_in)
  {
    const double x = std::min(std::abs(x_in), max_hop_tilt);
    if (x < 1e-4)
      return 1.0 + x * x / 6.0;
    return std::sinh(x) / x;
  }

  double sinhc_derivative(const double x_in)
  {
    const double ax = std::abs(x_in);
    if (ax >= max_hop_tilt)
      return 0.0;
    double d;
    if (ax < 1e-4)
      d = ax / 3.0;
    else
      d = (ax * std::cosh(ax) - std::sinh(ax)) / (ax * ax);
    return x_in < 0 ? -d : d;
  }

  double hop_enhancement(const double beta, const double beta_c)
  {
    const double x = std::abs(beta);
    if (x <= beta_c)
      return sinhc(x);
    // forward hop barrier-free: exp(beta_c) (1 - exp(-2x)) / (2x) (vacancy_flux.h)
    return std::exp(beta_c) * -std::expm1(-2.0 * x) / (2.0 * x);
  }

  double hop_enhancement_derivative(const double beta, const double beta_c)
  {
    const double x = std::abs(beta);
    if (x <= beta_c)
      return sinhc_derivative(beta);
    // d/dx [exp(beta_c) (1 - exp(-2x)) / (2x)] = exp(beta_c) [2x exp(-2x) - (1 - exp(-2x))] / (2x^2)
    const double d = std::exp(beta_c) * (2.0 * x * std::exp(-2.0 * x) + std::expm1(-2.0 * x)) / (2.0 * x * x);
    return beta < 0 ? -d : d;
  }

  HopEnhancement hop_enhancement_with_derivative(const double beta, const double beta_c)
  {
    const double x = std::abs(beta);
    double       S, dS; // S(x), dS/dx at x >= 0
    if (x <= beta_c)
      {
        // sinh(x)/x: series below 0.05 (the next term of each is below 1e-16 of the sum), else
        // from one expm1, sinh x = (em1 + em1 / (1 + em1)) / 2, cosh x = sinh x + exp(-x)
        if (x >= max_hop_tilt)
          {
            S  = std::sinh(max_hop_tilt) / max_hop_tilt;
            dS = 0.0;
          }
        else if (x < 0.05)
          {
            const double x2 = x * x;
            S  = 1.0 + x2 / 6.0 * (1.0 + x2 / 20.0 * (1.0 + x2 / 42.0 * (1.0 + x2 / 72.0)));
            dS = x / 3.0 * (1.0 + x2 / 10.0 * (1.0 + x2 / 28.0 * (1.0 + x2 / 54.0)));
          }
        else
          {
            const double em1 = std::expm1(x);
            const double sh  = 0.5 * (em1 + em1 / (1.0 + em1));
            const double ch  = sh + 1.0 / (1.0 + em1);
            S                = sh / x;
            dS               = (x * ch - sh) / (x * x);
          }
      }
    else
      {
        // forward hop barrier-free: exp(beta_c) (1 - exp(-2x)) / (2x) (vacancy_flux.h)
        const double em  = std::expm1(-2.0 * x);
        const double ebc = std::exp(beta_c);
        S                = ebc * -em / (2.0 * x);
        dS               = ebc * (2.0 * x * (1.0 + em) + em) / (2.0 * x * x);
      }
    return {S, beta < 0 ? -dS : dS};
  }

  EdgeFlux hopping_edge_flux(const HoppingParameters &p,
                             const double             L,
                             const double             c_i,
                             const double             c_j,
                             const double             U_i,
                             const double             U_j,
                             const double             site_step)
  {
    return hopping_edge_flux(p, p.diffusivity(), L, c_i, c_j, U_i, U_j, site_step);
  }

  EdgeFlux hopping_edge_flux(const HoppingParameters &p,
                             const double             D0,
                             const double             L,
                             const double             c_i,
                             const double             c_j,
                             const double             U_i,
                             const double             U_j,
                             const double             site_step)
  {
    const double kT     = constants::boltzmann * p.temperature;
    const double Pe     = (U_i - U_j) / kT;
    const double beta   = (Pe - site_step / kT) * p.hop_distance / (2.0 * L);
    const double beta_c = p.activation_energy / kT; // barrier collapse (vacancy_flux.h)
    const auto   H      = hop_enhancement_with_derivative(beta, beta_c);
    const auto   B      = bernoulli_pair(Pe); // B(Pe), B(-Pe) and their Pe-derivatives
    const double inv_c  = std::isfinite(p.max_density) ? 1.0 / p.max_density : 0.0;

    const double fi   = c_i * (1.0 - c_j * inv_c);
    const double fj   = c_j * (1.0 - c_i * inv_c);
    const double G    = D0 / L;
    const double core = B.minus * fi - B.plus * fj;

    EdgeFlux r;
    r.flux = G * H.value * core;
    r.d_ci = G * H.value * (B.minus * (1.0 - c_j * inv_c) + B.plus * c_j * inv_c);
    r.d_cj = G * H.value * (-B.minus * c_i * inv_c - B.plus * (1.0 - c_i * inv_c));
    // dJ/dPe, with d beta/dPe = a/(2L)
    const double dJ_dPe = G * (H.derivative * p.hop_distance / (2.0 * L) * core + H.value * (B.d_minus * fi - B.d_plus * fj));
    r.d_Ui = dJ_dPe / kT;
    r.d_Uj = -dJ_dPe / kT;
    return r;
  }

  double lattice_hopping_flux(const HoppingParameters &p,
                              const double             c_i,
                              const double             c_j,
                              const double             U_i,
                              const double             U_j)
  {
    const double kT    = constants::boltzmann * p.temperature;
    const double beta  = (U_i - U_j) / (2.0 * kT);
    const double Ea    = p.activation_energy / kT;
    const double inv_c = std::isfinite(p.max_density) ? 1.0 / p.max_density : 0.0;
    // barriers Ea -+ beta kT of the forward / backward hop, the lower one not
    // below zero (barrier collapse) and the other then the whole drop 2 |beta| kT
    const double b_fwd = beta >= 0 ? std::max(Ea - beta, 0.0) : std::max(Ea - beta, -2.0 * beta);
    const double b_bwd = b_fwd + 2.0 * beta;
    return p.hop_distance * p.attempt_frequency *
           (c_i * (1.0 - c_j * inv_c) * std::exp(-b_fwd) - c_j * (1.0 - c_i * inv_c) * std::exp(-b_bwd));
  }

  double mott_gurney_velocity(const HoppingParameters &p, const double z, const double field)
  {
    const double kT   = constants::boltzmann * p.temperature;
    const double beta = z * constants::elementary_charge * p.hop_distance * field / (2.0 * kT);
    const double Ea   = p.activation_energy / kT;
    if (std::abs(beta) <= Ea)
      return 2.0 * p.hop_distance * p.attempt_frequency * std::exp(-Ea) * std::sinh(beta);
    // barrier collapse: forward hops at nu0, backward at nu0 exp(-2|beta|)
    return std::copysign(p.hop_distance * p.attempt_frequency * -std::expm1(-2.0 * std::abs(beta)), beta);
  }
} // namespace otj::physics
