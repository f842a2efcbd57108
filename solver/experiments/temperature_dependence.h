// Temperature dependence of the read current of a frozen vacancy state: the
// experimentalist's test of the conduction mechanism (the Richardson plot).
// The vacancy profile is held fixed (it is written at 300 K and read in
// seconds); at each temperature the electrostatics and the electron
// statistics are re-solved and the Tsu-Esaki current is evaluated with that
// temperature's Fermi-Dirac distributions.
//
// Emission over a barrier phi_B gives, at a forward read voltage V >> kT/q,
//   J = A* T^2 exp(-(phi_B - qV) / kT)
// (Sze & Ng, Physics of Semiconductor Devices, 3rd ed., eq. 3.3-3.5;
// Rhoderick & Williams, Metal-Semiconductor Contacts, 2nd ed., ch. 3), so the
// slope of ln(I / T^2) over 1/kT is -(phi_B - qV): the activation energy.
// Thermionic-field emission (thermally excited electrons tunnelling through
// the upper barrier) gives a smaller activation energy, about the energy at
// which the current flows above the Fermi level (Padovani & Stratton,
// Solid-State Electron. 9, 695 (1966)); direct tunnelling of electrons at the
// Fermi level, almost none.
#pragma once

#include "current/tsu_esaki_current.h"
#include "simulation/run_parameters.h"

#include <deal.II/lac/vector.h>

#include <vector>

namespace otj
{
  /// The least-squares line through ln(I / T^p) over 1 / kT.
  struct ArrheniusFit
  {
    double   activation_energy = 0; ///< minus the slope (J)
    double   log_prefactor     = 0; ///< the intercept, ln(I / T^p) at 1/kT = 0
    double   rms               = 0; ///< rms residual of ln(I / T^p)
    unsigned points            = 0;
  };

  /// Fits ln(I / T^temperature_power) = log_prefactor - E_a / kT (temperature_power 2: the
  /// Richardson plot). Needs at least two distinct temperatures and positive currents.
  ArrheniusFit arrhenius_fit(const std::vector<double> &temperatures, const std::vector<double> &currents,
                             double temperature_power = 2);

  struct TemperatureRead
  {
    double           temperature; ///< K
    double           resistance;  ///< V_read / I (ohm)
    double           current;     ///< A
    ConductionShares shares;      ///< the read current by energy range at this temperature
    std::vector<SpectrumPoint> spectrum; ///< dJ/dE of the read at every energy node (tsu_esaki_current.h)
  };

  /// Reads of frozen vacancy states at each temperature: one device per temperature (the run's
  /// device at that temperature, same mesh); states[s] is a state vector of a 1D run of `run`.
  /// Returns one list of reads per state.
  std::vector<std::vector<TemperatureRead>> reads_at_temperatures(const RunParameters &                      run,
                                                                  const std::vector<dealii::Vector<double>> &states,
                                                                  const std::vector<double> &temperatures,
                                                                  double                     read_voltage);
} // namespace otj
