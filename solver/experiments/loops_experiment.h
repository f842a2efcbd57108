// `otj loops`: the R-V loop (Fig. 1b), the switching I-V loops (Fig. 1d) and
// the static I-V curves of the pristine, LRS and HRS states (input of the
// barrier extraction) and the reads of those states at several temperatures
// (Richardson plot: the activation energy of each state's read current) of
// one device, from a loops parameter file; writes CSV files and loops.json
// into the output directory.
#pragma once

#include "experiments/switching_loops.h"

#include <string>

namespace dealii
{
  class ParameterHandler;
}

namespace otj
{
  class LoopsExperiment
  {
  public:
    /// Declares every entry of a loops file (defaults, ranges, meaning): what
    /// `otj loops --print-parameters` prints.
    static void declare_parameters(dealii::ParameterHandler &prm);
    explicit LoopsExperiment(const std::string &file);
    void run(bool quiet);

  private:
    std::string              file_, output_dir_;
    RunParameters            device_run_;
    ResistanceLoopParameters rv_;
    IvLoopParameters         iv_;
    std::vector<double>      static_voltages_;
    std::vector<double>      read_temperatures_; ///< K; empty: no temperature-dependent reads
  };
} // namespace otj
