// Inputs of a batch sweep (`otj sweep FILE.prm`), declared with deal.II's
// ParameterHandler: the device file, the output directory, the lists whose
// cartesian product gives the cases (write amplitude, pulse width,
// temperature, a scaled material parameter, device seeds) and the settings
// shared by all cases (relaxation before the read, read voltage). Every entry
// has its unit in the name, a default and a range; a bad file gives an
// InputError naming the file, the entry and what was expected.
#pragma once

#include "simulation/run_parameters.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace dealii
{
  class ParameterHandler;
}

namespace otj
{
  /// The lists whose cartesian product are the cases of a sweep (see sweep_cases.h).
  struct CaseLists
  {
    std::vector<double>       temperatures{300.0};  ///< K
    std::vector<double>       material_factors{1.0}; ///< multiply the varied material parameter
    std::vector<unsigned int> seeds{0};             ///< device-to-device variation (0 = nominal device)
    std::vector<double>       amplitudes{1.8};      ///< write-pulse amplitude (V)
    std::vector<double>       widths{2e-8};         ///< write-pulse flat-top width (s)
  };

  /// A material-file entry scaled by the sweep's factors in the chosen layers.
  struct MaterialVariation
  {
    std::string              parameter;            ///< entry name in the material file; empty: no variation
    std::vector<std::string> layers{"barrier"};    ///< layer roles whose material is scaled
  };

  /// Device-to-device variation drawn from the case's seed.
  struct DeviceVariation
  {
    /// Standard deviation of ln(f), f the lognormal factor on the film's
    /// initial vacancy density (the vacancy inventory).
    double spread = 0.2;
  };

  struct SweepParameters
  {
    std::string       file;        ///< the sweep file
    std::string       device_file; ///< the device's run file (resolved)
    RunParameters     device;      ///< parsed device (waveform and outputs unused)
    std::string       output_directory = "results/sweep";
    CaseLists         lists;
    double            relaxation   = 1e-3; ///< s at 0 V after the write, before the read
    double            read_voltage = 0.1;  ///< V
    bool              coordinator_works = true;
    MaterialVariation material;
    DeviceVariation   variation;

    static void declare_parameters(dealii::ParameterHandler &prm);
    /// Parses and checks `file` (and the device file it names); throws
    /// InputError naming the file, the parameter and the allowed values.
    static SweepParameters from_file(const std::string &file);
    /// Every entry with its default and meaning, as a ready-to-edit .prm.
    static void print_reference(std::ostream &out);
  };
} // namespace otj
