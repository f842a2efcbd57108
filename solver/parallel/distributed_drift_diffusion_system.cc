// Distributed assembly of the coupled system (see distributed_drift_diffusion_system.h).
#include "parallel/distributed_drift_diffusion_system.h"

#include "physics/constants.h"

#include <deal.II/base/mpi.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/sparsity_tools.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace otj
{
  using namespace dealii;

  template <int dim>
  DistributedDriftDiffusionSystem<dim>::DistributedDriftDiffusionSystem(
    const parallel::DistributedTriangulationBase<dim> &tria, const DeviceModel &device, const double concentration_scale,
    const CoordinateSystem coordinates)
    : comm_(tria.get_communicator())
    , device_(device)
    , coordinates_(coordinates)
    , fe_(FE_Q<dim>(1), 2)
    , dof_handler_(tria)
    , c_scale_(concentration_scale)
  {
    setup();
  }

  template <int dim>
  void DistributedDriftDiffusionSystem<dim>::reinit_vector(DistributedVector &v) const
  {
    v.reinit(owned_, comm_);
  }

  template <int dim>
  void DistributedDriftDiffusionSystem<dim>::reinit_matrix(PETScWrappers::MPI::SparseMatrix &J) const
  {
    DynamicSparsityPattern dsp(relevant_);
    DoFTools::make_sparsity_pattern(dof_handler_, dsp);
    SparsityTools::distribute_sparsity_pattern(dsp, owned_, comm_, relevant_);
    J.reinit(owned_, owned_, dsp, comm_);
  }

  template <int dim>
  void DistributedDriftDiffusionSystem<dim>::setup()
  {
    dof_handler_.distribute_dofs(fe_);
    owned_ = dof_handler_.locally_owned_dofs();
    DoFTools::extract_locally_relevant_dofs(dof_handler_, relevant_);
    for (auto *v : {&node_volume_, &node_site_energy_, &node_activation_, &ghosted_u_, &ghosted_history_,
                    &ghosted_frozen_, &ghosted_residual_})
      v->reinit(owned_, relevant_, comm_);
    const unsigned int n_owned = owned_.n_elements();
    owned_component_.assign(n_owned, 0);
    owned_points_.assign(n_owned, Point<dim>());

    FE_Q<dim>      scalar(1);
    QGauss<dim>    quad(2);
    FEValues<dim>  fev(scalar, quad, update_values | update_gradients | update_JxW_values | update_quadrature_points);
    QMidpoint<dim> mid;
    FEValues<dim>  fmid(scalar, mid, update_gradients);
    std::vector<types::global_dof_index> ldi(fe_.dofs_per_cell);
    DistributedVector site_energy_sum, inverse_site_limit;
    site_energy_sum.reinit(owned_, relevant_, comm_);
    inverse_site_limit.reinit(owned_, relevant_, comm_); // max of 1/c_max = 1/(min c_max); 0: no limit
    cells_.clear();
    for (const auto &cell : dof_handler_.active_cell_iterators())
      {
        if (!cell->is_locally_owned() && !cell->is_ghost())
          continue;
        cell->get_dof_indices(ldi);
        std::array<types::global_dof_index, nv> phi_dof, c_dof;
        for (unsigned int v = 0; v < nv; ++v)
          {
            phi_dof[v] = ldi[fe_.component_to_system_index(potential_component, v)];
            c_dof[v]   = ldi[fe_.component_to_system_index(vacancy_component, v)];
            for (const auto g : {phi_dof[v], c_dof[v]})
              if (owned_.is_element(g))
                {
                  const auto k        = owned_.index_within_set(g);
                  owned_component_[k] = (g == c_dof[v]) ? vacancy_component : potential_component;
                  owned_points_[k]    = cell->vertex(v);
                }
          }
        // contact vertices owned here (ghost cells see every boundary vertex of an owned dof)
        for (unsigned int f = 0; f < GeometryInfo<dim>::faces_per_cell; ++f)
          if (cell->face(f)->at_boundary())
            {
              const auto b = cell->face(f)->boundary_id();
              if (b != ids::top_contact && b != ids::back_contact)
                continue;
              if (b == ids::top_contact && cell->is_locally_owned())
                {
                  // the Pt faces of owned cells: their lateral extent and measure
                  ContactFace cf;
                  cf.lateral_begin = cell->face(f)->vertex(0)[0];
                  cf.lateral_end   = cell->face(f)->vertex(GeometryInfo<dim>::vertices_per_face - 1)[0];
                  if (cf.lateral_begin > cf.lateral_end)
                    std::swap(cf.lateral_begin, cf.lateral_end);
                  // planar: the face length (per unit depth); axisymmetric: the
                  // ring area pi (r_b^2 - r_a^2) = int 2 pi r dr (exact)
                  cf.measure = coordinates_ == CoordinateSystem::axisymmetric
                                 ? M_PI * (cf.lateral_end * cf.lateral_end - cf.lateral_begin * cf.lateral_begin)
                                 : cell->face(f)->measure();
                  cf.depth = cell->face(f)->center()[dim - 1];
                  top_faces_.push_back(cf);
                }
              for (unsigned int fv = 0; fv < GeometryInfo<dim>::vertices_per_face; ++fv)
                {
                  const unsigned int v = GeometryInfo<dim>::face_to_cell_vertices(f, fv);
                  if (owned_.is_element(phi_dof[v]))
                    (b == ids::top_contact ? owned_top_phi_ : owned_bottom_phi_).push_back(phi_dof[v]);
                  if (owned_.is_element(c_dof[v]))
                    (b == ids::top_contact ? owned_top_c_ : owned_bottom_c_).push_back(c_dof[v]);
                }
            }
        if (!cell->is_locally_owned())
          continue;
        CellCache cc;
        cc.phi_dof  = phi_dof;
        cc.c_dof    = c_dof;
        cc.material = cell->material_id();
        const typename Triangulation<dim>::cell_iterator tcell(cell);
        fev.reinit(tcell);
        fmid.reinit(tcell);
        for (unsigned int v = 0; v < nv; ++v)
          {
            cc.x[v]           = cell->vertex(v);
            cc.grad_center[v] = fmid.shape_grad(v, 0);
          }
        integrate_cell_geometry(fev, coordinates_, cc.vol.data(), cc.K.data());
        cc.top_vertices = 0;
        for (unsigned int f = 0; f < GeometryInfo<dim>::faces_per_cell; ++f)
          if (cell->face(f)->at_boundary() && cell->face(f)->boundary_id() == ids::top_contact)
            for (unsigned int fv = 0; fv < GeometryInfo<dim>::vertices_per_face; ++fv)
              cc.top_vertices |= 1u << GeometryInfo<dim>::face_to_cell_vertices(f, fv);
        const Material &m = device_.material(cc.material);
        for (unsigned int v = 0; v < nv; ++v)
          {
            node_volume_(cc.phi_dof[v]) += cc.vol[v];
            node_volume_(cc.c_dof[v]) += cc.vol[v];
            // the vacancy landscape is a function of depth, ramped over one hop distance
            // at material boundaries (DeviceModel::vacancy_site_energy_at); nodes shared
            // by several cells get the same value from each (max and volume average agree)
            const double depth = cc.x[v][dim - 1];
            site_energy_sum(cc.c_dof[v]) += cc.vol[v] * device_.vacancy_site_energy_at(depth);
            node_activation_(cc.c_dof[v]) = std::max(node_activation_(cc.c_dof[v]), device_.vacancy_activation_at(depth));
            if (std::isfinite(m.max_vacancy_density) && m.max_vacancy_density > 0)
              inverse_site_limit(cc.c_dof[v]) =
                std::max(inverse_site_limit(cc.c_dof[v]), c_scale_ / m.max_vacancy_density);
          }
        cells_.push_back(cc);
      }
    for (auto *v : {&owned_top_phi_, &owned_top_c_, &owned_bottom_phi_, &owned_bottom_c_})
      {
        std::sort(v->begin(), v->end());
        v->erase(std::unique(v->begin(), v->end()), v->end());
      }
    node_volume_.compress(VectorOperation::add);
    site_energy_sum.compress(VectorOperation::add);
    node_activation_.compress(VectorOperation::max);
    inverse_site_limit.compress(VectorOperation::max);
    owned_site_limit_.assign(n_owned, std::numeric_limits<double>::infinity());
    for (unsigned int k = 0; k < n_owned; ++k)
      {
        const double inv = inverse_site_limit.local_element(k);
        if (owned_component_[k] == vacancy_component && inv > 0)
          owned_site_limit_[k] = 1.0 / inv;
        const double vol = node_volume_.local_element(k);
        node_site_energy_.local_element(k) =
          (owned_component_[k] == vacancy_component && vol > 0) ? site_energy_sum.local_element(k) / vol : 0.0;
      }
    node_volume_.update_ghost_values();
    node_site_energy_.update_ghost_values();
    node_activation_.update_ghost_values();
  }

  template <int dim>
  std::vector<std::pair<types::global_dof_index, double>>
  DistributedDriftDiffusionSystem<dim>::owned_dirichlet_values(const double V) const
  {
    std::vector<std::pair<types::global_dof_index, double>> d;
    const double phi_top = device_.top_contact_potential(V);
    const double phi_bot = device_.back_contact_potential();
    for (auto i : owned_top_phi_)
      d.emplace_back(i, phi_top);
    for (auto i : owned_bottom_phi_)
      d.emplace_back(i, phi_bot);
    if (device_.top_vacancy_boundary == VacancyBoundary::reservoir)
      for (auto i : owned_top_c_)
        d.emplace_back(i, device_.top_reservoir_density / c_scale_);
    if (device_.bottom_vacancy_boundary == VacancyBoundary::reservoir)
      for (auto i : owned_bottom_c_)
        d.emplace_back(i, device_.bottom_reservoir_density / c_scale_);
    return d;
  }

  template <int dim>
  void DistributedDriftDiffusionSystem<dim>::initial_state(DistributedVector &u, const double V) const
  {
    reinit_vector(u);
    const double phi_top = device_.top_contact_potential(V);
    const double phi_bot = device_.back_contact_potential();
    double       barrier_end = 0;
    for (const auto &l : device_.layers)
      {
        barrier_end += l.thickness;
        if (l.id == ids::barrier)
          break;
      }
    // vacancies: volume-weighted average of the adjacent cells' initial densities
    DistributedVector num, wsum;
    num.reinit(owned_, relevant_, comm_);
    wsum.reinit(owned_, relevant_, comm_);
    for (const auto &cc : cells_)
      {
        const Material &m = device_.material(cc.material);
        for (unsigned int v = 0; v < nv; ++v)
          {
            num(cc.c_dof[v]) += cc.vol[v] * m.initial_vacancy_density / c_scale_;
            wsum(cc.c_dof[v]) += cc.vol[v];
          }
      }
    num.compress(VectorOperation::add);
    wsum.compress(VectorOperation::add);
    for (unsigned int k = 0; k < n_locally_owned(); ++k)
      if (owned_component_[k] == vacancy_component)
        u.local_element(k) = wsum.local_element(k) > 0 ? num.local_element(k) / wsum.local_element(k) : 0.0;
      else
        {
          const double s     = std::min(1.0, owned_points_[k][dim - 1] / barrier_end);
          u.local_element(k) = phi_top + (phi_bot - phi_top) * s;
        }
    for (const auto &[i, g] : owned_dirichlet_values(V))
      u(i) = g;
  }

  template <int dim>
  void DistributedDriftDiffusionSystem<dim>::assemble(const DistributedVector &u, const double V,
                                                      const DistributedTimeTerm &tt, DistributedVector &R,
                                                      PETScWrappers::MPI::SparseMatrix *J) const
  {
    const double       q       = constants::elementary_charge;
    const unsigned int n_owned = n_locally_owned();
    auto               import  = [&](const DistributedVector *src, DistributedVector &dst) {
      if (!src)
        return;
      for (unsigned int k = 0; k < n_owned; ++k)
        dst.local_element(k) = src->local_element(k);
      dst.update_ghost_values();
    };
    import(&u, ghosted_u_);
    import(tt.history, ghosted_history_);
    import(tt.frozen_vacancies ? tt.frozen_state : nullptr, ghosted_frozen_);
    ghosted_residual_ = 0;
    if (J)
      *J = 0;

    const auto dirichlet = owned_dirichlet_values(V);
    const double rate = (tt.frozen_vacancies || tt.stationary) ? 1.0 : std::max(tt.a0, 1.0);
    const CellPhysics<dim> cell_physics(device_, c_scale_, sources_);
    StepTerms              step;
    step.stationary       = tt.stationary;
    step.frozen_vacancies = tt.frozen_vacancies;
    step.a0               = tt.a0;
    CellState<dim>          st;
    ExtendedSum             lr[2 * nv];
    double                  lj[2 * nv][2 * nv];
    types::global_dof_index ld[2 * nv];
    double                  row[2 * nv];
    for (const auto &cc : cells_)
      {
        for (unsigned int v = 0; v < nv; ++v)
          {
            ld[v]             = cc.phi_dof[v];
            ld[nv + v]        = cc.c_dof[v];
            st.phi[v]         = ghosted_u_(cc.phi_dof[v]);
            st.c_scaled[v]    = ghosted_u_(cc.c_dof[v]);
            st.site_energy[v] = node_site_energy_(cc.c_dof[v]);
            st.activation[v]  = node_activation_(cc.c_dof[v]);
            st.history[v]     = tt.history ? ghosted_history_(cc.c_dof[v]) : 0.0;
            st.frozen[v]      = tt.frozen_vacancies ? ghosted_frozen_(cc.c_dof[v]) : 0.0;
          }
        const CellView<dim> view{cc.material, cc.vol.data(), cc.K.data(), cc.x.data(), cc.grad_center.data()};
        cell_physics.residual_and_jacobian(view, st, step, V, lr, lj);
        for (unsigned int a = 0; a < 2 * nv; ++a)
          {
            const bool   is_c = a >= nv;
            const double vol = node_volume_(ld[a]);
            const double s   = is_c ? 1.0 / (c_scale_ * vol * rate) : 1.0 / (q * c_scale_ * vol);
            ghosted_residual_(ld[a]) += lr[a].times(s).value();
            if (J)
              {
                for (unsigned int b = 0; b < 2 * nv; ++b)
                  row[b] = lj[a][b] * s;
                J->add(ld[a], 2 * nv, ld, row, true);
              }
          }
      }
    ghosted_residual_.compress(VectorOperation::add);
    if (J)
      {
        // Dirichlet rows: u_i - g_i (collective, every rank calls it)
        J->compress(VectorOperation::add);
        std::vector<types::global_dof_index> rows;
        for (const auto &d : dirichlet)
          rows.push_back(d.first);
        J->clear_rows(rows, 1.0);
      }
    reinit_vector(R);
    for (unsigned int k = 0; k < n_owned; ++k)
      R.local_element(k) = ghosted_residual_.local_element(k);
    for (const auto &[i, g] : dirichlet)
      R(i) = u(i) - g;
  }

  template <int dim>
  double DistributedDriftDiffusionSystem<dim>::total_vacancies(const DistributedVector &u) const
  {
    double s = 0;
    for (unsigned int k = 0; k < n_locally_owned(); ++k)
      if (owned_component_[k] == vacancy_component)
        s += node_volume_.local_element(k) * u.local_element(k) * c_scale_;
    return Utilities::MPI::sum(s, comm_);
  }

  template <int dim>
  double DistributedDriftDiffusionSystem<dim>::top_contact_charge(const DistributedVector &u, const double V) const
  {
    // Gauss law on the control volumes of the contact nodes (as the serial
    // DriftDiffusionSystem::top_contact_charge): the Poisson row of a
    // Dirichlet node, sum_j eps K_ij phi_j - V_i rho_i, summed over the cells
    // owned here and over the ranks (each cell counted once)
    for (unsigned int k = 0; k < n_locally_owned(); ++k)
      ghosted_u_.local_element(k) = u.local_element(k);
    ghosted_u_.update_ghost_values();
    const CellPhysics<dim> cell_physics(device_, c_scale_, sources_);
    CellState<dim>         st{};
    long double            sigma = 0;
    for (const auto &cc : cells_)
      if (cc.top_vertices != 0)
        {
          for (unsigned int v = 0; v < nv; ++v)
            {
              st.phi[v]      = ghosted_u_(cc.phi_dof[v]);
              st.c_scaled[v] = ghosted_u_(cc.c_dof[v]);
            }
          const CellView<dim> view{cc.material, cc.vol.data(), cc.K.data(), cc.x.data(), cc.grad_center.data()};
          for (unsigned int i = 0; i < nv; ++i)
            if (cc.top_vertices & (1u << i))
              sigma += cell_physics.contact_charge(view, st, i, V);
        }
    return Utilities::MPI::sum(static_cast<double>(sigma), comm_);
  }

  template <int dim>
  double DistributedDriftDiffusionSystem<dim>::top_contact_measure() const
  {
    double a = 0;
    for (const auto &f : top_faces_)
      a += f.measure;
    return Utilities::MPI::sum(a, comm_);
  }

  template <int dim>
  double DistributedDriftDiffusionSystem<dim>::smallest_cell() const
  {
    double h = std::numeric_limits<double>::max();
    for (const auto &cell : dof_handler_.active_cell_iterators())
      if (cell->is_locally_owned())
        h = std::min(h, cell->diameter());
    return Utilities::MPI::min(h, comm_);
  }

  template class DistributedDriftDiffusionSystem<2>;
  template class DistributedDriftDiffusionSystem<3>;
} // namespace otj
