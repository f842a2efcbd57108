// The electron (Tsu-Esaki) current of the Pt electrode of a distributed 2D
// run (SPEC section 3): per face of the Pt contact, the band profile along the
// normal line through the film below the face, i.e. the column of cells under
// it in the layered mesh (mesh/device_mesh_2d.h), evaluated on the face's
// midline as the mean of the potentials of the face's two vertex columns;
// the 1D Tsu-Esaki current of that line (current/line_current.h); summed over
// the faces with their measure (planar: per unit depth; axisymmetric: the
// ring areas pi (r_b^2 - r_a^2), i.e. 2 pi r weighted) and over the ranks.
//
// The lateral current between columns is neglected (tunnelling along the
// local normal), which is the standard local-1D treatment of tunnelling in
// multi-dimensional device simulation (e.g. Ieong et al., IEDM 1998,
// "Comparison of raised and Schottky source/drain MOSFETs using a novel
// tunneling contact model").
//
// Data flow: the potentials of all vertex columns are gathered on every rank
// (all-gather of the locally owned potential values per evaluation, O(number
// of potential dofs) doubles); each rank evaluates the faces of its own cells.
// This needs a mesh whose vertices form full columns (same depth nodes under
// every lateral vertex: the generated slabs, mesh/device_mesh_2d.h). Other
// meshes (gmsh: C-AFM tip, electrode edge) use the general path: the
// potential interpolated at the distinct vertex depths along the vertical
// line through each face's midpoint (parallel/normal_line_sampler.h). On a
// column mesh both give the same band profile (Q1 interpolation at an edge
// midpoint is the mean of its two vertices; tested).
#pragma once

#include "current/tsu_esaki_current.h"
#include "parallel/distributed_drift_diffusion_system.h"
#include "parallel/normal_line_sampler.h"

#include <memory>

#include <vector>

namespace otj
{
  class ElectrodeCurrent
  {
  public:
    enum class Lines
    {
      automatic, ///< vertex columns if the mesh has them, else sampled lines
      sampled    ///< always the sampled normal lines
    };
    explicit ElectrodeCurrent(const DistributedDriftDiffusionSystem<2> &system, Lines lines = Lines::automatic);

    /// True if the current uses the sampled normal lines (not vertex columns).
    bool sampled() const { return sampler_ != nullptr; }

    /// Tsu-Esaki current (collective) of state u at junction voltage V:
    /// A per unit depth (planar) or A (axisymmetric), positive from the Pt
    /// into the substrate. energy_step as in line_junction_current.
    double current(const DistributedVector &u, double V, double energy_step = 0) const;

    /// Current density (A/m^2) of each owned Pt face, in the order of
    /// system.owned_top_faces(), from the last call of current().
    const std::vector<double> &face_current_densities() const { return face_j_; }

    /// Vertex columns of a column mesh; lines (Pt faces, all ranks) of a sampled one.
    unsigned int n_columns() const { return n_lines_; }

  private:
    unsigned int column_of(double lateral) const;
    /// Sets up the column path; false (nothing set) if the mesh has no full columns.
    bool make_columns();

    const DistributedDriftDiffusionSystem<2> &system_;
    double                    tolerance_ = 0; ///< position matching tolerance (m)
    std::vector<double>       lateral_; ///< x (or r) of each column, increasing
    std::vector<double>       depth_;   ///< depth nodes of every column, increasing
    std::vector<unsigned int> owned_local_; ///< local indices of the owned potential dofs
    /// per rank, per owned potential dof in gather order: column * n_depth + depth index
    std::vector<std::vector<unsigned int>> destination_;
    mutable std::vector<double> face_j_;
    std::unique_ptr<NormalLineSampler>            sampler_;
    mutable std::vector<std::vector<double>>      sampled_phi_;
    unsigned int                                  n_lines_ = 0;
  };
} // namespace otj
