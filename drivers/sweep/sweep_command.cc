// The `sweep` subcommand (see sweep_command.h).
#include "sweep/sweep_command.h"

#include "common/input_error.h"
#include "common/output_directory.h"
#include "mesh/gmsh_mesh.h"

#include <CLI/CLI.hpp>

#include <mpi.h>
#include <petscsys.h>
#include <p4est_base.h>
#include <sc.h>

#include <iostream>
#include <limits>

namespace otj
{
  namespace
  {
    /// Starts MPI (MPI_THREAD_MULTIPLE if available: rank 0 runs 2D cases, which
    /// call PETSc, in a second thread) and PETSc unless the program already
    /// did, and ends what it started.
    class MpiSession
    {
    public:
      MpiSession()
      {
        int started = 0;
        MPI_Initialized(&started);
        if (!started)
          {
            int provided = 0;
            MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
            owner_ = true;
          }
        PetscBool petsc = PETSC_FALSE;
        PetscInitialized(&petsc);
        if (!petsc)
          {
            PetscInitializeNoArguments();
            petsc_owner_ = true;
            // p4est / libsc quiet, as deal.II's MPI_InitFinalize sets them
            sc_init(MPI_COMM_WORLD, 0, 0, nullptr, SC_LP_SILENT);
            p4est_init(nullptr, SC_LP_SILENT);
          }
      }
      ~MpiSession()
      {
        int finished = 0;
        if (petsc_owner_)
          PetscFinalize();
        MPI_Finalized(&finished);
        if (owner_ && !finished)
          MPI_Finalize();
      }
      MpiSession(const MpiSession &) = delete;
      MpiSession &operator=(const MpiSession &) = delete;

    private:
      bool owner_ = false, petsc_owner_ = false;
    };

    const char *description =
      "Batch sweep of independent device cases (1D, or 2D sections on one rank each when the device file has "
      "Geometry/Dimension = 2), spread over MPI ranks with dynamic load balance "
      "(mpirun -np N otj sweep FILE.prm; rank 0 hands out cases and, by default, also runs cases in a second "
      "thread). The cases are the cartesian product of the file's lists: write amplitude (V), pulse width (s), "
      "temperature (K), factors on a named material-file parameter, and device seeds (a seed s > 0 multiplies the "
      "film's initial vacancy density by a lognormal factor; in 2D it draws a lateral random field). Each case: the pristine equilibrium at 0 V, the write "
      "pulse, relaxation at 0 V, a read (resistance and conduction shares). One result file per case "
      "(OUTPUT/cases/case_NNNNNN.json, written atomically), progress with ETA on rank 0, and the merged table "
      "OUTPUT/sweep.csv and sweep.json; a failed case is kept with status=failed and its message. Running the same "
      "command again resumes an interrupted sweep. Exit codes: 0 all cases ok, 1 some cases failed, 2 bad input. "
      "Parameters and defaults: otj sweep --print-parameters; example: drivers/paper_device/sweep.prm.";
  } // namespace

  void SweepCommand::add_to(CLI::App &app)
  {
    command_ = app.add_subcommand("sweep", description);
    command_->add_option("file", file_, "Sweep file (.prm), e.g. drivers/paper_device/sweep.prm");
    command_->add_option("-o,--output", output_, "Output directory (overrides the file's 'Output directory')");
    command_->add_option("--stop-after", options_.stop_after,
                         "Hand out at most N cases in this run, then stop without merging (run again to resume)");
    command_->add_flag("--retry-failed", options_.retry_failed,
                       "Run again the cases whose stored result failed (by default they are kept)");
    command_->add_flag("-q,--quiet", options_.quiet, "No progress output");
    command_->add_flag("--print-parameters", print_parameters_,
                       "Print every sweep-file entry with its default and meaning, then exit");
  }

  bool SweepCommand::selected() const { return command_ && command_->parsed(); }

  int SweepCommand::run() const
  {
    if (print_parameters_)
      {
        SweepParameters::print_reference(std::cout);
        return 0;
      }
    if (file_.empty())
      {
        std::cerr << "otj: input error: otj sweep: missing the sweep file (.prm); see otj sweep --help" << std::endl;
        return 2;
      }

    MpiSession session;
    int        rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);

    // every rank reads the inputs; one message if any rank cannot
    int             code = 0;
    std::string     message;
    SweepParameters p;
    try
      {
        p = SweepParameters::from_file(file_);
        if (!output_.empty())
          p.output_directory = output_;
        // rank 0 alone tries the output directory (ranks trying it at once would race)
        if (rank == 0)
          {
            if (output_.empty())
              check_output_directory(p.output_directory, file_, "Sweep/Output directory");
            else
              check_output_directory(output_, "the command line", "-o/--output");
          }
        if (!p.device.geometry.mesh_file.empty())
          check_gmsh_device_mesh(p.device.device, p.device.geometry.mesh_file); // once here, not once per case
      }
    catch (const InputError &e)
      {
        code    = 2;
        message = std::string("input error: ") + e.what();
      }
    catch (const std::exception &e)
      {
        code    = 1;
        message = std::string("error: ") + e.what();
      }
    int reporter = code != 0 ? rank : std::numeric_limits<int>::max(), first = 0, worst = 0;
    MPI_Allreduce(&reporter, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&code, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (worst != 0)
      {
        if (rank == first)
          std::cerr << "otj: " << message << std::endl;
        return worst;
      }

    return Sweep(p, options_).run(MPI_COMM_WORLD);
  }
} // namespace otj
