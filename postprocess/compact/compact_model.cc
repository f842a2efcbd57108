// Compact model: tables, interpolation and the adaptive integration (see the header).
#include "compact/compact_model.h"

#include "output/atomic_file.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <stdexcept>

namespace otj
{
  namespace
  {
    constexpr double rate_floor    = 1e-12; ///< 1/s: rates below it count as zero in the log interpolation
    constexpr double current_scale = 1e-15; ///< A

    /// Index i and weight f with x ~ (1 - f) g[i] + f g[i + 1]; clamped at the ends.
    std::pair<std::size_t, double> locate(const std::vector<double> &g, double x)
    {
      if (g.size() == 1 || x <= g.front())
        return {0, 0.0};
      if (x >= g.back())
        return {g.size() - 2, 1.0};
      const std::size_t i = std::upper_bound(g.begin(), g.end(), x) - g.begin() - 1;
      return {i, (x - g[i]) / (g[i + 1] - g[i])};
    }

    /// Bilinear interpolation of asinh(table / scale), transformed back.
    double interpolate(const std::vector<double> &ga, const std::vector<double> &gb,
                       const std::vector<std::vector<double>> &t, double a, double b, double scale)
    {
      const auto [i, fa] = locate(ga, a);
      const auto [j, fb] = locate(gb, b);
      auto       T       = [&](std::size_t p, std::size_t q) {
        return std::asinh(t[std::min(p, ga.size() - 1)][std::min(q, gb.size() - 1)] / scale);
      };
      const double v = (1 - fa) * ((1 - fb) * T(i, j) + fb * T(i, j + 1)) + fa * ((1 - fb) * T(i + 1, j) + fb * T(i + 1, j + 1));
      return scale * std::sinh(v);
    }

    void check_grid(const std::vector<double> &g, const std::string &name, const std::string &where)
    {
      if (g.empty())
        throw std::invalid_argument(where + ": compact model grid '" + name + "' is empty");
      for (std::size_t i = 1; i < g.size(); ++i)
        if (!(g[i] > g[i - 1]))
          throw std::invalid_argument(where + ": compact model grid '" + name + "' is not increasing");
    }

    void check_table(const std::vector<std::vector<double>> &t, std::size_t n, std::size_t m, const std::string &name,
                     const std::string &where)
    {
      if (t.size() != n)
        throw std::invalid_argument(where + ": compact model table '" + name + "' has " + std::to_string(t.size()) +
                                    " rows, expected " + std::to_string(n));
      for (const auto &r : t)
        {
          if (r.size() != m)
            throw std::invalid_argument(where + ": compact model table '" + name + "' has a row of " +
                                        std::to_string(r.size()) + " values, expected " + std::to_string(m));
          for (double x : r)
            if (!std::isfinite(x))
              throw std::invalid_argument(where + ": compact model table '" + name + "' holds a non-finite value");
        }
    }
  } // namespace

  nlohmann::json CompactModelParameters::to_json() const
  {
    return {{"model",
             "dv/dt = k_in p - (k_out + k_trap) v + k_detrap w, dw/dt = k_trap v - k_detrap w, p = 1 - v - w; "
             "rates log-linear in V between the training voltages; I = I(V, w + kappa v) bilinear in asinh(I / 1e-15 A)"},
            {"rate_voltages_V", rate_voltages},
            {"rates_per_s", rates},
            {"rate_order", {"k_in (Pt layer -> film)", "k_out (film -> Pt layer)", "k_trap (film -> interface)",
                            "k_detrap (interface -> film)"}},
            {"tau_v_s", tau_v},
            {"kappa", kappa},
            {"current_voltages_V", current_voltages},
            {"s_nodes", s_nodes},
            {"current_A", current},
            {"read_voltage_V", read_voltage},
            {"provenance", provenance}};
  }

  CompactModelParameters CompactModelParameters::from_json(const nlohmann::json &j, const std::string &where)
  {
    CompactModelParameters p;
    try
      {
        p.rate_voltages    = j.at("rate_voltages_V").get<std::vector<double>>();
        p.rates            = j.at("rates_per_s").get<std::vector<std::array<double, 4>>>();
        p.tau_v            = j.at("tau_v_s").get<double>();
        p.kappa            = j.at("kappa").get<double>();
        p.current_voltages = j.at("current_voltages_V").get<std::vector<double>>();
        p.s_nodes          = j.at("s_nodes").get<std::vector<double>>();
        p.current          = j.at("current_A").get<std::vector<std::vector<double>>>();
        p.read_voltage     = j.at("read_voltage_V").get<double>();
        if (j.contains("provenance"))
          p.provenance = j.at("provenance");
      }
    catch (const nlohmann::json::exception &e)
      {
        throw std::invalid_argument(where + ": not a compact model parameter file (" + e.what() + ")");
      }
    p.check(where);
    return p;
  }

  void CompactModelParameters::check(const std::string &where) const
  {
    check_grid(rate_voltages, "rate_voltages_V", where);
    check_grid(current_voltages, "current_voltages_V", where);
    check_grid(s_nodes, "s_nodes", where);
    if (rates.size() != rate_voltages.size())
      throw std::invalid_argument(where + ": compact model has " + std::to_string(rates.size()) + " rate rows for " +
                                  std::to_string(rate_voltages.size()) + " voltages");
    for (const auto &r : rates)
      for (double k : r)
        if (!(k >= 0) || !std::isfinite(k))
          throw std::invalid_argument(where + ": compact model rates must be finite and non-negative");
    check_table(current, current_voltages.size(), s_nodes.size(), "current_A", where);
    if (!(tau_v > 0) || !std::isfinite(kappa))
      throw std::invalid_argument(where + ": compact model needs tau_v_s > 0 and a finite kappa");
  }

  void CompactModelParameters::write_csv(const std::string &dir) const
  {
    auto table = [&](const std::string &file, const std::string &row_name, const std::vector<double> &rows,
                     const std::string &col_name, const std::vector<double> &cols,
                     const std::vector<std::vector<double>> &t) {
      write_atomically(dir + "/" + file, [&](std::ostream &o) {
        o << std::setprecision(10) << row_name;
        for (double c : cols)
          o << ',' << col_name << '=' << c;
        o << '\n';
        for (std::size_t i = 0; i < rows.size(); ++i)
          {
            o << rows[i];
            for (double x : t[i])
              o << ',' << x;
            o << '\n';
          }
      });
    };
    write_atomically(dir + "/compact_rates.csv", [&](std::ostream &o) {
      o << std::setprecision(10) << "voltage_V,k_in_per_s,k_out_per_s,k_trap_per_s,k_detrap_per_s\n";
      for (std::size_t i = 0; i < rate_voltages.size(); ++i)
        o << rate_voltages[i] << ',' << rates[i][0] << ',' << rates[i][1] << ',' << rates[i][2] << ',' << rates[i][3]
          << '\n';
    });
    table("compact_current.csv", "voltage_V", current_voltages, "s", s_nodes, current);
    write_atomically(dir + "/compact_scalars.csv", [&](std::ostream &o) {
      o << std::setprecision(10) << "name,value,unit\ntau_v," << tau_v << ",s\nkappa," << kappa << ",1\nread_voltage,"
        << read_voltage << ",V\n";
    });
  }

  CompactModel::CompactModel(CompactModelParameters p)
    : p_(std::move(p))
  {
    p_.check("compact model");
  }

  std::array<double, 4> CompactModel::rates(const double V) const
  {
    const auto [i, f] = locate(p_.rate_voltages, V);
    const std::size_t j = std::min(i + 1, p_.rates.size() - 1);
    std::array<double, 4> k;
    for (unsigned m = 0; m < 4; ++m)
      k[m] = std::exp((1 - f) * std::log(p_.rates[i][m] + rate_floor) + f * std::log(p_.rates[j][m] + rate_floor)) - rate_floor;
    for (double &x : k)
      x = std::max(x, 0.0);
    return k;
  }

  CompactState CompactModel::derivative(const double V, const CompactState &s) const
  {
    const auto   k = rates(V);
    const double p = std::max(0.0, 1 - s.v - s.w), free = std::max(0.0, 1 - s.w);
    return {k[2] * s.v * free - k[3] * s.w, k[0] * p - (k[1] + k[2] * free) * s.v + k[3] * s.w};
  }

  double CompactModel::current(const double V, const CompactState &s) const
  {
    return interpolate(p_.current_voltages, p_.s_nodes, p_.current, V, s.w + p_.kappa * s.v, current_scale);
  }

  double CompactModel::conductance(const CompactState &s) const { return current(p_.read_voltage, s) / p_.read_voltage; }

  namespace
  {
    using Mat3 = std::array<std::array<double, 3>, 3>;
    Mat3 multiply(const Mat3 &a, const Mat3 &b)
    {
      Mat3 c{};
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
          for (int k = 0; k < 3; ++k)
            c[i][j] += a[i][k] * b[k][j];
      return c;
    }
    /// exp(M) by scaling and squaring with a degree-12 Taylor polynomial
    /// (Moler & Van Loan, SIAM Rev. 45, 3 (2003), method 3).
    Mat3 expm(Mat3 m)
    {
      double norm = 0;
      for (const auto &r : m)
        norm = std::max(norm, std::abs(r[0]) + std::abs(r[1]) + std::abs(r[2]));
      int squarings = norm > 0.25 ? int(std::ceil(std::log2(norm / 0.25))) : 0;
      const double scale = std::ldexp(1.0, -squarings);
      for (auto &r : m)
        for (double &x : r)
          x *= scale;
      Mat3 e{}, term{};
      for (int i = 0; i < 3; ++i)
        e[i][i] = term[i][i] = 1.0;
      for (int k = 1; k <= 12; ++k)
        {
          term = multiply(term, m);
          for (auto &r : term)
            for (double &x : r)
              x /= k;
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j)
              e[i][j] += term[i][j];
        }
      for (int k = 0; k < squarings; ++k)
        e = multiply(e, e);
      return e;
    }
  } // namespace

  CompactState CompactModel::step(const CompactState &s, const double V, const double h) const
  {
    // at fixed V and with the free interface share (1 - w) frozen at the step's
    // start, the state equations are affine: y' = M y with y = (w, v, 1)
    const auto   k    = rates(V);
    const double free = std::max(0.0, 1 - s.w);
    Mat3 M{};
    M[0] = {{-k[3] * h, k[2] * free * h, 0.0}};
    M[1] = {{(k[3] - k[0]) * h, -(k[0] + k[1] + k[2] * free) * h, k[0] * h}};
    const Mat3 E = expm(M);
    return {E[0][0] * s.w + E[0][1] * s.v + E[0][2], E[1][0] * s.w + E[1][1] * s.v + E[1][2]};
  }

  std::vector<CompactSample> CompactModel::integrate(const PiecewiseLinearWaveform &wf, CompactState s,
                                                     const std::vector<double> &times, const double rtol,
                                                     unsigned int *steps) const
  {
    // Exponential integrator: the exact solution for the voltage at the step's
    // midpoint (second order where V varies, exact where it is constant), with
    // the step size controlled by step doubling. L-stable: the fast volatile
    // rates (~1e9 1/s) cost nothing on long holds.
    std::vector<double> stops = wf.corners();
    stops.insert(stops.end(), times.begin(), times.end());
    std::sort(stops.begin(), stops.end());
    stops.erase(std::unique(stops.begin(), stops.end()), stops.end());
    std::vector<CompactSample> out;
    double                     t = wf.start_time(), h = 1e-12;
    std::size_t                next = 0;
    unsigned int               n_steps = 0;
    auto sample = [&]() {
      while (next < times.size() && times[next] <= t + 1e-12 * std::max(1e-9, std::abs(t)))
        {
          if (std::abs(times[next] - t) <= 1e-12 * std::max(1e-9, std::abs(t)))
            out.push_back({t, wf.value(t), current(wf.value(t), s), s});
          ++next;
        }
    };
    sample();
    for (double stop : stops)
      {
        if (stop <= t)
          continue;
        while (t < stop)
          {
            h = std::min(h, stop - t);
            const CompactState one  = step(s, wf.value(t + 0.5 * h), h);
            const CompactState half = step(s, wf.value(t + 0.25 * h), 0.5 * h);
            const CompactState two  = step(half, wf.value(t + 0.75 * h), 0.5 * h);
            const double err = std::max(std::abs(one.w - two.w) / (rtol * std::max(std::abs(two.w), 1e-4)),
                                        std::abs(one.v - two.v) / (rtol * std::max(std::abs(two.v), 1e-4)));
            if (err <= 1.0 || h < 1e-15)
              {
                t = (stop - (t + h) <= 1e-14 * std::max(1e-9, std::abs(stop))) ? stop : t + h;
                // Richardson extrapolation of the second-order pair
                s.w = std::clamp(two.w + (two.w - one.w) / 3.0, 0.0, 1.0);
                s.v = std::clamp(two.v + (two.v - one.v) / 3.0, 0.0, 1.0 - s.w);
                ++n_steps;
                sample();
              }
            h *= std::clamp(0.9 * std::pow(std::max(err, 1e-12), -1.0 / 3.0), 0.2, 10.0);
          }
      }
    if (steps)
      *steps = n_steps;
    return out;
  }
} // namespace otj
