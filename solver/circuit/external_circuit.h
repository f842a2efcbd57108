// The measurement circuit around the junction (SPEC section 3): a source
// V_s(t) in series with a resistance R_0 and an optional current compliance,
// driving the junction (Pt electrode positive = current into the substrate).
//
// At every implicit time step the junction voltage V_j is the root of
//   h(V_j) = I_junction(V_j) - I_source(V_s, V_j) = 0,
//   I_source = clamp((V_s - V_j) / R_0, -I_cc, +I_cc),
// where I_junction = A (J_tunnel + d sigma_Pt / dt) is the terminal current of
// the junction: electron (Tsu-Esaki) current plus displacement current, the
// rate of change of the Pt surface charge from the discrete Gauss law. h is
// increasing in V_j (the junction is passive), so the root is bracketed and
// found by a safeguarded secant (Illinois) iteration. R_0 = 0 without
// compliance is an ideal source (V_j = V_s, no iteration).
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace dealii
{
  class ParameterHandler;
}

namespace otj
{
  struct CircuitParameters
  {
    double series_resistance  = 0.0; ///< R_0 (ohm)
    double current_compliance = 0.0; ///< I_cc (A); 0 = none

    static void declare_parameters(dealii::ParameterHandler &prm);
    void        parse_parameters(dealii::ParameterHandler &prm, const std::string &file);
  };

  struct CircuitSolution
  {
    double       junction_voltage = 0; ///< V_j (V)
    double       current          = 0; ///< terminal current (A), positive into the Pt electrode
    unsigned int evaluations      = 0; ///< junction solves used
    bool         converged        = false;
    bool         compliance_active = false;
  };

  class ExternalCircuit
  {
  public:
    explicit ExternalCircuit(const CircuitParameters &p) : p_(p) {}

    const CircuitParameters &parameters() const { return p_; }
    /// Ideal voltage source: V_j = V_s at all times.
    bool ideal() const { return p_.series_resistance <= 0 && p_.current_compliance <= 0; }
    /// Current the source drives at junction voltage V_j (A); with R_0 = 0 and
    /// a compliance this is the compliance current of the sign of V_s - V_j.
    double source_current(double Vs, double Vj) const;

    /// Junction model: terminal current (A) at junction voltage V_j, or no
    /// value if the junction solve failed there.
    using Junction = std::function<std::optional<double>(double Vj)>;

    /// Solves the circuit at source voltage V_s. `guess` is a predicted V_j,
    /// `conductance` an estimate of dI_junction/dV_j (S), used for the first
    /// secant step. Tolerances: |V_j bracket| < voltage_tolerance or
    /// |h| < current_tolerance (relative to |I|, plus 1e-18 A).
    CircuitSolution solve(double Vs, double guess, double conductance, const Junction &junction,
                          double voltage_tolerance = 1e-9, double current_tolerance = 1e-7) const;

  private:
    CircuitParameters p_;
  };

  /// Energies of a run (J), integrated by the trapezoidal rule over the
  /// accepted time steps: delivered by the source (V_s I), dissipated in R_0
  /// (R_0 I^2 = (V_s - V_j) I) and delivered to the junction (V_j I).
  struct EnergyAccount
  {
    double source = 0, resistor = 0, junction = 0;
    void   add(double dt, double Vs0, double Vj0, double I0, double Vs1, double Vj1, double I1)
    {
      source += 0.5 * dt * (Vs0 * I0 + Vs1 * I1);
      junction += 0.5 * dt * (Vj0 * I0 + Vj1 * I1);
      resistor += 0.5 * dt * ((Vs0 - Vj0) * I0 + (Vs1 - Vj1) * I1);
    }
  };
} // namespace otj
