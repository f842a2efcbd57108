// The merged table of a sweep: every case record in id order, as
// <output>/sweep.csv (one row per case, failed cases included with their
// message) and <output>/sweep.json (a summary and the records), both written
// atomically.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace otj
{
  /// The CSV columns, in order.
  const std::vector<std::string> &sweep_table_columns();

  /// Writes sweep.csv and sweep.json into `output_directory`; `summary` goes
  /// into sweep.json beside the records.
  void write_sweep_table(const std::string &output_directory, const std::vector<nlohmann::json> &records,
                         const nlohmann::json &summary);
} // namespace otj
