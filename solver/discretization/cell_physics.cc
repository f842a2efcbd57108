// Local residual and Jacobian of one cell (see cell_physics.h).
#include "discretization/cell_physics.h"

#include "physics/constants.h"
#include "physics/vacancy_flux.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace otj
{
  using namespace dealii;

  const char *to_string(const CoordinateSystem c)
  {
    return c == CoordinateSystem::axisymmetric ? "axisymmetric" : "planar";
  }

  CoordinateSystem coordinate_system_from_string(const std::string &s)
  {
    if (s == "planar")
      return CoordinateSystem::planar;
    if (s == "axisymmetric")
      return CoordinateSystem::axisymmetric;
    throw std::invalid_argument("unknown coordinate system '" + s + "' (expected planar or axisymmetric)");
  }

  template <int dim>
  void integrate_cell_geometry(const FEValues<dim> &fev, const CoordinateSystem c, double *vol, double *K)
  {
    constexpr unsigned int nv = GeometryInfo<dim>::vertices_per_cell;
    Assert(dim >= 2 || c == CoordinateSystem::planar, ExcMessage("1D meshes are planar"));
    std::fill(vol, vol + nv, 0.0);
    std::fill(K, K + nv * nv, 0.0);
    for (unsigned int q = 0; q < fev.n_quadrature_points; ++q)
      {
        const double dV = fev.JxW(q) * volume_weight(c, fev.quadrature_point(q));
        for (unsigned int i = 0; i < nv; ++i)
          {
            vol[i] += fev.shape_value(i, q) * dV;
            for (unsigned int j = 0; j < nv; ++j)
              K[i * nv + j] += fev.shape_grad(i, q) * fev.shape_grad(j, q) * dV;
          }
      }
  }

  template void integrate_cell_geometry<1>(const FEValues<1> &, CoordinateSystem, double *, double *);
  template void integrate_cell_geometry<2>(const FEValues<2> &, CoordinateSystem, double *, double *);
  template void integrate_cell_geometry<3>(const FEValues<3> &, CoordinateSystem, double *, double *);

  template <int dim>
  void CellPhysics<dim>::residual_and_jacobian(const CellView<dim> &cc, const CellState<dim> &s,
                                               const StepTerms &tt, const double V, ExtendedSum lr[2 * nv],
                                               double lj[2 * nv][2 * nv]) const
  {
    const double    q = constants::elementary_charge;
    const Material &m = device_.material(cc.material);
    // permittivity from the cell-center field (constant per cell; exact in 1D)
    Tensor<1, dim> grad_phi;
    for (unsigned int v = 0; v < nv; ++v)
      grad_phi += s.phi[v] * cc.grad_center[v];
    const double Emag    = grad_phi.norm();
    double       deps_dE = 0;
    const double eps     = constants::vacuum_permittivity * m.permittivity(Emag, &deps_dE);
    deps_dE *= constants::vacuum_permittivity;
    const double               z = m.vacancy_charge_number;
    physics::HoppingParameters hp{m.hop_distance, m.attempt_frequency, m.activation_energy, m.max_vacancy_density,
                                  device_.temperature};
    for (unsigned int a = 0; a < 2 * nv; ++a)
      {
        lr[a] = ExtendedSum{};
        for (unsigned int b = 0; b < 2 * nv; ++b)
          lj[a][b] = 0;
      }
    const double *phi = s.phi;
    double        c[nv], U[nv];
    for (unsigned int v = 0; v < nv; ++v)
      {
        c[v] = s.c_scaled[v] * c_scale_;
        U[v] = z * q * phi[v] + s.site_energy[v];
      }

    // d(eps K phi)_i / d phi_j from the field dependence of eps:
    //   (K phi)_i deps/dE dE/dphi_j,  dE/dphi_j = grad_phi . grad N_j / |grad_phi|
    double Kphi[nv];
    for (unsigned int i = 0; i < nv; ++i)
      {
        Kphi[i] = 0;
        for (unsigned int j = 0; j < nv; ++j)
          Kphi[i] += cc.K[i * nv + j] * phi[j];
      }
    if (deps_dE != 0.0 && Emag > 0)
      for (unsigned int i = 0; i < nv; ++i)
        for (unsigned int j = 0; j < nv; ++j)
          lj[i][j] += Kphi[i] * deps_dE * (grad_phi * cc.grad_center[j]) / Emag;

    // Poisson: eps K phi - vol * rho, term by term in the extended sum (in plain double the
    // 2D sweep test's vacancy inventory drifted by 1.9e-7, against 1e-8)
    for (unsigned int i = 0; i < nv; ++i)
      {
        for (unsigned int j = 0; j < nv; ++j)
          {
            lr[i].add(eps * cc.K[i * nv + j] * phi[j]);
            lj[i][j] += eps * cc.K[i * nv + j];
          }
        double dn = 0, rho = 0;
        if (s.charge_given)
          rho = s.rho[i], dn = s.dn_dphi[i];
        else
          rho = space_charge(m, cc.x[i], phi[i], c[i], V, &dn);
        lr[i].add(-cc.vol[i] * rho);
        lj[i][nv + i] -= cc.vol[i] * q * z * c_scale_;
        lj[i][i] += cc.vol[i] * q * dn;
      }

    // vacancies
    if (tt.frozen_vacancies)
      {
        for (unsigned int i = 0; i < nv; ++i)
          {
            lr[nv + i].add(cc.vol[i] * c_scale_ * (s.c_scaled[i] - s.frozen[i]));
            lj[nv + i][nv + i] += cc.vol[i] * c_scale_;
          }
        return;
      }
    if (!tt.stationary)
      for (unsigned int i = 0; i < nv; ++i)
        {
          // vol c_scale (a0 c + history): a0 c and history nearly cancel at long steps; a0 c
          // exact as a pair (TwoProduct by fma: with a0 c rounded the 2D sweep test's
          // inventory drifted by 1.3e-8 with the Poisson rows extended)
          const double a0c = tt.a0 * s.c_scaled[i];
          ExtendedSum  rate{a0c, std::fma(tt.a0, s.c_scaled[i], -a0c)};
          rate.add(s.history[i]);
          lr[nv + i].add(rate.times(cc.vol[i] * c_scale_));
          lj[nv + i][nv + i] += cc.vol[i] * c_scale_ * tt.a0;
        }
    if (sources_.vacancy)
      for (unsigned int i = 0; i < nv; ++i)
        lr[nv + i].add(-cc.vol[i] * sources_.vacancy(cc.x[i]));
    unsigned int pair = 0;
    for (unsigned int i = 0; i < nv; ++i)
      for (unsigned int j = i + 1; j < nv; ++j, ++pair)
        {
          double wL = 0, D0 = 0;
          const double L = cc.x[i].distance(cc.x[j]);
          // a hop between two layers has the larger of their barriers
          hp.activation_energy = std::max(s.activation[i], s.activation[j]);
          if (cc.edge_wL)
            wL = cc.edge_wL[pair], D0 = cc.edge_D0[pair];
          else
            {
              wL = hopping_edge_weight<dim>(cc.K, cc.x, i, j) * L;
              D0 = hp.diffusivity();
            }
          if (!(wL > 0))
            continue;
          const auto F = physics::hopping_edge_flux(hp, D0, L, c[i], c[j], U[i], U[j], s.site_energy[i] - s.site_energy[j]);
          // the same rounded product leaves node i and enters node j: the sum telescopes
          const double flux = wL * F.flux;
          lr[nv + i].add(flux);
          lr[nv + j].add(-flux);
          const double dci = wL * F.d_ci * c_scale_;
          const double dcj = wL * F.d_cj * c_scale_;
          const double dpi = wL * F.d_Ui * z * q;
          const double dpj = wL * F.d_Uj * z * q;
          lj[nv + i][nv + i] += dci;
          lj[nv + i][nv + j] += dcj;
          lj[nv + i][i] += dpi;
          lj[nv + i][j] += dpj;
          lj[nv + j][nv + i] -= dci;
          lj[nv + j][nv + j] -= dcj;
          lj[nv + j][i] -= dpi;
          lj[nv + j][j] -= dpj;
        }
  }

  template <int dim>
  double CellPhysics<dim>::space_charge(const Material &m, const Point<dim> &x, const double phi, const double c,
                                        const double V, double *dn_dphi) const
  {
    return space_charge_at(m, x, phi, c, device_.electron_quasi_fermi_energy(x[dim - 1], V), dn_dphi);
  }

  template <int dim>
  double CellPhysics<dim>::space_charge_at(const Material &m, const Point<dim> &x, const double phi, const double c,
                                           const double fermi_energy, double *dn_dphi) const
  {
    const double q   = constants::elementary_charge;
    const double n   = device_.electron_density(m, phi, dn_dphi, fermi_energy);
    double       rho = q * (m.vacancy_charge_number * c + m.donor_density - m.acceptor_density - n);
    if (sources_.charge)
      rho += sources_.charge(x);
    return rho;
  }

  template <int dim>
  long double CellPhysics<dim>::contact_charge(const CellView<dim> &cc, const CellState<dim> &s, const unsigned int i,
                                               const double V) const
  {
    const Material &m = device_.material(cc.material);
    Tensor<1, dim>  grad_phi;
    for (unsigned int v = 0; v < nv; ++v)
      grad_phi += s.phi[v] * cc.grad_center[v];
    const double eps   = constants::vacuum_permittivity * m.permittivity(grad_phi.norm(), nullptr);
    long double  sigma = 0;
    for (unsigned int j = 0; j < nv; ++j)
      sigma += eps * cc.K[i * nv + j] * s.phi[j];
    sigma -= cc.vol[i] * space_charge(m, cc.x[i], s.phi[i], s.c_scaled[i] * c_scale_, V, nullptr);
    return sigma;
  }

  template class CellPhysics<1>;
  template class CellPhysics<2>;
  template class CellPhysics<3>;
} // namespace otj
