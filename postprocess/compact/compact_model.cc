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
    constexpr double current_scale = CompactModel::current_scale;

    /// A rate between two training voltages, interpolated linearly in ln(k + floor)
    /// (the sinh-like field dependence of a hop over a barrier).
    inline double log_interpolated_rate(double a, double b, double f)
    {
      return std::max(0.0, std::exp((1 - f) * std::log(a + rate_floor) + f * std::log(b + rate_floor)) - rate_floor);
    }

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
             "chain p <-> v_1 <-> ... <-> v_N <-> w, flux_i = k_i+ x_i - k_i- x_{i+1}; the last link "
             "k_N+ v_N exp(-g+ w) - k_N- w exp(g- w); rates log-linear, g+- linear in V between the training voltages; I = I(V, w + sum kappa_i v_i) bilinear in "
             "asinh(I / 1e-15 A)"},
            {"rate_voltages_V", rate_voltages},
            {"film_cells", film_cells},
            {"rates_per_s", rates},
            {"interface_capture_coupling", capture_coupling},
            {"interface_release_coupling", release_coupling},
            {"film_coupling", film_coupling},
            {"pt_link_coupling", pt_link_coupling},
            {"pt_self_coupling", pt_self_coupling},
            {"interface_capture_screening", capture_screening},
            {"film_coupling_screening", film_screening},
            {"rate_order", "k_0+, k_0-, ..., k_N+, k_N-: link 0 Pt layer <-> first film slab, link N last slab <-> interface"},
            {"tau_v_s", tau_v},
            {"kappa", kappa},
            {"kappa_per_slab", cell_kappa},
            {"hidden_cells", hidden_cells},
            {"depth_split_nm", depth_split_nm},
            {"depth_rates_per_s", depth_rates},
            {"depth_coupling", depth_coupling},
            {"node_depth", node_depth},
            {"depth_slope", depth_slope},
            {"depth_phi_range", depth_phi_range},
            {"film_slope", film_slope},
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
        p.film_cells       = j.at("film_cells").get<unsigned int>();
        p.rates            = j.at("rates_per_s").get<std::vector<std::vector<double>>>();
        if (j.contains("interface_capture_coupling"))
          p.capture_coupling = j.at("interface_capture_coupling").get<std::vector<double>>();
        if (j.contains("interface_release_coupling"))
          p.release_coupling = j.at("interface_release_coupling").get<std::vector<double>>();
        if (j.contains("film_coupling"))
          p.film_coupling = j.at("film_coupling").get<std::vector<double>>();
        if (j.contains("pt_self_coupling"))
          p.pt_self_coupling = j.at("pt_self_coupling").get<std::vector<double>>();
        if (j.contains("pt_link_coupling"))
          p.pt_link_coupling = j.at("pt_link_coupling").get<std::vector<double>>();
        if (j.contains("film_coupling_screening"))
          p.film_screening = j.at("film_coupling_screening").get<double>();
        if (j.contains("interface_capture_screening"))
          p.capture_screening = j.at("interface_capture_screening").get<double>();
        p.tau_v            = j.at("tau_v_s").get<double>();
        p.kappa            = j.at("kappa").get<double>();
        if (j.contains("kappa_per_slab"))
          p.cell_kappa = j.at("kappa_per_slab").get<std::vector<double>>();
        if (j.contains("hidden_cells"))
          p.hidden_cells = j.at("hidden_cells").get<unsigned int>();
        if (j.contains("depth_rates_per_s"))
          {
            p.depth_split_nm = j.at("depth_split_nm").get<double>();
            p.depth_rates    = j.at("depth_rates_per_s").get<std::vector<std::vector<double>>>();
            p.depth_coupling = j.at("depth_coupling").get<std::vector<double>>();
            p.node_depth     = j.at("node_depth").get<std::vector<double>>();
            p.depth_slope    = j.at("depth_slope").get<std::vector<std::vector<double>>>();
            if (j.contains("depth_phi_range"))
              p.depth_phi_range = j.at("depth_phi_range").get<std::vector<double>>();
          }
        if (j.contains("film_slope"))
          p.film_slope = j.at("film_slope").get<std::vector<std::vector<double>>>();
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
    if (film_cells < 1)
      throw std::invalid_argument(where + ": compact model needs at least one film cell");
    for (const auto &r : rates)
      {
        if (r.size() != 2 * (film_cells + 1))
          throw std::invalid_argument(where + ": compact model rate rows need 2 (film_cells + 1) values");
      }
    for (const auto *g : {&capture_coupling, &release_coupling, &film_coupling, &pt_link_coupling, &pt_self_coupling})
      {
        if (!g->empty() && g->size() != rate_voltages.size())
          throw std::invalid_argument(where + ": compact model couplings need one value per rate voltage");
        for (double x : *g)
          if (!std::isfinite(x))
            throw std::invalid_argument(where + ": compact model couplings must be finite");
      }
    for (const auto &r : rates)
      for (double k : r)
        if (!(k >= 0) || !std::isfinite(k))
          throw std::invalid_argument(where + ": compact model rates must be finite and non-negative");
    if (has_depth())
      {
        check_table(depth_rates, rate_voltages.size(), 2, "depth_rates_per_s", where);
        for (const auto &r : depth_rates)
          for (double k : r)
            if (!(k >= 0))
              throw std::invalid_argument(where + ": compact model depth rates must be non-negative");
        if (depth_coupling.size() != rate_voltages.size())
          throw std::invalid_argument(where + ": compact model depth_coupling needs one value per rate voltage");
      }
    if (!node_depth.empty())
      {
        check_table({node_depth}, 1, s_nodes.size(), "node_depth", where);
        check_table(depth_slope, current_voltages.size(), s_nodes.size(), "depth_slope", where);
      }
    if (!depth_phi_range.empty() &&
        !(depth_phi_range.size() == 2 && depth_phi_range[0] >= 0 && depth_phi_range[0] <= depth_phi_range[1] &&
          depth_phi_range[1] <= 1))
      throw std::invalid_argument(where + ": compact model depth_phi_range must be [phi_min, phi_max] within [0, 1]");
    check_table(current, current_voltages.size(), s_nodes.size(), "current_A", where);
    if (!film_slope.empty())
      check_table(film_slope, current_voltages.size(), s_nodes.size(), "film_slope", where);
    if (!(tau_v > 0) || !std::isfinite(kappa))
      throw std::invalid_argument(where + ": compact model needs tau_v_s > 0 and a finite kappa");
    if (!(film_screening >= 0) || !std::isfinite(film_screening))
      throw std::invalid_argument(where + ": compact model film_coupling_screening must be finite and >= 0");
    if (!(capture_screening >= 0) || !std::isfinite(capture_screening))
      throw std::invalid_argument(where + ": compact model interface_capture_screening must be finite and >= 0");
    if (hidden_cells >= film_cells)
      throw std::invalid_argument(where + ": compact model needs hidden_cells < film_cells");
    if (!cell_kappa.empty() && cell_kappa.size() != film_cells)
      throw std::invalid_argument(where + ": compact model kappa_per_slab needs one value per film cell");
    for (double x : cell_kappa)
      if (!std::isfinite(x))
        throw std::invalid_argument(where + ": compact model kappa_per_slab must be finite");
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
      o << std::setprecision(10) << "voltage_V";
      for (unsigned i = 0; i <= film_cells; ++i)
        o << ",k" << i << "_forward_per_s,k" << i << "_backward_per_s";
      o << ",capture_coupling,release_coupling,film_coupling,pt_link_coupling,pt_self_coupling\n";
      for (std::size_t i = 0; i < rate_voltages.size(); ++i)
        {
          o << rate_voltages[i];
          for (double k : rates[i])
            o << ',' << k;
          o << ',' << (capture_coupling.empty() ? 0.0 : capture_coupling[i]) << ','
            << (release_coupling.empty() ? 0.0 : release_coupling[i]) << ','
            << (film_coupling.empty() ? 0.0 : film_coupling[i]) << ','
            << (pt_link_coupling.empty() ? (film_coupling.empty() ? 0.0 : film_coupling[i]) : pt_link_coupling[i])
            << ',' << (pt_self_coupling.empty() ? 0.0 : pt_self_coupling[i]) << '\n';
        }
    });
    table("compact_current.csv", "voltage_V", current_voltages, "s", s_nodes, current);
    if (!film_slope.empty())
      table("compact_film_slope.csv", "voltage_V", current_voltages, "s", s_nodes, film_slope);
    if (has_depth())
      {
        write_atomically(dir + "/compact_depth_rates.csv", [&](std::ostream &o) {
          o << std::setprecision(10) << "voltage_V,k_d_plus_per_s,k_d_minus_per_s,g_d\n";
          for (std::size_t i = 0; i < rate_voltages.size(); ++i)
            o << rate_voltages[i] << ',' << depth_rates[i][0] << ',' << depth_rates[i][1] << ',' << depth_coupling[i]
              << '\n';
        });
        if (!node_depth.empty())
          {
            std::vector<std::vector<double>> with_phi = depth_slope;
            with_phi.insert(with_phi.begin(), node_depth);
            std::vector<double> rows = current_voltages;
            rows.insert(rows.begin(), std::nan(""));
            table("compact_depth_slope.csv", "voltage_V (nan: phi of the table's states)", rows, "s", s_nodes, with_phi);
          }
      }
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

  std::vector<double> CompactModel::rates(const double V) const
  {
    const auto [i, f] = locate(p_.rate_voltages, V);
    const std::size_t   j = std::min(i + 1, p_.rates.size() - 1);
    std::vector<double> k(p_.rates[i].size());
    for (std::size_t m = 0; m < k.size(); ++m)
      k[m] = log_interpolated_rate(p_.rates[i][m], p_.rates[j][m], f);
    return k;
  }

  double CompactModel::per_voltage(const std::vector<double> &c, const double V, const double if_empty) const
  {
    if (c.empty())
      return if_empty;
    const auto [i, f] = locate(p_.rate_voltages, V);
    const std::size_t j = std::min(i + 1, p_.rate_voltages.size() - 1);
    return (1 - f) * c[i] + f * c[j];
  }

  std::pair<double, double> CompactModel::couplings(const double V) const
  {
    return {per_voltage(p_.capture_coupling, V, 0.0), per_voltage(p_.release_coupling, V, 0.0)};
  }

  double CompactModel::pt_self_coupling(const double V) const { return per_voltage(p_.pt_self_coupling, V, 0.0); }

  double CompactModel::pt_link_coupling(const double V) const
  {
    return per_voltage(p_.pt_link_coupling, V, film_coupling(V));
  }

  double CompactModel::film_coupling(const double V) const { return per_voltage(p_.film_coupling, V, 0.0); }

  std::array<double, 3> CompactModel::depth_exchange(const double V) const
  {
    if (!p_.has_depth())
      return {{0.0, 0.0, 0.0}};
    const auto [i, f] = locate(p_.rate_voltages, V);
    const std::size_t j = std::min(i + 1, p_.rate_voltages.size() - 1);
    auto lk = [&](std::size_t m) { return log_interpolated_rate(p_.depth_rates[i][m], p_.depth_rates[j][m], f); };
    return {{lk(0), lk(1), (1 - f) * p_.depth_coupling[i] + f * p_.depth_coupling[j]}};
  }

  namespace
  {
    /// The depth exchange flux k_d+ e^{-g w_d} (w - w_d) - k_d- e^{g w_d} w_d.
    inline double depth_flux(const std::array<double, 3> &d, double w, double wd)
    {
      return d[0] * std::exp(-d[2] * wd) * (w - wd) - d[1] * std::exp(d[2] * wd) * wd;
    }

    /// The capture exponent's coverage E(w) and dE/dw: the Frumkin interaction g+ w, or,
    /// with a screening coverage w_s > 0, g+ w_s (1 - exp(-w / w_s)): the repulsion of the
    /// trapped charge grows linearly at first and saturates once the electrons of the
    /// degenerate Nb:SrTiO3 screen it (Thomas-Fermi screening; Ashcroft & Mermin ch. 17),
    /// as the PDE's capture rate shows (ln k_eff falls by ~3 over w 0 .. 0.15 and then by
    /// ~0.5 over w 0.2 .. 0.7 at 1.6-2.4 V).
    inline double capture_coverage(double w, double ws) { return ws > 0 ? ws * (1 - std::exp(-w / ws)) : w; }
    inline double capture_coverage_slope(double w, double ws) { return ws > 0 ? std::exp(-w / ws) : 1.0; }

    /// The chain's fluxes flux_0 .. flux_N at state s with rates k and interface couplings g.
    std::vector<double> chain_fluxes(const std::vector<double> &k, const std::pair<double, double> &g,
                                     const double gf, const double g0, const double gp, const CompactState &s,
                                     const double ws, const double fs)
    {
      const std::size_t   N = s.v.size();
      std::vector<double> x(N + 2); // p, v_1 .. v_N, w
      x[0] = std::max(0.0, 1 - s.volatile_share() - s.w);
      for (std::size_t i = 0; i < N; ++i)
        x[i + 1] = s.v[i];
      x[N + 1] = s.w;
      std::vector<double> f(N + 1);
      for (std::size_t i = 0; i <= N; ++i)
        {
          const double gl = i == 0 ? g0 : gf; // the link out of the Pt-side layer, or a film link
          const double sp = i == 0 ? std::exp(gp * x[0]) : 1.0; // the Pt-side layer's self-interaction
          f[i] = k[2 * i] * x[i] * sp *
                   (i == N ? std::exp(-g.first * capture_coverage(s.w, ws)) : std::exp(-gl * capture_coverage(s.w, fs))) -
                 k[2 * i + 1] * x[i + 1] / sp *
                   (i == N ? std::exp(g.second * s.w) : std::exp(gl * capture_coverage(s.w, fs)));
        }
      return f;
    }
  } // namespace

  CompactState CompactModel::derivative(const double V, const CompactState &s) const
  {
    const auto   f = chain_fluxes(rates(V), couplings(V), film_coupling(V), pt_link_coupling(V), pt_self_coupling(V), s,
                                  p_.capture_screening, p_.film_screening);
    CompactState d;
    d.w = f.back();
    if (p_.has_depth())
      d.w_deep = depth_flux(depth_exchange(V), s.w, s.w_deep);
    d.v.resize(s.v.size());
    for (std::size_t i = 0; i < s.v.size(); ++i)
      d.v[i] = f[i] - f[i + 1];
    return d;
  }

  double CompactModel::current(const double V, const CompactState &s) const
  {
    const double st = read_state(s);
    if (!p_.film_slope.empty())
      {
        // gamma(V, s) v_film in asinh(I / I0), on top of the depth correction
        const auto [k, f]    = locate(p_.s_nodes, st);
        const std::size_t k1 = std::min(k + 1, p_.s_nodes.size() - 1);
        const auto [i, g]    = locate(p_.current_voltages, V);
        const std::size_t i1 = std::min(i + 1, p_.current_voltages.size() - 1);
        auto G = [&](std::size_t a, std::size_t b) { return p_.film_slope[a][b]; };
        const double gamma = (1 - g) * ((1 - f) * G(i, k) + f * G(i, k1)) + g * ((1 - f) * G(i1, k) + f * G(i1, k1));
        const double u     = std::asinh(depth_corrected_current(V, s, st) / current_scale);
        return current_scale * std::sinh(u + gamma * film_share(s));
      }
    return depth_corrected_current(V, s, st);
  }

  double CompactModel::depth_corrected_current(const double V, const CompactState &s, const double st) const
  {
    if (p_.node_depth.empty() || !(s.w > 1e-9))
      return interpolate(p_.current_voltages, p_.s_nodes, p_.current, V, st, current_scale);
    // the depth correction beta(V, s) (phi - phi_table(s)) of asinh(I / I0)
    const auto [k, f]    = locate(p_.s_nodes, st);
    const std::size_t k1 = std::min(k + 1, p_.s_nodes.size() - 1);
    const double phi_table = (1 - f) * p_.node_depth[k] + f * p_.node_depth[k1];
    const double lo = p_.depth_phi_range.empty() ? 0.0 : p_.depth_phi_range[0];
    const double hi = p_.depth_phi_range.empty() ? 1.0 : p_.depth_phi_range[1];
    const double phi       = std::clamp(s.w_deep / s.w, lo, hi);
    const auto [i, g]      = locate(p_.current_voltages, V);
    const std::size_t i1   = std::min(i + 1, p_.current_voltages.size() - 1);
    auto B = [&](std::size_t a, std::size_t b) { return p_.depth_slope[a][b]; };
    const double beta = (1 - g) * ((1 - f) * B(i, k) + f * B(i, k1)) + g * ((1 - f) * B(i1, k) + f * B(i1, k1));
    const double u    = std::asinh(interpolate(p_.current_voltages, p_.s_nodes, p_.current, V, st, current_scale) /
                                current_scale);
    return current_scale * std::sinh(u + beta * (phi - phi_table));
  }

  double CompactModel::read_state(const CompactState &s) const
  {
    double st = s.w;
    for (std::size_t i = p_.hidden_cells; i < s.v.size(); ++i) // hidden cells are not read
      st += (p_.cell_kappa.empty() ? p_.kappa : p_.cell_kappa[i]) * s.v[i];
    return st;
  }

  double CompactModel::film_share(const CompactState &s) const
  {
    double t = 0;
    for (std::size_t i = p_.hidden_cells; i < s.v.size(); ++i)
      t += s.v[i];
    return t;
  }

  double CompactModel::conductance(const CompactState &s) const { return current(p_.read_voltage, s) / p_.read_voltage; }

  namespace
  {
    /// Dense n x n matrices in row-major flat storage; the step's workspace
    /// is kept per thread so that the millions of steps of the protocols do
    /// not allocate (the nested-vector version spent 45 % in malloc / free).
    struct ExpmWorkspace
    {
      std::vector<double>      m, e, term, tmp, a2, a3, a4;
      std::vector<double>      b;   ///< the rational step's right-hand side
      std::vector<std::size_t> piv; ///< its pivots
      void resize(std::size_t n)
      {
        for (auto *v : {&m, &e, &term, &tmp, &a2, &a3, &a4})
          v->assign(n * n, 0.0);
        b.resize(n), piv.resize(n);
      }
    };

    /// c = a b for a compile-time size n (the compiler unrolls and vectorises the inner
    /// loop: the protocols spend most of their time here).
    template <std::size_t n>
    void multiply_fixed(const double *a, const double *b, double *c)
    {
      for (std::size_t i = 0; i < n; ++i)
        {
          double row[n] = {};
          for (std::size_t k = 0; k < n; ++k)
            {
              const double aik = a[i * n + k];
              for (std::size_t j = 0; j < n; ++j)
                row[j] += aik * b[k * n + j];
            }
          for (std::size_t j = 0; j < n; ++j)
            c[i * n + j] = row[j];
        }
    }

    /// c = a b (n x n, row-major); c must not alias a or b.
    void multiply(const double *a, const double *b, double *c, const std::size_t n)
    {
      switch (n) // chains of 1 .. 10 film cells (n = cells + 2, cells + 3 with the depth state)
        {
          case 3: return multiply_fixed<3>(a, b, c);
          case 4: return multiply_fixed<4>(a, b, c);
          case 5: return multiply_fixed<5>(a, b, c);
          case 6: return multiply_fixed<6>(a, b, c);
          case 7: return multiply_fixed<7>(a, b, c);
          case 8: return multiply_fixed<8>(a, b, c);
          case 9: return multiply_fixed<9>(a, b, c);
          case 10: return multiply_fixed<10>(a, b, c);
          case 11: return multiply_fixed<11>(a, b, c);
          case 12: return multiply_fixed<12>(a, b, c);
          default: break;
        }
      std::fill(c, c + n * n, 0.0);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < n; ++k)
          {
            const double aik = a[i * n + k];
            if (aik != 0.0)
              for (std::size_t j = 0; j < n; ++j)
                c[i * n + j] += aik * b[k * n + j];
          }
    }

    /// Chains longer than this many rows use the rational step below instead of the dense
    /// matrix exponential (whose ~50 n x n products per step made a 20-slab chain's rate
    /// fits take hours).
    constexpr std::size_t dense_exponential_max = 12;

    /// y <- R(Z) y with the (1, 2) Pade approximant of exp, R(z) = (1 + z / 3) / (1 - 2 z / 3 + z^2 / 6)
    /// (third order, L-stable: R(z) -> 0 as z -> -infinity, so the stiff film modes are damped
    /// on long steps; Hairer & Wanner, Solving ODEs II, section IV.4), applied `times` times
    /// to y with one LU factorisation (partial pivoting) of the denominator. Z = w.m (n x n).
    void pade12_apply(ExpmWorkspace &w, const std::size_t n, std::vector<double> &y, const unsigned times,
                      std::vector<double> *first = nullptr)
    {
      multiply(w.m.data(), w.m.data(), w.a2.data(), n); // Z^2 (the product skips Z's zeros)
      auto &D = w.e;                                     // the denominator, factorised in place
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
          D[i * n + j] = (i == j ? 1.0 : 0.0) - 2.0 / 3.0 * w.m[i * n + j] + w.a2[i * n + j] / 6.0;
      auto &piv = w.piv;
      for (std::size_t k = 0; k < n; ++k)
        {
          std::size_t p = k;
          for (std::size_t i = k + 1; i < n; ++i)
            if (std::abs(D[i * n + k]) > std::abs(D[p * n + k]))
              p = i;
          piv[k] = p;
          if (p != k)
            for (std::size_t j = 0; j < n; ++j)
              std::swap(D[k * n + j], D[p * n + j]);
          const double d = D[k * n + k];
          if (d == 0.0)
            continue;
          for (std::size_t i = k + 1; i < n; ++i)
            {
              const double l = D[i * n + k] / d;
              D[i * n + k]   = l;
              if (l != 0.0)
                for (std::size_t j = k + 1; j < n; ++j)
                  D[i * n + j] -= l * D[k * n + j];
            }
        }
      auto &b = w.b;
      for (unsigned r = 0; r < times; ++r)
        {
          for (std::size_t i = 0; i < n; ++i)
            {
              double z = 0;
              for (std::size_t j = 0; j < n; ++j)
                z += w.m[i * n + j] * y[j];
              b[i] = y[i] + z / 3.0;
            }
          for (std::size_t k = 0; k < n; ++k)
            if (piv[k] != k)
              std::swap(b[k], b[piv[k]]);
          for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < i; ++j)
              b[i] -= D[i * n + j] * b[j];
          for (std::size_t i = n; i-- > 0;)
            {
              for (std::size_t j = i + 1; j < n; ++j)
                b[i] -= D[i * n + j] * b[j];
              b[i] /= D[i * n + i];
            }
          y = b;
          if (r == 0 && first)
            *first = y;
        }
    }

    /// w.e <- exp(w.m) by scaling and squaring with a degree-12 Taylor
    /// polynomial (Moler & Van Loan, SIAM Rev. 45, 3 (2003), method 3).
    void expm(ExpmWorkspace &w, const std::size_t n)
    {
      double norm = 0;
      for (std::size_t i = 0; i < n; ++i)
        {
          double s = 0;
          for (std::size_t j = 0; j < n; ++j)
            s += std::abs(w.m[i * n + j]);
          norm = std::max(norm, s);
        }
      const int    squarings = norm > 0.25 ? int(std::ceil(std::log2(norm / 0.25))) : 0;
      const double scale     = std::ldexp(1.0, -squarings);
      for (double &x : w.m)
        x *= scale;
      // the degree-12 Taylor polynomial by the Paterson-Stockmeyer scheme (Higham,
      // Functions of Matrices, SIAM 2008, section 4.2): p = B0 + A^4 (B1 + A^4 B2) with
      // B_i = sum_j c_{4i+j} A^j (B2 also holds c_12 A^4), c_k = 1 / k!: 5 products, not 11
      double c[13];
      c[0] = 1;
      for (int k = 1; k <= 12; ++k)
        c[k] = c[k - 1] / k;
      multiply(w.m.data(), w.m.data(), w.a2.data(), n);
      multiply(w.a2.data(), w.m.data(), w.a3.data(), n);
      multiply(w.a2.data(), w.a2.data(), w.a4.data(), n);
      auto block = [&](int i, std::vector<double> &out) {
        for (std::size_t q = 0; q < n * n; ++q)
          out[q] = c[4 * i + 1] * w.m[q] + c[4 * i + 2] * w.a2[q] + c[4 * i + 3] * w.a3[q] +
                   (i == 2 ? c[12] * w.a4[q] : 0.0);
        for (std::size_t d = 0; d < n; ++d)
          out[d * n + d] += c[4 * i];
      };
      block(2, w.term);
      multiply(w.a4.data(), w.term.data(), w.tmp.data(), n); // A^4 B2
      block(1, w.term);
      for (std::size_t q = 0; q < n * n; ++q)
        w.term[q] += w.tmp[q];
      multiply(w.a4.data(), w.term.data(), w.tmp.data(), n); // A^4 (B1 + A^4 B2)
      block(0, w.e);
      for (std::size_t q = 0; q < n * n; ++q)
        w.e[q] += w.tmp[q];
      for (int k = 0; k < squarings; ++k)
        {
          multiply(w.e.data(), w.e.data(), w.tmp.data(), n);
          std::swap(w.e, w.tmp);
        }
    }
  } // namespace

  CompactState CompactModel::step(const CompactState &s, const double V, const double h_full, CompactState *half) const
  {
    // with `half`: the matrix of the half step, exp(h M / 2), gives both the half step and,
    // squared, the full step exp(h M) (the same linearisation at s and the same V)
    const double h = half ? 0.5 * h_full : h_full;
    // Exponential Rosenbrock-Euler step (Hochbruck, Ostermann & Schweitzer,
    // SIAM J. Numer. Anal. 47, 786 (2009)): at fixed V the chain is linear
    // except for the interface flux F(v_N, w) = k+ v_N phi(w) - k- w psi(w),
    // phi = exp(-g+ w), psi = exp(g- w); linearised at the step's
    // start, F ~ k+ phi* v_N + F_w w + c, the system is affine, y' = M y with
    // y = (v_1 .. v_N, w, 1), and exp(h M) gives a second-order step that
    // stays stable however stiff the interface is (a frozen phi would not).
    const auto        k    = rates(V);
    const auto        g    = couplings(V);
    const bool        depth = p_.has_depth();
    const std::size_t N    = s.v.size();
    // rows / columns: v_1 .. v_N (0 .. N-1), w (N), w_d (N + 1, with the depth state), 1 (C)
    const std::size_t C = depth ? N + 2 : N + 1, n = C + 1;
    const double      ws   = std::clamp(s.w, 0.0, 1.0), vs = s.v[N - 1];
    const double      wsc   = p_.capture_screening;
    const double      eplus = std::exp(-g.first * capture_coverage(ws, wsc)), psi = std::exp(g.second * ws);
    const double      phi   = eplus, dphi = -g.first * capture_coverage_slope(ws, wsc) * eplus;
    const double      kp_N  = k[2 * N] * phi;
    const double      F_w   = k[2 * N] * vs * dphi - k[2 * N + 1] * psi * (1 + g.second * ws);
    const double      c_N   = -k[2 * N + 1] * ws * psi - F_w * ws;
    // the film links k+ e^{-g_f w} x_i - k- e^{g_f w} x_{i+1}, linearised in w at the
    // step's start like the interface flux: A x_i - B x_{i+1} + D (w - w*)
    const double      gf    = film_coupling(V), ef = std::exp(-gf * capture_coverage(ws, p_.film_screening));
    const double      g0    = pt_link_coupling(V), e0 = std::exp(-g0 * capture_coverage(ws, p_.film_screening));
    const double      gp    = pt_self_coupling(V);
    const double      def   = capture_coverage_slope(ws, p_.film_screening); // d(coverage)/dw
    auto              x_at  = [&](std::size_t i) {
      if (i == 0)
        {
          double p = 1 - ws;
          for (double v : s.v)
            p -= v;
          return std::max(0.0, p);
        }
      return s.v[i - 1];
    };
    thread_local ExpmWorkspace w;
    w.resize(n);
    auto M = [&](std::size_t r, std::size_t c) -> double & { return w.m[r * n + c]; };
    auto add_flux = [&](std::size_t link, double sign, std::size_t row) {
      if (link == N)
        {
          M(row, N - 1) += sign * kp_N * h;
          M(row, N) += sign * F_w * h;
          M(row, C) += sign * c_N * h;
          return;
        }
      // flux_link = k+ x_link - k- x_{link+1}; x_0 = p = 1 - sum v - w
      const double gl = link == 0 ? g0 : gf, el = link == 0 ? e0 : ef;
      // the Pt-side layer's self-interaction on link 0: k+ e^{g_p p} p - k- e^{-g_p p} v_1,
      // linearised in p at the step's start: slope F_p = A (1 + g_p p*) + B g_p v_1* on p,
      // and the constant -g_p p* (A p* + B v_1*) that the linearisation leaves
      const double sp = link == 0 && gp != 0.0 ? std::exp(gp * x_at(0)) : 1.0;
      const double A = k[2 * link] * el * sp, B = k[2 * link + 1] / el / sp;
      const double kp = link == 0 && gp != 0.0 ? A * (1 + gp * x_at(0)) + B * gp * x_at(1) : A, km = B;
      if (link == 0 && gp != 0.0)
        M(row, C) -= sign * gp * x_at(0) * (A * x_at(0) + B * x_at(1)) * h;
      if (gl != 0.0)
        {
          const double D = -gl * def * (A * x_at(link) + B * x_at(link + 1));
          M(row, N) += sign * D * h;
          M(row, C) -= sign * D * ws * h;
        }
      if (link == 0)
        {
          for (std::size_t c = 0; c <= N; ++c)
            M(row, c) -= sign * kp * h;
          M(row, C) += sign * kp * h;
        }
      else
        M(row, link - 1) += sign * kp * h;
      M(row, link) -= sign * km * h; // x_{link+1} is column `link` (v_{link+1})
    };
    for (std::size_t i = 0; i < N; ++i)
      {
        add_flux(i, +1.0, i);     // in from the Pt side
        add_flux(i + 1, -1.0, i); // out towards the interface
      }
    add_flux(N, +1.0, N);
    const double wd = std::clamp(s.w_deep, 0.0, ws);
    if (depth)
      {
        // the depth flux F_d(w, w_d) linearised at the step's start: A_w w + A_d w_d + c
        const auto   d   = depth_exchange(V);
        const double ep  = std::exp(-d[2] * wd), em = std::exp(d[2] * wd);
        const double A_w = d[0] * ep;
        const double A_d = -d[0] * ep * (1 + d[2] * (ws - wd)) - d[1] * em * (1 + d[2] * wd);
        const double F0  = depth_flux(d, ws, wd);
        M(N + 1, N) += A_w * h;
        M(N + 1, N + 1) += A_d * h;
        M(N + 1, C) += (F0 - A_w * ws - A_d * wd) * h;
      }
    auto y = [&](std::size_t j) { return j < N ? s.v[j] : (j == N ? s.w : (j == C ? 1.0 : wd)); };
    if (n > dense_exponential_max)
      {
        // long chains: the rational step, applied once (and once more from the half step)
        auto state_of = [&](const std::vector<double> &x) {
          CompactState r;
          r.v.assign(x.begin(), x.begin() + N);
          r.w      = x[N];
          r.w_deep = depth ? x[N + 1] : 0.0;
          return r;
        };
        std::vector<double> x(n);
        for (std::size_t j = 0; j < n; ++j)
          x[j] = y(j);
        if (!half)
          {
            pade12_apply(w, n, x, 1);
            return state_of(x);
          }
        std::vector<double> x_half;
        pade12_apply(w, n, x, 2, &x_half);
        *half = state_of(x_half);
        return state_of(x);
      }
    expm(w, n);
    auto apply = [&](const std::vector<double> &E) {
      CompactState r;
      r.v.assign(N, 0.0);
      for (std::size_t i = 0; i < N; ++i)
        for (std::size_t j = 0; j < n; ++j)
          r.v[i] += E[i * n + j] * y(j);
      for (std::size_t j = 0; j < n; ++j)
        r.w += E[N * n + j] * y(j);
      if (depth)
        for (std::size_t j = 0; j < n; ++j)
          r.w_deep += E[(N + 1) * n + j] * y(j);
      return r;
    };
    if (!half)
      return apply(w.e);
    *half = apply(w.e);
    multiply(w.e.data(), w.e.data(), w.tmp.data(), n);
    return apply(w.tmp);
  }

  std::vector<CompactSample> CompactModel::integrate(const PiecewiseLinearWaveform &wf, CompactState s,
                                                     const std::vector<double> &times, const double rtol,
                                                     unsigned int *steps, const unsigned int max_steps) const
  {
    // Exponential integrator: the exact solution for the voltage at the step's
    // midpoint (second order where V varies, exact where it is constant), with
    // the step size controlled by step doubling. L-stable: the fast volatile
    // rates (~1e9 1/s) cost nothing on long holds.
    if (s.v.size() != p_.film_cells)
      throw std::invalid_argument("CompactModel::integrate: the state has " + std::to_string(s.v.size()) +
                                  " film cells, the model " + std::to_string(p_.film_cells));
    std::vector<double> stops = wf.corners();
    stops.insert(stops.end(), times.begin(), times.end());
    std::sort(stops.begin(), stops.end());
    stops.erase(std::unique(stops.begin(), stops.end()), stops.end());
    // the state's bounds: 0 <= w_d <= w <= 1, 0 <= v_i <= 1 (w_d = 0 without the depth state)
    auto project = [&](CompactState &x) {
      x.w = std::clamp(x.w, 0.0, 1.0);
      for (double &vi : x.v)
        vi = std::clamp(vi, 0.0, 1.0);
      x.w_deep = p_.has_depth() ? std::clamp(x.w_deep, 0.0, x.w) : 0.0;
    };
    std::vector<CompactSample> out;
    double                     t = wf.start_time(), h = 1e-12;
    std::size_t                next = 0;
    unsigned int               n_steps = 0, attempts = 0;
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
            if (++attempts > max_steps)
              {
                if (steps)
                  *steps = n_steps;
                return out;
              }
            h = std::min(h, stop - t);
            // on a constant stretch of the waveform the full step and the first half step
            // share the linearisation and V: one matrix exponential serves both
            const double       V_one = wf.value(t + 0.5 * h), V_half = wf.value(t + 0.25 * h);
            CompactState       half;
            CompactState one = V_one == V_half ? step(s, V_one, h, &half) : step(s, V_one, h);
            if (V_one != V_half)
              half = step(s, V_half, 0.5 * h);
            CompactState two = step(half, wf.value(t + 0.75 * h), 0.5 * h);
            // the error of the solution the step would accept, i.e. of both results projected onto
            // the state's bounds (0 <= w_d <= w <= 1, 0 <= v_i <= 1; Shampine, Thompson, Kierzenka &
            // Byrne, Appl. Math. Comput. 170, 556 (2005)): unprojected, a depth state pressed against
            // w_d = w while w is released (at 0 V from mid-window states) carries an error that does not
            // shrink with h, and the steps stalled at ~1e-10 s (1.1 million of 1.15 million STDP steps
            // at tolerance 1e-5)
            project(one);
            project(two);
            double err = std::abs(one.w - two.w) / (rtol * std::max(std::abs(two.w), 1e-4));
            for (std::size_t i = 0; i < s.v.size(); ++i)
              err = std::max(err, std::abs(one.v[i] - two.v[i]) / (rtol * std::max(std::abs(two.v[i]), 1e-4)));
            if (p_.has_depth())
              err = std::max(err, std::abs(one.w_deep - two.w_deep) / (rtol * std::max(std::abs(two.w_deep), 1e-4)));
            if (err <= 1.0 || h < 1e-15)
              {
                t = (stop - (t + h) <= 1e-14 * std::max(1e-9, std::abs(stop))) ? stop : t + h;
                // Richardson extrapolation of the second-order pair, projected onto the bounds
                s.w      = two.w + (two.w - one.w) / 3.0;
                s.w_deep = two.w_deep + (two.w_deep - one.w_deep) / 3.0;
                for (std::size_t i = 0; i < s.v.size(); ++i)
                  s.v[i] = two.v[i] + (two.v[i] - one.v[i]) / 3.0;
                project(s);
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
