// `otj protocols FILE`: reads the protocol file, runs the protocols on the
// compact model and writes CSV files and protocols.json (see the header).
#include "protocols/protocols_experiment.h"
#include "common/output_directory.h"
#include "common/version.h"

#include "common/file_fingerprint.h"
#include "common/input_error.h"
#include "common/number_list.h"
#include "materials/material.h"
#include "output/atomic_file.h"
#include "simulation/run_parameters.h"

#include <deal.II/base/parameter_handler.h>

#include <cstdlib>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <memory>
#include <mutex>
#include <thread>
#include <numeric>
#include <tuple>
#include <iostream>
#include <sstream>

namespace otj
{
  namespace fs = std::filesystem;
  using nlohmann::json;

  namespace
  {
    using Clock = std::chrono::steady_clock;
    double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
    json   null_or(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
    /// a fit's JSON node with the reason it has no value as its "warning" (the results table shows it)
    json with_reason(json node, const std::string &why)
    {
      if (!why.empty())
        node["warning"] = "no fit: " + why;
      return node;
    }


    std::string list_text(const std::vector<double> &v)
    {
      std::ostringstream o;
      for (std::size_t i = 0; i < v.size(); ++i)
        o << (i ? ", " : "") << v[i];
      return o.str();
    }

    /// Antisymmetric-STDP spike: increasing negative pulses, then the positive pulse at the firing time.
    NeuronSpike antisymmetric_spike(const StdpDesign &d, double v_neg, double v_pos, double edge)
    {
      NeuronSpike s;
      s.edge = edge;
      for (unsigned int k = 0; k < d.negative_pulses; ++k)
        {
          const double f = d.negative_pulses > 1 ? d.first_negative_fraction + (d.last_negative_fraction - d.first_negative_fraction) *
                                                                                 k / (d.negative_pulses - 1.0)
                                                 : d.last_negative_fraction;
          s.segments.push_back({-(double(d.negative_pulses - k)) * d.negative_spacing, -f * std::abs(v_neg), d.negative_width});
        }
      s.segments.push_back({0.0, d.positive_fraction * v_pos, d.positive_width});
      return s;
    }
  } // namespace

  void ProtocolsExperiment::declare_parameters(dealii::ParameterHandler &prm)
  {
    using namespace dealii;
    prm.enter_subsection("Protocols");
    prm.declare_entry("Compact model", "results/paper_device/compact/compact_model.json", Patterns::FileName(),
                      "compact_model.json (the fitted compartment model) or reduced_model.json (the reduced oxide "
                      "model) written by `otj extract` (relative to the working directory).");
    prm.declare_entry("Output directory", "results/protocols", Patterns::Anything(), "Directory of the CSV and JSON results.");
    prm.declare_entry("Edge (s)", "1e-9", Patterns::Double(1e-12), "Rise and fall time of every pulse.");
    prm.declare_entry("Settle (s)", "1e-5", Patterns::Double(0.0), "Hold at the read baseline before a protocol starts.");
    prm.declare_entry("Read delay (s)", "2.5e-5", Patterns::Double(0.0),
                      "Hold at the read baseline before a non-volatile read (the volatile share drains).");
    prm.declare_entry("Criterion", "0.1", Patterns::Double(1e-6, 10.0),
                      "Relative non-volatile change of the read conductance that counts as long-term (LTM).");
    prm.declare_entry("Relative tolerance", "1e-5", Patterns::Double(1e-10, 1e-2),
                      "Of the compartment model's integrator (the reduced oxide model integrates with the time "
                      "stepping of its device file).");
    prm.declare_entry("Threads", "0", Patterns::Integer(0, 1024),
                      "Threads for independent runs (0: one per core). The LTP/LTD and STDP protocols run beside "
                      "the others, and the STDP's spike-timing differences are spread over the threads; the results "
                      "do not depend on the count.");
    prm.enter_subsection("EPSC");
    prm.declare_entry("Enabled", "true", Patterns::Bool());
    prm.declare_entry("Amplitudes (V)", "0.2, 0.6, 1.0", Patterns::Anything(), "Sub-threshold spike amplitudes (Fig. 2a).");
    prm.declare_entry("Pulse width (s)", "5e-8", Patterns::Double(1e-12));
    prm.declare_entry("Duration (s)", "2.5e-5", Patterns::Double(1e-12), "Read time after the spike.");
    prm.declare_entry("Points", "81", Patterns::Integer(8, 100000), "Log-spaced read times.");
    prm.leave_subsection();
    prm.enter_subsection("Frequency");
    prm.declare_entry("Enabled", "true", Patterns::Bool());
    prm.declare_entry("Amplitude (V)", "0.6", Patterns::Double());
    prm.declare_entry("Pulse width (s)", "5e-8", Patterns::Double(1e-12));
    prm.declare_entry("Frequencies (Hz)", "5e5, 1e6, 2e6, 5e6", Patterns::Anything(), "Pulse repetition rates (Fig. 2b,c).");
    prm.declare_entry("Pulses", "10", Patterns::Integer(1, 100000));
    prm.leave_subsection();
    prm.enter_subsection("Facilitation");
    prm.declare_entry("Enabled", "true", Patterns::Bool());
    prm.declare_entry("Amplitude (V)", "0.6", Patterns::Double());
    prm.declare_entry("Pulse width (s)", "5e-8", Patterns::Double(1e-12));
    prm.declare_entry("Intervals (s)", "6e-8, 1e-7, 2e-7, 5e-7, 1e-6, 2e-6, 5e-6, 1e-5, 2e-5", Patterns::Anything(),
                      "Start-to-start spike intervals (Fig. 2d).");
    prm.leave_subsection();
    prm.enter_subsection("LTP LTD");
    prm.declare_entry("Enabled", "true", Patterns::Bool());
    prm.declare_entry("Set amplitude (V)", "2.2", Patterns::Double());
    prm.declare_entry("Reset amplitude (V)", "-2.5", Patterns::Double());
    prm.declare_entry("Pulse width (s)", "5e-8", Patterns::Double(1e-12));
    prm.declare_entry("Period (s)", "1e-6", Patterns::Double(1e-12), "Pulse period; the read is at its end.");
    prm.declare_entry("Pulses", "20", Patterns::Integer(2, 100000), "Pulses per branch (Fig. 3c: 20).");
    prm.declare_entry("Cycles", "100", Patterns::Integer(1, 1000000));
    prm.declare_entry("Periodic tolerance", "1e-4", Patterns::Double(0.0, 1.0),
                      "The cycle is a deterministic map of the state at its start: once two consecutive cycles "
                      "after the first differ by less than this (relative, every read and every state variable), "
                      "the remaining cycles repeat the last one and are copied instead of integrated "
                      "(ltp_ltd.csv marks them computed = 0). 0 integrates every cycle.");
    prm.declare_entry("Cycle jump tolerance", "0", Patterns::Double(0.0, 0.1),
                      "Envelope following of a slow drift from cycle to cycle: after three integrated cycles in a "
                      "row (after the first) the reads and the state are extrapolated over m cycles with their "
                      "change per cycle d (the last two cycles) and, once an earlier jump lies 10 or more cycles "
                      "back, the change of d per cycle since then; m keeps the estimated error of the "
                      "extrapolation on the reads (relative) below this tolerance per jump (the errors of "
                      "successive jumps add up: 5e-4 kept the paper device's 100 cycles within 8.4e-4 of "
                      "integrating all). Then cycles are integrated again (ltp_ltd.csv marks the extrapolated "
                      "ones computed = 0). 0: no jumps.");
    prm.leave_subsection();
    prm.enter_subsection("STDP");
    prm.declare_entry("Enabled", "true", Patterns::Bool());
    prm.declare_entry("Initial set pulses", "mid-window", Patterns::Anything(),
                      "The initial state: this many pulses of the LTP protocol from the HRS (a count >= 0), or "
                      "'mid-window': the count whose read conductance (the LTP/LTD protocol's read, at the end of "
                      "each pulse's period) is nearest (in ln G) to the geometric middle of the LTP/LTD protocol's "
                      "window sqrt(G_min G_max), so that the synapse can be potentiated "
                      "and depressed (needs the LTP LTD protocol enabled).");
    prm.declare_entry("Negative pulses", "6", Patterns::Integer(1, 1000));
    prm.declare_entry("Negative pulse width (s)", "1e-7", Patterns::Double(1e-12));
    prm.declare_entry("Negative pulse spacing (s)", "1e-6", Patterns::Double(1e-12));
    prm.declare_entry("First negative fraction", "0.15", Patterns::Double(0.0, 1.0),
                      "Amplitude of the first negative pulse / |reset threshold at its width|.");
    prm.declare_entry("Last negative fraction", "0.9", Patterns::Double(0.0, 1.0));
    prm.declare_entry("Positive pulse width (s)", "1e-6", Patterns::Double(1e-12));
    prm.declare_entry("Positive fraction", "0.9", Patterns::Double(0.0, 1.0),
                      "Amplitude of the positive pulse / set threshold at its width.");
    prm.declare_entry("Antisymmetric time differences (s)",
                      "-8e-6, -6e-6, -5e-6, -4e-6, -3e-6, -2e-6, -1.5e-6, -1e-6, 1e-6, 1.5e-6, 2e-6, 3e-6, 4e-6, 5e-6, 6e-6, 8e-6",
                      Patterns::Anything());
    prm.declare_entry("Centre width (s)", "1e-6", Patterns::Double(1e-12));
    prm.declare_entry("Centre fraction", "0.9", Patterns::Double(0.0, 1.0));
    prm.declare_entry("Flank width (s)", "2e-6", Patterns::Double(1e-12));
    prm.declare_entry("Flank fraction", "0.9", Patterns::Double(0.0, 1.0));
    prm.declare_entry("Post pulse width (s)", "1e-7", Patterns::Double(1e-12));
    prm.declare_entry("Post fraction", "0.8", Patterns::Double(0.0, 1.0));
    prm.declare_entry("Symmetric time differences (s)",
                      "-5e-6, -4e-6, -3e-6, -2.5e-6, -2e-6, -1.5e-6, -1e-6, -5e-7, -2.5e-7, 0, 2.5e-7, 5e-7, 1e-6, 1.5e-6, "
                      "2e-6, 2.5e-6, 3e-6, 4e-6, 5e-6",
                      Patterns::Anything());
    prm.leave_subsection();
    prm.enter_subsection("Energy");
    prm.declare_entry("Enabled", "true", Patterns::Bool());
    prm.declare_entry("Pulse width (s)", "2e-8", Patterns::Double(1e-12));
    prm.declare_entry("Amplitudes (V)", "0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.2, 3.4, 3.6",
                      Patterns::Anything());
    prm.leave_subsection();
    prm.enter_subsection("Array");
    prm.declare_entry("Enabled", "true", Patterns::Bool());
    for (const char *L : {"C", "H", "N"})
      {
        prm.enter_subsection(std::string("Letter ") + L);
        const bool stm_low = std::string(L) == "C", slow = std::string(L) == "N";
        prm.declare_entry("Amplitude (V)", stm_low ? "0.9" : "1.5", Patterns::Double());
        prm.declare_entry("Pulse width (s)", "5e-8", Patterns::Double(1e-12));
        prm.declare_entry("Frequency (Hz)", slow ? "5e5" : "5e6", Patterns::Double(1.0));
        prm.declare_entry("Pulses", "10", Patterns::Integer(1, 100000));
        prm.leave_subsection();
      }
    prm.declare_entry("Read times (s)", "0, 2.5e-5", Patterns::Anything(), "After the last pulse (Fig. 4b-g).");
    prm.declare_entry("Retention horizon (s)", "1e4", Patterns::Double(1e-9));
    prm.declare_entry("Retention reference (s)", "2.5e-5", Patterns::Double(0.0),
                      "Time after the last pulse whose contrast counts as 1.");
    prm.declare_entry("Retention criterion", "0.5", Patterns::Double(0.0, 1.0),
                      "Contrast (relative to the reference) below which the letter counts as lost.");
    prm.leave_subsection();
    prm.leave_subsection();
  }

  ProtocolsExperiment::ProtocolsExperiment(const std::string &file)
    : file_(file)
  {
    using namespace dealii;
    ParameterHandler prm;
    declare_parameters(prm);
    parse_parameter_file(prm, file);

    const std::string P = "Protocols/";
    prm.enter_subsection("Protocols");
    model_file_          = prm.get("Compact model");
    output_dir_          = prm.get("Output directory");
    check_output_directory(output_dir_, file, "Protocols/Output directory");
    settings_.edge       = prm.get_double("Edge (s)");
    settings_.settle     = prm.get_double("Settle (s)");
    settings_.read_delay = prm.get_double("Read delay (s)");
    settings_.rtol       = prm.get_double("Relative tolerance");
    settings_.threads    = prm.get_integer("Threads");
    criterion_           = prm.get_double("Criterion");
    if (!fs::exists(model_file_))
      throw_bad_parameter(file, P + "Compact model", model_file_,
                          "an existing compact_model.json (run `otj extract` first; the path is relative to the working directory)");
    prm.enter_subsection("EPSC");
    epsc_enabled_    = prm.get_bool("Enabled");
    epsc_amplitudes_ = number_list(prm, "Amplitudes (V)", file, P + "EPSC/", ListRule::any);
    epsc_width_      = prm.get_double("Pulse width (s)");
    epsc_duration_   = prm.get_double("Duration (s)");
    epsc_points_     = prm.get_integer("Points");
    prm.leave_subsection();
    prm.enter_subsection("Frequency");
    freq_enabled_   = prm.get_bool("Enabled");
    freq_amplitude_ = prm.get_double("Amplitude (V)");
    freq_width_     = prm.get_double("Pulse width (s)");
    frequencies_    = number_list(prm, "Frequencies (Hz)", file, P + "Frequency/");
    freq_count_     = prm.get_integer("Pulses");
    for (double f : frequencies_)
      if (1.0 / f < freq_width_ + 2 * settings_.edge)
        throw_bad_parameter(file, P + "Frequency/Frequencies (Hz)", list_text(frequencies_),
                            "periods longer than a pulse with its edges");
    prm.leave_subsection();
    prm.enter_subsection("Facilitation");
    ppf_enabled_   = prm.get_bool("Enabled");
    ppf_amplitude_ = prm.get_double("Amplitude (V)");
    ppf_width_     = prm.get_double("Pulse width (s)");
    ppf_intervals_ = number_list(prm, "Intervals (s)", file, P + "Facilitation/", ListRule::increasing_positive);
    if (ppf_intervals_.front() < ppf_width_ + 2 * settings_.edge)
      throw_bad_parameter(file, P + "Facilitation/Intervals (s)", list_text(ppf_intervals_),
                          "intervals longer than a pulse with its edges");
    prm.leave_subsection();
    prm.enter_subsection("LTP LTD");
    ltp_enabled_ = prm.get_bool("Enabled");
    ltp_set_     = prm.get_double("Set amplitude (V)");
    ltp_reset_   = prm.get_double("Reset amplitude (V)");
    ltp_width_   = prm.get_double("Pulse width (s)");
    ltp_period_  = prm.get_double("Period (s)");
    ltp_pulses_  = prm.get_integer("Pulses");
    ltp_cycles_  = prm.get_integer("Cycles");
    ltp_periodic_tolerance_ = prm.get_double("Periodic tolerance");
    ltp_jump_tolerance_     = prm.get_double("Cycle jump tolerance");
    if (ltp_period_ < ltp_width_ + 2 * settings_.edge)
      throw_bad_parameter(file, P + "LTP LTD/Period (s)", prm.get("Period (s)"), "a period longer than a pulse with its edges");
    prm.leave_subsection();
    prm.enter_subsection("STDP");
    stdp_enabled_                 = prm.get_bool("Enabled");
    {
      const std::string v = prm.get("Initial set pulses");
      char             *end = nullptr;
      const long        n   = std::strtol(v.c_str(), &end, 10);
      if (v == "mid-window")
        stdp_.initial_mid_window = true;
      else if (!v.empty() && end && *end == '\0' && n >= 0 && n <= 100000)
        stdp_.initial_pulses = static_cast<unsigned int>(n);
      else
        throw_bad_parameter(file, P + "STDP/Initial set pulses", v, "a pulse count from 0 to 100000, or 'mid-window'");
    }
    stdp_.negative_pulses         = prm.get_integer("Negative pulses");
    stdp_.negative_width          = prm.get_double("Negative pulse width (s)");
    stdp_.negative_spacing        = prm.get_double("Negative pulse spacing (s)");
    stdp_.first_negative_fraction = prm.get_double("First negative fraction");
    stdp_.last_negative_fraction  = prm.get_double("Last negative fraction");
    stdp_.positive_width          = prm.get_double("Positive pulse width (s)");
    stdp_.positive_fraction       = prm.get_double("Positive fraction");
    stdp_.antisymmetric_dts = number_list(prm, "Antisymmetric time differences (s)", file, P + "STDP/", ListRule::any);
    stdp_.centre_width      = prm.get_double("Centre width (s)");
    stdp_.centre_fraction   = prm.get_double("Centre fraction");
    stdp_.flank_width       = prm.get_double("Flank width (s)");
    stdp_.flank_fraction    = prm.get_double("Flank fraction");
    stdp_.post_width        = prm.get_double("Post pulse width (s)");
    stdp_.post_fraction     = prm.get_double("Post fraction");
    stdp_.symmetric_dts     = number_list(prm, "Symmetric time differences (s)", file, P + "STDP/", ListRule::any);
    if (stdp_enabled_ && stdp_.initial_mid_window && !ltp_enabled_)
      throw_bad_parameter(file, P + "STDP/Initial set pulses", "mid-window",
                          "a pulse count (the mid-window state needs 'LTP LTD/Enabled = true')");
    if (stdp_.negative_spacing < stdp_.negative_width + 2 * settings_.edge)
      throw_bad_parameter(file, P + "STDP/Negative pulse spacing (s)", prm.get("Negative pulse spacing (s)"),
                          "a spacing longer than a negative pulse with its edges");
    prm.leave_subsection();
    prm.enter_subsection("Energy");
    energy_enabled_    = prm.get_bool("Enabled");
    energy_width_      = prm.get_double("Pulse width (s)");
    energy_amplitudes_ = number_list(prm, "Amplitudes (V)", file, P + "Energy/", ListRule::any);
    prm.leave_subsection();
    prm.enter_subsection("Array");
    array_enabled_ = prm.get_bool("Enabled");
    for (const char L : {'C', 'H', 'N'})
      {
        prm.enter_subsection(std::string("Letter ") + L);
        LetterProgram p;
        p.name      = std::string(1, L);
        p.mask      = letter_mask(L);
        p.amplitude = prm.get_double("Amplitude (V)");
        p.width     = prm.get_double("Pulse width (s)");
        p.period    = 1.0 / prm.get_double("Frequency (Hz)");
        p.count     = prm.get_integer("Pulses");
        if (p.period < p.width + 2 * settings_.edge)
          throw_bad_parameter(file, P + "Array/Letter " + p.name + "/Frequency (Hz)", prm.get("Frequency (Hz)"),
                              "a period longer than a pulse with its edges");
        letters_.push_back(p);
        prm.leave_subsection();
      }
    array_read_times_    = number_list(prm, "Read times (s)", file, P + "Array/", ListRule::non_negative);
    std::sort(array_read_times_.begin(), array_read_times_.end());
    retention_horizon_   = prm.get_double("Retention horizon (s)");
    retention_reference_ = prm.get_double("Retention reference (s)");
    retention_criterion_ = prm.get_double("Retention criterion");
    if (!(retention_horizon_ > retention_reference_))
      throw_bad_parameter(file, P + "Array/Retention horizon (s)", prm.get("Retention horizon (s)"),
                          "a horizon longer than the retention reference time");
    prm.leave_subsection();
    prm.leave_subsection();
  }

  void ProtocolsExperiment::write_json(const json &j) const
  {
    write_atomically(output_dir_ + "/protocols.json", [&](std::ostream &o) { o << std::setw(2) << j << '\n'; });
  }

  unsigned long ProtocolsExperiment::run(const bool quiet)
  {
    const auto t_all = Clock::now();
    json       model_json;
    {
      std::ifstream in(model_file_);
      try
        {
          in >> model_json;
        }
      catch (const std::exception &e)
        {
          throw InputError(file_ + ": parameter 'Protocols/Compact model' = " + model_file_ +
                           ": expected a JSON compact model (" + e.what() + ")");
        }
    }
    // the compartment model (compact_model.json) or the reduced oxide model (reduced_model.json,
    // "kind": "reduced_oxide_model": the device file it was validated for, its cells, its pristine state)
    std::unique_ptr<CompactModel>      compact;
    std::unique_ptr<RunParameters>     reduced_device;
    std::unique_ptr<ReducedOxideModel> reduced;
    std::unique_ptr<SynapseProbe>      probe_ptr;
    if (model_json.is_object() && model_json.value("kind", "") == "reduced_oxide_model")
      {
        try
          {
            // the device file as written, else relative to the model file's folder (a moved checkout)
            std::string dev = model_json.at("device_file").get<std::string>();
            if (!fs::exists(dev) && model_json.contains("device_file_relative"))
              dev = (fs::path(model_file_).parent_path() / model_json["device_file_relative"].get<std::string>()).string();
            try
              {
                reduced_device = std::make_unique<RunParameters>(RunParameters::from_file(dev));
              }
            catch (const InputError &e)
              {
                throw InputError(model_file_ + ": its device_file: " + e.what());
              }
            // the model's own fields checked here, each named (SPEC 9)
            const auto bad_field = [&](const std::string &field, const std::string &value, const std::string &expected) {
              throw InputError(model_file_ + ": field '" + field + "' = " + value + ": expected " + expected);
            };
            const long cells = model_json.at("cells").get<long>();
            if (cells < 2 || cells > 100000)
              bad_field("cells", std::to_string(cells), "an integer from 2 to 100000");
            const double read_voltage = model_json.at("read_voltage_V").get<double>();
            if (!std::isfinite(read_voltage) || read_voltage == 0 || std::abs(read_voltage) > 5.0)
              bad_field("read_voltage_V", std::to_string(read_voltage),
                        "a non-zero read voltage within +-5 V (the run files' range)");
            const auto pristine = model_json.at("pristine_densities_m3").get<std::vector<double>>();
            for (std::size_t i = 0; i < pristine.size(); ++i)
              if (!std::isfinite(pristine[i]) || pristine[i] < 0)
                bad_field("pristine_densities_m3[" + std::to_string(i) + "]", std::to_string(pristine[i]),
                          "finite non-negative vacancy densities (m^-3)");
            // the grid: uniform, or with the coarser stretch extraction validated it with
            ReducedGridCoarsening coarsening;
            if (model_json.contains("grid_coarsening") && !model_json["grid_coarsening"].is_null())
              {
                const auto &g       = model_json["grid_coarsening"];
                coarsening.from   = g.at("from_m").get<double>();
                coarsening.to     = g.at("to_m").get<double>();
                coarsening.factor = g.at("factor").get<double>();
                coarsening.ramp   = g.at("ramp_m").get<double>();
                if (!(coarsening.factor >= 1 && coarsening.factor <= 8))
                  bad_field("grid_coarsening.factor", std::to_string(coarsening.factor), "a factor from 1 to 8");
              }
            try
              {
                reduced = std::make_unique<ReducedOxideModel>(reduced_device->device, static_cast<unsigned>(cells),
                                                              reduced_device->time, reduced_device->newton,
                                                              reduced_device->concentration_scale, coarsening);
              }
            catch (const std::invalid_argument &e)
              {
                bad_field("grid_coarsening", model_json["grid_coarsening"].dump(), std::string("a stretch inside the oxide (") + e.what() + ")");
              }
            // the nodes the model was validated on are the ones rebuilt here (same device file, cells, stretch)
            if (model_json.contains("nodes_m"))
              {
                const auto nodes = model_json["nodes_m"].get<std::vector<double>>();
                bool       same  = nodes.size() == reduced->nodes().size();
                for (std::size_t i = 0; same && i < nodes.size(); ++i)
                  same = std::abs(nodes[i] - reduced->nodes()[i]) <= 1e-6 * reduced->nodes().back();
                if (!same)
                  bad_field("nodes_m", std::to_string(nodes.size()) + " nodes",
                            "the " + std::to_string(reduced->nodes().size()) +
                              " nodes that its cells and grid_coarsening give on its device file");
              }
            if (pristine.size() != reduced->nodes().size())
              bad_field("pristine_densities_m3", std::to_string(pristine.size()) + " values",
                        "one per node (" + std::to_string(reduced->nodes().size()) + ")");
            settings_.read_voltage = read_voltage;
            probe_ptr = std::make_unique<SynapseProbe>(*reduced, pristine, settings_);
          }
        catch (const nlohmann::json::exception &e)
          {
            throw InputError(model_file_ + ": a reduced oxide model needs device_file, cells, read_voltage_V and "
                                           "pristine_densities_m3 (" + e.what() + ")");
          }
      }
    else
      {
        compact = std::make_unique<CompactModel>(CompactModelParameters::from_json(model_json, model_file_));
        settings_.read_voltage = compact->parameters().read_voltage;
        probe_ptr              = std::make_unique<SynapseProbe>(*compact, settings_);
      }
    SynapseProbe &probe = *probe_ptr;
    fs::create_directories(output_dir_);
    std::mutex say_mutex;
    auto       say = [&](const std::string &s) {
      const std::lock_guard<std::mutex> lock(say_mutex);
      if (!quiet)
        std::cout << "[protocols " << std::fixed << std::setprecision(1) << seconds_since(t_all) << " s] " << s << std::endl;
    };
    json j;
    j["program"]       = "otj protocols";
    j["version"]       = otj::program_version();
    j["input_file"]    = {{"path", file_}, {"fnv1a64", file_fingerprint(file_)}};
    j["compact_model"] = {{"path", model_file_}, {"fnv1a64", file_fingerprint(model_file_)}};
    j["read_voltage_V"] = settings_.read_voltage;
    j["read_delay_s"]   = settings_.read_delay;
    j["criterion"]      = criterion_;
    const CompactState rest = probe.rest_state();
    j["hrs_rest_conductance_S"] = probe.conductance(rest);
    // two independent groups: the LTP/LTD protocol and the STDP built on its window, and the others;
    // with more than one thread they run side by side, each on its own copy of the probe
    const unsigned long steps_before = probe.steps();
    auto side_group = [&](SynapseProbe &probe, json &j) {
      if (epsc_enabled_)
        {
          const auto t0 = Clock::now();
          json       arr = json::array();
          std::ostringstream csv;
          csv << "amplitude_V,time_after_spike_s,current_A\n" << std::setprecision(10);
          for (double V : epsc_amplitudes_)
            {
              const EpscResult r = epsc(probe, V, epsc_width_, epsc_duration_, epsc_points_);
              for (std::size_t k = 0; k < r.t.size(); ++k)
                csv << V << ',' << r.t[k] << ',' << r.current[k] << '\n';
              arr.push_back({{"amplitude_V", V}, {"width_s", epsc_width_}, {"peak_current_A", r.peak_current},
                             {"rest_current_A", r.rest_current}, {"tau1_s", null_or(r.tau1)},
                             {"fit_relative_rms", null_or(r.fit_relative_rms)}});
            }
          write_atomically(output_dir_ + "/epsc.csv", [&](std::ostream &o) { o << csv.str(); });
          j["epsc"] = arr;
          std::ostringstream m;
          m << "EPSC (Fig. 2a): " << epsc_amplitudes_.size() << " spikes, tau1 =";
          for (const auto &a : arr)
            m << ' ' << (a["tau1_s"].is_null() ? std::string("n/a") : std::to_string(a["tau1_s"].get<double>() * 1e9) + " ns");
          say(m.str() + " (" + std::to_string(seconds_since(t0)) + " s)");
        }

      if (freq_enabled_)
        {
          const auto         t0 = Clock::now();
          json               arr = json::array();
          std::ostringstream peaks, trace;
          peaks << "frequency_Hz,pulse,peak_time_s,peak_current_A\n" << std::setprecision(10);
          trace << "frequency_Hz,time_s,current_A\n" << std::setprecision(10);
          for (double f : frequencies_)
            {
              const TrainResult r = pulse_train_response(probe, rest, freq_amplitude_, freq_width_, 1.0 / f, freq_count_, 400);
              for (std::size_t k = 0; k < r.peak_current.size(); ++k)
                peaks << f << ',' << k + 1 << ',' << r.peak_time[k] << ',' << r.peak_current[k] << '\n';
              for (std::size_t k = 0; k < r.trace_t.size(); ++k)
                trace << f << ',' << r.trace_t[k] << ',' << r.trace_current[k] << '\n';
              arr.push_back({{"frequency_Hz", f}, {"peak_currents_A", r.peak_current},
                             {"last_over_first", r.peak_current.back() / r.peak_current.front()},
                             {"conductance_after_S", r.conductance_after}});
            }
          write_atomically(output_dir_ + "/frequency_peaks.csv", [&](std::ostream &o) { o << peaks.str(); });
          write_atomically(output_dir_ + "/frequency_traces.csv", [&](std::ostream &o) { o << trace.str(); });
          j["frequency"] = {{"amplitude_V", freq_amplitude_}, {"width_s", freq_width_}, {"runs", arr}};
          say("EPSC vs frequency (Fig. 2b,c): A10/A1 = " + [&] {
            std::ostringstream m;
            for (const auto &a : arr)
              m << a["last_over_first"].get<double>() << " @ " << a["frequency_Hz"].get<double>() / 1e6 << " MHz; ";
            return m.str();
          }() + "(" + std::to_string(seconds_since(t0)) + " s)");
        }

      if (ppf_enabled_)
        {
          const auto               t0 = Clock::now();
          const FacilitationResult r  = paired_pulse_facilitation(probe, ppf_amplitude_, ppf_width_, ppf_intervals_, 10);
          std::ostringstream       csv;
          csv << "interval_s,ppf_percent,ptp_percent\n" << std::setprecision(10);
          for (std::size_t k = 0; k < r.interval.size(); ++k)
            csv << r.interval[k] << ',' << r.ppf[k] << ',' << r.ptp[k] << '\n';
          write_atomically(output_dir_ + "/facilitation.csv", [&](std::ostream &o) { o << csv.str(); });
          j["facilitation"] = {
            {"amplitude_V", ppf_amplitude_},
            {"width_s", ppf_width_},
            {"definition", "PPF = (A2 - A1)/A1, PTP = (A10 - A1)/A1 in %, A_i the EPSC peak of spike i; interval start to start; "
                           "fits: index = C1 exp(-dt / tau) + C0"},
            {"ppf", with_reason({{"shortest_interval_percent", r.ppf.front()}, {"C1_percent", null_or(r.ppf_amplitude)},
                                 {"tau_s", null_or(r.ppf_tau)}, {"C0_percent", null_or(r.ppf_offset)}},
                                r.ppf_why)},
            {"ptp", with_reason({{"shortest_interval_percent", r.ptp.front()}, {"C1_percent", null_or(r.ptp_amplitude)},
                                 {"tau_s", null_or(r.ptp_tau)}, {"C0_percent", null_or(r.ptp_offset)}},
                                r.ptp_why)}};
          std::ostringstream m;
          m << "PPF/PTP (Fig. 2d): at " << r.interval.front() * 1e9 << " ns PPF " << r.ppf.front() << " %, PTP " << r.ptp.front()
            << " %; tau " << r.ppf_tau * 1e9 << " / " << r.ptp_tau * 1e9 << " ns (" << seconds_since(t0) << " s)";
          say(m.str());
        }

      // the LTP protocol's set pulses also give the STDP's initial state (its window, the mid-window one)
      if (energy_enabled_)
        {
          const auto  t0 = Clock::now();
          const auto  pts = energy_per_spike(probe, energy_amplitudes_, energy_width_, criterion_);
          std::ostringstream csv;
          csv << "amplitude_V,energy_J,peak_current_A,relative_change,branch\n" << std::setprecision(10);
          json arr = json::array();
          for (const auto &p : pts)
            {
              csv << p.amplitude << ',' << p.energy << ',' << p.peak_current << ',' << p.relative_change << ','
                  << (p.long_term ? "LTM" : "STM") << '\n';
              arr.push_back({{"amplitude_V", p.amplitude}, {"energy_J", p.energy}, {"relative_change", p.relative_change},
                             {"branch", p.long_term ? "LTM" : "STM"}});
            }
          write_atomically(output_dir_ + "/energy.csv", [&](std::ostream &o) { o << csv.str(); });
          json e = {{"width_s", energy_width_}, {"points", arr},
                    {"note", "conduction energy of the compact model (no displacement current; the PDE's merits include it)"}};
          // the last STM and the first LTM amplitude
          for (std::size_t k = 1; k < pts.size(); ++k)
            if (!pts[k - 1].long_term && pts[k].long_term)
              {
                e["stm_energy_J"] = pts[k - 1].energy;
                e["ltm_energy_J"] = pts[k].energy;
                e["threshold_bracket_V"] = {pts[k - 1].amplitude, pts[k].amplitude};
                break;
              }
          j["energy"] = e;
          say("energy per spike (Fig. 3f): " + std::to_string(pts.size()) + " amplitudes (" + std::to_string(seconds_since(t0)) + " s)");
        }

      if (array_enabled_)
        {
          const auto         t0 = Clock::now();
          std::ostringstream img, ret;
          img << "letter,read_time_s,row,column,current_A\n" << std::setprecision(10);
          ret << "letter,time_s,contrast\n" << std::setprecision(10);
          json arr;
          for (const auto &L : letters_)
            {
              const ArrayResult r = array_letter(probe, L, array_read_times_, retention_horizon_, retention_reference_,
                                                 retention_criterion_);
              json reads = json::array();
              for (std::size_t k = 0; k < r.read_times.size(); ++k)
                {
                  double on = 0, off = 0;
                  for (int a = 0; a < 5; ++a)
                    for (int b = 0; b < 5; ++b)
                      {
                        img << L.name << ',' << r.read_times[k] << ',' << a << ',' << b << ',' << r.currents[k][a][b] << '\n';
                        (L.mask[a][b] ? on : off) = r.currents[k][a][b];
                      }
                  reads.push_back({{"time_s", r.read_times[k]}, {"pixel_on_current_A", on}, {"pixel_off_current_A", off},
                                   {"on_over_off", on / off}});
                }
              for (std::size_t k = 0; k < r.retention_t.size(); ++k)
                ret << L.name << ',' << r.retention_t[k] << ',' << r.retention_contrast[k] << '\n';
              arr[L.name] = {{"amplitude_V", L.amplitude}, {"width_s", L.width}, {"frequency_Hz", 1.0 / L.period},
                             {"pulses", L.count}, {"reads", reads}, {"retained_time_s", null_or(r.retained_time)},
                             {"retained_to_horizon", r.retained_to_horizon},
                             {"last_read_time_s", r.read_times.back()},
                             {"last_read_on_over_off", reads.back()["on_over_off"]}};
            }
          arr["retention"] = {{"horizon_s", retention_horizon_}, {"reference_s", retention_reference_},
                              {"criterion", retention_criterion_},
                              {"definition", "contrast (G_on - G_off)/(G_on(reference) - G_off) at 0 V between reads; "
                                             "retained while above the criterion (the horizon if never below)"}};
          write_atomically(output_dir_ + "/array.csv", [&](std::ostream &o) { o << img.str(); });
          write_atomically(output_dir_ + "/array_retention.csv", [&](std::ostream &o) { o << ret.str(); });
          j["array"] = arr;
          std::ostringstream m;
          m << std::setprecision(3) << "5x5 array (Fig. 4):";
          for (const auto &L : letters_)
            m << ' ' << L.name << " on/off " << arr[L.name]["reads"][0]["on_over_off"].get<double>() << " -> "
              << arr[L.name]["reads"].back()["on_over_off"].get<double>();
          m << "; H retained " << arr["H"]["retained_time_s"] << " s (" << seconds_since(t0) << " s)";
          say(m.str());
        }
    };
    auto main_group = [&](SynapseProbe &probe, json &j) {
      std::pair<double, double> ltp_window{0.0, 0.0};
      if (ltp_enabled_)
        {
          const auto         t0 = Clock::now();
          const LtpLtdResult r  = ltp_ltd(probe, ltp_set_, ltp_reset_, ltp_width_, ltp_period_, ltp_pulses_, ltp_cycles_,
                                            ltp_periodic_tolerance_, ltp_jump_tolerance_);
          ltp_window = {r.g_min, r.g_max};
          std::ostringstream csv, lut;
          csv << "cycle,branch,pulse,conductance_S,computed\n" << std::setprecision(10);
          for (unsigned int c = 0; c < r.cycles; ++c)
            for (unsigned int k = 0; k <= r.pulses; ++k)
              {
                const int computed = r.integrated[c];
                csv << c + 1 << ",LTP," << k << ',' << r.ltp[c][k] << ',' << computed << '\n';
                csv << c + 1 << ",LTD," << k << ',' << r.ltd[c][k] << ',' << computed << '\n';
              }
          write_atomically(output_dir_ + "/ltp_ltd.csv", [&](std::ostream &o) { o << csv.str(); });
          // CrossSim-style lookup table: conductance and its update per pulse, cycle statistics
          lut << "branch,pulse,conductance_mean_S,conductance_min_S,conductance_max_S,delta_mean_S,delta_std_S\n"
              << std::setprecision(10);
          const unsigned int first = r.cycles > 1 ? 1 : 0;
          for (const bool up : {true, false})
            for (unsigned int k = 0; k <= r.pulses; ++k)
              {
                std::vector<double> g, d;
                for (unsigned int c = first; c < r.cycles; ++c)
                  {
                    const auto &b = up ? r.ltp[c] : r.ltd[c];
                    g.push_back(b[k]);
                    if (k < r.pulses)
                      d.push_back(b[k + 1] - b[k]);
                  }
                const double gm = std::accumulate(g.begin(), g.end(), 0.0) / g.size();
                double       dm = 0, ds = 0;
                for (double x : d)
                  dm += x / d.size();
                for (double x : d)
                  ds += (x - dm) * (x - dm) / std::max<std::size_t>(1, d.size() - 1);
                lut << (up ? "LTP" : "LTD") << ',' << k << ',' << gm << ',' << *std::min_element(g.begin(), g.end()) << ','
                    << *std::max_element(g.begin(), g.end()) << ',' << (d.empty() ? 0.0 : dm) << ',' << std::sqrt(ds) << '\n';
              }
          write_atomically(output_dir_ + "/ltp_ltd_lookup.csv", [&](std::ostream &o) { o << lut.str(); });
          auto fitj = [](const NonlinearityFit &f, unsigned P) {
            return json{{"A_pulses", null_or(f.A)}, {"A_over_pulses", null_or(f.A / P)}, {"g_min_S", f.g_min},
                        {"g_max_S", f.g_max}, {"rms_S", null_or(f.rms)}};
          };
          j["ltp_ltd"] = {{"set_V", ltp_set_},
                          {"reset_V", ltp_reset_},
                          {"width_s", ltp_width_},
                          {"period_s", ltp_period_},
                          {"pulses", r.pulses},
                          {"cycles", r.cycles},
                          {"computed_cycles", r.computed_cycles},
                          {"periodic_tolerance", ltp_periodic_tolerance_},
                          {"periodic_change", null_or(r.periodic_change)},
                          {"periodic_definition",
                           "the largest relative change of a read or a state variable between the last two integrated "
                           "cycles; once below the tolerance the remaining cycles repeat the last one (the periodic "
                           "steady state)"},
                          {"jump_tolerance", ltp_jump_tolerance_},
                          {"jumped_cycles", r.jumped_cycles},
                          {"jump_definition",
                           "cycle jumps (envelope following): after three integrated cycles in a row, m cycles "
                           "extrapolated with the change per cycle of the last two and the change of that since an "
                           "earlier jump >= 10 cycles back, m from the estimated error on the reads (per jump, "
                           "relative, below the tolerance); ltp_ltd.csv computed = 0"},
                          {"g_min_S", r.g_min},
                          {"g_max_S", r.g_max},
                          {"g_min_spread_S", r.g_min_spread},
                          {"g_max_spread_S", r.g_max_spread},
                          {"on_off", r.g_max / r.g_min},
                          {"window_definition", "cycle mean (cycles 2..N) of the largest LTP and smallest LTD read"},
                          {"neurosim",
                           {{"form", "LTP: G = G_min + B (1 - exp(-P/A)); LTD: G = G_max - B (1 - exp(-n/A)); "
                                     "B = (G_max - G_min)/(1 - exp(-P_max/A))"},
                            {"ltp", fitj(r.ltp_fit, r.pulses)},
                            {"ltd", fitj(r.ltd_fit, r.pulses)}}},
                          {"lookup_table", "ltp_ltd_lookup.csv"}};
          std::ostringstream m;
          m << std::setprecision(3) << "LTP/LTD (Fig. 3c): " << r.cycles << " cycles x " << 2 * r.pulses << " pulses ("
            << r.computed_cycles << " integrated, " << r.jumped_cycles << " by cycle jumps, the rest periodic: change "
            << r.periodic_change << "), window "
            << r.g_min * 1e6 << " .. " << r.g_max * 1e6 << " uS, NeuroSim A = " << r.ltp_fit.A << " / " << r.ltd_fit.A
            << " pulses (" << seconds_since(t0) << " s)";
          say(m.str());
        }

      if (stdp_enabled_)
        try
        {
          const auto t0 = Clock::now();
          // the initial state: the LTP protocol's first pulses from the HRS
          CompactState s0 = rest;
          unsigned int initial_pulses = stdp_.initial_pulses;
          {
            SpikeTrain t(settings_.read_voltage, settings_.edge);
            t.add(0.0, ltp_set_, ltp_width_);
            const auto wp = t.waveform(0.0, ltp_period_);
            if (stdp_.initial_mid_window)
              {
                // pulse by pulse from the HRS while the read conductance approaches the
                // window's geometric middle; the state nearest to it in ln G is kept. The read is
                // the LTP/LTD protocol's own, at the end of each period (the window is made of
                // them): before 2026-12-02 it was the non-volatile read after 25 us at the
                // baseline, which stayed below the window's middle (the window holds the volatile
                // part), so the search ran to its 200-pulse limit (5 s of the protocols' 35 s)
                const double target = 0.5 * std::log(ltp_window.first * ltp_window.second);
                double       best   = std::abs(std::log(probe.conductance(s0)) - target);
                CompactState s      = s0;
                initial_pulses      = 0;
                for (unsigned int k = 1; k <= 10 * ltp_pulses_; ++k)
                  {
                    s             = probe.apply(wp, s);
                    const double d = std::abs(std::log(probe.conductance(s)) - target);
                    if (d < best)
                      best = d, s0 = s, initial_pulses = k;
                    else
                      break;
                  }
              }
            else
              for (unsigned int k = 0; k < initial_pulses; ++k)
                s0 = probe.apply(wp, s0);
          }
          // thresholds of the compact model at the design's widths, from that state
          // the set and reset thresholds at each distinct width of the design, each searched once,
          // the searches spread over the threads
          std::vector<double> widths{stdp_.positive_width, stdp_.negative_width, stdp_.centre_width, stdp_.flank_width,
                                     stdp_.post_width};
          std::sort(widths.begin(), widths.end());
          widths.erase(std::unique(widths.begin(), widths.end()), widths.end());
          std::vector<std::optional<double>> found(2 * widths.size());
          probe.for_each(found.size(), [&](std::size_t k, SynapseProbe &p) {
            found[k] = compact_threshold(p, s0, widths[k / 2], k % 2 ? -1.0 : 1.0, criterion_);
          });
          auto th = [&](double width, double pol) {
            const std::size_t w = std::lower_bound(widths.begin(), widths.end(), width) - widths.begin();
            const auto       &r = found.at(2 * w + (pol < 0 ? 1 : 0));
            if (!r)
              {
                std::ostringstream m;
                m << "the compact model has no " << (pol > 0 ? "set" : "reset") << " threshold for a " << width
                  << " s pulse below 20 V from the initial state";
                throw std::runtime_error(m.str());
              }
            return *r;
          };
          // every pulse of a neuron's spike reaches the junction with its sign from the
          // pre-synaptic side and inverted from the post-synaptic side (V = V_pre - V_post),
          // so each is scaled to the smaller of the set and |reset| thresholds at its
          // width: alone, in either polarity, it stays below the threshold (this device's
          // thresholds are asymmetric, unlike the paper's +/-1.5 V)
          auto both = [&](double width) { return std::min(th(width, 1), std::abs(th(width, -1))); };
          const double vp_pos = both(stdp_.positive_width), vn_neg = -both(stdp_.negative_width);
          const double vc     = both(stdp_.centre_width), vf = -both(stdp_.flank_width);
          const double vq     = both(stdp_.post_width), vr = -vq;
          const NeuronSpike anti = antisymmetric_spike(stdp_, vn_neg, vp_pos, settings_.edge);
          const StdpResult  ra   = stdp(probe, s0, anti, anti, stdp_.antisymmetric_dts, false);
          NeuronSpike       pre, post;
          pre.edge = post.edge = settings_.edge;
          const double e       = settings_.edge;
          pre.segments  = {{-(stdp_.flank_width + 2 * e), -stdp_.flank_fraction * std::abs(vf), stdp_.flank_width},
                          {0.0, stdp_.centre_fraction * vc, stdp_.centre_width},
                          {stdp_.centre_width + 2 * e, -stdp_.flank_fraction * std::abs(vf), stdp_.flank_width}};
          const double mid = 0.5 * stdp_.centre_width + e;
          post.segments = {{mid - (stdp_.post_width + 2 * e), stdp_.post_fraction * std::abs(vr), stdp_.post_width},
                           {mid, -stdp_.post_fraction * vq, stdp_.post_width}};
          const StdpResult rs = stdp(probe, s0, pre, post, stdp_.symmetric_dts, true);
          std::ostringstream ca, cs, wf;
          ca << "dt_s,dW_percent,fit_percent\n" << std::setprecision(10);
          for (std::size_t k = 0; k < ra.dt.size(); ++k)
            {
              const double dt = ra.dt[k];
              const double fit = dt > 0 ? ra.A_pos * std::exp(-dt / ra.tau_pos) + ra.w0_pos
                                        : ra.A_neg * std::exp(-dt / ra.tau_neg) + ra.w0_neg;
              ca << dt << ',' << ra.dw[k] << ',' << fit << '\n';
            }
          cs << "dt_s,dW_percent,fit_percent\n" << std::setprecision(10);
          for (std::size_t k = 0; k < rs.dt.size(); ++k)
            cs << rs.dt[k] << ',' << rs.dw[k] << ','
               << rs.A_pos * std::exp(-rs.dt[k] * rs.dt[k] / (rs.tau_pos * rs.tau_pos)) + rs.w0_pos << '\n';
          write_atomically(output_dir_ + "/stdp_antisymmetric.csv", [&](std::ostream &o) { o << ca.str(); });
          write_atomically(output_dir_ + "/stdp_symmetric.csv", [&](std::ostream &o) { o << cs.str(); });
          // the spike shapes, for the figure of the waveforms (Figs. S6, S7)
          wf << "form,neuron,time_s,voltage_V\n" << std::setprecision(10);
          for (const auto &[form, neuron, spike] : {std::tuple<std::string, std::string, const NeuronSpike *>{"antisymmetric", "pre", &anti},
                                                    {"antisymmetric", "post", &anti},
                                                    {"symmetric", "pre", &pre},
                                                    {"symmetric", "post", &post}})
            for (const auto &[t, V] : spike->corners(0.0))
              wf << form << ',' << neuron << ',' << t << ',' << V << '\n';
          write_atomically(output_dir_ + "/stdp_waveforms.csv", [&](std::ostream &o) { o << wf.str(); });
          j["stdp"] = {
            {"initial_state",
             {{"set_pulses", initial_pulses},
              {"rule", stdp_.initial_mid_window ? "mid-window: nearest in ln G to sqrt(G_min G_max) of the LTP/LTD window"
                                                : "fixed pulse count"},
              {"read_conductance_S", probe.conductance(s0)},
              {"read_definition", "I(V_read)/V_read at the end of the last set pulse's period, as the LTP/LTD reads "
                                  "(the mid-window rule compares this one)"},
              {"conductance_S", ra.g0},
              {"conductance_definition", "non-volatile: read after the read delay at the baseline (as dW)"}}},
            {"thresholds_V",
             {{"set_at_positive_width", vp_pos}, {"reset_at_negative_width", vn_neg}, {"set_at_centre_width", vc},
              {"reset_at_flank_width", vf}, {"set_at_post_width", vq}, {"reset_at_post_width", vr}}},
            {"design",
             "V = V_pre(t - t_pre) - V_post(t - t_pre - dt); amplitudes are fractions of the compact model's own "
             "thresholds at each pulse width (criterion above), so that every pulse alone stays below threshold"},
            {"antisymmetric",
             {{"ltp", with_reason({{"A", null_or(ra.A_pos)}, {"tau2_s", null_or(ra.tau_pos)}, {"W0", null_or(ra.w0_pos)},
                                    {"rms", null_or(ra.rms_pos)}},
                                   ra.why_pos)},
              {"ltd", with_reason({{"A", null_or(ra.A_neg)}, {"tau2_s", null_or(ra.tau_neg)}, {"W0", null_or(ra.w0_neg)},
                                   {"rms", null_or(ra.rms_neg)}},
                                  ra.why_neg)},
              {"equation", "dW = A exp(-dt / tau2) + W0 (eq. 1), per branch"}}},
            {"symmetric",
             with_reason({{"A", null_or(rs.A_pos)}, {"tau3_s", null_or(rs.tau_pos)}, {"W0", null_or(rs.w0_pos)},
                          {"rms", null_or(rs.rms_pos)}, {"equation", "dW = A exp(-dt^2 / tau3^2) + W0 (eq. 2)"}},
                         rs.why_pos)}};
          std::ostringstream m;
          m << std::setprecision(3) << "STDP (Fig. 3d,e): antisymmetric A = " << ra.A_pos << " %, tau2 = " << ra.tau_pos * 1e6
            << " us | A = " << ra.A_neg << " %, tau2 = " << ra.tau_neg * 1e6 << " us; symmetric A = " << rs.A_pos
            << " %, tau3 = " << rs.tau_pos * 1e6 << " us (" << seconds_since(t0) << " s)";
          say(m.str());
        }
        catch (const std::runtime_error &e)
          {
            // a design that cannot be built on this device is a result, not a crash
            j["stdp"] = {{"error", std::string("STDP design failed: ") + e.what()}};
            say(std::string("STDP (Fig. 3d,e): not run: ") + e.what());
          }

    };
    SynapseProbe side_probe = probe;
    json         side_json  = json::object();
    if (probe.threads_for(2) > 1)
      {
        std::exception_ptr side_error;
        std::thread        side([&] {
          try
            {
              side_group(side_probe, side_json);
            }
          catch (...)
            {
              side_error = std::current_exception();
            }
        });
        try
          {
            main_group(probe, j);
          }
        catch (...)
          {
            side.join();
            throw;
          }
        side.join();
        if (side_error)
          std::rethrow_exception(side_error);
      }
    else
      {
        side_group(side_probe, side_json);
        main_group(probe, j);
      }
    for (auto &[key, value] : side_json.items())
      j[key] = value;
    probe.add_steps(side_probe.steps() - steps_before);
    j["integrator_steps"] = probe.steps();
    j["wall_time_s"]      = seconds_since(t_all);
    write_json(j);
    say("wrote " + output_dir_ + "/protocols.json (" + std::to_string(probe.steps()) + " integrator steps)");
    return probe.steps();
  }
} // namespace otj
