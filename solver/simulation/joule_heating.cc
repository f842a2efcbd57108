// Joule heating of a transient run (see joule_heating.h).
#include "simulation/joule_heating.h"

#include "simulation/run_parameters.h"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace otj
{
  JouleHeating::JouleHeating(const JouleHeatingParameters &p, DeviceModel &device)
    : enabled_(p.enabled)
    , device_(device)
    , ambient_(device.temperature)
    , largest_change_(p.largest_temperature_change)
    , largest_temperature_(p.largest_temperature)
    , peak_(device.temperature)
  {
    if (!enabled_)
      return;
    if (p.thermal_resistance > 0)
      {
        network_ = ThermalNetwork::single_pole(p.thermal_resistance, p.time_constant);
        kind_    = "single pole";
      }
    else
      {
        const Material &sub    = device.layers.back().material;
        const double    radius = std::sqrt(device.electrode_area / 3.14159265358979323846);
        network_ = ThermalNetwork::disc_on_half_space(radius, sub.thermal_conductivity, sub.volumetric_heat_capacity,
                                                      device.top_electrode.heat_capacity_per_area);
        kind_    = "electrode disc on the substrate half-space";
        electrode_heat_capacity_ = device.top_electrode.heat_capacity_per_area;
      }
  }

  double JouleHeating::advance(const double t, const double dt, const double power_start, const double power_end)
  {
    if (!enabled_ || !(dt > 0))
      return std::numeric_limits<double>::infinity();
    if (!std::isfinite(power_start) || !std::isfinite(power_end))
      throw std::runtime_error("Joule heating: the power V_j I_e is not finite at t = " + std::to_string(t) + " s");
    const double before = temperature();
    const double power  = 0.5 * (power_start + power_end); // the step's mean (linear in between)
    network_.advance(dt, power_start, power_end);
    heat_ += power * dt;
    const double after  = temperature();
    if (!std::isfinite(after) || after <= 0)
      throw std::runtime_error("Joule heating: the temperature became " + std::to_string(after) + " K at t = " +
                               std::to_string(t) + " s");
    device_.temperature = after;
    peak_               = std::max(peak_, after);
    if (after > largest_temperature_)
      {
        std::ostringstream m;
        m << std::setprecision(4) << "Joule heating: the junction reached " << after << " K at t = "
          << std::setprecision(10) << t << std::setprecision(4)
          << " s (from " << before << " K over a step of " << dt << " s at a power V_j I_e of " << power
          << " W; heat so far " << heat_ << " J), above 'Joule heating/Largest temperature (K)' = "
          << largest_temperature_ << " K, where the model loses meaning; the run stops";
        throw TemperatureLimitExceeded(m.str());
      }
    const double rate   = std::abs(after - before) / dt;
    return rate > 0 ? largest_change_ / rate : std::numeric_limits<double>::infinity();
  }

  void JouleHeating::reset()
  {
    if (!enabled_)
      return;
    network_.reset();
    device_.temperature = ambient_;
    peak_               = ambient_;
    heat_               = 0;
  }

  nlohmann::json JouleHeating::summary() const
  {
    nlohmann::json j;
    j["enabled"] = enabled_;
    if (!enabled_)
      return j;
    j["network"]                   = kind_;
    j["poles"]                     = network_.poles().size();
    j["thermal_resistance_K_per_W"] = network_.thermal_resistance();
    j["electrode_heat_capacity_J_per_m2K"] = electrode_heat_capacity_;
    j["rise_per_watt_after_20ns_K_per_W"] = network_.step_response(20e-9);
    j["ambient_temperature_K"]     = ambient_;
    j["peak_temperature_K"]        = peak_;
    j["final_temperature_K"]       = temperature();
    j["heat_J"]                    = heat_;
    return j;
  }
} // namespace otj
