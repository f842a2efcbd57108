// The paper's switching experiments on the PDE model (Fig. 1b, 1d):
//  - ResistanceLoop: write pulses of ~100 ms swept 0 -> +V_set -> 0 ->
//    V_reset -> 0, each followed by a delay at 0 V and a read at V_read
//    (vacancies frozen, electrostatics re-solved, Tsu-Esaki current): the
//    R-V hysteresis loop.
//  - IvLoop: triangular source sweeps 0 -> +V_set -> 0 -> V_reset -> 0 at a
//    given sweep rate, the terminal current recorded at every time step: the
//    switching I-V loops.
//  - static_iv: the I-V curve of a frozen vacancy state (reads over a
//    voltage list), the input of the barrier extraction fits.
#pragma once

#include "current/tsu_esaki_current.h"
#include "simulation/run_parameters.h"

#include <deal.II/lac/vector.h>

#include <functional>
#include <string>
#include <vector>

namespace otj
{
  class TransientSimulation;

  struct ResistanceLoopParameters
  {
    double set_voltage = 2.2, reset_voltage = -4.3, voltage_step = 0.2;
    double write_time = 0.1, edge_time = 1e-7, read_delay = 1e-2;
  };

  struct ResistanceLoopPoint
  {
    unsigned index;
    double   write_voltage, time, resistance;
    ConductionShares shares; ///< the read current by energy range
    double   centroid_nm;
  };

  struct IvPoint
  {
    double voltage, current;
    ConductionShares shares;
  };

  /// The sequence of write amplitudes of one R-V loop (starts and ends at 0 V, excluded).
  std::vector<double> resistance_loop_amplitudes(const ResistanceLoopParameters &p);

  /// Runs one R-V loop from the run's initial state. `progress` (may be empty)
  /// is called after each read. Returns the pristine point (index 0, write 0 V) and one per pulse.
  /// `iv_of_states` (may be null) receives the static I-V of the pristine, last-set and last-reset
  /// states; `statistics` (may be null) the integrator's step and Newton counts; `states` (may be
  /// null) the state vectors of those three states (pristine, LRS, HRS), for reads at other
  /// temperatures (experiments/temperature_dependence.h).
  std::vector<ResistanceLoopPoint> run_resistance_loop(const RunParameters &run, const ResistanceLoopParameters &p,
                                                       const std::function<void(const ResistanceLoopPoint &)> &progress,
                                                       std::vector<std::pair<std::string, std::vector<IvPoint>>> *iv_of_states,
                                                       const std::vector<double> &iv_voltages,
                                                       IntegratorStatistics *statistics = nullptr,
                                                       std::vector<std::pair<std::string, dealii::Vector<double>>> *states = nullptr);

  /// Static I-V of the current state of `sim` (vacancies frozen).
  std::vector<IvPoint> static_iv(TransientSimulation &sim, const std::vector<double> &voltages);

  struct IvLoopParameters
  {
    double set_voltage = 2.2, reset_voltage = -4.3, sweep_rate = 10.0; ///< V/s
    unsigned cycles = 2;
  };

  struct IvLoopPoint
  {
    unsigned cycle;
    double   time, source_voltage, junction_voltage, current, tunnel_current;
  };

  std::vector<IvLoopPoint> run_iv_loop(const RunParameters &run, const IvLoopParameters &p);
} // namespace otj
