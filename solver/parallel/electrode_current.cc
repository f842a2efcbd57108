// Tsu-Esaki current of the Pt electrode of a 2D run (see electrode_current.h).
#include "parallel/electrode_current.h"

#include "current/line_current.h"

#include <deal.II/base/mpi.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace otj
{
  using namespace dealii;

  namespace
  {
    /// Sorted values with duplicates within tol merged.
    std::vector<double> unique_sorted(std::vector<double> v, const double tol)
    {
      std::sort(v.begin(), v.end());
      std::vector<double> u;
      for (double x : v)
        if (u.empty() || x - u.back() > tol)
          u.push_back(x);
      return u;
    }

    unsigned int find(const std::vector<double> &v, const double x, const double tol)
    {
      const auto it = std::lower_bound(v.begin(), v.end(), x - tol);
      if (it == v.end() || std::abs(*it - x) > tol)
        throw std::runtime_error("ElectrodeCurrent: a vertex is not on the column grid of the layered mesh "
                                 "(the per-face current needs full vertex columns under the Pt contact)");
      return it - v.begin();
    }
  } // namespace

  ElectrodeCurrent::ElectrodeCurrent(const DistributedDriftDiffusionSystem<2> &system)
    : system_(system)
  {
    const MPI_Comm      comm = system.mpi_communicator();
    std::vector<double> mine; // (x, y) of the owned potential dofs
    for (unsigned int k = 0; k < system.n_locally_owned(); ++k)
      if (!system.is_vacancy_local(k))
        {
          owned_local_.push_back(k);
          mine.push_back(system.support_point_local(k)[0]);
          mine.push_back(system.support_point_local(k)[1]);
        }
    const auto          all = Utilities::MPI::all_gather(comm, mine);
    std::vector<double> xs, ys;
    for (const auto &part : all)
      for (std::size_t i = 0; i + 1 < part.size(); i += 2)
        {
          xs.push_back(part[i]);
          ys.push_back(part[i + 1]);
        }
    const double h = system.smallest_cell();
    tolerance_     = 1e-6 * h;
    lateral_       = unique_sorted(xs, 1e-6 * h);
    depth_         = unique_sorted(ys, 1e-6 * h);
    if (xs.size() != lateral_.size() * depth_.size())
      throw std::runtime_error("ElectrodeCurrent: the mesh vertices do not form full columns (" +
                               std::to_string(xs.size()) + " potential nodes, " + std::to_string(lateral_.size()) +
                               " lateral x " + std::to_string(depth_.size()) + " depth positions)");
    if (std::abs(depth_.front()) > 1e-6 * h)
      throw std::runtime_error("ElectrodeCurrent: the columns do not start at the Pt contact (depth 0)");
    destination_.resize(all.size());
    for (std::size_t r = 0; r < all.size(); ++r)
      for (std::size_t i = 0; i + 1 < all[r].size(); i += 2)
        destination_[r].push_back(find(lateral_, all[r][i], 1e-6 * h) * depth_.size() +
                                  find(depth_, all[r][i + 1], 1e-6 * h));
    for (const auto &f : system.owned_top_faces())
      {
        column_of(f.lateral_begin);
        column_of(f.lateral_end);
      }
  }

  unsigned int ElectrodeCurrent::column_of(const double lateral) const
  {
    return find(lateral_, lateral, tolerance_); // local: smallest_cell() is collective
  }

  double ElectrodeCurrent::current(const DistributedVector &u, const double V, const double energy_step) const
  {
    const MPI_Comm      comm = system_.mpi_communicator();
    std::vector<double> mine;
    mine.reserve(owned_local_.size());
    for (const auto k : owned_local_)
      mine.push_back(u.local_element(k));
    const auto          all = Utilities::MPI::all_gather(comm, mine);
    const std::size_t   nd  = depth_.size();
    std::vector<double> phi(lateral_.size() * nd, 0.0);
    for (std::size_t r = 0; r < all.size(); ++r)
      for (std::size_t i = 0; i < all[r].size(); ++i)
        phi[destination_[r][i]] = all[r][i];

    const DeviceModel  &device = system_.device();
    std::vector<double> Ec(nd);
    double              I = 0;
    face_j_.clear();
    for (const auto &f : system_.owned_top_faces())
      {
        // the normal line below the face: its midline, mean of the two vertex columns
        const std::size_t a = column_of(f.lateral_begin) * nd, b = column_of(f.lateral_end) * nd;
        for (std::size_t j = 0; j < nd; ++j)
          Ec[j] = conduction_band_edge(device, depth_[j], 0.5 * (phi[a + j] + phi[b + j]));
        const double J = line_junction_current(device, depth_, Ec, V, energy_step).current_density;
        face_j_.push_back(J);
        I += J * f.measure;
      }
    return Utilities::MPI::sum(I, comm);
  }
} // namespace otj
