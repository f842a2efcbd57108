// Potential along the normal lines below the Pt faces (see normal_line_sampler.h).
#include "parallel/normal_line_sampler.h"

#include <deal.II/base/geometry_info.h>
#include <deal.II/base/mpi.h>
#include <deal.II/fe/mapping_q1.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace otj
{
  using namespace dealii;

  std::vector<double> NormalLineSampler::mesh_depths(const DistributedDriftDiffusionSystem<2> &system, const double tol)
  {
    std::vector<double> mine;
    for (const auto &cell : system.dof_handler().active_cell_iterators())
      if (cell->is_locally_owned())
        for (const unsigned int v : cell->vertex_indices())
          mine.push_back(cell->vertex(v)[1]);
    std::sort(mine.begin(), mine.end());
    mine.erase(std::unique(mine.begin(), mine.end(), [tol](double a, double b) { return b - a <= tol; }), mine.end());
    std::vector<double> all;
    for (const auto &part : Utilities::MPI::all_gather(system.mpi_communicator(), mine))
      all.insert(all.end(), part.begin(), part.end());
    std::sort(all.begin(), all.end());
    std::vector<double> merged;
    for (const double y : all)
      if (merged.empty() || y - merged.back() > tol)
        merged.push_back(y);
    return merged;
  }

  NormalLineSampler::NormalLineSampler(const DistributedDriftDiffusionSystem<2> &system, std::vector<double> depth)
    : system_(system)
    , depth_(std::move(depth))
  {
    const MPI_Comm comm = system.mpi_communicator();
    const double   h    = system.smallest_cell();
    const double   tol  = 1e-6 * h;
    if (depth_.size() < 2 || std::abs(depth_.front()) > tol)
      throw std::runtime_error("NormalLineSampler: the sample depths must start at the contact (0) and have >= 2 "
                               "entries");
    const std::size_t nd = depth_.size();

    // the midpoints of all ranks' Pt faces
    std::vector<double> mine;
    for (const auto &f : system.owned_top_faces())
      {
        if (std::abs(f.depth) > tol)
          throw std::runtime_error("NormalLineSampler: a Pt contact face is at depth " + std::to_string(f.depth) +
                                   " m; the normal-line current needs the contact on the film surface (y = 0)");
        mine.push_back(0.5 * (f.lateral_begin + f.lateral_end));
      }
    const auto          all = Utilities::MPI::all_gather(comm, mine);
    const unsigned int  me  = Utilities::MPI::this_mpi_process(comm);
    std::vector<double> x; // lateral position of every line, all ranks, rank order
    for (unsigned int r = 0; r < all.size(); ++r)
      {
        if (r == me)
          my_offset_ = x.size() * nd;
        x.insert(x.end(), all[r].begin(), all[r].end());
      }
    n_points_ = x.size() * nd;
    std::vector<unsigned int> order(x.size()); // lines sorted by x
    for (unsigned int i = 0; i < order.size(); ++i)
      order[i] = i;
    std::sort(order.begin(), order.end(), [&x](unsigned a, unsigned b) { return x[a] < x[b]; });
    std::vector<double> xs(order.size());
    for (unsigned int i = 0; i < order.size(); ++i)
      xs[i] = x[order[i]];

    // locate the samples in the owned cells
    const auto                          &fe      = system.dof_handler().get_fe();
    const auto                          &mapping = StaticMappingQ1<2>::mapping;
    std::vector<types::global_dof_index> ldi(fe.n_dofs_per_cell());
    std::vector<double>                  count(n_points_, 0.0);
    for (const auto &cell : system.dof_handler().active_cell_iterators())
      {
        if (!cell->is_locally_owned())
          continue;
        const auto   box = cell->bounding_box();
        const double x0 = box.lower_bound(0) - tol, x1 = box.upper_bound(0) + tol;
        const double y0 = box.lower_bound(1) - tol, y1 = box.upper_bound(1) + tol;
        const auto   lb = std::lower_bound(xs.begin(), xs.end(), x0);
        const auto   ub = std::upper_bound(xs.begin(), xs.end(), x1);
        if (lb == ub)
          continue;
        const auto db = std::lower_bound(depth_.begin(), depth_.end(), y0);
        const auto de = std::upper_bound(depth_.begin(), depth_.end(), y1);
        if (db == de)
          continue;
        cell->get_dof_indices(ldi);
        for (auto it = lb; it != ub; ++it)
          for (auto d = db; d != de; ++d)
            {
              const Point<2> p(*it, *d);
              Point<2>       ref;
              try
                {
                  ref = mapping.transform_real_to_unit_cell(cell, p);
                }
              catch (const typename Mapping<2>::ExcTransformationFailed &)
                {
                  continue;
                }
              if (!GeometryInfo<2>::is_inside_unit_cell(ref, 1e-9))
                continue;
              ref = GeometryInfo<2>::project_to_unit_cell(ref);
              LocalSample s;
              s.point = order[it - xs.begin()] * nd + (d - depth_.begin());
              for (unsigned int v = 0; v < 4; ++v)
                {
                  const unsigned int i =
                    fe.component_to_system_index(DistributedDriftDiffusionSystem<2>::potential_component, v);
                  s.dofs[v]    = ldi[i];
                  s.weights[v] = fe.shape_value(i, ref);
                }
              local_.push_back(s);
              count[s.point] += 1.0;
            }
      }
    MPI_Allreduce(MPI_IN_PLACE, count.data(), n_points_, MPI_DOUBLE, MPI_SUM, comm);
    inverse_count_.resize(n_points_);
    for (unsigned int k = 0; k < n_points_; ++k)
      inverse_count_[k] = count[k] > 0 ? 1.0 / count[k] : 0.0;
    // each owned line ends at its first sample outside the mesh
    for (unsigned int f = 0; f < system.owned_top_faces().size(); ++f)
      {
        unsigned int n = 0;
        while (n < nd && count[my_offset_ + f * nd + n] > 0)
          ++n;
        if (n < 2)
          throw std::runtime_error("NormalLineSampler: the line below the Pt face at x = " +
                                   std::to_string(x[my_offset_ / nd + f]) + " m leaves the mesh at once");
        n_samples_.push_back(n);
      }
    ghosted_.reinit(system.locally_owned_dofs(), system.locally_relevant_dofs(), comm);
    sum_.resize(n_points_);
  }

  void NormalLineSampler::evaluate(const DistributedVector &u, std::vector<std::vector<double>> &phi) const
  {
    ghosted_.zero_out_ghost_values();
    for (unsigned int k = 0; k < system_.n_locally_owned(); ++k)
      ghosted_.local_element(k) = u.local_element(k);
    ghosted_.update_ghost_values();
    std::fill(sum_.begin(), sum_.end(), 0.0);
    for (const auto &s : local_)
      {
        double v = 0;
        for (unsigned int k = 0; k < 4; ++k)
          v += s.weights[k] * ghosted_(s.dofs[k]);
        sum_[s.point] += v;
      }
    MPI_Allreduce(MPI_IN_PLACE, sum_.data(), n_points_, MPI_DOUBLE, MPI_SUM, system_.mpi_communicator());
    const std::size_t nd = depth_.size();
    phi.resize(n_samples_.size());
    for (unsigned int f = 0; f < n_samples_.size(); ++f)
      {
        phi[f].resize(n_samples_[f]);
        for (unsigned int j = 0; j < n_samples_[f]; ++j)
          {
            const unsigned int k = my_offset_ + f * nd + j;
            phi[f][j]            = sum_[k] * inverse_count_[k];
          }
      }
  }
} // namespace otj
