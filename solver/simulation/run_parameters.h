// All inputs of one run, declared with deal.II ParameterHandler (each entry
// with its unit, range and meaning), parsed from a .prm file, and printable as
// the full parameter reference (`otj print-parameters`).
#pragma once

#include "circuit/external_circuit.h"
#include "device/device_model.h"
#include "device/lognormal_random_field.h"
#include "discretization/cell_physics.h"
#include "mesh/device_mesh.h"
#include "mesh/device_mesh_2d.h"
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

  /// Dimension and coordinate system of a run (SPEC sections 4 and 6).
  /// dimension 1: the layer stack per unit area (the default pipeline);
  /// dimension 2: a distributed (MPI) 2D section of the electrode, planar (a
  /// slab of width W, per unit depth) or axisymmetric (a disc of radius W
  /// about r = 0), with the 1D depth mesh of the stack under every lateral
  /// position. Terminal currents and charges of 2D runs are the electrode
  /// means (current per Pt area) times the electrode area
  /// (simulation/distributed_transient_simulation.h).
  struct GeometryParameters
  {
    unsigned int          dimension   = 1;
    CoordinateSystem      coordinates = CoordinateSystem::planar;
    LateralMeshParameters lateral;
    /// 2D only: a gmsh mesh of the device (meshes/, mesh/gmsh_mesh.h)
    /// instead of the generated slab; empty: the slab. Resolved path.
    std::string mesh_file;
    /// 2D only: laterally inhomogeneous as-grown film vacancies, a
    /// log-normal factor field (device/lognormal_random_field.h) on the
    /// initial vacancy density of the film; log_std = 0: none.
    RandomFieldParameters initial_variation;
    /// 2D only: the linear solver of the Newton systems
    /// (parallel/distributed_linear_solver.h): "direct" (MUMPS LU) or
    /// "fieldsplit" (GMRES + Schur field split; for large meshes).
    std::string linear_solver = "direct";
  };

  /// The optional Joule heating of the junction (simulation/joule_heating.h).
  struct JouleHeatingParameters
  {
    bool   enabled = false;
    /// K/W; > 0: one pole (thermal_resistance, time_constant) instead of the network of the
    /// electrode disc on the substrate (device/thermal_network.h)
    double thermal_resistance = 0.0;
    double time_constant      = 0.0; ///< s
    /// the time step is limited so that the temperature changes by at most this much (K)
    double largest_temperature_change = 0.5;
    /// the run stops with an error above this temperature (K)
    double largest_temperature = 1500.0;
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
    GeometryParameters     geometry;
    JouleHeatingParameters joule_heating;
    double                 concentration_scale = 1e26;

    static void declare_parameters(dealii::ParameterHandler &prm);
    /// Parses `file`; throws InputError naming the file and parameter.
    static RunParameters from_file(const std::string &file);
    /// Prints every parameter with default, range and documentation.
    static void print_reference(std::ostream &out, const std::string &format);
  };
} // namespace otj
