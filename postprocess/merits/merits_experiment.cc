// `otj merits`: figures of merit of one device from PDE runs (see the header).
#include "merits/merits_experiment.h"
#include "simulation/device_file.h"
#include "common/output_directory.h"
#include "common/version.h"

#include "analysis/exponential_fit.h"
#include "analysis/threshold_search.h"
#include "common/parallel_tasks.h"
#include "common/input_error.h"
#include "common/number_list.h"
#include "materials/material.h"
#include "output/atomic_file.h"
#include "physics/constants.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/utilities.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace otj
{
  namespace fs = std::filesystem;
  using dealii::Vector;
  using nlohmann::json;

  namespace
  {
    using Clock = std::chrono::steady_clock;
    double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

    std::vector<double> log_times(double first, double last, unsigned n)
    {
      std::vector<double> t;
      for (unsigned k = 0; k < n; ++k)
        t.push_back(first * std::pow(last / first, n > 1 ? double(k) / (n - 1) : 0.0));
      return t;
    }

    json null_or(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
  } // namespace

  void MeritsExperiment::declare_parameters(dealii::ParameterHandler &prm)
  {
    using namespace dealii;
    auto             flag = [&](bool d) { return d ? "true" : "false"; };
    prm.enter_subsection("Merits");
    prm.declare_entry("Device file", "writes.prm", Patterns::FileName(),
                      "Run parameter file of the device (relative to this file); its waveform is not used.");
    prm.declare_entry("Output directory", "results/merits", Patterns::Anything(), "Directory of the CSV and JSON results.");
    prm.declare_entry("Threads", "0", Patterns::Integer(0, 1024),
                      "Threads for independent PDE runs (the two polarities of the threshold search, the energy "
                      "spikes; 0: one per core). The results do not depend on it.");
    prm.enter_subsection("Threshold");
    prm.declare_entry("Enabled", flag(ThresholdCurveParameters{}.enabled), Patterns::Bool());
    prm.declare_entry("Pulse widths (s)", "1e-8, 2e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1", Patterns::Anything(),
                      "Flat-top widths of the pulses (1 ns edges).");
    prm.declare_entry("Read delay (s)", "2.5e-5", Patterns::Double(0.0), "Time at 0 V between the pulse and the read.");
    prm.declare_entry("Criterion", "0.1", Patterns::Double(1e-6, 10.0),
                      "Relative change of the read conductance, against the same delay without the pulse, that counts "
                      "as switched.");
    prm.declare_entry("Relative tolerance", "0.02", Patterns::Double(1e-4, 0.5), "Width of the final bracket / threshold.");
    prm.declare_entry("Start amplitude (V)", "1.8", Patterns::Double(0.05, 10.0),
                      "First amplitude tried at the shortest width (later widths start from the previous threshold).");
    prm.declare_entry("LRS write (V)", "2.2", Patterns::Double(0.0, 10.0),
                      "Negative pulses start from the LRS written by this voltage from the pristine state.");
    prm.declare_entry("LRS write time (s)", "0.1", Patterns::Double(0.0));
    prm.declare_entry("LRS relaxation (s)", "0.01", Patterns::Double(0.0));
    prm.leave_subsection();
    prm.enter_subsection("Relaxation");
    prm.declare_entry("Enabled", flag(RelaxationParameters{}.enabled), Patterns::Bool());
    prm.declare_entry("Amplitudes (V)", "0.2, 0.6, 1.0", Patterns::Anything(), "Sub-threshold pulse amplitudes.");
    prm.declare_entry("Pulse width (s)", "5e-8", Patterns::Double(0.0));
    prm.declare_entry("Duration (s)", "1e-3", Patterns::Double(0.0), "Read time after each pulse (at the read voltage).");
    prm.declare_entry("Points", "61", Patterns::Integer(8, 10000), "Log-spaced read times from 1 ns to the duration.");
    prm.leave_subsection();
    prm.enter_subsection("STM to LTM");
    prm.declare_entry("Enabled", flag(StmLtmParameters{}.enabled), Patterns::Bool());
    prm.declare_entry("Amplitudes (V)", "0.9, 1.2, 1.5, 1.8, 2.1, 2.4, 2.7, 3.0, 3.3, 3.6", Patterns::Anything());
    prm.declare_entry("Amplitude sweep pulse width (s)", "1e-7", Patterns::Double(0.0));
    prm.declare_entry("Width sweep amplitude (V)", "1.5", Patterns::Double(0.0, 10.0));
    prm.declare_entry("Widths (s)", "1e-8, 3e-8, 1e-7, 3e-7, 1e-6, 3e-6, 1e-5", Patterns::Anything());
    prm.declare_entry("Series resistance (ohm)", "-1", Patterns::Double(-1.0),
                      "Output resistance of the pulse source; -1: the device file's circuit (as in the calibration).");
    prm.declare_entry("Current compliance (nA)", "115", Patterns::Double(0.0),
                      "Compliance of the read (SMU) current; 0 = none. See the note in merits.json.");
    prm.declare_entry("Read delay (s)", "1e-6", Patterns::Double(0.0), "First read after the spike.");
    prm.declare_entry("Late read delay (s)", "2.5e-5", Patterns::Double(0.0), "Second read (C and N fade within 25 us).");
    prm.leave_subsection();
    prm.enter_subsection("Energy");
    prm.declare_entry("Enabled", flag(EnergyParameters{}.enabled), Patterns::Bool());
    prm.declare_entry("Pulse width (s)", "2e-8", Patterns::Double(0.0));
    prm.declare_entry("Amplitudes (V)", "0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.2, 3.4, 3.6",
                      Patterns::Anything());
    prm.leave_subsection();
    prm.enter_subsection("Retention");
    prm.declare_entry("Enabled", flag(RetentionParameters{}.enabled), Patterns::Bool());
    prm.declare_entry("Duration (s)", "1e4", Patterns::Double(0.0));
    prm.declare_entry("First read (s)", "1e-2", Patterns::Double(0.0), "Time after the write of the first read.");
    prm.declare_entry("Reads per decade", "4", Patterns::Integer(1, 100));
    prm.declare_entry("Set voltage (V)", "2.2", Patterns::Double(0.0, 10.0));
    prm.declare_entry("Reset voltage (V)", "-4.3", Patterns::Double(-10.0, 0.0));
    prm.declare_entry("Write time (s)", "0.1", Patterns::Double(0.0));
    prm.declare_entry("Endurance cycles", "10", Patterns::Integer(0, 100000));
    prm.leave_subsection();
    prm.leave_subsection();
  }

  MeritsExperiment::MeritsExperiment(const std::string &file)
    : file_(file)
  {
    using namespace dealii;
    ParameterHandler prm;
    declare_parameters(prm);
    parse_parameter_file(prm, file);

    prm.enter_subsection("Merits");
    device_     = read_device_file((fs::path(file).parent_path() / prm.get("Device file")).string(), file, "Merits/Device file");
    output_dir_ = prm.get("Output directory");
    check_output_directory(output_dir_, file, "Merits/Output directory");
    threads_    = static_cast<unsigned int>(prm.get_integer("Threads"));
    prm.enter_subsection("Threshold");
    const std::string T = "Merits/Threshold/";
    threshold_.enabled    = prm.get_bool("Enabled");
    threshold_.widths     = number_list(prm, "Pulse widths (s)", file, T);
    std::sort(threshold_.widths.begin(), threshold_.widths.end());
    threshold_.read_delay = prm.get_double("Read delay (s)");
    threshold_.criterion  = prm.get_double("Criterion");
    threshold_.tolerance  = prm.get_double("Relative tolerance");
    threshold_.start      = prm.get_double("Start amplitude (V)");
    threshold_.lrs_write  = prm.get_double("LRS write (V)");
    threshold_.lrs_write_time = prm.get_double("LRS write time (s)");
    threshold_.lrs_relax      = prm.get_double("LRS relaxation (s)");
    prm.leave_subsection();
    prm.enter_subsection("Relaxation");
    relaxation_.enabled    = prm.get_bool("Enabled");
    relaxation_.amplitudes = number_list(prm, "Amplitudes (V)", file, "Merits/Relaxation/");
    relaxation_.width      = prm.get_double("Pulse width (s)");
    relaxation_.duration   = prm.get_double("Duration (s)");
    relaxation_.points     = prm.get_integer("Points");
    prm.leave_subsection();
    prm.enter_subsection("STM to LTM");
    stm_ltm_.enabled           = prm.get_bool("Enabled");
    stm_ltm_.amplitudes        = number_list(prm, "Amplitudes (V)", file, "Merits/STM to LTM/");
    stm_ltm_.amplitude_width   = prm.get_double("Amplitude sweep pulse width (s)");
    stm_ltm_.width_amplitude   = prm.get_double("Width sweep amplitude (V)");
    stm_ltm_.widths            = number_list(prm, "Widths (s)", file, "Merits/STM to LTM/");
    stm_ltm_.series_resistance = prm.get_double("Series resistance (ohm)");
    stm_ltm_.compliance        = prm.get_double("Current compliance (nA)") * 1e-9;
    stm_ltm_.read_delay        = prm.get_double("Read delay (s)");
    stm_ltm_.late_read_delay   = prm.get_double("Late read delay (s)");
    prm.leave_subsection();
    prm.enter_subsection("Energy");
    energy_.enabled    = prm.get_bool("Enabled");
    energy_.width      = prm.get_double("Pulse width (s)");
    energy_.amplitudes = number_list(prm, "Amplitudes (V)", file, "Merits/Energy/");
    std::sort(energy_.amplitudes.begin(), energy_.amplitudes.end());
    prm.leave_subsection();
    prm.enter_subsection("Retention");
    retention_.enabled          = prm.get_bool("Enabled");
    retention_.duration         = prm.get_double("Duration (s)");
    retention_.first_read       = prm.get_double("First read (s)");
    retention_.reads_per_decade = prm.get_integer("Reads per decade");
    retention_.set_voltage      = prm.get_double("Set voltage (V)");
    retention_.reset_voltage    = prm.get_double("Reset voltage (V)");
    retention_.write_time       = prm.get_double("Write time (s)");
    retention_.endurance_cycles = prm.get_integer("Endurance cycles");
    prm.leave_subsection();
    prm.leave_subsection();
    for (double w : threshold_.widths)
      if (w < 1e-9)
        throw_bad_parameter(file, T + "Pulse widths (s)", std::to_string(w), "widths of at least 1 ns (the edges are 1 ns)");
    if (!(retention_.duration > retention_.first_read) || !(retention_.first_read > 0))
      throw_bad_parameter(file, "Merits/Retention/Duration (s)", std::to_string(retention_.duration),
                          "a duration longer than the first read time (> 0)");
    if (!(relaxation_.duration > 1e-9))
      throw_bad_parameter(file, "Merits/Relaxation/Duration (s)", std::to_string(relaxation_.duration), "more than 1 ns");
  }

  void MeritsExperiment::threshold_curve(PulseLab &lab, json &j, const bool quiet) const
  {
    const auto &P = threshold_;
    const auto  t0 = Clock::now();
    if (!quiet)
      std::cout << "  threshold vs pulse width: " << P.widths.size() << " widths x 2 polarities, criterion dG/G = "
                << P.criterion << " after " << P.read_delay << " s at 0 V" << std::endl;
    json                  points = json::array();
    std::ostringstream    csv;
    csv << "width_s,positive_threshold_V,negative_threshold_V,positive_evaluations,negative_evaluations\n"
        << std::setprecision(8);
    // the two polarities side by side; within each, every width starts from the previous
    // width's threshold
    std::vector<ThresholdSearchResult> found[2];
    lab.written(P.lrs_write, P.lrs_write_time, P.lrs_relax); // in the lab before it is copied
    for_each_run(lab, 2, [&](std::size_t polarity, PulseLab &plab) {
      const int             sign  = polarity == 0 ? +1 : -1;
      const Vector<double> &s0    = sign > 0 ? plab.pristine() : plab.written(P.lrs_write, P.lrs_write_time, P.lrs_relax);
      double                start = P.start;
      for (double w : P.widths)
        {
          ThresholdSearchOptions o;
          o.start = start, o.lower = 0.05, o.upper = 8.0, o.growth = 1.3, o.relative_tolerance = P.tolerance;
          o.max_evaluations = 24;
          const auto r = find_threshold(
            [&](double V) -> std::optional<double> {
              try
                {
                  const auto p = plab.pulse(s0, PulseSpec{sign * V, w, 1e-9, P.read_delay});
                  // growth of G for positive pulses (set), of R for negative ones (reset)
                  return sign > 0 ? p.G_after / p.G_reference - 1 : p.G_reference / p.G_after - 1;
                }
              catch (const std::exception &)
                {
                  return std::nullopt;
                }
            },
            P.criterion, o);
          if (r.bracketed)
            start = r.threshold;
          found[polarity].push_back(r);
        }
    });
    for (std::size_t k = 0; k < P.widths.size(); ++k)
      {
        const double w   = P.widths[k];
        const auto  &pos = found[0][k], &neg = found[1][k];
        const double Vp = pos.bracketed ? pos.threshold : std::nan(""), Vn = neg.bracketed ? -neg.threshold : std::nan("");
        csv << w << ',' << Vp << ',' << Vn << ',' << pos.evaluations << ',' << neg.evaluations << '\n';
        points.push_back({{"width_s", w}, {"positive_V", null_or(Vp)}, {"negative_V", null_or(Vn)},
                          {"positive_evaluations", pos.evaluations}, {"negative_evaluations", neg.evaluations},
                          {"positive_converged", pos.converged}, {"negative_converged", neg.converged}});
        if (std::abs(w - 2e-8) < 1e-12)
          j["threshold"]["at_20ns"] = {{"positive_V", null_or(Vp)}, {"negative_V", null_or(Vn)}};
        if (!quiet)
          std::cout << "    width " << std::setw(8) << std::setprecision(3) << w << " s: +" << std::setprecision(4) << Vp
                    << " V (" << pos.evaluations << " runs), " << Vn << " V (" << neg.evaluations << " runs)" << std::endl;
      }
    if (!quiet)
      std::cout << "    [" << std::setprecision(3) << seconds_since(t0) << " s]" << std::endl;
    write_atomically(output_dir_ + "/threshold_vs_width.csv", [&](std::ostream &o) { o << csv.str(); });
    j["threshold"]["criterion"]    = P.criterion;
    j["threshold"]["read_delay_s"] = P.read_delay;
    j["threshold"]["definition"] =
      "smallest |amplitude| of a pulse (1 ns edges) whose read conductance after the delay differs from that of the "
      "same delay without the pulse by the criterion: G/G_ref - 1 (positive, from the pristine state) or G_ref/G - 1 "
      "(negative, from the LRS)";
    j["threshold"]["points"]       = points;
    j["threshold"]["wall_time_s"]  = seconds_since(t0);
  }

  void MeritsExperiment::relaxation(PulseLab &lab, json &j, const bool quiet) const
  {
    const auto &P  = relaxation_;
    const auto  t0 = Clock::now();
    const auto  times = log_times(1e-9, P.duration, P.points);
    json        pulses = json::array();
    // R_0 C: the capacitive discharge time through the source (C from the pristine state's charge at the read voltage)
    const double R0 = device_.circuit.series_resistance;
    for (double A : P.amplitudes)
      {
        const auto tr = lab.read_current_after_pulse(lab.pristine(), PulseSpec{A, P.width, 1e-9, 0}, times);
        // the decay of the read current (EPSC) and of the vacancy centroid's displacement
        const auto fit  = fit_exponential_decay(times, tr.current);
        const auto fitx = fit_exponential_decay(times, tr.centroid, {1});
        std::ostringstream tag;
        tag << std::setprecision(3) << A;
        write_atomically(output_dir_ + "/relaxation_" + tag.str() + "V.csv", [&](std::ostream &o) {
          o << "time_after_pulse_s,read_current_A,fit_current_A,vacancy_centroid_nm\n" << std::setprecision(10);
          for (std::size_t k = 0; k < times.size(); ++k)
            o << times[k] << ',' << tr.current[k] << ',' << fit.evaluate(times[k]) << ','
              << tr.centroid[k] / constants::nm << '\n';
        });
        const double tau1 = fit.taus.back(); // the slowest resolved decay is the EPSC's tau_1
        const double tion = fitx.taus.front();
        std::string  origin;
        if (std::abs(std::log(tau1 / tion)) < std::log(3.0))
          origin = "ionic back-drift (the vacancy centroid relaxes on the same time scale, within 3x)";
        else
          origin = "not the ionic back-drift alone (centroid tau differs by more than 3x)";
        pulses.push_back({{"amplitude_V", A}, {"width_s", P.width}, {"model", fit.model()}, {"tau1_s", tau1},
                          {"tau2_s", fit.terms == 2 ? json(fit.taus.front()) : json(nullptr)},
                          {"amplitudes_A", fit.amplitudes}, {"offset_A", fit.offset}, {"rms_relative", fit.relative_rms},
                          {"single_exponential_rms_relative", fit.single_relative_rms},
                          {"centroid_tau_s", tion}, {"peak_current_A", tr.current.front()}, {"origin", origin}});
        if (!quiet)
          std::cout << "  relaxation after " << A << " V / " << P.width << " s: tau1 = " << std::setprecision(3) << tau1
                    << " s (" << fit.model() << ", rms " << 100 * fit.relative_rms << " %), centroid tau " << tion
                    << " s: " << origin << std::endl;
      }
    j["relaxation"]["pulses"]    = pulses;
    j["relaxation"]["rc_time_s"] = R0 > 0 ? json("see energy section: R0 C") : json(0.0);
    j["relaxation"]["origin"] =
      R0 > 0 ? "compare tau1 with R0 C and with the centroid's relaxation"
             : "the source is ideal (R0 = 0): the junction charge follows the source at once, so a decay of the read "
               "current at constant voltage can only come from the vacancies (ionic back-drift)";
    j["relaxation"]["wall_time_s"] = seconds_since(t0);
  }

  void MeritsExperiment::stm_to_ltm(PulseLab &lab, json &j, const bool quiet) const
  {
    const auto &P  = stm_ltm_;
    const auto  t0 = Clock::now();
    CircuitParameters c = device_.circuit;
    if (P.series_resistance >= 0)
      c.series_resistance = P.series_resistance;
    c.current_compliance = 0; // see the note: the compliance cannot act within the spike
    auto sweep = [&](const std::vector<std::pair<double, double>> &cases, const std::string &name) {
      json               arr = json::array();
      std::ostringstream csv;
      csv << "amplitude_V,width_s,read_current_A,conductance_S,conductance_25us_S,peak_junction_voltage_V\n"
          << std::setprecision(8);
      for (const auto &[A, w] : cases)
        {
          const auto r1 = lab.pulse(lab.pristine(), PulseSpec{A, w, 1e-9, P.read_delay}, c);
          std::vector<ReadResult> late;
          lab.hold(r1.state, P.late_read_delay - P.read_delay, {P.late_read_delay - P.read_delay}, &late);
          const double G1 = r1.G_after, G2 = late.empty() ? std::nan("") : 1.0 / late.back().resistance;
          double       I1 = device_.experiment.read_voltage * G1;
          if (P.compliance > 0)
            I1 = std::min(I1, P.compliance);
          csv << A << ',' << w << ',' << I1 << ',' << G1 << ',' << G2 << ',' << r1.peak_junction_voltage << '\n';
          arr.push_back({{"amplitude_V", A}, {"width_s", w}, {"read_current_A", I1}, {"conductance_S", G1},
                         {"conductance_25us_S", null_or(G2)}, {"peak_junction_voltage_V", r1.peak_junction_voltage}});
          if (!quiet)
            std::cout << "    " << name << ": " << std::setprecision(3) << A << " V, " << w << " s -> read " << I1
                      << " A, G " << G1 << " S (" << G2 << " S at " << P.late_read_delay << " s)" << std::endl;
        }
      write_atomically(output_dir_ + "/stm_ltm_" + name + ".csv", [&](std::ostream &o) { o << csv.str(); });
      return arr;
    };
    if (!quiet)
      std::cout << "  STM to LTM: spikes from a " << c.series_resistance << "-ohm source, reads at "
                << device_.experiment.read_voltage << " V after " << P.read_delay << " s and " << P.late_read_delay
                << " s" << std::endl;
    std::vector<std::pair<double, double>> by_amplitude, by_width;
    for (double A : P.amplitudes)
      by_amplitude.push_back({A, P.amplitude_width});
    for (double w : P.widths)
      by_width.push_back({P.width_amplitude, w});
    j["stm_ltm"]["amplitude"]     = sweep(by_amplitude, "amplitude");
    j["stm_ltm"]["width"]         = sweep(by_width, "width");
    j["stm_ltm"]["compliance_A"]  = P.compliance;
    j["stm_ltm"]["series_resistance_ohm"] = c.series_resistance;
    j["stm_ltm"]["note"] =
      "the compliance limits the read current (SMU), not the spike: at 115 nA the junction capacitance (~1e-10 F) "
      "would charge by only ~0.1 V in 100 ns, so the spikes come from the device file's source (as in the "
      "calibration of the 20 ns threshold)";
    j["stm_ltm"]["wall_time_s"] = seconds_since(t0);
  }

  void MeritsExperiment::energy_per_spike(PulseLab &lab, json &j, const bool quiet) const
  {
    const auto &P  = energy_;
    const auto  t0 = Clock::now();
    const double criterion = threshold_.criterion;
    json         arr       = json::array();
    std::ostringstream csv;
    csv << "amplitude_V,width_s,energy_junction_J,energy_source_J,energy_paper_formula_J,relative_change,ltm\n"
        << std::setprecision(8);
    double stm_E = std::nan(""), ltm_E = std::nan(""), stm_V = std::nan(""), ltm_V = std::nan("");
    double stm_Ep = std::nan(""), ltm_Ep = std::nan("");
    std::vector<PulseOutcome> outcomes(P.amplitudes.size());
    for_each_run(lab, P.amplitudes.size(), [&](std::size_t i, PulseLab &plab) {
      outcomes[i] = plab.pulse(plab.pristine(), PulseSpec{P.amplitudes[i], P.width, 1e-9, threshold_.read_delay});
    });
    for (std::size_t i = 0; i < P.amplitudes.size(); ++i)
      {
        const double A   = P.amplitudes[i];
        const auto  &r   = outcomes[i];
        const bool   ltm = r.relative_change > criterion;
        // the paper's estimate E = V I t with I the current at the end of the spike
        const double Ep = A * r.end_tunnel_current * P.width;
        csv << A << ',' << P.width << ',' << r.energy_junction << ',' << r.energy_source << ',' << Ep << ','
            << r.relative_change << ',' << (ltm ? 1 : 0) << '\n';
        arr.push_back({{"amplitude_V", A}, {"energy_junction_J", r.energy_junction}, {"energy_source_J", r.energy_source},
                       {"energy_paper_formula_J", Ep}, {"relative_change", r.relative_change}, {"ltm", ltm}});
        if (!ltm)
          stm_E = r.energy_junction, stm_V = A, stm_Ep = Ep;
        else if (!std::isfinite(ltm_E))
          ltm_E = r.energy_junction, ltm_V = A, ltm_Ep = Ep;
        if (!quiet)
          std::cout << "  energy of a " << P.width << " s spike of " << std::setprecision(3) << A << " V: "
                    << r.energy_junction * 1e15 << " fJ (source " << r.energy_source * 1e15 << " fJ, V I t "
                    << Ep * 1e15 << " fJ), dG/G " << r.relative_change << (ltm ? " LTM" : " STM") << std::endl;
      }
    write_atomically(output_dir_ + "/energy_per_spike.csv", [&](std::ostream &o) { o << csv.str(); });
    j["energy"] = {{"width_s", P.width},
                   {"points", arr},
                   {"threshold_V", null_or(0.5 * (stm_V + ltm_V))},
                   {"stm_amplitude_V", null_or(stm_V)},
                   {"ltm_amplitude_V", null_or(ltm_V)},
                   {"stm_energy_J", null_or(stm_E)},
                   {"ltm_energy_J", null_or(ltm_E)},
                   {"stm_energy_paper_formula_J", null_or(stm_Ep)},
                   {"ltm_energy_paper_formula_J", null_or(ltm_Ep)},
                   {"definition",
                    "energy_junction = Int V_j I_terminal dt over the spike (displacement current included); STM / LTM: "
                    "the largest amplitude below / smallest above the threshold criterion; paper formula: V x I(end "
                    "of spike) x width"},
                   {"wall_time_s", seconds_since(t0)}};
  }

  void MeritsExperiment::retention_and_endurance(PulseLab &lab, json &j, const bool quiet) const
  {
    const auto &P  = retention_;
    const auto  t0 = Clock::now();
    const unsigned n = 1 + unsigned(std::round(P.reads_per_decade * std::log10(P.duration / P.first_read)));
    const auto     times = log_times(P.first_read, P.duration, n);
    // the written states without relaxation (the hold reads from t = first read on)
    const Vector<double> lrs = lab.write(lab.pristine(), P.set_voltage, P.write_time, 0.0);
    const Vector<double> hrs = lab.write(lrs, P.reset_voltage, P.write_time, 0.0);
    std::ostringstream   csv;
    csv << "state,time_s,resistance_ohm\n" << std::setprecision(8);
    for (const auto &[name, s] : {std::pair<std::string, const Vector<double> *>{"LRS", &lrs}, {"HRS", &hrs}})
      {
        std::vector<ReadResult> reads;
        lab.hold(*s, P.duration, times, &reads);
        double retained = P.duration;
        for (std::size_t k = 0; k < reads.size(); ++k)
          {
            csv << name << ',' << times[k] << ',' << reads[k].resistance << '\n';
            if (retained == P.duration && std::abs(std::log2(reads[k].resistance / reads.front().resistance)) > 1)
              retained = times[k];
          }
        j["retention"][name] = {{"retained_time_s", retained},
                                {"initial_resistance_ohm", reads.front().resistance},
                                {"final_resistance_ohm", reads.back().resistance}};
        if (!quiet)
          std::cout << "  retention " << name << ": " << std::setprecision(3) << reads.front().resistance << " ohm at "
                    << P.first_read << " s -> " << reads.back().resistance << " ohm at " << P.duration
                    << " s; within 2x of the first read until " << retained << " s" << std::endl;
      }
    write_atomically(output_dir_ + "/retention.csv", [&](std::ostream &o) { o << csv.str(); });
    j["retention"]["read_voltage_V"] = device_.experiment.read_voltage;
    j["retention"]["criterion"] = "retained while the read resistance stays within a factor 2 of the first read";

    // endurance: repeated set / reset writes, read after the first-read delay
    std::ostringstream e;
    e << "cycle,lrs_resistance_ohm,hrs_resistance_ohm\n" << std::setprecision(8);
    Vector<double> s = lab.pristine();
    double         w_first = std::nan(""), w_last = std::nan("");
    for (unsigned c = 1; c <= P.endurance_cycles; ++c)
      {
        s                = lab.write(s, P.set_voltage, P.write_time, P.first_read);
        const double Rl  = lab.read(s).resistance;
        s                = lab.write(s, P.reset_voltage, P.write_time, P.first_read);
        const double Rh  = lab.read(s).resistance;
        e << c << ',' << Rl << ',' << Rh << '\n';
        (c == 1 ? w_first : w_last) = Rh / Rl;
        if (!quiet && (c == 1 || c % 5 == 0))
          std::cout << "  endurance cycle " << c << ": LRS " << std::setprecision(3) << Rl << " ohm, HRS " << Rh
                    << " ohm" << std::endl;
      }
    if (P.endurance_cycles == 1)
      w_last = w_first;
    write_atomically(output_dir_ + "/endurance.csv", [&](std::ostream &o) { o << e.str(); });
    j["endurance"] = {{"cycles", P.endurance_cycles}, {"window_first", null_or(w_first)}, {"window_last", null_or(w_last)}};
    j["retention"]["wall_time_s"] = seconds_since(t0);
  }

  void MeritsExperiment::for_each_run(PulseLab &lab, const std::size_t n,
                                      const std::function<void(std::size_t, PulseLab &)> &f) const
  {
    const unsigned int workers = worker_count(threads_, n);
    if (workers <= 1)
      {
        for (std::size_t i = 0; i < n; ++i)
          f(i, lab);
        return;
      }
    lab.pristine();
    std::vector<PulseLab> labs(workers, lab);
    const unsigned int    before = lab.pde_runs();
    for_each_index(n, workers, [&](std::size_t i, unsigned int w) { f(i, labs[w]); });
    for (const auto &l : labs)
      lab.merge(l, before);
  }

  void MeritsExperiment::run(const bool quiet)
  {
    const auto start = Clock::now();
    fs::create_directories(output_dir_);
    if (!quiet)
      std::cout << "otj merits " << file_ << ": figures of merit of " << device_.input_file << std::endl;
    PulseLab lab(device_);
    json     j;
    j["program"]     = "otj merits";
    j["version"]     = otj::program_version();
    j["input_file"]  = file_;
    j["device_file"] = device_.input_file;
    if (threshold_.enabled)
      threshold_curve(lab, j, quiet);
    if (relaxation_.enabled)
      relaxation(lab, j, quiet);
    if (stm_ltm_.enabled)
      stm_to_ltm(lab, j, quiet);
    if (energy_.enabled)
      energy_per_spike(lab, j, quiet);
    if (retention_.enabled)
      retention_and_endurance(lab, j, quiet);
    j["pde_runs"]    = lab.pde_runs();
    j["wall_time_s"] = seconds_since(start);
    write_atomically(output_dir_ + "/merits.json", [&](std::ostream &o) { o << j.dump(2) << "\n"; });
    if (!quiet)
      std::cout << "  " << lab.pde_runs() << " PDE runs, " << std::setprecision(3) << seconds_since(start)
                << " s; results: " << output_dir_ << "/{merits.json, *.csv}" << std::endl;
  }
} // namespace otj
