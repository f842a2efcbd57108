// Tsu-Esaki current with WKB or transfer-matrix transmission (see tsu_esaki_current.h).
#include "current/tsu_esaki_current.h"

#include "physics/constants.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>

namespace otj
{
  using namespace constants;

  double BandProfile::top() const { return *std::max_element(Ec.begin(), Ec.end()); }

  void add_image_force_lowering(BandProfile &p, const double eps_if, const double x_metal, const double cutoff)
  {
    if (!(eps_if > 0))
      return;
    const double k = elementary_charge * elementary_charge / (16 * pi * vacuum_permittivity * eps_if);
    for (std::size_t i = 0; i < p.x.size(); ++i)
      p.Ec[i] -= k / std::max(std::abs(p.x[i] - x_metal), cutoff);
  }

  WkbExponent::WkbExponent(const BandProfile &p)
    : Ec_(p.Ec)
    , coefficient_(p.x.size() > 0 ? p.x.size() - 1 : 0, 0.0)
    , s_(p.x.size())
  {
    const double flat = 1e-9 * elementary_charge;
    for (std::size_t k = 0; k + 1 < p.x.size(); ++k)
      {
        const double L = p.x[k + 1] - p.x[k], dU = std::abs(p.Ec[k + 1] - p.Ec[k]);
        const double root = std::sqrt(2 * p.mass[k] * electron_mass) / hbar;
        if (dU <= flat)
          {
            flat_.push_back(k);
            flat_coefficient_.push_back(root * L);
          }
        else
          coefficient_[k] = (2.0 / 3.0) * root * L / dU;
      }
  }

  double WkbExponent::transmission(const double E) const
  {
    const std::size_t n = Ec_.size();
    for (std::size_t k = 0; k < n; ++k) // branch-free: vectorises (built with -fno-math-errno)
      {
        const double u = std::max(Ec_[k] - E, 0.0);
        s_[k]          = u * std::sqrt(u);
      }
    double S = 0;
    for (std::size_t k = 0; k + 1 < n; ++k)
      S += coefficient_[k] * std::abs(s_[k + 1] - s_[k]);
    for (std::size_t f = 0; f < flat_.size(); ++f)
      {
        const std::size_t k = flat_[f];
        const double      u = 0.5 * (Ec_[k] + Ec_[k + 1]) - E;
        if (u > 0)
          S += flat_coefficient_[f] * std::sqrt(u);
      }
    return std::exp(-2 * S);
  }

  double TsuEsakiCurrent::wkb_transmission(const BandProfile &p, const double E)
  {
    return WkbExponent(p).transmission(E);
  }

  double TsuEsakiCurrent::transfer_matrix_transmission(const BandProfile &p, const double E, const double lead_left,
                                                       const double lead_right, const unsigned int slices,
                                                       const double lead_mass)
  {
    using cd = std::complex<double>;
    const double x0 = p.x.front(), x1 = p.x.back(), h = (x1 - x0) / slices;
    // region list: left lead, slices, right lead; wave vector k = sqrt(2m(E - V))/hbar (imaginary if forbidden)
    std::vector<double> V{lead_left}, M{lead_mass}, X{x0};
    std::size_t         seg = 0;
    for (unsigned int s = 0; s < slices; ++s)
      {
        const double xm = x0 + (s + 0.5) * h;
        while (seg + 2 < p.x.size() && xm > p.x[seg + 1])
          ++seg;
        const double t = (xm - p.x[seg]) / (p.x[seg + 1] - p.x[seg]);
        V.push_back(p.Ec[seg] + t * (p.Ec[seg + 1] - p.Ec[seg]));
        M.push_back(p.mass[seg]);
        X.push_back(x0 + (s + 1) * h);
      }
    V.push_back(lead_right);
    M.push_back(lead_mass);
    auto k_of = [&](std::size_t r) {
      return std::sqrt(cd(2 * M[r] * electron_mass * (E - V[r]), 0.0)) / hbar;
    };
    if (E <= lead_left || E <= lead_right)
      return 0.0;
    // propagate (A, B) coefficients of A e^{ikx} + B e^{-ikx} from the right lead (A=1, B=0) to the left
    cd A = 1.0, B = 0.0;
    for (std::size_t r = V.size() - 1; r > 0; --r)
      {
        const double xi = X[r - 1]; // interface between region r-1 and r
        cd           k2 = k_of(r), k1 = k_of(r - 1);
        if (std::abs(k2) < 1e-30)
          k2 = 1e-30;
        if (std::abs(k1) < 1e-30)
          k1 = 1e-30;
        const cd psi  = A * std::exp(cd(0, 1) * k2 * xi) + B * std::exp(-cd(0, 1) * k2 * xi);
        const cd dpsi = (cd(0, 1) * k2 * (A * std::exp(cd(0, 1) * k2 * xi) - B * std::exp(-cd(0, 1) * k2 * xi))) / M[r];
        // match psi and psi'/m in region r-1
        const cd e1 = std::exp(cd(0, 1) * k1 * xi);
        const cd q  = dpsi * M[r - 1] / (cd(0, 1) * k1);
        A = 0.5 * (psi + q) / e1;
        B = 0.5 * (psi - q) * e1;
      }
    // transmission = (k_R/m_R) / (k_L/m_L) |1/A|^2
    const double kL = std::sqrt(2 * M.front() * electron_mass * (E - lead_left)) / hbar;
    const double kR = std::sqrt(2 * M.back() * electron_mass * (E - lead_right)) / hbar;
    return (kR / M.back()) / (kL / M.front()) / std::norm(A);
  }

  namespace
  {
    /// ln(1 + exp(a)), stable
    double softplus(const double a) { return a > 0 ? a + std::log1p(std::exp(-a)) : std::log1p(std::exp(a)); }
  } // namespace

  JunctionCurrent TsuEsakiCurrent::current(const BandProfile &p, const TsuEsakiParameters &par)
  {
    if (p.x.size() < 2 || p.Ec.size() != p.x.size() || p.mass.size() + 1 != p.x.size())
      throw std::invalid_argument("TsuEsakiCurrent: inconsistent band profile");
    const double kT     = boltzmann * par.temperature;
    const double top    = p.top();
    const double Emax   = std::max({top, par.fermi_pt, par.fermi_substrate}) + 40 * kT;
    const double Emin   = par.lowest_energy;
    const unsigned int n = std::max(par.energy_points,
                                    par.maximum_energy_step > 0
                                      ? static_cast<unsigned int>(std::ceil((Emax - Emin) / par.maximum_energy_step)) + 1
                                      : 0u) |
                           1u;
    const double dE     = (Emax - Emin) / (n - 1);
    const double pref   = elementary_charge * par.supply_mass * electron_mass * kT / (2 * pi * pi * hbar * hbar * hbar);
    JunctionCurrent r;
    r.barrier_top = top;
    r.fermi_high  = std::max(par.fermi_pt, par.fermi_substrate);
    r.substrate_barrier = par.substrate_barrier;
    // equal Fermi levels: the supply function vanishes at every energy, and so does every part
    // of the integral (exactly, as the sum below would give it)
    if (par.spectrum)
      par.spectrum->clear();
    if (par.fermi_pt == par.fermi_substrate)
      return r;
    const double thermal_edge = r.fermi_high + 3 * kT;
    // emission over the substrate's Schottky barrier: only where that barrier is one (above the
    // thermal edge); below its top the electrons tunnel through the depletion region
    const bool   schottky     = par.substrate_barrier > thermal_edge;
    const WkbExponent wkb(p);
    for (unsigned int i = 0; i < n; ++i)
      {
        const double E = Emin + i * dE;
        const double T = par.method == TransmissionMethod::wkb
                           ? (E >= top ? 1.0 : wkb.transmission(E))
                           : transfer_matrix_transmission(p, E, par.lead_bottom_pt, par.lead_bottom_substrate, par.slices);
        const double supply = softplus((par.fermi_substrate - E) / kT) - softplus((par.fermi_pt - E) / kT);
        const double w      = (i == 0 || i == n - 1) ? 1.0 : (i % 2 ? 4.0 : 2.0);
        const double dj     = pref * T * supply * w * dE / 3.0;
        if (par.spectrum)
          par.spectrum->push_back({E, pref * T * supply});
        r.current_density += dj;
        (E >= top ? r.above_barrier : r.below_barrier) += dj;
        if (E < top && E > thermal_edge)
          {
            r.thermally_excited += dj;
            if (schottky && E >= par.substrate_barrier)
              r.over_substrate_barrier += dj;
          }
        r.energy_moment += (E - r.fermi_high) * dj;
      }
    return r;
  }

  ConductionShares JunctionCurrent::shares() const
  {
    ConductionShares s;
    s.barrier = barrier_top - fermi_high;
    s.substrate_barrier = substrate_barrier - fermi_high;
    if (current_density == 0)
      return s;
    // (0, not -0, when nothing is emitted over it under a negative current)
    s.schottky_emission = over_substrate_barrier != 0 ? over_substrate_barrier / current_density : 0.0;
    s.thermionic       = above_barrier / current_density;
    s.thermionic_field = thermally_excited / current_density;
    s.field            = (below_barrier - thermally_excited) / current_density;
    s.mean_energy      = energy_moment / current_density;
    return s;
  }

  const char *ConductionShares::dominant() const
  {
    // the four energy ranges: over the junction's top, over the substrate's Schottky barrier (then
    // through the film), through the depletion region's upper part, and the Fermi window
    const double through_depletion = thermionic_field - schottky_emission;
    const double largest           = std::max({thermionic, schottky_emission, through_depletion, field});
    if (thermionic == largest)
      return "thermionic emission";
    if (schottky_emission == largest)
      return "emission over the substrate's Schottky barrier with tunnelling through the film";
    return through_depletion == largest ? "thermionic-field emission" : "field emission / direct tunnelling";
  }
} // namespace otj
