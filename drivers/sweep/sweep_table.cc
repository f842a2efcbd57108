// The merged table of a sweep (see sweep_table.h).
#include "sweep/sweep_table.h"

#include "output/atomic_file.h"

#include <filesystem>
#include <iomanip>
#include <ostream>

namespace otj
{
  using nlohmann::json;

  namespace
  {
    const std::vector<std::string> case_columns{"id", "temperature_K", "material_factor", "seed", "amplitude_V",
                                                "width_s"};
    const std::vector<std::string> result_columns{"R_pristine_ohm",   "R_read_ohm",  "R_ratio",
                                                  "thermionic_share", "thermionic_field_share",
                                                  "field_share",      "mean_energy_eV", "schottky_emission_share",
                                                  "dominant_mechanism"};

    void cell(std::ostream &o, const json &v)
    {
      if (v.is_string())
        {
          // quoted, quotes doubled, one line (RFC 4180)
          std::string s = v.get<std::string>();
          o << '"';
          for (char c : s)
            o << (c == '"' ? std::string("\"\"") : c == '\n' || c == '\r' ? std::string(" ") : std::string(1, c));
          o << '"';
        }
      else if (v.is_number_float())
        o << v.get<double>();
      else if (!v.is_null())
        o << v.dump();
    }
  } // namespace

  const std::vector<std::string> &sweep_table_columns()
  {
    static const std::vector<std::string> columns = [] {
      std::vector<std::string> c = case_columns;
      c.push_back("vacancy_density_factor");
      c.push_back("status");
      c.insert(c.end(), result_columns.begin(), result_columns.end());
      for (const char *s : {"rank", "wall_s", "message"})
        c.push_back(s);
      return c;
    }();
    return columns;
  }

  void write_sweep_table(const std::string &dir, const std::vector<json> &records, const json &summary)
  {
    const auto &columns = sweep_table_columns();
    write_atomically((std::filesystem::path(dir) / "sweep.csv").string(), [&](std::ostream &o) {
      o << std::setprecision(12);
      for (std::size_t k = 0; k < columns.size(); ++k)
        o << (k ? "," : "") << columns[k];
      o << '\n';
      for (const auto &r : records)
        {
          bool first = true;
          auto sep   = [&] {
            if (!first)
              o << ',';
            first = false;
          };
          for (const auto &c : case_columns)
            sep(), cell(o, r.at("case").at(c));
          sep(), cell(o, r.value("vacancy_density_factor", json()));
          sep(), cell(o, r.at("status"));
          const json &res = r.at("results");
          for (const auto &c : result_columns)
            sep(), cell(o, res.contains(c) ? res.at(c) : json());
          sep(), cell(o, r.value("rank", json()));
          sep(), cell(o, r.value("wall_s", json()));
          sep(), cell(o, r.value("message", json("")));
          o << '\n';
        }
    });
    json j      = summary;
    j["cases"]  = records;
    const std::string text = j.dump(1) + "\n";
    write_atomically((std::filesystem::path(dir) / "sweep.json").string(), [&](std::ostream &o) { o << text; });
  }
} // namespace otj
