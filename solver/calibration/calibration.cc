// Least-squares calibration of material parameters to the calibration set (see calibration.h).
#include "calibration/calibration.h"
#include "simulation/device_file.h"
#include "common/output_directory.h"
#include "common/version.h"

#include "calibration/levenberg_marquardt.h"

#include "common/file_fingerprint.h"
#include "common/input_error.h"
#include "materials/material.h"
#include "output/atomic_file.h"
#include "physics/constants.h"
#include "simulation/transient_simulation.h"
#include "time_stepping/bdf_integrator.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/lac/full_matrix.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <map>
#include <mutex>
#include <iostream>
#include <sstream>

namespace otj
{
  namespace fs = std::filesystem;
  using constants::eV;

  namespace
  {
    Material *layer_material(DeviceModel &d, const std::string &role)
    {
      for (auto &l : d.layers)
        if (l.role == role)
          return &l.material;
      return nullptr;
    }
    const Material *layer_material(const DeviceModel &d, const std::string &role)
    {
      for (const auto &l : d.layers)
        if (l.role == role)
          return &l.material;
      return nullptr;
    }

    /// The parameters calibration knows how to set, with their material-file entries.
    std::vector<FitParameter> parameter_registry()
    {
      std::vector<FitParameter> r;
      {
        FitParameter f;
        f.key         = "Pt interface dipole";
        f.unit        = "eV";
        f.description = "interface dipole of the Pt electrode (sets the Schottky barrier Phi_M - dipole - chi)";
        f.apply       = [](DeviceModel &d, double v) { d.top_electrode.interface_dipole = v * eV; };
        f.read        = [](const DeviceModel &d) { return d.top_electrode.interface_dipole / eV; };
        f.entries     = {{"top electrode", "Interface dipole (eV)"}};
        r.push_back(f);
      }
      {
        FitParameter f;
        f.key         = "Film initial vacancy density";
        f.unit        = "m^-3";
        f.log_scale   = true;
        f.description = "as-grown vacancy density of the STO film and its interface layers (the vacancy inventory)";
        f.apply       = [](DeviceModel &d, double v) {
          for (auto &l : d.layers)
            if (l.role != "substrate")
              l.material.initial_vacancy_density = v;
        };
        f.read    = [](const DeviceModel &d) { return d.layers.front().material.initial_vacancy_density; };
        f.entries = {{"top interface layer", "Initial vacancy density (m^-3)"},
                     {"barrier", "Initial vacancy density (m^-3)"},
                     {"bottom interface layer", "Initial vacancy density (m^-3)"}};
        r.push_back(f);
      }
      auto material_entry = [&](const std::string &key, const std::string &role, const std::string &entry,
                                double Material::*field, double unit, const std::string &desc) {
        FitParameter f;
        f.key         = key;
        f.unit        = entry.substr(entry.find('(') + 1, entry.find(')') - entry.find('(') - 1);
        f.description = desc;
        f.apply       = [=](DeviceModel &d, double v) {
          if (Material *m = layer_material(d, role))
            m->*field = v * unit;
        };
        f.read = [=](const DeviceModel &d) {
          const Material *m = layer_material(d, role);
          return m ? m->*field / unit : 0.0;
        };
        f.entries = {{role, entry}};
        r.push_back(f);
      };
      material_entry("Interface vacancy site energy", "bottom interface layer", "Vacancy site energy (eV)",
                     &Material::vacancy_site_energy, eV,
                     "vacancy site energy of the STO/Nb:STO interface layer relative to the film (a trap if < 0)");
      material_entry("Interface activation energy", "bottom interface layer", "Vacancy activation energy (eV)",
                     &Material::activation_energy, eV, "hopping barrier in the STO/Nb:STO interface layer");
      material_entry("Film activation energy", "barrier", "Vacancy activation energy (eV)",
                     &Material::activation_energy, eV, "hopping barrier of vacancies in the STO film");
      material_entry("Film hop distance", "barrier", "Hop distance (nm)", &Material::hop_distance, 1e-9,
                     "hop distance of vacancies in the STO film (the length of the field term of the hopping rate)");
      material_entry("Interface hop distance", "bottom interface layer", "Hop distance (nm)", &Material::hop_distance,
                     1e-9, "hop distance of vacancies in the STO/Nb:STO interface layer");
      // a material property shared by the film and its interface layers
      auto film_entry = [&](const std::string &key, const std::string &unit, const std::string &entry,
                            double Material::*field, const std::string &desc) {
        FitParameter f;
        f.key         = key;
        f.unit        = unit;
        f.description = desc;
        f.apply       = [=](DeviceModel &d, double v) {
          for (auto &l : d.layers)
            if (l.role != "substrate")
              l.material.*field = v;
        };
        f.read    = [=](const DeviceModel &d) { return d.layers.front().material.*field; };
        f.entries = {{"top interface layer", entry}, {"barrier", entry}, {"bottom interface layer", entry}};
        r.push_back(f);
      };
      film_entry("Film permittivity", "1", "Relative permittivity", &Material::relative_permittivity,
                 "relative permittivity of the STO film and its interface layers");
      film_entry("Film tunnelling mass", "m0", "Tunnelling effective mass", &Material::tunnelling_mass,
                 "tunnelling effective mass of the STO film and its interface layers");
      return r;
    }

    std::string format_double(const double v, const int digits)
    {
      std::ostringstream o;
      o << std::setprecision(digits) << v;
      return o.str();
    }

    double scaled(const FitParameter &f, double v)
    {
      return f.log_scale ? (std::log10(v) - std::log10(f.prior)) / f.prior_width : (v - f.prior) / f.prior_width;
    }
    double unscaled(const FitParameter &f, double x)
    {
      const double v = f.log_scale ? std::pow(10.0, std::log10(f.prior) + x * f.prior_width) : f.prior + x * f.prior_width;
      return std::clamp(v, f.lower, f.upper);
    }

    /// Waveform of one trapezoidal pulse: 0 V, edges of `edge`, `width` at V, then `tail` at 0 V.
    std::string pulse_waveform(const double edge, const double width, const double V, const double tail)
    {
      std::ostringstream w;
      w << std::setprecision(12) << "0 0; " << edge << ' ' << V << "; " << edge + width << ' ' << V << "; "
        << 2 * edge + width << " 0; " << 2 * edge + width + tail << " 0";
      return w.str();
    }

    /// Root of g, increasing or decreasing, on [a, b] by the Illinois variant of regula falsi
    /// (every third step a bisection, so that the bracket shrinks); without a sign change the
    /// end with the smaller |g|. Stops when the bracket is below x_tol or |g| below g_tol.
    double illinois_root(const std::function<double(double)> &g, double a, double b, const double x_tol,
                         const double g_tol)
    {
      double ga = g(a), gb = g(b);
      if (ga * gb > 0)
        return std::abs(ga) < std::abs(gb) ? a : b;
      for (int k = 0; k < 40 && std::abs(b - a) > x_tol; ++k)
        {
          double c = (a * gb - b * ga) / (gb - ga);
          if (k % 3 == 2)
            c = 0.5 * (a + b);
          const double gc = g(c);
          if (gc * gb < 0)
            a = b, ga = gb;
          else
            ga *= 0.5;
          b = c, gb = gc;
          if (std::abs(gc) < g_tol)
            break;
        }
      return b;
    }

    const char *target_names[] = {"LRS resistance", "HRS resistance", "threshold", "relaxation time"};
  } // namespace

  double e_folding_time(const std::vector<double> &t, const std::vector<double> &A)
  {
    if (A.empty() || !(A[0] > 0))
      return std::numeric_limits<double>::quiet_NaN();
    const double target = std::log(A[0]) - 1.0;
    for (std::size_t i = 1; i < A.size() && i < t.size(); ++i)
      if (!(A[i] > 0) || std::log(A[i]) <= target)
        {
          const double la = std::log(A[i - 1]), lb = A[i] > 0 ? std::log(A[i]) : -1e300;
          const double f  = lb < -1e299 ? 1.0 : (la - target) / (la - lb);
          return t[i - 1] + f * (t[i] - t[i - 1]) - t[0];
        }
    return std::numeric_limits<double>::infinity();
  }

  double log2_distance_to_band(const double x, const double lo, const double hi)
  {
    if (x < lo)
      return std::log2(lo / x);
    if (x > hi)
      return std::log2(x / hi);
    return 0.0;
  }

  double CalibrationEvaluation::cost() const
  {
    if (!ok)
      return std::numeric_limits<double>::infinity();
    double c = 0;
    for (double r : residuals)
      c += r * r;
    return 0.5 * c;
  }

  void Calibration::declare_parameters(dealii::ParameterHandler &prm)
  {
    using namespace dealii;
    const auto registry = parameter_registry();
    prm.enter_subsection("Calibration");
    prm.declare_entry("Device file", "writes.prm", Patterns::FileName(),
                      "Run parameter file of the device to calibrate (device, mesh, numerics; its waveform is "
                      "not used). Relative to this file. The fit starts from its material values.");
    prm.declare_entry("Output directory", "results/calibration", Patterns::Anything(),
                      "Directory of calibration.json (relative to the working directory).");
    prm.declare_entry("Calibrated materials directory", "../../materials/calibrated", Patterns::Anything(),
                      "Where the calibrated material files are written (relative to this file).");
    prm.declare_entry("Maximum iterations", "8", Patterns::Integer(0, 100), "Levenberg-Marquardt iterations.");
    prm.declare_entry("Threads", "0", Patterns::Integer(0, 1024),
                      "Threads for the PDE evaluations of a Jacobian's columns (0: one per core). The fit does not "
                      "depend on it; the progress lines of one Jacobian may then appear in any order.");
    {
      std::string keys = "none";
      for (const auto &f : registry)
        keys += "|" + f.key;
      prm.declare_entry("Threshold solved by", "none", Patterns::Selection(keys),
                        "A parameter (with Fit = false) that is set in every evaluation, by 1D root finding between "
                        "its bounds, so that the threshold pulse meets the criterion exactly; none = the threshold "
                        "is a least-squares target like the resistances.");
    }
    prm.declare_entry("Tolerance (log2)", "0.1", Patterns::Double(0.0, 10.0),
                      "Stop when every target residual |log2(simulated/target)| is below this.");
    prm.enter_subsection("Targets");
    prm.declare_entry("LRS resistance (ohm)", "2.7e4", Patterns::Double(0.0), "Calibration set: R_LRS at the read voltage.");
    prm.declare_entry("HRS resistance (ohm)", "1.8e8", Patterns::Double(0.0), "Calibration set: R_HRS at the read voltage.");
    prm.declare_entry("Set voltage (V)", "2.2", Patterns::Double(0.0, 10.0), "Write voltage of the LRS (V).");
    prm.declare_entry("Reset voltage (V)", "-4.3", Patterns::Double(-10.0, 0.0), "Write voltage of the HRS (V).");
    prm.declare_entry("Write time (s)", "0.1", Patterns::Double(0.0), "Duration of each write (s).");
    prm.declare_entry("Relaxation time (s)", "1", Patterns::Double(0.0), "Time at 0 V before each read (s).");
    prm.declare_entry("Threshold voltage (V)", "1.8", Patterns::Double(0.0, 10.0),
                      "Calibration set: amplitude at which a pulse of the given width starts to leave a non-volatile change.");
    prm.declare_entry("Threshold pulse width (s)", "2e-8", Patterns::Double(0.0), "Width of the threshold pulse (s).");
    prm.declare_entry("Threshold read delay (s)", "2.5e-5", Patterns::Double(0.0),
                      "Time after the pulse when the non-volatile change is read (s): the paper's STM states fade within 25 us.");
    prm.declare_entry("Threshold criterion", "0.1", Patterns::Double(0.0),
                      "Relative read-conductance change that counts as non-volatile (G/G0 - 1).");
    prm.declare_entry("Threshold residual", "change", Patterns::Selection("change|voltage"),
                      "change: log2 of the threshold pulse's change over the criterion (steep in the amplitude: "
                      "a 1.5x lower threshold voltage is a residual of ~10); voltage: log2 of the amplitude that "
                      "leaves the criterion's change (found by root finding within [V/2, 2V]) over the threshold "
                      "voltage, so that 1 means a factor 2 in volts.");
    prm.declare_entry("STM relaxation weight", "0", Patterns::Double(0.0),
                      "Weight of the STM relaxation target (calibration set: of order microseconds); 0 = no "
                      "relaxation target (three targets).");
    prm.declare_entry("STM relaxation pulse voltage (V)", "0.6", Patterns::Double(0.0, 10.0),
                      "Amplitude of the sub-threshold spike whose volatile part is followed (paper Fig. 2a: 0.6 V).");
    prm.declare_entry("STM relaxation pulse width (s)", "5e-8", Patterns::Double(0.0), "Its width (s; paper: 50 ns).");
    prm.declare_entry("STM relaxation time lower bound (s)", "3e-7", Patterns::Double(0.0),
                      "Lower end of the target band of the 1/e time of the volatile part (s).");
    prm.declare_entry("STM relaxation time upper bound (s)", "8e-6", Patterns::Double(0.0),
                      "Upper end of the band (s): the paper's C and N letters fade within 25 us.");
    prm.leave_subsection();
    for (const auto &f : registry)
      {
        prm.enter_subsection(f.key);
        prm.declare_entry("Fit", "false", Patterns::Bool(), f.description);
        prm.declare_entry("Prior", "0", Patterns::Double(), "Prior centre (" + f.unit + "), with its source in the file.");
        prm.declare_entry("Prior width", "1", Patterns::Double(0.0),
                          f.log_scale ? "Prior width (decades)" : "Prior width (" + f.unit + ")");
        prm.declare_entry("Lower bound", "-1e30", Patterns::Double(), "Smallest allowed value (" + f.unit + ")");
        prm.declare_entry("Upper bound", "1e30", Patterns::Double(), "Largest allowed value (" + f.unit + ")");
        prm.leave_subsection();
      }
    prm.leave_subsection();
  }

  Calibration::Calibration(const std::string &file)
    : file_(file)
    , parameters_(parameter_registry())
  {
    using namespace dealii;
    ParameterHandler prm;
    declare_parameters(prm);
    parse_parameter_file(prm, file);

    const fs::path base = fs::path(file).parent_path();
    prm.enter_subsection("Calibration");
    const std::string device_file = (base / prm.get("Device file")).string();
    output_dir_                   = prm.get("Output directory");
    materials_dir_                = (base / prm.get("Calibrated materials directory")).lexically_normal().string();
    check_output_directory(output_dir_, file, "Calibration/Output directory");
    max_iterations_               = prm.get_integer("Maximum iterations");
    threads_                      = static_cast<unsigned int>(prm.get_integer("Threads"));
    tolerance_                    = prm.get_double("Tolerance (log2)");
    const std::string solver_key  = prm.get("Threshold solved by");
    prm.enter_subsection("Targets");
    targets_.lrs_resistance      = prm.get_double("LRS resistance (ohm)");
    targets_.hrs_resistance      = prm.get_double("HRS resistance (ohm)");
    targets_.set_voltage         = prm.get_double("Set voltage (V)");
    targets_.reset_voltage       = prm.get_double("Reset voltage (V)");
    targets_.write_time          = prm.get_double("Write time (s)");
    targets_.relax_time          = prm.get_double("Relaxation time (s)");
    targets_.threshold_voltage   = prm.get_double("Threshold voltage (V)");
    targets_.threshold_width     = prm.get_double("Threshold pulse width (s)");
    targets_.threshold_relax     = prm.get_double("Threshold read delay (s)");
    targets_.threshold_criterion = prm.get_double("Threshold criterion");
    targets_.threshold_as_voltage = prm.get("Threshold residual") == "voltage";
    targets_.relaxation_weight   = prm.get_double("STM relaxation weight");
    targets_.relaxation_voltage  = prm.get_double("STM relaxation pulse voltage (V)");
    targets_.relaxation_width    = prm.get_double("STM relaxation pulse width (s)");
    targets_.relaxation_tau_low  = prm.get_double("STM relaxation time lower bound (s)");
    targets_.relaxation_tau_high = prm.get_double("STM relaxation time upper bound (s)");
    if (targets_.relaxation_weight > 0 &&
        !(targets_.relaxation_tau_low > 0 && targets_.relaxation_tau_low < targets_.relaxation_tau_high))
      throw_bad_parameter(file, "Calibration/Targets/STM relaxation time lower bound (s)",
                          std::to_string(targets_.relaxation_tau_low),
                          "a positive value below 'STM relaxation time upper bound (s)'");
    prm.leave_subsection();
    base_ = read_device_file(device_file, file, "Calibration/Device file");
    for (auto &f : parameters_)
      {
        prm.enter_subsection(f.key);
        f.fitted      = prm.get_bool("Fit");
        f.prior       = prm.get_double("Prior");
        f.prior_width = prm.get_double("Prior width");
        f.lower       = prm.get_double("Lower bound");
        f.upper       = prm.get_double("Upper bound");
        f.value       = f.read(base_.device);
        prm.leave_subsection();
        if (f.fitted && !(f.prior_width > 0))
          throw_bad_parameter(file, "Calibration/" + f.key + "/Prior width", "0", "a positive width");
        if (f.fitted && f.log_scale && !(f.prior > 0))
          throw_bad_parameter(file, "Calibration/" + f.key + "/Prior", std::to_string(f.prior), "a positive value");
        if (f.key == solver_key)
          {
            threshold_solver_ = &f - parameters_.data();
            if (f.fitted)
              throw_bad_parameter(file, "Calibration/" + f.key + "/Fit", "true",
                                  "false, since this parameter is the 'Threshold solved by' parameter");
            if (!(f.lower < f.upper) || f.lower < -1e29 || f.upper > 1e29)
              throw_bad_parameter(file, "Calibration/" + f.key + "/Lower bound", std::to_string(f.lower),
                                  "finite bounds (lower < upper) for the threshold root finding");
          }
        if (f.fitted && !(f.lower < f.upper))
          throw_bad_parameter(file, "Calibration/" + f.key + "/Lower bound", std::to_string(f.lower),
                              "a value below the upper bound");
        if (f.fitted && !(f.prior >= f.lower && f.prior <= f.upper))
          {
            std::ostringstream prior, bounds;
            prior << f.prior;
            bounds << "a value within the bounds [" << f.lower << ", " << f.upper << "] " << f.unit;
            throw_bad_parameter(file, "Calibration/" + f.key + "/Prior", prior.str(), bounds.str());
          }
      }
    prm.leave_subsection();
  }

  std::vector<double> Calibration::fitted_values() const
  {
    std::vector<double> v;
    for (const auto &f : parameters_)
      if (f.fitted)
        v.push_back(f.value);
    return v;
  }

  CalibrationEvaluation Calibration::evaluate(const std::vector<double> &values) const
  {
    CalibrationEvaluation ev;
    RunParameters         p = base_;
    std::size_t           k = 0;
    for (const auto &f : parameters_)
      if (f.fitted)
        f.apply(p.device, values[k++]);
    p.output.write_vtu = p.output.write_profiles = false;
    p.experiment.output_times = {};
    p.experiment.initial_state = "equilibrium";
    const auto &T = targets_;
    const double Vr = p.experiment.read_voltage;
    try
      {
        // the threshold pulse from the pristine state: relative read-conductance
        // change after the read delay, and the centroid advance during the pulse
        const double te = T.threshold_edge, tp = T.threshold_width;
        auto threshold_run = [&](RunParameters q, const double V) {
          q.experiment.waveform = PiecewiseLinearWaveform::parse(pulse_waveform(te, tp, V, T.threshold_relax),
                                                                 "calibration threshold waveform");
          TransientSimulation sim(q, true);
          sim.solve_initial_state();
          const double R0 = sim.read(sim.state(), Vr).resistance;
          const double x0 = sim.system().vacancy_centroid(sim.state());
          sim.integrate_waveform(false, 2 * te + tp);
          const double adv = (sim.system().vacancy_centroid(sim.state()) - x0) / q.device.film_thickness();
          sim.integrate_waveform(false);
          const double R1 = sim.read(sim.state(), Vr).resistance;
          return std::make_pair(R0 / R1 - 1.0, adv);
        };
        if (threshold_solver_ >= 0)
          {
            // the threshold target met exactly by one parameter (monotone in it):
            // root of g(v) = ln((dG/G + 1e-6)/criterion) by Illinois on [lower, upper]
            const FitParameter &f = parameters_[threshold_solver_];
            auto g = [&](double v) {
              RunParameters q = p;
              f.apply(q.device, v);
              const auto r = threshold_run(q, T.threshold_voltage);
              return std::log((std::max(r.first, 0.0) + 1e-6) / T.threshold_criterion);
            };
            ev.solved_value =
              illinois_root(g, f.lower, f.upper, 1e-3 * std::max(1.0, std::abs(f.upper - f.lower)) * 0.5, 0.05);
            f.apply(p.device, ev.solved_value);
          }
        const auto th         = threshold_run(p, T.threshold_voltage);
        ev.threshold_change   = th.first;
        ev.threshold_progress = th.second;
        if (T.threshold_as_voltage)
          {
            // the amplitude whose pulse leaves the criterion's change: the root of
            // ln((dG/G + 1e-6) / criterion), increasing in V, within [V_th / 2, 2 V_th]
            auto g = [&](double V) {
              return std::log((std::max(threshold_run(p, V).first, 0.0) + 1e-6) / T.threshold_criterion);
            };
            ev.threshold_amplitude = illinois_root(g, 0.5 * T.threshold_voltage, 2.0 * T.threshold_voltage, 2e-3, 0.02);
          }

        // the two writes of the R-V loop's extremes, each followed by a relaxation
        const double e = T.edge_time, tw = T.write_time, tr = T.relax_time;
        std::ostringstream w;
        w << std::setprecision(12) << "0 0; " << e << ' ' << T.set_voltage << "; " << e + tw << ' ' << T.set_voltage
          << "; " << 2 * e + tw << " 0; " << 2 * e + tw + tr << " 0; " << 3 * e + tw + tr << ' ' << T.reset_voltage
          << "; " << 3 * e + 2 * tw + tr << ' ' << T.reset_voltage << "; " << 4 * e + 2 * tw + tr << " 0; "
          << 4 * e + 2 * tw + 2 * tr << " 0";
        p.experiment.waveform = PiecewiseLinearWaveform::parse(w.str(), "calibration write waveform");
        {
          TransientSimulation sim(p, true);
          sim.solve_initial_state();
          ev.r_pristine = sim.read(sim.state(), Vr).resistance;
          sim.integrate_waveform(false, 2 * e + tw + tr);
          const auto lrs = sim.read(sim.state(), Vr);
          sim.integrate_waveform(false);
          const auto hrs = sim.read(sim.state(), Vr);
          ev.r_lrs = lrs.resistance, ev.tunnelling_share_lrs = lrs.shares.tunnelling();
          ev.r_hrs = hrs.resistance, ev.tunnelling_share_hrs = hrs.shares.tunnelling();
        }
        if (T.relaxation_weight > 0)
          {
            // the sub-threshold spike from the pristine state, read at 0.1 V from its
            // end over five decades (4 reads per decade) and after 1 ms (the baseline)
            const double te = T.threshold_edge, t_end = 2 * te + T.relaxation_width;
            RunParameters q       = p;
            q.experiment.waveform = PiecewiseLinearWaveform::parse(
              pulse_waveform(te, T.relaxation_width, T.relaxation_voltage, 1e-3), "calibration relaxation waveform");
            TransientSimulation sim(q, true);
            sim.solve_initial_state();
            const double        R0 = sim.read(sim.state(), Vr).resistance;
            std::vector<double> t{0.0}, G;
            for (int k = 0; k <= 20; ++k)
              t.push_back(1e-9 * std::pow(10.0, 0.25 * k));
            for (const double tk : t)
              {
                sim.integrate_waveform(false, t_end + tk);
                G.push_back(R0 / sim.read(sim.state(), Vr).resistance);
              }
            sim.integrate_waveform(false);
            const double        G_base = R0 / sim.read(sim.state(), Vr).resistance;
            std::vector<double> A;
            for (const double g : G)
              A.push_back(g - G_base);
            ev.relaxation_peak = A.front();
            ev.relaxation_tau  = A.front() > 1e-6 ? e_folding_time(t, A) : std::numeric_limits<double>::quiet_NaN();
          }
      }
    catch (const std::exception &ex)
      {
        ev.failure = ex.what();
        return ev;
      }
    if (!(std::isfinite(ev.r_lrs) && std::isfinite(ev.r_hrs) && std::isfinite(ev.threshold_change)))
      {
        ev.failure = "a read did not converge";
        return ev;
      }
    ev.ok = true;
    ev.residuals.push_back(std::log2(ev.r_lrs / T.lrs_resistance));
    ev.residuals.push_back(std::log2(ev.r_hrs / T.hrs_resistance));
    // threshold: log2 of the non-volatile change over the criterion. Where the
    // pulse leaves no non-volatile change the residual continues through the
    // vacancy centroid's advance during the pulse (as a fraction of the film
    // thickness, weighted 1e-3), so that the fit sees which way to go.
    const double progress = std::max(ev.threshold_change, 0.0) + 1e-3 * std::clamp(ev.threshold_progress, 0.0, 1.0) + 1e-9;
    ev.residuals.push_back(T.threshold_as_voltage ? std::log2(ev.threshold_amplitude / T.threshold_voltage)
                                                  : std::log2(progress / T.threshold_criterion));
    // relaxation: log2 distance of the 1/e time to the target band; a spike
    // without a volatile part (or one that never decays) counts as 10 (a factor 1000)
    if (T.relaxation_weight > 0)
      ev.residuals.push_back(T.relaxation_weight * (std::isfinite(ev.relaxation_tau) && ev.relaxation_tau > 0
                                                       ? log2_distance_to_band(ev.relaxation_tau, T.relaxation_tau_low,
                                                                               T.relaxation_tau_high)
                                                       : 10.0));
    k = 0;
    for (const auto &f : parameters_)
      if (f.fitted)
        ev.residuals.push_back(scaled(f, values[k++]));
    return ev;
  }

  void Calibration::run(const bool quiet, const bool check_only)
  {
    check_only_ = check_only;
    if (check_only)
      max_iterations_ = 0;
    else // a fit writes the calibrated material files there (a check writes nothing there)
      check_output_directory(materials_dir_, file_, "Calibration/Calibrated materials directory");
    const auto start = std::chrono::steady_clock::now();
    std::vector<const FitParameter *> fit;
    for (const auto &f : parameters_)
      if (f.fitted)
        fit.push_back(&f);
    const unsigned int n = fit.size();
    auto to_x = [&](const std::vector<double> &v) {
      std::vector<double> x(n);
      for (unsigned i = 0; i < n; ++i)
        x[i] = scaled(*fit[i], v[i]);
      return x;
    };
    auto to_v = [&](const std::vector<double> &x) {
      std::vector<double> v(n);
      for (unsigned i = 0; i < n; ++i)
        v[i] = unscaled(*fit[i], x[i]);
      return v;
    };
    unsigned evaluations = 0;
    auto     print = [&](const char *what, const std::vector<double> &v, const CalibrationEvaluation &e) {
      ++evaluations;
      if (quiet)
        return;
      std::cout << "  [" << std::setw(3) << evaluations << "] " << std::setw(9) << what;
      for (unsigned i = 0; i < n; ++i)
        std::cout << "  " << fit[i]->key << " = " << std::setprecision(4) << v[i];
      if (e.ok && threshold_solver_ >= 0)
        std::cout << "  " << parameters_[threshold_solver_].key << " = " << std::setprecision(4) << e.solved_value;
      if (e.ok)
        std::cout << "  | R_LRS " << std::setprecision(3) << e.r_lrs << "  R_HRS " << e.r_hrs << "  dG/G(th) "
                  << e.threshold_change << " (advance " << e.threshold_progress << ")"
                  << (targets_.threshold_as_voltage ? "  V_th " + format_double(e.threshold_amplitude, 4) + " V" : "")
                  << (targets_.relaxation_weight > 0 ? "  tau_1 " + format_double(e.relaxation_tau, 3) + " s" : "")
                  << "  cost " << e.cost() << std::endl;
      else
        std::cout << "  | failed: " << e.failure.substr(0, 120) << std::endl;
    };

    if (!quiet)
      std::cout << "otj calibrate " << file_ << ": " << n << " parameters, " << targets_.count()
                << " targets (log2 residuals), priors\n";
    // the model in scaled parameters; every evaluation is kept so that the
    // accepted points' targets (resistances, shares) can be reported
    std::map<std::vector<double>, CalibrationEvaluation> seen;
    std::mutex                                           seen_mutex; // the Jacobian's columns run side by side
    auto model = [&](const std::vector<double> &xs, const char *role) -> std::optional<std::vector<double>> {
      const auto vs = to_v(xs);
      auto       e  = evaluate(vs); // const: each evaluation builds its own runs
      const std::lock_guard<std::mutex> lock(seen_mutex);
      print(role, vs, e);
      seen[xs] = e;
      if (!e.ok)
        return std::nullopt;
      return e.residuals;
    };
    auto done = [&](const std::vector<double> &r) {
      for (unsigned i = 0; i < targets_.count(); ++i)
        if (std::abs(r[i]) > tolerance_)
          return false;
      return true;
    };
    auto project = [&](const std::vector<double> &xs) { return to_x(to_v(xs)); };
    LevenbergMarquardtOptions opt;
    opt.max_iterations = max_iterations_;
    opt.threads        = threads_;
    const auto lm      = levenberg_marquardt(model, to_x(fitted_values()), opt, done, project);
    const CalibrationEvaluation initial = seen.at(lm.accepted.front()), cur = seen.at(lm.x);
    std::vector<std::vector<double>> history;
    for (const auto &xs : lm.accepted)
      history.push_back(to_v(xs));
    std::vector<double> x = lm.x, v;
    v = to_v(x);
    unsigned k = 0;
    for (auto &f : parameters_)
      if (f.fitted)
        f.value = v[k++];
    if (threshold_solver_ >= 0)
      parameters_[threshold_solver_].value = cur.solved_value;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    write_outputs(initial, cur, history, wall);
    if (!quiet)
      {
        if (!lm.stopped_by.empty())
          std::cout << "  stopped early: " << lm.stopped_by << "\n";
        std::cout << (check_only_ ? "  checked (" : "  calibrated (") << evaluations << " PDE evaluations, " << std::setprecision(3) << wall << " s):\n";
        for (const auto &f : parameters_)
          if (f.fitted || &f - parameters_.data() == threshold_solver_)
            std::cout << "    " << std::setw(32) << std::left << f.key << std::right << " = " << std::setprecision(5)
                      << f.value << " " << f.unit << "   (prior " << f.prior << " +- " << f.prior_width
                      << (f.log_scale ? " decades)" : ")") << "\n";
        std::cout << "    R_LRS = " << std::setprecision(3) << cur.r_lrs << " ohm (target " << targets_.lrs_resistance
                  << "), R_HRS = " << cur.r_hrs << " ohm (target " << targets_.hrs_resistance
                  << "), threshold pulse change " << cur.threshold_change << " (criterion "
                  << targets_.threshold_criterion << ")"
                  << (targets_.threshold_as_voltage
                        ? ", threshold " + format_double(cur.threshold_amplitude, 4) + " V (target " +
                            format_double(targets_.threshold_voltage, 3) + " V)"
                        : "")
                  << (targets_.relaxation_weight > 0
                        ? ", STM relaxation 1/e time " + format_double(cur.relaxation_tau, 3) + " s (band " +
                            format_double(targets_.relaxation_tau_low, 3) + " - " +
                            format_double(targets_.relaxation_tau_high, 3) + " s)"
                        : "")
                  << "\n"
                  << (check_only_ ? "  results: " + output_dir_ + "/calibration_check.json (no material file changed)\n"
                                  : "  results: " + output_dir_ + "/calibration.json, materials: " + materials_dir_ + "/\n");
      }
  }

  void Calibration::write_outputs(const CalibrationEvaluation &initial, const CalibrationEvaluation &final,
                                  const std::vector<std::vector<double>> &history, const double wall) const
  {
    using nlohmann::json;
    fs::create_directories(output_dir_);
    fs::create_directories(materials_dir_);
    const std::time_t now = std::time(nullptr);
    char              date[32];
    std::strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", std::gmtime(&now));

    json files = json::array();
    if (!check_only_) // a check evaluates the current materials and changes nothing
    {
    // calibrated material files: the device's files with the fitted entries replaced
    DeviceModel calibrated = base_.device;
    for (const auto &f : parameters_)
      if (f.fitted || &f - parameters_.data() == threshold_solver_)
        f.apply(calibrated, f.value);
    std::map<std::string, std::vector<std::pair<std::string, double>>> edits; // source file -> (entry, value)
    std::map<std::string, std::string> out_names;
    auto source_of = [&](const std::string &role) -> std::string {
      if (role == "top electrode")
        return calibrated.top_electrode.source_file;
      const Material *m = layer_material(calibrated, role);
      return m ? m->source_file : "";
    };
    out_names[calibrated.top_electrode.source_file] = "";
    for (const auto &l : calibrated.layers)
      out_names[l.material.source_file] = "";
    for (const auto &f : parameters_)
      if (f.fitted || &f - parameters_.data() == threshold_solver_)
        for (const auto &[role, entry] : f.entries)
          if (!source_of(role).empty())
            edits[source_of(role)].push_back({entry, f.value});
    for (auto &[src, name] : out_names)
      {
        std::ifstream      in(src);
        std::ostringstream text;
        std::string        line;
        while (std::getline(in, line))
          {
            if (line.find("# [calibrated:") != std::string::npos)
              continue; // a previous calibration's note
            bool replaced = false;
            for (const auto &[entry, value] : edits[src])
              {
                const auto pos = line.find("set " + entry + " =");
                if (pos != std::string::npos && line.find('#') > pos)
                  {
                    text << line.substr(0, pos) << "# [calibrated: otj calibrate " << file_ << ", " << date
                         << "; see calibration.json]\n"
                         << line.substr(0, pos) << "set " << entry << " = " << std::setprecision(6) << value << "\n";
                    replaced = true;
                    break;
                  }
              }
            if (!replaced)
              text << line << "\n";
          }
        const std::string out = materials_dir_ + "/" + fs::path(src).filename().string();
        if (fs::exists(out) && fs::equivalent(out, src) && edits[src].empty())
          continue;
        write_atomically(out, [&](std::ostream &o) { o << text.str(); });
        files.push_back({{"source", src}, {"source_fingerprint", file_fingerprint(src)}, {"written", out}});
      }

    }
    json j;
    j["program"]         = check_only_ ? "otj calibrate --check" : "otj calibrate";
    j["version"]         = otj::program_version();
    j["date"]            = date;
    j["calibration_file"] = {{"path", file_}, {"fingerprint", file_fingerprint(file_)}};
    j["device_file"]     = {{"path", base_.input_file}, {"fingerprint", file_fingerprint(base_.input_file)}};
    j["material_files"]  = files;
    j["method"] = "Levenberg-Marquardt on log2 residuals of PDE runs plus Gaussian priors (MAP); forward-difference "
                  "Jacobian, step 0.05 prior widths";
    j["wall_time_s"] = wall;
    const auto &T = targets_;
    j["targets"] = {{"LRS resistance (ohm)", T.lrs_resistance},
                    {"HRS resistance (ohm)", T.hrs_resistance},
                    {"write", {{"set V", T.set_voltage}, {"reset V", T.reset_voltage}, {"duration s", T.write_time}, {"relaxation s", T.relax_time}}},
                    {"threshold", {{"V", T.threshold_voltage}, {"width s", T.threshold_width}, {"read delay s", T.threshold_relax}, {"criterion dG/G", T.threshold_criterion}}}};
    if (T.relaxation_weight > 0)
      j["targets"]["STM relaxation"] = {{"weight", T.relaxation_weight}, {"spike V", T.relaxation_voltage},
                                        {"spike width s", T.relaxation_width},
                                        {"1/e time band s", {T.relaxation_tau_low, T.relaxation_tau_high}}};
    auto ev_json = [&](const CalibrationEvaluation &e) {
      json r = {{"ok", e.ok},
                {"pristine resistance (ohm)", e.r_pristine},
                {"LRS resistance (ohm)", e.r_lrs},
                {"HRS resistance (ohm)", e.r_hrs},
                {"LRS tunnelling share", e.tunnelling_share_lrs},
                {"HRS tunnelling share", e.tunnelling_share_hrs},
                {"threshold pulse dG/G", e.threshold_change},
                {"threshold pulse centroid advance / film thickness", e.threshold_progress},
                {"threshold amplitude (V)", T.threshold_as_voltage ? json(e.threshold_amplitude) : json(nullptr)},
                {"cost", e.cost()}};
      for (unsigned i = 0; i < T.count() && i < e.residuals.size(); ++i)
        r["log2 residuals"][target_names[i]] = e.residuals[i];
      if (T.relaxation_weight > 0)
        {
          r["STM relaxation 1/e time (s)"] = std::isfinite(e.relaxation_tau) ? json(e.relaxation_tau) : json(nullptr);
          r["STM relaxation spike volatile dG/G"] = e.relaxation_peak;
        }
      return r;
    };
    j["initial"] = ev_json(initial);
    j["final"]   = ev_json(final);
    for (const auto &f : parameters_)
      if (f.fitted || &f - parameters_.data() == threshold_solver_)
        j["parameters"].push_back({{"name", f.key}, {"unit", f.unit}, {"value", f.value}, {"prior", f.prior},
                                   {"role", f.fitted ? "least-squares fit" : "solved so that the threshold pulse meets the criterion"},
                                   {"prior width", f.prior_width}, {"log scale", f.log_scale},
                                   {"bounds", {f.lower, f.upper}}, {"description", f.description},
                                   {"prior residual", scaled(f, f.value)}});
    j["accepted_steps"] = history;
    write_atomically(output_dir_ + (check_only_ ? "/calibration_check.json" : "/calibration.json"),
                     [&](std::ostream &o) { o << j.dump(2) << "\n"; });
    if (!check_only_) // provenance next to the calibrated material files
      write_atomically(materials_dir_ + "/calibration.json", [&](std::ostream &o) { o << j.dump(2) << "\n"; });
  }
} // namespace otj
