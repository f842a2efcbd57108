// The sweep driver (see sweep.h).
#include "sweep/sweep.h"
#include "common/version.h"

#include "sweep/case_runner.h"
#include "sweep/case_scheduler.h"
#include "sweep/case_store.h"
#include "sweep/sweep_cases.h"
#include "sweep/sweep_progress.h"
#include "sweep/sweep_table.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>

namespace otj
{
  using nlohmann::json;

  Sweep::Sweep(const SweepParameters &parameters, const SweepOptions &options)
    : p_(parameters)
    , options_(options)
  {}

  int Sweep::run(MPI_Comm comm) const
  {
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    const auto          cases       = enumerate_cases(p_.lists);
    const std::string   fingerprint = sweep_fingerprint(p_);
    const CaseStore     store(p_.output_directory);
    const CaseScheduler scheduler(comm, p_.coordinator_works, p_.device.geometry.dimension == 2);

    // rank 0: which cases have a valid record from an earlier run
    std::vector<std::optional<json>> records(cases.size());
    std::vector<unsigned int>        todo;
    unsigned int                     done_before = 0, failed_before = 0;
    if (rank == 0)
      {
        const unsigned int removed = store.remove_temporaries();
        for (const auto &c : cases)
          {
            auto r = store.load(c, fingerprint);
            if (r && !(options_.retry_failed && r->at("status") == "failed"))
              {
                ++done_before;
                failed_before += r->at("status") == "failed" ? 1 : 0;
                records[c.id] = std::move(r);
              }
            else
              todo.push_back(c.id);
          }
        if (options_.stop_after > 0 && todo.size() > options_.stop_after)
          todo.resize(options_.stop_after);
        if (!options_.quiet)
          {
            std::cout << "otj sweep " << p_.file << ": " << cases.size() << " cases (" << p_.lists.temperatures.size()
                      << " temperatures x " << p_.lists.material_factors.size() << " material factors x "
                      << p_.lists.seeds.size() << " seeds x " << p_.lists.amplitudes.size() << " amplitudes x "
                      << p_.lists.widths.size() << " widths)\n"
                      << "  " << done_before << " with results from an earlier run";
            if (failed_before > 0)
              std::cout << " (" << failed_before << " failed)";
            if (removed > 0)
              std::cout << ", " << removed << " unfinished result file(s) removed";
            std::cout << "; running " << todo.size() << " on " << size << " rank(s)";
            if (size > 1)
              std::cout << (scheduler.rank0_works() ? " (rank 0 hands out cases and runs cases)"
                                                    : " (rank 0 only hands out cases)");
            std::cout << "\n  results: " << (std::filesystem::path(p_.output_directory) / "cases").string()
                      << "/case_NNNNNN.json, merged into sweep.csv and sweep.json" << std::endl;
          }
      }

    SweepProgress progress(std::cout, options_.quiet || rank != 0, cases.size(), done_before, failed_before);
    CaseRunner    runner(p_, fingerprint, rank);
    try
      {
        scheduler.run(
          todo, [&](unsigned int id) { return runner.run(cases[id]).dump(); },
          [&](unsigned int id, const std::string &text) {
            json r = json::parse(text);
            store.write(r);
            progress.finished(cases[id], r);
            records[id] = std::move(r);
          });
      }
    catch (const std::exception &e)
      {
        // the other ranks wait for rank 0: do not leave them hanging
        std::cerr << "otj: error: sweep stopped on rank " << rank << ": " << e.what() << std::endl;
        if (size > 1)
          MPI_Abort(comm, 1);
        throw;
      }

    int code = 0;
    if (rank == 0)
      {
        const auto missing = std::count(records.begin(), records.end(), std::nullopt);
        if (missing > 0)
          {
            std::cout << "otj sweep: stopped after " << todo.size() << " case(s) (--stop-after); "
                      << cases.size() - missing << " of " << cases.size()
                      << " cases have results. Run the same command again to resume." << std::endl;
          }
        else
          {
            std::vector<json> all;
            json              failed_cases = json::array();
            for (auto &r : records)
              {
                if (r->at("status") == "failed")
                  failed_cases.push_back({{"id", r->at("case").at("id")}, {"message", r->at("message")}});
                all.push_back(*r);
              }
            json summary = {{"format", "otj-sweep/1"},
                            {"version", otj::program_version()},
                            {"sweep_file", p_.file},
                            {"device_file", p_.device_file},
                            {"fingerprint", fingerprint},
                            {"case_order", "temperature, material factor, seed, amplitude, width (fastest)"},
                            {"material_parameter", p_.material.parameter},
                            {"material_layers", p_.material.layers},
                            {"vacancy_density_spread_ln", p_.variation.spread},
                            {"relaxation_s", p_.relaxation},
                            {"read_voltage_V", p_.read_voltage},
                            {"n_cases", cases.size()},
                            {"n_ok", cases.size() - failed_cases.size()},
                            {"n_failed", failed_cases.size()},
                            {"failed_cases", failed_cases},
                            {"this_run", {{"cases_run", todo.size()},
                                          {"cases_from_earlier_runs", done_before},
                                          {"ranks", size},
                                          {"working_ranks", scheduler.working_ranks()},
                                          {"wall_s", progress.elapsed()}}}};
            write_sweep_table(p_.output_directory, all, summary);
            if (!options_.quiet)
              std::cout << "otj sweep: " << cases.size() << " cases, " << cases.size() - failed_cases.size()
                        << " ok, " << failed_cases.size() << " failed; " << todo.size() << " run now on " << size
                        << " rank(s) in " << SweepProgress::clock(progress.elapsed()) << "\n  table: "
                        << (std::filesystem::path(p_.output_directory) / "sweep.csv").string() << ", sweep.json"
                        << std::endl;
            for (const auto &f : failed_cases)
              std::cerr << "otj sweep: case " << f["id"] << " ("
                        << describe(cases[f["id"].get<unsigned int>()]) << ") failed: "
                        << f["message"].get<std::string>() << std::endl;
            code = failed_cases.empty() ? 0 : 1;
          }
      }
    sleeping_barrier(comm);
    MPI_Bcast(&code, 1, MPI_INT, 0, comm);
    return code;
  }
} // namespace otj
