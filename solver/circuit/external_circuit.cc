// Source, series resistance and compliance around the junction (see external_circuit.h).
#include "circuit/external_circuit.h"

#include "common/input_error.h"

#include <deal.II/base/parameter_handler.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace otj
{
  void CircuitParameters::declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Circuit");
    prm.declare_entry("Series resistance (ohm)", "0", dealii::Patterns::Double(0.0, 1e12),
                      "R_0 between the source and the Pt electrode (ohm): source impedance, wiring and "
                      "contact resistance. 0 = ideal voltage source at the junction.");
    prm.declare_entry("Current compliance (nA)", "0", dealii::Patterns::Double(0.0, 1e12),
                      "Largest magnitude of the terminal current (nA), as set on a source-measure unit "
                      "(the paper's Fig. 3a,b uses 115 nA); 0 = no compliance. The limit applies to the "
                      "whole terminal current, displacement current included.");
    prm.leave_subsection();
  }

  void CircuitParameters::parse_parameters(dealii::ParameterHandler &prm, const std::string &)
  {
    prm.enter_subsection("Circuit");
    series_resistance  = prm.get_double("Series resistance (ohm)");
    current_compliance = prm.get_double("Current compliance (nA)") * 1e-9;
    prm.leave_subsection();
  }

  double ExternalCircuit::source_current(const double Vs, const double Vj) const
  {
    const double Icc = p_.current_compliance > 0 ? p_.current_compliance : std::numeric_limits<double>::infinity();
    if (p_.series_resistance <= 0)
      return Vs > Vj ? Icc : (Vs < Vj ? -Icc : 0.0);
    return std::clamp((Vs - Vj) / p_.series_resistance, -Icc, Icc);
  }

  CircuitSolution ExternalCircuit::solve(const double Vs, const double guess, const double conductance,
                                         const Junction &junction, const double vtol, const double itol) const
  {
    CircuitSolution s;
    auto eval = [&](double V) -> std::optional<double> {
      ++s.evaluations;
      return junction(V);
    };

    // ideal source, or R_0 = 0 with compliance: try V_j = V_s first
    double I_at_source = 0;
    if (p_.series_resistance <= 0)
      {
        const auto I = eval(Vs);
        if (!I)
          return s;
        if (p_.current_compliance <= 0 || std::abs(*I) <= p_.current_compliance)
          {
            s.junction_voltage = Vs;
            s.current          = *I;
            s.converged        = true;
            return s;
          }
        I_at_source = *I;
      }

    const double Icc = p_.current_compliance;
    auto accept = [&](double V, double I) {
      s.junction_voltage  = V;
      s.current           = I;
      s.converged         = true;
      s.compliance_active = Icc > 0 && std::abs(I) >= Icc * (1 - 1e-6);
      return s;
    };
    // h(V) = I_junction(V) - I_source(V); with R_0 = 0 the source current is
    // +-I_cc on either side of V_s, and the root lies on the side where the
    // junction would draw more than I_cc.
    auto h_of = [&](double V, double I) {
      if (p_.series_resistance <= 0)
        return I - (V < Vs ? Icc : -Icc);
      return I - source_current(Vs, V);
    };
    const double g_source = p_.series_resistance > 0 ? 1.0 / p_.series_resistance : 0.0;
    const double slope0   = std::max(conductance, 0.0) + g_source;

    double V0 = guess, I0;
    if (p_.series_resistance <= 0) // the root is strictly on one side of V_s
      {
        // the junction draws more than I_cc at V_s: start below (above) V_s
        const double side = I_at_source > 0 ? -1.0 : 1.0;
        V0 = (guess - Vs) * side > 0 ? guess : Vs + side * 1e-3;
      }
    auto I0o = eval(V0);
    if (!I0o)
      return s;
    I0        = *I0o;
    double h0 = h_of(V0, I0);
    auto done = [&](double I, double h) { return std::abs(h) <= itol * std::abs(I) + 1e-18; };
    if (done(I0, h0))
      return accept(V0, I0);
    // find a bracket: step against the sign of h (first with the estimated
    // slope, at most 0.5 V), doubling the step until h changes sign
    double step = slope0 > 0 ? -h0 / slope0 : (h0 > 0 ? -1e-3 : 1e-3);
    step        = std::clamp(step, -0.5, 0.5);
    if (std::abs(step) < 1e-6)
      step = h0 > 0 ? -1e-6 : 1e-6;
    double V1 = V0 + step, I1 = 0, h1 = h0;
    for (int k = 0; k < 80 && h0 * h1 > 0; ++k)
      {
        if (p_.series_resistance <= 0 && (V1 - Vs) * (V0 - Vs) <= 0)
          V1 = 0.5 * (V0 + Vs); // stay on the root's side of V_s
        const auto I1o = eval(V1);
        if (!I1o)
          {
            step *= 0.5; // the junction solve failed: approach more gently
            V1 = V0 + step;
            continue;
          }
        I1 = *I1o;
        h1 = h_of(V1, I1);
        if (done(I1, h1))
          return accept(V1, I1);
        if (h0 * h1 > 0)
          {
            V0 = V1, I0 = I1, h0 = h1;
            step *= 2;
            V1 = V0 + step;
          }
      }
    if (h0 * h1 > 0)
      return s;
    // Illinois (modified regula falsi) on the bracket, with bisection when
    // the bracket does not at least halve every two iterations
    double Va = V0, ha = h0, Ia = I0, Vb = V1, hb = h1, Ib = I1;
    double width = std::abs(Vb - Va);
    for (int k = 0; k < 200; ++k)
      {
        if (done(Ib, hb) || std::abs(Vb - Va) < vtol)
          return std::abs(hb) <= std::abs(ha) ? accept(Vb, Ib) : accept(Va, Ia);
        double Vc = (Va * hb - Vb * ha) / (hb - ha);
        if (k % 2 == 1)
          {
            if (std::abs(Vb - Va) > 0.5 * width)
              Vc = 0.5 * (Va + Vb);
            width = std::abs(Vb - Va);
          }
        const auto Ico = eval(Vc);
        if (!Ico)
          return s;
        const double hc = h_of(Vc, *Ico);
        if (hc * hb < 0)
          {
            Va = Vb, ha = hb, Ia = Ib;
          }
        else
          ha *= 0.5; // Illinois modification: avoids one-sided convergence
        Vb = Vc, hb = hc, Ib = *Ico;
      }
    return s;
  }
} // namespace otj
