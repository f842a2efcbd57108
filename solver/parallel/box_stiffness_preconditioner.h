// The matrix from which the field-split preconditioner of the Newton
// systems is built (parallel/distributed_linear_solver.h, `fieldsplit`): the
// Jacobian with the bilinear (Q1) Poisson stiffness of every rectangular
// cell replaced by the box-method (five-point finite-volume) stiffness.
//
// Why: the device's cells are extremely flat (0.01 nm deep at the film
// interfaces, nm wide), and on an a x b rectangle with a >> b the Q1
// stiffness couples lateral neighbours with the positive entry
// -b/(3a) + a/(6b): the Poisson block is not an M-matrix, and algebraic
// multigrid (BoomerAMG) then converges slowly, more so on finer meshes
// (measured: 107 -> 486 GMRES iterations per Newton step from 4e3 to 1.7e4
// DOFs). The box stiffness (lateral -b/(2a), vertical -a/(2b), no diagonal
// couplings) is an M-matrix, and on tensor-product meshes it is spectrally
// equivalent to Q1 with aspect-ratio-independent constants: Q1 is
// K_x (x) M_y + M_x (x) K_y with the consistent 1D mass M, the box stiffness
// the same with the lumped mass D, and 1/3 D <= M <= D in 1D (eigenvalues of
// D^-1 M in [1/3, 1]), so preconditioning the true Jacobian with a good
// solver for this matrix costs at most a bounded factor in GMRES
// iterations (O. Axelsson and V. A. Barker, Finite Element Solution of
// Boundary Value Problems, 1984, ch. 7 on spectrally equivalent
// preconditioners). Measured (newton_2d benchmark, 4386 DOFs, 9 Newton
// iterations): 2003 GMRES iterations with the Q1 matrix, 393 with this one
// (ILU(0) on the vacancy block); the counts still grow with the mesh
// (BENCHMARKS-2d.md).
//
// The correction, per cell, is eps (K_box - K_Q1) on the potential rows
// with the row scaling of the Jacobian, 1 / (q c_scale vol_i) (vol_i the
// lumped nodal volume; distributed_drift_diffusion_system.h), eps the
// cell's permittivity at the cell-center field of the current state
// (materials/material.h). Dirichlet rows are left alone. Non-rectangular
// cells get no correction (their Q1 stiffness is used as is). The matrix
// returned keeps, on rectangles, only the couplings of vertices that share
// an edge (the box stiffness, the box hopping weights of the vacancy fluxes
// and the lumped charge and storage terms have none across the diagonal; the
// permittivity's field dependence adds small diagonal terms, dropped): a
// five-point stencil per field, so ILU(0) and the Schur complement
// A_pp - A_pc diag(A_cc)^-1 A_cp stay sparse (13 instead of 25 entries per
// row in PETSc's symbolic product; measured: BoomerAMG operator complexity
// and V-cycle cost halved; 5 entries per row in parallel/selfp_schur_matrix.h,
// which leaves out the product's structural zeros: the potential row of a
// node couples to its own vacancy density only, the charge being lumped). Planar
// weighting: on an axisymmetric system the correction misses the r weight,
// which only makes the preconditioner less exact.
#pragma once

#include "parallel/aij_blocks.h"
#include "parallel/distributed_drift_diffusion_system.h"

#include <deal.II/lac/petsc_sparse_matrix.h>

#include <petscmat.h>

#include <array>
#include <vector>

namespace otj
{
  class BoxStiffnessPreconditionerMatrix
  {
  public:
    explicit BoxStiffnessPreconditionerMatrix(const DistributedDriftDiffusionSystem<2> &system);

    ~BoxStiffnessPreconditionerMatrix();
    BoxStiffnessPreconditionerMatrix(const BoxStiffnessPreconditionerMatrix &) = delete;
    BoxStiffnessPreconditionerMatrix &operator=(const BoxStiffnessPreconditionerMatrix &) = delete;

    /// P = J + the correction at state u (u: locally owned entries). P is
    /// owned by this object and valid until the next call.
    Mat build(const dealii::PETScWrappers::MPI::SparseMatrix &J, const DistributedVector &u);

    /// Number of locally owned rectangular cells that get the correction.
    unsigned int n_corrected_cells() const { return n_owned_cells_; }

  private:
    /// A rectangle touching a locally owned potential row (owned or ghost
    /// cell): its correction goes to the owned rows only, so that no entry
    /// is sent to another rank.
    struct Cell
    {
      std::array<dealii::types::global_dof_index, 4> phi_dof;
      std::array<double, 16>                         delta; ///< K_box - K_Q1 (dimensionless)
      std::array<dealii::Tensor<1, 2>, 4>            grad_center;
      dealii::types::material_id                     material;
      std::array<double, 4>   row_scale; ///< 1 / (q c_scale vol_i) of an owned, non-Dirichlet row i; else 0
      std::array<PetscInt, 16> position; ///< of entry (i, j) in F's local rows (aij_blocks.h); -1: not corrected
    };

    /// For every entry of F's local rows, the position of the same entry in J's (-1: not in J).
    void map_jacobian_entries(Mat J);

    const DistributedDriftDiffusionSystem<2> &system_;
    std::vector<Cell>                         cells_;
    unsigned int                              n_owned_cells_ = 0;
    DistributedVector                         node_volume_; ///< ghosted
    std::vector<dealii::types::global_dof_index> dirichlet_; ///< sorted contact potential dofs seen here
    DistributedVector                         ghosted_u_;
    std::vector<PetscInt>                     from_jacobian_;     ///< see map_jacobian_entries()
    MatPatternStamp                           jacobian_stamp_; ///< the J (and its pattern) mapped
    Mat                                       F_ = nullptr; ///< J + correction on the five-point pattern (returned)
  };
} // namespace otj
