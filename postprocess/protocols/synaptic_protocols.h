// The paper's synaptic protocols run on the compact model (SPEC 5, issue
// "Compact model ... and the paper's synaptic protocols"). Each protocol is a
// function of a CompactModel and its settings and returns plain data; the
// ProtocolsExperiment writes them. Conventions:
//  - the device starts from its HRS rest state (w = 0, film at equilibrium
//    with the read baseline) unless a protocol says otherwise;
//  - "conductance" is the static read I(V_read) / V_read of a state; the
//    non-volatile conductance is read after the volatile film share has
//    drained (a hold at the baseline for `read delay`);
//  - EPSC: the junction current while the source sits at the read voltage
//    between spikes (the paper measures the current of the 0.1 V read).
#pragma once

#include "compact/compact_model.h"
#include "compact/reduced_oxide_model.h"
#include "protocols/spike_waveforms.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace otj
{
  /// Common settings of every protocol.
  struct ProtocolSettings
  {
    double read_voltage = 0.1;  ///< V (baseline between spikes)
    double edge         = 1e-9; ///< s, rise and fall of every pulse
    double settle       = 1e-5; ///< s at the baseline before the first spike
    double read_delay   = 2.5e-5; ///< s at the baseline before a non-volatile read
    double rtol         = 1e-5;
    /// Threads for the independent runs of a protocol (0: one per core). Each thread evolves its
    /// own copy of the probe; the results do not depend on the count.
    unsigned int threads = 1;
  };

  /// Evolves a synapse state under waveforms, on the compartment model or on the reduced oxide
  /// model (CompactState::c); counts the integrator steps.
  class SynapseProbe
  {
  public:
    SynapseProbe(const CompactModel &model, ProtocolSettings settings);
    /// On the reduced oxide model, from the pristine node densities (m^-3).
    SynapseProbe(const ReducedOxideModel &model, std::vector<double> pristine, ProtocolSettings settings);
    /// Junction current (A) at V in state s.
    double                  current(double V, const CompactState &s) const;
    const ProtocolSettings &settings() const { return settings_; }
    /// w = 0 and the film at equilibrium with the baseline (held for `settle`).
    CompactState rest_state();
    /// State at the end of the waveform; samples at `times` into `samples` if given.
    CompactState apply(const PiecewiseLinearWaveform &w, const CompactState &s0, const std::vector<double> &times = {},
                       std::vector<CompactSample> *samples = nullptr);
    /// Holds the source at V for `duration` (its end sampled into `samples` if given).
    CompactState hold(const CompactState &s, double V, double duration, std::vector<CompactSample> *samples = nullptr);
    /// Static read conductance (S).
    double       conductance(const CompactState &s) const
    {
      return reduced_ ? reduced_->conductance(s.c, settings_.read_voltage) : compact_->conductance(s);
    }
    /// Read conductance of a sample: its own current if taken at the read voltage, else a read.
    double       read(const CompactSample &sample) const;
    /// Read conductance after a hold of `read_delay` at the baseline.
    double       nonvolatile_conductance(const CompactState &s);
    unsigned long steps() const { return steps_; }
    /// Calls f(i, probe) for i = 0 .. n-1, spread over settings().threads threads, each with its own
    /// copy of this probe (the models are shared read-only); their steps are added to this one's.
    /// The first exception thrown by any call is rethrown after all threads have finished.
    void for_each(std::size_t n, const std::function<void(std::size_t, SynapseProbe &)> &f);
    /// Worker threads for n independent runs.
    unsigned int threads_for(std::size_t n) const;
    void         add_steps(unsigned long n) { steps_ += n; }

  private:
    const CompactModel      *compact_ = nullptr;
    const ReducedOxideModel *reduced_ = nullptr;
    std::vector<double>      pristine_; ///< the reduced model's start
    ProtocolSettings         settings_;
    unsigned long       steps_ = 0;
  };

  // ---- EPSC (Fig. 2a) ------------------------------------------------------
  struct EpscResult
  {
    double              amplitude = 0, width = 0;
    std::vector<double> t, current; ///< t from the end of the spike's falling edge (s), I (A)
    double              peak_current = 0, rest_current = 0;
    double              tau1 = NAN;        ///< s, one-exponential fit of the decay (NaN: no decay to fit)
    double              fit_relative_rms = NAN;
  };
  EpscResult epsc(SynapseProbe &probe, double amplitude, double width, double duration, unsigned int points);

  // ---- Trains: EPSC peaks versus pulse number (Fig. 2b,c), PPF/PTP (Fig. 2d) --
  struct TrainResult
  {
    double              amplitude = 0, width = 0, period = 0;
    std::vector<double> peak_current; ///< A, at the end of each pulse's flat top
    std::vector<double> peak_time;    ///< s
    std::vector<double> trace_t, trace_current; ///< a trace of the whole train
    double              conductance_after = 0; ///< S, non-volatile read after the train
  };
  TrainResult pulse_train_response(SynapseProbe &probe, const CompactState &s0, double amplitude, double width,
                                   double period, unsigned int count, unsigned int trace_points = 0);

  struct FacilitationResult
  {
    std::vector<double> interval, ppf, ptp; ///< s, %, % (PPF = (A2 - A1)/A1, PTP = (A10 - A1)/A1)
    double              ppf_tau = NAN, ppf_amplitude = NAN, ppf_offset = NAN;
    double              ptp_tau = NAN, ptp_amplitude = NAN, ptp_offset = NAN;
    std::string         ppf_why, ptp_why; ///< why a fit has no value (empty if it has one)
  };
  FacilitationResult paired_pulse_facilitation(SynapseProbe &probe, double amplitude, double width,
                                               const std::vector<double> &intervals, unsigned int count = 10);

  // ---- LTP/LTD (Fig. 3c) ---------------------------------------------------
  /// NeuroSim's nonlinear weight update (Chen et al., IEEE TCAD 37, 3067 (2018)):
  /// LTP G(P) = G_min + B (1 - exp(-P/A)), LTD G(n) = G_max - B (1 - exp(-n/A)),
  /// B = (G_max - G_min) / (1 - exp(-P_max/A)); A in pulses (large A: linear).
  struct NonlinearityFit
  {
    double A = NAN, g_min = 0, g_max = 0, rms = NAN;
    double evaluate_ltp(double P, double P_max) const;
    double evaluate_ltd(double n, double P_max) const;
  };
  /// Fits A to conductances g[0..P_max] (g[0] before the first pulse); `ltp`
  /// chooses the branch. G_min and G_max are the branch's end points.
  NonlinearityFit fit_neurosim_nonlinearity(const std::vector<double> &g, bool ltp);

  struct LtpLtdResult
  {
    unsigned int                     pulses = 20, cycles = 0;
    std::vector<std::vector<double>> ltp, ltd; ///< [cycle][0..pulses] conductance (S); [0] before the first pulse
    double                           g_min = 0, g_max = 0; ///< S, cycle-averaged window (cycles after the first)
    double                           g_min_spread = 0, g_max_spread = 0; ///< S, standard deviation over cycles
    NonlinearityFit                  ltp_fit, ltd_fit; ///< on the cycle-averaged branches
    std::vector<double>              ltp_mean, ltd_mean;
    /// Cycles integrated (the others are copies of the periodic cycle or extrapolated by a jump).
    unsigned int                     computed_cycles = 0;
    /// Cycles extrapolated by cycle jumps (envelope following; 0 without).
    unsigned int                     jumped_cycles = 0;
    /// Per cycle: integrated (true) or copied / extrapolated (false).
    std::vector<bool>                integrated;
    /// Largest relative change between the last two integrated cycles, of the reads and of the
    /// state at the cycle's end (NaN with fewer than three cycles).
    double                           periodic_change = NAN;
  };
  /// `cycles` cycles of `pulses` set pulses and `pulses` reset pulses. The cycle is a deterministic
  /// map of the state at its start: once two consecutive cycles after the first differ by less than
  /// `periodic_tolerance` (relative, every read and every state variable), the state has reached the
  /// periodic steady state and the remaining cycles repeat the last one exactly (to that tolerance);
  /// they are copied, not integrated. A tolerance of 0 integrates every cycle.
  /// With `jump_tolerance` > 0 a slow drift from cycle to cycle is followed by cycle jumps
  /// (envelope following): after three integrated cycles in a row (after the first) the reads and
  /// the state are extrapolated over m cycles with their change per cycle and, given an earlier
  /// jump 10 or more cycles back, the change of that per cycle; m keeps the estimated error on the
  /// reads below jump_tolerance (relative, per jump); then cycles are integrated again (details at
  /// the code). 0: no jumps.
  LtpLtdResult ltp_ltd(SynapseProbe &probe, double v_set, double v_reset, double width, double period,
                       unsigned int pulses, unsigned int cycles, double periodic_tolerance = 0.0,
                       double jump_tolerance = 0.0);

  // ---- STDP (Fig. 3d,e) ------------------------------------------------------
  /// The smallest amplitude (sign of `polarity`) of a single pulse of `width`
  /// that changes the non-volatile conductance by `criterion` (relative), from `s0`.
  std::optional<double> compact_threshold(SynapseProbe &probe, const CompactState &s0, double width, double polarity,
                                          double criterion);

  struct StdpResult
  {
    std::vector<double> dt, dw;       ///< s, % (non-volatile change of the read conductance)
    double              g0 = 0;       ///< S, conductance of the initial state
    // eq. 1 fits on each branch (antisymmetric) or eq. 2 (symmetric)
    double A_pos = NAN, tau_pos = NAN, w0_pos = NAN, rms_pos = NAN; ///< dt > 0 (eq. 1) or all (eq. 2)
    double A_neg = NAN, tau_neg = NAN, w0_neg = NAN, rms_neg = NAN; ///< dt < 0 (eq. 1), tau_neg < 0 as in the paper
    std::string why_pos, why_neg; ///< why a branch's fit has no value (empty if it has one)
  };
  /// dW(dt) for V = pre(t - t_pre) - post(t - t_pre - dt); `s0` the initial state.
  StdpResult stdp(SynapseProbe &probe, const CompactState &s0, const NeuronSpike &pre, const NeuronSpike &post,
                  const std::vector<double> &dts, bool symmetric);

  // ---- Energy per spike (Fig. 3f) -------------------------------------------
  struct EnergyPoint
  {
    double amplitude = 0, energy = 0, peak_current = 0, relative_change = 0;
    bool   long_term = false; ///< non-volatile relative change above the criterion
  };
  std::vector<EnergyPoint> energy_per_spike(SynapseProbe &probe, const std::vector<double> &amplitudes, double width,
                                            double criterion, unsigned int points_per_pulse = 200);

  // ---- 5 x 5 array (Fig. 4) -------------------------------------------------
  struct LetterProgram
  {
    std::string                     name;
    std::array<std::array<bool, 5>, 5> mask{}; ///< [row][column], row 0 on top
    double                          amplitude = 0, width = 5e-8, period = 2e-7;
    unsigned int                    count = 10;
  };
  /// The letters C, H and N of the paper on a 5 x 5 grid.
  std::array<std::array<bool, 5>, 5> letter_mask(char letter);

  struct ArrayResult
  {
    std::string                    name;
    std::vector<double>            read_times; ///< s after the last pulse
    std::vector<std::array<std::array<double, 5>, 5>> currents; ///< A at V_read, one image per read time
    std::vector<double>            retention_t, retention_contrast; ///< s, (G_on - G_off) / (G_on(t_ref) - G_off)
    double                         retained_time = NAN; ///< s, contrast above `retention criterion` until then
    bool                           retained_to_horizon = false;
  };
  ArrayResult array_letter(SynapseProbe &probe, const LetterProgram &letter, const std::vector<double> &read_times,
                           double retention_horizon, double retention_reference, double retention_criterion);
} // namespace otj
