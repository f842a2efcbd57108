// Schedule, error measures and table of the compact model's validation against the PDE.
#include "compact/compact_validation.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace otj
{
  SequenceSchedule validation_schedule(const ValidationSequence &seq, const double Vr, const double e,
                                       const double settle)
  {
    SequenceSchedule s;
    s.corners = {{0, 0}, {e, Vr}};
    double t  = settle; // the baseline settles
    s.corners.push_back({t, Vr});
    for (unsigned k = 0; k < seq.count; ++k)
      {
        s.corners.push_back({t + e, seq.amplitude});
        s.corners.push_back({t + e + seq.width, seq.amplitude});
        s.reads.push_back(t + e + 0.5 * seq.width); // during the pulse
        s.corners.push_back({t + 2 * e + seq.width, Vr});
        s.reads.push_back(t + 2 * e + seq.width + 0.25 * (seq.period - seq.width - 2 * e));
        t += seq.period;
        s.reads.push_back(t);
        s.corners.push_back({t, Vr});
      }
    for (double extra : {1e-6, 2.5e-5})
      s.reads.push_back(t + extra);
    s.corners.push_back({s.reads.back(), Vr});
    return s;
  }

  SequenceErrors sequence_errors(const std::vector<SequencePoint> &points, const double Vr)
  {
    SequenceErrors r;
    for (const auto &p : points)
      {
        const bool   at_bias = std::abs(p.source_voltage - Vr) < 1e-12;
        const double eG = std::abs(p.G_compact / p.G_pde - 1), eR = std::abs(p.G_read_model / p.G_pde - 1);
        r.G          = std::max(r.G, eG);
        r.read_model = std::max(r.read_model, eR);
        if (at_bias)
          r.G_at_read_bias = std::max(r.G_at_read_bias, eG), r.read_model_at_read_bias = std::max(r.read_model_at_read_bias, eR);
        else
          r.G_during_pulses = std::max(r.G_during_pulses, eG);
        r.I = std::max(r.I, std::abs(p.I_compact / p.I_pde - 1));
        if (p.G_pde_refined > 0)
          {
            r.reference = std::max(r.reference, std::abs(p.G_pde / p.G_pde_refined - 1));
            r.G_refined = std::max(r.G_refined, std::abs(p.G_compact / p.G_pde_refined - 1));
          }
      }
    return r;
  }

  void write_validation_table(std::ostream &o, const nlohmann::json &val, const std::string &model_file,
                              const double conductance_tolerance, const double current_tolerance, const double read_voltage)
  {
    o << "# Compact model against the PDE on sequences not used in training\n\n"
      << "Model: `" << model_file << "`; tolerances: conductance " << 100 * conductance_tolerance << " %, current "
      << 100 * current_tolerance << " % (largest relative error along the sequence). "
      << "G is the static read at " << read_voltage << " V of the state; the points during pulses read "
      << "the frozen state of the pulse's middle. The read-model column is the compact model's conductance "
      << "of the PDE's own states (w, v_i): the part of the error that is not in the state equations.";
    const bool refined = std::any_of(val.begin(), val.end(), [](const nlohmann::json &v) {
      return v.contains("reference_uncertainty") && v["reference_uncertainty"].get<double>() >= 0;
    });
    if (refined)
      o << " The PDE reference column is the PDE's own numerical error: the largest |G_pde / G_refined - 1| "
           "against the same sequence on the mesh with every cell halved and the time-step tolerance divided "
           "by 10; the column after it compares the compact model with that refined PDE.";
    o << "\n\n" << std::setprecision(3);
    auto table = [&](bool development) {
      o << "| sequence | points | max G error at the read bias | max G error, states during pulses | max I error | "
           "read model alone (at the read bias) | "
        << (refined ? "PDE reference: max G change on refinement | max G error against the refined PDE | " : "")
        << "compact steps | result |\n|---|---|---|---|---|---|" << (refined ? "---|---|" : "") << "---|---|\n";
      auto percent = [](const nlohmann::json &v, const char *key) -> std::string {
        if (!v.contains(key) || v[key].get<double>() < 0)
          return "-";
        std::ostringstream s;
        s << std::setprecision(3) << 100 * v[key].get<double>() << " %";
        return s.str();
      };
      for (const auto &v : val)
        if ((v["role"].get<std::string>() == "development") == development)
          {
            o << "| " << v["sequence"].get<std::string>() << " | " << v["points"].get<std::size_t>() << " | "
              << 100 * v["max_conductance_error_at_read_bias"].get<double>() << " % | "
              << 100 * v["max_conductance_error_of_states_during_pulses"].get<double>() << " % | "
              << 100 * v["max_current_error"].get<double>() << " % | " << 100 * v["max_read_model_error"].get<double>()
              << " % (" << 100 * v["max_read_model_error_at_read_bias"].get<double>() << " %) | ";
            if (refined)
              o << percent(v, "reference_uncertainty") << " | " << percent(v, "max_conductance_error_against_refined") << " | ";
            o << v["compact_steps"].get<unsigned>() << " | " << (v["passes"].get<bool>() ? "passes" : "fails") << " |\n";
          }
    };
    table(false);
    if (std::any_of(val.begin(), val.end(), [](const nlohmann::json &v) { return v["role"].get<std::string>() == "development"; }))
      {
        o << "\n## Development sequences\n\nThe extraction settings are chosen on these (not on the "
             "validation sequences above); they are reported with the same measures and do not count for the "
             "result.\n\n";
        table(true);
      }
    // the reduced oxide model on the same sequences (when `Reduced model cells` > 0)
    if (std::any_of(val.begin(), val.end(), [](const nlohmann::json &v) {
          return v.contains("reduced_model") && !v["reduced_model"].is_null();
        }))
      {
        o << "\n## Reduced oxide model\n\nThe PDE's vacancy and Poisson equations on a grid of the oxide (uniform, or coarser over the stretch in reduced_model.json's grid_coarsening; the nodes nearest to the landscape's kinks moved onto them), "
             "the substrate by its first integral, the read by Tsu-Esaki on its own band profile "
             "(`reduced_model.json`; nothing fitted), from the PDE's pristine state, on the same sequences and "
             "with the same tolerances.\n\n"
          << "| sequence | role | cells | max G error at the read bias | max G error, states during pulses | max I error | "
          << (refined ? "max G error against the refined PDE | " : "") << "time steps | result |\n|---|---|---|---|---|---|"
          << (refined ? "---|" : "") << "---|---|\n";
        for (const auto &v : val)
          if (v.contains("reduced_model") && !v["reduced_model"].is_null())
            {
              const auto &r = v["reduced_model"];
              o << "| " << v["sequence"].get<std::string>() << " | " << v["role"].get<std::string>() << " | "
                << r["cells"].get<unsigned>() << " | " << 100 * r["max_conductance_error_at_read_bias"].get<double>()
                << " % | " << 100 * r["max_conductance_error_of_states_during_pulses"].get<double>() << " % | "
                << 100 * r["max_current_error"].get<double>() << " % | ";
              if (refined)
                o << (r["max_conductance_error_against_refined"].get<double>() < 0 ?
                        std::string("-") :
                        std::to_string(100 * r["max_conductance_error_against_refined"].get<double>()).substr(0, 5) + " %")
                  << " | ";
              o << r["time_steps"].get<unsigned>() << " | " << (r["passes"].get<bool>() ? "passes" : "fails") << " |\n";
            }
      }
  }
} // namespace otj
