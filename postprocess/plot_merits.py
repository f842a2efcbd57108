#!/usr/bin/python3
"""Figures of the figures of merit written by `otj merits`, each with the paper's values marked
(legend entries starting with "paper"; Li et al., ACS Appl. Mater. Interfaces 11, 2019; the
numbers come from paper_values.py):

  DIR/threshold_vs_width.png  switching kinetics: pulse width versus threshold |V| for both
                              polarities (paper threshold at 20 ns, Fig. 3f text);
  DIR/relaxation.png          read current after sub-threshold 50 ns pulses with the exponential
                              fits, tau1 in the title (Fig. 2a; paper: tau1 of order us, C and N
                              fade within 25 us);
  DIR/stm_ltm.png             read current versus spike amplitude, 100 ns (Fig. 3a; paper read
                              currents at 0.9 and 3.6 V) and conductance versus width (Fig. 3b);
  DIR/energy_per_spike.png    energy per 20 ns spike versus amplitude (Fig. 3f; paper STM and LTM
                              energies, threshold);
  DIR/retention.png           HRS and LRS read resistance versus time (Fig. 1f; paper HRS and LRS
                              and their retention time);
  DIR/endurance.png           LRS and HRS resistance over set/reset cycles (Fig. 1e; paper HRS and
                              LRS levels).

A figure whose CSV is missing is skipped with a one-line message. merits.json is optional
(titles, fitted tau1, thresholds); if it exists but cannot be parsed the script exits with 2.
The paper's values are used here for display only.

Usage: /usr/bin/python3 postprocess/plot_merits.py results/paper_device/merits
"""
import csv
import glob
import json
import math
import os
import re
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.text  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from paper_values import value as paper_value  # noqa: E402

# paper values (display only; paper_values.py) and the paper's experimental conditions
PAPER_HRS_OHM = paper_value("r_hrs_ohm")
PAPER_LRS_OHM = paper_value("r_lrs_ohm")
PAPER_THRESHOLD_V, PAPER_THRESHOLD_WIDTH_S = paper_value("threshold_20ns_V"), 20e-9
PAPER_STM_FJ, PAPER_LTM_FJ = paper_value("energy_stm_fJ"), paper_value("energy_ltm_fJ")
PAPER_CURRENTS_NA = ((0.9, paper_value("read_current_0p9V_nA")), (3.6, paper_value("read_current_3p6V_nA")))
PAPER_RETENTION_S = paper_value("retention_s")
PAPER_FADE_S = 25e-6
PAPER_COMPLIANCE_A = 115e-9


def number(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return s if s not in (None, "") else math.nan


def read_csv(path):
    """Columns of a CSV as lists (floats where possible, 'nan'/'-nan'/'' -> NaN)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return {}
    return {k: [number(r.get(k)) for r in rows] for k in rows[0]}


def finite(*xs):
    return all(isinstance(x, float) and math.isfinite(x) for x in xs)


def tidy_exponents(fig):
    """1.29e-09 -> 1.29e-9, 1e+04 -> 1e4 in every title, label and legend text."""
    for t in fig.findobj(matplotlib.text.Text):
        text = t.get_text()
        if "e" in text and "$" not in text:
            t.set_text(re.sub(r"(\d)e\+?(-?)0*(\d)", r"\1e\2\3", text))


def save_atomically(fig, path):
    tidy_exponents(fig)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", suffix=".png")
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=130)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
        plt.close(fig)
    print("%s: wrote %s" % (os.path.basename(sys.argv[0]), path))


def duration(t):
    """A time in readable units (20 ns, 1.5 us, 10 ms, 2 s)."""
    for unit, f in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if abs(t) >= f or unit == "ns":
            return "%.3g %s" % (t / f, unit)


def get(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def fnum(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def finish(ax, fig, path, title):
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_atomically(fig, path)


def need(d, name):
    path = os.path.join(d, name)
    if not os.path.exists(path):
        print("%s: %s missing, skipped" % (os.path.basename(sys.argv[0]), path))
        return None
    data = read_csv(path)
    if not data:
        print("%s: %s has no rows, skipped" % (os.path.basename(sys.argv[0]), path))
        return None
    return data


# --------------------------------------------------------------------------------------------


def plot_threshold(d, merits):
    t = need(d, "threshold_vs_width.csv")
    if t is None:
        return
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    for col, label, style in (("positive_threshold_V", "positive pulses (set, from pristine)", "o-"),
                              ("negative_threshold_V", "|negative| pulses (reset, from LRS)", "s-")):
        pts = [(abs(v), w) for v, w in zip(t.get(col, []), t.get("width_s", [])) if finite(v, w)]
        if pts:
            ax.semilogy([p[0] for p in pts], [p[1] for p in pts], style, ms=5, lw=1.2, label=label)
        missing = [w for v, w in zip(t.get(col, []), t.get("width_s", [])) if finite(w) and not finite(v)]
        if missing:
            print("plot_merits: threshold_vs_width.csv: %s not bracketed at %d width(s)" % (col, len(missing)))
    ax.semilogy([PAPER_THRESHOLD_V], [PAPER_THRESHOLD_WIDTH_S], "k*", ms=13,
                label="paper: %g V at 20 ns (STM -> LTM)" % PAPER_THRESHOLD_V)
    ax.set_xlabel("threshold pulse amplitude |V| (V)")
    ax.set_ylabel("pulse width (s)")
    crit = get(merits, "threshold", "criterion")
    delay = get(merits, "threshold", "read_delay_s")
    title = "switching kinetics: threshold vs pulse width"
    if fnum(crit):
        title += "\n(criterion dG/G = %g" % crit + (", read %s later)" % duration(delay) if fnum(delay) else ")")
    finish(ax, fig, os.path.join(d, "threshold_vs_width.png"), title)


def plot_relaxation(d, merits):
    files = sorted(glob.glob(os.path.join(d, "relaxation_*.csv")))
    if not files:
        print("plot_merits: %s missing, skipped" % os.path.join(d, "relaxation_*.csv"))
        return
    pulses = get(merits, "relaxation", "pulses")
    pulses = [p for p in pulses if isinstance(p, dict)] if isinstance(pulses, list) else []

    def amplitude_of(path):
        m = re.match(r"relaxation_(.+?)V?\.csv$", os.path.basename(path))
        try:
            return float(m.group(1)) if m else math.nan
        except ValueError:
            return math.nan

    files.sort(key=lambda p: (math.isnan(amplitude_of(p)), amplitude_of(p)))
    fig, ax = plt.subplots(figsize=(7.0, 5.0))
    taus, negative = [], False
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, path in enumerate(files):
        r = read_csv(path)
        if not r or "time_after_pulse_s" not in r or "read_current_A" not in r:
            print("plot_merits: %s has no rows or columns, skipped" % path)
            continue
        A = amplitude_of(path)
        c = colours[i % len(colours)]
        tag = ("%g V" % A) if math.isfinite(A) else os.path.basename(path)
        p = next((q for q in pulses if fnum(q.get("amplitude_V")) and math.isfinite(A)
                  and abs(q["amplitude_V"] - A) < 1e-6), None)
        label = "simulated, %s" % tag
        if p is not None and fnum(p.get("tau1_s")):
            taus.append("%.3g s (%s)" % (p["tau1_s"], tag))
            label += ": tau1 %.3g s" % p["tau1_s"]
            if fnum(p.get("tau2_s")):
                label += ", tau2 %.3g s" % p["tau2_s"]
            if isinstance(p.get("model"), str):
                label += " [%s]" % p["model"]
        t, I = r["time_after_pulse_s"], r["read_current_A"]
        negative |= any(finite(x) and x < 0 for x in I)
        pos = [(a, b) for a, b in zip(t, I) if finite(a, b) and a > 0 and b > 0]
        neg = [(a, -b) for a, b in zip(t, I) if finite(a, b) and a > 0 and b < 0]
        for k, pts in enumerate((pos, neg)):
            if pts:
                ax.loglog([q[0] for q in pts], [q[1] for q in pts], "o", ms=3.5, color=c,
                          mfc=c if k == 0 else "white", label=label if k == 0 or not pos else None)
        if "fit_current_A" in r:
            fit = [(a, abs(b)) for a, b in zip(t, r["fit_current_A"]) if finite(a, b) and a > 0 and b != 0]
            if fit:
                ax.loglog([q[0] for q in fit], [q[1] for q in fit], "--", lw=1.2, color=c)
    ax.plot([], [], "k--", lw=1.2, label="exponential fit")
    if negative:
        ax.plot([], [], "ko", ms=3.5, mfc="white", label="open: negative current")
    ax.axvline(1e-6, color="0.3", ls=":", lw=1.2, label="paper: tau1 of order 1 us")
    ax.axvline(PAPER_FADE_S, color="0.6", ls="-.", lw=1.2, label="paper: C and N faded by 25 us")
    ax.set_xlabel("time after the pulse (s)")
    ax.set_ylabel("|read current| (A)" if negative else "read current (A)")
    title = "relaxation after 50 ns sub-threshold pulses (cf. paper Fig. 2a)"
    if taus:
        title += "\ntau1 = " + ", ".join(taus)
    finish(ax, fig, os.path.join(d, "relaxation.png"), title)


def plot_stm_ltm(d, merits):
    a = need(d, "stm_ltm_amplitude.csv")
    w = need(d, "stm_ltm_width.csv")
    if a is None and w is None:
        return
    v_read = get(merits, "retention", "read_voltage_V")
    v_read = v_read if fnum(v_read) else 0.1
    compliance = get(merits, "stm_ltm", "compliance_A")
    compliance = compliance if fnum(compliance) and compliance > 0 else None
    fig, ax = plt.subplots(1, 2, figsize=(12, 4.8))
    if a is not None:
        pts = [(x, y * 1e9) for x, y in zip(a.get("amplitude_V", []), a.get("read_current_A", []))
               if finite(x, y) and y > 0]
        if pts:
            ax[0].semilogy([p[0] for p in pts], [p[1] for p in pts], "o-", ms=5, lw=1.2,
                           label="simulated, first read")
        if "conductance_25us_S" in a:
            late = []
            for x, g in zip(a.get("amplitude_V", []), a["conductance_25us_S"]):
                if finite(x, g) and g > 0:
                    i = g * v_read
                    late.append((x, 1e9 * (min(i, compliance) if compliance else i)))
            if late:
                ax[0].semilogy([p[0] for p in late], [p[1] for p in late], "s--", ms=4, lw=1,
                               label="simulated, read at 25 us")
        if compliance:
            ax[0].axhline(compliance * 1e9, color="0.5", ls="-.", lw=1,
                          label="compliance %.3g nA" % (compliance * 1e9))
        ax[0].semilogy([p[0] for p in PAPER_CURRENTS_NA], [p[1] for p in PAPER_CURRENTS_NA], "k*", ms=13,
                       label="paper: " + ", ".join("%g nA (%g V)" % (i, a) for a, i in PAPER_CURRENTS_NA))
        width = [x for x in a.get("width_s", []) if finite(x)]
        ax[0].set_xlabel("spike amplitude (V)" + (", %s spikes" % duration(width[0]) if width else ""))
        ax[0].set_ylabel("read current at %.3g V (nA)" % v_read)
        ax[0].set_title("STM -> LTM by amplitude (cf. paper Fig. 3a)", fontsize=10)
        ax[0].grid(alpha=0.3, which="both")
        ax[0].legend(fontsize=8)
    else:
        ax[0].text(0.5, 0.5, "stm_ltm_amplitude.csv missing", ha="center", transform=ax[0].transAxes)
    if w is not None:
        for col, style, label in (("conductance_S", "o-", "simulated, first read"),
                                  ("conductance_25us_S", "s--", "simulated, read at 25 us")):
            pts = [(x, y * 1e6) for x, y in zip(w.get("width_s", []), w.get(col, [])) if finite(x, y) and y > 0]
            if pts:
                ax[1].loglog([p[0] for p in pts], [p[1] for p in pts], style, ms=5, lw=1.2, label=label)
        ax[1].axhline(PAPER_COMPLIANCE_A / v_read * 1e6, color="k", ls=":", lw=1.2,
                      label="paper: 115 nA compliance at %.3g V read" % v_read)
        amp = [x for x in w.get("amplitude_V", []) if finite(x)]
        ax[1].set_xlabel("spike width (s)" + (", %.3g V spikes" % amp[0] if amp else ""))
        ax[1].set_ylabel("conductance (uS)")
        ax[1].set_title("STM -> LTM by width (cf. paper Fig. 3b; no value in the text)", fontsize=10)
        ax[1].grid(alpha=0.3, which="both")
        ax[1].legend(fontsize=8)
    else:
        ax[1].text(0.5, 0.5, "stm_ltm_width.csv missing", ha="center", transform=ax[1].transAxes)
    fig.tight_layout()
    save_atomically(fig, os.path.join(d, "stm_ltm.png"))


def plot_energy(d, merits):
    e = need(d, "energy_per_spike.csv")
    if e is None:
        return
    fig, ax = plt.subplots(figsize=(7.0, 5.0))
    amps = e.get("amplitude_V", [])
    ltm = [finite(x) and x > 0.5 for x in e.get("ltm", [math.nan] * len(amps))]
    junction = e.get("energy_junction_J", [])
    stm_pts = [(x, y * 1e15) for x, y, l in zip(amps, junction, ltm) if finite(x, y) and y > 0 and not l]
    ltm_pts = [(x, y * 1e15) for x, y, l in zip(amps, junction, ltm) if finite(x, y) and y > 0 and l]
    all_pts = sorted(stm_pts + ltm_pts)
    if all_pts:
        ax.semilogy([p[0] for p in all_pts], [p[1] for p in all_pts], "-", color="tab:blue", lw=1)
    if stm_pts:
        ax.semilogy([p[0] for p in stm_pts], [p[1] for p in stm_pts], "o", color="tab:blue", mfc="white",
                    label="simulated, junction (STM)")
    if ltm_pts:
        ax.semilogy([p[0] for p in ltm_pts], [p[1] for p in ltm_pts], "o", color="tab:blue",
                    label="simulated, junction (LTM)")
    series = (("energy_source_J", "x:", "simulated, delivered by the source", "tab:gray"),
              ("energy_paper_formula_J", "^--", "simulated, paper's estimate V I(end) t", "tab:orange"))
    for col, style, label, colour in series:
        pts = [(x, y * 1e15) for x, y in zip(amps, e.get(col, [])) if finite(x, y) and y > 0]
        if pts:
            ax.semilogy([p[0] for p in pts], [p[1] for p in pts], style, ms=4, lw=1, color=colour, label=label)
    thr = get(merits, "energy", "threshold_V")
    if fnum(thr):
        ax.axvline(thr, color="tab:red", ls="--", lw=1.2, label="simulated threshold %.3g V" % thr)
    ax.axvline(PAPER_THRESHOLD_V, color="k", ls=":", lw=1.2, label="paper threshold %g V" % PAPER_THRESHOLD_V)
    ax.axhline(PAPER_STM_FJ, color="tab:green", ls=":", lw=1.5, label="paper STM %g fJ" % PAPER_STM_FJ)
    ax.axhline(PAPER_LTM_FJ, color="tab:purple", ls=":", lw=1.5, label="paper LTM %g fJ" % PAPER_LTM_FJ)
    width = [x for x in e.get("width_s", []) if finite(x)]
    ax.set_xlabel("spike amplitude (V)")
    ax.set_ylabel("energy per spike (fJ)")
    finish(ax, fig, os.path.join(d, "energy_per_spike.png"),
           "energy per %s spike (cf. paper Fig. 3f)" % (duration(width[0]) if width else "20 ns"))


def plot_retention(d, merits):
    r = need(d, "retention.csv")
    if r is None:
        return
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    tmin = math.inf
    for state, colour in (("HRS", "tab:blue"), ("LRS", "tab:red")):
        pts = [(t, R) for s, t, R in zip(r.get("state", []), r.get("time_s", []), r.get("resistance_ohm", []))
               if s == state and finite(t, R) and t > 0 and R > 0]
        if pts:
            tmin = min(tmin, pts[0][0])
            label = "simulated %s" % state
            kept = get(merits, "retention", state, "retained_time_s")
            if fnum(kept):
                label += " (within 2x until %.3g s)" % kept
            ax.loglog([p[0] for p in pts], [p[1] for p in pts], "o-", ms=4, lw=1.2, color=colour, label=label)
    t0 = tmin if math.isfinite(tmin) else 1e-2
    ax.hlines([PAPER_HRS_OHM, PAPER_LRS_OHM], t0, PAPER_RETENTION_S, colors=["tab:blue", "tab:red"],
              linestyles=":", lw=1.8)
    ax.plot([], [], "k:", lw=1.8, label="paper: %.2g / %.2g ohm retained to %.2g s" % (PAPER_HRS_OHM, PAPER_LRS_OHM, PAPER_RETENTION_S))
    ax.axvline(PAPER_RETENTION_S, color="0.5", ls="--", lw=1)
    ax.set_xlabel("time after the write (s)")
    v = get(merits, "retention", "read_voltage_V")
    ax.set_ylabel("read resistance at %.3g V (ohm)" % (v if fnum(v) else 0.1))
    finish(ax, fig, os.path.join(d, "retention.png"), "retention of HRS and LRS (cf. paper Fig. 1f)")


def plot_endurance(d, merits):
    e = need(d, "endurance.csv")
    if e is None:
        return
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    for col, name, colour in (("hrs_resistance_ohm", "HRS", "tab:blue"), ("lrs_resistance_ohm", "LRS", "tab:red")):
        pts = [(c, R) for c, R in zip(e.get("cycle", []), e.get(col, [])) if finite(c, R) and R > 0]
        if pts:
            ax.semilogy([p[0] for p in pts], [p[1] for p in pts], "o-", ms=4, lw=1.2, color=colour,
                        label="simulated %s" % name)
    ax.axhline(PAPER_HRS_OHM, color="tab:blue", ls=":", lw=1.5, label="paper HRS %.2g ohm" % PAPER_HRS_OHM)
    ax.axhline(PAPER_LRS_OHM, color="tab:red", ls=":", lw=1.5, label="paper LRS %.2g ohm" % PAPER_LRS_OHM)
    ax.set_xlabel("set/reset cycle")
    ax.set_ylabel("read resistance (ohm)")
    title = "endurance (cf. paper Fig. 1e: ON/OFF ~5e3 over > 3e3 cycles)"
    w1, w2 = get(merits, "endurance", "window_first"), get(merits, "endurance", "window_last")
    if fnum(w1) and fnum(w2):
        title += "\nsimulated ON/OFF %.3g (first) -> %.3g (last cycle)" % (w1, w2)
    finish(ax, fig, os.path.join(d, "endurance.png"), title)


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    d = argv[1]
    if not os.path.isdir(d):
        print("plot_merits: error: %s is not a directory" % d, file=sys.stderr)
        return 2
    merits = {}
    mpath = os.path.join(d, "merits.json")
    if os.path.exists(mpath):
        try:
            with open(mpath, encoding="utf-8") as f:
                merits = json.load(f)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as ex:
            print("plot_merits: error: %s: cannot parse: %s" % (mpath, ex), file=sys.stderr)
            return 2
        if not isinstance(merits, dict):
            print("plot_merits: error: %s: cannot parse: expected a JSON object" % mpath, file=sys.stderr)
            return 2
    else:
        print("plot_merits: %s missing: figures without fitted values and thresholds" % mpath)
    for plot in (plot_threshold, plot_relaxation, plot_stm_ltm, plot_energy, plot_retention, plot_endurance):
        plot(d, merits)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
