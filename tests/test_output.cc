// Output tests: a VTU written by the solver and read back with VTK gives the
// same field values; CSV profiles and the PVD record are complete.
#include "output/pvd_record.h"
#include "output/solution_writer.h"
#include "simulation/transient_simulation.h"
#include "test_helpers.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#ifdef OTJ_HAVE_VTK
#  include <vtkDataArray.h>
#  include <vtkPointData.h>
#  include <vtkSmartPointer.h>
#  include <vtkUnstructuredGrid.h>
#  include <vtkXMLUnstructuredGridReader.h>
#endif

using namespace otj;

TEST(Output, VtuReadBackWithVtkGivesTheSameFields)
{
#ifndef OTJ_HAVE_VTK
  GTEST_SKIP() << "VTK not found at configure time";
#else
  auto p = test_support::paper_parameters();
  TransientSimulation sim(p, true);
  sim.solve_initial_state();
  SolutionWriter<1> writer(sim.system());
  const std::string dir = "/tmp/otj-test-output";
  std::filesystem::remove_all(dir);
  writer.write_vtu(sim.state(), 1.5e-3, 7, dir + "/s.vtu");
  ASSERT_TRUE(std::filesystem::exists(dir + "/s.vtu"));

  auto reader = vtkSmartPointer<vtkXMLUnstructuredGridReader>::New();
  reader->SetFileName((dir + "/s.vtu").c_str());
  reader->Update();
  vtkUnstructuredGrid *grid = reader->GetOutput();
  ASSERT_GT(grid->GetNumberOfPoints(), 0);
  vtkDataArray *c   = grid->GetPointData()->GetArray("vacancy_density_m3");
  vtkDataArray *phi = grid->GetPointData()->GetArray("potential_V");
  vtkDataArray *n   = grid->GetPointData()->GetArray("electron_density_m3");
  ASSERT_NE(c, nullptr);
  ASSERT_NE(phi, nullptr);
  ASSERT_NE(n, nullptr);
  std::map<double, typename DriftDiffusionSystem<1>::NodalValues> by_x;
  for (const auto &v : sim.system().nodal_values(sim.state()))
    by_x[v.x[0]] = v;
  unsigned int checked = 0;
  for (vtkIdType i = 0; i < grid->GetNumberOfPoints(); ++i)
    {
      double x[3];
      grid->GetPoint(i, x);
      auto it = by_x.lower_bound(x[0] - 1e-15);
      ASSERT_NE(it, by_x.end());
      if (std::abs(it->first - x[0]) > 1e-15)
        continue;
      // VTU stores floats: compare to single precision
      EXPECT_NEAR(c->GetTuple1(i) / std::max(it->second.c, 1e10), it->second.c / std::max(it->second.c, 1e10), 1e-6);
      EXPECT_NEAR(phi->GetTuple1(i), it->second.phi, 1e-6 * std::abs(it->second.phi));
      ++checked;
    }
  EXPECT_GT(checked, sim.system().nodal_values(sim.state()).size() / 2);
#endif
}

TEST(Output, RunWritesPvdProfilesTimeseriesAndSummary)
{
  auto p                    = test_support::paper_parameters();
  p.output.directory        = "/tmp/otj-test-run";
  std::filesystem::remove_all(p.output.directory);
  p.experiment.waveform     = PiecewiseLinearWaveform::parse("0 0; 1e-8 1.0; 1e-6 1.0; 1.01e-6 0; 1e-5 0", "test");
  p.experiment.output_times = {5e-7};
  TransientSimulation sim(p, true);
  sim.run();
  // initial + 4 corners + 1 output time
  EXPECT_EQ(sim.snapshots().size(), 6u);
  for (const auto &s : sim.snapshots())
    {
      EXPECT_TRUE(std::filesystem::exists(p.output.directory + "/" + s.vtu)) << s.vtu;
      EXPECT_TRUE(std::filesystem::exists(p.output.directory + "/" + s.profile)) << s.profile;
    }
  std::ifstream pvd(p.output.directory + "/solution.pvd");
  std::string   text((std::istreambuf_iterator<char>(pvd)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("timestep=\"1e-05\""), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(p.output.directory + "/summary.json"));
  EXPECT_TRUE(std::filesystem::exists(p.output.directory + "/timeseries.csv"));
  // no temporary files left behind (atomic writes)
  for (const auto &e : std::filesystem::recursive_directory_iterator(p.output.directory))
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
}
