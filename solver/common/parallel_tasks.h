// Independent tasks on a few threads: the PDE runs of an extraction or a figure-of-merit
// study, the protocols' runs on the reduced model. Each index is run once, by whichever
// worker takes it next (dynamic distribution: the runs differ in cost by orders of
// magnitude); results go into per-index slots that the caller owns, so the outcome does not
// depend on the number of threads or on the order in which they finish.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

namespace otj
{
  /// Workers for n tasks when `requested` threads are asked for (0: one per core).
  inline unsigned int worker_count(const unsigned int requested, const std::size_t n)
  {
    const unsigned int cores = std::max(1u, std::thread::hardware_concurrency());
    const unsigned int t     = requested == 0 ? cores : requested;
    return static_cast<unsigned int>(std::max<std::size_t>(1, std::min<std::size_t>(t, n)));
  }

  /// task(i, worker) for i = 0 .. n-1 on `workers` threads (worker in [0, workers): an index
  /// into per-worker scratch the caller keeps). With one worker everything runs on the
  /// calling thread, in order. The first exception a task throws stops the others at their
  /// next index and is rethrown here after all have joined.
  inline void for_each_index(const std::size_t n, const unsigned int workers,
                             const std::function<void(std::size_t, unsigned int)> &task)
  {
    if (workers <= 1 || n <= 1)
      {
        for (std::size_t i = 0; i < n; ++i)
          task(i, 0);
        return;
      }
    std::atomic<std::size_t>        next{0};
    std::vector<std::exception_ptr> errors(workers);
    std::vector<std::thread>        pool;
    for (unsigned int w = 0; w < workers; ++w)
      pool.emplace_back([&, w] {
        try
          {
            for (std::size_t i = next++; i < n; i = next++)
              task(i, w);
          }
        catch (...)
          {
            errors[w] = std::current_exception();
            next      = n;
          }
      });
    for (auto &t : pool)
      t.join();
    for (const auto &e : errors)
      if (e)
        std::rethrow_exception(e);
  }
} // namespace otj
