// The coupled Poisson / vacancy drift-diffusion system on a mesh distributed
// over MPI ranks (deal.II step-40 pattern): a p4est
// distributed triangulation (p4est or fully distributed), locally owned and locally relevant
// DoFs, a PETSc MPI sparse matrix for the Jacobian and
// LinearAlgebra::distributed::Vector states with ghost entries.
//
// The physics of every cell is that of the serial system
// (discretization/cell_physics.h): the same constitutive laws, the same
// edge-averaged exponentially fitted flux, the same nodal site energies and
// hop barriers, the same row scaling and Dirichlet rows
// (discretization/drift_diffusion_system.h). Nodal fields that sum or
// maximise over the cells around a vertex are assembled on the owned cells
// and exchanged (compress add / max). Meshes are refined globally (no
// hanging nodes). The residual of a cell is evaluated in extended precision
// as in 1D, but the sums over cells are in double (PETSc / MPI).
//
// Coordinates: the last coordinate is the depth (0 at the Pt contact), as in
// the serial system; boundary id 0 is the Pt contact, 1 the back contact,
// every other boundary is a symmetry (zero-flux) boundary. In 2D the
// coordinate system is planar (x, y; integrals per unit depth) or
// axisymmetric (r, z; r = x >= 0, every integral weighted by 2 pi r,
// CoordinateSystem in discretization/cell_physics.h).
#pragma once

#include "device/device_model.h"
#include "discretization/cell_physics.h"

#include <deal.II/base/index_set.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_system.h>
#include <deal.II/lac/la_parallel_vector.h>
#include <deal.II/lac/petsc_sparse_matrix.h>

#include <array>
#include <vector>

namespace otj
{
  using DistributedVector = dealii::LinearAlgebra::distributed::Vector<double>;

  /// Time-derivative data of one implicit step (distributed vectors, locally
  /// owned entries suffice; see TimeTerm in drift_diffusion_system.h).
  struct DistributedTimeTerm
  {
    bool                     stationary       = false;
    bool                     frozen_vacancies = false;
    double                   a0               = 0.0;
    const DistributedVector *history          = nullptr;
    const DistributedVector *frozen_state     = nullptr;
  };

  template <int dim>
  class DistributedDriftDiffusionSystem
  {
  public:
    static constexpr unsigned int potential_component = 0;
    static constexpr unsigned int vacancy_component   = 1;
    static constexpr unsigned int nv                  = dealii::GeometryInfo<dim>::vertices_per_cell;

    DistributedDriftDiffusionSystem(const dealii::parallel::DistributedTriangulationBase<dim> &tria,
                                    const DeviceModel &device, double concentration_scale = 1e26,
                                    CoordinateSystem coordinates = CoordinateSystem::planar);

    MPI_Comm                       mpi_communicator() const { return comm_; }
    const dealii::DoFHandler<dim> &dof_handler() const { return dof_handler_; }
    const DeviceModel &            device() const { return device_; }
    dealii::types::global_dof_index n_dofs() const { return dof_handler_.n_dofs(); }
    double                         concentration_scale() const { return c_scale_; }
    CoordinateSystem               coordinate_system() const { return coordinates_; }
    const dealii::IndexSet &       locally_owned_dofs() const { return owned_; }
    const dealii::IndexSet &       locally_relevant_dofs() const { return relevant_; }

    /// A vector with the locally owned layout (no ghosts).
    void reinit_vector(DistributedVector &v) const;
    /// The Jacobian with this system's sparsity.
    void reinit_matrix(dealii::PETScWrappers::MPI::SparseMatrix &J) const;

    /// Per locally owned dof (local index): is it a vacancy density, and its support point.
    bool                      is_vacancy_local(unsigned int local) const { return owned_component_[local] == vacancy_component; }
    const dealii::Point<dim> &support_point_local(unsigned int local) const { return owned_points_[local]; }
    unsigned int              n_locally_owned() const { return owned_component_.size(); }
    /// Site limit of a locally owned vacancy dof in units of the concentration
    /// scale: the smallest c_max of the cells around the node (the lattice-gas
    /// flux of every adjacent cell needs c <= c_max there); +infinity for a
    /// potential dof or without site exclusion.
    double site_limit_local(unsigned int local) const { return owned_site_limit_[local]; }

    void set_sources(const VolumeSources<dim> &s) { sources_ = s; }

    /// As-grown state (as in the serial system).
    void initial_state(DistributedVector &u, double applied_voltage) const;

    /// Residual (and, if J != nullptr, the Jacobian) at state u, scaled as in
    /// the serial system. u needs only its locally owned entries.
    void assemble(const DistributedVector &u, double applied_voltage, const DistributedTimeTerm &time,
                  DistributedVector &residual, dealii::PETScWrappers::MPI::SparseMatrix *jacobian) const;

    /// Vacancies in the domain: int c dV (planar 2D: m^-1, per unit depth;
    /// axisymmetric: a number).
    double total_vacancies(const DistributedVector &u) const;

    /// Charge on the Pt contact from the discrete Gauss law (collective):
    /// C per unit depth (planar 2D) or C (axisymmetric).
    double top_contact_charge(const DistributedVector &u, double applied_voltage) const;
    /// Measure of the Pt contact (collective): m per unit depth (planar 2D)
    /// or m^2 (axisymmetric).
    double top_contact_measure() const;

    /// A face of the Pt contact on a locally owned cell: its lateral extent
    /// (x or r, m) and its measure (m per unit depth, or m^2 axisymmetric).
    struct ContactFace
    {
      double lateral_begin, lateral_end, measure;
      double depth = 0; ///< depth (y) of the face's midpoint (m)
    };
    const std::vector<ContactFace> &owned_top_faces() const { return top_faces_; }

    /// Smallest cell diameter over all ranks (m).
    double smallest_cell() const;

  private:
    struct CellCache
    {
      std::array<dealii::types::global_dof_index, nv> phi_dof, c_dof;
      std::array<double, nv>                          vol;
      std::array<double, nv * nv>                     K;
      std::array<dealii::Point<dim>, nv>              x;
      std::array<dealii::Tensor<1, dim>, nv>          grad_center;
      dealii::types::material_id                      material;
      unsigned int                                    top_vertices; ///< bit v: vertex v on the Pt contact
    };

    void setup();
    std::vector<std::pair<dealii::types::global_dof_index, double>> owned_dirichlet_values(double V) const;

    MPI_Comm                        comm_;
    const DeviceModel &             device_;
    CoordinateSystem                coordinates_;
    dealii::FESystem<dim>           fe_;
    dealii::DoFHandler<dim>         dof_handler_;
    double                          c_scale_;
    dealii::IndexSet                owned_, relevant_;
    std::vector<CellCache>          cells_; ///< locally owned cells
    std::vector<ContactFace>        top_faces_; ///< Pt faces of locally owned cells
    std::vector<unsigned char>      owned_component_;
    std::vector<dealii::Point<dim>> owned_points_;
    std::vector<double>             owned_site_limit_; ///< scaled c_max per owned dof (+inf: none)
    DistributedVector               node_volume_, node_site_energy_, node_activation_; ///< ghosted
    std::vector<dealii::types::global_dof_index> owned_top_phi_, owned_bottom_phi_, owned_top_c_, owned_bottom_c_;
    VolumeSources<dim>              sources_;
    mutable DistributedVector       ghosted_u_, ghosted_history_, ghosted_frozen_, ghosted_residual_;
  };
} // namespace otj
