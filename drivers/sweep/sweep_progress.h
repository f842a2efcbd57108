// Progress of a sweep on rank 0: one line per finished case with the count
// of cases done / total, the failed ones, the elapsed time and an estimate of
// the remaining time (from the mean wall time per case finished in this run,
// over the ranks running cases).
#pragma once

#include "sweep/sweep_cases.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <iosfwd>
#include <string>

namespace otj
{
  class SweepProgress
  {
  public:
    /// `total` cases, of which `done_before` (with `failed_before` failed) come from an earlier run.
    SweepProgress(std::ostream &out, bool quiet, unsigned int total, unsigned int done_before, unsigned int failed_before);

    /// A case finished (its record from CaseRunner); prints its line.
    void finished(const SweepCase &c, const nlohmann::json &record);

    unsigned int done() const { return done_; }
    unsigned int failed() const { return failed_; }
    double       elapsed() const;

    /// "h:mm:ss".
    static std::string clock(double seconds);

  private:
    std::ostream                         &out_;
    bool                                  quiet_;
    unsigned int                          total_, done_, failed_, done_before_;
    std::chrono::steady_clock::time_point start_;
  };
} // namespace otj
