// Assembly of the coupled Poisson / vacancy system (see drift_diffusion_system.h).
#include "discretization/drift_diffusion_system.h"

#include "physics/bernoulli.h"
#include "physics/constants.h"
#include "physics/vacancy_flux.h"

#include <deal.II/base/geometry_info.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/base/tensor.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace otj
{
  using namespace dealii;

  template <int dim>
  DriftDiffusionSystem<dim>::DriftDiffusionSystem(const Triangulation<dim> &tria, const DeviceModel &device,
                                                  const double concentration_scale)
    : device_(device)
    , fe_(FE_Q<dim>(1), 2)
    , dof_handler_(tria)
    , c_scale_(concentration_scale)
  {
    setup();
  }

  template <int dim>
  void DriftDiffusionSystem<dim>::setup()
  {
    dof_handler_.distribute_dofs(fe_);
    const unsigned int n = dof_handler_.n_dofs();
    DynamicSparsityPattern dsp(n);
    DoFTools::make_sparsity_pattern(dof_handler_, dsp);
    sparsity_.copy_from(dsp);

    constexpr unsigned int nv = GeometryInfo<dim>::vertices_per_cell;
    FE_Q<dim>              scalar(1);
    QGauss<dim>            quad(2);
    FEValues<dim>          fev(scalar, quad,
                      update_values | update_gradients | update_JxW_values | update_quadrature_points);

    dof_component_.assign(n, 0);
    node_volume_.assign(n, 0.0);
    node_site_energy_.assign(n, 0.0);
    node_activation_.assign(n, 0.0);
    std::vector<types::global_dof_index> ldi(fe_.dofs_per_cell);
    cells_.clear();
    for (const auto &cell : dof_handler_.active_cell_iterators())
      {
        cell->get_dof_indices(ldi);
        for (unsigned int i = 0; i < fe_.dofs_per_cell; ++i)
          dof_component_[ldi[i]] = fe_.system_to_component_index(i).first;
        fev.reinit(typename Triangulation<dim>::cell_iterator(cell));
        CellCache cc;
        cc.material = cell->material_id();
        cc.center   = cell->center();
        cc.phi_dof.resize(nv);
        cc.c_dof.resize(nv);
        cc.vol.assign(nv, 0.0);
        cc.K.assign(nv * nv, 0.0);
        cc.x.resize(nv);
        for (unsigned int v = 0; v < nv; ++v)
          {
            cc.phi_dof[v] = ldi[fe_.component_to_system_index(potential_component, v)];
            cc.c_dof[v]   = ldi[fe_.component_to_system_index(vacancy_component, v)];
            cc.x[v]       = cell->vertex(v);
          }
        {
          // shape gradients at the cell center (the field of a field-dependent permittivity)
          QMidpoint<dim> mid;
          FEValues<dim>  fmid(scalar, mid, update_gradients | update_JxW_values);
          fmid.reinit(typename Triangulation<dim>::cell_iterator(cell));
          cc.grad_center.resize(nv);
          for (unsigned int v = 0; v < nv; ++v)
            cc.grad_center[v] = fmid.shape_grad(v, 0);
          cc.volume = cell->measure();
        }
        integrate_cell_geometry(fev, CoordinateSystem::planar, cc.vol.data(), cc.K.data());
        for (unsigned int v = 0; v < nv; ++v)
          {
            node_volume_[cc.phi_dof[v]] += cc.vol[v];
            node_volume_[cc.c_dof[v]] += cc.vol[v];
            // the vacancy landscape is a function of depth, ramped over one hop
            // distance at material boundaries (DeviceModel::vacancy_site_energy_at)
            const double depth            = cc.x[v][dim - 1];
            node_site_energy_[cc.c_dof[v]] = device_.vacancy_site_energy_at(depth);
            node_activation_[cc.c_dof[v]]  = device_.vacancy_activation_at(depth);
          }
        // boundary vertices
        for (unsigned int f = 0; f < GeometryInfo<dim>::faces_per_cell; ++f)
          if (cell->face(f)->at_boundary())
            {
              const auto b = cell->face(f)->boundary_id();
              for (unsigned int fv = 0; fv < GeometryInfo<dim>::vertices_per_face; ++fv)
                {
                  const unsigned int v = GeometryInfo<dim>::face_to_cell_vertices(f, fv);
                  if (b == ids::top_contact)
                    {
                      top_phi_dofs_.push_back(cc.phi_dof[v]);
                      top_c_dofs_.push_back(cc.c_dof[v]);
                    }
                  else if (b == ids::back_contact)
                    {
                      bottom_phi_dofs_.push_back(cc.phi_dof[v]);
                      bottom_c_dofs_.push_back(cc.c_dof[v]);
                    }
                }
            }
        cells_.push_back(std::move(cc));
      }
    for (auto *v : {&top_phi_dofs_, &top_c_dofs_, &bottom_phi_dofs_, &bottom_c_dofs_})
      {
        std::sort(v->begin(), v->end());
        v->erase(std::unique(v->begin(), v->end()), v->end());
      }

    // the assembly's addressing (see the header)
    csr_.build(sparsity_);
    const double q = constants::elementary_charge;
    row_denominator_.resize(n);
    for (unsigned int i = 0; i < n; ++i)
      row_denominator_[i] = dof_component_[i] == potential_component ? q * c_scale_ * node_volume_[i]
                                                                       : c_scale_ * node_volume_[i];
    cell_entry_.clear();
    cell_entry_.reserve(cells_.size() * 4 * nv * nv);
    cell_charge_node_.clear();
    charge_nodes_.clear();
    edge_wL_.clear();
    edge_D0_.clear();
    std::map<std::pair<unsigned int, types::material_id>, unsigned int> charge_node_of;
    for (const auto &cc : cells_)
      {
        unsigned int ld[2 * nv];
        for (unsigned int v = 0; v < nv; ++v)
          ld[v] = cc.phi_dof[v], ld[nv + v] = cc.c_dof[v];
        for (unsigned int a = 0; a < 2 * nv; ++a)
          for (unsigned int b = 0; b < 2 * nv; ++b)
            {
              const auto k = sparsity_(ld[a], ld[b]);
              if (k == SparsityPattern::invalid_entry)
                throw std::logic_error("DriftDiffusionSystem: a cell coupling is missing from the sparsity pattern");
              cell_entry_.push_back(k);
            }
        for (unsigned int v = 0; v < nv; ++v)
          {
            const auto key = std::make_pair(cc.phi_dof[v], cc.material);
            auto       it  = charge_node_of.find(key);
            if (it == charge_node_of.end())
              {
                it = charge_node_of.emplace(key, static_cast<unsigned int>(charge_nodes_.size())).first;
                // DeviceModel::electron_quasi_fermi_energy is linear in the applied voltage
                charge_nodes_.push_back({cc.phi_dof[v], cc.c_dof[v], cc.material, cc.x[v],
                                         device_.electron_quasi_fermi_energy(cc.x[v][dim - 1], 1.0)});
              }
            cell_charge_node_.push_back(it->second);
          }
        // the hopping edges: weight x length (D0: update_temperature_dependence)
        for (unsigned int i = 0; i < nv; ++i)
          for (unsigned int j = i + 1; j < nv; ++j)
            edge_wL_.push_back(hopping_edge_weight<dim>(cc.K.data(), cc.x.data(), i, j) * cc.x[i].distance(cc.x[j]));
      }
    update_temperature_dependence();
  }

  template <int dim>
  void DriftDiffusionSystem<dim>::update_temperature_dependence()
  {
    constexpr unsigned int nv = GeometryInfo<dim>::vertices_per_cell;
    edge_D0_.clear();
    edge_D0_.reserve(edge_wL_.size());
    // each edge's low-field diffusivity D0 at the device's temperature, with the larger barrier of its two nodes
    for (const auto &cc : cells_)
      {
        const Material &m = device_.material(cc.material);
        for (unsigned int i = 0; i < nv; ++i)
          for (unsigned int j = i + 1; j < nv; ++j)
            {
              physics::HoppingParameters hp{m.hop_distance, m.attempt_frequency,
                                            std::max(node_activation_[cc.c_dof[i]], node_activation_[cc.c_dof[j]]),
                                            m.max_vacancy_density, device_.temperature};
              edge_D0_.push_back(hp.diffusivity());
            }
      }
  }

  template <int dim>
  std::vector<std::pair<unsigned int, double>> DriftDiffusionSystem<dim>::dirichlet_values(const double V) const
  {
    std::vector<std::pair<unsigned int, double>> d;
    const double phi_top = device_.top_contact_potential(V);
    const double phi_bot = device_.back_contact_potential();
    for (auto i : top_phi_dofs_)
      d.emplace_back(i, phi_top);
    for (auto i : bottom_phi_dofs_)
      d.emplace_back(i, phi_bot);
    if (device_.top_vacancy_boundary == VacancyBoundary::reservoir)
      for (auto i : top_c_dofs_)
        d.emplace_back(i, device_.top_reservoir_density / c_scale_);
    if (device_.bottom_vacancy_boundary == VacancyBoundary::reservoir)
      for (auto i : bottom_c_dofs_)
        d.emplace_back(i, device_.bottom_reservoir_density / c_scale_);
    return d;
  }

  template <int dim>
  void DriftDiffusionSystem<dim>::initial_state(Vector<double> &u, const double V) const
  {
    u.reinit(n_dofs());
    std::vector<double> wsum(n_dofs(), 0.0);
    const double        phi_top = device_.top_contact_potential(V);
    const double        phi_bot = device_.back_contact_potential();
    // barrier extent: from 0 to the end of the barrier layer
    double barrier_end = 0;
    for (const auto &l : device_.layers)
      {
        barrier_end += l.thickness;
        if (l.id == ids::barrier)
          break;
      }
    for (const auto &cc : cells_)
      {
        const Material &m = device_.material(cc.material);
        for (unsigned int v = 0; v < cc.c_dof.size(); ++v)
          {
            u[cc.c_dof[v]] += cc.vol[v] * m.initial_vacancy_density / c_scale_;
            wsum[cc.c_dof[v]] += cc.vol[v];
            const double depth = cc.x[v][dim - 1];
            const double s     = std::min(1.0, depth / barrier_end);
            u[cc.phi_dof[v]]   = phi_top + (phi_bot - phi_top) * s;
          }
      }
    for (unsigned int i = 0; i < n_dofs(); ++i)
      if (dof_component_[i] == vacancy_component && wsum[i] > 0)
        u[i] /= wsum[i];
    for (const auto &[i, g] : dirichlet_values(V))
      u[i] = g;
  }

  template <int dim>
  void DriftDiffusionSystem<dim>::assemble(const Vector<double> &u, const double V, const TimeTerm &tt,
                                           Vector<double> &R, SparseMatrix<double> *J) const
  {
    constexpr unsigned int nv = GeometryInfo<dim>::vertices_per_cell;
    constexpr unsigned int nl = 2 * nv;
    const unsigned int     n  = n_dofs();

    R.reinit(n);
    // the matrix's value array, addressed through the precomputed positions when J is built
    // on this system's pattern (the Newton solver's is); any other matrix takes deal.II's add
    double *const val = (J && csr_.describes(J->get_sparsity_pattern())) ? &J->diag_element(0) : nullptr;
    if (J)
      *J = 0;

    // The residual is accumulated in double-double (common/extended_sum.h): near equilibrium the
    // drift and diffusion parts of an edge flux are ~1e10 times the
    // accumulation term at long time steps; in double precision their
    // rounding would break the vacancy balance (conservation) at 1e-8.
    thread_local std::vector<ExtendedSum> Racc;
    Racc.assign(n, ExtendedSum{});
    ExtendedSum lr[nl];
    double      lj[nl][nl];

    const CellPhysics<dim> cell_physics(device_, c_scale_, sources_);

    // the space charge once per node and material (a node is shared by the cells around it)
    thread_local std::vector<double> node_rho, node_dn;
    node_rho.resize(charge_nodes_.size());
    node_dn.resize(charge_nodes_.size());
    for (std::size_t k = 0; k < charge_nodes_.size(); ++k)
      {
        const ChargeNode &cn = charge_nodes_[k];
        node_rho[k] = cell_physics.space_charge_at(device_.material(cn.material), cn.x, u[cn.phi_dof],
                                                   u[cn.c_dof] * c_scale_, cn.fermi_per_volt * V, &node_dn[k]);
      }

    StepTerms              step;
    step.stationary       = tt.stationary;
    step.frozen_vacancies = tt.frozen_vacancies;
    step.a0               = tt.a0;
    CellState<dim>         st;
    st.charge_given = true;
    for (std::size_t cell = 0; cell < cells_.size(); ++cell)
      {
        const CellCache &   cc     = cells_[cell];
        const unsigned int *charge = &cell_charge_node_[cell * nv];
        unsigned int        ld[nl];
        for (unsigned int v = 0; v < nv; ++v)
          {
            ld[v]             = cc.phi_dof[v];
            ld[nv + v]        = cc.c_dof[v];
            st.phi[v]         = u[cc.phi_dof[v]];
            st.c_scaled[v]    = u[cc.c_dof[v]];
            st.site_energy[v] = node_site_energy_[cc.c_dof[v]];
            st.activation[v]  = node_activation_[cc.c_dof[v]];
            st.history[v]     = tt.history ? (*tt.history)[cc.c_dof[v]] : 0.0;
            st.frozen[v]      = tt.frozen_vacancies ? (*tt.frozen_state)[cc.c_dof[v]] : 0.0;
            st.rho[v]         = node_rho[charge[v]];
            st.dn_dphi[v]     = node_dn[charge[v]];
          }
        constexpr unsigned int np = nv * (nv - 1) / 2;
        const CellView<dim>    view{cc.material,          cc.vol.data(),          cc.K.data(),
                                 cc.x.data(),          cc.grad_center.data(), &edge_wL_[cell * np],
                                 &edge_D0_[cell * np]};
        cell_physics.residual_and_jacobian(view, st, step, V, lr, lj);

        const std::size_t *entry = &cell_entry_[cell * nl * nl];
        for (unsigned int a = 0; a < nl; ++a)
          {
            Racc[ld[a]].add(lr[a]);
            if (val)
              for (unsigned int b = 0; b < nl; ++b)
                val[entry[a * nl + b]] += lj[a][b];
            else if (J)
              for (unsigned int b = 0; b < nl; ++b)
                if (lj[a][b] != 0.0)
                  J->add(ld[a], ld[b], lj[a][b]);
          }
      }

    // row scaling
    const double rate = (tt.frozen_vacancies || tt.stationary) ? 1.0 : std::max(tt.a0, 1.0);
    for (unsigned int i = 0; i < n; ++i)
      {
        const double s = dof_component_[i] == potential_component ? 1.0 / row_denominator_[i]
                                                                   : 1.0 / (row_denominator_[i] * rate);
        R[i] = Racc[i].times(s).value();
        if (val)
          for (std::size_t k = csr_.row_start[i]; k < csr_.row_start[i + 1]; ++k)
            val[k] *= s;
        else if (J)
          for (auto it = J->begin(i); it != J->end(i); ++it)
            it->value() *= s;
      }

    // Dirichlet rows
    for (const auto &[i, g] : dirichlet_values(V))
      {
        R[i] = u[i] - g;
        if (val)
          for (std::size_t k = csr_.row_start[i]; k < csr_.row_start[i + 1]; ++k)
            val[k] = csr_.column[k] == i ? 1.0 : 0.0;
        else if (J)
          for (auto it = J->begin(i); it != J->end(i); ++it)
            it->value() = (it->column() == i) ? 1.0 : 0.0;
      }
  }

  template <int dim>
  double DriftDiffusionSystem<dim>::space_charge(const Material &m, const Point<dim> &x, const double phi,
                                                 const double c, const double V, double *dn_dphi) const
  {
    return CellPhysics<dim>(device_, c_scale_, sources_).space_charge(m, x, phi, c, V, dn_dphi);
  }

  template <int dim>
  double DriftDiffusionSystem<dim>::top_contact_charge(const Vector<double> &u, const double V) const
  {
    // Gauss law on the control volumes of the contact nodes: the Poisson row
    // of a Dirichlet node, sum_j eps K_ij phi_j - V_i rho_i, is the flux
    // -eps dphi/dn through the contact, i.e. the charge on the electrode.
    constexpr unsigned int nv = GeometryInfo<dim>::vertices_per_cell;
    long double            sigma = 0;
    for (const auto &cc : cells_)
      for (unsigned int i = 0; i < nv; ++i)
        if (std::binary_search(top_phi_dofs_.begin(), top_phi_dofs_.end(), cc.phi_dof[i]))
          {
            const Material &m = device_.material(cc.material);
            Tensor<1, dim>  grad_phi;
            for (unsigned int v = 0; v < nv; ++v)
              grad_phi += u[cc.phi_dof[v]] * cc.grad_center[v];
            const double eps = constants::vacuum_permittivity * m.permittivity(grad_phi.norm(), nullptr);
            for (unsigned int j = 0; j < nv; ++j)
              sigma += eps * cc.K[i * nv + j] * u[cc.phi_dof[j]];
            sigma -= cc.vol[i] * space_charge(m, cc.x[i], u[cc.phi_dof[i]], u[cc.c_dof[i]] * c_scale_, V, nullptr);
          }
    return static_cast<double>(sigma);
  }

  template <int dim>
  double DriftDiffusionSystem<dim>::total_vacancies(const Vector<double> &u) const
  {
    double s = 0;
    for (unsigned int i = 0; i < n_dofs(); ++i)
      if (dof_component_[i] == vacancy_component)
        s += node_volume_[i] * u[i] * c_scale_;
    return s;
  }

  template <int dim>
  double DriftDiffusionSystem<dim>::restore_vacancy_balance(Vector<double> &u, const TimeTerm &tt) const
  {
    if (tt.stationary || tt.frozen_vacancies || !tt.history || !(tt.a0 > 0) ||
        device_.top_vacancy_boundary == VacancyBoundary::reservoir ||
        device_.bottom_vacancy_boundary == VacancyBoundary::reservoir || sources_.vacancy)
      return 0.0;
    long double n_now = 0, n_target = 0;
    for (unsigned int i = 0; i < n_dofs(); ++i)
      if (dof_component_[i] == vacancy_component)
        {
          n_now += static_cast<long double>(node_volume_[i]) * u[i];
          n_target -= static_cast<long double>(node_volume_[i]) * (*tt.history)[i] / tt.a0;
        }
    if (!(n_now > 0))
      return 0.0;
    const long double f = n_target / n_now;
    for (unsigned int i = 0; i < n_dofs(); ++i)
      if (dof_component_[i] == vacancy_component)
        u[i] = static_cast<double>(u[i] * f);
    return static_cast<double>(std::abs(f - 1.0L));
  }

  template <int dim>
  double DriftDiffusionSystem<dim>::vacancy_centroid(const Vector<double> &u) const
  {
    double s = 0, sx = 0;
    for (const auto &cc : cells_)
      for (unsigned int v = 0; v < cc.c_dof.size(); ++v)
        {
          const double w = cc.vol[v] * u[cc.c_dof[v]];
          s += w;
          sx += w * cc.x[v][dim - 1];
        }
    return s > 0 ? sx / s : 0.0;
  }

  template <int dim>
  double DriftDiffusionSystem<dim>::vacancies_between(const Vector<double> &u, const double x0, const double x1) const
  {
    double s = 0;
    for (const auto &cc : cells_)
      for (unsigned int v = 0; v < cc.c_dof.size(); ++v)
        {
          const double x = cc.x[v][dim - 1];
          if (x >= x0 && x < x1)
            s += cc.vol[v] * u[cc.c_dof[v]];
        }
    return s * c_scale_;
  }

  template <int dim>
  double DriftDiffusionSystem<dim>::max_edge_flux(const Vector<double> &u) const
  {
    constexpr unsigned int nv = GeometryInfo<dim>::vertices_per_cell;
    const double q = constants::elementary_charge;
    double       mx = 0;
    for (const auto &cc : cells_)
      {
        const Material &m = device_.material(cc.material);
        physics::HoppingParameters hp{m.hop_distance, m.attempt_frequency, m.activation_energy,
                                      m.max_vacancy_density, device_.temperature};
        for (unsigned int i = 0; i < nv; ++i)
          for (unsigned int j = i + 1; j < nv; ++j)
            if (hopping_edge_weight<dim>(cc.K.data(), cc.x.data(), i, j) > 0)
              {
                const double Ui = m.vacancy_charge_number * q * u[cc.phi_dof[i]] + node_site_energy_[cc.c_dof[i]];
                const double Uj = m.vacancy_charge_number * q * u[cc.phi_dof[j]] + node_site_energy_[cc.c_dof[j]];
                hp.activation_energy = std::max(node_activation_[cc.c_dof[i]], node_activation_[cc.c_dof[j]]);
                const auto   F  = physics::hopping_edge_flux(hp, cc.x[i].distance(cc.x[j]), u[cc.c_dof[i]] * c_scale_,
                                                          u[cc.c_dof[j]] * c_scale_, Ui, Uj,
                                                          node_site_energy_[cc.c_dof[i]] - node_site_energy_[cc.c_dof[j]]);
                mx = std::max(mx, std::abs(F.flux));
              }
      }
    return mx;
  }

  template <int dim>
  double DriftDiffusionSystem<dim>::max_relative_edge_flux(const Vector<double> &u) const
  {
    constexpr unsigned int nv = GeometryInfo<dim>::vertices_per_cell;
    const double q  = constants::elementary_charge;
    const double kT = constants::boltzmann * device_.temperature;
    double       mx = 0;
    for (const auto &cc : cells_)
      {
        const Material &m     = device_.material(cc.material);
        const double    inv_c = 1.0 / m.max_vacancy_density;
        for (unsigned int i = 0; i < nv; ++i)
          for (unsigned int j = i + 1; j < nv; ++j)
            if (hopping_edge_weight<dim>(cc.K.data(), cc.x.data(), i, j) > 0)
              {
                const double ci = u[cc.c_dof[i]] * c_scale_, cj = u[cc.c_dof[j]] * c_scale_;
                const double Ui = m.vacancy_charge_number * q * u[cc.phi_dof[i]] + node_site_energy_[cc.c_dof[i]];
                const double Uj = m.vacancy_charge_number * q * u[cc.phi_dof[j]] + node_site_energy_[cc.c_dof[j]];
                const double Pe = (Ui - Uj) / kT;
                const double a  = physics::bernoulli(-Pe) * ci * (1 - cj * inv_c);
                const double b  = physics::bernoulli(Pe) * cj * (1 - ci * inv_c);
                if (a + b > 0)
                  mx = std::max(mx, std::abs(a - b) / (a + b));
              }
      }
    return mx;
  }

  template <int dim>
  double DriftDiffusionSystem<dim>::smallest_cell() const
  {
    double h = std::numeric_limits<double>::max();
    for (const auto &cell : dof_handler_.active_cell_iterators())
      h = std::min(h, cell->diameter());
    return h;
  }

  template <int dim>
  std::vector<typename DriftDiffusionSystem<dim>::NodalValues>
  DriftDiffusionSystem<dim>::nodal_values(const Vector<double> &u, const double V) const
  {
    constexpr unsigned int nv = GeometryInfo<dim>::vertices_per_cell;
    std::map<unsigned int, std::size_t> index; // phi dof -> entry
    std::vector<NodalValues>            out;
    std::vector<double>                 wsum;
    for (const auto &cc : cells_)
      {
        const Material &m = device_.material(cc.material);
        // field along the depth coordinate, cell average: -dphi/dx from the stiffness-free vertex data
        double field = 0;
        if (dim == 1)
          field = -(u[cc.phi_dof[1]] - u[cc.phi_dof[0]]) / (cc.x[1][0] - cc.x[0][0]);
        else
          {
            // least-squares gradient along the last coordinate from vertex pairs
            double num = 0, den = 0;
            for (unsigned int i = 0; i < nv; ++i)
              for (unsigned int j = i + 1; j < nv; ++j)
                {
                  const double dy = cc.x[j][dim - 1] - cc.x[i][dim - 1];
                  num += dy * (u[cc.phi_dof[j]] - u[cc.phi_dof[i]]);
                  den += dy * dy;
                }
            field = den > 0 ? -num / den : 0.0;
          }
        for (unsigned int v = 0; v < nv; ++v)
          {
            auto it = index.find(cc.phi_dof[v]);
            if (it == index.end())
              {
                NodalValues nvv;
                nvv.x        = cc.x[v];
                nvv.phi      = u[cc.phi_dof[v]];
                nvv.c        = u[cc.c_dof[v]] * c_scale_;
                nvv.n = device_.electron_density(m, nvv.phi, nullptr,
                                                 device_.electron_quasi_fermi_energy(nvv.x[dim - 1], V));
                nvv.Ec       = (-constants::elementary_charge * nvv.phi - m.electron_affinity) / constants::eV;
                nvv.field    = 0;
                nvv.material = cc.material;
                index[cc.phi_dof[v]] = out.size();
                out.push_back(nvv);
                wsum.push_back(0);
              }
            const std::size_t k = index[cc.phi_dof[v]];
            out[k].field += field * cc.vol[v];
            wsum[k] += cc.vol[v];
          }
      }
    for (std::size_t k = 0; k < out.size(); ++k)
      out[k].field /= wsum[k];
    std::sort(out.begin(), out.end(), [](const NodalValues &a, const NodalValues &b) {
      for (int d = dim - 1; d >= 0; --d)
        if (a.x[d] != b.x[d])
          return a.x[d] < b.x[d];
      return false;
    });
    return out;
  }

  template class DriftDiffusionSystem<1>;
  template class DriftDiffusionSystem<2>;
} // namespace otj
