// Reads of frozen vacancy states at several temperatures and the Richardson
// plot (see temperature_dependence.h).
#include "experiments/temperature_dependence.h"

#include "physics/constants.h"
#include "simulation/transient_simulation.h"

#include <cmath>
#include <stdexcept>

namespace otj
{
  ArrheniusFit arrhenius_fit(const std::vector<double> &temperatures, const std::vector<double> &currents,
                             const double temperature_power)
  {
    if (temperatures.size() != currents.size())
      throw std::invalid_argument("arrhenius_fit: temperatures and currents differ in length");
    std::vector<double> x, y;
    for (std::size_t k = 0; k < temperatures.size(); ++k)
      if (temperatures[k] > 0 && currents[k] > 0 && std::isfinite(currents[k]))
        {
          x.push_back(1.0 / (constants::boltzmann * temperatures[k]));
          y.push_back(std::log(currents[k] / std::pow(temperatures[k], temperature_power)));
        }
    ArrheniusFit f;
    f.points = x.size();
    if (x.size() < 2)
      throw std::invalid_argument("arrhenius_fit: fewer than two positive currents");
    double mx = 0, my = 0;
    for (std::size_t k = 0; k < x.size(); ++k)
      mx += x[k] / x.size(), my += y[k] / x.size();
    double sxx = 0, sxy = 0;
    for (std::size_t k = 0; k < x.size(); ++k)
      sxx += (x[k] - mx) * (x[k] - mx), sxy += (x[k] - mx) * (y[k] - my);
    if (!(sxx > 0))
      throw std::invalid_argument("arrhenius_fit: needs two distinct temperatures");
    const double slope  = sxy / sxx;
    f.activation_energy = -slope;
    f.log_prefactor     = my - slope * mx;
    double ss           = 0;
    for (std::size_t k = 0; k < x.size(); ++k)
      ss += std::pow(y[k] - (f.log_prefactor + slope * x[k]), 2);
    f.rms = std::sqrt(ss / x.size());
    return f;
  }

  std::vector<std::vector<TemperatureRead>> reads_at_temperatures(const RunParameters &                      run,
                                                                  const std::vector<dealii::Vector<double>> &states,
                                                                  const std::vector<double> &temperatures,
                                                                  const double               read_voltage)
  {
    std::vector<std::vector<TemperatureRead>> out(states.size());
    for (const double T : temperatures)
      {
        RunParameters rp          = run;
        rp.device.temperature     = T;
        rp.experiment.output_times = {};
        rp.output.write_vtu = rp.output.write_profiles = false;
        TransientSimulation sim(rp, true);
        const unsigned      n = sim.system().n_dofs();
        for (std::size_t s = 0; s < states.size(); ++s)
          {
            if (states[s].size() != n + 4) // the device dofs and the circuit block (transient_simulation.h)
              throw std::invalid_argument("reads_at_temperatures: a state is not a state vector of this device's mesh");
            std::vector<SpectrumPoint> spectrum;
            const auto                 rd = sim.read(states[s], read_voltage, &spectrum);
            out[s].push_back({T, rd.resistance, read_voltage / rd.resistance, rd.shares, std::move(spectrum)});
          }
      }
    return out;
  }
} // namespace otj
