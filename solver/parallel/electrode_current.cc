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

  ElectrodeCurrent::ElectrodeCurrent(const DistributedDriftDiffusionSystem<2> &system, const Lines lines)
    : system_(system)
  {
    if (lines == Lines::automatic && make_columns())
      return;
    const double h = system.smallest_cell();
    sampler_ = std::make_unique<NormalLineSampler>(system, NormalLineSampler::mesh_depths(system, 1e-6 * h));
    n_lines_ = Utilities::MPI::sum(static_cast<unsigned int>(system.owned_top_faces().size()),
                                   system.mpi_communicator());
  }

  bool ElectrodeCurrent::make_columns()
  {
    const auto         &system = system_;
    const MPI_Comm      comm = system.mpi_communicator();
    std::vector<double> mine; // (x, y) of the owned potential dofs
    std::vector<unsigned int> owned_local;
    for (unsigned int k = 0; k < system.n_locally_owned(); ++k)
      if (!system.is_vacancy_local(k))
        {
          owned_local.push_back(k);
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
    const double h   = system.smallest_cell();
    const double tol = 1e-6 * h;
    const auto   lateral = unique_sorted(xs, tol);
    const auto   depth   = unique_sorted(ys, tol);
    // full columns (every rank sees the same gathered points: a collective decision)
    if (xs.size() != lateral.size() * depth.size() || std::abs(depth.front()) > tol)
      return false;
    std::vector<std::vector<unsigned int>> destination(all.size());
    try
      {
        for (std::size_t r = 0; r < all.size(); ++r)
          for (std::size_t i = 0; i + 1 < all[r].size(); i += 2)
            destination[r].push_back(find(lateral, all[r][i], tol) * depth.size() + find(depth, all[r][i + 1], tol));
      }
    catch (const std::runtime_error &)
      {
        return false; // the same on every rank (same gathered data)
      }
    tolerance_   = tol;
    lateral_     = lateral;
    depth_       = depth;
    owned_local_ = owned_local;
    destination_ = destination;
    n_lines_     = lateral_.size();
    for (const auto &f : system.owned_top_faces())
      {
        column_of(f.lateral_begin);
        column_of(f.lateral_end);
      }
    return true;
  }

  unsigned int ElectrodeCurrent::column_of(const double lateral) const
  {
    return find(lateral_, lateral, tolerance_); // local: smallest_cell() is collective
  }

  double ElectrodeCurrent::current(const DistributedVector &u, const double V, const double energy_step) const
  {
    const MPI_Comm      comm = system_.mpi_communicator();
    if (sampler_)
      {
        sampler_->evaluate(u, sampled_phi_);
        const DeviceModel  &device = system_.device();
        const auto         &faces  = system_.owned_top_faces();
        double              I      = 0;
        std::vector<double> depth, Ec;
        face_j_.clear();
        for (unsigned int f = 0; f < faces.size(); ++f)
          {
            const unsigned int n = sampler_->n_samples(f);
            depth.assign(sampler_->depth().begin(), sampler_->depth().begin() + n);
            Ec.resize(n);
            for (unsigned int j = 0; j < n; ++j)
              Ec[j] = conduction_band_edge(device, depth[j], sampled_phi_[f][j]);
            const double J = line_junction_current(device, depth, Ec, V, energy_step).current_density;
            face_j_.push_back(J);
            I += J * faces[f].measure;
          }
        return Utilities::MPI::sum(I, comm);
      }
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
