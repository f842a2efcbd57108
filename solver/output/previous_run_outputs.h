// Removes the result files that an earlier `otj run` left in an output
// directory (summary.json, timeseries.csv, solution.pvd, the snapshots in
// vtu/ and the profiles in profiles/) before a new run writes there, so that
// a failed or killed rerun never leaves old and new results side by side
// (SPEC 9). Only these names are touched; other files stay.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

namespace otj
{
  /// Returns the number of files removed.
  inline unsigned int remove_previous_run_outputs(const std::string &directory)
  {
    namespace fs = std::filesystem;
    std::error_code ec;
    unsigned int    removed = 0;
    for (const char *name : {"summary.json", "timeseries.csv", "solution.pvd"})
      if (fs::remove(fs::path(directory) / name, ec))
        ++removed;
    // snapshots: vtu/solution-*.vtu (1D), vtu/solution_*.vtu / .pvtu (2D); profiles/profile-*.csv
    for (const auto &[sub, prefix] : {std::pair<const char *, const char *>{"vtu", "solution"}, {"profiles", "profile-"}})
      {
        const fs::path d = fs::path(directory) / sub;
        if (!fs::is_directory(d, ec))
          continue;
        for (const auto &e : fs::directory_iterator(d, ec))
          if (e.is_regular_file(ec) && e.path().filename().string().rfind(prefix, 0) == 0 && fs::remove(e.path(), ec))
            ++removed;
      }
    return removed;
  }
} // namespace otj
