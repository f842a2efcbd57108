// One distributed 2D device run (see distributed_transient_simulation.h).
#include "simulation/distributed_transient_simulation.h"
#include "output/previous_run_outputs.h"
#include "common/version.h"

#include "common/input_error.h"
#include "mesh/device_mesh_2d.h"
#include "mesh/gmsh_mesh.h"
#include "output/atomic_file.h"
#include "parallel/random_initial_vacancies.h"
#include "physics/constants.h"
#include "simulation/equilibrium_continuation.h"

#include <deal.II/base/mpi.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>

namespace otj
{
  using namespace dealii;
  namespace fs = std::filesystem;

  namespace
  {
    double seconds_since(const std::chrono::steady_clock::time_point start)
    {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  } // namespace

  DistributedTransientSimulation::DistributedTransientSimulation(const RunParameters &p, const MPI_Comm comm,
                                                                 const bool quiet)
    : p_(p)
    , quiet_(quiet)
    , comm_(comm)
    , root_(Utilities::MPI::this_mpi_process(comm) == 0)
    , circuit_(p.circuit)
  {
    if (p_.geometry.dimension != 2)
      throw InputError(p_.input_file + ": parameter 'Geometry/Dimension' is " +
                       std::to_string(p_.geometry.dimension) + ", the distributed run needs 2");
    heating_ = std::make_unique<JouleHeating>(p_.joule_heating, p_.device);
    if (p_.geometry.mesh_file.empty())
      {
        // lateral columns, one per rank (mesh/device_mesh_2d.h)
        auto t = std::make_unique<parallel::fullydistributed::Triangulation<2>>(comm);
        make_column_distributed_device_slab(p_.device, p_.mesh, p_.geometry.lateral, *t);
        tria_ = std::move(t);
      }
    else
      {
        GmshMeshParameters gp;
        gp.file              = p_.geometry.mesh_file;
        gp.global_refinement = p_.geometry.lateral.global_refinement;
        auto t               = std::make_unique<parallel::distributed::Triangulation<2>>(comm);
        read_distributed_gmsh_device_mesh(p_.device, gp, *t);
        tria_ = std::move(t);
      }
    system_ = std::make_unique<DistributedDriftDiffusionSystem<2>>(*tria_, p_.device, p_.concentration_scale,
                                                                   p_.geometry.coordinates);
    LinearSolverParameters lp;
    lp.method  = p_.geometry.linear_solver;
    newton_    = std::make_unique<DistributedNewtonSolver>(*system_, p_.newton, lp);
    electrode_ = std::make_unique<ElectrodeCurrent>(*system_);
    n_         = system_->n_locally_owned();
    measure_   = system_->top_contact_measure();
    // sigma in units of one c_scale layer of 1 nm of doubly charged vacancies (as in 1D)
    sigma_scale_ = constants::elementary_charge * p_.concentration_scale * 1e-9;
    std::vector<bool> positive(n_), controlled(n_);
    for (unsigned int k = 0; k < n_; ++k)
      positive[k] = controlled[k] = system_->is_vacancy_local(k);
    positive.insert(positive.end(), {false, false, false, false});
    controlled.insert(controlled.end(), {true, false, false, false});
    integrator_ = std::make_unique<BdfIntegrator>(p_.time, positive, controlled);
    integrator_->set_error_norm_reduction([this](double e) { return Utilities::MPI::max(e, comm_); });
    for (auto *v : {&work_, &history_, &frozen_, &best_})
      system_->reinit_vector(*v);
    if (p_.output.write_vtu)
      writer_ = std::make_unique<DistributedSolutionWriter<2>>(*system_, p_.output.directory);
  }

  void DistributedTransientSimulation::to_distributed(const Vector<double> &local, DistributedVector &u) const
  {
    for (unsigned int k = 0; k < n_; ++k)
      u.local_element(k) = local[k];
  }

  double DistributedTransientSimulation::total_vacancies() const
  {
    to_distributed(u_, work_);
    return system_->total_vacancies(work_);
  }

  double DistributedTransientSimulation::tunnel_current_density(const DistributedVector &u, const double V) const
  {
    return electrode_->current(u, V) / measure_;
  }

  NewtonResult DistributedTransientSimulation::solve_at(const double V, const DistributedTimeTerm &tt,
                                                        DistributedVector &u, DistributedNewtonSolver *newton)
  {
    return (newton ? newton : newton_.get())->solve(
      [&](const DistributedVector &x, DistributedVector &R, PETScWrappers::MPI::SparseMatrix *J) {
        system_->assemble(x, V, tt, R, J);
      },
      u);
  }

  void DistributedTransientSimulation::solve_initial_state()
  {
    const double V0 = p_.experiment.waveform.value(p_.experiment.waveform.start_time());
    t_              = p_.experiment.waveform.start_time();
    heating_->reset(); // the ambient temperature (Joule heating; no-op without)
    DistributedVector u;
    system_->initial_state(u, V0);
    if (p_.geometry.initial_variation.log_std > 0)
      apply_random_vacancy_factor(*system_, LognormalRandomField(p_.geometry.initial_variation), u);
    n_initial_ = system_->total_vacancies(u);

    // electrons and potential with the as-grown vacancies frozen
    frozen_ = u;
    DistributedTimeTerm tf;
    tf.frozen_vacancies = true;
    tf.frozen_state     = &frozen_;
    NewtonResult r      = solve_at(V0, tf, u);
    equilibrium_newton_ += r.iterations;
    if (!r.converged)
      {
        std::ostringstream m;
        m << "2D initial electrostatic solve at t = " << t_ << " s, V = " << V0
          << " V did not converge: scaled residual " << r.residual_norm << " after " << r.iterations
          << " Newton iterations";
        throw ConvergenceFailure(t_, 0, r.residual_norm, m.str());
      }
    if (p_.experiment.initial_state == "equilibrium")
      {
        // the vacancy equilibrium as in 1D (simulation/equilibrium_continuation.h),
        // always with the direct linear solver: the pseudo-time steps grow to
        // 1e7 s and more, where the vacancy block (dt L_c, conserving) is
        // singular to machine precision; measured with `fieldsplit`: GMRES
        // breakdown from dt ~ 0.02 s on, and with the LU fallback the
        // continuation stalls at 2-4500 s steps (tests/test_parallel_transient.cc)
        std::unique_ptr<DistributedNewtonSolver> direct;
        if (p_.geometry.linear_solver != "direct")
          direct = std::make_unique<DistributedNewtonSolver>(*system_, p_.newton, LinearSolverParameters());
        const auto c = continue_to_equilibrium(
          u,
          [&](double dt, const DistributedVector &old, DistributedVector &trial) {
            DistributedTimeTerm te;
            te.a0 = 1.0 / dt;
            history_.equ(-1.0 / dt, old);
            te.history = &history_;
            return solve_at(V0, te, trial, direct.get());
          },
          [&](const DistributedVector &trial, const DistributedVector &old) {
            double change = 0;
            for (unsigned int i = 0; i < n_; ++i)
              if (system_->is_vacancy_local(i))
                change = std::max(change, std::abs(trial.local_element(i) - old.local_element(i)) /
                                            (std::abs(trial.local_element(i)) + 1e-12));
            return Utilities::MPI::max(change, comm_);
          },
          t_, "2D equilibrium continuation");
        equilibrium_newton_ += c.newton_iterations;
      }
    u_.reinit(n_);
    for (unsigned int k = 0; k < n_; ++k)
      u_[k] = u.local_element(k);
    attach_circuit_block(V0);
  }

  void DistributedTransientSimulation::attach_circuit_block(const double Vj)
  {
    to_distributed(u_, work_);
    const double A     = p_.device.electrode_area;
    const double It    = Vj != 0.0 ? A * tunnel_current_density(work_, Vj) : 0.0;
    const double sigma = system_->top_contact_charge(work_, Vj) / measure_ / sigma_scale_;
    u_.grow_or_shrink(n_ + 4);
    u_[n_]     = sigma;
    u_[n_ + 1] = Vj;
    u_[n_ + 2] = It;
    u_[n_ + 3] = It;
  }

  NewtonResult DistributedTransientSimulation::solve_step(const double t_new, const TimeTerm &tt, Vector<double> &u)
  {
    const double Vs         = p_.experiment.waveform.value(t_new);
    const double A          = p_.device.electrode_area;
    const double hist_sigma = tt.history ? (*tt.history)[n_] : 0.0;
    DistributedTimeTerm dtt;
    dtt.a0 = tt.a0;
    if (tt.history)
      {
        to_distributed(*tt.history, history_);
        dtt.history = &history_;
      }
    DistributedVector guess;
    system_->reinit_vector(guess);
    to_distributed(u, guess);
    NewtonResult last;
    unsigned int iterations = 0;
    bool         have       = false;
    double       last_V = std::numeric_limits<double>::quiet_NaN(), last_sigma = 0, last_It = 0, last_I = 0;
    // terminal current at V_j: the device step with the contact at V_j, then
    // the face-summed Tsu-Esaki current plus the BDF derivative of sigma
    // (every quantity is globally reduced: all ranks take the same path)
    auto junction = [&](const double Vj) -> std::optional<double> {
      work_ = have ? best_ : guess;
      last  = solve_at(Vj, dtt, work_);
      iterations += last.iterations;
      if (!last.converged)
        return std::nullopt;
      best_      = work_;
      have       = true;
      last_V     = Vj;
      last_sigma = system_->top_contact_charge(work_, Vj) / measure_ / sigma_scale_;
      last_It    = A * tunnel_current_density(work_, Vj);
      last_I     = A * sigma_scale_ * (tt.a0 * last_sigma + hist_sigma) + last_It;
      return last_I;
    };
    const double eps_film = constants::vacuum_permittivity * p_.device.layers.front().material.relative_permittivity;
    const double g_est    = A * eps_film / p_.device.film_thickness() * tt.a0;
    const CircuitSolution cs = circuit_.solve(Vs, u[n_ + 1], g_est, junction);
    circuit_evaluations_ += cs.evaluations;
    if (cs.converged && cs.junction_voltage != last_V)
      junction(cs.junction_voltage); // the root was an earlier iterate: restore its state
    NewtonResult r = last;
    r.iterations   = iterations;
    if (!cs.converged || !last.converged)
      {
        r.converged = false;
        return r;
      }
    for (unsigned int k = 0; k < n_; ++k)
      u[k] = best_.local_element(k);
    u[n_]     = last_sigma;
    u[n_ + 1] = cs.junction_voltage;
    u[n_ + 2] = last_I;
    u[n_ + 3] = last_It;
    return r;
  }

  double DistributedTransientSimulation::read_resistance(const double V_read)
  {
    to_distributed(u_, frozen_);
    work_ = frozen_;
    DistributedTimeTerm tt;
    tt.frozen_vacancies  = true;
    tt.frozen_state      = &frozen_;
    const NewtonResult r = solve_at(V_read, tt, work_);
    if (!r.converged)
      return std::numeric_limits<double>::quiet_NaN();
    return V_read / (p_.device.electrode_area * tunnel_current_density(work_, V_read));
  }

  void DistributedTransientSimulation::snapshot(const std::string &label)
  {
    const double V  = p_.experiment.waveform.value(t_);
    Snapshot     s{};
    s.label            = label;
    s.time             = t_;
    s.voltage          = V;
    s.total_vacancies  = total_vacancies();
    s.centroid         = std::numeric_limits<double>::quiet_NaN();
    s.junction_voltage = junction_voltage();
    s.current          = terminal_current();
    s.tunnel_current   = tunnel_current();
    s.read_resistance  = read_resistance(p_.experiment.read_voltage);
    if (writer_)
      {
        to_distributed(u_, work_);
        s.vtu = writer_->write(work_, t_, junction_voltage());
      }
    snapshots_.push_back(s);
    if (!quiet_ && root_)
      std::cout << "  snapshot " << std::setw(3) << snapshots_.size() - 1 << "  t = " << std::setw(11)
                << std::setprecision(4) << t_ << " s  V = " << std::setw(6) << std::setprecision(3) << V
                << " V  I = " << std::setprecision(4) << s.current << " A  R(" << p_.experiment.read_voltage
                << " V) = " << std::setprecision(3) << s.read_resistance << " ohm  (" << label << ")\n";
  }

  void DistributedTransientSimulation::integrate_waveform(const bool write_output)
  {
    const auto &w = p_.experiment.waveform;
    integrator_->reset(t_, u_);
    std::vector<double> stops = w.corners();
    for (double t : p_.experiment.output_times)
      if (t > w.start_time() && t < w.end_time())
        stops.push_back(t);
    std::sort(stops.begin(), stops.end());
    stops.erase(std::unique(stops.begin(), stops.end()), stops.end());

    auto   solve = [&](double t_new, const TimeTerm &tt, Vector<double> &u) { return solve_step(t_new, tt, u); };
    auto   last_print = std::chrono::steady_clock::now();
    double t_prev = t_, Vs_prev = w.value(t_), Vj_prev = junction_voltage(), I_prev = terminal_current();
    double P_prev = junction_voltage() * tunnel_current(); // Joule power V_j I_e (W), the same on every rank
    auto observe = [&](double t, const Vector<double> &u, double dt, unsigned int order, const NewtonResult &nr) {
      const double Vs = w.value(t), Vj = u[n_ + 1], I = u[n_ + 2];
      energy_.add(t - t_prev, Vs_prev, Vj_prev, I_prev, Vs, Vj, I);
      t_prev = t, Vs_prev = Vs, Vj_prev = Vj, I_prev = I;
      if (heating_->enabled())
        {
          // the step was solved at the temperature of its start (nothing of it is cached in 2D)
          const double P = Vj * u[n_ + 3];
          integrator_->limit_next_step(heating_->advance(t, dt, P_prev, P));
          P_prev = P;
        }
      to_distributed(u, work_);
      steps_.push_back(StepRecord{t, Vs, Vj, I, u[n_ + 3], energy_.source, energy_.junction, dt, order,
                                  nr.iterations, system_->total_vacancies(work_),
                                  std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN(),
                                  p_.device.temperature});
      const auto now = std::chrono::steady_clock::now();
      if (!quiet_ && root_ && std::chrono::duration<double>(now - last_print).count() > 2.0)
        {
          last_print = now;
          std::cout << "    ... t = " << std::setprecision(4) << t << " s of " << w.end_time() << " s, step " << dt
                    << " s, " << steps_.size() << " steps\n";
        }
    };
    for (const double stop : stops)
      {
        if (stop <= t_)
          continue;
        integrator_->advance(stop, {}, solve, observe);
        t_ = integrator_->time();
        u_ = integrator_->solution();
        if (write_output)
          {
            std::ostringstream label;
            label << "t = " << stop << " s";
            snapshot(label.str());
          }
      }
  }

  void DistributedTransientSimulation::write_timeseries() const
  {
    if (!root_)
      return;
    write_atomically(p_.output.directory + "/timeseries.csv", [&](std::ostream &out) {
      out << "time_s,source_voltage_V,junction_voltage_V,terminal_current_A,tunnel_current_A,"
             "source_energy_J,junction_energy_J,step_s,bdf_order,newton_iterations,vacancies_in_domain,temperature_K\n";
      out << std::setprecision(10);
      for (const auto &s : steps_)
        out << s.time << ',' << s.voltage << ',' << s.junction_voltage << ',' << s.current << ',' << s.tunnel_current
            << ',' << s.energy_source << ',' << s.energy_junction << ',' << s.dt << ',' << s.order << ','
            << s.newton_iterations << ',' << s.total_vacancies << ',' << s.temperature << '\n';
    });
  }

  void DistributedTransientSimulation::write_summary(const double wall, const std::string &stopped) const
  {
    const double final_vacancies = total_vacancies();
    if (!root_)
      return;
    using nlohmann::json;
    json j;
    j["program"]                      = "otj run (2D, distributed)";
    if (!stopped.empty())
      j["stopped"] = stopped;
    j["version"]                      = otj::program_version();
    j["input_file"]                   = p_.input_file;
    j["experiment"]                   = p_.experiment.name;
    j["initial_state"]                = p_.experiment.initial_state;
    j["mpi_ranks"]                    = Utilities::MPI::n_mpi_processes(comm_);
    j["geometry"]["dimension"]        = 2;
    j["geometry"]["coordinate_system"] = to_string(p_.geometry.coordinates);
    if (p_.geometry.mesh_file.empty())
      j["geometry"]["lateral_width_nm"] = p_.geometry.lateral.width / constants::nm;
    else
      j["geometry"]["mesh_file"] = p_.geometry.mesh_file;
    j["geometry"]["electrode_current_lines"] = electrode_->sampled() ? "sampled normal lines" : "vertex columns";
    j["geometry"]["electrode_measure"] = measure_;
    if (p_.geometry.initial_variation.log_std > 0)
      j["geometry"]["initial_vacancy_variation"] = {
        {"log_standard_deviation", p_.geometry.initial_variation.log_std},
        {"correlation_length_nm", p_.geometry.initial_variation.correlation_length / constants::nm},
        {"seed", p_.geometry.initial_variation.seed},
        {"modes", p_.geometry.initial_variation.n_modes}};
    j["geometry"]["electrode_measure_unit"] =
      p_.geometry.coordinates == CoordinateSystem::axisymmetric ? "m^2" : "m (per unit depth)";
    j["device"]["electrode_area_m2"]  = p_.device.electrode_area;
    j["device"]["temperature_K"]      = heating_->enabled() ? heating_->ambient_temperature() : p_.device.temperature;
    j["joule_heating"]                = heating_->summary();
    j["mesh"]["cells"]                = tria_->n_global_active_cells();
    j["mesh"]["dofs"]                 = system_->n_dofs();
    j["mesh"]["pt_columns"]           = electrode_->n_columns();
    j["solver"]["time_steps"]         = integrator_->statistics().steps;
    j["solver"]["rejected_steps_error"]  = integrator_->statistics().rejected_error;
    j["solver"]["rejected_steps_newton"] = integrator_->statistics().rejected_newton;
    j["solver"]["newton_iterations"]     = integrator_->statistics().newton_iterations;
    j["solver"]["linear_solver"]         = p_.geometry.linear_solver;
    j["solver"]["krylov_iterations"]     = newton_->statistics().linear_iterations;
    j["solver"]["preconditioner_fallbacks"] = newton_->statistics().preconditioner_fallbacks;
    j["solver"]["petsc_selfp_setups"]       = newton_->statistics().petsc_selfp_setups;
    j["solver"]["equilibrium_newton_iterations"] = equilibrium_newton_;
    j["solver"]["junction_solves"]    = circuit_evaluations_;
    j["solver"]["wall_time_s"]        = wall;
    j["circuit"]["series_resistance_ohm"] = p_.circuit.series_resistance;
    j["circuit"]["current_compliance_A"]  = p_.circuit.current_compliance;
    j["energy"]["source_J"]           = energy_.source;
    j["energy"]["resistor_J"]         = energy_.resistor;
    j["energy"]["junction_J"]         = energy_.junction;
    j["vacancies"]["initial_in_domain"] = n_initial_;
    j["vacancies"]["final_in_domain"]   = final_vacancies;
    j["vacancies"]["relative_conservation_error"] =
      n_initial_ > 0 ? std::abs(final_vacancies - n_initial_) / n_initial_ : 0.0;
    for (const auto &s : snapshots_)
      j["snapshots"].push_back({{"label", s.label},
                                {"time_s", s.time},
                                {"applied_voltage_V", s.voltage},
                                {"junction_voltage_V", s.junction_voltage},
                                {"terminal_current_A", s.current},
                                {"tunnel_current_A", s.tunnel_current},
                                {"read_voltage_V", p_.experiment.read_voltage},
                                {"read_resistance_ohm", s.read_resistance},
                                {"pvtu", s.vtu}});
    write_atomically(p_.output.directory + "/summary.json", [&](std::ostream &out) { out << j.dump(2) << "\n"; });
  }

  void DistributedTransientSimulation::run()
  {
    const auto start = std::chrono::steady_clock::now();
    unsigned int stale = 0;
    if (root_)
      {
        fs::create_directories(p_.output.directory);
        stale = remove_previous_run_outputs(p_.output.directory);
        if (stale > 0 && !quiet_)
          std::cout << "  removed " << stale << " result files of an earlier run from " << p_.output.directory << "\n";
      }
    MPI_Barrier(comm_);
    if (!quiet_ && root_)
      std::cout << "OTJ 2D run '" << p_.experiment.name << "' from " << p_.input_file << " on "
                << Utilities::MPI::n_mpi_processes(comm_) << " MPI rank(s)\n"
                << "  " << to_string(p_.geometry.coordinates) << " mesh: " << tria_->n_global_active_cells()
                << " cells, " << system_->n_dofs() << " dofs, " << electrode_->n_columns()
                << (electrode_->sampled() ? " sampled normal lines" : " vertex columns") << " under the Pt, "
                << (p_.geometry.mesh_file.empty()
                      ? std::string(p_.geometry.coordinates == CoordinateSystem::axisymmetric ? "lateral radius "
                                                                                                : "lateral width ") +
                          std::to_string(p_.geometry.lateral.width / constants::nm) + " nm"
                      : "gmsh mesh " + p_.geometry.mesh_file)
                << "\n";
    solve_initial_state();
    snapshot(p_.experiment.initial_state == "equilibrium" ? "equilibrium at the initial voltage" : "as-grown");
    integrate_keeping_the_record_of_a_stop([&] { integrate_waveform(true); },
                                           [&](const std::string &reason) {
                                             write_timeseries();
                                             write_summary(seconds_since(start), reason);
                                           });
    const double wall = seconds_since(start);
    write_timeseries();
    write_summary(wall);
    if (!quiet_ && root_)
      std::cout << "  " << integrator_->statistics().steps << " time steps ("
                << integrator_->statistics().rejected_error + integrator_->statistics().rejected_newton
                << " rejected), " << integrator_->statistics().newton_iterations << " Newton iterations, " << wall
                << " s wall\n"
                << "  results: " << p_.output.directory << "/{summary.json, timeseries.csv, solution.pvd, vtu/}\n";
  }
} // namespace otj
