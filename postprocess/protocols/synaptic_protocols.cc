// The paper's synaptic protocols on the compact model (see the header).
#include "protocols/synaptic_protocols.h"

#include "analysis/exponential_fit.h"
#include "analysis/threshold_search.h"
#include "common/parallel_tasks.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <numeric>
#include <stdexcept>

namespace otj
{
  namespace
  {
    std::vector<double> log_spaced(double first, double last, unsigned int n)
    {
      std::vector<double> t;
      for (unsigned int k = 0; k < n; ++k)
        t.push_back(first * std::pow(last / first, n > 1 ? double(k) / (n - 1) : 0.0));
      return t;
    }

    /// The sample nearest to time t (samples sorted by time).
    const CompactSample &sample_at(const std::vector<CompactSample> &s, double t)
    {
      if (s.empty())
        throw std::runtime_error("compact model: no samples were returned");
      auto it = std::lower_bound(s.begin(), s.end(), t, [](const CompactSample &a, double x) { return a.t < x; });
      if (it == s.end())
        return s.back();
      if (it != s.begin() && std::abs((it - 1)->t - t) < std::abs(it->t - t))
        --it;
      return *it;
    }

    /// One-term exponential fit; no terms if the data are flat, too few or not exponential
    /// over the sampled range, with the reason in `why` (if given).
    ExponentialFit fit_one(const std::vector<double> &x, const std::vector<double> &y, std::string *why = nullptr)
    {
      ExponentialFit f;
      f.terms     = 0;
      auto no_fit = [&](const std::string &reason) {
        if (why)
          *why = reason;
        return f;
      };
      if (x.size() < 4)
        return no_fit("fewer than 4 points");
      const auto [lo, hi] = std::minmax_element(y.begin(), y.end());
      if (!(*hi - *lo > 1e-9 * std::max(std::abs(*hi), std::abs(*lo))))
        return no_fit("the data are flat (nothing to fit)");
      ExponentialFitOptions o;
      o.max_terms = 1;
      try
        {
          // a time constant outside the sampled range (a third of the shortest to
          // three times the longest interval) is not resolved by the data: no fit
          const ExponentialFit e = fit_exponential_decay(x, y, o);
          const auto [xlo, xhi]  = std::minmax_element(x.begin(), x.end());
          if (e.terms == 1 && !(e.taus[0] >= *xlo / 3 && e.taus[0] <= 3 * *xhi))
            {
              std::ostringstream m;
              m << std::setprecision(3) << "the best single exponential has tau = " << e.taus[0] << " s, outside ["
                << *xlo / 3 << ", " << 3 * *xhi << "] (a third of the shortest to three times the longest sampled "
                << "interval): the data do not resolve it"
                << (e.taus[0] > 3 * *xhi ? " (the points are not an exponential decay over the range)" : " (it decays faster than the shortest interval)");
              return no_fit(m.str());
            }
          return e;
        }
      catch (const std::exception &e)
        {
          return no_fit(std::string("the fit failed: ") + e.what());
        }
    }

    double mean(const std::vector<double> &v)
    {
      return v.empty() ? NAN : std::accumulate(v.begin(), v.end(), 0.0) / v.size();
    }

    double stddev(const std::vector<double> &v)
    {
      if (v.size() < 2)
        return 0.0;
      const double m = mean(v);
      double       s = 0;
      for (double x : v)
        s += (x - m) * (x - m);
      return std::sqrt(s / (v.size() - 1));
    }

    /// max_i |a_i - b_i| / |b_i|, each |b_i| floored at 1e-6 of the largest (entries near zero
    /// are measured against the vector's scale).
    double relative_change(const std::vector<double> &a, const std::vector<double> &b)
    {
      double scale = 0, change = 0;
      for (double x : b)
        scale = std::max(scale, std::abs(x));
      for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        change = std::max(change, std::abs(a[i] - b[i]) / std::max({std::abs(b[i]), 1e-6 * scale, 1e-300}));
      return a.size() == b.size() ? change : INFINITY;
    }

    /// Every state variable of either model in one vector.
    std::vector<double> state_vector(const CompactState &s)
    {
      if (!s.c.empty())
        return s.c;
      std::vector<double> x{s.w, s.w_deep};
      x.insert(x.end(), s.v.begin(), s.v.end());
      return x;
    }

    /// Every field of a state in one vector (w, w_deep, v, c), for the arithmetic of the cycle jumps.
    std::vector<double> full_vector(const CompactState &s)
    {
      std::vector<double> x{s.w, s.w_deep};
      x.insert(x.end(), s.v.begin(), s.v.end());
      x.insert(x.end(), s.c.begin(), s.c.end());
      return x;
    }
    /// The state of `shape` (its sizes) with the fields of x, starting at x[offset] (full_vector's order).
    CompactState from_full_vector(const CompactState &shape, const std::vector<double> &x, std::size_t offset)
    {
      CompactState s = shape;
      s.w            = x.at(offset);
      s.w_deep       = x.at(offset + 1);
      std::copy_n(x.begin() + offset + 2, s.v.size(), s.v.begin());
      std::copy_n(x.begin() + offset + 2 + s.v.size(), s.c.size(), s.c.begin());
      return s;
    }
  } // namespace

  // ---- SynapseProbe ---------------------------------------------------------
  SynapseProbe::SynapseProbe(const CompactModel &model, ProtocolSettings settings)
    : compact_(&model)
    , settings_(settings)
  {}

  SynapseProbe::SynapseProbe(const ReducedOxideModel &model, std::vector<double> pristine, ProtocolSettings settings)
    : reduced_(&model)
    , pristine_(std::move(pristine))
    , settings_(settings)
  {
    if (pristine_.size() != model.nodes().size())
      throw std::invalid_argument("reduced oxide model: " + std::to_string(pristine_.size()) + " pristine densities for " +
                                  std::to_string(model.nodes().size()) + " nodes");
  }

  unsigned int SynapseProbe::threads_for(const std::size_t n) const { return worker_count(settings_.threads, n); }

  void SynapseProbe::for_each(const std::size_t n, const std::function<void(std::size_t, SynapseProbe &)> &f)
  {
    const unsigned int workers = threads_for(n);
    if (workers <= 1)
      {
        for (std::size_t i = 0; i < n; ++i)
          f(i, *this);
        return;
      }
    std::vector<SynapseProbe> probes(workers, *this); // each worker on its own copy
    for (auto &p : probes)
      p.steps_ = 0;
    for_each_index(n, workers, [&](std::size_t i, unsigned int w) { f(i, probes[w]); });
    for (const auto &p : probes)
      steps_ += p.steps_;
  }

  double SynapseProbe::current(const double V, const CompactState &s) const
  {
    return reduced_ ? reduced_->current(s.c, V) : compact_->current(V, s);
  }

  CompactState SynapseProbe::apply(const PiecewiseLinearWaveform &w, const CompactState &s0,
                                   const std::vector<double> &times, std::vector<CompactSample> *samples)
  {
    std::vector<double> t = times;
    t.push_back(w.end_time());
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
    unsigned int n = 0;
    std::vector<CompactSample> out;
    if (reduced_)
      {
        IntegratorStatistics st;
        for (auto &r : reduced_->integrate(w, s0.c, t, true, &st))
          {
            CompactState x;
            x.w = reduced_->share_between(r.c, reduced_->interface_depth(), reduced_->nodes().back());
            x.c = std::move(r.c);
            out.push_back({r.t, r.voltage, r.current, std::move(x)});
          }
        n = st.steps;
      }
    else
      out = compact_->integrate(w, s0, t, settings_.rtol, &n);
    steps_ += n;
    if (out.size() != t.size())
      throw std::runtime_error("compact model: the integrator stopped early (step limit) at t = " +
                               std::to_string(out.empty() ? w.start_time() : out.back().t) + " s");
    CompactState end = out.back().state;
    if (samples)
      *samples = std::move(out);
    return end;
  }

  CompactState SynapseProbe::hold(const CompactState &s, double V, double duration, std::vector<CompactSample> *samples)
  {
    if (!(duration > 0))
      return s;
    return apply(PiecewiseLinearWaveform({{0.0, V}, {duration, V}}), s, {}, samples);
  }

  CompactState SynapseProbe::rest_state()
  {
    CompactState s;
    s.w = 0;
    if (reduced_)
      s.c = pristine_;
    else
      s.v.assign(compact_->parameters().film_cells, 0.0);
    return hold(s, settings_.read_voltage, settings_.settle);
  }

  double SynapseProbe::nonvolatile_conductance(const CompactState &s)
  {
    if (!(settings_.read_delay > 0))
      return conductance(s);
    std::vector<CompactSample> samples;
    hold(s, settings_.read_voltage, settings_.read_delay, &samples);
    return read(samples.back());
  }

  double SynapseProbe::read(const CompactSample &sample) const
  {
    // a sample taken at the read voltage carries its current already (computed by the
    // integrator with the same model and state)
    if (std::abs(sample.voltage - settings_.read_voltage) <= 1e-12 * std::abs(settings_.read_voltage))
      return sample.current / sample.voltage;
    return conductance(sample.state);
  }

  // ---- EPSC -------------------------------------------------------------------
  EpscResult epsc(SynapseProbe &probe, double amplitude, double width, double duration, unsigned int points)
  {
    const auto &set = probe.settings();
    EpscResult  r;
    r.amplitude = amplitude;
    r.width     = width;
    const CompactState rest = probe.rest_state();
    r.rest_current          = probe.current(set.read_voltage, rest);
    SpikeTrain train(set.read_voltage, set.edge);
    train.add(0.0, amplitude, width);
    const double        t_end = train.end(0);
    std::vector<double> times{train.top_end(0)};
    for (double t : log_spaced(std::min(1e-10, duration / 10), duration, points))
      times.push_back(t_end + t);
    std::vector<CompactSample> s;
    probe.apply(train.waveform(0.0, t_end + duration), rest, times, &s);
    r.peak_current = sample_at(s, train.top_end(0)).current;
    for (const auto &x : s)
      if (x.t > t_end)
        {
          r.t.push_back(x.t - t_end);
          r.current.push_back(x.current);
        }
    const ExponentialFit f = fit_one(r.t, r.current);
    if (f.terms == 1)
      {
        r.tau1             = f.taus[0];
        r.fit_relative_rms = f.relative_rms;
      }
    return r;
  }

  // ---- trains ---------------------------------------------------------------
  TrainResult pulse_train_response(SynapseProbe &probe, const CompactState &s0, double amplitude, double width,
                                   double period, unsigned int count, unsigned int trace_points)
  {
    const auto &set = probe.settings();
    if (!(period >= width + 2 * set.edge))
      throw std::invalid_argument("pulse train: the period " + std::to_string(period) +
                                  " s is shorter than a pulse with its edges");
    TrainResult r;
    r.amplitude = amplitude;
    r.width     = width;
    r.period    = period;
    SpikeTrain train(set.read_voltage, set.edge);
    train.add_train(0.0, amplitude, width, period, count);
    const double        t_end = std::max(count * period, train.end(count - 1));
    std::vector<double> times;
    for (unsigned int i = 0; i < count; ++i)
      times.push_back(train.top_end(i));
    for (unsigned int k = 0; k < trace_points; ++k)
      times.push_back(t_end * k / std::max(1u, trace_points - 1));
    std::sort(times.begin(), times.end());
    std::vector<CompactSample> s;
    const CompactState         end = probe.apply(train.waveform(0.0, t_end), s0, times, &s);
    for (unsigned int i = 0; i < count; ++i)
      {
        r.peak_time.push_back(train.top_end(i));
        r.peak_current.push_back(sample_at(s, train.top_end(i)).current);
      }
    if (trace_points > 0)
      for (const auto &x : s)
        {
          r.trace_t.push_back(x.t);
          r.trace_current.push_back(x.current);
        }
    r.conductance_after = probe.nonvolatile_conductance(end);
    return r;
  }

  FacilitationResult paired_pulse_facilitation(SynapseProbe &probe, double amplitude, double width,
                                               const std::vector<double> &intervals, unsigned int count)
  {
    FacilitationResult r;
    const CompactState rest = probe.rest_state();
    for (double dt : intervals)
      {
        const TrainResult t = pulse_train_response(probe, rest, amplitude, width, dt, count);
        const double      a1 = t.peak_current.front();
        r.interval.push_back(dt);
        r.ppf.push_back(100.0 * (t.peak_current[1] - a1) / a1);
        r.ptp.push_back(100.0 * (t.peak_current.back() - a1) / a1);
      }
    const ExponentialFit fp = fit_one(r.interval, r.ppf, &r.ppf_why), ft = fit_one(r.interval, r.ptp, &r.ptp_why);
    if (fp.terms == 1)
      {
        r.ppf_tau       = fp.taus[0];
        r.ppf_amplitude = fp.amplitudes[0];
        r.ppf_offset    = fp.offset;
      }
    if (ft.terms == 1)
      {
        r.ptp_tau       = ft.taus[0];
        r.ptp_amplitude = ft.amplitudes[0];
        r.ptp_offset    = ft.offset;
      }
    return r;
  }

  // ---- LTP/LTD ----------------------------------------------------------------
  double NonlinearityFit::evaluate_ltp(double P, double P_max) const
  {
    const double B = (g_max - g_min) / (1 - std::exp(-P_max / A));
    return g_min + B * (1 - std::exp(-P / A));
  }

  double NonlinearityFit::evaluate_ltd(double n, double P_max) const
  {
    const double B = (g_max - g_min) / (1 - std::exp(-P_max / A));
    return g_max - B * (1 - std::exp(-n / A));
  }

  NonlinearityFit fit_neurosim_nonlinearity(const std::vector<double> &g, bool ltp)
  {
    if (g.size() < 3)
      throw std::invalid_argument("NeuroSim fit: needs at least two pulses");
    NonlinearityFit f;
    const double    P_max = g.size() - 1;
    f.g_min               = ltp ? g.front() : g.back();
    f.g_max               = ltp ? g.back() : g.front();
    auto cost             = [&](double A) {
      NonlinearityFit t = f;
      t.A               = A;
      double s          = 0;
      for (std::size_t k = 0; k < g.size(); ++k)
        {
          const double m = ltp ? t.evaluate_ltp(k, P_max) : t.evaluate_ltd(k, P_max);
          s += (m - g[k]) * (m - g[k]);
        }
      return s;
    };
    // A of either sign (negative A: the convex shape), |A| from P_max / 100 to
    // 1000 P_max on a log grid, then golden section around the best node.
    double best = INFINITY, bestA = NAN;
    for (double sign : {1.0, -1.0})
      {
        const unsigned n   = 200;
        double         lo  = std::log(0.01 * P_max), hi = std::log(1000 * P_max);
        std::size_t    arg = 0;
        double         c   = INFINITY;
        for (unsigned k = 0; k <= n; ++k)
          {
            const double x = cost(sign * std::exp(lo + (hi - lo) * k / n));
            if (x < c)
              c = x, arg = k;
          }
        double a = lo + (hi - lo) * (arg > 0 ? arg - 1.0 : 0.0) / n, b = lo + (hi - lo) * std::min(double(n), arg + 1.0) / n;
        const double gr = 0.5 * (std::sqrt(5.0) - 1);
        for (int it = 0; it < 60; ++it)
          {
            const double x1 = b - gr * (b - a), x2 = a + gr * (b - a);
            if (cost(sign * std::exp(x1)) < cost(sign * std::exp(x2)))
              b = x2;
            else
              a = x1;
          }
        const double A = sign * std::exp(0.5 * (a + b)), ca = cost(A);
        if (ca < best)
          best = ca, bestA = A;
      }
    f.A   = bestA;
    f.rms = std::sqrt(best / g.size());
    return f;
  }

  LtpLtdResult ltp_ltd(SynapseProbe &probe, double v_set, double v_reset, double width, double period,
                       unsigned int pulses, unsigned int cycles, double periodic_tolerance, double jump_tolerance)
  {
    const auto &set = probe.settings();
    if (!(period >= width + 2 * set.edge))
      throw std::invalid_argument("LTP/LTD: the period is shorter than a pulse with its edges");
    LtpLtdResult r;
    r.pulses = pulses;
    r.cycles = cycles;
    // one waveform per branch (the integrator keeps its step size across the
    // pulses); the read is the state at the end of each period
    SpikeTrain pos(set.read_voltage, set.edge), neg(set.read_voltage, set.edge);
    pos.add_train(0.0, v_set, width, period, pulses);
    neg.add_train(0.0, v_reset, width, period, pulses);
    const PiecewiseLinearWaveform wp = pos.waveform(0.0, pulses * period), wn = neg.waveform(0.0, pulses * period);
    std::vector<double>           reads;
    for (unsigned int k = 1; k <= pulses; ++k)
      reads.push_back(k * period);
    CompactState               s = probe.rest_state();
    std::vector<CompactSample> samples;
    // the reads of a cycle and the state at its end, in one vector (the cycle map's output)
    const std::size_t n_reads      = 2 * (pulses + 1);
    auto              cycle_vector = [&](unsigned int c, const CompactState &end) {
      std::vector<double> x = r.ltp[c];
      x.insert(x.end(), r.ltd[c].begin(), r.ltd[c].end());
      const auto sv = full_vector(end);
      x.insert(x.end(), sv.begin(), sv.end());
      return x;
    };
    // the change from cycle to cycle at each jump so far, and where it was taken (cycle index)
    struct Slope
    {
      double              position;
      std::vector<double> d;
    };
    std::vector<Slope>               slopes;
    std::vector<std::vector<double>> integrated_x; // cycle vectors of the integrated cycles since the last jump
    unsigned int                     c = 0;
    while (c < cycles)
      {
        const CompactState  start = s;
        std::vector<double> up{probe.conductance(s)}, down;
        s = probe.apply(wp, s, reads, &samples);
        for (double t : reads)
          up.push_back(probe.read(sample_at(samples, t)));
        down.push_back(up.back());
        s = probe.apply(wn, s, reads, &samples);
        for (double t : reads)
          down.push_back(probe.read(sample_at(samples, t)));
        r.ltp.push_back(up);
        r.ltd.push_back(down);
        r.integrated.push_back(true);
        ++r.computed_cycles;
        integrated_x.push_back(cycle_vector(c, s));
        ++c;
        const std::size_t n = integrated_x.size();
        // periodic steady state: this cycle against the previous one, both integrated and after the
        // first (which starts from the pristine HRS); the start of this cycle is the end of the previous one
        if (c >= 3 && n >= 2)
          {
            r.periodic_change = std::max(relative_change(r.ltp[c - 1], r.ltp[c - 2]), relative_change(r.ltd[c - 1], r.ltd[c - 2]));
            r.periodic_change = std::max(r.periodic_change, relative_change(state_vector(s), state_vector(start)));
            if (periodic_tolerance > 0 && r.periodic_change < periodic_tolerance)
              break;
          }
        // Cycle jumps (envelope following; Petzold, SIAM J. Sci. Stat. Comput. 2, 1 (1981), for
        // quasi-periodic circuits). The cycle vector x_k (reads and end state) drifts slowly: its
        // change per cycle d = x_k - x_(k-1) is taken from the last two of three integrated cycles
        // (the first from the extrapolated state lets its fast components relax: the density ~0.1 nm
        // above the interface layer relaxes by 4x per cycle after the pristine start or a jump), and
        // the envelope is extrapolated over m cycles,
        //   x_(k+j) = x_k + j d + j (j + 1) / 2 a,
        // with a the change of d per cycle since an earlier jump at least 10 cycles back (a long
        // baseline averages out the integrator's noise in single differences: on the paper's device
        // second differences of the reads are 4e-6 to 1e-5 per cycle, with spikes to 1e-4, which
        // over a 3-cycle baseline made a quadratic jump 3.4e-3 off). m from the estimated error of
        // the extrapolation on the reads (the protocol's output), relative, per jump, below tol:
        //   no earlier jump:               linear,    m^2 q / 2 <= tol, q the second difference;
        //   no earlier jump >= 10 back:    linear,    q the change of d since the last jump per cycle;
        //   one:                           quadratic, m at most 2x the linear bound (3x: reads
        //                                  2.9x the tolerance off on a 60-cycle test);
        //   two, 10 cycles apart or more:  quadratic, also m^3 r / 6 <= tol, r the change of a per cycle.
        // Measured on the paper's device (100 cycles, against integrating all): linear jumps alone,
        // tolerance 1e-3, made errors that add up from jump to jump (the slope falls steadily),
        // 3.7e-3 at the end with 20 cycles integrated; these jumps with 5e-4: 8.4e-4, 16 integrated.
        // The last cycle is always integrated.
        if (jump_tolerance > 0 && n >= 3 && c >= 4 && c + 2 < cycles)
          {
            const auto &x2 = integrated_x[n - 1], &x1 = integrated_x[n - 2], &x0 = integrated_x[n - 3];
            Slope       now{c - 1.5, std::vector<double>(x2.size())}; // the change over cycles c-2 -> c-1 (0-based)
            for (std::size_t i = 0; i < x2.size(); ++i)
              now.d[i] = x2[i] - x1[i];
            std::vector<double> accel;
            double              linear = 0, cubic = 0; // the error measures on the reads
            // the latest earlier slope at least `baseline` cycles back (a over a shorter baseline
            // carries the noise of single differences, ~1e-4 of a read, times m^2 / 2 / baseline)
            const double baseline = 10;
            const Slope *far      = nullptr, *farther = nullptr;
            for (auto it = slopes.rbegin(); it != slopes.rend(); ++it)
              if (!far && now.position - it->position >= baseline)
                far = &*it;
              else if (far && far->position - it->position >= baseline)
                {
                  farther = &*it;
                  break;
                }
            if (slopes.empty())
              for (std::size_t i = 0; i < n_reads; ++i)
                linear = std::max(linear, std::abs(now.d[i] - (x1[i] - x0[i])) / std::abs(x2[i]));
            else
              {
                const Slope &p = far ? *far : slopes.back();
                for (std::size_t i = 0; i < n_reads; ++i)
                  linear = std::max(linear, std::abs(now.d[i] - p.d[i]) / (now.position - p.position) / std::abs(x2[i]));
              }
            if (far)
              {
                accel.resize(x2.size());
                for (std::size_t i = 0; i < x2.size(); ++i)
                  accel[i] = (now.d[i] - far->d[i]) / (now.position - far->position);
                if (farther)
                  for (std::size_t i = 0; i < n_reads; ++i)
                    {
                      const double a_prev = (far->d[i] - farther->d[i]) / (far->position - farther->position);
                      cubic = std::max(cubic, std::abs(accel[i] - a_prev) /
                                                (0.5 * (now.position - farther->position)) / std::abs(x2[i]));
                    }
              }
            const double m_linear = linear > 0 ? std::sqrt(2 * jump_tolerance / linear) : cycles;
            double       m_real   = m_linear;
            if (far)
              m_real = 2 * m_linear;
            if (farther && cubic > 0)
              m_real = std::min(m_real, std::cbrt(6 * jump_tolerance / cubic));
            unsigned int m = static_cast<unsigned int>(std::min<double>(m_real, cycles - c - 1));
            auto         row = [&](unsigned int j) {
              std::vector<double> x(x2.size());
              for (std::size_t i = 0; i < x2.size(); ++i)
                x[i] = x2[i] + j * now.d[i] + (accel.empty() ? 0.0 : 0.5 * j * (j + 1.0) * accel[i]);
              return x;
            };
            // the extrapolated state must stay a state: densities and shares not negative
            auto nonnegative = [&](unsigned int jumps) {
              const auto x = row(jumps);
              return std::all_of(x.begin() + n_reads, x.end(), [](double v) { return v >= 0; });
            };
            // a jump costs the three integrated cycles after it: shorter than 4 cycles it saves
            // less than integrating on, whose next estimate of the drift is usually better
            // (the first jump of the paper's device: 2 cycles at cycle 5, then 8 at cycle 9; 8 at
            // cycle 6 without it)
            while (m >= 4 && !nonnegative(m))
              m /= 2;
            if (m >= 4)
              {
                for (unsigned int jj = 1; jj <= m; ++jj)
                  {
                    const auto x = row(jj);
                    r.ltp.emplace_back(x.begin(), x.begin() + pulses + 1);
                    r.ltd.emplace_back(x.begin() + pulses + 1, x.begin() + n_reads);
                    r.integrated.push_back(false);
                  }
                s = from_full_vector(s, row(m), n_reads);
                c += m;
                r.jumped_cycles += m;
                slopes.push_back(std::move(now));
                integrated_x.clear();
              }
          }
      }
    while (r.ltp.size() < cycles)
      {
        r.ltp.push_back(r.ltp.back());
        r.ltd.push_back(r.ltd.back());
        r.integrated.push_back(false);
      }
    // the steady cycles: all but the first (which starts from the pristine HRS)
    const unsigned int  first = cycles > 1 ? 1 : 0;
    std::vector<double> gmax, gmin;
    r.ltp_mean.assign(pulses + 1, 0.0);
    r.ltd_mean.assign(pulses + 1, 0.0);
    for (unsigned int c = first; c < cycles; ++c)
      {
        gmax.push_back(*std::max_element(r.ltp[c].begin(), r.ltp[c].end()));
        gmin.push_back(*std::min_element(r.ltd[c].begin(), r.ltd[c].end()));
        for (unsigned int k = 0; k <= pulses; ++k)
          {
            r.ltp_mean[k] += r.ltp[c][k] / (cycles - first);
            r.ltd_mean[k] += r.ltd[c][k] / (cycles - first);
          }
      }
    r.g_max        = mean(gmax);
    r.g_min        = mean(gmin);
    r.g_max_spread = stddev(gmax);
    r.g_min_spread = stddev(gmin);
    r.ltp_fit      = fit_neurosim_nonlinearity(r.ltp_mean, true);
    r.ltd_fit      = fit_neurosim_nonlinearity(r.ltd_mean, false);
    return r;
  }

  // ---- STDP -------------------------------------------------------------------
  std::optional<double> compact_threshold(SynapseProbe &probe, const CompactState &s0, double width, double polarity,
                                          double criterion)
  {
    const auto &set = probe.settings();
    SpikeTrain  none(set.read_voltage, set.edge);
    const double span  = SpikeTrain(set.read_voltage, set.edge).add(0.0, 1.0, width).end(0);
    const double g_ref = probe.nonvolatile_conductance(probe.apply(none.waveform(0.0, span), s0));
    auto response = [&](double V) -> std::optional<double> {
      SpikeTrain t(set.read_voltage, set.edge);
      t.add(0.0, polarity * V, width);
      const double g = probe.nonvolatile_conductance(probe.apply(t.waveform(0.0, span), s0));
      return std::max(std::abs(g - g_ref) / g_ref, 1e-30);
    };
    ThresholdSearchOptions o;
    o.start              = 1.0;
    o.lower              = 0.02;
    o.upper              = 20.0;
    o.relative_tolerance = 0.005;
    o.max_evaluations    = 60;
    const ThresholdSearchResult r = find_threshold(response, criterion, o);
    if (!r.bracketed)
      return std::nullopt;
    return polarity * r.threshold;
  }

  StdpResult stdp(SynapseProbe &probe, const CompactState &s0, const NeuronSpike &pre, const NeuronSpike &post,
                  const std::vector<double> &dts, bool symmetric)
  {
    pre.check();
    post.check();
    const auto &set = probe.settings();
    StdpResult  r;
    r.g0 = probe.nonvolatile_conductance(s0);
    // the earliest corner of either spike at t >= 0 for every dt
    const double min_dt = *std::min_element(dts.begin(), dts.end());
    const double lead   = 1e-9 + std::max({-pre.first_time(), -min_dt - post.first_time(), 0.0});
    r.dt = dts;
    r.dw.assign(dts.size(), NAN);
    probe.for_each(dts.size(), [&](std::size_t k, SynapseProbe &p) {
      const double t_pre = lead, t_post = lead + dts[k];
      const double t_end = std::max(t_pre + pre.last_time(), t_post + post.last_time()) + set.edge;
      const PiecewiseLinearWaveform V = superpose(pre.corners(t_pre), 1.0, post.corners(t_post), -1.0, 0.0, t_end);
      const double g   = p.nonvolatile_conductance(p.apply(V, s0));
      const double ref = p.nonvolatile_conductance(p.hold(s0, 0.0, t_end));
      r.dw[k]          = 100.0 * (g - ref) / ref;
    });
    std::vector<double> xp, yp, xn, yn;
    for (std::size_t i = 0; i < r.dt.size(); ++i)
      {
        if (symmetric)
          xp.push_back(r.dt[i] * r.dt[i]), yp.push_back(r.dw[i]);
        else if (r.dt[i] > 0)
          xp.push_back(r.dt[i]), yp.push_back(r.dw[i]);
        else if (r.dt[i] < 0)
          xn.push_back(-r.dt[i]), yn.push_back(r.dw[i]);
      }
    const ExponentialFit fp = fit_one(xp, yp, &r.why_pos);
    if (fp.terms == 1)
      {
        r.A_pos   = fp.amplitudes[0];
        r.tau_pos = symmetric ? std::sqrt(fp.taus[0]) : fp.taus[0];
        r.w0_pos  = fp.offset;
        r.rms_pos = fp.rms;
      }
    if (!symmetric)
      {
        const ExponentialFit fn = fit_one(xn, yn, &r.why_neg);
        if (fn.terms == 1)
          {
            r.A_neg   = fn.amplitudes[0];
            r.tau_neg = -fn.taus[0]; // eq. 1 with dt < 0 and tau_2 < 0, as the paper writes it
            r.w0_neg  = fn.offset;
            r.rms_neg = fn.rms;
          }
      }
    return r;
  }

  // ---- energy -----------------------------------------------------------------
  std::vector<EnergyPoint> energy_per_spike(SynapseProbe &probe, const std::vector<double> &amplitudes, double width,
                                            double criterion, unsigned int points_per_pulse)
  {
    const auto &set  = probe.settings();
    const CompactState rest = probe.rest_state();
    std::vector<EnergyPoint> out;
    for (double V : amplitudes)
      {
        // the spike from a 0 V baseline, so that the read bias does not count
        SpikeTrain t(0.0, set.edge);
        t.add(0.0, V, width);
        const double        T = t.end(0);
        std::vector<double> times;
        for (unsigned int k = 0; k <= points_per_pulse; ++k)
          times.push_back(T * k / points_per_pulse);
        std::vector<CompactSample> s;
        const PiecewiseLinearWaveform wf  = t.waveform(0.0, T);
        const CompactState            end = probe.apply(wf, rest, times, &s);
        EnergyPoint                   p;
        p.amplitude = V;
        for (std::size_t k = 1; k < s.size(); ++k)
          p.energy += 0.5 * (s[k].voltage * s[k].current + s[k - 1].voltage * s[k - 1].current) * (s[k].t - s[k - 1].t);
        for (const auto &x : s)
          p.peak_current = std::max(p.peak_current, std::abs(x.current));
        const double g   = probe.nonvolatile_conductance(end);
        const double ref = probe.nonvolatile_conductance(probe.hold(rest, 0.0, T));
        p.relative_change = (g - ref) / ref;
        p.long_term       = p.relative_change > criterion;
        out.push_back(p);
      }
    return out;
  }

  // ---- array ------------------------------------------------------------------
  std::array<std::array<bool, 5>, 5> letter_mask(char letter)
  {
    static const char *C[5] = {".###.", "#....", "#....", "#....", ".###."};
    static const char *H[5] = {"#...#", "#...#", "#####", "#...#", "#...#"};
    static const char *N[5] = {"#...#", "##..#", "#.#.#", "#..##", "#...#"};
    const char **rows = letter == 'C' ? C : letter == 'H' ? H : letter == 'N' ? N : nullptr;
    if (!rows)
      throw std::invalid_argument(std::string("array: no pattern for the letter '") + letter + "' (C, H or N)");
    std::array<std::array<bool, 5>, 5> m{};
    for (int i = 0; i < 5; ++i)
      for (int j = 0; j < 5; ++j)
        m[i][j] = rows[i][j] == '#';
    return m;
  }

  ArrayResult array_letter(SynapseProbe &probe, const LetterProgram &letter, const std::vector<double> &read_times,
                           double retention_horizon, double retention_reference, double retention_criterion)
  {
    const auto &set = probe.settings();
    ArrayResult r;
    r.name       = letter.name;
    r.read_times = read_times;
    const CompactState rest = probe.rest_state();
    // every pixel is one identical junction; selected pixels get the train,
    // the others sit at the read baseline (no half-select disturbance: the
    // paper's array addresses individual OTJs)
    SpikeTrain train(set.read_voltage, set.edge);
    train.add_train(0.0, letter.amplitude, letter.width, letter.period, letter.count);
    const double        t_last = train.end(letter.count - 1);
    const double        t_max  = t_last + *std::max_element(read_times.begin(), read_times.end());
    std::vector<double> times;
    for (double t : read_times)
      times.push_back(t_last + t);
    std::vector<CompactSample> on, off;
    std::vector<double>        with_last = times;
    with_last.push_back(t_last);
    probe.apply(train.waveform(0.0, t_max), rest, with_last, &on);
    const CompactState at_end = sample_at(on, t_last).state;
    SpikeTrain                 none(set.read_voltage, set.edge);
    probe.apply(none.waveform(0.0, t_max), rest, times, &off);
    for (double t : times)
      {
        const double i_on = probe.current(set.read_voltage, sample_at(on, t).state);
        const double i_off = probe.current(set.read_voltage, sample_at(off, t).state);
        std::array<std::array<double, 5>, 5> img{};
        for (int i = 0; i < 5; ++i)
          for (int j = 0; j < 5; ++j)
            img[i][j] = letter.mask[i][j] ? i_on : i_off;
        r.currents.push_back(img);
      }
    // retention of the stored pattern: the source at 0 V between sparse reads
    const CompactState  ref_off = probe.hold(rest, 0.0, retention_reference);
    const double        g_off = probe.conductance(ref_off);
    const auto          ts    = log_spaced(retention_reference, retention_horizon, 61);
    PiecewiseLinearWaveform hold0({{t_last, 0.0}, {t_last + retention_horizon, 0.0}});
    std::vector<double> abs_t;
    for (double t : ts)
      abs_t.push_back(t_last + t);
    std::vector<CompactSample> ret;
    probe.apply(hold0, at_end, abs_t, &ret);
    const double g_ref = probe.read(sample_at(ret, t_last + retention_reference));
    r.retained_to_horizon = true;
    r.retained_time       = retention_horizon;
    for (std::size_t k = 0; k < ts.size(); ++k)
      {
        const double g = probe.read(sample_at(ret, abs_t[k]));
        const double c = (g_ref - g_off) > 1e-6 * g_off ? (g - g_off) / (g_ref - g_off) : 0.0;
        r.retention_t.push_back(ts[k]);
        r.retention_contrast.push_back(c);
        if (r.retained_to_horizon && c < retention_criterion)
          {
            r.retained_to_horizon = false;
            if (k == 0)
              r.retained_time = 0.0;
            else
              {
                // log-linear interpolation of the crossing
                const double c0 = r.retention_contrast[k - 1], l0 = std::log(ts[k - 1]), l1 = std::log(ts[k]);
                r.retained_time = std::exp(l0 + (l1 - l0) * (c0 - retention_criterion) / (c0 - c));
              }
          }
      }
    return r;
  }
} // namespace otj
