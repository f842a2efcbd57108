// Dynamic distribution of sweep cases over MPI ranks (see case_scheduler.h).
#include "sweep/case_scheduler.h"

#include <chrono>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

namespace otj
{
  namespace
  {
    constexpr int tag_request = 7101; ///< worker -> 0: "" (first request) or "<id>\n<record>"
    constexpr int tag_assign  = 7102; ///< 0 -> worker: case id, or -1 = no more cases

    void pause() { std::this_thread::sleep_for(std::chrono::milliseconds(2)); }

    /// The cases still to hand out, shared by rank 0's two threads.
    class Dispenser
    {
    public:
      explicit Dispenser(const std::vector<unsigned int> &todo)
        : todo_(todo)
      {}
      std::optional<unsigned int> take()
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopped_ || next_ >= todo_.size())
          return std::nullopt;
        return todo_[next_++];
      }
      void stop()
      {
        std::lock_guard<std::mutex> lock(mutex_);
        stopped_ = true;
      }

    private:
      const std::vector<unsigned int> &todo_;
      std::size_t                      next_    = 0;
      bool                             stopped_ = false;
      std::mutex                       mutex_;
    };

    /// Records finished by rank 0's working thread, waiting for the main thread.
    struct LocalResults
    {
      std::mutex                                        mutex;
      std::deque<std::pair<unsigned int, std::string>> queue;
      bool                                              finished = false;
      std::exception_ptr                                error;
    };
  } // namespace

  void sleeping_barrier(MPI_Comm comm)
  {
    MPI_Request request;
    MPI_Ibarrier(comm, &request);
    int done = 0;
    while (MPI_Test(&request, &done, MPI_STATUS_IGNORE), !done)
      pause();
  }

  CaseScheduler::CaseScheduler(MPI_Comm comm, const bool coordinator_works, const bool work_uses_mpi)
    : comm_(comm)
  {
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
    int level = MPI_THREAD_SINGLE;
    MPI_Query_thread(&level);
    rank0_works_ =
      size_ == 1 || (coordinator_works && level >= (work_uses_mpi ? MPI_THREAD_MULTIPLE : MPI_THREAD_FUNNELED));
  }

  void CaseScheduler::run(const std::vector<unsigned int> &todo, const Work &work, const Sink &sink) const
  {
    if (size_ == 1)
      {
        for (unsigned int id : todo)
          sink(id, work(id));
        return;
      }
    if (rank_ == 0)
      coordinator(todo, work, sink);
    else
      worker(work);
  }

  void CaseScheduler::worker(const Work &work) const
  {
    std::string message; // the first request carries no record
    while (true)
      {
        MPI_Send(message.data(), static_cast<int>(message.size()), MPI_CHAR, 0, tag_request, comm_);
        int id = -1;
        MPI_Recv(&id, 1, MPI_INT, 0, tag_assign, comm_, MPI_STATUS_IGNORE);
        if (id < 0)
          return;
        message = std::to_string(id) + "\n" + work(static_cast<unsigned int>(id));
      }
  }

  void CaseScheduler::coordinator(const std::vector<unsigned int> &todo, const Work &work, const Sink &sink) const
  {
    Dispenser    cases(todo);
    LocalResults local;
    std::thread  local_worker;
    if (rank0_works_)
      local_worker = std::thread([&] {
        try
          {
            while (const auto id = cases.take())
              {
                std::string record = work(*id);
                std::lock_guard<std::mutex> lock(local.mutex);
                local.queue.emplace_back(*id, std::move(record));
              }
          }
        catch (...)
          {
            std::lock_guard<std::mutex> lock(local.mutex);
            local.error = std::current_exception();
          }
        std::lock_guard<std::mutex> lock(local.mutex);
        local.finished = true;
      });
    else
      local.finished = true;

    try
      {
        int  remote_workers = size_ - 1;
        bool local_done     = !rank0_works_;
        while (remote_workers > 0 || !local_done)
          {
            bool       idle = true;
            int        flag = 0;
            MPI_Status status;
            MPI_Iprobe(MPI_ANY_SOURCE, tag_request, comm_, &flag, &status);
            if (flag)
              {
                idle = false;
                int n = 0;
                MPI_Get_count(&status, MPI_CHAR, &n);
                std::string message(static_cast<std::size_t>(n), '\0');
                MPI_Recv(message.data(), n, MPI_CHAR, status.MPI_SOURCE, tag_request, comm_, MPI_STATUS_IGNORE);
                // answer first: the worker goes on while rank 0 stores the record
                const auto next = cases.take();
                int        id   = next ? static_cast<int>(*next) : -1;
                MPI_Send(&id, 1, MPI_INT, status.MPI_SOURCE, tag_assign, comm_);
                if (!next)
                  --remote_workers;
                if (!message.empty())
                  {
                    const auto eol = message.find('\n');
                    sink(static_cast<unsigned int>(std::stoul(message.substr(0, eol))), message.substr(eol + 1));
                  }
              }
            std::deque<std::pair<unsigned int, std::string>> finished;
            {
              std::lock_guard<std::mutex> lock(local.mutex);
              finished.swap(local.queue);
              local_done = local.finished;
              if (local.error)
                std::rethrow_exception(local.error);
            }
            for (auto &f : finished)
              {
                idle = false;
                sink(f.first, f.second);
              }
            if (idle)
              pause();
          }
      }
    catch (...)
      {
        cases.stop();
        if (local_worker.joinable())
          local_worker.join();
        throw;
      }
    if (local_worker.joinable())
      local_worker.join();
  }
} // namespace otj
