// Result files of a sweep (see case_store.h).
#include "sweep/case_store.h"
#include "common/version.h"

#include "common/file_fingerprint.h"
#include "output/atomic_file.h"
#include "sweep/case_runner.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace otj
{
  namespace fs = std::filesystem;
  using nlohmann::json;

  std::string sweep_fingerprint(const SweepParameters &s)
  {
    std::ostringstream in;
    in.precision(17);
    in << "device " << file_fingerprint(s.device_file) << '\n'
       << "electrode " << file_fingerprint(s.device.device.top_electrode.source_file) << '\n';
    for (const auto &l : s.device.device.layers)
      in << l.role << ' ' << file_fingerprint(l.material.source_file) << '\n';
    if (!s.device.geometry.mesh_file.empty())
      in << "mesh " << file_fingerprint(s.device.geometry.mesh_file) << '\n';
    in << "relaxation " << s.relaxation << "\nread " << s.read_voltage << "\nparameter " << s.material.parameter
       << "\nlayers";
    for (const auto &l : s.material.layers)
      in << ' ' << l;
    in << "\nspread " << s.variation.spread << '\n';
    // the program version too: records of another build are not reused (a
    // physics change would otherwise leave stale cases in a resumed sweep)
    in << "program " << otj::program_version() << '\n';
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : in.str())
      h = (h ^ c) * 1099511628211ull;
    char buf[32];
    std::snprintf(buf, sizeof buf, "fnv1a64:%016llx", static_cast<unsigned long long>(h));
    return buf;
  }

  CaseStore::CaseStore(const std::string &output_directory)
    : directory_((fs::path(output_directory) / "cases").string())
  {}

  std::string CaseStore::path(const unsigned int id) const
  {
    char name[32];
    std::snprintf(name, sizeof name, "case_%06u.json", id);
    return (fs::path(directory_) / name).string();
  }

  void CaseStore::write(const json &record) const
  {
    const std::string text = record.dump(1) + "\n";
    write_atomically(path(record.at("case").at("id").get<unsigned int>()), [&](std::ostream &o) { o << text; });
  }

  std::optional<json> CaseStore::load(const SweepCase &c, const std::string &fingerprint) const
  {
    std::ifstream in(path(c.id));
    if (!in)
      return std::nullopt;
    try
      {
        json r = json::parse(in);
        const std::string status = r.at("status").get<std::string>();
        if (r.at("format") != "otj-sweep-case/1" || r.at("fingerprint") != fingerprint ||
            r.at("case") != case_record(c) || (status != "ok" && status != "failed") || !r.at("results").is_object())
          return std::nullopt;
        return r;
      }
    catch (const std::exception &)
      {
        return std::nullopt; // truncated or edited: run the case again
      }
  }

  unsigned int CaseStore::remove_temporaries() const
  {
    unsigned int    n = 0;
    std::error_code ec;
    if (!fs::is_directory(directory_, ec))
      return 0;
    for (const auto &e : fs::directory_iterator(directory_, ec))
      {
        const std::string name = e.path().filename().string();
        if (name.rfind("case_", 0) == 0 && name.find(".json.tmp.") != std::string::npos)
          n += fs::remove(e.path(), ec) ? 1 : 0;
      }
    return n;
  }
} // namespace otj
