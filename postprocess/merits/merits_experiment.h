// `otj merits FILE`: the figures of merit of one device from PDE runs (SPEC 5,
// issue "Figures of merit"): the switching threshold versus pulse width, the
// volatile relaxation after sub-threshold pulses with its fitted time
// constant(s) and physical origin, STM-to-LTM by amplitude and by width, the
// energy per spike versus amplitude, retention of HRS and LRS, and endurance.
// Each section writes its CSV into the output directory and a block of
// merits.json; sections can be disabled in the parameter file.
#pragma once

#include <functional>

#include "merits/pulse_lab.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace dealii
{
  class ParameterHandler;
}

namespace otj
{
  struct ThresholdCurveParameters
  {
    bool                enabled = true;
    std::vector<double> widths{1e-8, 2e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1};
    double              read_delay = 2.5e-5, criterion = 0.1, tolerance = 0.02, start = 1.8;
    double              lrs_write = 2.2, lrs_write_time = 0.1, lrs_relax = 0.01; ///< start state of negative pulses
  };

  struct RelaxationParameters
  {
    bool                enabled = true;
    std::vector<double> amplitudes{0.2, 0.6, 1.0};
    double              width = 5e-8, duration = 1e-3;
    unsigned int        points = 61;
  };

  struct StmLtmParameters
  {
    bool                enabled = true;
    std::vector<double> amplitudes{0.9, 1.2, 1.5, 1.8, 2.1, 2.4, 2.7, 3.0, 3.3, 3.6};
    double              amplitude_width = 1e-7;
    double              width_amplitude = 1.5;
    std::vector<double> widths{1e-8, 3e-8, 1e-7, 3e-7, 1e-6, 3e-6, 1e-5};
    double              series_resistance = -1, compliance = 115e-9, read_delay = 1e-6, late_read_delay = 2.5e-5;
  };

  struct EnergyParameters
  {
    bool                enabled = true;
    double              width   = 2e-8;
    std::vector<double> amplitudes{0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.7, 1.8, 1.9, 2.0, 2.2, 2.4};
  };

  struct RetentionParameters
  {
    bool         enabled = true;
    double       duration = 1e4, first_read = 1e-2;
    unsigned int reads_per_decade = 4;
    double       set_voltage = 2.2, reset_voltage = -4.3, write_time = 0.1;
    unsigned int endurance_cycles = 10;
  };

  class MeritsExperiment
  {
  public:
    /// Declares every entry of a merits file (defaults, ranges, meaning): what
    /// `otj merits --print-parameters` prints.
    static void declare_parameters(dealii::ParameterHandler &prm);
    explicit MeritsExperiment(const std::string &file);
    void run(bool quiet);

  private:
    void threshold_curve(PulseLab &lab, nlohmann::json &j, bool quiet) const;
    void relaxation(PulseLab &lab, nlohmann::json &j, bool quiet) const;
    void stm_to_ltm(PulseLab &lab, nlohmann::json &j, bool quiet) const;
    void energy_per_spike(PulseLab &lab, nlohmann::json &j, bool quiet) const;
    void retention_and_endurance(PulseLab &lab, nlohmann::json &j, bool quiet) const;
    /// f(i, lab_i) for i < n on "Threads" threads, each on its own copy of `lab` (made after
    /// its pristine state is computed; every copy computes the same states and references),
    /// whose caches and runs are merged back into `lab`.
    void for_each_run(PulseLab &lab, std::size_t n, const std::function<void(std::size_t, PulseLab &)> &f) const;

    std::string              file_, output_dir_;
    RunParameters            device_;
    ThresholdCurveParameters threshold_;
    RelaxationParameters     relaxation_;
    StmLtmParameters         stm_ltm_;
    EnergyParameters         energy_;
    RetentionParameters      retention_;
    unsigned int             threads_ = 0; ///< threads for independent runs (0: one per core)
  };
} // namespace otj
