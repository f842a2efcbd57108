// The physics of one mesh cell of the coupled Poisson / vacancy system: the
// local residual and Jacobian that the serial (DriftDiffusionSystem, 1D and
// small 2D) and the distributed (parallel/DistributedDriftDiffusionSystem,
// p4est + PETSc) assemblies both add into their global systems. One set of
// constitutive laws for every dimension and every parallel layout.
//
// Local ordering: rows/columns 0..nv-1 are the potential at the cell's
// vertices, nv..2nv-1 the vacancy densities (nv = vertices per cell).
// Unscaled: Poisson rows in C (Gauss law on the control volume),
// vacancy rows in vacancies per second (control-volume balance); the caller
// applies the row scaling and the Dirichlet rows.
//
// Equations (SPEC section 3; see drift_diffusion_system.h for the scheme):
//   Poisson:  sum_j eps K_ij phi_j - V_i rho_i(phi_i, c_i)
//   vacancy:  V_i c_scale (a0 c_i + history_i) + sum_j w_ij J_ij - V_i f_c(x_i)
// with J_ij the exponentially fitted hopping flux (physics/vacancy_flux.h,
// Scharfetter-Gummel / edge-averaged FE, Xu & Zikatanov, Math. Comp. 68,
// 1429 (1999)) and a cell-constant permittivity from the cell-center field.
#pragma once

#include "common/extended_sum.h"
#include "device/device_model.h"

#include <deal.II/base/geometry_info.h>
#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>
#include <deal.II/fe/fe_values.h>

#include <cmath>
#include <functional>
#include <string>

namespace otj
{
  /// Optional volume sources for manufactured-solution tests and for
  /// generation terms: f_phi (C/m^3 added to the charge) and f_c (m^-3 s^-1).
  template <int dim>
  struct VolumeSources
  {
    std::function<double(const dealii::Point<dim> &)> charge;
    std::function<double(const dealii::Point<dim> &)> vacancy;
  };

  /// Coordinate system of a 2D mesh (SPEC section 4).
  ///  - planar: Cartesian (x, y), integrals per unit depth, dV = dx dy;
  ///  - axisymmetric: cylindrical (r, z) with r the first coordinate (r = 0 the
  ///    symmetry axis) and z the depth, fields independent of the angle,
  ///    dV = 2 pi r dr dz (e.g. Bird, Stewart & Lightfoot, Transport Phenomena,
  ///    2nd ed., appendix A.7). The weak forms keep their Cartesian shape with
  ///    the weight 2 pi r in every volume and boundary integral; the axis needs
  ///    no boundary condition (its weight vanishes).
  /// 1D meshes are always planar (per unit area).
  enum class CoordinateSystem
  {
    planar,
    axisymmetric
  };

  /// "planar" / "axisymmetric" and back (std::invalid_argument otherwise).
  const char *     to_string(CoordinateSystem c);
  CoordinateSystem coordinate_system_from_string(const std::string &s);

  /// The measure weight of the coordinate system at x: 1 or 2 pi x[0].
  template <int dim>
  inline double volume_weight(const CoordinateSystem c, const dealii::Point<dim> &x)
  {
    return c == CoordinateSystem::axisymmetric ? 2.0 * M_PI * x[0] : 1.0;
  }

  /// The lumped mass vol_i = int N_i w dV and the stiffness
  /// K_ij = int grad N_i . grad N_j w dV of one Q1 cell, w = volume_weight,
  /// from FEValues of the scalar Q1 element (values, gradients, JxW and
  /// quadrature points) already reinitialised on the cell. vol has nv entries,
  /// K nv x nv (row major); both are overwritten.
  template <int dim>
  void integrate_cell_geometry(const dealii::FEValues<dim> &fev, CoordinateSystem c, double *vol, double *K);

  /// Weight w_ij of the vacancy hopping flux along the cell edge i-j (the flux
  /// enters as w_ij L_ij F_ij, F_ij the edge flux density), or 0 for no flux
  /// along i-j. In 1D and on general cells, w_ij = -K_ij where K_ij < 0 (the
  /// edge-averaged / EAFE construction of Xu & Zikatanov, Math. Comp. 68, 1429
  /// (1999), which needs a non-obtuse mesh). On an axis-aligned rectangle
  /// (a lateral x b deep) the Q1 entries of the lateral edges turn positive for
  /// a > sqrt(2) b and would be dropped, leaving lateral transport to the
  /// diagonals (a lateral conductance a / 3b instead of b / a per cell); there
  /// the diagonal coupling is lumped onto the two edges at each vertex,
  /// w_ij = -(K_ij + K_i,opp(i)), and the diagonals carry none: the box
  /// (two-point finite-volume) weights b / 2a and a / 2b, with the 2 pi r
  /// weight of axisymmetric cells integrated exactly (Eymard, Gallouet &
  /// Herbin, Handbook of Numerical Analysis VII (2000), finite volumes on
  /// admissible rectangular meshes).
  template <int dim>
  inline double hopping_edge_weight(const double *K, const dealii::Point<dim> *x, const unsigned int i,
                                    const unsigned int j)
  {
    constexpr unsigned int nv = dealii::GeometryInfo<dim>::vertices_per_cell;
    if constexpr (dim == 2)
      {
        // deal.II vertex order: 0 (x0, y0), 1 (x1, y0), 2 (x0, y1), 3 (x1, y1)
        const double a = x[1][0] - x[0][0], b = x[2][1] - x[0][1];
        const double tol = 1e-9 * (std::abs(a) + std::abs(b));
        const bool   rectangle = std::abs(x[1][1] - x[0][1]) <= tol && std::abs(x[2][0] - x[0][0]) <= tol &&
                               std::abs(x[3][0] - x[1][0]) <= tol && std::abs(x[3][1] - x[2][1]) <= tol;
        if (rectangle)
          {
            if (i + j == nv - 1)
              return 0.0; // a diagonal
            const double w = -(K[i * nv + j] + K[i * nv + (nv - 1 - i)]);
            return w > 0 ? w : 0.0;
          }
      }
    const double Kij = K[i * nv + j];
    return Kij < 0 ? -Kij : 0.0;
  }

  /// Geometry of one cell, precomputed once (Q1, unit coefficient, with the
  /// weight of the coordinate system).
  template <int dim>
  struct CellView
  {
    dealii::types::material_id    material;
    const double *                vol;         ///< lumped mass int N_v (nv)
    const double *                K;           ///< stiffness, nv x nv row major
    const dealii::Point<dim> *    x;           ///< vertex positions (nv)
    const dealii::Tensor<1, dim> *grad_center; ///< grad N_v at the cell center (nv)
    /// Optional, per vertex pair (i < j, in the order of the loops over i then j): the edge
    /// weight times length w_ij L_ij and the low-field diffusivity D0 of the edge's barrier
    /// (the larger of its nodes'), when the caller has computed them once per mesh
    /// (DriftDiffusionSystem); null: computed here.
    const double *edge_wL = nullptr;
    const double *edge_D0 = nullptr;
  };

  /// Nodal data of the cell's vertices.
  template <int dim>
  struct CellState
  {
    static constexpr unsigned int nv = dealii::GeometryInfo<dim>::vertices_per_cell;
    double phi[nv];         ///< V
    double c_scaled[nv];    ///< c / c_scale
    double site_energy[nv]; ///< J (nodal average of the adjacent cells)
    double activation[nv];  ///< J (largest hop barrier of the adjacent cells)
    double history[nv];     ///< sum_k a_k c_k (scaled), 0 if none
    double frozen[nv];      ///< frozen vacancy state (scaled), if frozen
    /// The nodal space charge rho (C/m^3) and dn/dphi, when the caller has evaluated them once
    /// per node (a node is shared by several cells); otherwise residual_and_jacobian does.
    bool   charge_given = false;
    double rho[nv];
    double dn_dphi[nv];
  };

  /// Scalars of the time discretisation of one implicit step.
  struct StepTerms
  {
    bool   stationary       = false;
    bool   frozen_vacancies = false;
    double a0               = 0.0;
  };

  template <int dim>
  class CellPhysics
  {
  public:
    static constexpr unsigned int nv = dealii::GeometryInfo<dim>::vertices_per_cell;

    CellPhysics(const DeviceModel &device, double concentration_scale, const VolumeSources<dim> &sources)
      : device_(device), c_scale_(concentration_scale), sources_(sources)
    {}

    /// Local residual lr (double-double, common/extended_sum.h) and Jacobian lj of one cell at
    /// applied voltage V.
    void residual_and_jacobian(const CellView<dim> &cell, const CellState<dim> &s, const StepTerms &step,
                               double V, ExtendedSum lr[2 * nv], double lj[2 * nv][2 * nv]) const;

    /// Space charge density rho (C/m^3) at a node, and dn/dphi.
    double space_charge(const Material &m, const dealii::Point<dim> &x, double phi, double c, double V,
                        double *dn_dphi) const;
    /// The same with the electrons' quasi-Fermi energy at the node given (J).
    double space_charge_at(const Material &m, const dealii::Point<dim> &x, double phi, double c,
                           double fermi_energy, double *dn_dphi) const;

    /// Gauss-law contribution of vertex i of a cell to the charge of a
    /// contact: sum_j eps K_ij phi_j - V_i rho_i.
    long double contact_charge(const CellView<dim> &cell, const CellState<dim> &s, unsigned int i, double V) const;

  private:
    const DeviceModel &       device_;
    const double              c_scale_;
    const VolumeSources<dim> &sources_;
  };
} // namespace otj
