// Bad input (SPEC section 9): the `otj` program answers with a message that
// names the file and the parameter, and a non-zero exit code.
#include "test_helpers.h"

#include <gtest/gtest.h>

#include <filesystem>

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
} // namespace

TEST(BadInput, UnknownParameterIsNamedWithItsFile)
{
  const auto r = run_otj("validate " + input("unknown_parameter.prm"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("unknown_parameter.prm"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Temprature"), std::string::npos) << r.output;
}

TEST(BadInput, NegativeThicknessNamesParameterAndRange)
{
  const auto r = run_otj("validate " + input("negative_thickness.prm"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("Barrier thickness (nm)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("negative_thickness.prm"), std::string::npos) << r.output;
}

TEST(BadInput, MissingMaterialFileIsNamed)
{
  const auto r = run_otj("run " + input("missing_material.prm"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("no_such_material.prm"), std::string::npos) << r.output;
}

TEST(BadInput, MissingRunFileIsNamed)
{
  const auto r = run_otj("run /nonexistent/input.prm");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("/nonexistent/input.prm"), std::string::npos) << r.output;
}

TEST(BadInput, NanIsRejectedInRunAndMaterialFiles)
{
  auto r = run_otj("validate " + input("nan_value.prm"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("Temperature (K)"), std::string::npos) << r.output;
  r = run_otj("validate " + input("nan_in_material.prm"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("Hop distance (nm)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("nan_material.prm"), std::string::npos) << r.output;
}

TEST(BadInput, WaveformWithNegativeDurationIsRejected)
{
  const auto r = run_otj("validate " + input("negative_duration.prm"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("Source waveform"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("negative"), std::string::npos) << r.output;
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

// SPEC 9: non-convergence is reported with the time, the step and the residual.
TEST(BadInput, NonConvergenceIsReportedWithTimeAndResidual)
{
  const auto r = run_otj("run " + input("non_convergence.prm"));
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("t = 0 s"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("residual"), std::string::npos) << r.output;
}

TEST(BadInput, CalibrationWithZeroPriorWidthIsRefused)
{
  const auto r = run_otj("calibrate " + input("calibration_zero_prior_width.prm"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("Prior width"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("calibration_zero_prior_width.prm"), std::string::npos) << r.output;
}

TEST(BadInput, LoopsWithZeroSweepRateIsRefused)
{
  const auto r = run_otj("loops " + input("loops_zero_sweep_rate.prm"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("Sweep rate"), std::string::npos) << r.output;
}

TEST(BadInput, MeritsWithAWordInANumberListIsRefused)
{
  const auto r = run_otj("merits " + input("merits_bad_width_list.prm"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("Pulse widths (s)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("merits_bad_width_list.prm"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists("/tmp/otj-test-merits-bad/merits.json"));
}

TEST(BadInput, ExtractionWithUnsortedVoltagesIsRefused)
{
  const auto r = run_otj("extract " + input("extract_unsorted_voltages.prm"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("Rate voltages (V)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("increasing"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists("/tmp/otj-test-extract-bad/compact_model.json"));
}

TEST(BadInput, ExtractionWithADevelopmentPeriodShorterThanThePulseIsRefused)
{
  std::filesystem::remove_all("/tmp/otj-test-extract-bad");
  const auto r = run_otj("extract " + input("extract_development_short_period.prm"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("Development 2/Period (s)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("extract_development_short_period.prm"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists("/tmp/otj-test-extract-bad/compact_model.json"));
}

TEST(BadInput, ProtocolsWithAPeriodShorterThanThePulseIsRefused)
{
  std::filesystem::remove_all("/tmp/otj-test-protocols-bad");
  const auto r = run_otj("protocols " + input("protocols_bad_frequency.prm"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("Frequencies (Hz)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("protocols_bad_frequency.prm"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists("/tmp/otj-test-protocols-bad/protocols.json"));
}

TEST(BadInput, ProtocolsWithoutACompactModelNamesIt)
{
  const auto r = run_otj("protocols " + input("protocols_missing_model.prm"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("Compact model"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("otj extract"), std::string::npos) << r.output;
}
