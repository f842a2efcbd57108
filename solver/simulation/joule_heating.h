// The optional Joule heating of a transient run (SPEC section 3): after every
// accepted time step, the power dissipated by the electron current in the
// junction, P = V_j I_e, drives the compact thermal network of
// device/thermal_network.h, and the device's temperature becomes the ambient
// plus the network's rise. Everything temperature-dependent then follows at the
// next step: vacancy hopping (exp(-E_a / kT) and the field term z q a E / 2kT),
// the electron statistics, the back contact's potential and the Tsu-Esaki
// current. The coupling is a first-order (Lie) splitting: a step is solved at
// the temperature of its start, the network is advanced over the step exactly
// for a power varying linearly between its ends, and the next step is limited
// so that the temperature changes by at most `Largest temperature change per
// step (K)` at the last step's rate (a step after a quiet stretch is bounded
// only by the integrator: the first step of a pulse edge can overshoot the
// limit). Reads (snapshots) during a heated run are at the temperature of that
// moment. Both the 1D and the distributed 2D run use it (in 2D the junction
// voltage and electron current are the electrode's, the same on every rank).
// Not counted as heat: the Joule heat of the vacancy current, z q J_v . E over
// the film (part of the displacement current V_j A dsigma/dt; estimated at ~1 mW
// during a 20 ns write against the electron current's mW to W above ~0.8 V, but
// it can exceed V_j I_e where the electron current is nA, e.g. in reverse-bias
// resets), and the Peltier heat at the contacts.
#pragma once

#include "device/device_model.h"
#include "device/thermal_network.h"

#include <nlohmann/json.hpp>

#include <limits>
#include <stdexcept>
#include <string>

namespace otj
{
  struct JouleHeatingParameters;

  /// The junction got hotter than `Joule heating/Largest temperature (K)`.
  class TemperatureLimitExceeded : public std::runtime_error
  {
  public:
    using std::runtime_error::runtime_error;
  };

  /// Runs integrate(); when the Joule heating stops it (TemperatureLimitExceeded), first calls
  /// record(reason) (a thermal runaway is a result: the record up to the stop), then rethrows.
  template <typename Integrate, typename Record>
  void integrate_keeping_the_record_of_a_stop(Integrate &&integrate, Record &&record)
  {
    try
      {
        integrate();
      }
    catch (const TemperatureLimitExceeded &e)
      {
        record(std::string(e.what()));
        throw;
      }
  }

  class JouleHeating
  {
  public:
    /// Disabled unless p.enabled; device is the run's device, whose temperature this sets
    /// (its temperature on entry is the ambient).
    JouleHeating(const JouleHeatingParameters &p, DeviceModel &device);

    bool enabled() const { return enabled_; }
    double ambient_temperature() const { return ambient_; }
    double temperature() const { return ambient_ + network_.temperature_rise(); }
    double peak_temperature() const { return peak_; }
    /// Heat delivered to the network since the last reset (J): int P dt.
    double heat() const { return heat_; }
    const ThermalNetwork &network() const { return network_; }

    /// After an accepted step of length dt ending at time t with the powers P (W) at its start and end:
    /// advances the network, sets the device's temperature, and returns the largest next
    /// step (s) of the temperature-change limit (infinity when the temperature is steady).
    /// Throws TemperatureLimitExceeded above the parameters' largest temperature.
    double advance(double t, double dt, double power_start, double power_end);
    /// Back to the ambient temperature.
    void reset();

    nlohmann::json summary() const;

  private:
    bool           enabled_;
    DeviceModel &  device_;
    double         ambient_;
    double         largest_change_, largest_temperature_;
    ThermalNetwork network_;
    std::string    kind_;
    double         peak_ = 0, heat_ = 0;
    double         electrode_heat_capacity_ = 0; ///< J/(m^2 K), counted in the default network
  };
} // namespace otj
