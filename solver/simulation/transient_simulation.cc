// One 1D device run (see transient_simulation.h).
#include "simulation/transient_simulation.h"
#include "output/previous_run_outputs.h"
#include "common/version.h"

#include "current/line_current.h"
#include "mesh/device_mesh.h"
#include "output/atomic_file.h"
#include "physics/constants.h"
#include "simulation/equilibrium_continuation.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <chrono>
#include <optional>
#include <limits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
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

  TransientSimulation::TransientSimulation(const RunParameters &p, const bool quiet)
    : p_(p)
    , quiet_(quiet)
    , circuit_(p.circuit)
  {
    heating_ = std::make_unique<JouleHeating>(p_.joule_heating, p_.device);
    make_device_mesh(p_.device, p_.mesh, tria_);
    system_ = std::make_unique<DriftDiffusionSystem<1>>(tria_, p_.device, p_.concentration_scale);
    NewtonParameters np = p_.newton;
    np.band_solver      = true; // 1D: banded Jacobian, LAPACK band LU (nonlinear/banded_lu.h)
    newton_ = std::make_unique<NewtonSolver>(system_->sparsity_pattern(), np);
    n_      = system_->n_dofs();
    is_vacancy_.resize(n_);
    for (unsigned int i = 0; i < n_; ++i)
      is_vacancy_[i] = system_->is_vacancy_dof(i);
    // sigma in units of one c_scale layer of 1 nm of doubly charged vacancies
    sigma_scale_ = constants::elementary_charge * p_.concentration_scale * 1e-9;
    std::vector<bool> positive = is_vacancy_, controlled = is_vacancy_;
    positive.insert(positive.end(), {false, false, false, false});
    controlled.insert(controlled.end(), {true, false, false, false});
    integrator_ = std::make_unique<BdfIntegrator>(p_.time, positive, controlled);
    writer_     = std::make_unique<SolutionWriter<1>>(*system_);
    pvd_        = std::make_unique<PvdRecord>(p_.output.directory + "/solution.pvd");
  }

  NewtonTolerances TransientSimulation::step_tolerances() const
  {
    // The vacancy correction against the local-error weight atol + rtol |c| of the step's error
    // test (bdf_integrator.h), as |dc| <= f rtol (|c| + atol / rtol): with f = 0.01 the Newton
    // error is ~1e-5 of the densities where the time error is ~1e-3. The potential keeps its
    // fixed tolerance: the displacement current is the time derivative of the electrode
    // charge, and over a picosecond step the potential changes by microvolts.
    const NewtonParameters &np = p_.newton;
    const double            f  = np.step_tolerance_fraction;
    const double            rt = p_.time.relative_tolerance;
    if (!(f > 0))
      return np.tolerances();
    return {np.potential_tolerance, std::max(np.concentration_tolerance, f * rt),
            std::max(np.concentration_floor, p_.time.absolute_tolerance / rt)};
  }

  NewtonResult TransientSimulation::solve_at(const double V, const TimeTerm &tt, Vector<double> &u,
                                             const NewtonTolerances *tolerances)
  {
    Assert(u.size() == n_, ExcDimensionMismatch(u.size(), n_));
    auto assemble = [&](const Vector<double> &x, Vector<double> &R, SparseMatrix<double> *J) {
      system_->assemble(x, V, tt, R, J);
    };
    NewtonResult r = newton_->solve(assemble, is_vacancy_, u, tolerances);
    if (r.converged)
      {
        const double change = system_->restore_vacancy_balance(u, tt);
        if (change > 1e-6) // far beyond round-off: treat as a failed step, retried smaller
          r.converged = false;
        else
          max_balance_correction_ = std::max(max_balance_correction_, change);
      }
    return r;
  }

  void TransientSimulation::solve_initial_state()
  {
    const double V0 = p_.experiment.waveform.value(p_.experiment.waveform.start_time());
    t_              = p_.experiment.waveform.start_time();
    reset_temperature();
    system_->initial_state(u_, V0);
    n_initial_ = system_->total_vacancies(u_);

    // electrons and potential with the as-grown vacancies frozen
    Vector<double> frozen = u_;
    TimeTerm       tt;
    tt.frozen_vacancies = true;
    tt.frozen_state     = &frozen;
    NewtonResult r      = solve_at(V0, tt, u_);
    equilibrium_newton_ += r.iterations;
    if (!r.converged)
      {
        std::ostringstream m;
        m << "initial electrostatic solve at t = " << t_ << " s, V = " << V0 << " V did not converge: scaled residual "
          << r.residual_norm << " after " << r.iterations << " Newton iterations";
        throw ConvergenceFailure(t_, 0, r.residual_norm, m.str());
      }
    if (p_.experiment.initial_state == "as-grown")
      {
        attach_circuit_block(V0);
        return;
      }

    // thermodynamic equilibrium of the vacancies (simulation/equilibrium_continuation.h)
    Vector<double> history(u_.size());
    const auto     c = continue_to_equilibrium(
      u_,
      [&](double dt, const Vector<double> &old, Vector<double> &trial) {
        TimeTerm te;
        te.a0 = 1.0 / dt;
        history.equ(-1.0 / dt, old);
        te.history = &history;
        return solve_at(V0, te, trial);
      },
      [&](const Vector<double> &trial, const Vector<double> &old) {
        double change = 0;
        for (unsigned int i = 0; i < trial.size(); ++i)
          if (is_vacancy_[i])
            change = std::max(change, std::abs(trial[i] - old[i]) / (std::abs(trial[i]) + 1e-12));
        return change;
      },
      t_, "equilibrium continuation");
    equilibrium_newton_ += c.newton_iterations;
    equilibrium_steps_ += c.accepted_steps;
    attach_circuit_block(V0);
  }

  void TransientSimulation::restart_from(const Vector<double> &state)
  {
    if (state.size() != n_ + 4)
      throw std::invalid_argument("TransientSimulation::restart_from: the state has " + std::to_string(state.size()) +
                                  " entries, this device " + std::to_string(n_ + 4));
    t_ = p_.experiment.waveform.start_time();
    reset_temperature();
    u_.reinit(n_);
    for (unsigned int i = 0; i < n_; ++i)
      u_[i] = state[i];
    n_initial_ = system_->total_vacancies(u_);
    energy_    = EnergyAccount{};
    steps_.clear();
    snapshots_.clear();
    const double V0 = p_.experiment.waveform.value(t_);
    if (V0 != 0.0)
      {
        // re-solve the electrostatics at the new start voltage with the vacancies frozen
        Vector<double> frozen = u_;
        TimeTerm       tt;
        tt.frozen_vacancies = true;
        tt.frozen_state     = &frozen;
        const NewtonResult r = solve_at(V0, tt, u_);
        if (!r.converged)
          throw ConvergenceFailure(t_, 0, r.residual_norm, "restart: electrostatics at the start voltage did not converge");
      }
    attach_circuit_block(V0);
  }

  void TransientSimulation::reset_temperature()
  {
    if (!heating_->enabled())
      return;
    heating_->reset();
    system_->update_temperature_dependence();
  }

  void TransientSimulation::attach_circuit_block(const double Vj)
  {
    // a stationary state: no displacement current; the source is taken to sit
    // at V_j (the drop R_0 I of a DC start is neglected)
    const double It = Vj != 0.0 ? junction_current(u_, Vj).current_density * p_.device.electrode_area : 0.0;
    const double sigma = system_->top_contact_charge(u_, Vj) / sigma_scale_;
    u_.grow_or_shrink(n_ + 4);
    u_[n_]     = sigma;
    u_[n_ + 1] = Vj;
    u_[n_ + 2] = It;
    u_[n_ + 3] = It;
  }

  NewtonResult TransientSimulation::solve_step(const double t_new, const TimeTerm &tt, Vector<double> &u)
  {
    const double   Vs = p_.experiment.waveform.value(t_new);
    const double   A  = p_.device.electrode_area;
    const double   hist_sigma = tt.history ? (*tt.history)[n_] : 0.0;
    Vector<double> guess(n_), x(n_), best(n_);
    for (unsigned int i = 0; i < n_; ++i)
      guess[i] = u[i];
    NewtonResult last;
    unsigned int iterations = 0, chord_steps = 0;
    bool         have       = false;
    double       last_V = std::numeric_limits<double>::quiet_NaN(), last_sigma = 0, last_It = 0, last_I = 0;
    // terminal current of the junction at V_j: the device step solved with
    // the contact at V_j, then Tsu-Esaki plus the BDF derivative of sigma
    const NewtonTolerances step_tol = step_tolerances();
    auto junction = [&](const double Vj) -> std::optional<double> {
      x = have ? best : guess;
      last = solve_at(Vj, tt, x, &step_tol);
      iterations += last.iterations;
      chord_steps += last.chord_steps;
      if (!last.converged)
        return std::nullopt;
      best       = x;
      have       = true;
      last_V     = Vj;
      last_sigma = system_->top_contact_charge(x, Vj) / sigma_scale_;
      const bool tunnelling = current_at_every_step_ || !circuit_.ideal() || heating_->enabled();
      last_It    = tunnelling ? A * junction_current(x, Vj).current_density : 0.0;
      last_I     = A * sigma_scale_ * (tt.a0 * last_sigma + hist_sigma) + last_It;
      return last_I;
    };
    // first secant slope: the geometric capacitance of the film times a0
    const double eps_film = constants::vacuum_permittivity * p_.device.layers.front().material.relative_permittivity;
    const double g_est    = A * eps_film / p_.device.film_thickness() * tt.a0;
    const CircuitSolution cs = circuit_.solve(Vs, u[n_ + 1], g_est, junction);
    circuit_evaluations_ += cs.evaluations;
    if (cs.converged && cs.junction_voltage != last_V)
      junction(cs.junction_voltage); // the root was an earlier iterate: restore its state
    NewtonResult r = last;
    r.iterations   = iterations;
    r.chord_steps  = chord_steps;
    if (!cs.converged || !last.converged)
      {
        r.converged = false;
        return r;
      }
    for (unsigned int i = 0; i < n_; ++i)
      u[i] = best[i];
    u[n_]     = last_sigma;
    u[n_ + 1] = cs.junction_voltage;
    u[n_ + 2] = last_I;
    u[n_ + 3] = last_It;
    return r;
  }

  JunctionCurrent TransientSimulation::junction_current(const Vector<double> &u, const double V,
                                                       const double energy_step,
                                                       std::vector<SpectrumPoint> *spectrum) const
  {
    const auto          nodes = system_->nodal_values(u, V);
    std::vector<double> depth, Ec;
    for (const auto &n : nodes)
      {
        depth.push_back(n.x[0]);
        Ec.push_back(n.Ec * constants::eV);
      }
    return line_junction_current(p_.device, depth, Ec, V, energy_step, spectrum);
  }

  ReadResult TransientSimulation::read(const Vector<double> &u, const double V_read, std::vector<SpectrumPoint> *spectrum)
  {
    Vector<double> w(n_);
    for (unsigned int i = 0; i < n_; ++i)
      w[i] = u[i];
    TimeTerm tt;
    tt.frozen_vacancies = true;
    tt.frozen_state     = &u;
    const NewtonResult r = solve_at(V_read, tt, w);
    if (!r.converged)
      return {std::numeric_limits<double>::quiet_NaN(), {}};
    const JunctionCurrent j = junction_current(w, V_read, 0, spectrum);
    const double          I = j.current_density * p_.device.electrode_area;
    return {V_read / I, j.shares()};
  }

  void TransientSimulation::snapshot(const std::string &label)
  {
    const double V = p_.experiment.waveform.value(t_);
    const auto   rd = read(u_, p_.experiment.read_voltage);
    Snapshot     s{label, t_, V, system_->total_vacancies(u_), system_->vacancy_centroid(u_), junction_voltage(),
                   terminal_current(), u_[n_ + 3], rd.resistance, rd.shares, "", ""};
    char         num[16];
    std::snprintf(num, sizeof(num), "%05zu", snapshots_.size());
    if (p_.output.write_vtu)
      {
        s.vtu = std::string("vtu/solution-") + num + ".vtu";
        writer_->write_vtu(u_, t_, snapshots_.size(), p_.output.directory + "/" + s.vtu, V);
        pvd_->add(t_, s.vtu);
      }
    if (p_.output.write_profiles)
      {
        s.profile = std::string("profiles/profile-") + num + ".csv";
        writer_->write_profile_csv(u_, t_, V, p_.output.directory + "/" + s.profile);
      }
    snapshots_.push_back(s);
    if (!quiet_)
      std::cout << "  snapshot " << std::setw(3) << snapshots_.size() - 1 << "  t = " << std::setw(11)
                << std::setprecision(4) << t_ << " s  V = " << std::setw(6) << std::setprecision(3) << V
                << " V  vacancy centroid = " << std::setprecision(4) << s.centroid / constants::nm
                << " nm from Pt, R(" << p_.experiment.read_voltage << " V) = " << std::setprecision(3) << s.read_resistance
                << " ohm (" << std::setprecision(2) << 100 * s.read_shares.tunnelling() << " % tunnelling)  (" << label << ")\n";
  }

  void TransientSimulation::integrate_waveform(const bool write_output, const double t_stop)
  {
    const auto &w = p_.experiment.waveform;
    integrator_->reset(t_, u_);
    std::vector<double> stops = w.corners();
    for (double t : p_.experiment.output_times)
      if (t > w.start_time() && t < w.end_time())
        stops.push_back(t);
    if (t_stop < w.end_time())
      {
        stops.push_back(t_stop);
        stops.erase(std::remove_if(stops.begin(), stops.end(), [&](double t) { return t > t_stop; }), stops.end());
      }
    std::sort(stops.begin(), stops.end());
    stops.erase(std::unique(stops.begin(), stops.end()), stops.end());

    auto solve = [&](double t_new, const TimeTerm &tt, Vector<double> &u) { return solve_step(t_new, tt, u); };
    auto last_print = std::chrono::steady_clock::now();
    double t_prev = t_, Vs_prev = w.value(t_), Vj_prev = junction_voltage(), I_prev = terminal_current();
    double P_prev = junction_voltage() * u_[n_ + 3]; // Joule power V_j I_e (W)
    auto observe = [&](double t, const Vector<double> &u, double dt, unsigned int order, const NewtonResult &nr) {
      const double Vs = w.value(t), Vj = u[n_ + 1], I = u[n_ + 2];
      energy_.add(t - t_prev, Vs_prev, Vj_prev, I_prev, Vs, Vj, I);
      t_prev = t, Vs_prev = Vs, Vj_prev = Vj, I_prev = I;
      if (heating_->enabled())
        {
          // the step was solved at the temperature of its start; heat over it, then the next step
          const double P = Vj * u[n_ + 3];
          integrator_->limit_next_step(heating_->advance(t, dt, P_prev, P));
          P_prev = P;
          system_->update_temperature_dependence();
        }
      steps_.push_back(StepRecord{t, Vs, Vj, I, u[n_ + 3], energy_.source, energy_.junction, dt, order,
                                  nr.iterations, system_->total_vacancies(u), system_->vacancy_centroid(u),
                                  system_->top_vacancy_density(u), p_.device.temperature});
      const auto now = std::chrono::steady_clock::now();
      if (!quiet_ && std::chrono::duration<double>(now - last_print).count() > 2.0)
        {
          last_print = now;
          std::cout << "    ... t = " << std::setprecision(4) << t << " s of " << w.end_time() << " s, step "
                    << dt << " s, " << steps_.size() << " steps";
          if (heating_->enabled())
            std::cout << ", T = " << std::setprecision(5) << p_.device.temperature << " K";
          std::cout << "\n";
        }
    };
    for (std::size_t k = 0; k < stops.size(); ++k)
      {
        if (stops[k] <= t_)
          continue;
        integrator_->advance(stops[k], {}, solve, observe);
        t_ = integrator_->time();
        u_ = integrator_->solution();
        if (write_output)
          {
            std::ostringstream label;
            label << "t = " << stops[k] << " s";
            snapshot(label.str());
          }
      }
  }

  void TransientSimulation::write_timeseries() const
  {
    write_atomically(p_.output.directory + "/timeseries.csv", [&](std::ostream &out) {
      out << "time_s,source_voltage_V,junction_voltage_V,terminal_current_A,tunnel_current_A,"
             "source_energy_J,junction_energy_J,step_s,bdf_order,newton_iterations,vacancies_per_m2,"
             "vacancy_centroid_nm,vacancy_density_at_Pt_m3,temperature_K\n";
      out << std::setprecision(10);
      for (const auto &s : steps_)
        out << s.time << ',' << s.voltage << ',' << s.junction_voltage << ',' << s.current << ','
            << s.tunnel_current << ',' << s.energy_source << ',' << s.energy_junction << ',' << s.dt << ','
            << s.order << ',' << s.newton_iterations << ','
            << s.total_vacancies << ',' << s.centroid / constants::nm << ',' << s.c_top << ',' << s.temperature
            << '\n';
    });
  }

  void TransientSimulation::write_summary(const double wall, const std::string &stopped) const
  {
    using nlohmann::json;
    json j;
    j["program"]       = "otj run";
    if (!stopped.empty())
      j["stopped"] = stopped;
    j["version"]       = otj::program_version();
    j["input_file"]    = p_.input_file;
    j["experiment"]    = p_.experiment.name;
    j["initial_state"] = p_.experiment.initial_state;
    DeviceModel d = p_.device; // at the ambient temperature (a heated run ends at another)
    d.temperature = heating_->enabled() ? heating_->ambient_temperature() : p_.device.temperature;
    j["device"]["temperature_K"]           = d.temperature;
    j["device"]["electrode_area_m2"]       = d.electrode_area;
    j["device"]["schottky_barrier_eV"]     = d.schottky_barrier() / constants::eV;
    j["device"]["back_contact_potential_V"] = d.back_contact_potential();
    for (const auto &l : d.layers)
      j["device"]["layers"].push_back({{"role", l.role},
                                        {"thickness_nm", l.thickness / constants::nm},
                                        {"material", l.material.name},
                                        {"material_file", l.material.source_file}});
    for (const auto &s : d.screening_lengths())
      j["screening_lengths_nm"].push_back(
        {{"layer", s.layer},
         {"vacancy_debye_length", std::isfinite(s.vacancy_debye_length) ? json(s.vacancy_debye_length / constants::nm) : json(nullptr)},
         {"electron_screening_length",
          std::isfinite(s.electron_screening_length) ? json(s.electron_screening_length / constants::nm) : json(nullptr)}});
    j["mesh"]["cells"]             = tria_.n_active_cells();
    j["mesh"]["dofs"]              = system_->n_dofs();
    j["mesh"]["smallest_cell_nm"]  = system_->smallest_cell() / constants::nm;
    j["solver"]["time_steps"]      = integrator_->statistics().steps;
    j["solver"]["rejected_steps_error"]  = integrator_->statistics().rejected_error;
    j["solver"]["rejected_steps_newton"] = integrator_->statistics().rejected_newton;
    j["solver"]["newton_iterations"]     = integrator_->statistics().newton_iterations;
    j["solver"]["equilibrium_newton_iterations"] = equilibrium_newton_;
    j["solver"]["wall_time_s"]     = wall;
    j["solver"]["junction_solves"] = circuit_evaluations_;
    j["circuit"]["series_resistance_ohm"] = p_.circuit.series_resistance;
    j["circuit"]["current_compliance_A"]  = p_.circuit.current_compliance;
    j["energy"]["source_J"]   = energy_.source;
    j["energy"]["resistor_J"] = energy_.resistor;
    j["energy"]["junction_J"] = energy_.junction;
    j["joule_heating"]        = heating_->summary();
    j["solver"]["max_vacancy_balance_correction"] = max_balance_correction_;
    j["vacancies"]["initial_per_m2"] = n_initial_;
    j["vacancies"]["final_per_m2"]   = system_->total_vacancies(u_);
    j["vacancies"]["relative_conservation_error"] =
      n_initial_ > 0 ? std::abs(system_->total_vacancies(u_) - n_initial_) / n_initial_ : 0.0;
    for (const auto &s : snapshots_)
      j["snapshots"].push_back({{"label", s.label},
                                {"time_s", s.time},
                                {"applied_voltage_V", s.voltage},
                                {"vacancies_per_m2", s.total_vacancies},
                                {"vacancy_centroid_nm", s.centroid / constants::nm},
                                {"junction_voltage_V", s.junction_voltage},
                                {"terminal_current_A", s.current},
                                {"tunnel_current_A", s.tunnel_current},
                                {"read_voltage_V", p_.experiment.read_voltage},
                                {"read_resistance_ohm", s.read_resistance},
                                {"read_tunnelling_share", s.read_shares.tunnelling()},
                                {"read_thermionic_share", s.read_shares.thermionic},
                                {"read_thermionic_field_share", s.read_shares.thermionic_field},
                                {"read_field_emission_share", s.read_shares.field},
                                {"read_schottky_emission_share", s.read_shares.schottky_emission},
                                {"vtu", s.vtu},
                                {"profile", s.profile}});
    write_atomically(p_.output.directory + "/summary.json", [&](std::ostream &out) { out << j.dump(2) << "\n"; });
  }

  void TransientSimulation::run()
  {
    const auto start = std::chrono::steady_clock::now();
    fs::create_directories(p_.output.directory);
    const unsigned int stale = remove_previous_run_outputs(p_.output.directory);
    if (!quiet_)
      {
        if (stale > 0)
          std::cout << "  removed " << stale << " result files of an earlier run from " << p_.output.directory << "\n";
        std::cout << "OTJ run '" << p_.experiment.name << "' from " << p_.input_file << "\n"
                  << "  mesh: " << tria_.n_active_cells() << " cells, " << system_->n_dofs()
                  << " dofs, smallest cell " << system_->smallest_cell() / constants::nm << " nm\n"
                  << "  Schottky barrier Pt/" << p_.device.layers.front().material.name << ": "
                  << p_.device.schottky_barrier() / constants::eV << " eV\n";
        for (const auto &s : p_.device.screening_lengths())
          std::cout << "  screening lengths in " << s.layer << ": vacancy Debye "
                    << s.vacancy_debye_length / constants::nm << " nm, electron "
                    << s.electron_screening_length / constants::nm << " nm\n";
      }
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
    if (!quiet_)
      std::cout << "  " << integrator_->statistics().steps << " time steps ("
                << integrator_->statistics().rejected_error + integrator_->statistics().rejected_newton
                << " rejected), " << integrator_->statistics().newton_iterations << " Newton iterations, "
                << wall << " s wall\n"
                << "  vacancy number conserved to "
                << std::abs(system_->total_vacancies(u_) - n_initial_) / std::max(n_initial_, 1e-300) << " (relative)\n"
                << "  results: " << p_.output.directory << "/{summary.json, timeseries.csv, solution.pvd, profiles/}\n";
  }
} // namespace otj
