// Spreads the cases of a sweep over the ranks of an MPI communicator with
// dynamic load balance: rank 0 holds the list of cases still to run and hands
// out one case number per request (MPI_Send / MPI_Recv); a worker rank asks
// for its first case, and with each later request sends the record of the case
// it has just finished, so fast ranks simply run more cases.
//
// Rank 0's role:
//   - one rank: it runs every case itself, in order;
//   - several ranks, `coordinator_works` (default) and an MPI library that
//     gives at least MPI_THREAD_FUNNELED: rank 0's main thread coordinates
//     (polls for requests, stores records, prints progress) and a second thread
//     on rank 0 runs cases taken from the same list; only the main thread calls
//     MPI. The case computation makes no MPI call.
//   - otherwise: rank 0 only coordinates (for many ranks, where one rank less
//     for the cases hardly matters).
// Records reach rank 0 whichever rank ran the case, so rank 0 alone writes the
// result files (no shared file system needed between the ranks' nodes).
#pragma once

#include <mpi.h>

#include <functional>
#include <string>
#include <vector>

namespace otj
{
  class CaseScheduler
  {
  public:
    /// Runs case `id`, returns its record serialised; must not throw.
    using Work = std::function<std::string(unsigned int id)>;
    /// Rank 0, main thread: a finished case (in completion order).
    using Sink = std::function<void(unsigned int id, const std::string &record)>;

    /// work_uses_mpi: the cases call MPI themselves (2D cases: PETSc on
    /// MPI_COMM_SELF), so rank 0 works in its second thread only if MPI
    /// provides MPI_THREAD_MULTIPLE.
    CaseScheduler(MPI_Comm comm, bool coordinator_works, bool work_uses_mpi = false);

    /// Runs the cases `todo` (significant on rank 0 only) on all ranks of the
    /// communicator; returns on every rank when all cases are done. Collective.
    void run(const std::vector<unsigned int> &todo, const Work &work, const Sink &sink) const;

    /// Whether rank 0 runs cases (always with one rank).
    bool rank0_works() const { return rank0_works_; }
    /// Ranks that run cases.
    int working_ranks() const { return size_ - 1 + (rank0_works_ ? 1 : 0); }

  private:
    void worker(const Work &work) const;
    void coordinator(const std::vector<unsigned int> &todo, const Work &work, const Sink &sink) const;

    MPI_Comm comm_;
    int      rank_ = 0, size_ = 1;
    bool     rank0_works_ = true;
  };

  /// A barrier that sleeps while it waits (MPI's blocking calls spin, which
  /// would take a core from the ranks still computing).
  void sleeping_barrier(MPI_Comm comm);
} // namespace otj
