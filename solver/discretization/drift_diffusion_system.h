// The discrete coupled Poisson / oxygen-vacancy drift-diffusion system on a
// deal.II mesh, written for any dimension (template <int dim>).
//
// Unknowns per mesh vertex (FESystem of two FE_Q(1)):
//   component 0: electrostatic potential phi (V)
//   component 1: vacancy density c_v, stored scaled as c_v / c_scale
// Electrons are in quasi-equilibrium with the grounded substrate (Fermi level
// 0): n = N_c F_1/2((e phi + chi)/kT), Fermi-Dirac statistics.
//
// Equations (SPEC section 3), in control-volume form on the vertices:
//   Poisson:  sum_j eps K_ij phi_j - e V_i (z c_i + N_D - N_A - n(phi_i)) = 0
//   vacancy:  V_i dc_i/dt + sum_j w_ij J_ij = 0
// with K the P1/Q1 stiffness matrix, V_i = int N_i (lumped mass, evaluated with
// each cell's material, so interface nodes see both sides), and J_ij the
// exponentially fitted hopping flux of physics/vacancy_flux.h along the edge
// i-j with weight w_ij = -K_ij (edge-averaged finite elements, Xu &
// Zikatanov, Math. Comp. 68, 1429 (1999); in 1D exactly Scharfetter-Gummel).
// The scheme conserves vacancies exactly (fluxes are antisymmetric), keeps
// them positive (M-matrix) and is free of oscillations at any Peclet number.
// The vacancy site energy and hop barrier are nodal fields, functions of
// depth that ramp over one hop distance at material boundaries
// (DeviceModel::vacancy_site_energy_at: a hopping model has no structure
// below the hop distance, and a step resolved on sub-lattice cells made the
// interface kinetics depend on the mesh). The hop barrier of an edge is the
// larger of its two nodes' barriers.
// The cell physics is discretization/cell_physics.h, shared with the
// distributed (p4est / PETSc) assembly of parallel/.
#pragma once

#include "device/device_model.h"
#include "discretization/cell_physics.h"
#include "nonlinear/csr_view.h"

#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_system.h>
#include <deal.II/grid/tria.h>
#include <deal.II/lac/sparse_matrix.h>
#include <deal.II/lac/sparsity_pattern.h>
#include <deal.II/lac/vector.h>

#include <functional>
#include <vector>

namespace otj
{
  /// Time-derivative data of one implicit step: dc/dt ~ a0 c + history.
  struct TimeTerm
  {
    bool                          stationary = false; ///< no accumulation term at all
    bool                          frozen_vacancies = false; ///< c stays at `frozen_state`
    double                        a0 = 0.0;           ///< coefficient of the new state (1/s)
    const dealii::Vector<double> *history = nullptr;  ///< sum_k a_k u_k (scaled units), per dof
    const dealii::Vector<double> *frozen_state = nullptr;
  };

  template <int dim>
  class DriftDiffusionSystem
  {
  public:
    static constexpr unsigned int potential_component = 0;
    static constexpr unsigned int vacancy_component   = 1;

    DriftDiffusionSystem(const dealii::Triangulation<dim> &tria, const DeviceModel &device,
                         double concentration_scale = 1e26);

    const dealii::DoFHandler<dim> &dof_handler() const { return dof_handler_; }
    const DeviceModel &            device() const { return device_; }
    unsigned int                   n_dofs() const { return dof_handler_.n_dofs(); }
    double                         concentration_scale() const { return c_scale_; }
    const dealii::SparsityPattern &sparsity_pattern() const { return sparsity_; }
    bool is_vacancy_dof(unsigned int i) const { return dof_component_[i] == vacancy_component; }

    /// Recomputes what is cached at the device's temperature (the edges' low-field
    /// diffusivities); call after changing DeviceModel::temperature of the device this
    /// system was built on (Joule heating, simulation/joule_heating.h). Everything else
    /// reads the temperature at each assembly.
    void update_temperature_dependence();

    /// As-grown state: vacancies at each material's initial density, potential
    /// from local charge neutrality where electrons exist, else linear.
    void initial_state(dealii::Vector<double> &u, double applied_voltage) const;

    /// Residual (and, if jacobian != nullptr, its Jacobian) at state u.
    /// Rows are scaled: Poisson rows by 1/(e c_scale V_i), vacancy rows by
    /// 1/(c_scale V_i max(a0, 1/s)); Dirichlet rows read u_i - g_i.
    void assemble(const dealii::Vector<double> &u, double applied_voltage, const TimeTerm &time,
                  dealii::Vector<double> &residual, dealii::SparseMatrix<double> *jacobian) const;

    void set_sources(const VolumeSources<dim> &s) { sources_ = s; }

    /// Dirichlet dofs and values at the given applied voltage.
    std::vector<std::pair<unsigned int, double>> dirichlet_values(double applied_voltage) const;

    /// Charge on the Pt electrode (C/m^2 in 1D, C/m per unit depth in 2D):
    /// the Gauss-law flux -eps dphi/dn through the top contact, evaluated from
    /// the discrete Poisson rows of the contact nodes (consistent with the
    /// discretisation, so the displacement current conserves charge exactly).
    double top_contact_charge(const dealii::Vector<double> &u, double applied_voltage) const;

    // ---- diagnostics -------------------------------------------------------
    /// Vacancies in the domain: int c dV (m^-2 in 1D: per unit area).
    double total_vacancies(const dealii::Vector<double> &u) const;
    /// Round-off clean-up of an implicit step with blocking contacts: the
    /// exact solution of the step satisfies the discrete balance
    ///   a0 N_new + sum_i V_i c_scale history_i = 0
    /// (the fluxes cancel pairwise). At long steps the flux couplings exceed
    /// the accumulation term by ~1e10, and the direct solve leaves an
    /// imbalance of order 1e-10 per step. This rescales the densities to the
    /// exact balance and returns the relative change applied (to be checked
    /// against a bound: a non-conservative scheme would show up as a large
    /// change). Does nothing (returns 0) for reservoir contacts or stationary steps.
    double restore_vacancy_balance(dealii::Vector<double> &u, const TimeTerm &time) const;
    /// Mean distance of the vacancies from the Pt contact (m), x weighted by c.
    double vacancy_centroid(const dealii::Vector<double> &u) const;
    /// Vacancies at depths x in [x0, x1) from the Pt contact (lumped nodal
    /// volumes, as the balance; per unit area in 1D).
    double vacancies_between(const dealii::Vector<double> &u, double x0, double x1) const;
    /// Largest |edge flux| (m^-2 s^-1) and the scale D0 c_max / L used to judge it.
    double max_edge_flux(const dealii::Vector<double> &u) const;
    /// Vacancy density at the Pt contact (m^-3).
    double top_vacancy_density(const dealii::Vector<double> &u) const
    {
      return top_c_dofs_.empty() ? 0.0 : u[top_c_dofs_.front()] * c_scale_;
    }
    /// Largest ratio |J| / (|drift part| + |diffusion part|) over the edges:
    /// 0 for an exact equilibrium, 1 for pure drift or pure diffusion.
    double max_relative_edge_flux(const dealii::Vector<double> &u) const;
    /// Smallest cell diameter (m).
    double smallest_cell() const;

    /// Nodal values for profiles (one entry per vertex dof pair, ordered by position).
    struct NodalValues
    {
      dealii::Point<dim> x;
      double             phi, c, n, Ec, field;
      unsigned int       material;
    };
    std::vector<NodalValues> nodal_values(const dealii::Vector<double> &u, double applied_voltage = 0.0) const;

    /// Physical vacancy density of a dof value.
    double c_of(double scaled) const { return scaled * c_scale_; }

  private:
    struct CellCache
    {
      std::vector<unsigned int> phi_dof, c_dof;
      std::vector<double>       vol;  ///< lumped mass int N_i
      std::vector<double>       K;    ///< stiffness (nv x nv, row major), unit coefficient
      std::vector<dealii::Point<dim>> x;
      std::vector<dealii::Tensor<1, dim>> grad_center; ///< grad N_v at the cell center
      double                     volume = 0;
      dealii::types::material_id material;
      dealii::Point<dim>         center;
    };

    void setup();
    /// Space charge density rho (C/m^3) at a node, and d rho/d phi / (-q) = dn/dphi.
    double space_charge(const Material &m, const dealii::Point<dim> &x, double phi, double c, double V,
                        double *dn_dphi) const;

    const DeviceModel &         device_;
    dealii::FESystem<dim>       fe_;
    dealii::DoFHandler<dim>     dof_handler_;
    dealii::SparsityPattern     sparsity_;
    double                      c_scale_;
    std::vector<CellCache>      cells_;
    std::vector<unsigned char>  dof_component_;
    std::vector<double>         node_volume_;      ///< total lumped volume per dof
    std::vector<double>         node_site_energy_; ///< J, per vacancy dof
    /// J, per vacancy dof: the largest hopping barrier of the adjacent cells;
    /// an edge uses the larger of its two nodes' values, so that a hop
    /// between two layers crosses the higher of their barriers.
    std::vector<double>         node_activation_;
    std::vector<unsigned int>   top_phi_dofs_, bottom_phi_dofs_, top_c_dofs_, bottom_c_dofs_;
    VolumeSources<dim>          sources_;

    // Precomputed addressing of the assembly (setup): the pattern's rows as plain arrays, the
    // value-array position of every entry of every cell's local matrix ((2 nv)^2 per cell, row
    // major), and the nodes at which the space charge is evaluated once per assembly: one per
    // (potential dof, material) pair, since a node between two layers sees each layer's law.
    struct ChargeNode
    {
      unsigned int               phi_dof, c_dof;
      dealii::types::material_id material;
      dealii::Point<dim>         x;
      double                     fermi_per_volt; ///< the electrons' quasi-Fermi energy per applied volt (J/V)
    };
    CsrStructure                csr_;
    std::vector<std::size_t>    cell_entry_;
    std::vector<unsigned int>   cell_charge_node_; ///< nv per cell
    std::vector<ChargeNode>     charge_nodes_;
    /// per cell and vertex pair (i < j): w_ij L_ij and the edge's low-field diffusivity D0
    std::vector<double>         edge_wL_, edge_D0_;
    std::vector<double>         row_denominator_;  ///< the row scaling's q c_scale V_i (potential), c_scale V_i (vacancies)
  };
} // namespace otj
