// Declaration and parsing of run parameters (see run_parameters.h).
#include "simulation/run_parameters.h"

#include "common/input_error.h"

#include <deal.II/base/parameter_handler.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

namespace otj
{
  using namespace dealii;

  void RunParameters::declare_parameters(ParameterHandler &prm)
  {
    DeviceModel::declare_parameters(prm);
    MeshParameters::declare_parameters(prm);
    NewtonParameters::declare_parameters(prm);
    TimeSteppingParameters::declare_parameters(prm);
    CircuitParameters::declare_parameters(prm);
    prm.enter_subsection("Discretisation");
    prm.declare_entry("Concentration scale (m^-3)", "1e26", Patterns::Double(1e10, 1e30),
                      "Scale of the vacancy unknown (numerical only; results do not depend on it).");
    prm.leave_subsection();
    prm.enter_subsection("Geometry");
    prm.declare_entry("Dimension", "1", Patterns::Integer(1, 2),
                      "1: the layer stack per unit area (serial); 2: a 2D section of the electrode, distributed "
                      "over the MPI ranks (run with mpirun -np N otj run FILE).");
    prm.declare_entry("Coordinate system", "planar", Patterns::Selection("planar|axisymmetric"),
                      "2D only. planar: a slab (x, depth), per unit depth; axisymmetric: (r, depth) about the "
                      "axis r = 0, every integral weighted by 2 pi r.");
    prm.declare_entry("Lateral width (nm)", "20", Patterns::Double(1e-3, 1e7),
                      "2D only: the slab width (planar) or the disc radius (axisymmetric), in nm.");
    prm.declare_entry("Lateral cells", "4", Patterns::Integer(1, 100000),
                      "2D only: uniform coarse cells across the lateral width.");
    prm.declare_entry("Mesh file", "", Patterns::Anything(),
                      "2D only: a gmsh mesh of the device (.msh with the physical groups of meshes/README.md, "
                      "coordinates in nm, y = depth), relative to this file's folder, instead of the generated "
                      "slab ('Lateral width (nm)' and 'Lateral cells' are then unused; its layers must be the "
                      "device's). Empty: the slab.");
    prm.declare_entry("Global refinement", "0", Patterns::Integer(0, 12),
                      "2D only: global refinements of the coarse mesh (each halves every cell in both directions).");
    prm.declare_entry("Linear solver", "direct", Patterns::Selection("direct|fieldsplit"),
                      "2D only: solver of the Newton systems. direct: parallel LU (MUMPS), robust, memory and time "
                      "grow faster than the DOFs (up to ~1e5 DOFs); fieldsplit: GMRES with a Schur field split "
                      "(BoomerAMG on the potential, ILU on the vacancies), cost per Newton iteration linear in the "
                      "DOFs (BENCHMARKS.md; for 1e5 to 1e6+ DOFs).");
    prm.enter_subsection("Initial vacancy variation");
    prm.declare_entry("Log standard deviation", "0", Patterns::Double(0.0, 3.0),
                      "2D only: the as-grown vacancy density of the film is multiplied by f(x) = exp(sigma g(x)), "
                      "g a Gaussian random field of the lateral coordinate with unit variance "
                      "(device/lognormal_random_field.h); this is sigma, the standard deviation of ln f. "
                      "0: laterally uniform.");
    prm.declare_entry("Correlation length (nm)", "5", Patterns::Double(1e-3, 1e9),
                      "2D only: correlation length l of g (covariance exp(-d^2 / (2 l^2))), in nm.");
    prm.declare_entry("Seed", "1", Patterns::Integer(0),
                      "2D only: seed of the random field (mt19937_64); the same seed gives the same field on every "
                      "mesh, rank count and platform.");
    prm.declare_entry("Modes", "512", Patterns::Integer(1, 100000),
                      "2D only: random Fourier modes of g (one-point distribution normal to O(1/modes)).");
    prm.leave_subsection();
    prm.leave_subsection();
    prm.enter_subsection("Joule heating");
    prm.declare_entry("Enabled", "false", Patterns::Bool(),
                      "Heat the junction by the power V_j I_e of its electron current: the device temperature "
                      "(Device/Temperature (K) is then the ambient) follows a compact thermal network after every "
                      "time step (simulation/joule_heating.h), and the vacancy hopping, the electron statistics "
                      "and the Tsu-Esaki current use it. Default network: the electrode disc on the substrate "
                      "half-space, from the substrate file's 'Thermal conductivity (W/m/K)' and 'Volumetric heat "
                      "capacity (J/m^3/K)'.");
    prm.declare_entry("Thermal resistance (K/W)", "0", Patterns::Double(0.0, 1e12),
                      "> 0: a single pole of this thermal resistance and 'Thermal time constant (s)' instead of "
                      "the default network. 0: the default network.");
    prm.declare_entry("Thermal time constant (s)", "0", Patterns::Double(0.0, 1e6),
                      "Time constant of the single pole (s); needed with 'Thermal resistance (K/W)' > 0, "
                      "and only then.");
    prm.declare_entry("Largest temperature change per step (K)", "0.5", Patterns::Double(1e-6, 1e4),
                      "The next time step is limited so that the temperature changes by at most this much at "
                      "the last step's rate (the temperature is updated after each step: first-order splitting).");
    prm.declare_entry("Largest temperature (K)", "1500", Patterns::Double(1.0, 1e5),
                      "The run stops with an error when the junction gets hotter than this (K): far above it the "
                      "materials' parameters, the lumped network and the device itself (oxygen loss; SrTiO3 melts "
                      "at 2350 K, Pt at 2041 K) lose meaning.");
    prm.leave_subsection();
    prm.enter_subsection("Output");
    prm.declare_entry("Directory", "results/run", Patterns::Anything(),
                      "Directory for VTU/PVD, CSV and JSON results (relative to the working directory).");
    prm.declare_entry("Write VTU", "true", Patterns::Bool(), "Write a .vtu per snapshot and a .pvd record.");
    prm.declare_entry("Write profiles", "true", Patterns::Bool(), "Write a CSV depth profile per snapshot.");
    prm.leave_subsection();
    prm.enter_subsection("Experiment");
    prm.declare_entry("Name", "run", Patterns::Anything(), "Name of the experiment (goes into the summary).");
    prm.declare_entry("Initial state", "equilibrium", Patterns::Selection("as-grown|equilibrium"),
                      "as-grown: vacancies at the materials' initial densities, electrons in equilibrium; "
                      "equilibrium: vacancies relaxed to thermodynamic equilibrium at the initial voltage "
                      "(their number conserved).");
    prm.declare_entry("Source waveform", "0 0; 1e-3 0", Patterns::Anything(),
                      "Piecewise-linear source voltage: 't0 V0; t1 V1; ...' with t in s and V in volts "
                      "(positive = Pt positive). Snapshots are written at every corner.");
    prm.declare_entry("Read voltage (V)", "0.1", Patterns::Double(-5.0, 5.0),
                      "Voltage of the resistance read at every snapshot (V); the paper reads at +0.1 V. "
                      "The read re-solves the electrostatics with the vacancies frozen.");
    prm.declare_entry("Output times (s)", "", Patterns::List(Patterns::Double(0.0)),
                      "Additional snapshot times (s), comma separated.");
    prm.leave_subsection();
  }

  RunParameters RunParameters::from_file(const std::string &file)
  {
    ParameterHandler prm;
    declare_parameters(prm);
    parse_parameter_file(prm, file);
    RunParameters p;
    p.input_file         = file;
    const std::string base = std::filesystem::path(file).parent_path().string();
    try
      {
        p.device.parse_parameters(prm, base.empty() ? "." : base, file);
        p.mesh.parse_parameters(prm);
        p.newton.parse_parameters(prm);
        p.time.parse_parameters(prm);
        p.circuit.parse_parameters(prm, file);
        prm.enter_subsection("Discretisation");
        p.concentration_scale = prm.get_double("Concentration scale (m^-3)");
        prm.leave_subsection();
        p.time.absolute_tolerance /= p.concentration_scale;
        prm.enter_subsection("Geometry");
        p.geometry.dimension                = prm.get_integer("Dimension");
        p.geometry.coordinates              = coordinate_system_from_string(prm.get("Coordinate system"));
        p.geometry.lateral.width            = prm.get_double("Lateral width (nm)") * 1e-9;
        p.geometry.lateral.cells            = prm.get_integer("Lateral cells");
        p.geometry.lateral.global_refinement = prm.get_integer("Global refinement");
        p.geometry.linear_solver             = prm.get("Linear solver");
        if (!prm.get("Mesh file").empty())
          {
            const std::string base = std::filesystem::path(file).parent_path().string();
            p.geometry.mesh_file   = resolve_path(prm.get("Mesh file"), base.empty() ? "." : base);
            if (!std::filesystem::is_regular_file(p.geometry.mesh_file))
              throw_bad_parameter(file, "Geometry/Mesh file", prm.get("Mesh file"),
                                  "an existing gmsh .msh file (relative to the parameter file's folder)");
          }
        prm.enter_subsection("Initial vacancy variation");
        p.geometry.initial_variation.log_std            = prm.get_double("Log standard deviation");
        p.geometry.initial_variation.correlation_length = prm.get_double("Correlation length (nm)") * 1e-9;
        p.geometry.initial_variation.seed               = prm.get_integer("Seed");
        p.geometry.initial_variation.n_modes            = prm.get_integer("Modes");
        prm.leave_subsection();
        prm.leave_subsection();
        if (p.geometry.dimension == 1 && p.geometry.coordinates == CoordinateSystem::axisymmetric)
          throw_bad_parameter(file, "Geometry/Coordinate system", "axisymmetric",
                              "planar when Dimension = 1 (an axisymmetric run needs Dimension = 2)");
        prm.enter_subsection("Joule heating");
        p.joule_heating.enabled                    = prm.get_bool("Enabled");
        p.joule_heating.thermal_resistance         = prm.get_double("Thermal resistance (K/W)");
        p.joule_heating.time_constant              = prm.get_double("Thermal time constant (s)");
        p.joule_heating.largest_temperature_change = prm.get_double("Largest temperature change per step (K)");
        p.joule_heating.largest_temperature        = prm.get_double("Largest temperature (K)");
        prm.leave_subsection();
        if (p.joule_heating.enabled)
          {
            if (p.joule_heating.thermal_resistance > 0 && !(p.joule_heating.time_constant > 0))
              throw_bad_parameter(file, "Joule heating/Thermal time constant (s)",
                                  std::to_string(p.joule_heating.time_constant),
                                  "a positive time constant with 'Thermal resistance (K/W)' > 0");
            if (p.joule_heating.thermal_resistance == 0 && p.joule_heating.time_constant > 0)
              throw_bad_parameter(file, "Joule heating/Thermal time constant (s)",
                                  std::to_string(p.joule_heating.time_constant),
                                  "0 unless 'Thermal resistance (K/W)' > 0 (a single pole); the default network "
                                  "has its own time constants");
            if (!(p.joule_heating.largest_temperature > p.device.temperature))
              throw_bad_parameter(file, "Joule heating/Largest temperature (K)",
                                  std::to_string(p.joule_heating.largest_temperature),
                                  "a temperature above the ambient 'Device/Temperature (K)' = " +
                                    std::to_string(p.device.temperature));
            const Material &sub = p.device.layers.back().material;
            for (const auto &[name, value] : {std::pair<const char *, double>{"Material/Thermal conductivity (W/m/K)",
                                                                             sub.thermal_conductivity},
                                             {"Material/Volumetric heat capacity (J/m^3/K)",
                                              sub.volumetric_heat_capacity}})
              if (p.joule_heating.thermal_resistance == 0 && !(value > 0))
                throw_bad_parameter(sub.source_file, name, std::to_string(value),
                                    "a positive value in the substrate file for 'Joule heating/Enabled = true' of " +
                                      file + " (or a single pole: 'Thermal resistance (K/W)' > 0)");
          }
        prm.enter_subsection("Output");
        p.output.directory      = prm.get("Directory");
        p.output.write_vtu      = prm.get_bool("Write VTU");
        p.output.write_profiles = prm.get_bool("Write profiles");
        prm.leave_subsection();
        prm.enter_subsection("Experiment");
        p.experiment.name          = prm.get("Name");
        p.experiment.initial_state = prm.get("Initial state");
        p.experiment.read_voltage  = prm.get_double("Read voltage (V)");
        if (p.experiment.read_voltage == 0.0)
          throw_bad_parameter(file, "Experiment/Read voltage (V)", "0", "a non-zero read voltage");
        p.experiment.waveform =
          PiecewiseLinearWaveform::parse(prm.get("Source waveform"), file + ": parameter 'Experiment/Source waveform'");
        std::stringstream ss(prm.get("Output times (s)"));
        std::string       item;
        while (std::getline(ss, item, ','))
          if (item.find_first_not_of(" ") != std::string::npos)
            {
              const double t = std::stod(item);
              if (!std::isfinite(t))
                throw_bad_parameter(file, "Experiment/Output times (s)", item, "finite times");
              const double end = p.experiment.waveform.end_time();
              if (t > end * (1 + 1e-12))
                {
                  std::ostringstream range;
                  range << "times within the source waveform (0 to " << end << " s)";
                  throw_bad_parameter(file, "Experiment/Output times (s)", item.substr(item.find_first_not_of(" ")),
                                      range.str());
                }
              p.experiment.output_times.push_back(t);
            }
        prm.leave_subsection();
      }
    catch (const InputError &)
      {
        throw;
      }
    catch (const std::exception &e)
      {
        throw InputError(file + ": " + e.what());
      }
    if (p.mesh.largest_cell_film < p.mesh.smallest_cell)
      throw_bad_parameter(file, "Mesh/Largest cell size in the film (nm)", std::to_string(p.mesh.largest_cell_film * 1e9),
                          "a value not below 'Smallest cell size (nm)'");
    return p;
  }

  namespace
  {
    /// Prints every entry of a ParameterHandler as
    ///   Section/Entry = default   [allowed values]
    ///       documentation
    /// from its JSON form (deal.II has no public iterator over entries).
    void print_entries(std::ostream &out, const nlohmann::json &node, const std::string &path)
    {
      // entries first, then subsections, as in a .prm file
      for (auto it = node.begin(); it != node.end(); ++it)
        if (it->is_object() && it->contains("default_value"))
          {
            const auto &e = *it;
            out << path << it.key() << " = " << e["default_value"].get<std::string>() << "   "
                << e["pattern_description"].get<std::string>() << "\n      "
                << e["documentation"].get<std::string>() << "\n";
          }
      for (auto it = node.begin(); it != node.end(); ++it)
        if (it->is_object() && !it->contains("default_value"))
          print_entries(out, *it, path + it.key() + "/");
    }

    void print_handler(std::ostream &out, ParameterHandler &prm)
    {
      std::ostringstream js;
      prm.print_parameters(js, ParameterHandler::JSON);
      print_entries(out, nlohmann::json::parse(js.str()), "");
    }
  } // namespace

  void RunParameters::print_reference(std::ostream &out, const std::string &format)
  {
    ParameterHandler prm;
    declare_parameters(prm);
    ParameterHandler mat, el;
    Material::declare_parameters(mat);
    ElectrodeMaterial::declare_parameters(el);
    if (format == "reference")
      {
        out << "# otj parameter reference: entry = default   [allowed values], then its meaning.\n"
            << "# Units are in the names; the run file (.prm) uses the subsections shown by '/'.\n\n"
            << "## Run file (e.g. drivers/paper_device/writes.prm)\n";
        print_handler(out, prm);
        out << "\n## Material files (materials/*.prm), one region each\n";
        print_handler(out, mat);
        out << "\n## Electrode files (materials/pt.prm)\n";
        print_handler(out, el);
        return;
      }
    ParameterHandler::OutputStyle style = ParameterHandler::PRM;
    if (format == "json")
      style = ParameterHandler::JSON;
    else if (format == "xml")
      style = ParameterHandler::XML;
    else if (format == "latex")
      style = ParameterHandler::LaTeX;
    prm.print_parameters(out, style);
  }
} // namespace otj
