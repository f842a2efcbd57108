// One 1D device run (see transient_simulation.h).
#include "simulation/transient_simulation.h"

#include "mesh/device_mesh.h"
#include "output/atomic_file.h"
#include "physics/constants.h"

#include <nlohmann/json.hpp>

#include <chrono>
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

  TransientSimulation::TransientSimulation(const RunParameters &p, const bool quiet)
    : p_(p)
    , quiet_(quiet)
  {
    make_device_mesh(p_.device, p_.mesh, tria_);
    system_ = std::make_unique<DriftDiffusionSystem<1>>(tria_, p_.device, p_.concentration_scale);
    newton_ = std::make_unique<NewtonSolver>(system_->sparsity_pattern(), p_.newton);
    is_vacancy_.resize(system_->n_dofs());
    for (unsigned int i = 0; i < system_->n_dofs(); ++i)
      is_vacancy_[i] = system_->is_vacancy_dof(i);
    integrator_ = std::make_unique<BdfIntegrator>(p_.time, is_vacancy_);
    writer_     = std::make_unique<SolutionWriter<1>>(*system_);
    pvd_        = std::make_unique<PvdRecord>(p_.output.directory + "/solution.pvd");
  }

  NewtonResult TransientSimulation::solve_at(const double V, const TimeTerm &tt, Vector<double> &u)
  {
    auto assemble = [&](const Vector<double> &x, Vector<double> &R, SparseMatrix<double> *J) {
      system_->assemble(x, V, tt, R, J);
    };
    NewtonResult r = newton_->solve(assemble, is_vacancy_, u);
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
      return;

    // thermodynamic equilibrium of the vacancies by pseudo-transient
    // continuation: implicit Euler with geometrically growing steps; the
    // lumped implicit Euler step conserves the vacancy number exactly.
    double         dt = 1e-12;
    Vector<double> old = u_, history(u_.size()), trial;
    for (unsigned int k = 0; k < 400; ++k)
      {
        TimeTerm te;
        te.a0 = 1.0 / dt;
        history.equ(-1.0 / dt, old);
        te.history = &history;
        trial      = old;
        r          = solve_at(V0, te, trial);
        equilibrium_newton_ += r.iterations;
        if (!r.converged)
          {
            dt *= 0.25;
            if (dt < 1e-20)
              throw ConvergenceFailure(t_, dt, r.residual_norm, "equilibrium continuation did not converge");
            continue;
          }
        ++equilibrium_steps_;
        double change = 0;
        for (unsigned int i = 0; i < trial.size(); ++i)
          if (is_vacancy_[i])
            change = std::max(change, std::abs(trial[i] - old[i]) / (std::abs(trial[i]) + 1e-12));
        old = trial;
        if (dt > 1e15 && change < 1e-12)
          break;
        dt = std::min(dt * 4.0, 1e25);
      }
    u_ = old;
  }

  JunctionCurrent TransientSimulation::junction_current(const Vector<double> &u, const double V) const
  {
    const auto  nodes = system_->nodal_values(u, V);
    BandProfile band;
    for (std::size_t k = 0; k < nodes.size(); ++k)
      {
        band.x.push_back(nodes[k].x[0]);
        band.Ec.push_back(nodes[k].Ec * constants::eV);
        if (k + 1 < nodes.size())
          {
            // tunnelling mass of the layer holding the segment midpoint
            const double xm = 0.5 * (nodes[k].x[0] + nodes[k + 1].x[0]);
            double       top = 0, mass = p_.device.layers.back().material.tunnelling_mass;
            for (const auto &l : p_.device.layers)
              {
                if (xm < top + l.thickness)
                  {
                    mass = l.material.tunnelling_mass;
                    break;
                  }
                top += l.thickness;
              }
            band.mass.push_back(mass);
          }
      }
    add_image_force_lowering(band, p_.device.top_electrode.image_force_permittivity, 0.0);
    TsuEsakiParameters par;
    par.temperature     = p_.device.temperature;
    par.supply_mass     = p_.device.top_electrode.electron_mass;
    par.fermi_pt        = -constants::elementary_charge * V;
    par.fermi_substrate = 0.0;
    par.lowest_energy   = std::min(band.Ec.back(), std::min(par.fermi_pt, 0.0) - 20 * constants::boltzmann * par.temperature);
    par.energy_points   = 1501;
    return TsuEsakiCurrent::current(band, par);
  }

  std::pair<double, double> TransientSimulation::read(const Vector<double> &u, const double V_read)
  {
    Vector<double> w = u;
    TimeTerm       tt;
    tt.frozen_vacancies = true;
    tt.frozen_state     = &u;
    const NewtonResult r = solve_at(V_read, tt, w);
    if (!r.converged)
      return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    const JunctionCurrent j = junction_current(w, V_read);
    const double          I = j.current_density * p_.device.electrode_area;
    return {V_read / I, j.below_barrier / j.current_density};
  }

  void TransientSimulation::snapshot(const std::string &label)
  {
    const double V = p_.experiment.waveform.value(t_);
    const auto   rd = read(u_, p_.experiment.read_voltage);
    Snapshot     s{label, t_, V, system_->total_vacancies(u_), system_->vacancy_centroid(u_),
                   junction_current(u_, V).current_density * p_.device.electrode_area, rd.first, rd.second, "", ""};
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
                << " ohm (" << std::setprecision(2) << 100 * s.read_tunnelling_share << " % tunnelling)  (" << label << ")\n";
  }

  void TransientSimulation::integrate_waveform(const bool write_output)
  {
    const auto &w = p_.experiment.waveform;
    integrator_->reset(t_, u_);
    std::vector<double> stops = w.corners();
    for (double t : p_.experiment.output_times)
      if (t > w.start_time() && t < w.end_time())
        stops.push_back(t);
    std::sort(stops.begin(), stops.end());
    stops.erase(std::unique(stops.begin(), stops.end()), stops.end());

    auto solve = [&](double t_new, const TimeTerm &tt, Vector<double> &u) { return solve_at(w.value(t_new), tt, u); };
    auto last_print = std::chrono::steady_clock::now();
    auto observe = [&](double t, const Vector<double> &u, double dt, unsigned int order, const NewtonResult &nr) {
      steps_.push_back(StepRecord{t, w.value(t), dt, order, nr.iterations, system_->total_vacancies(u),
                                  system_->vacancy_centroid(u), system_->top_vacancy_density(u)});
      const auto now = std::chrono::steady_clock::now();
      if (!quiet_ && std::chrono::duration<double>(now - last_print).count() > 2.0)
        {
          last_print = now;
          std::cout << "    ... t = " << std::setprecision(4) << t << " s of " << w.end_time() << " s, step "
                    << dt << " s, " << steps_.size() << " steps\n";
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
      out << "time_s,applied_voltage_V,step_s,bdf_order,newton_iterations,vacancies_per_m2,"
             "vacancy_centroid_nm,vacancy_density_at_Pt_m3\n";
      out << std::setprecision(10);
      for (const auto &s : steps_)
        out << s.time << ',' << s.voltage << ',' << s.dt << ',' << s.order << ',' << s.newton_iterations << ','
            << s.total_vacancies << ',' << s.centroid / constants::nm << ',' << s.c_top << '\n';
    });
  }

  void TransientSimulation::write_summary(const double wall) const
  {
    using nlohmann::json;
    json j;
    j["program"]       = "otj run";
    j["version"]       = OTJ_GIT_VERSION;
    j["input_file"]    = p_.input_file;
    j["experiment"]    = p_.experiment.name;
    j["initial_state"] = p_.experiment.initial_state;
    const auto &d      = p_.device;
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
                                {"current_A", s.current},
                                {"read_voltage_V", p_.experiment.read_voltage},
                                {"read_resistance_ohm", s.read_resistance},
                                {"read_tunnelling_share", s.read_tunnelling_share},
                                {"vtu", s.vtu},
                                {"profile", s.profile}});
    write_atomically(p_.output.directory + "/summary.json", [&](std::ostream &out) { out << j.dump(2) << "\n"; });
  }

  void TransientSimulation::run()
  {
    const auto start = std::chrono::steady_clock::now();
    fs::create_directories(p_.output.directory);
    if (!quiet_)
      {
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
    integrate_waveform(true);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
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
