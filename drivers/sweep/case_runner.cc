// One PDE sweep case (see case_runner.h).
#include "sweep/case_runner.h"
#include "common/version.h"

#include "common/input_error.h"
#include "physics/constants.h"
#include "simulation/distributed_transient_simulation.h"
#include "sweep/case_device.h"
#include "time_stepping/bdf_integrator.h"

#include <chrono>
#include <cmath>
#include <sstream>

namespace otj
{
  using nlohmann::json;

  namespace
  {
    /// "input error: ...", "convergence failure: ...", "error: ..." as the program prints them.
    std::string failure_message(const std::exception_ptr &e)
    {
      try
        {
          std::rethrow_exception(e);
        }
      catch (const InputError &x)
        {
          return std::string("input error: ") + x.what();
        }
      catch (const ConvergenceFailure &x)
        {
          return std::string("convergence failure: ") + x.what();
        }
      catch (const std::exception &x)
        {
          return std::string("error: ") + x.what();
        }
      catch (...)
        {
          return "error: unknown exception";
        }
    }

    json finite_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
  } // namespace

  json case_record(const SweepCase &c)
  {
    return {{"id", c.id},
            {"temperature_K", c.temperature},
            {"material_factor", c.material_factor},
            {"seed", c.seed},
            {"amplitude_V", c.amplitude},
            {"width_s", c.width}};
  }

  CaseRunner::CaseRunner(const SweepParameters &sweep, std::string fingerprint, const int rank)
    : sweep_(sweep)
    , fingerprint_(std::move(fingerprint))
    , rank_(rank)
  {}

  CaseRunner::Device &CaseRunner::device(const SweepCase &c)
  {
    const auto key = std::make_tuple(c.temperature, c.material_factor, c.seed);
    auto       it  = devices_.find(key);
    if (it != devices_.end())
      return it->second;
    Device &d = devices_[key];
    try
      {
        d.lab = std::make_unique<PulseLab>(case_device(sweep_, c));
        d.pristine_read = d.lab->read(d.lab->pristine());
      }
    catch (...)
      {
        d.lab.reset();
        d.error = failure_message(std::current_exception());
      }
    return d;
  }

  json CaseRunner::run_2d(const SweepCase &c)
  {
    RunParameters p          = case_device(sweep_, c);
    p.output.write_vtu       = false;
    p.output.write_profiles  = false;
    p.experiment.initial_state = "equilibrium";
    const auto   key   = std::make_tuple(c.temperature, c.material_factor, c.seed);
    const double edge  = 1e-7; // s, the pulse edges (as PulseLab's writes)
    const double V     = c.amplitude;
    std::ostringstream w;
    w.precision(17);
    w << "0 0; " << edge << ' ' << V << "; " << edge + c.width << ' ' << V << "; " << 2 * edge + c.width << " 0; "
      << 2 * edge + c.width + sweep_.relaxation << " 0";
    p.experiment.waveform = PiecewiseLinearWaveform::parse(w.str(), "sweep case " + std::to_string(c.id) + " waveform");
    p.experiment.output_times.clear();

    DistributedTransientSimulation sim(p, MPI_COMM_SELF, true);
    sim.solve_initial_state();
    auto it = pristine_2d_.find(key);
    if (it == pristine_2d_.end())
      it = pristine_2d_.emplace(key, sim.read_resistance(sweep_.read_voltage)).first;
    const double R0 = it->second;
    sim.integrate_waveform(false);
    const double R = sim.read_resistance(sweep_.read_voltage);
    return {{"R_pristine_ohm", finite_or_null(R0)},
            {"R_read_ohm", finite_or_null(R)},
            {"R_ratio", finite_or_null(R / R0)},
            {"thermionic_share", nullptr},
            {"thermionic_field_share", nullptr},
            {"field_share", nullptr},
            {"mean_energy_eV", nullptr},
            {"schottky_emission_share", nullptr},
            {"dominant_mechanism", nullptr},
            {"time_steps", sim.statistics().steps},
            {"vacancy_conservation_error",
             finite_or_null(std::abs(sim.total_vacancies() - sim.initial_vacancies()) / sim.initial_vacancies())}};
  }

  json CaseRunner::run(const SweepCase &c)
  {
    const auto t0 = std::chrono::steady_clock::now();
    json       r;
    r["format"]      = "otj-sweep-case/1";
    r["version"]     = otj::program_version();
    r["fingerprint"] = fingerprint_;
    r["case"]        = case_record(c);
    const bool two_d = sweep_.device.geometry.dimension == 2;
    r["vacancy_density_factor"] = two_d ? json(nullptr) : json(vacancy_density_factor(c.seed, sweep_.variation.spread));
    auto fail = [&r](const std::string &message) {
      r["status"]  = "failed";
      r["message"] = message;
      r["results"] = json::object();
    };
    if (two_d)
      {
        try
          {
            r["results"] = run_2d(c);
            r["status"]  = "ok";
            r["message"] = "";
          }
        catch (...)
          {
            fail(failure_message(std::current_exception()));
          }
        r["rank"]   = rank_;
        r["wall_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return r;
      }
    Device &d = device(c);
    if (!d.lab)
      fail(d.error);
    else
      try
        {
          const ReadResult &pristine = *d.pristine_read;
          const ReadResult read     = d.lab->read(d.lab->written(c.amplitude, c.width, sweep_.relaxation));
          r["status"]  = "ok";
          r["message"] = "";
          r["results"] = {{"R_pristine_ohm", finite_or_null(pristine.resistance)},
                          {"R_read_ohm", finite_or_null(read.resistance)},
                          {"R_ratio", finite_or_null(read.resistance / pristine.resistance)},
                          {"thermionic_share", finite_or_null(read.shares.thermionic)},
                          {"thermionic_field_share", finite_or_null(read.shares.thermionic_field)},
                          {"field_share", finite_or_null(read.shares.field)},
                          {"mean_energy_eV", finite_or_null(read.shares.mean_energy / constants::eV)},
                          {"schottky_emission_share", finite_or_null(read.shares.schottky_emission)},
                          {"dominant_mechanism", read.shares.dominant()}};
        }
      catch (...)
        {
          fail(failure_message(std::current_exception()));
        }
    r["rank"]   = rank_;
    r["wall_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
  }
} // namespace otj
