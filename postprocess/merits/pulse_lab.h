// PDE pulse experiments on one device, for the figures of merit: a pulse
// (trapezoid, 1 ns edges by default) applied to a stored vacancy state through
// the external circuit, followed by a delay at 0 V and a read at the read
// voltage with the vacancies frozen. Stored states (the pristine equilibrium,
// states after a write) are computed once and reused, so that a threshold
// search costs one pulse run per evaluation.
#pragma once

#include "simulation/run_parameters.h"
#include "simulation/transient_simulation.h"

#include <deal.II/lac/vector.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace otj
{
  struct PulseSpec
  {
    double amplitude  = 1.0;  ///< V (source)
    double width      = 2e-8; ///< flat top (s)
    double edge       = 1e-9; ///< rise and fall (s)
    double read_delay = 2.5e-5; ///< from the end of the fall to the read (s)
  };

  struct PulseOutcome
  {
    double G_before = 0;     ///< read conductance of the start state (S)
    double G_after  = 0;     ///< read conductance after the pulse and the delay (S)
    double G_reference = 0;  ///< read conductance after the same time at 0 V without the pulse (S)
    double relative_change = 0; ///< G_after / G_reference - 1: the pulse's lasting effect
    double energy_junction = 0; ///< Int V_j I dt over the pulse (J), displacement current included
    double energy_source   = 0; ///< Int V_s I dt over the pulse (J)
    double end_tunnel_current = 0; ///< electron current at the end of the flat top (A)
    double peak_terminal_current = 0; ///< largest |terminal current| during the pulse (A)
    double peak_junction_voltage = 0; ///< largest |V_j| during the pulse (V)
    unsigned int steps = 0;
    dealii::Vector<double> state; ///< after the delay
  };

  class PulseLab
  {
  public:
    /// `device`: a run parameter set (its waveform and outputs are ignored).
    explicit PulseLab(const RunParameters &device);

    const RunParameters &device() const { return device_; }
    /// The equilibrium state at 0 V (computed once).
    const dealii::Vector<double> &pristine();
    /// The state after a write of `amplitude` for `width` from the pristine
    /// state and `relax` seconds at 0 V (computed once per argument set).
    const dealii::Vector<double> &written(double amplitude, double width, double relax);

    /// Applies the pulse to `start` (with `circuit` instead of the device's if given).
    PulseOutcome pulse(const dealii::Vector<double> &start, const PulseSpec &spec,
                       const std::optional<CircuitParameters> &circuit = std::nullopt);
    /// Read of a state at the read voltage.
    ReadResult read(const dealii::Vector<double> &state);
    /// Holds `state` at 0 V for `duration` (s); `read_times` (s from the start,
    /// increasing) receive reads. Returns the final state.
    dealii::Vector<double> hold(const dealii::Vector<double> &state, double duration, const std::vector<double> &read_times,
                                std::vector<ReadResult> *reads);
    /// The read current (A) at `V_read` held continuously after a pulse, at
    /// `times` after the end of the fall (increasing); the source is
    /// pulse -> V_read (the paper's EPSC measurement, Fig. 2a).
    struct ReadTrace
    {
      std::vector<double> current;  ///< terminal current (A)
      std::vector<double> centroid; ///< vacancy centroid (m from the Pt)
    };
    ReadTrace read_current_after_pulse(const dealii::Vector<double> &start, const PulseSpec &spec,
                                       const std::vector<double> &times);
    /// A write of V for `width` (0.1 us edges) from `start` and `relax` at 0 V.
    dealii::Vector<double> write(const dealii::Vector<double> &start, double V, double width, double relax);

    unsigned int pde_runs() const { return runs_; }
    /// Takes over what a copy of this lab (run on another thread) computed since it was copied:
    /// its written states and no-pulse references (so that later pulses do not run them again)
    /// and its runs beyond `runs_at_copy`.
    void merge(const PulseLab &copy, unsigned int runs_at_copy);

  private:
    RunParameters with_waveform(const PiecewiseLinearWaveform &waveform, const std::optional<CircuitParameters> &circuit) const;

    RunParameters                                 device_;
    std::optional<dealii::Vector<double>>         pristine_;
    std::map<std::vector<double>, dealii::Vector<double>> written_, reference_;
    unsigned int                                  runs_ = 0;
  };
} // namespace otj
