#!/usr/bin/python3
"""Plots the vacancy, potential and band-edge profiles of every snapshot of a
run directory (written by `otj run`) into <dir>/profiles.png.

Usage: /usr/bin/python3 postprocess/plot_profiles.py results/paper_device/writes
"""
import csv
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_profile(path):
    with open(path) as f:
        rows = [r for r in f if not r.startswith("#")]
    data = list(csv.DictReader(rows))
    return {k: [float(r[k]) for r in data] for k in data[0]}


def main(run_dir):
    with open(os.path.join(run_dir, "summary.json")) as f:
        summary = json.load(f)
    snaps = [s for s in summary["snapshots"] if s.get("profile")]
    fig, ax = plt.subplots(1, 3, figsize=(15, 4.5))
    cmap = plt.get_cmap("viridis")
    for k, s in enumerate(snaps):
        p = read_profile(os.path.join(run_dir, s["profile"]))
        label = f"t={s['time_s']:.3g} s, V={s['applied_voltage_V']:+.2f} V"
        col = cmap(k / max(1, len(snaps) - 1))
        ax[0].semilogy(p["x_nm"], [max(c, 1e18) for c in p["vacancy_density_m3"]], color=col, label=label)
        ax[1].plot(p["x_nm"], p["conduction_band_edge_eV"], color=col)
        ax[2].semilogy(p["x_nm"], [max(n, 1e18) for n in p["electron_density_m3"]], color=col)
    barrier = sum(l["thickness_nm"] for l in summary["device"]["layers"][:-1])
    for a in ax:
        a.axvspan(0, barrier, color="0.92", zorder=0)
        a.set_xlim(0, barrier + 8)
        a.set_xlabel("depth from Pt (nm)")
    ax[0].set_ylabel("oxygen vacancy density (m$^{-3}$)")
    ax[1].set_ylabel("conduction band edge $E_c - E_F$(Nb:STO) (eV)")
    ax[2].set_ylabel("electron density (m$^{-3}$)")
    ax[0].legend(fontsize=6)
    fig.suptitle(summary["experiment"] + " (grey: SrTiO$_3$ film)")
    fig.tight_layout()
    out = os.path.join(run_dir, "profiles.png")
    fig.savefig(out + ".tmp.png", dpi=110)
    os.replace(out + ".tmp.png", out)
    print("  figure:", out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results/paper_device/writes")
