// All inputs of one run, declared with deal.II ParameterHandler (each entry
// with its unit, range and meaning), parsed from a .prm file, and printable as
// the full parameter reference (`otj print-parameters`).
#pragma once

#include "circuit/external_circuit.h"
#include "device/device_model.h"
#include "mesh/device_mesh.h"
#include "nonlinear/newton_solver.h"
#include "time_stepping/bdf_integrator.h"
#include "waveform/waveform.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace dealii
{
  class ParameterHandler;
}

namespace otj
{
  struct OutputParameters
  {
    std::string directory      = "results";
    bool        write_vtu      = true;
    bool        write_profiles = true;
  };

  struct ExperimentParameters
  {
    std::string             name = "run";
    std::string             initial_state = "equilibrium"; ///< "as-grown" or "equilibrium"
    PiecewiseLinearWaveform waveform;
    std::vector<double>     output_times;
    double                  read_voltage = 0.1; ///< V
  };

  struct RunParameters
  {
    std::string            input_file;
    DeviceModel            device;
    MeshParameters         mesh;
    NewtonParameters       newton;
    TimeSteppingParameters time;
    CircuitParameters      circuit;
    OutputParameters       output;
    ExperimentParameters   experiment;
    double                 concentration_scale = 1e26;

    static void declare_parameters(dealii::ParameterHandler &prm);
    /// Parses `file`; throws InputError naming the file and parameter.
    static RunParameters from_file(const std::string &file);
    /// Prints every parameter with default, range and documentation.
    static void print_reference(std::ostream &out, const std::string &format);
  };
} // namespace otj
