// Physical constants in SI units (CODATA 2018 exact values where defined).
// Source: CODATA 2018, https://physics.nist.gov/cuu/Constants/
#pragma once

namespace otj::constants
{
  constexpr double elementary_charge = 1.602176634e-19;   // C (exact)
  constexpr double boltzmann         = 1.380649e-23;      // J/K (exact)
  constexpr double planck            = 6.62607015e-34;    // J s (exact)
  constexpr double hbar              = 1.054571817e-34;   // J s
  constexpr double electron_mass     = 9.1093837015e-31;  // kg
  constexpr double vacuum_permittivity = 8.8541878128e-12; // F/m
  constexpr double pi                = 3.14159265358979323846;

  /// One electron-volt in joule.
  constexpr double eV = elementary_charge;
  /// One nanometre in metre.
  constexpr double nm = 1e-9;

  /// Thermal energy k_B T in joule.
  inline constexpr double thermal_energy(const double temperature)
  {
    return boltzmann * temperature;
  }
} // namespace otj::constants
