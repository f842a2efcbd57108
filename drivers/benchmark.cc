// otj-benchmark: performance cases of SPEC section 8, one machine-readable
// JSON line per case (wall time, Newton iterations, time steps, DOFs, peak
// memory). Not a test: it measures, it does not judge.
//
//   otj-benchmark [device.prm] [--only NAME]
//     device.prm   default drivers/paper_device/writes.prm
//     --only NAME  run only the cases whose name contains NAME (rv_loop,
//                  threshold_search_20ns, retention_lrs_1e4s, equilibrium, pulse_20ns,
//                  write_100ms, protocols, protocols_compartment, memory_bandwidth, newton_2d;
//                  "protocols" alone runs only that case)
// The `newton_2d` case (SPEC 8, 2D) is the distributed solver on a 2D slab of
// the paper's device at three sizes; run it on N ranks with
//   mpirun -np N otj-benchmark --only newton_2d [--min-level L] [--max-level L] [--dt S]
//       [--linear-solver fieldsplit|direct|gmres-amg|gmres-ilu] [-otj_<PETSc option> ...]
// (default fieldsplit, the 2D solver for these sizes; direct = MUMPS LU)
// It times Newton iterations of one implicit Euler step of S seconds (default
// 1 ns) at 0 V (assembly, preconditioner / factorisation set-up, solves) and
// reports the peak memory of the largest rank and of all.
// `--only newton_2d_concurrent` (under mpirun -np N, not in the default set)
// measures the host: the one-rank newton_2d problem on rank 0 alone, then on
// every rank at once; N t_alone / t_concurrent is the ceiling of the N-rank
// speed-up on this machine (see run_newton_2d_concurrent).
// The `memory_bandwidth` case is McCalpin's STREAM triad a = b + s c (arrays of
// 128 MB per rank, best of 10, all ranks at once): the memory bandwidth that the
// sparse kernels of newton_2d share; run on 1 and on N ranks, its ratio is the
// speed-up ceiling of a bandwidth-bound kernel on this machine.
// The `protocols` case runs every protocol of drivers/paper_device/protocols.prm on
// the reduced oxide model that `otj extract` wrote, `protocols_compartment` on its fitted
// compartment model (each skipped if its file is absent), writing to a temporary directory.
#include "simulation/run_parameters.h"

#include <deal.II/base/multithread_info.h>
#include "analysis/threshold_search.h"
#include "experiments/switching_loops.h"
#include "merits/pulse_lab.h"
#include "protocols/protocols_experiment.h"
#include "simulation/transient_simulation.h"
#include "mesh/device_mesh_2d.h"
#include "parallel/distributed_newton_solver.h"

#include <deal.II/base/mpi.h>

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <vector>
#include <iostream>
#include <string>
#include <thread>

namespace
{
  double peak_rss_mb()
  {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024.0;
  }

  void run_case(const std::string &name, otj::RunParameters p, const std::string &waveform, unsigned level)
  {
    p.mesh.refinement           = level;
    p.output.write_vtu          = false;
    p.output.write_profiles     = false;
    p.experiment.output_times   = {};
    p.experiment.waveform       = otj::PiecewiseLinearWaveform::parse(waveform, "benchmark");
    const auto               t0 = std::chrono::steady_clock::now();
    otj::TransientSimulation sim(p, true);
    sim.solve_initial_state();
    const auto t1 = std::chrono::steady_clock::now();
    sim.integrate_waveform(false);
    const auto t2 = std::chrono::steady_clock::now();
    const double wall_init = std::chrono::duration<double>(t1 - t0).count();
    const double wall_tr   = std::chrono::duration<double>(t2 - t1).count();
    // the final state's read at 0.1 V (not timed): across mesh levels, a record of
    // the mesh convergence of the case
    const double read_ohm  = sim.read(sim.state(), 0.1).resistance;
    std::cout << "{\"case\": \"" << name << "\", \"mesh_level\": " << level << ", \"dofs\": " << sim.system().n_dofs()
              << ", \"wall_s_initial_state\": " << wall_init << ", \"wall_s_transient\": " << wall_tr
              << ", \"newton_iterations\": " << sim.statistics().newton_iterations + sim.equilibrium_newton_iterations()
              << ", \"time_steps\": " << sim.statistics().steps
              << ", \"rejected_steps\": " << sim.statistics().rejected_error + sim.statistics().rejected_newton
              << ", \"read_resistance_ohm\": " << read_ohm << ", \"peak_rss_MB\": " << peak_rss_mb() << "}" << std::endl;
  }

  /// STREAM triad on every rank at once (McCalpin, IEEE TCCA Newsletter, Dec. 1995).
  void run_memory_bandwidth(const MPI_Comm comm)
  {
    const std::size_t   n = std::size_t(1) << 24;
    std::vector<double> a(n, 0.0), b(n, 1.0), c(n, 2.0);
    double              best = std::numeric_limits<double>::infinity();
    for (int rep = 0; rep < 10; ++rep)
      {
        MPI_Barrier(comm);
        const auto t0 = std::chrono::steady_clock::now();
        const double s = 3.0 + rep;
        for (std::size_t i = 0; i < n; ++i)
          a[i] = b[i] + s * c[i];
        double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        MPI_Allreduce(MPI_IN_PLACE, &dt, 1, MPI_DOUBLE, MPI_MAX, comm);
        best = std::min(best, dt);
      }
    double check = a[n / 2] + a[n - 1];
    MPI_Allreduce(MPI_IN_PLACE, &check, 1, MPI_DOUBLE, MPI_SUM, comm);
    const unsigned ranks = dealii::Utilities::MPI::n_mpi_processes(comm);
    const double   bytes = 3.0 * sizeof(double) * n; // STREAM's count: two reads and one write
    if (dealii::Utilities::MPI::this_mpi_process(comm) == 0)
      std::cout << "{\"case\": \"memory_bandwidth\", \"ranks\": " << ranks << ", \"array_MB\": " << n * sizeof(double) / 1048576
                << ", \"triad_s\": " << best << ", \"triad_GB_per_s_per_rank\": " << bytes / best / 1e9
                << ", \"triad_GB_per_s_all_ranks\": " << ranks * bytes / best / 1e9 << ", \"checksum\": " << check << "}"
                << std::endl;
  }

  /// SPEC 8 (2D): Newton iterations of one implicit Euler step (1 ns, 0 V)
  /// from the as-grown state of the paper's device on a distributed 2D slab.
  /// Returns the wall time per Newton iteration; prints the case's line on rank 0 of comm if `print`.
  double run_newton_2d(const otj::RunParameters &p, unsigned level, const std::string &linear_method, const double dt,
                       const MPI_Comm comm = MPI_COMM_WORLD, const bool print = true)
  {
    otj::LateralMeshParameters  lat;
    lat.width             = 50e-9;
    lat.cells             = 16;
    lat.global_refinement = level;
    const auto t0 = std::chrono::steady_clock::now();
    dealii::parallel::fullydistributed::Triangulation<2> tria(comm);
    otj::make_column_distributed_device_slab(p.device, p.mesh, lat, tria);
    otj::DistributedDriftDiffusionSystem<2> sys(tria, p.device, p.concentration_scale);
    otj::DistributedVector                  u, hist;
    sys.initial_state(u, 0.0);
    sys.reinit_vector(hist);
    otj::LinearSolverParameters lp;
    lp.method = linear_method;
    otj::DistributedNewtonSolver newton(sys, p.newton, lp);
    const double wall_setup = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    otj::DistributedTimeTerm tt;
    tt.a0 = 1 / dt;
    hist.equ(-1 / dt, u);
    tt.history   = &hist;
    const auto t1 = std::chrono::steady_clock::now();
    const auto r  = newton.solve(
      [&](const otj::DistributedVector &x, otj::DistributedVector &R, dealii::PETScWrappers::MPI::SparseMatrix *J) {
        sys.assemble(x, 0.0, tt, R, J);
      },
      u);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    const auto & st   = newton.statistics();
    const double rss  = peak_rss_mb();
    const double rss_max = dealii::Utilities::MPI::max(rss, comm), rss_sum = dealii::Utilities::MPI::sum(rss, comm);
    const double it   = std::max(1u, st.newton_iterations);
    if (print && dealii::Utilities::MPI::this_mpi_process(comm) == 0)
      std::cout << "{\"case\": \"newton_2d\", \"ranks\": " << dealii::Utilities::MPI::n_mpi_processes(comm)
                << ", \"mesh_level\": " << level << ", \"cells\": " << tria.n_global_active_cells()
                << ", \"dofs\": " << sys.n_dofs() << ", \"linear_solver\": \"" << linear_method
                << "\", \"dt\": " << dt << ", \"converged\": " << (r.converged ? "true" : "false")
                << ", \"newton_iterations\": " << st.newton_iterations
                << ", \"krylov_iterations\": " << st.linear_iterations << ", \"preconditioner_fallbacks\": " << st.preconditioner_fallbacks
                << ", \"petsc_selfp_setups\": " << st.petsc_selfp_setups << ", \"wall_s_setup\": " << wall_setup
                << ", \"wall_s_newton\": " << wall << ", \"wall_s_per_newton_iteration\": " << wall / it
                << ", \"us_per_dof_per_newton_iteration\": " << 1e6 * wall / it / sys.n_dofs()
                << ", \"wall_s_assembly\": " << st.assembly_seconds << ", \"wall_s_preconditioner\": " << st.setup_seconds
                << ", \"wall_s_krylov\": " << st.solve_seconds << ", \"peak_rss_MB_max_rank\": " << rss_max
                << ", \"peak_rss_MB_all_ranks\": " << rss_sum << "}" << std::endl;
    return wall / it;
  }

  /// Waits at a barrier without spinning (an MPI barrier busy-polls a core,
  /// which would compete with the rank that runs alone).
  void quiet_barrier(const MPI_Comm comm)
  {
    MPI_Request req;
    MPI_Ibarrier(comm, &req);
    int done = 0;
    while (!done)
      {
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (!done)
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
  }

  /// The speed-up ceiling of the host for the newton_2d case: the same one-rank
  /// problem solved by rank 0 alone (the other ranks asleep), then by every rank at
  /// once, each on its own (MPI_COMM_SELF). N ranks splitting the problem can at
  /// best run at the per-rank speed of the concurrent runs: ceiling =
  /// N t_alone / t_concurrent (shared memory bandwidth, caches, the host's
  /// clock under load; a per-rank working set N times smaller can do better
  /// when it then fits a cache).
  void run_newton_2d_concurrent(const otj::RunParameters &p, unsigned level, const std::string &linear_method,
                                const double dt)
  {
    const MPI_Comm world = MPI_COMM_WORLD;
    const unsigned rank = dealii::Utilities::MPI::this_mpi_process(world);
    const unsigned n    = dealii::Utilities::MPI::n_mpi_processes(world);
    double         alone = 0;
    if (rank == 0)
      alone = run_newton_2d(p, level, linear_method, dt, MPI_COMM_SELF, false);
    quiet_barrier(world);
    const double mine = run_newton_2d(p, level, linear_method, dt, MPI_COMM_SELF, false);
    const double mean = dealii::Utilities::MPI::sum(mine, world) / n, worst = dealii::Utilities::MPI::max(mine, world);
    if (rank == 0)
      std::cout << "{\"case\": \"newton_2d_concurrent\", \"ranks\": " << n << ", \"mesh_level\": " << level
                << ", \"linear_solver\": \"" << linear_method << "\", \"wall_s_per_newton_iteration_alone\": " << alone
                << ", \"wall_s_per_newton_iteration_concurrent_mean\": " << mean
                << ", \"wall_s_per_newton_iteration_concurrent_max\": " << worst
                << ", \"speed_up_ceiling\": " << n * alone / mean << "}" << std::endl;
  }
} // namespace

int main(int argc, char **argv)
{
  // MPI (the 2D case is distributed); 1D problems have a few hundred
  // unknowns: threads only add overhead
  dealii::Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  dealii::MultithreadInfo::set_thread_limit(1);
  std::string  file = "drivers/paper_device/writes.prm", only,
               linear_2d = "fieldsplit"; // newton_2d: the solver for its sizes (1e5-1.5e6 DOFs; LU would take minutes)
  double       dt_2d        = 1e-9; // newton_2d: the implicit Euler step (s)
  unsigned int max_level_2d = 4; // levels max-2 .. max: about 7e4, 2.7e5, 1.1e6 dofs
  int          min_level_2d = -1; // --min-level (default max - 2)
  for (int i = 1; i < argc; ++i)
    {
      const std::string a = argv[i];
      if (a == "--only" && i + 1 < argc)
        only = argv[++i];
      else if (a == "--max-level" && i + 1 < argc)
        max_level_2d = std::stoul(argv[++i]);
      else if (a == "--min-level" && i + 1 < argc)
        min_level_2d = std::stoi(argv[++i]);
      else if (a == "--dt" && i + 1 < argc)
        dt_2d = std::stod(argv[++i]);
      else if (a == "--linear-solver" && i + 1 < argc)
        linear_2d = argv[++i];
      else if (a.rfind("-otj_", 0) == 0)
        {
          // a PETSc option of the linear solver (read by PetscInitialize); skip its value
          if (i + 1 < argc && argv[i + 1][0] != '-')
            ++i;
        }
      else if (a.rfind("-", 0) == 0)
        {
          std::cerr << "otj-benchmark: unknown option " << a << " (usage: otj-benchmark [device.prm] [--only NAME] [--min-level L] [--max-level L] [--dt S] [--linear-solver gmres-amg|gmres-ilu|fieldsplit|direct] [-otj_<PETSc option> ...])\n";
          return 2;
        }
      else
        file = a;
    }
  auto wanted = [&](const std::string &name) { return only.empty() || name.find(only) != std::string::npos; };
  try
    {
      const auto base = otj::RunParameters::from_file(file);
      // issue 5: the whole protocol set of drivers/paper_device/protocols.prm, on the reduced oxide
      // model it names ("protocols") and on the fitted compartment model ("protocols_compartment")
      for (const auto &[name, model] :
           {std::pair<std::string, std::string>{"protocols", "results/paper_device/compact/reduced_model.json"},
            {"protocols_compartment", "results/paper_device/compact/compact_model.json"}})
        if (only.empty() ? true : only == name || (only != "protocols" && name.find(only) != std::string::npos))
          {
            if (!std::filesystem::exists(model))
              {
                std::cout << "{\"case\": \"" << name << "\", \"skipped\": \"" << model << " absent (run otj extract)\"}" << std::endl;
                continue;
              }
            otj::ProtocolsExperiment px("drivers/paper_device/protocols.prm");
            px.set_model_file(model);
            px.set_output_directory((std::filesystem::temp_directory_path() / ("otj-benchmark-" + name)).string());
            const auto          t0    = std::chrono::steady_clock::now();
            const unsigned long steps = px.run(true);
            const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::cout << "{\"case\": \"" << name << "\", \"integrator_steps\": " << steps << ", \"wall_s\": " << wall
                      << ", \"peak_rss_MB\": " << peak_rss_mb() << "}" << std::endl;
          }
      if (wanted("rv_loop"))
      {
        // SPEC 8: a full R-V loop (paper Fig. 1b: 100 ms writes from 0 to +2.2 V to -4.3 V
        // to 0 in 0.2 V steps, each followed by a 10 ms delay and a 0.1 V read)
        otj::ResistanceLoopParameters rv;
        auto                          p = base;
        const auto                    t0 = std::chrono::steady_clock::now();
        otj::IntegratorStatistics     st;
        const auto                    pts = otj::run_resistance_loop(p, rv, {}, nullptr, {}, &st);
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::cout << "{\"case\": \"rv_loop\", \"mesh_level\": 0, \"writes\": " << pts.size() - 1
                  << ", \"steps\": " << st.steps << ", \"rejected\": " << st.rejected_error + st.rejected_newton
                  << ", \"newton_iterations\": " << st.newton_iterations << ", \"chord_steps\": " << st.chord_steps
                  << ", \"wall_s\": " << wall << ", \"peak_rss_MB\": " << peak_rss_mb() << "}" << std::endl;
      }
      if (wanted("threshold_search_20ns") || wanted("retention_lrs_1e4s"))
      {
        // issue 4: the threshold search at 20 ns (positive, from the pristine state; the
        // definition of drivers/paper_device/merits.prm) and a retention run to 1e4 s
        otj::PulseLab lab(base);
        const auto   t0 = std::chrono::steady_clock::now();
        lab.pristine();
        otj::ThresholdSearchOptions o;
        o.start = 1.8, o.growth = 1.3, o.relative_tolerance = 0.02, o.max_evaluations = 24;
        const auto r = otj::find_threshold(
          [&](double V) -> std::optional<double> {
            const auto out = lab.pulse(lab.pristine(), otj::PulseSpec{V, 2e-8, 1e-9, 2.5e-5});
            return out.G_after / out.G_reference - 1;
          },
          0.1, o);
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::cout << "{\"case\": \"threshold_search_20ns\", \"mesh_level\": 0, \"evaluations\": " << r.evaluations
                  << ", \"threshold_V\": " << r.threshold << ", \"wall_s\": " << wall
                  << ", \"peak_rss_MB\": " << peak_rss_mb() << "}" << std::endl;
        const auto t1  = std::chrono::steady_clock::now();
        const auto lrs = lab.write(lab.pristine(), 2.2, 0.1, 0.0);
        const auto t2  = std::chrono::steady_clock::now();
        std::vector<otj::ReadResult> reads;
        std::vector<double>          times;
        for (int k = 0; k <= 24; ++k)
          times.push_back(1e-2 * std::pow(10.0, k / 4.0));
        lab.hold(lrs, 1e4, times, &reads);
        const double wall_w = std::chrono::duration<double>(t2 - t1).count();
        const double wall_r = std::chrono::duration<double>(std::chrono::steady_clock::now() - t2).count();
        std::cout << "{\"case\": \"retention_lrs_1e4s\", \"mesh_level\": 0, \"reads\": " << reads.size()
                  << ", \"wall_s_write\": " << wall_w << ", \"wall_s_retention\": " << wall_r
                  << ", \"peak_rss_MB\": " << peak_rss_mb() << "}" << std::endl;
      }
      if (wanted("memory_bandwidth"))
        run_memory_bandwidth(MPI_COMM_WORLD);
      const unsigned first_level_2d = min_level_2d >= 0 ? min_level_2d : (max_level_2d < 2 ? 0 : max_level_2d - 2);
      if (wanted("newton_2d"))
        for (unsigned level = first_level_2d; level <= max_level_2d; ++level)
          run_newton_2d(base, level, linear_2d, dt_2d);
      if (only == "newton_2d_concurrent") // not in the default set: it only measures the host
        for (unsigned level = first_level_2d; level <= max_level_2d; ++level)
          run_newton_2d_concurrent(base, level, linear_2d, dt_2d);
      for (unsigned level = 0; level < 3; ++level)
        {
          auto eq = base;
          eq.experiment.initial_state = "equilibrium";
          if (wanted("equilibrium"))
            run_case("equilibrium", eq, "0 0; 1e-12 0", level);
          if (wanted("pulse_20ns_1.8V_plus_25us"))
            run_case("pulse_20ns_1.8V_plus_25us", base, "0 0; 2e-9 1.8; 2e-8 1.8; 2.2e-8 0; 2.5022e-5 0", level);
          if (wanted("write_100ms_2.2V"))
            run_case("write_100ms_2.2V", base, "0 0; 1e-7 2.2; 0.1 2.2; 0.1000001 0", level);
        }
    }
  catch (const std::exception &e)
    {
      std::cerr << "otj-benchmark: " << e.what() << std::endl;
      return 1;
    }
  return 0;
}
