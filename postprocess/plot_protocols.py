#!/usr/bin/python3
"""Figures of the synaptic protocols written by `otj protocols` (compact model), each with
the paper's values marked (legend entries starting with "paper"; Li et al., ACS Appl. Mater.
Interfaces 11, 2019; display only; the numbers come from paper_values.py):

  DIR/epsc.png          read current after 0.2/0.6/1.0 V, 50 ns spikes with tau1 (Fig. 2a;
                        paper: relaxation of order us, C and N fade within 25 us);
  DIR/frequency.png     EPSC traces and peak versus pulse number for 10 x 0.6 V / 50 ns
                        at several frequencies (Fig. 2b,c);
  DIR/facilitation.png  PPF and PTP indices versus interval with exponential fits (Fig. 2d);
  DIR/ltp_ltd.png       conductance over LTP/LTD cycles, 20 x +2.2 V / 20 x -2.5 V, 50 ns,
                        with the NeuroSim fits (Fig. 3c; the paper's conductance window);
  DIR/stdp.png          antisymmetric and symmetric STDP with the fits of eqs. 1 and 2 and the
                        paper's fitted curves of eqs. 1 and 2 (Fig. 3d,e), and the designed
                        spike shapes;
  DIR/energy.png        energy per 20 ns spike (Fig. 3f; the paper's STM and LTM energies);
  DIR/array.png         the 5 x 5 letter images C, H, N at 0 and 25 us and the retention of
                        each letter (Fig. 4; the paper's retention of H).

A figure whose CSV is missing is skipped with a message; protocols.json is required.
Usage: /usr/bin/python3 postprocess/plot_protocols.py results/paper_device/protocols
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_merits import fnum, get, need, plt, save_atomically  # noqa: E402

from paper_values import value as pv  # noqa: E402

# paper values (display only; paper_values.py)
PAPER_WINDOW_US = (pv("window_min_uS"), pv("window_max_uS"))
PAPER_STDP_ANTI = ((pv("stdp_ltp_A_percent"), pv("stdp_ltp_tau2_us") * 1e-6),
                   (pv("stdp_ltd_A_percent"), pv("stdp_ltd_tau2_us") * 1e-6))
PAPER_STDP_SYM = (pv("stdp_sym_A_percent"), pv("stdp_sym_tau3_us") * 1e-6)
PAPER_STM_FJ, PAPER_LTM_FJ, PAPER_THRESHOLD_V = pv("energy_stm_fJ"), pv("energy_ltm_fJ"), pv("threshold_20ns_V")
PAPER_H_RETAINED_S = pv("h_retained_s")
PAPER_FADE_S = 25e-6


def groups(data, key):
    out = {}
    for i, k in enumerate(data[key]):
        out.setdefault(k, []).append(i)
    return out


def finish(ax, title, legend=True):
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3, which="both")
    if legend:
        ax.legend(fontsize=7)


def plot_epsc(d, j):
    e = need(d, "epsc.csv")
    if e is None:
        return
    fig, ax = plt.subplots(figsize=(6.5, 4.6))
    taus = {round(x["amplitude_V"], 6): x.get("tau1_s") for x in j.get("epsc", [])}
    for V, idx in groups(e, "amplitude_V").items():
        tau = taus.get(round(V, 6))
        label = "%.1f V, 50 ns%s" % (V, ", tau1 = %.3g ns" % (tau * 1e9) if fnum(tau) else "")
        ax.semilogx([e["time_after_spike_s"][i] for i in idx], [e["current_A"][i] * 1e9 for i in idx], label=label)
    ax.axvline(PAPER_FADE_S, color="k", ls=":", label="paper: STM faded within 25 us (tau1 ~ us)")
    ax.set_xlabel("time after the spike (s)")
    ax.set_ylabel("read current at %.2g V (nA)" % j.get("read_voltage_V", 0.1))
    finish(ax, "EPSC after sub-threshold spikes (Fig. 2a), compact model")
    fig.tight_layout()
    save_atomically(fig, os.path.join(d, "epsc.png"))


def pulse_label(j, key, v_default, w_default):
    """'0.6 V / 50 ns' from protocols.json's amplitude and width of a protocol (the defaults if absent)."""
    v, w = get(j, key, "amplitude_V"), get(j, key, "width_s")
    return "%g V / %g ns" % (v if fnum(v) else v_default, (w if fnum(w) else w_default) * 1e9)


def plot_frequency(d, j):
    p, t = need(d, "frequency_peaks.csv"), need(d, "frequency_traces.csv")
    if p is None or t is None:
        return
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.4))
    for f, idx in groups(t, "frequency_Hz").items():
        a.plot([t["time_s"][i] * 1e6 for i in idx], [t["current_A"][i] * 1e6 for i in idx], lw=0.8,
               label="%.3g MHz" % (f / 1e6))
    for f, idx in groups(p, "frequency_Hz").items():
        b.plot([p["pulse"][i] for i in idx], [p["peak_current_A"][i] * 1e6 for i in idx], "o-", label="%.3g MHz" % (f / 1e6))
    a.set_xlabel("time (us)")
    a.set_ylabel("current (uA)")
    b.set_xlabel("pulse number")
    b.set_ylabel("EPSC peak (uA)")
    finish(a, "10 x %s (Fig. 2b)" % pulse_label(j, "frequency", 0.6, 5e-8))
    finish(b, "peak vs pulse number (Fig. 2c); paper: peaks grow with frequency")
    fig.tight_layout()
    save_atomically(fig, os.path.join(d, "frequency.png"))


def plot_facilitation(d, j):
    f = need(d, "facilitation.csv")
    if f is None:
        return
    fig, ax = plt.subplots(figsize=(6.5, 4.6))
    ax.semilogx(f["interval_s"], f["ppf_percent"], "o", label="PPF (A2 - A1)/A1")
    ax.semilogx(f["interval_s"], f["ptp_percent"], "s", label="PTP (A10 - A1)/A1")
    for key, style in (("ppf", "-"), ("ptp", "--")):
        c1, tau, c0 = (get(j, "facilitation", key, k) for k in ("C1_percent", "tau_s", "C0_percent"))
        if fnum(c1) and fnum(tau) and fnum(c0):
            xs = [f["interval_s"][0] * (f["interval_s"][-1] / f["interval_s"][0]) ** (k / 100) for k in range(101)]
            ax.semilogx(xs, [c1 * math.exp(-x / tau) + c0 for x in xs], style,
                        label="%s fit, tau = %.3g ns" % (key.upper(), tau * 1e9))
    ax.axvspan(1e-6, 2.5e-5, color="0.9", label="paper: indices decay over us (Fig. 2d)")
    ax.set_xlabel("spike interval (s)")
    ax.set_ylabel("index (%)")
    finish(ax, "PPF and PTP, %s spikes (Fig. 2d), compact model" % pulse_label(j, "facilitation", 0.6, 5e-8))
    fig.tight_layout()
    save_atomically(fig, os.path.join(d, "facilitation.png"))


def plot_ltp_ltd(d, j):
    g = need(d, "ltp_ltd.csv")
    if g is None:
        return
    fig, ax = plt.subplots(figsize=(8, 4.6))
    # the CSV interleaves LTP and LTD rows per pulse: sort into the time order of the protocol
    order = sorted(range(len(g["cycle"])), key=lambda i: (g["cycle"][i], g["branch"][i] != "LTP", g["pulse"][i]))
    xs, ys = [], []
    for i in order:
        if g["cycle"][i] > 5 or g["pulse"][i] == 0:
            continue
        xs.append(len(xs) + 1)
        ys.append(g["conductance_S"][i] * 1e6)
    ax.plot(xs, ys, ".-", ms=3, lw=0.6, label="compact model, first 5 cycles")
    lo, hi = get(j, "ltp_ltd", "g_min_S"), get(j, "ltp_ltd", "g_max_S")
    if fnum(lo) and fnum(hi):
        ax.axhline(lo * 1e6, color="C0", ls=":", label="simulated window %.3g .. %.3g uS (cycles 2..N)" % (lo * 1e6, hi * 1e6))
        ax.axhline(hi * 1e6, color="C0", ls=":")
    ax.axhline(PAPER_WINDOW_US[0], color="k", ls="--", label="paper window %g .. %g uS" % PAPER_WINDOW_US)
    ax.axhline(PAPER_WINDOW_US[1], color="k", ls="--")
    ax.set_yscale("log")
    n, vs, vr, w = (get(j, "ltp_ltd", k) for k in ("pulses", "set_V", "reset_V", "width_s"))
    ax.set_xlabel("pulse number (%s x %+g V, then %s x %+g V, %g ns)" % (
        n if fnum(n) else 20, vs if fnum(vs) else 2.2, n if fnum(n) else 20, vr if fnum(vr) else -2.5,
        (w if fnum(w) else 5e-8) * 1e9))
    ax.set_ylabel("read conductance (uS)")
    a1, a2 = get(j, "ltp_ltd", "neurosim", "ltp", "A_pulses"), get(j, "ltp_ltd", "neurosim", "ltd", "A_pulses")
    finish(ax, "LTP/LTD (Fig. 3c); NeuroSim A = %s / %s pulses" % (
        "%.3g" % a1 if fnum(a1) else "n/a", "%.3g" % a2 if fnum(a2) else "n/a"))
    fig.tight_layout()
    save_atomically(fig, os.path.join(d, "ltp_ltd.png"))


def plot_stdp(d, j):
    a, s, w = need(d, "stdp_antisymmetric.csv"), need(d, "stdp_symmetric.csv"), need(d, "stdp_waveforms.csv")
    fig, axes = plt.subplots(2, 2, figsize=(11, 8))
    err = get(j, "stdp", "error")
    if a is None or s is None:
        for ax in axes.flat:
            ax.text(0.5, 0.5, err or "STDP not run", ha="center", va="center", fontsize=8, wrap=True)
        save_atomically(fig, os.path.join(d, "stdp.png"))
        return
    ax = axes[0, 0]
    ax.plot([x * 1e6 for x in a["dt_s"]], a["dW_percent"], "o", label="compact model")
    ax.plot([x * 1e6 for x in a["dt_s"]], a["fit_percent"], "-", label="eq. 1 fit")
    for A, tau in PAPER_STDP_ANTI:
        xs = [tau / abs(tau) * k * 0.1e-6 for k in range(5, 101)]
        ax.plot([x * 1e6 for x in xs], [A * math.exp(-x / tau) for x in xs], "k--", lw=0.8,
                label="paper eq. 1 (A = %g, tau2 = %g us, W0 = 0)" % (A, tau * 1e6))
    ax.set_xlabel("dt = t_post - t_pre (us)")
    ax.set_ylabel("dW (%)")
    lt, ld = get(j, "stdp", "antisymmetric", "ltp"), get(j, "stdp", "antisymmetric", "ltd")
    finish(ax, "antisymmetric STDP (Fig. 3d): A = %s, tau2 = %s | A = %s, tau2 = %s" % tuple(
        ("%.3g" % (v * sc) if fnum(v) else "n/a") for v, sc in
        ((get(lt, "A"), 1), (get(lt, "tau2_s"), 1e6), (get(ld, "A"), 1), (get(ld, "tau2_s"), 1e6))))
    ax = axes[0, 1]
    ax.plot([x * 1e6 for x in s["dt_s"]], s["dW_percent"], "o", label="compact model")
    ax.plot([x * 1e6 for x in s["dt_s"]], s["fit_percent"], "-", label="eq. 2 fit")
    A, tau = PAPER_STDP_SYM
    xs = [k * 0.1e-6 for k in range(-60, 61)]
    ax.plot([x * 1e6 for x in xs], [A * math.exp(-x * x / tau ** 2) for x in xs], "k--", lw=0.8,
            label="paper eq. 2 (A = %g, tau3 = %g us, W0 = 0)" % (PAPER_STDP_SYM[0], PAPER_STDP_SYM[1] * 1e6))
    ax.set_xlabel("dt (us)")
    ax.set_ylabel("dW (%)")
    sy = get(j, "stdp", "symmetric")
    finish(ax, "symmetric STDP (Fig. 3e): A = %s, tau3 = %s us" % tuple(
        ("%.3g" % (v * sc) if fnum(v) else "n/a") for v, sc in ((get(sy, "A"), 1), (get(sy, "tau3_s"), 1e6))))
    if w is not None:
        for ax, form in ((axes[1, 0], "antisymmetric"), (axes[1, 1], "symmetric")):
            for neuron in ("pre", "post"):
                idx = [i for i in range(len(w["form"])) if w["form"][i] == form and w["neuron"][i] == neuron]
                ax.plot([w["time_s"][i] * 1e6 for i in idx], [w["voltage_V"][i] for i in idx], label=neuron)
            ax.set_xlabel("time relative to firing (us)")
            ax.set_ylabel("V (V)")
            finish(ax, "%s spike shapes (cf. Figs. S6, S7)" % form)
    fig.tight_layout()
    save_atomically(fig, os.path.join(d, "stdp.png"))


def plot_energy(d, j):
    e = need(d, "energy.csv")
    if e is None:
        return
    fig, ax = plt.subplots(figsize=(6.5, 4.6))
    for branch, style in (("STM", "o"), ("LTM", "s")):
        idx = [i for i in range(len(e["branch"])) if e["branch"][i] == branch]
        ax.semilogy([e["amplitude_V"][i] for i in idx], [e["energy_J"][i] * 1e15 for i in idx], style,
                    label="compact model, %s" % branch)
    ax.plot([PAPER_THRESHOLD_V, PAPER_THRESHOLD_V], [PAPER_STM_FJ, PAPER_LTM_FJ], "k*", ms=12,
            label="paper %g fJ (STM), %g fJ (LTM) at %g V" % (PAPER_STM_FJ, PAPER_LTM_FJ, PAPER_THRESHOLD_V))
    ax.set_xlabel("spike amplitude (V), 20 ns")
    ax.set_ylabel("energy per spike (fJ)")
    finish(ax, "energy per spike (Fig. 3f), conduction energy of the compact model")
    fig.tight_layout()
    save_atomically(fig, os.path.join(d, "energy.png"))


def plot_array(d, j):
    a, r = need(d, "array.csv"), need(d, "array_retention.csv")
    if a is None:
        return
    letters = list(dict.fromkeys(a["letter"]))
    times = sorted(set(a["read_time_s"]))
    fig, axes = plt.subplots(len(times) + 1, len(letters), figsize=(3.2 * len(letters), 3.0 * (len(times) + 1)))
    vmax = max(a["current_A"]) * 1e9
    vmin = min(a["current_A"]) * 1e9
    for c, L in enumerate(letters):
        for k, t in enumerate(times):
            img = [[0.0] * 5 for _ in range(5)]
            for i in range(len(a["letter"])):
                if a["letter"][i] == L and a["read_time_s"][i] == t:
                    img[int(a["row"][i])][int(a["column"][i])] = a["current_A"][i] * 1e9
            ax = axes[k, c]
            im = ax.imshow(img, vmin=vmin, vmax=vmax, cmap="viridis")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title("%s, %s after the last pulse" % (L, "%.3g us" % (t * 1e6)), fontsize=8)
        fig.colorbar(im, ax=axes[len(times) - 1, c], fraction=0.046, label="read current (nA)")
        ax = axes[len(times), c]
        if r is not None:
            idx = [i for i in range(len(r["letter"])) if r["letter"][i] == L]
            ax.semilogx([r["time_s"][i] for i in idx], [r["contrast"][i] for i in idx], label="compact model")
        if L == "H":
            ax.axvline(PAPER_H_RETAINED_S, color="k", ls="--", label="paper: H retained > %g s" % PAPER_H_RETAINED_S)
        rt = get(j, "array", L, "retained_time_s")
        ax.set_xlabel("time after the last pulse (s)")
        ax.set_ylabel("contrast (rel. to 25 us)")
        finish(ax, "%s retention%s" % (L, ", %.3g s" % rt if fnum(rt) else ""))
    parts = []
    for L, role in (("C", "STM "), ("H", "LTM "), ("N", "")):
        v, f = get(j, "array", L, "amplitude_V"), get(j, "array", L, "frequency_Hz")
        if fnum(v) and fnum(f):
            parts.append("%s (%s%g V, %g MHz)" % (L, role, v, f / 1e6))
    fig.suptitle("5 x 5 array (Fig. 4): " + ", ".join(parts), fontsize=10)
    fig.tight_layout()
    save_atomically(fig, os.path.join(d, "array.png"))


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    d = argv[1]
    try:
        with open(os.path.join(d, "protocols.json")) as f:
            j = json.load(f)
    except (OSError, ValueError) as e:
        print("plot_protocols: cannot read %s/protocols.json: %s" % (d, e), file=sys.stderr)
        return 2
    for plot in (plot_epsc, plot_frequency, plot_facilitation, plot_ltp_ltd, plot_stdp, plot_energy, plot_array):
        plot(d, j)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
