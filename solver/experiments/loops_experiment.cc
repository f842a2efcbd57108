// The loops experiment driver (see loops_experiment.h).
#include "experiments/loops_experiment.h"
#include "simulation/device_file.h"
#include "common/output_directory.h"
#include "common/version.h"
#include "experiments/temperature_dependence.h"
#include "common/number_list.h"

#include "common/input_error.h"
#include "materials/material.h"
#include "output/atomic_file.h"
#include "physics/constants.h"

#include <deal.II/base/parameter_handler.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace otj
{
  namespace fs = std::filesystem;

  namespace
  {
    std::string shares_header(const std::string &prefix)
    {
      return prefix + "thermionic_share," + prefix + "thermionic_field_share," + prefix + "field_emission_share," +
             prefix + "mean_energy_eV," + prefix + "schottky_emission_share";
    }

    std::string shares_row(const ConductionShares &s)
    {
      std::ostringstream o;
      o << std::setprecision(6) << s.thermionic << ',' << s.thermionic_field << ',' << s.field << ','
        << s.mean_energy / constants::eV << ',' << s.schottky_emission;
      return o.str();
    }

    nlohmann::json state_json(const ResistanceLoopPoint &p)
    {
      return {{"after_write_V", p.write_voltage},
              {"resistance_ohm", p.resistance},
              {"dominant_mechanism", p.shares.dominant()},
              {"thermionic_share", p.shares.thermionic},
              {"thermionic_field_share", p.shares.thermionic_field},
              {"field_emission_share", p.shares.field},
              {"emission_share", p.shares.emission()},
              {"tunnelling_share", p.shares.tunnelling()},
              {"mean_energy_eV", p.shares.mean_energy / constants::eV},
              {"barrier_top_eV", p.shares.barrier / constants::eV},
              {"schottky_emission_share", p.shares.schottky_emission},
              {"substrate_barrier_eV", std::isfinite(p.shares.substrate_barrier)
                                         ? nlohmann::json(p.shares.substrate_barrier / constants::eV)
                                         : nlohmann::json(nullptr)}};
    }
  } // namespace

  void LoopsExperiment::declare_parameters(dealii::ParameterHandler &prm)
  {
    using namespace dealii;
    prm.enter_subsection("Loops");
    prm.declare_entry("Device file", "writes.prm", Patterns::FileName(),
                      "Run parameter file of the device (relative to this file); its waveform is not used.");
    prm.declare_entry("Output directory", "results/loops", Patterns::Anything(), "Directory of the CSV and JSON results.");
    prm.enter_subsection("Resistance loop");
    prm.declare_entry("Set voltage (V)", "2.2", Patterns::Double(0.0, 10.0), "Largest positive write (V).");
    prm.declare_entry("Reset voltage (V)", "-4.3", Patterns::Double(-10.0, 0.0), "Largest negative write (V).");
    prm.declare_entry("Voltage step (V)", "0.2", Patterns::Double(1e-3, 10.0), "Step between write amplitudes (V).");
    prm.declare_entry("Write time (s)", "0.1", Patterns::Double(0.0), "Duration of each write at full amplitude (s).");
    prm.declare_entry("Edge time (s)", "1e-7", Patterns::Double(0.0), "Rise and fall time of each write (s).");
    prm.declare_entry("Read delay (s)", "0.01", Patterns::Double(0.0), "Time at 0 V between a write and its read (s).");
    prm.leave_subsection();
    prm.enter_subsection("IV loop");
    prm.declare_entry("Sweep rate (V/s)", "10", Patterns::Double(0.0), "Rate of the triangular source sweeps (V/s).");
    prm.declare_entry("Cycles", "2", Patterns::Integer(0, 1000), "Number of 0 -> +V_set -> 0 -> V_reset -> 0 cycles.");
    prm.leave_subsection();
    prm.enter_subsection("Static IV");
    prm.declare_entry("Maximum voltage (V)", "1.0", Patterns::Double(0.0, 5.0),
                      "Static I-V curves from -V to +V of the frozen pristine, LRS and HRS states (V).");
    prm.declare_entry("Points", "41", Patterns::Integer(3, 10000), "Number of voltages of each static I-V curve.");
    prm.leave_subsection();
    prm.enter_subsection("Temperature dependence");
    prm.declare_entry("Temperatures (K)", "250, 275, 300, 325, 350", Patterns::Anything(),
                      "Reads of the frozen pristine, LRS and HRS states at these temperatures (K, increasing, at "
                      "least two; empty: none): the Richardson plot ln(I/T^2) over 1/kT and its activation energy.");
    prm.leave_subsection();
    prm.leave_subsection();
  }

  LoopsExperiment::LoopsExperiment(const std::string &file)
    : file_(file)
  {
    using namespace dealii;
    ParameterHandler prm;
    declare_parameters(prm);
    parse_parameter_file(prm, file);
    prm.enter_subsection("Loops");
    device_run_ = read_device_file((fs::path(file).parent_path() / prm.get("Device file")).string(), file, "Loops/Device file");
    output_dir_ = prm.get("Output directory");
    check_output_directory(output_dir_, file, "Loops/Output directory");
    prm.enter_subsection("Resistance loop");
    rv_.set_voltage   = prm.get_double("Set voltage (V)");
    rv_.reset_voltage = prm.get_double("Reset voltage (V)");
    rv_.voltage_step  = prm.get_double("Voltage step (V)");
    rv_.write_time    = prm.get_double("Write time (s)");
    rv_.edge_time     = prm.get_double("Edge time (s)");
    rv_.read_delay    = prm.get_double("Read delay (s)");
    prm.leave_subsection();
    prm.enter_subsection("IV loop");
    iv_.sweep_rate    = prm.get_double("Sweep rate (V/s)");
    iv_.cycles        = prm.get_integer("Cycles");
    iv_.set_voltage   = rv_.set_voltage;
    iv_.reset_voltage = rv_.reset_voltage;
    prm.leave_subsection();
    prm.enter_subsection("Static IV");
    const double   vmax = prm.get_double("Maximum voltage (V)");
    const unsigned n    = prm.get_integer("Points");
    for (unsigned k = 0; k < n; ++k)
      static_voltages_.push_back(-vmax + 2 * vmax * k / (n - 1));
    prm.leave_subsection();
    prm.enter_subsection("Temperature dependence");
    if (!Utilities::trim(prm.get("Temperatures (K)")).empty())
      {
        const std::string name = "Loops/Temperature dependence/";
        read_temperatures_ = number_list(prm, "Temperatures (K)", file, name, ListRule::increasing_positive);
        if (read_temperatures_.size() < 2 || read_temperatures_.back() > 2000)
          throw_bad_parameter(file, name + "Temperatures (K)", prm.get("Temperatures (K)"),
                              "at least two increasing temperatures up to 2000 K, or nothing");
      }
    prm.leave_subsection();
    prm.leave_subsection();
    if (!(iv_.sweep_rate > 0))
      throw_bad_parameter(file, "Loops/IV loop/Sweep rate (V/s)", "0", "a positive sweep rate");
  }

  void LoopsExperiment::run(const bool quiet)
  {
    const auto start = std::chrono::steady_clock::now();
    fs::create_directories(output_dir_);
    const auto amps = resistance_loop_amplitudes(rv_);
    if (!quiet)
      std::cout << "otj loops " << file_ << ": R-V loop of " << amps.size() << " writes of " << rv_.write_time
                << " s, reads at " << device_run_.experiment.read_voltage << " V\n";
    std::vector<std::pair<std::string, std::vector<IvPoint>>> ivs;
    auto progress = [&](const ResistanceLoopPoint &p) {
      if (!quiet)
        std::cout << "  [" << std::setw(3) << p.index << "/" << amps.size() << "] write " << std::setw(5)
                  << std::setprecision(3) << p.write_voltage << " V  ->  R = " << std::setw(9) << std::setprecision(3)
                  << p.resistance << " ohm  (TE/TFE/FE " << std::setprecision(2) << 100 * p.shares.thermionic << "/"
                  << 100 * p.shares.thermionic_field << "/" << 100 * p.shares.field << " %, vacancy centroid "
                  << std::setprecision(3) << p.centroid_nm << " nm)" << std::endl;
    };
    std::vector<std::pair<std::string, dealii::Vector<double>>> states;
    const auto rv = run_resistance_loop(device_run_, rv_, progress, &ivs, static_voltages_, nullptr, &states);
    write_atomically(output_dir_ + "/rv_loop.csv", [&](std::ostream &o) {
      o << "index,write_voltage_V,time_s,read_resistance_ohm," << shares_header("read_") << ",vacancy_centroid_nm\n"
        << std::setprecision(8);
      for (const auto &p : rv)
        o << p.index << ',' << p.write_voltage << ',' << p.time << ',' << p.resistance << ',' << shares_row(p.shares)
          << ',' << p.centroid_nm << '\n';
    });
    for (const auto &[name, curve] : ivs)
      write_atomically(output_dir_ + "/iv_" + (name == "pristine" ? std::string("pristine") : name == "LRS" ? "lrs" : "hrs") + ".csv",
                       [&](std::ostream &o) {
                         o << "voltage_V,current_A," << shares_header("") << "\n" << std::setprecision(10);
                         for (const auto &p : curve)
                           o << p.voltage << ',' << p.current << ',' << shares_row(p.shares) << '\n';
                       });
    const double t_rv = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!quiet)
      std::cout << "  R-V loop: " << t_rv << " s; I-V loops: " << iv_.cycles << " cycles at " << iv_.sweep_rate
                << " V/s" << std::endl;
    const auto loop = iv_.cycles > 0 ? run_iv_loop(device_run_, iv_) : std::vector<IvLoopPoint>{};
    write_atomically(output_dir_ + "/iv_loop.csv", [&](std::ostream &o) {
      o << "cycle,time_s,source_voltage_V,junction_voltage_V,terminal_current_A,tunnel_current_A\n"
        << std::setprecision(10);
      for (const auto &p : loop)
        o << p.cycle << ',' << p.time << ',' << p.source_voltage << ',' << p.junction_voltage << ',' << p.current
          << ',' << p.tunnel_current << '\n';
    });

    // the pristine, LRS and HRS states read at several temperatures: the Richardson plot
    const double Vr = device_run_.experiment.read_voltage;
    nlohmann::json temperature_json;
    if (!read_temperatures_.empty() && states.size() == 3)
      {
        std::vector<dealii::Vector<double>> vectors;
        for (const auto &st : states)
          vectors.push_back(st.second);
        const auto reads = reads_at_temperatures(device_run_, vectors, read_temperatures_, Vr);
        write_atomically(output_dir_ + "/temperature_reads.csv", [&](std::ostream &o) {
          o << "state,temperature_K,read_resistance_ohm,read_current_A," << shares_header("read_")
            << ",barrier_top_eV,substrate_barrier_eV\n" << std::setprecision(8);
          for (std::size_t s = 0; s < states.size(); ++s)
            for (const auto &r : reads[s])
              o << states[s].first << ',' << r.temperature << ',' << r.resistance << ',' << r.current << ','
                << shares_row(r.shares) << ',' << r.shares.barrier / constants::eV << ','
                << (std::isfinite(r.shares.substrate_barrier) ? r.shares.substrate_barrier / constants::eV : NAN)
                << '\n';
        });
        // where each read current flows in energy: the Tsu-Esaki integrand at every energy node
        write_atomically(output_dir_ + "/current_spectrum.csv", [&](std::ostream &o) {
          o << "state,temperature_K,energy_eV,dJ_dE_A_per_m2_per_eV,fraction_per_eV\n" << std::setprecision(8);
          for (std::size_t s = 0; s < states.size(); ++s)
            for (const auto &r : reads[s])
              {
                const double J = r.current / device_run_.device.electrode_area;
                for (const auto &q : r.spectrum)
                  o << states[s].first << ',' << r.temperature << ',' << q.energy / constants::eV << ','
                    << q.density * constants::eV << ',' << q.density * constants::eV / J << '\n';
              }
        });
        temperature_json["read_voltage_V"] = Vr;
        temperature_json["temperatures_K"] = read_temperatures_;
        temperature_json["method"] =
          "vacancies frozen at the written profile; electrostatics, electron statistics and the Tsu-Esaki current "
          "at each temperature; activation energy = minus the slope of ln(I/T^2) over 1/kT (Richardson plot). "
          "Emission over a barrier phi_B gives phi_B - q V_read, thermionic-field emission less (about the mean "
          "energy of the current above the Fermi level), tunnelling at the Fermi level about -2 k<T>; "
          "current_activation_energy = minus the slope of ln(I) (about 0 for tunnelling)";
        for (std::size_t s = 0; s < states.size(); ++s)
          {
            std::vector<double> T, I;
            for (const auto &r : reads[s])
              T.push_back(r.temperature), I.push_back(r.current);
            nlohmann::json e;
            try
              {
                const auto f             = arrhenius_fit(T, I, 2.0);
                e["activation_energy_eV"] = f.activation_energy / constants::eV;
                e["richardson_plot_rms"]  = f.rms;
                e["current_activation_energy_eV"] = arrhenius_fit(T, I, 0.0).activation_energy / constants::eV;
              }
            catch (const std::invalid_argument &ex)
              {
                e["activation_energy_eV"] = nullptr;
                e["error"]                = ex.what();
              }
            nlohmann::json rows = nlohmann::json::array();
            for (const auto &r : reads[s])
              rows.push_back({{"temperature_K", r.temperature},
                              {"resistance_ohm", r.resistance},
                              {"thermionic_share", r.shares.thermionic},
                              {"thermionic_field_share", r.shares.thermionic_field},
                              {"field_emission_share", r.shares.field},
                              {"mean_energy_eV", r.shares.mean_energy / constants::eV},
                              {"barrier_top_eV", r.shares.barrier / constants::eV}});
            e["reads"]                              = rows;
            temperature_json["states"][states[s].first] = e;
          }
        if (!quiet)
          {
            std::cout << "  Richardson plot (" << read_temperatures_.front() << "-" << read_temperatures_.back()
                      << " K, reads at " << Vr << " V): activation energy from ln(I/T^2) (from ln I)";
            for (const auto &st : states)
              {
                const auto &e = temperature_json["states"][st.first];
                std::cout << " " << st.first << " ";
                if (e["activation_energy_eV"].is_null())
                  std::cout << "n/a";
                else
                  std::cout << std::setprecision(3) << e["activation_energy_eV"].get<double>() << " ("
                            << e["current_activation_energy_eV"].get<double>() << ") eV";
              }
            std::cout << std::endl;
          }
      }

    // the loop's LRS and HRS: the reads after the largest set and reset writes
    const ResistanceLoopPoint *lrs = nullptr, *hrs = nullptr;
    for (const auto &p : rv)
      {
        if (p.write_voltage == rv_.set_voltage)
          lrs = &p;
        if (p.write_voltage == rv_.reset_voltage)
          hrs = &p;
      }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    using nlohmann::json;
    json j;
    j["program"]     = "otj loops";
    j["version"]     = otj::program_version();
    j["input_file"]  = file_;
    j["device_file"] = device_run_.input_file;
    j["read_voltage_V"] = device_run_.experiment.read_voltage;
    j["pristine"]    = state_json(rv.front());
    j["conduction_ranges"] =
      "shares of the 0.1 V read current by energy: thermionic = above the barrier top; thermionic_field = "
      "below the top but more than 3 kT above the higher Fermi level (thermally excited electrons tunnelling "
      "through the upper barrier); field_emission = the Fermi window (direct / Fowler-Nordheim tunnelling); "
      "emission = thermionic + thermionic_field (thermally activated); schottky_emission = the part of "
      "thermionic_field above the top of the Nb:STO depletion region behind the film (substrate_barrier_eV, when "
      "more than 3 kT above the Fermi level): emission over the substrate's Schottky barrier followed by tunnelling "
      "through the film, the thermionic emission of an MIS tunnel diode (Card & Rhoderick 1971); the rest of "
      "thermionic_field tunnels through the depletion region's upper part";
    if (lrs && hrs)
      {
        j["LRS"] = state_json(*lrs);
        j["HRS"] = state_json(*hrs);
        j["on_off_ratio"] = hrs->resistance / lrs->resistance;
      }
    if (!temperature_json.is_null())
      j["temperature_dependence"] = temperature_json;
    j["writes"]      = amps.size();
    j["wall_time_s"] = {{"rv_loop", t_rv}, {"total", wall}};
    write_atomically(output_dir_ + "/loops.json", [&](std::ostream &o) { o << j.dump(2) << "\n"; });
    if (!quiet && lrs && hrs)
      std::cout << "  LRS " << lrs->resistance << " ohm (" << lrs->shares.dominant() << ", "
                << 100 * lrs->shares.field << " % in the Fermi window), HRS " << hrs->resistance << " ohm ("
                << hrs->shares.dominant() << ", " << 100 * hrs->shares.emission()
                << " % thermally activated, " << 100 * hrs->shares.schottky_emission
                << " % over the substrate's Schottky barrier of " << hrs->shares.substrate_barrier / constants::eV
                << " eV, mean energy " << hrs->shares.mean_energy / constants::eV << " eV of a "
                << hrs->shares.barrier / constants::eV << " eV barrier), ON/OFF "
                << hrs->resistance / lrs->resistance << "; " << wall << " s\n  results: " << output_dir_
                << "/{rv_loop.csv, iv_loop.csv, iv_pristine.csv, iv_lrs.csv, iv_hrs.csv, "
                << (temperature_json.is_null() ? "" : "temperature_reads.csv, current_spectrum.csv, ")
                << "loops.json}\n";
  }
} // namespace otj
