// Progress lines of a sweep (see sweep_progress.h).
#include "sweep/sweep_progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace otj
{
  SweepProgress::SweepProgress(std::ostream &out, const bool quiet, const unsigned int total,
                               const unsigned int done_before, const unsigned int failed_before)
    : out_(out)
    , quiet_(quiet)
    , total_(total)
    , done_(done_before)
    , failed_(failed_before)
    , done_before_(done_before)
    , start_(std::chrono::steady_clock::now())
  {}

  double SweepProgress::elapsed() const
  {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  std::string SweepProgress::clock(const double seconds)
  {
    const long s = std::lround(std::max(0.0, seconds));
    char       buf[32];
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    return buf;
  }

  void SweepProgress::finished(const SweepCase &c, const nlohmann::json &r)
  {
    ++done_;
    const bool ok = r.value("status", "") == "ok";
    if (!ok)
      ++failed_;
    if (quiet_)
      return;
    const double t        = elapsed();
    const double done_now = done_ - done_before_;
    const double eta      = done_ < total_ ? t / done_now * (total_ - done_) : 0.0;
    char         head[160];
    std::snprintf(head, sizeof head, "[%*u/%u] failed %u  elapsed %s  ETA %s  ", int(std::to_string(total_).size()),
                  done_, total_, failed_, clock(t).c_str(), clock(eta).c_str());
    out_ << head << "case " << c.id << " (" << describe(c) << "): ";
    if (ok)
      {
        const auto  &res = r.at("results");
        const auto   it  = res.find("R_read_ohm");
        const double R   = it != res.end() && it->is_number() ? it->get<double>() : std::nan("");
        char         buf[64];
        std::snprintf(buf, sizeof buf, "R_read %.4g ohm", R);
        out_ << buf;
      }
    else
      out_ << "FAILED: " << r.value("message", "");
    char tail[64];
    std::snprintf(tail, sizeof tail, "  [rank %d, %.1f s]", r.value("rank", 0), r.value("wall_s", 0.0));
    out_ << tail << std::endl;
  }
} // namespace otj
