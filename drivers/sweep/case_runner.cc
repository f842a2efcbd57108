// One PDE sweep case (see case_runner.h).
#include "sweep/case_runner.h"

#include "common/input_error.h"
#include "physics/constants.h"
#include "sweep/case_device.h"
#include "time_stepping/bdf_integrator.h"

#include <chrono>
#include <cmath>

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

  json CaseRunner::run(const SweepCase &c)
  {
    const auto t0 = std::chrono::steady_clock::now();
    json       r;
    r["format"]      = "otj-sweep-case/1";
    r["version"]     = OTJ_GIT_VERSION;
    r["fingerprint"] = fingerprint_;
    r["case"]        = case_record(c);
    r["vacancy_density_factor"] = vacancy_density_factor(c.seed, sweep_.variation.spread);
    auto fail = [&r](const std::string &message) {
      r["status"]  = "failed";
      r["message"] = message;
      r["results"] = json::object();
    };
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
