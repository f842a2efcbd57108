// Parallel output of a distributed state for ParaView: every rank writes its
// own piece (.vtu) of a snapshot, rank 0 the .pvtu record that joins them
// (DataOut::write_vtu_with_pvtu_record, deal.II step-40) and the .pvd time
// series. Fields: those of output/derived_fields.h plus the cell data
// material_id and mpi_rank (the owner of each cell).
#pragma once

#include "output/pvd_record.h"
#include "parallel/distributed_drift_diffusion_system.h"

#include <memory>
#include <string>

namespace otj
{
  template <int dim>
  class DistributedSolutionWriter
  {
  public:
    /// Snapshots go to <directory>/vtu/<basename>_NNNNN.pvtu with one piece
    /// <basename>_NNNNN.<rank>.vtu per rank, the record to <directory>/<basename>.pvd.
    DistributedSolutionWriter(const DistributedDriftDiffusionSystem<dim> &system, std::string directory,
                              std::string basename = "solution");

    /// Writes one snapshot (collective) and adds it to the .pvd record.
    /// Returns the .pvtu path relative to the directory.
    std::string write(const DistributedVector &u, double time, double applied_voltage);

  private:
    const DistributedDriftDiffusionSystem<dim> &system_;
    std::string                                 directory_, basename_;
    unsigned int                                cycle_ = 0;
    std::unique_ptr<PvdRecord>                  pvd_;
  };
} // namespace otj
