// A reduced model of the junction between the PDE and the compartment chain of
// compact_model.h: the PDE's own oxygen-vacancy equation and Poisson equation on a
// uniform grid of the oxide only (the SrTiO3 film and the interface layer, tens of
// nodes), with the Nb:SrTiO3 substrate replaced by its exact first integral.
//
// Physics (the same constitutive laws as the PDE, from the same DeviceModel and
// material files, nothing fitted):
//  - vacancies: the hopping flux of physics/vacancy_flux.h (Scharfetter-Gummel
//    form, sinh field enhancement, barrier collapse, lattice-gas exclusion) with
//    the landscape of DeviceModel::vacancy_site_energy_at / vacancy_activation_at,
//    blocking at the Pt and at the substrate surface (the PDE's vacancies never
//    enter the substrate: its share beyond the interface layer stays < 1e-5);
//  - Poisson in the oxide with its vacancies, fixed charges and electrons
//    (Fermi-Dirac, quasi-Fermi level linear across the film: DeviceModel);
//    phi = V - Phi_M,eff / e at the Pt;
//  - the substrate (donors N, electrons in equilibrium with the grounded back
//    contact) as a semi-infinite semiconductor: its surface field follows from its
//    surface potential phi_s by the first integral of Poisson's equation,
//      eps_s E_s^2 / 2 = e Int_{phi_b}^{phi_s} (n(phi) - N) dphi,
//    E_s of the sign of phi_s - phi_b (Sze & Ng, Physics of Semiconductor Devices,
//    3rd ed., section 2.3.1, eqs. (2.5)-(2.7) for depletion and accumulation; here
//    with Fermi-Dirac electrons), and the displacement is continuous at the surface;
//  - the junction current: the Tsu-Esaki integral (current/line_current.h) over the
//    oxide's band profile and the substrate's, integrated from the same first
//    integral, dphi/dy = -E(phi).
// Grid: `cells` uniform cells, the nodes nearest to the landscape's kinks (the ends of the linear
// ramps at the layer boundaries) moved onto them; optionally coarser by an integer-like factor
// over a stretch of the film interior (ReducedGridCoarsening: the nodes equidistributed in the
// density 1 / (cell size), the size ramped linearly at the stretch's ends).
// Numerics: vacancy densities and potentials interleaved (a band of width 3),
// Newton (nonlinear/newton_solver.h, band LU) on variable-step BDF2 with local error
// control (time_stepping/bdf_integrator.h), the time steps landing on every waveform
// corner and sample time.
// The reduction removes the substrate's mesh (two thirds of the PDE's nodes) and
// coarsens the oxide to a uniform grid; on the paper's device a 1.9 V / 20 ns train
// of 10 pulses traps within 3 % of the PDE's share at 0.025 nm (see HISTORY.md).
#pragma once

#include "compact/compact_model.h"
#include "device/device_model.h"
#include "nonlinear/newton_solver.h"
#include "physics/vacancy_flux.h"
#include "time_stepping/bdf_integrator.h"
#include "waveform/waveform.h"

#include <deal.II/lac/sparsity_pattern.h>
#include <deal.II/lac/vector.h>

#include <functional>
#include <vector>

namespace otj
{
  /// The substrate's surface field as a function of its surface potential (the first
  /// integral of Poisson's equation in a semi-infinite, uniformly doped semiconductor with
  /// its electrons in equilibrium at the Fermi level 0), and the potential profile into it.
  class SubstrateFirstIntegral
  {
  public:
    explicit SubstrateFirstIntegral(const DeviceModel &device);
    double bulk_potential() const { return phi_b_; }
    /// E_s (V/m, along +x, into the substrate) at surface potential phi_s; with d_dphi, dE_s/dphi_s.
    double field(double phi_s, double *d_dphi = nullptr) const;
    /// The potential at depths y (m, from the surface, increasing, to `thickness`) from phi_s.
    void profile(double phi_s, double thickness, std::vector<double> &y, std::vector<double> &phi) const;

  private:
    double integral(double phi) const; ///< e Int_{phi_b}^{phi} (n - N) dphi (J/m^3 ... in V C / m^3)
    const DeviceModel *device_;
    double             phi_b_, net_, eps_, debye_slope_;
    double             lo_, step_;
    std::vector<double> G_, dG_; ///< the integral and its derivative on the grid lo_ + k step_
  };

  struct ReducedOxideSample
  {
    double              t, voltage, current;
    std::vector<double> c; ///< vacancy densities at the nodes (m^-3)
  };

  /// A coarser stretch of the reduced model's grid: between `from` and `to` (m, depths in the
  /// oxide) the cells are `factor` times the fine cell L / cells, with linear ramps of the cell
  /// size `ramp` (m) wide inside the stretch (factor 1: the uniform grid).
  struct ReducedGridCoarsening
  {
    double from = 0, to = 0, factor = 1, ramp = 1e-10;
    bool   active() const { return factor > 1 && to > from; }
  };

  class ReducedOxideModel
  {
  public:
    /// The oxide (all layers above the substrate) in `cells` cells (uniform but at the kinks); time and Newton
    /// settings as the PDE's run file gives them, except that the Newton concentration tolerance is at
    /// least 1e-3 times the time step's relative tolerance. `concentration_scale` (m^-3) is the run's
    /// (RunParameters::concentration_scale), in whose units time.absolute_tolerance is given.
    ReducedOxideModel(const DeviceModel &device, unsigned int cells, const TimeSteppingParameters &time,
                      const NewtonParameters &newton, double concentration_scale = 1e26,
                      const ReducedGridCoarsening &coarsening = {});

    const std::vector<double> &nodes() const { return x_; }
    /// Depth of the top of the oxide's last layer (the interface layer; m): w is the share beyond it.
    double                     interface_depth() const { return x_interface_; }
    /// Control volume of each node (m).
    const std::vector<double> &volumes() const { return vol_; }
    /// Potentials (V) at the nodes for densities c (m^-3) at applied voltage V (vacancies frozen);
    /// Newton starts from `guess` (V per node) if given, else from a linear profile.
    std::vector<double> potential(const std::vector<double> &c, double V, const std::vector<double> *guess = nullptr) const;
    /// Junction current (A) of densities c at V (Tsu-Esaki over the oxide's and the substrate's band).
    double current(const std::vector<double> &c, double V, const std::vector<double> *phi_guess = nullptr) const;
    /// Read conductance I(V_read) / V_read (S).
    double conductance(const std::vector<double> &c, double V_read) const { return current(c, V_read) / V_read; }
    /// Node densities (m^-3) of a profile given by its amount (m^-2) between two depths: the
    /// averages over the nodes' control volumes (the inventory kept; e.g. a PDE state through
    /// DriftDiffusionSystem::vacancies_between).
    std::vector<double> control_volume_averages(const std::function<double(double, double)> &amount_between) const;
    /// Share of the vacancies between depths x0 and x1 (the nodes' control volumes uniform).
    double share_between(const std::vector<double> &c, double x0, double x1) const;
    /// Integrates densities c0 over the waveform, sampled at `times` (increasing, inside
    /// it; with the current when with_current). Throws ConvergenceFailure.
    std::vector<ReducedOxideSample> integrate(const PiecewiseLinearWaveform &w, std::vector<double> c0,
                                              const std::vector<double> &times, bool with_current = true,
                                              IntegratorStatistics *stats = nullptr) const;

  private:
    /// Residual (and Jacobian) of the interleaved state u = (c_0 / c_s, phi_0, c_1 / c_s, ...):
    /// with `frozen`, the vacancy rows pin c to frozen (a read), else BDF with tt.
    void assemble(const dealii::Vector<double> &u, double V, const TimeTerm &tt, const std::vector<double> *frozen,
                  dealii::Vector<double> &R, dealii::SparseMatrix<double> *J) const;
    /// The material whose layer holds depth x (the lower layer at a boundary), and its layer's index.
    const Material &material_at(double x) const { return device_.layers[layer_at(x)].material; }
    std::size_t     layer_at(double x) const;

    DeviceModel              device_;
    TimeSteppingParameters   time_;
    NewtonParameters         newton_;
    SubstrateFirstIntegral   substrate_;
    ReducedGridCoarsening    coarsening_;
    double                   L_ = 0, h_ = 0, cs_ = 1e26, x_interface_ = 0;
    std::vector<double>      x_, vol_, site_, activation_;
    std::vector<double>      len_; ///< edge lengths x_{i+1} - x_i (m); h_ is their mean
    /// per edge: the layer of its midpoint and the hopping law there with its low-field
    /// diffusivity (fixed by the device; computed once, not at every assembly)
    std::vector<std::size_t>                edge_layer_;
    std::vector<physics::HoppingParameters> edge_hop_;
    std::vector<double>                     edge_D0_;
    std::vector<std::size_t>                node_layer_; ///< the layer whose charge a node's row carries
    dealii::SparsityPattern  pattern_;
    CsrStructure             csr_; ///< pattern_'s rows as plain arrays (the Jacobian's final copy)
  };

  /// The compact model's compartment summary of a reduced state (as StateProbe reads the
  /// PDE: the film interior from x_interior in `cells` slabs, w beyond x_interface, w_d
  /// beyond x_deep when > 0).
  CompactState compartments_of(const ReducedOxideModel &m, const std::vector<double> &c, double x_interior,
                               double x_interface, unsigned int cells, double x_deep);
} // namespace otj
