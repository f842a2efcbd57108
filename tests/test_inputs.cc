// Bad input (SPEC section 9): the `otj` program answers with a message that
// names the file and the parameter, and a non-zero exit code.
#include "test_helpers.h"

#include <array>
#include <gtest/gtest.h>

#include <filesystem>
#include <initializer_list>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace
{
  struct Outcome
  {
    int         code;
    std::string output;
  };

  Outcome run_otj(const std::string &args)
  {
    // one log per call: ctest runs the tests of this file in parallel processes
    char tmpl[] = "/tmp/otj-test-inputs-XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd >= 0)
      close(fd);
    const std::string log = tmpl;
    const std::string cmd = std::string(OTJ_BINARY) + " " + args + " > " + log + " 2>&1";
    const int         st  = std::system(cmd.c_str());
    std::ifstream     in(log);
    std::string       text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::remove(log.c_str());
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, text};
  }

  std::string input(const std::string &name) { return otj::test_support::source_path("tests/inputs/" + name); }

  /// The run was refused as bad input (exit code 2) with a message holding every needle
  /// (the file, the parameter, what was expected).
  void expect_refused(const Outcome &r, std::initializer_list<const char *> needles)
  {
    EXPECT_EQ(r.code, 2) << r.output;
    for (const char *needle : needles)
      EXPECT_NE(r.output.find(needle), std::string::npos) << "missing '" << needle << "' in:\n" << r.output;
  }
} // namespace

TEST(BadInput, UnknownParameterIsNamedWithItsFile)
{
  const auto r = run_otj("validate " + input("unknown_parameter.prm"));
  expect_refused(r, {"unknown_parameter.prm", "Temprature"});
}

TEST(BadInput, NegativeThicknessNamesParameterAndRange)
{
  const auto r = run_otj("validate " + input("negative_thickness.prm"));
  expect_refused(r, {"Barrier thickness (nm)", "negative_thickness.prm"});
}

TEST(BadInput, MissingMaterialFileIsNamed)
{
  const auto r = run_otj("run " + input("missing_material.prm"));
  expect_refused(r, {"no_such_material.prm"});
}

TEST(BadInput, MissingRunFileIsNamed)
{
  const auto r = run_otj("run /nonexistent/input.prm");
  expect_refused(r, {"/nonexistent/input.prm"});
}

TEST(BadInput, NanIsRejectedInRunAndMaterialFiles)
{
  auto r = run_otj("validate " + input("nan_value.prm"));
  expect_refused(r, {"Temperature (K)"});
  r = run_otj("validate " + input("nan_in_material.prm"));
  expect_refused(r, {"Hop distance (nm)", "nan_material.prm"});
}

TEST(BadInput, WaveformWithNegativeDurationIsRejected)
{
  const auto r = run_otj("validate " + input("negative_duration.prm"));
  expect_refused(r, {"Source waveform", "negative"});
}

TEST(BadInput, HelpAndParameterReferenceWork)
{
  auto r = run_otj("run --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.output.find("Parameter file"), std::string::npos);
  r = run_otj("print-parameters");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.output.find("Vacancy boundary conditions"), std::string::npos);
  EXPECT_NE(r.output.find("Barrier thickness (nm) = 2.8   [Double 0...1000"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Material/Hop distance (nm) = 0.276"), std::string::npos); // material files too
  r = run_otj("frobnicate");
  EXPECT_NE(r.code, 0);
}

// SPEC 6: every subcommand's file is documented by the program itself
// (`otj <subcommand> --print-parameters`: entries with defaults, ranges and meaning), and
// without a file (nor the flag) the subcommand refuses with a message instead of running.
TEST(BadInput, EverySubcommandPrintsItsFileEntriesAndNeedsItsFile)
{
  // an entry only that subcommand's file has, and its default (on the entry's line)
  const std::vector<std::array<std::string, 3>> entries{
    {"calibrate", "set HRS resistance (ohm)", "1.8e8"},
    {"loops", "set Sweep rate (V/s)", "10"},
    {"merits", "set Output directory", "results/merits"},
    {"extract", "set Capture law from the pre-fit", "false"},
    {"protocols", "set Compact model", "results/paper_device/compact/compact_model.json"},
    {"sweep", "set Write amplitudes (V)", "1.8"}};
  for (const auto &[command, entry, value] : entries)
    {
      auto r = run_otj(command + " --print-parameters");
      EXPECT_EQ(r.code, 0) << command << ": " << r.output;
      const auto at  = r.output.find(entry + " ");
      const auto eol = at == std::string::npos ? at : r.output.find('\n', at);
      ASSERT_NE(at, std::string::npos) << command << ": no '" << entry << "' in\n" << r.output;
      EXPECT_NE(r.output.substr(at, eol - at).find("= " + value), std::string::npos)
        << command << ": " << r.output.substr(at, eol - at);
      r = run_otj(command);
      expect_refused(r, {"missing the", command.c_str()});
    }
}

// SPEC 9: non-convergence is reported with the time, the step and the residual.
TEST(BadInput, NonConvergenceIsReportedWithTimeAndResidual)
{
  const auto r = run_otj("run " + input("non_convergence.prm"));
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("t = 0 s"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("residual"), std::string::npos) << r.output;
}

// A thermal runaway (Joule heating with an ideal source on a forward edge of the calibrated
// device) stops the run with exit code 4 and a message with time and power, and keeps the record
// up to the stop: the time series with the temperature, and the summary with the reason.
TEST(BadInput, ThermalRunawayStopsWithItsRecordAndExitCode4)
{
  const std::string dir = "/tmp/otj-test-joule-runaway";
  std::filesystem::remove_all(dir);
  const auto r = run_otj("run " + input("joule_heating_runaway.prm"));
  EXPECT_EQ(r.code, 4) << r.output;
  EXPECT_NE(r.output.find("Largest temperature (K)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" W"), std::string::npos) << r.output;
  std::ifstream summary(dir + "/summary.json");
  const std::string s((std::istreambuf_iterator<char>(summary)), std::istreambuf_iterator<char>());
  EXPECT_NE(s.find("\"stopped\""), std::string::npos) << s.substr(0, 300);
  std::ifstream series(dir + "/timeseries.csv");
  std::string   header, line, last;
  std::getline(series, header);
  EXPECT_NE(header.find("temperature_K"), std::string::npos) << header;
  while (std::getline(series, line))
    last = line;
  ASSERT_FALSE(last.empty());
  EXPECT_GT(std::stod(last.substr(last.rfind(',') + 1)), 1000.0) << last;
}

TEST(BadInput, CalibrationWithZeroPriorWidthIsRefused)
{
  const auto r = run_otj("calibrate " + input("calibration_zero_prior_width.prm"));
  expect_refused(r, {"Prior width", "calibration_zero_prior_width.prm"});
}

TEST(BadInput, CalibrationWithAnInvertedRelaxationBandIsRefused)
{
  const auto r = run_otj("calibrate " + input("calibration_relaxation_band_inverted.prm"));
  expect_refused(r, {"calibration_relaxation_band_inverted.prm", "STM relaxation time lower bound (s)",
                     "below 'STM relaxation time upper bound (s)'"});
}

TEST(BadInput, LoopsWithZeroSweepRateIsRefused)
{
  const auto r = run_otj("loops " + input("loops_zero_sweep_rate.prm"));
  expect_refused(r, {"Sweep rate"});
}

TEST(BadInput, LoopsWithOneReadTemperatureIsRefused)
{
  const auto r = run_otj("loops " + input("loops_one_temperature.prm"));
  expect_refused(r, {"Temperature dependence/Temperatures (K)", "loops_one_temperature.prm", "at least two"});
  EXPECT_FALSE(std::filesystem::exists("/tmp/otj-test-loops-one-temperature/loops.json"));
}

TEST(BadInput, JouleHeatingWithoutTheSubstratesThermalPropertiesIsRefused)
{
  const auto r = run_otj("validate " + input("joule_heating_substrate_without_heat.prm"));
  expect_refused(r, {"substrate_without_heat.prm", "Thermal conductivity (W/m/K)",
                     "joule_heating_substrate_without_heat.prm"});
  const auto s = run_otj("validate " + input("joule_heating_pole_without_time_constant.prm"));
  expect_refused(s, {"joule_heating_pole_without_time_constant.prm", "Joule heating/Thermal time constant (s)"});
}

TEST(BadInput, MeritsWithAWordInANumberListIsRefused)
{
  const auto r = run_otj("merits " + input("merits_bad_width_list.prm"));
  expect_refused(r, {"Pulse widths (s)", "merits_bad_width_list.prm"});
  EXPECT_FALSE(std::filesystem::exists("/tmp/otj-test-merits-bad/merits.json"));
}

TEST(BadInput, ExtractionWithUnsortedVoltagesIsRefused)
{
  const auto r = run_otj("extract " + input("extract_unsorted_voltages.prm"));
  expect_refused(r, {"Rate voltages (V)", "increasing"});
  EXPECT_FALSE(std::filesystem::exists("/tmp/otj-test-extract-bad/compact_model.json"));
}

TEST(BadInput, ExtractionWithADevelopmentPeriodShorterThanThePulseIsRefused)
{
  std::filesystem::remove_all("/tmp/otj-test-extract-bad");
  const auto r = run_otj("extract " + input("extract_development_short_period.prm"));
  expect_refused(r, {"Development 2/Period (s)", "extract_development_short_period.prm"});
  EXPECT_FALSE(std::filesystem::exists("/tmp/otj-test-extract-bad/compact_model.json"));
}

TEST(BadInput, ExtractionWithARelaxationBiasOffTheRateGridIsRefused)
{
  std::filesystem::remove_all("/tmp/otj-test-extract-bad");
  const auto r = run_otj("extract " + input("extract_relaxation_bias_off_grid.prm"));
  expect_refused(r, {"Relaxation bias (V)", "Rate voltages (V)", "extract_relaxation_bias_off_grid.prm"});
  EXPECT_FALSE(std::filesystem::exists("/tmp/otj-test-extract-bad/compact_model.json"));
}

TEST(BadInput, ExtractionWithACoarseStretchBeyondTheOxideIsRefused)
{
  std::filesystem::remove_all("/tmp/otj-test-extract-bad");
  const auto r = run_otj("extract " + input("extract_coarse_stretch_outside_oxide.prm"));
  expect_refused(r, {"Reduced model coarse stretch (nm)", "within the oxide", "extract_coarse_stretch_outside_oxide.prm"});
  EXPECT_FALSE(std::filesystem::exists("/tmp/otj-test-extract-bad/compact_model.json"));
}

TEST(BadInput, ProtocolsWithAPeriodShorterThanThePulseIsRefused)
{
  std::filesystem::remove_all("/tmp/otj-test-protocols-bad");
  const auto r = run_otj("protocols " + input("protocols_bad_frequency.prm"));
  expect_refused(r, {"Frequencies (Hz)", "protocols_bad_frequency.prm"});
  EXPECT_FALSE(std::filesystem::exists("/tmp/otj-test-protocols-bad/protocols.json"));
}

TEST(BadInput, StdpInitialStateThatIsNeitherACountNorMidWindowIsRefused)
{
  std::filesystem::remove_all("/tmp/otj-test-protocols-bad-initial");
  auto r = run_otj("protocols " + input("protocols_bad_initial_state.prm"));
  expect_refused(r, {"STDP/Initial set pulses", "halfway", "mid-window", "protocols_bad_initial_state.prm"});
  // the mid-window state needs the LTP/LTD protocol's window
  r = run_otj("protocols " + input("protocols_mid_window_without_ltp.prm"));
  expect_refused(r, {"STDP/Initial set pulses", "LTP LTD/Enabled", "protocols_mid_window_without_ltp.prm"});
  EXPECT_FALSE(std::filesystem::exists("/tmp/otj-test-protocols-bad-initial/protocols.json"));
}

TEST(BadInput, ProtocolsWithoutACompactModelNamesIt)
{
  const auto r = run_otj("protocols " + input("protocols_missing_model.prm"));
  expect_refused(r, {"Compact model", "otj extract"});
}

// A material file must set the entries that define its region (permittivity, electron
// affinity, donor density, vacancy barrier, initial vacancy density): a missing one is not
// silently replaced by a default (before, a substrate without 'Donor density' became an
// insulator and the run went on).
TEST(BadInput, MaterialFileWithoutARequiredEntryIsRefused)
{
  const auto r = run_otj("validate " + input("material_missing_entry.prm"));
  expect_refused(r, {"material_without_donor_density.prm", "Donor density (m^-3)", "required"});
}

TEST(BadInput, FileThatSetsNothingIsRefused)
{
  const auto r = run_otj("validate " + input("empty_run_file.prm"));
  expect_refused(r, {"empty_run_file.prm", "sets no parameter"});
}

TEST(BadInput, CalibrationWithThePriorOutsideItsBoundsIsRefusedBeforeAnyFit)
{
  // its output directory /tmp/otj-test-calibration-refused/a/b is tried (created, probed,
  // removed) before the prior is checked: nothing of it may be left behind
  std::filesystem::remove_all("/tmp/otj-test-calibration-refused");
  const auto r = run_otj("calibrate " + input("calibration_prior_outside_bounds.prm"));
  expect_refused(r, {"calibration_prior_outside_bounds.prm", "Film initial vacancy density/Prior", "within the bounds"});
  EXPECT_FALSE(std::filesystem::exists("/tmp/otj-test-calibration-refused"));
}

TEST(BadInput, OutputTimeAfterTheWaveformIsRefused)
{
  const auto r = run_otj("validate " + input("output_time_after_waveform.prm"));
  expect_refused(r, {"output_time_after_waveform.prm", "Experiment/Output times (s)", "within the source waveform"});
}

TEST(BadInput, OutputDirectoryThatCannotBeCreatedIsRefusedBeforeTheRun)
{
  const auto r = run_otj("run " + input("output_directory_under_a_file.prm"));
  expect_refused(r, {"output_directory_under_a_file.prm", "Output/Directory", "/proc/version", "not a directory"});
  EXPECT_EQ(r.output.find("OTJ run"), std::string::npos) << r.output; // refused before the run started
  // a directory that cannot be created (no permission bits tell it for root: it is tried)
  const auto s = run_otj("sweep " + otj::test_support::source_path("drivers/paper_device/sweep.prm") +
                         " -o /proc/otj-test-sweep-out");
  expect_refused(s, {"-o/--output", "/proc/otj-test-sweep-out", "creating"});
}

// A reduced oxide model whose fields are out of range is refused with the model file and the
// field named (before: "ReducedOxideModel: at least 2 cells", or a convergence failure).
TEST(BadInput, ProtocolsOnAReducedModelWithBadFieldsNameTheField)
{
  const std::string dir = "/tmp/otj-test-protocols-bad-model";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string device = otj::test_support::source_path("drivers/paper_device/writes.prm");
  auto write_case = [&](const std::string &name, const std::string &cells, const std::string &read,
                        const std::string &densities) {
    std::ofstream(dir + "/" + name + ".json")
      << "{\"kind\": \"reduced_oxide_model\", \"device_file\": \"" << device << "\", \"cells\": " << cells
      << ", \"read_voltage_V\": " << read << ", \"pristine_densities_m3\": [" << densities << "]}\n";
    std::ofstream(dir + "/" + name + ".prm") << "subsection Protocols\n  set Compact model = " << dir << "/" << name
                                              << ".json\n  set Output directory = " << dir << "/out\nend\n";
    return run_otj("protocols " + dir + "/" + name + ".prm");
  };
  expect_refused(write_case("one_cell", "1", "0.1", "1e26, 1e26"), {"one_cell.json", "'cells' = 1"});
  expect_refused(write_case("zero_read", "4", "0", "1e26, 1e26"), {"zero_read.json", "'read_voltage_V'"});
  expect_refused(write_case("negative_density", "4", "0.1", "1e26, -1e26"),
                 {"negative_density.json", "'pristine_densities_m3[1]'"});
  EXPECT_FALSE(std::filesystem::exists(dir + "/out")) << "nothing written for refused input";
}

// A rerun into the directory of an earlier run first removes that run's result files, so that
// a failed or killed rerun never leaves old and new snapshots side by side.
TEST(BadInput, RerunRemovesTheEarlierRunsResultFilesFirst)
{
  const std::string dir = "/tmp/otj-test-stale-outputs";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/vtu");
  std::filesystem::create_directories(dir + "/profiles");
  std::ofstream(dir + "/vtu/solution-00099.vtu") << "stale";
  std::ofstream(dir + "/profiles/profile-00099.csv") << "stale";
  std::ofstream(dir + "/summary.json") << "stale";
  std::ofstream(dir + "/notes.txt") << "the user's own file";
  const auto r = run_otj("run " + input("rerun_into_old_outputs.prm"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("removed 3 result files of an earlier run"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir + "/vtu/solution-00099.vtu"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/profiles/profile-00099.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/notes.txt"));
  std::ifstream     in(dir + "/summary.json");
  const std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(s.find("\"wall_time_s\""), std::string::npos) << s.substr(0, 200);
}

// `otj validate` reads every kind of input file the way its subcommand does, without running it:
// run, material and electrode files, and the calibration, loops, merits, extraction, protocols
// and sweep files (before, these gave "There is no such subsection to be entered").
TEST(BadInput, ValidateChecksEveryKindOfInputFile)
{
  for (const char *f : {"drivers/paper_device/merits.prm", "drivers/paper_device/loops.prm",
                        "drivers/paper_device/calibration.prm", "drivers/paper_device/sweep.prm",
                        "materials/calibrated/srtio3_film.prm", "materials/calibrated/pt.prm",
                        // the alternative landscape's inputs stay valid too (a protocols file needs the
                        // extracted model, which a clean clone does not have)
                        "drivers/paper_device/studies/nanosecond_stm/calibration.prm",
                        "drivers/paper_device/studies/nanosecond_stm/writes.prm",
                        "materials/nanosecond_stm/srtio3_film.prm"})
    {
      const auto r = run_otj("validate " + otj::test_support::source_path(f));
      EXPECT_EQ(r.code, 0) << f << ":\n" << r.output;
      EXPECT_NE(r.output.find("valid ("), std::string::npos) << r.output;
    }
  expect_refused(run_otj("validate " + input("merits_bad_width_list.prm")), {"Merits/Threshold/Pulse widths (s)"});
  expect_refused(run_otj("validate " + input("material_without_donor_density.prm")), {"Donor density (m^-3)"});
  expect_refused(run_otj("validate " + input("output_directory_under_a_file.prm")), {"Output/Directory"});
}
