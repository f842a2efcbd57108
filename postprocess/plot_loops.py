#!/usr/bin/python3
"""Figures of the switching loops written by `otj loops` (paper Fig. 1b and 1d):

  DIR/rv_loop.png   read resistance at 0.1 V after each write (R-V hysteresis loop),
                    with the paper's HRS and LRS levels (calibration set) marked;
  DIR/iv_loops.png  switching I-V loops |I|(V_source), and the static I-V curves of
                    the pristine, LRS and HRS states;
  DIR/richardson.png  the reads of the frozen LRS and HRS at several temperatures
                    (temperature_reads.csv): the Richardson plot ln(I/T^2) over 1000/T
                    with the fitted activation energies, and the mean energy of the
                    read current above the Fermi level. The paper has no temperature
                    data; the slope of emission over its 0.55 eV TE barrier is drawn
                    for comparison;
  DIR/current_spectrum.png  where those reads flow in energy (current_spectrum.csv, the
                    Tsu-Esaki integrand dJ/dE / J) with the HRS's film top, its Nb:SrTiO3
                    Schottky barrier behind the film and E_F + 3 kT marked.

Usage: /usr/bin/python3 postprocess/plot_loops.py results/paper_device/loops
"""
import csv
import json
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from paper_values import text as paper_text, value as paper_value  # noqa: E402

# Paper (Li et al., ACS AMI 2019), Fig. 1b: calibration set of SPEC section 7 (paper_values.py).
PAPER_HRS_OHM = paper_value("r_hrs_ohm")
PAPER_LRS_OHM = paper_value("r_lrs_ohm")


def read_csv(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) for r in rows] for k in rows[0]} if rows else {}


def save_atomically(fig, path):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", suffix=".png")
    os.close(fd)
    fig.savefig(tmp, dpi=130)
    os.replace(tmp, path)
    plt.close(fig)


def plot_rv(d, summary):
    rv = read_csv(os.path.join(d, "rv_loop.csv"))
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    ax.semilogy(rv["write_voltage_V"], rv["read_resistance_ohm"], "o-", ms=3.5, lw=1, label="simulated (PDE)")
    ax.semilogy([rv["write_voltage_V"][0]], [rv["read_resistance_ohm"][0]], "ks", ms=7, label="pristine")
    ax.axhline(PAPER_HRS_OHM, color="tab:blue", ls="--", lw=1, label="paper HRS %s ohm" % paper_text("r_hrs_ohm"))
    ax.axhline(PAPER_LRS_OHM, color="tab:red", ls="--", lw=1, label="paper LRS %s ohm" % paper_text("r_lrs_ohm"))
    ax.set_xlabel("write voltage (V), ~100 ms")
    ax.set_ylabel("read resistance at %.1f V (ohm)" % summary.get("read_voltage_V", 0.1))
    title = "R-V loop (cf. paper Fig. 1b)"
    if "on_off_ratio" in summary:
        title += ": ON/OFF %.3g (paper 6.7e3)" % summary["on_off_ratio"]
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    save_atomically(fig, os.path.join(d, "rv_loop.png"))


def plot_iv(d):
    fig, ax = plt.subplots(1, 2, figsize=(12, 4.8))
    loop_path = os.path.join(d, "iv_loop.csv")
    if os.path.exists(loop_path):
        lp = read_csv(loop_path)
        if lp:
            cycles = sorted(set(int(c) for c in lp["cycle"]))
            for c in cycles:
                idx = [i for i, k in enumerate(lp["cycle"]) if int(k) == c]
                ax[0].semilogy([lp["source_voltage_V"][i] for i in idx],
                               [abs(lp["terminal_current_A"][i]) + 1e-15 for i in idx], lw=1, label="cycle %d" % (c + 1))
    ax[0].set_xlabel("source voltage (V)")
    ax[0].set_ylabel("|terminal current| (A)")
    ax[0].set_title("switching I-V loops (cf. paper Fig. 1d)", fontsize=10)
    ax[0].legend(fontsize=8)
    ax[0].grid(alpha=0.3, which="both")
    for name, colour in (("pristine", "k"), ("hrs", "tab:blue"), ("lrs", "tab:red")):
        p = os.path.join(d, "iv_%s.csv" % name)
        if os.path.exists(p):
            iv = read_csv(p)
            ax[1].semilogy(iv["voltage_V"], [abs(i) + 1e-18 for i in iv["current_A"]], color=colour, label=name.upper())
    ax[1].set_xlabel("voltage (V), vacancies frozen")
    ax[1].set_ylabel("|current| (A)")
    ax[1].set_title("static I-V of the states (input of the barrier fits)", fontsize=10)
    ax[1].legend(fontsize=8)
    ax[1].grid(alpha=0.3, which="both")
    fig.tight_layout()
    save_atomically(fig, os.path.join(d, "iv_loops.png"))


def plot_richardson(d, summary):
    path = os.path.join(d, "temperature_reads.csv")
    td = summary.get("temperature_dependence")
    if not os.path.exists(path) or not td:
        return False
    import math
    with open(path) as f:
        rows = list(csv.DictReader(f))
    k_eV = 8.617333262e-5
    fig, ax = plt.subplots(1, 2, figsize=(12, 4.8))
    Vr = td.get("read_voltage_V", 0.1)
    for name, colour in (("HRS", "tab:blue"), ("LRS", "tab:red")):
        r = [x for x in rows if x["state"] == name]
        if not r:
            continue
        T = [float(x["temperature_K"]) for x in r]
        y = [math.log(float(x["read_current_A"]) / t ** 2) for t, x in zip(T, r)]
        st = td["states"].get(name, {})
        Ea = st.get("activation_energy_eV")
        label = "%s: E_a = %.3f eV" % (name, Ea) if Ea is not None else name
        ax[0].plot([1000 / t for t in T], y, "o", color=colour, label=label)
        if Ea is not None:
            b = sum(yy + Ea / (k_eV * t) for yy, t in zip(y, T)) / len(T)
            ax[0].plot([1000 / t for t in T], [b - Ea / (k_eV * t) for t in T], "-", color=colour, lw=1)
            if name == "HRS":
                # slope of emission over the paper's TE barrier at the same read, through the middle point
                Ep = paper_value("te_barrier_eV") - Vr
                m = len(T) // 2
                ax[0].plot([1000 / t for t in T], [y[m] - Ep / k_eV * (1 / t - 1 / T[m]) for t in T], "--",
                           color="grey", lw=1,
                           label="slope of TE over the paper's %s eV barrier (E_a = %.2f eV)"
                           % (paper_text("te_barrier_eV"), Ep))
        ax[1].plot(T, [float(x["read_mean_energy_eV"]) for x in r], "o-", color=colour,
                   label="%s: mean energy of the read current" % name)
        if name == "HRS":
            ax[1].plot(T, [float(x["barrier_top_eV"]) for x in r], ":", color=colour, label="HRS barrier top (film)")
            # the Nb:SrTiO3 depletion barrier behind the film (older CSVs lack the column)
            sb = [x.get("substrate_barrier_eV") for x in r]
            if all(v not in (None, "", "nan") for v in sb):
                ax[1].plot(T, [float(v) for v in sb], "--", color=colour,
                           label="HRS Nb:SrTiO3 Schottky barrier behind the film")
    ax[0].set_xlabel("1000 / T (1/K)")
    ax[0].set_ylabel("ln(I / T^2)  (I in A, T in K)")
    ax[0].set_title("Richardson plot of the %.1f V read, vacancies frozen" % Vr, fontsize=10)
    ax[0].legend(fontsize=8)
    ax[0].grid(alpha=0.3)
    ax[1].set_xlabel("temperature (K)")
    ax[1].set_ylabel("energy above the Fermi level (eV)")
    ax[1].set_title("where the read current flows", fontsize=10)
    ax[1].legend(fontsize=8)
    ax[1].grid(alpha=0.3)
    fig.tight_layout()
    save_atomically(fig, os.path.join(d, "richardson.png"))
    return True


def plot_spectrum(d):
    """Where the 0.1 V read currents flow in energy (current_spectrum.csv): dJ/dE / J of the HRS
    and LRS at the run's temperature (and the HRS at the lowest and highest), with the HRS's
    film top, the Nb:SrTiO3 Schottky barrier behind the film and E_F + 3 kT marked."""
    path = os.path.join(d, "current_spectrum.csv")
    reads_path = os.path.join(d, "temperature_reads.csv")
    if not os.path.exists(path) or not os.path.exists(reads_path):
        return False
    with open(path) as f:
        rows = list(csv.DictReader(f))
    with open(reads_path) as f:
        reads = list(csv.DictReader(f))
    temps = sorted({float(r["temperature_K"]) for r in rows})
    if not temps:
        return False
    t_run = min(temps, key=lambda t: abs(t - 300.0))
    fig, ax = plt.subplots(figsize=(8, 5))

    def curve(state, t):
        e = [float(r["energy_eV"]) for r in rows if r["state"] == state and float(r["temperature_K"]) == t]
        f = [float(r["fraction_per_eV"]) for r in rows if r["state"] == state and float(r["temperature_K"]) == t]
        return e, f

    for state, colour in (("HRS", "tab:blue"), ("LRS", "tab:red")):
        e, f = curve(state, t_run)
        if e:
            ax.semilogy(e, f, "-", color=colour, lw=2, label="%s, %g K" % (state, t_run))
    for t, style in ((temps[0], ":"), (temps[-1], "--")):
        if t != t_run:
            e, f = curve("HRS", t)
            if e:
                ax.semilogy(e, f, style, color="tab:blue", lw=1, label="HRS, %g K" % t)
    hrs = [r for r in reads if r["state"] == "HRS" and float(r["temperature_K"]) == t_run]
    if hrs:
        r = hrs[0]
        marks = [("film top (HRS)", r.get("barrier_top_eV"), "0.3"),
                 ("Nb:SrTiO3 Schottky barrier behind the film (HRS)", r.get("substrate_barrier_eV"), "tab:green")]
        for label, v, colour in marks:
            if v not in (None, "", "nan"):
                ax.axvline(float(v), color=colour, lw=1, label="%s %.3f eV" % (label, float(v)))
        ax.axvline(3 * 8.617333262e-5 * t_run, color="0.6", lw=1, ls="-.", label="E_F + 3 kT")
    ax.set_ylim(1e-4, None)
    ax.set_xlim(-0.15, 1.2)
    ax.set_xlabel("energy above the Nb:SrTiO3 Fermi level (eV)")
    ax.set_ylabel("dJ/dE / J  (1/eV)")
    ax.set_title("where the 0.1 V read current flows (Tsu-Esaki integrand, vacancies frozen)", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    save_atomically(fig, os.path.join(d, "current_spectrum.png"))
    return True


def main(d):
    with open(os.path.join(d, "loops.json")) as f:
        summary = json.load(f)
    plot_rv(d, summary)
    plot_iv(d)
    extra = ", %s/richardson.png" % d if plot_richardson(d, summary) else ""
    extra += ", %s/current_spectrum.png" % d if plot_spectrum(d) else ""
    print("plot_loops: wrote %s/rv_loop.png, %s/iv_loops.png%s" % (d, d, extra))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
