// `otj sweep FILE.prm`: a batch of independent 1D device cases (the
// cartesian product of the sweep file's lists), spread over MPI ranks with
// dynamic load balance (case_scheduler.h), one result file per case
// (case_store.h), progress on rank 0 (sweep_progress.h) and, when every case
// has a record, one merged table (sweep_table.h). A failed case is recorded
// with its message and the others go on. Running the same command again
// resumes: cases with a valid record are skipped.
#pragma once

#include "sweep/sweep_parameters.h"

#include <mpi.h>

#include <string>

namespace otj
{
  struct SweepOptions
  {
    unsigned int stop_after   = 0;     ///< > 0: hand out at most this many cases in this run, then stop
    bool         retry_failed = false; ///< run again the cases whose stored record failed
    bool         quiet        = false; ///< no progress output
  };

  class Sweep
  {
  public:
    Sweep(const SweepParameters &parameters, const SweepOptions &options);

    /// Runs the sweep on all ranks of `comm` (collective). Returns the exit
    /// code on every rank: 0 all cases done and succeeded (or stopped early by
    /// --stop-after), 1 the sweep is complete but some cases failed (they are
    /// in the table with status "failed" and listed on standard error).
    int run(MPI_Comm comm) const;

  private:
    SweepParameters p_;
    SweepOptions    options_;
  };
} // namespace otj
