// The `sweep` subcommand of the otj program: its command-line options and
// help text, MPI start-up (if the program has not started MPI itself) and the
// error reporting of a parallel run (one message, from the lowest rank that
// failed; exit code 2 for bad input on every rank).
#pragma once

#include "sweep/sweep.h"

#include <string>

namespace CLI
{
  class App;
}

namespace otj
{
  class SweepCommand
  {
  public:
    /// Adds the subcommand `sweep` to the program's command line.
    void add_to(CLI::App &app);
    /// Whether the command line chose `sweep`.
    bool selected() const;
    /// Runs it; returns the exit code (0 success, 1 some cases failed or
    /// another error, 2 bad input).
    int run() const;

  private:
    CLI::App    *command_ = nullptr;
    std::string  file_, output_;
    SweepOptions options_;
    bool         print_parameters_ = false;
  };
} // namespace otj
