// The result files of a sweep: one JSON record per case in
// <output>/cases/case_NNNNNN.json (NNNNNN = the case id), each written
// atomically (temporary file + rename, output/atomic_file.h), so a killed
// sweep leaves complete records and at most some "*.tmp.<pid>" files, which
// are ignored and removed by the next run.
//
// A record is reused when a sweep is resumed if it parses, has this format,
// the same case parameters for its id, and the same input fingerprint: a hash
// of the device file, its material and electrode files and the sweep settings
// shared by all cases (relaxation, read voltage, varied material entry and
// layers, seed spread) and the program version (`otj --version`, the git
// commit of the build). Editing any of those, or building another commit,
// re-runs every case; editing the lists re-runs the cases whose id now means
// other parameters.
//
// Record fields: format, version, fingerprint, case {id, temperature_K,
// material_factor, seed, amplitude_V, width_s}, vacancy_density_factor,
// status ("ok" | "failed"), message (the failure), results {R_pristine_ohm,
// R_read_ohm, R_ratio, thermionic_share, thermionic_field_share, field_share,
// mean_energy_eV, dominant_mechanism}, rank, wall_s.
#pragma once

#include "sweep/sweep_cases.h"
#include "sweep/sweep_parameters.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace otj
{
  /// "fnv1a64:<hex>" of the inputs that determine a case's result besides its own parameters.
  std::string sweep_fingerprint(const SweepParameters &sweep);

  class CaseStore
  {
  public:
    /// `output_directory`: the sweep's; records go to its "cases" folder.
    explicit CaseStore(const std::string &output_directory);

    std::string path(unsigned int id) const;
    /// Writes a record (from CaseRunner) atomically.
    void write(const nlohmann::json &record) const;
    /// The stored record of case c if it is complete and was made with `fingerprint`.
    std::optional<nlohmann::json> load(const SweepCase &c, const std::string &fingerprint) const;
    /// Removes temporary files of interrupted writes; returns how many.
    unsigned int remove_temporaries() const;

  private:
    std::string directory_;
  };
} // namespace otj
