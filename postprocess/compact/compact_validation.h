// Validation of the compact model against the PDE on pulse sequences (issue
// "Compact model", SPEC 5): the schedule of a sequence (its waveform corners and
// read times), the error measures along it, and the validation table. The PDE
// and compact runs themselves are made by `otj extract` (extraction.cc).
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace otj
{
  /// A train of `count` trapezoidal pulses (1 ns edges) every `period`
  /// seconds on a baseline at the read voltage, from the pristine state.
  struct ValidationSequence
  {
    std::string name;
    double      amplitude = 1.0, width = 5e-8, period = 2e-7;
    unsigned    count     = 2;
    bool        development = false; ///< a development sequence: reported, not part of the pass/fail
  };

  /// The waveform and the read times of a sequence: 0 V at t = 0, the read bias from
  /// `edge`, the baseline settled to `settle`; then per pulse (edges `edge`) a read in its
  /// middle (the current, and the static read of the frozen state), a quarter into the rest
  /// after it and at the end of its period; finally 1 us and 25 us after the last period.
  struct SequenceSchedule
  {
    std::vector<std::pair<double, double>> corners; ///< (t, V) of the piecewise-linear source
    std::vector<double>                    reads;   ///< increasing times
  };
  SequenceSchedule validation_schedule(const ValidationSequence &seq, double read_voltage, double edge = 1e-9,
                                       double settle = 10e-9);

  /// One read along a sequence: the PDE against the compact model.
  struct SequencePoint
  {
    double t = 0, source_voltage = 0;
    double G_pde = 0, G_compact = 0;
    double G_read_model = 0; ///< the compact model's conductance of the PDE's own state
    double I_pde = 0, I_compact = 0;
    /// The PDE's conductance on the refined reference (mesh halved, time tolerance / 10; 0: not run)
    double G_pde_refined = 0;
  };

  /// Largest relative errors |x_cm / x_pde - 1| along a sequence; the conductance also
  /// split into the reads at the read bias (|source - V_read| < 1e-12 V) and the frozen
  /// states read during pulses.
  struct SequenceErrors
  {
    double G = 0, G_at_read_bias = 0, G_during_pulses = 0, I = 0;
    double read_model = 0, read_model_at_read_bias = 0;
    /// The PDE's own numerical uncertainty: max |G_pde / G_pde_refined - 1| over the points with a
    /// refined reference, and the compact model against the refined reference,
    /// max |G_compact / G_pde_refined - 1| (both -1: no refined reference)
    double reference = -1, G_refined = -1;
  };
  SequenceErrors sequence_errors(const std::vector<SequencePoint> &points, double read_voltage);

  /// validation.md: the unseen sequences' table, then the development sequences' (entries
  /// of `val` as `otj extract` writes them to extraction.json).
  void write_validation_table(std::ostream &o, const nlohmann::json &val, const std::string &model_file,
                              double conductance_tolerance, double current_tolerance, double read_voltage);
} // namespace otj
