// The optional Joule heating of the junction (SPEC section 3: "a lumped
// Joule-heating model as an option"): the mean temperature rise of the
// electrode area over the ambient, driven by the power P = V_j I_e that the
// electron current I_e dissipates in the junction at the junction voltage V_j,
// as a compact thermal network (a Foster network of first-order poles),
//   dT_k/dt = (R_k P - T_k) / tau_k,   T - T_ambient = sum_k T_k,
// advanced exactly over a step in which P varies linearly (P' its slope):
//   T_k <- R_k (P_1 - tau_k P') + (T_k - R_k (P_0 - tau_k P')) exp(-dt / tau_k).
// Its step response (the thermal impedance) is Z(t) = sum_k R_k (1 - exp(-t / tau_k)).
//
// The default network is fitted to the exact step response of the device's
// geometry: the heat is released in the 2.8 nm junction, under the electrode
// disc of radius a (from the electrode area), and flows into the substrate, a
// half-space of conductivity kappa and volumetric heat capacity rho c, whose
// surface outside the disc is adiabatic. The mean temperature over a disc of
// uniform heat flux q = P / (pi a^2) switched on at t = 0 is
//   dT(t) = (2 q a / kappa) int_0^inf J_1(l)^2 erf(l sqrt(alpha t) / a) / l^2 dl,
//   alpha = kappa / (rho c)
// (superposition of the surface modes J_0(k r), each of which heats a
// half-space as (q_k / kappa k) erf(k sqrt(alpha t)); H. S. Carslaw and J. C.
// Jaeger, Conduction of Heat in Solids, 2nd ed., 1959, sections 2.9 and 10.5;
// J. V. Beck, Int. J. Heat Mass Transfer 24, 155 (1981) for the disc's mean
// temperature). Its limits: 2 q sqrt(alpha t / pi) / kappa at t << a^2 / alpha
// (one-dimensional heating of a surface layer: the early rise is fast, the
// heated layer is thin) and P 8 / (3 pi^2 kappa a) at t -> inf (the spreading
// resistance of a disc of uniform flux). A single pole cannot follow both (its
// early rise is linear in t); the fitted network follows Z(t) from 1 ps to
// 1e4 a^2 / alpha (0.25 s for the paper's disc) within about 1 % (poles three per decade, resistances by
// non-negative least squares on the relative error; C. Lawson and R. Hanson,
// Solving Least Squares Problems, 1974, ch. 23 for NNLS; V. Szekely and T. Van
// Bien, Solid-State Electron. 31, 1363 (1988) for time-constant spectra of
// thermal impedances). The heat capacity of the 100 nm Pt electrode (0.284
// J/(m^2 K) over the disc) is counted by the factor surface_capacity_factor: it
// takes up the heat of the first ~C_s^2 / (kappa rho c) = 2.7 ns and lowers the
// rise to 0.37x at 1 ns, 0.74x at 20 ns, 0.82x at 50 ns. Neglected: the
// lateral spreading in the Pt, the film's heat capacity (2.8 nm hold less heat
// than the substrate's layer heated within 1 ps); radiation;
// the temperature dependence of kappa (it falls by ~2x from 300 to 600 K, which
// matters near a thermal runaway); and the difference between the disc's mean
// and its centre (3 pi / 8 = 1.18x hotter in the steady state).
#pragma once

#include <vector>

namespace otj
{
  struct ThermalPole
  {
    double resistance;   ///< R_k (K/W)
    double time_constant; ///< tau_k (s)
  };

  /// Exact mean temperature rise per watt (K/W) over a disc of radius `radius` (m) with uniform
  /// heat flux on an otherwise adiabatic half-space (conductivity W/(m K), volumetric heat
  /// capacity J/(m^3 K)), t (s) after the power is switched on (see the file comment); with a
  /// heat capacity per area C_s (J/(m^2 K)) on the heated surface (the electrode), times
  /// surface_capacity_factor.
  double disc_mean_temperature_step_response(double t, double radius, double conductivity, double heat_capacity,
                                             double surface_heat_capacity = 0);

  /// The factor by which a heat capacity per area C_s on the heated surface lowers the rise of
  /// a one-dimensional half-space (effusivity e = sqrt(kappa rho c)) under a flux switched on at
  /// t = 0: the surface temperature is q/C_s L^-1[1 / (s^(3/2) (sqrt(s) + b))], b = e / C_s, i.e.
  ///   g(x) = 1 - sqrt(pi) / (2 sqrt(x)) (1 - exp(x) erfc(sqrt(x))),  x = b^2 t
  /// (Carslaw & Jaeger, section 2.9 with a surface "perfect conductor" of finite heat capacity;
  /// the same form as their well-stirred-fluid problem, section 2.9 III): q t / C_s while the
  /// electrode takes up the heat (x << 1), 1 - sqrt(pi / (4 x)) once the substrate does. For the
  /// disc it is applied to the disc response, which is exact while 1 / b^2 << a^2 / alpha (the
  /// electrode has taken up its share long before the heat spreads laterally; 2.7 ns against 25 us
  /// for 100 nm of Pt over the 10 um disc on Nb:SrTiO3).
  double surface_capacity_factor(double t, double surface_heat_capacity, double conductivity, double heat_capacity);

  class ThermalNetwork
  {
  public:
    ThermalNetwork() = default;
    explicit ThermalNetwork(std::vector<ThermalPole> poles);

    /// One pole: R_th (K/W) and tau (s).
    static ThermalNetwork single_pole(double resistance, double time_constant);
    /// The network fitted to disc_mean_temperature_step_response on [t_min, t_max] (s; t_max 0:
    /// 1e4 radius^2 / alpha), with the surface heat capacity C_s (J/(m^2 K)) of the electrode.
    static ThermalNetwork disc_on_half_space(double radius, double conductivity, double heat_capacity,
                                             double surface_heat_capacity = 0, double t_min = 1e-12,
                                             double t_max = 0);

    /// Z(t) = sum_k R_k (1 - exp(-t / tau_k)) (K/W).
    double step_response(double t) const;
    /// sum_k R_k: the steady-state rise per watt (K/W).
    double thermal_resistance() const;
    const std::vector<ThermalPole> &poles() const { return poles_; }

    /// Advances the pole temperatures over dt (s) with the power P (W) held constant.
    void advance(double dt, double power) { advance(dt, power, power); }
    /// Advances them over dt with the power varying linearly from P0 to P1 (exact:
    /// T_k <- T_k e + R_k [P1 (1 - phi) + P0 (phi - e)], e = exp(-x), phi = (1 - e) / x, x = dt / tau_k).
    void advance(double dt, double power_start, double power_end);
    /// T - T_ambient (K).
    double temperature_rise() const;
    /// Back to the ambient temperature.
    void reset();

  private:
    std::vector<ThermalPole> poles_;
    std::vector<double>      rise_; ///< T_k (K)
  };
} // namespace otj
