// The electrostatic potential along the normal line below each Pt face of a
// distributed 2D mesh whose vertices do not form columns (the gmsh meshes of
// meshes/: the C-AFM tip contact, the electrode edge), for the per-face
// Tsu-Esaki current (parallel/electrode_current.h, SPEC section 3). The Pt
// contact of these meshes is the flat film surface (y = 0, y the depth), so
// the inward normal of every Pt face is +y and its line is the vertical line
// through the face's midpoint.
//
// Each line is sampled at a common list of depths (the distinct vertex
// depths of the mesh: the layered meshes resolve the interfaces and the
// depletion region in depth); a line ends at its first sample outside the
// mesh. The samples of all ranks' faces are located once, in the cells
// owned by each rank (the Q1 map inverted per cell, deal.II
// Mapping::transform_real_to_unit_cell); an evaluation interpolates the Q1
// potential at the samples found locally (with ghost values) and sums over
// the ranks (one MPI_Allreduce of the sample values; a sample on a cell
// boundary is found by several cells and averaged).
#pragma once

#include "parallel/distributed_drift_diffusion_system.h"

#include <array>
#include <vector>

namespace otj
{
  class NormalLineSampler
  {
  public:
    /// depth: sample depths below the contact (m, increasing, first 0).
    /// Collective. Throws if a Pt face is not at depth 0 (the normal is not
    /// the y direction) or if a line has fewer than two samples in the mesh.
    NormalLineSampler(const DistributedDriftDiffusionSystem<2> &system, std::vector<double> depth);

    /// phi[f][j]: the potential of u at sample j (depth()[j]) below owned Pt
    /// face f (order of system.owned_top_faces()), j < n_samples(f). Collective.
    void evaluate(const DistributedVector &u, std::vector<std::vector<double>> &phi) const;

    const std::vector<double> &depth() const { return depth_; }
    unsigned int               n_samples(unsigned int face) const { return n_samples_[face]; }

    /// The distinct vertex depths of the system's mesh (collective), merged within tol (m).
    static std::vector<double> mesh_depths(const DistributedDriftDiffusionSystem<2> &system, double tol);

  private:
    struct LocalSample
    {
      unsigned int                                   point; ///< global sample index
      std::array<dealii::types::global_dof_index, 4> dofs;  ///< potential dofs of the cell
      std::array<double, 4>                          weights;
    };

    const DistributedDriftDiffusionSystem<2> &system_;
    std::vector<double>                       depth_;
    unsigned int                              n_points_ = 0, my_offset_ = 0; ///< all samples; my first
    std::vector<LocalSample>                  local_;
    std::vector<double>                       inverse_count_; ///< 1 / (cells that found each sample)
    std::vector<unsigned int>                 n_samples_;     ///< per owned face
    mutable DistributedVector                 ghosted_;
    mutable std::vector<double>               sum_;
  };
} // namespace otj
