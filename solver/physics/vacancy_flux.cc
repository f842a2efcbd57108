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

  EdgeFlux hopping_edge_flux(const HoppingParameters &p,
                             const double             L,
                             const double             c_i,
                             const double             c_j,
                             const double             U_i,
                             const double             U_j,
                             const double             site_step)
  {
    const double kT    = constants::boltzmann * p.temperature;
    const double D0    = p.diffusivity();
    const double Pe    = (U_i - U_j) / kT;
    const double beta  = (Pe - site_step / kT) * p.hop_distance / (2.0 * L);
    const double S     = sinhc(beta);
    const double dS    = sinhc_derivative(beta);
    const double Bm    = bernoulli(-Pe);
    const double Bp    = bernoulli(Pe);
    const double dBm   = -bernoulli_derivative(-Pe); // d/dPe of B(-Pe)
    const double dBp   = bernoulli_derivative(Pe);
    const double inv_c = std::isfinite(p.max_density) ? 1.0 / p.max_density : 0.0;

    const double fi = c_i * (1.0 - c_j * inv_c);
    const double fj = c_j * (1.0 - c_i * inv_c);
    const double G  = D0 / L;
    const double core = Bm * fi - Bp * fj;

    EdgeFlux r;
    r.flux = G * S * core;
    r.d_ci = G * S * (Bm * (1.0 - c_j * inv_c) + Bp * c_j * inv_c);
    r.d_cj = G * S * (-Bm * c_i * inv_c - Bp * (1.0 - c_i * inv_c));
    // dJ/dPe, with d beta/dPe = a/(2L)
    const double dJ_dPe = G * (dS * p.hop_distance / (2.0 * L) * core + S * (dBm * fi - dBp * fj));
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
    const double rate  = p.hop_distance * p.attempt_frequency * std::exp(-p.activation_energy / kT);
    const double inv_c = std::isfinite(p.max_density) ? 1.0 / p.max_density : 0.0;
    return rate * (c_i * (1.0 - c_j * inv_c) * std::exp(beta) -
                   c_j * (1.0 - c_i * inv_c) * std::exp(-beta));
  }

  double mott_gurney_velocity(const HoppingParameters &p, const double z, const double field)
  {
    const double kT   = constants::boltzmann * p.temperature;
    const double beta = z * constants::elementary_charge * p.hop_distance * field / (2.0 * kT);
    return 2.0 * p.hop_distance * p.attempt_frequency * std::exp(-p.activation_energy / kT) *
           std::sinh(beta);
  }
} // namespace otj::physics
