// `otj`: the command-line program of the OTJ synapse simulator.
//
//   otj run FILE.prm               one device run (initial state + source waveform); with
//                                  Geometry/Dimension = 2 a distributed 2D run:
//                                  mpirun -np N otj run FILE.prm
//   otj validate FILE.prm          parse and check an input (a run file, or a calibration, loops,
//                                  merits, extraction, protocols or sweep file), then exit
//   otj calibrate FILE.prm         fit material parameters to the paper's calibration set
//   otj loops FILE.prm             R-V loop, I-V loops and static I-V curves of a device
//   otj extract FILE.prm           compact model from PDE runs, exported with provenance, validated
//   otj merits FILE.prm            figures of merit: threshold vs width, relaxation, STM/LTM,
//                                  energy per spike, retention, endurance
//   otj protocols FILE.prm         the paper's synaptic protocols on the extracted compact model
//   otj sweep FILE.prm             batch of device cases (amplitude x width x temperature x material x
//                                  seed) over MPI ranks, one result file per case, merged table, resumable
//   otj print-parameters [--format prm|json|xml|latex]
//                                  the full parameter reference with defaults and units
//
// Exit codes: 0 success, 2 bad input, 3 non-convergence, 1 other errors.
#include "calibration/calibration.h"
#include "common/output_directory.h"
#include "common/version.h"
#include "common/input_error.h"
#include "experiments/loops_experiment.h"
#include "compact/extraction.h"
#include "merits/merits_experiment.h"
#include "protocols/protocols_experiment.h"
#include "mesh/device_mesh.h"
#include "mesh/gmsh_mesh.h"
#include "simulation/run_parameters.h"
#include "sweep/sweep_command.h"
#include "sweep/sweep_parameters.h"

#include <deal.II/base/multithread_info.h>
#include <deal.II/base/parameter_handler.h>
#include "simulation/distributed_transient_simulation.h"
#include "simulation/transient_simulation.h"

#include <deal.II/base/mpi.h>
#include "time_stepping/bdf_integrator.h"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <sstream>
#include <tuple>
#include <vector>

namespace
{
  int report(const std::string &kind, const std::string &what, int code)
  {
    std::cerr << "otj: " << kind << ": " << what << std::endl;
    return code;
  }

  /// The first top-level subsection of a parameter file ("" if none): tells a
  /// run file (Device, ...) from the other subcommands' files (Merits, ...).
  std::string first_subsection(const std::string &file)
  {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
      {
        std::istringstream words(line);
        std::string        keyword;
        words >> keyword;
        if (keyword == "subsection")
          {
            std::string name;
            std::getline(words >> std::ws, name);
            while (!name.empty() && (name.back() == ' ' || name.back() == '\t' || name.back() == '\r'))
              name.pop_back();
            return name;
          }
      }
    return "";
  }
} // namespace

int main(int argc, char **argv)
{
  // 1D problems have a few hundred unknowns: threads only add overhead
  dealii::MultithreadInfo::set_thread_limit(1);
  CLI::App app{"otj: Poisson / oxygen-vacancy drift-diffusion simulator of Pt/SrTiO3/Nb:SrTiO3 oxide tunnel "
               "junction synapses"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(otj::program_version()));

  std::string run_file, validate_file, format = "reference";
  bool        quiet = false, print_file_parameters = false;
  auto *run = app.add_subcommand("run", "Run one device simulation from a parameter file: initial state, "
                                        "source waveform, VTU/PVD, CSV and JSON output.");
  run->add_option("file", run_file, "Parameter file (.prm)")->required();
  run->add_flag("-q,--quiet", quiet, "No progress output");

  auto *validate = app.add_subcommand("validate", "Parse and check a parameter file (a run file with its material files "
                                                  "and mesh, or a calibration, loops, merits, extraction, protocols or "
                                                  "sweep file with the device file it names); runs nothing.");
  validate->add_option("file", validate_file, "Parameter file (.prm)")->required();

  std::string calibrate_file;
  auto *calibrate = app.add_subcommand("calibrate", "Fit the uncertain material parameters to the paper's "
                                                    "calibration set (R_HRS, R_LRS, 20 ns threshold) by least squares "
                                                    "over PDE runs; writes calibrated material files and calibration.json.");
  calibrate->add_option("file", calibrate_file, "Calibration file (.prm), e.g. drivers/paper_device/calibration.prm");
  calibrate->add_flag("-q,--quiet", quiet, "No progress output");
  bool check_only = false;
  calibrate->add_flag("--check", check_only,
                      "Evaluate the targets at the current (calibrated) materials only; write calibration_check.json "
                      "and change no material file");

  std::string loops_file;
  auto *loops = app.add_subcommand("loops", "R-V hysteresis loop (write pulses swept between the reset and set "
                                            "voltages, each followed by a read), switching I-V loops and static I-V "
                                            "curves of the pristine, LRS and HRS states; CSV and JSON output.");
  loops->add_option("file", loops_file, "Loops file (.prm), e.g. drivers/paper_device/loops.prm");
  loops->add_flag("-q,--quiet", quiet, "No progress output");

  std::string merits_file;
  auto *merits = app.add_subcommand("merits", "Figures of merit from PDE runs: switching threshold versus pulse width, "
                                              "volatile relaxation (tau_1), STM to LTM by amplitude and width, energy "
                                              "per spike, retention and endurance; CSV and merits.json.");
  merits->add_option("file", merits_file, "Merits file (.prm), e.g. drivers/paper_device/merits.prm");
  merits->add_flag("-q,--quiet", quiet, "No progress output");

  std::string extract_file;
  auto *extract = app.add_subcommand("extract", "Compact model from PDE training runs (state equations and current "
                                                "table), exported as JSON and CSV with provenance, and validated "
                                                "against the PDE on unseen pulse sequences.");
  extract->add_option("file", extract_file, "Extraction file (.prm), e.g. drivers/paper_device/compact.prm");
  extract->add_flag("-q,--quiet", quiet, "No progress output");

  std::string protocols_file;
  auto *protocols = app.add_subcommand("protocols", "The paper's synaptic protocols on an extracted compact model: EPSC, "
                                                    "frequency, PPF/PTP, LTP/LTD (NeuroSim and lookup tables), STDP, "
                                                    "energy per spike, 5x5 letter array; CSV and protocols.json.");
  protocols->add_option("file", protocols_file, "Protocols file (.prm), e.g. drivers/paper_device/protocols.prm");
  protocols->add_flag("-q,--quiet", quiet, "No progress output");

  // the subcommands whose file an experiment class declares: `otj <subcommand> --print-parameters`
  // prints its entries; otherwise the file is needed
  const std::vector<std::tuple<CLI::App *, void (*)(dealii::ParameterHandler &), std::string>> file_commands{
    {calibrate, &otj::Calibration::declare_parameters, "calibration"},
    {loops, &otj::LoopsExperiment::declare_parameters, "loops"},
    {merits, &otj::MeritsExperiment::declare_parameters, "merits"},
    {extract, &otj::CompactExtraction::declare_parameters, "extraction"},
    {protocols, &otj::ProtocolsExperiment::declare_parameters, "protocols"}};
  for (const auto &[command, declare, name] : file_commands)
    command->add_flag("--print-parameters", print_file_parameters,
                      "Print every entry of the " + name + " file with its default, allowed range and meaning, then exit");

  otj::SweepCommand sweep_command; // `otj sweep` (drivers/sweep/)
  sweep_command.add_to(app);

  auto *print = app.add_subcommand("print-parameters",
                                   "Print every parameter with its default, allowed range, unit and meaning.");
  print->add_option("--format", format, "reference (default: defaults, ranges, meaning) | prm (a ready-to-edit input file) | json | xml | latex")
    ->check(CLI::IsMember({"reference", "prm", "json", "xml", "latex"}));

  try
    {
      app.parse(argc, argv);
    }
  catch (const CLI::ParseError &e)
    {
      return app.exit(e) == 0 ? 0 : 2;
    }

  try
    {
      if (sweep_command.selected())
        return sweep_command.run();
      if (*print)
        {
          otj::RunParameters::print_reference(std::cout, format);
          return 0;
        }
      for (const auto &[command, declare, name] : file_commands)
        if (command->parsed())
          {
            if (print_file_parameters)
              {
                dealii::ParameterHandler prm;
                declare(prm);
                std::cout << "# otj " << command->get_name() << ": every entry of a " << name
                          << " file with its default, allowed range and meaning (example files in "
                             "drivers/paper_device/).\n";
                prm.print_parameters(std::cout, dealii::ParameterHandler::PRM);
                return 0;
              }
            if (command->get_option("file")->empty())
              {
                std::cerr << "otj: input error: otj " << command->get_name() << ": missing the " << name
                          << " file (.prm); see otj " << command->get_name() << " --help" << std::endl;
                return 2;
              }
          }
      if (*validate)
        {
          // the other subcommands' files: parsed and checked by the constructors that
          // `otj <subcommand>` uses (device files, materials, ranges), nothing run
          const std::string kind = first_subsection(validate_file);
          if (kind == "Material" || kind == "Electrode")
            {
              const std::string name = kind == "Material" ? otj::read_material_file(validate_file).name
                                                          : otj::read_electrode_file(validate_file).name;
              std::cout << validate_file << ": valid (" << kind << " file, '" << name << "')\n";
              return 0;
            }
          if (kind == "Calibration" || kind == "Loops" || kind == "Merits" || kind == "Extraction" ||
              kind == "Protocols" || kind == "Sweep")
            {
              if (kind == "Calibration")
                otj::Calibration c(validate_file);
              else if (kind == "Loops")
                otj::LoopsExperiment l(validate_file);
              else if (kind == "Merits")
                otj::MeritsExperiment m(validate_file);
              else if (kind == "Extraction")
                otj::CompactExtraction x(validate_file);
              else if (kind == "Protocols")
                otj::ProtocolsExperiment pr(validate_file);
              else
                {
                  const auto s = otj::SweepParameters::from_file(validate_file);
                  if (!s.device.geometry.mesh_file.empty())
                    otj::check_gmsh_device_mesh(s.device.device, s.device.geometry.mesh_file);
                }
              std::cout << validate_file << ": valid (" << kind << " file)\n";
              return 0;
            }
          const auto p = otj::RunParameters::from_file(validate_file);
          otj::check_output_directory(p.output.directory, validate_file, "Output/Directory");
          if (!p.geometry.mesh_file.empty())
            {
              // a gmsh mesh: read and checked against the device's layers as a 2D run would
              const unsigned int cells = otj::check_gmsh_device_mesh(p.device, p.geometry.mesh_file);
              std::cout << validate_file << ": valid (" << p.device.layers.size() << " layers, gmsh mesh "
                        << p.geometry.mesh_file << " with " << cells << " cells)\n";
              return 0;
            }
          dealii::Triangulation<1> tria;
          otj::make_device_mesh(p.device, p.mesh, tria);
          std::cout << validate_file << ": valid (" << p.device.layers.size() << " layers, " << tria.n_active_cells()
                    << " cells)\n";
          return 0;
        }
      if (*calibrate)
        {
          otj::Calibration c(calibrate_file);
          c.run(quiet, check_only);
          return 0;
        }
      if (*extract)
        {
          otj::CompactExtraction x(extract_file);
          x.run(quiet);
          return 0;
        }
      if (*protocols)
        {
          otj::ProtocolsExperiment p(protocols_file);
          p.run(quiet);
          return 0;
        }
      if (*merits)
        {
          otj::MeritsExperiment m(merits_file);
          m.run(quiet);
          return 0;
        }
      if (*loops)
        {
          otj::LoopsExperiment l(loops_file);
          l.run(quiet);
          return 0;
        }
      if (*run)
        {
          const auto p = otj::RunParameters::from_file(run_file);
          if (p.geometry.dimension == 2)
            {
              // MPI (and PETSc) for the distributed 2D run; rank 0 prints
              dealii::Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
              const bool root = dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0;
              // rank 0 alone tries the output directory (ranks doing it at once would race)
              int refused = 0;
              if (root)
                try
                  {
                    otj::check_output_directory(p.output.directory, run_file, "Output/Directory");
                  }
                catch (const otj::InputError &e)
                  {
                    refused = 1;
                    report("input error", e.what(), 2);
                  }
              MPI_Bcast(&refused, 1, MPI_INT, 0, MPI_COMM_WORLD);
              if (refused)
                return 2;
              otj::DistributedTransientSimulation sim(p, MPI_COMM_WORLD, quiet || !root);
              sim.run();
              return 0;
            }
          otj::check_output_directory(p.output.directory, run_file, "Output/Directory");
          otj::TransientSimulation sim(p, quiet);
          sim.run();
          return 0;
        }
    }
  catch (const otj::InputError &e)
    {
      return report("input error", e.what(), 2);
    }
  catch (const otj::ConvergenceFailure &e)
    {
      return report("convergence failure", e.what(), 3);
    }
  catch (const otj::TemperatureLimitExceeded &e)
    {
      return report("temperature limit", e.what(), 4);
    }
  catch (const std::exception &e)
    {
      return report("error", e.what(), 1);
    }
  return 0;
}
