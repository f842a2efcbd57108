// Box-method Poisson stiffness in the preconditioning matrix (see box_stiffness_preconditioner.h).
#include "parallel/box_stiffness_preconditioner.h"
#include "parallel/aij_blocks.h"

#include "physics/constants.h"

#include <deal.II/lac/dynamic_sparsity_pattern.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace otj
{
  using namespace dealii;

  namespace
  {
    /// True if the cell is an axis-aligned rectangle (deal.II vertex order:
    /// 0 (x0, y0), 1 (x0 + a, y0), 2 (x0, y0 + b), 3 (x0 + a, y0 + b)); a and b its sides.
    template <class Cell>
    bool axis_aligned_rectangle(const Cell &cell, double &a, double &b)
    {
      const Point<2> p0 = cell->vertex(0);
      a = cell->vertex(1)[0] - p0[0];
      b = cell->vertex(2)[1] - p0[1];
      const double tol = 1e-9 * std::max(std::abs(a), std::abs(b));
      return a > 0 && b > 0 && std::abs(cell->vertex(1)[1] - p0[1]) < tol && std::abs(cell->vertex(2)[0] - p0[0]) < tol &&
             cell->vertex(3).distance(Point<2>(p0[0] + a, p0[1] + b)) < tol;
    }
  } // namespace

  BoxStiffnessPreconditionerMatrix::BoxStiffnessPreconditionerMatrix(const DistributedDriftDiffusionSystem<2> &system)
    : system_(system)
  {
    const auto &dh = system.dof_handler();
    const auto &fe = dh.get_fe();
    node_volume_.reinit(system.locally_owned_dofs(), system.locally_relevant_dofs(), system.mpi_communicator());
    ghosted_u_.reinit(system.locally_owned_dofs(), system.locally_relevant_dofs(), system.mpi_communicator());
    const IndexSet &owned = system.locally_owned_dofs();
    DynamicSparsityPattern five_point(system.locally_relevant_dofs());
    std::vector<types::global_dof_index> ldi(fe.dofs_per_cell);
    for (const auto &cell : dh.active_cell_iterators())
      {
        if (!cell->is_locally_owned() && !cell->is_ghost())
          continue;
        cell->get_dof_indices(ldi);
        // the couplings kept in P: all of a general cell's, and on a rectangle
        // all but the diagonal vertex pairs (zero in the box stiffness, the box
        // hopping weights and the lumped charge terms)
        {
          double     a_, b_;
          const bool rect = axis_aligned_rectangle(cell, a_, b_);
          for (unsigned int i = 0; i < fe.dofs_per_cell; ++i)
            if (owned.is_element(ldi[i]))
              for (unsigned int j = 0; j < fe.dofs_per_cell; ++j)
                if (!rect || (fe.system_to_component_index(i).second ^ fe.system_to_component_index(j).second) != 3)
                  five_point.add(ldi[i], ldi[j]);
        }
        std::array<types::global_dof_index, 4> phi;
        for (unsigned int v = 0; v < 4; ++v)
          phi[v] = ldi[fe.component_to_system_index(DistributedDriftDiffusionSystem<2>::potential_component, v)];
        for (const unsigned int f : cell->face_indices())
          if (cell->face(f)->at_boundary() &&
              (cell->face(f)->boundary_id() == ids::top_contact || cell->face(f)->boundary_id() == ids::back_contact))
            for (unsigned int fv = 0; fv < 2; ++fv)
              dirichlet_.push_back(phi[GeometryInfo<2>::face_to_cell_vertices(f, fv)]);
        // lumped nodal volumes int N_i dV (exact for parallelograms)
        if (cell->is_locally_owned())
          for (unsigned int v = 0; v < 4; ++v)
            node_volume_(phi[v]) += cell->measure() / 4;
        double a, b;
        if (!axis_aligned_rectangle(cell, a, b))
          continue;
        bool touches_owned_row = false;
        for (unsigned int v = 0; v < 4; ++v)
          touches_owned_row |= owned.is_element(phi[v]);
        if (!touches_owned_row)
          continue;
        n_owned_cells_ += cell->is_locally_owned();
        Cell c;
        c.phi_dof  = phi;
        c.material = cell->material_id();
        const double r = b / a, s = a / b;
        // Q1 stiffness of the rectangle (exact integrals) and the box (five-point) stiffness
        const double q1_diag = (r + s) / 3, q1_x = -r / 3 + s / 6, q1_y = r / 6 - s / 3, q1_xy = -(r + s) / 6;
        const double box_diag = (r + s) / 2, box_x = -r / 2, box_y = -s / 2;
        for (unsigned int i = 0; i < 4; ++i)
          for (unsigned int j = 0; j < 4; ++j)
            {
              const unsigned int d = i ^ j; // 0 same vertex, 1 x-neighbour, 2 y-neighbour, 3 diagonal
              const double q1 = d == 0 ? q1_diag : d == 1 ? q1_x : d == 2 ? q1_y : q1_xy;
              const double bx = d == 0 ? box_diag : d == 1 ? box_x : d == 2 ? box_y : 0.0;
              c.delta[4 * i + j] = bx - q1;
            }
        // Q1 gradients at the cell center
        for (unsigned int v = 0; v < 4; ++v)
          c.grad_center[v] = Tensor<1, 2>({(v & 1 ? 1.0 : -1.0) / (2 * a), (v & 2 ? 1.0 : -1.0) / (2 * b)});
        cells_.push_back(c);
      }
    node_volume_.compress(VectorOperation::add);
    node_volume_.update_ghost_values();
    std::sort(dirichlet_.begin(), dirichlet_.end());
    dirichlet_.erase(std::unique(dirichlet_.begin(), dirichlet_.end()), dirichlet_.end());

    // the five-point preconditioning matrix: exact preallocation, the pattern
    // fixed by inserting zeros once; later insertions outside it are dropped
    // (a rank may own no rows: more ranks than columns of cells)
    const PetscInt first = owned.is_empty() ? 0 : owned.nth_index_in_set(0), n_local = owned.n_elements();
    std::vector<PetscInt> d_nnz(n_local, 0), o_nnz(n_local, 0);
    for (PetscInt k = 0; k < n_local; ++k)
      for (auto it = five_point.begin(first + k); it != five_point.end(first + k); ++it)
        {
          const PetscInt col = it->column();
          (col >= first && col < first + n_local ? d_nnz : o_nnz)[k]++;
        }
    check_petsc(MatCreateAIJ(system.mpi_communicator(), n_local, n_local, system.n_dofs(), system.n_dofs(), 0,
                             d_nnz.data(), 0, o_nnz.data(), &F_),
                "MatCreateAIJ");
    try
      {
        std::vector<PetscInt>    cols;
        std::vector<PetscScalar> zeros;
        for (PetscInt k = 0; k < n_local; ++k)
          {
            cols.clear();
            for (auto it = five_point.begin(first + k); it != five_point.end(first + k); ++it)
              cols.push_back(it->column());
            zeros.assign(cols.size(), 0.0);
            const PetscInt row = first + k;
            check_petsc(MatSetValues(F_, 1, &row, cols.size(), cols.data(), zeros.data(), INSERT_VALUES), "MatSetValues");
          }
        check_petsc(MatAssemblyBegin(F_, MAT_FINAL_ASSEMBLY), "MatAssemblyBegin");
        check_petsc(MatAssemblyEnd(F_, MAT_FINAL_ASSEMBLY), "MatAssemblyEnd");
        check_petsc(MatSetOption(F_, MAT_NEW_NONZERO_LOCATIONS, PETSC_FALSE), "MatSetOption");

        // each cell's rows: the scaling of its correction and the positions of its entries in F
        AijBlocks f;
        f.split(F_);
        const SeqAijView fd(f.Ad, false), fo(f.Ao, false);
        const double     q = constants::elementary_charge, c_scale = system.concentration_scale();
        for (auto &c : cells_)
          for (unsigned int i = 0; i < 4; ++i)
            {
              const bool corrected =
                owned.is_element(c.phi_dof[i]) && !std::binary_search(dirichlet_.begin(), dirichlet_.end(), c.phi_dof[i]);
              c.row_scale[i] = corrected ? 1 / (q * c_scale * node_volume_(c.phi_dof[i])) : 0.0;
              const PetscInt row = corrected ? PetscInt(c.phi_dof[i]) - first : -1;
              for (unsigned int j = 0; j < 4; ++j)
                {
                  PetscInt &pos = c.position[4 * i + j];
                  pos           = -1;
                  if (row < 0 || (i ^ j) == 3) // diagonal vertex pairs are outside the five-point pattern
                    continue;
                  pos = f.find(fd, fo, first, n_local, row, PetscInt(c.phi_dof[j]));
                }
            }
      }
    catch (...)
      {
        MatDestroy(&F_); // no destructor runs for a half-built object
        throw;
      }
  }

  void BoxStiffnessPreconditionerMatrix::map_jacobian_entries(Mat J)
  {
    AijBlocks f, j;
    f.split(F_);
    if (!j.split(J))
      throw std::runtime_error("BoxStiffnessPreconditionerMatrix: the Jacobian is not an AIJ matrix");
    const SeqAijView fd(f.Ad, false), fo(f.Ao, false), jd(j.Ad, false), jo(j.Ao, false);
    PetscInt         first = 0, end = 0;
    check_petsc(MatGetOwnershipRange(F_, &first, &end), "MatGetOwnershipRange");
    from_jacobian_.assign(fd.nnz() + fo.nnz(), -1);
    for (PetscInt r = 0; r < fd.n; ++r)
      {
        for (PetscInt e = fd.ia[r]; e < fd.ia[r + 1]; ++e)
          from_jacobian_[e] = j.find(jd, jo, first, end - first, r, first + fd.ja[e]);
        if (f.Ao)
          for (PetscInt e = fo.ia[r]; e < fo.ia[r + 1]; ++e)
            from_jacobian_[fd.nnz() + e] = j.find(jd, jo, first, end - first, r, f.colmap[fo.ja[e]]);
      }
    jacobian_stamp_.record(J);
  }

  BoxStiffnessPreconditionerMatrix::~BoxStiffnessPreconditionerMatrix()
  {
    if (F_)
      MatDestroy(&F_);
  }

  Mat BoxStiffnessPreconditionerMatrix::build(const PETScWrappers::MPI::SparseMatrix &J, const DistributedVector &u)
  {
    const Mat        A = static_cast<const Mat &>(J);
    if (!jacobian_stamp_.matches(A))
      map_jacobian_entries(A);
    for (unsigned int k = 0; k < system_.n_locally_owned(); ++k)
      ghosted_u_.local_element(k) = u.local_element(k);
    ghosted_u_.update_ghost_values();
    {
      // J's entries in the five-point pattern (those outside it are dropped), then the correction
      AijBlocks f, j;
      f.split(F_);
      j.split(A);
      const SeqAijView fd(f.Ad, true, true), fo(f.Ao, true, true), jd(j.Ad, true), jo(j.Ao, true);
      const PetscInt   nf = fd.nnz(), nj = jd.nnz();
      auto             entry = [&](PetscInt pos) -> PetscScalar & { return pos < nf ? fd.va[pos] : fo.va[pos - nf]; };
      for (PetscInt k = 0; k < PetscInt(from_jacobian_.size()); ++k)
        {
          const PetscInt src = from_jacobian_[k];
          entry(k)           = src < 0 ? 0.0 : src < nj ? jd.va[src] : jo.va[src - nj];
        }
      for (const auto &c : cells_)
        {
          Tensor<1, 2> grad;
          for (unsigned int v = 0; v < 4; ++v)
            grad += ghosted_u_(c.phi_dof[v]) * c.grad_center[v];
          const double eps =
            constants::vacuum_permittivity * system_.device().material(c.material).permittivity(grad.norm());
          for (unsigned int i = 0; i < 4; ++i)
            if (c.row_scale[i] != 0)
              for (unsigned int jj = 0; jj < 4; ++jj)
                if (c.position[4 * i + jj] >= 0)
                  entry(c.position[4 * i + jj]) += eps * c.row_scale[i] * c.delta[4 * i + jj];
        }
    }
    // the values changed behind PETSc's back: an assembly gives F a new state (the
    // preconditioner is then rebuilt) without communication (nothing is stashed)
    check_petsc(MatAssemblyBegin(F_, MAT_FINAL_ASSEMBLY), "MatAssemblyBegin");
    check_petsc(MatAssemblyEnd(F_, MAT_FINAL_ASSEMBLY), "MatAssemblyEnd");
    return F_;
  }
} // namespace otj
