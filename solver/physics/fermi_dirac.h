// Electron statistics of a parabolic conduction band: the Fermi-Dirac integral
// of order 1/2 (normalised so that F(eta) -> exp(eta) for eta -> -infinity),
// its derivative and inverse, and the effective density of states.
//
// Approximation: D. Bednarczyk and J. Bednarczyk, Phys. Lett. A 64, 409 (1978),
//   F_{1/2}(eta) = [exp(-eta) + (3 sqrt(pi)/4) nu^(-3/8)]^(-1),
//   nu = eta^4 + 50 + 33.6 eta (1 - 0.68 exp(-0.17 (eta + 1)^2)),
// relative error below 0.4 % for all eta (checked in tests against quadrature).
#pragma once

namespace otj::physics
{
  /// Normalised Fermi-Dirac integral of order 1/2, script-F_{1/2}(eta).
  double fermi_dirac_half(double eta);

  /// d F_{1/2} / d eta of the same approximation (consistent Newton Jacobian).
  double fermi_dirac_half_derivative(double eta);

  /// Both at once: returns F_{1/2}(eta), sets `derivative` to its d/d eta.
  double fermi_dirac_half(double eta, double &derivative);

  /// eta such that fermi_dirac_half(eta) = y (y > 0).
  double inverse_fermi_dirac_half(double y);

  /// F_{1/2} by direct numerical quadrature (reference for tests; slow).
  double fermi_dirac_half_quadrature(double eta);

  /// Effective density of states N_c = 2 (2 pi m kT / h^2)^(3/2) in m^-3
  /// (Sze & Ng, Physics of Semiconductor Devices, 3rd ed., eq. 1.10),
  /// m = relative_mass * m0.
  double effective_density_of_states(double relative_mass, double temperature);
} // namespace otj::physics
