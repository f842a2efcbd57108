// The ParaView time-series record (.pvd) of one run: a list of (time, file)
// kept as a member (not static state), rewritten atomically after each
// snapshot so that ParaView can open a run while it is still going.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace otj
{
  class PvdRecord
  {
  public:
    explicit PvdRecord(std::string path) : path_(std::move(path)) {}
    /// Adds a snapshot (file name relative to the .pvd) and rewrites the record.
    void add(double time, const std::string &relative_file);
    const std::vector<std::pair<double, std::string>> &entries() const { return entries_; }

  private:
    std::string                                 path_;
    std::vector<std::pair<double, std::string>> entries_;
  };
} // namespace otj
