#!/usr/bin/python3
"""Probes of the volatile (STM) relaxation against the 20 ns threshold (not part of ./run).

The calibration set of SPEC 7 asks for an STM relaxation "of order microseconds" and a 1.8 V /
20 ns STM-to-LTM threshold; the calibrated landscape relaxes in ~1 ns (HISTORY.md, thirteenth and
sixteenth sessions). Each case copies the calibrated materials (materials/calibrated/), changes
the named entries, and runs `otj run` on the paper device (drivers/paper_device/writes.prm) for:
  - a 0.6 V / 50 ns spike from the pristine state, read at 0.1 V from its end to 1 ms: G/G0;
  - a 1.8 V / 20 ns pulse, read 25 us later: dG/G0 (the threshold criterion is 0.1);
  - a +2.2 V / 100 ms write, read 10 ms, 100 s and 1e4 s later (LRS retention);
and, once, the junction capacitance: a 0.05 V step through 1 kohm, C = tau / R_0 from the rise of
the junction voltage (the R_0 C a capacitive microsecond STM would need).
  /usr/bin/python3 drivers/paper_device/studies/stm_landscape_probes.py [--quick]
Output: results/paper_device/studies/stm_landscape/{<case>/, summary.txt}. About 1 min.
"""
import csv
import json
import math
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OTJ = os.path.join(ROOT, "build", "otj")
OUT = os.path.join(ROOT, "results", "paper_device", "studies", "stm_landscape")
FILES = {"film": "srtio3_film.prm", "interface": "sto_snto_interface.prm"}
TIMEOUT = None  # s per otj run (None: no limit); landscape_search.py sets one

# (name, {layer: {entry: value}}): the calibrated landscape, then the two routes of the
# sixteenth session: a longer hop in the film (stronger field term), a shallower interface trap
CASES = [("calibrated", {})]
for a in (0.40, 0.55):
    for Ea in (0.40, 0.47, 0.55, 0.62):
        CASES.append((f"film_a{a}_Ea{Ea}", {"film": {"Hop distance (nm)": a, "Vacancy activation energy (eV)": Ea}}))
for se in (-0.3, -0.45, -0.6):
    for Ea in (0.3, 0.5):
        CASES.append((f"trap{se}_Ea{Ea}", {"interface": {"Vacancy site energy (eV)": se,
                                                         "Vacancy activation energy (eV)": Ea}}))
# eighteenth session: the film barrier of a microsecond relaxation (0.50 eV) with a
# low-permittivity interface layer (SPEC 3's field concentration at the bottleneck)
for eps in (100, 30, 15):
    CASES.append((f"film_Ea0.50_interface_eps{eps}", {"film": {"Vacancy activation energy (eV)": 0.50},
                                                      "interface": {"Relative permittivity": eps}}))


def make_case(name, edits):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "materials"))
    for f in os.listdir(os.path.join(ROOT, "materials", "calibrated")):
        if f.endswith(".prm"):
            shutil.copy(os.path.join(ROOT, "materials", "calibrated", f), os.path.join(d, "materials", f))
    for layer, entries in edits.items():
        path = os.path.join(d, "materials", FILES[layer])
        text = open(path).read()
        for key, value in entries.items():
            text, n = re.subn(r"(\n\s*set " + re.escape(key) + r"\s*=).*", r"\g<1> " + str(value), text)
            if n != 1:
                sys.exit(f"stm_landscape_probes: no entry '{key}' in {path}")
        open(path, "w").write(text)
    base = open(os.path.join(ROOT, "drivers", "paper_device", "writes.prm")).read()
    return d, base.replace("../../materials/calibrated/", os.path.join(d, "materials") + "/")


def run(d, base, tag, waveform, times, extra=""):
    text = re.sub(r"set Source waveform = .*", "set Source waveform = " + waveform, base)
    text = re.sub(r"set Output times \(s\) = .*", "set Output times (s) = " + ", ".join("%g" % t for t in times), text)
    text = re.sub(r"set Directory = .*", "set Directory = " + os.path.join(d, tag), text)
    text = text.replace("subsection Output", "subsection Output\n  set Write VTU = false\n  set Write profiles = false")
    prm = os.path.join(d, tag + ".prm")
    open(prm, "w").write(text + extra)
    try:
        r = subprocess.run([OTJ, "run", prm], capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        sys.exit(f"stm_landscape_probes: otj run {prm} took more than {TIMEOUT} s")
    if r.returncode != 0:
        sys.exit(f"stm_landscape_probes: otj run {prm} failed:\n{r.stdout[-800:]}{r.stderr[-800:]}")
    # the snapshots' 0.1 V read resistances (summary.json, full precision)
    snaps = json.load(open(os.path.join(d, tag, "summary.json")))["snapshots"]
    snaps = [(s["time_s"], s["read_resistance_ohm"]) for s in snaps]
    return [min(snaps, key=lambda s: abs(s[0] - t))[1] for t in times]


def probe(name, edits):
    d, base = make_case(name, edits)
    t_end = 5.2e-8
    after = [0, 5e-8, 1e-6, 1e-5, 2.5e-5, 1e-3]
    R = run(d, base, "stm", "0 0; 1e-9 0.6; 5.1e-8 0.6; 5.2e-8 0; 1e-3 0", [1e-12] + [t_end + t for t in after[:-1]] + [1e-3])
    R0, Rs = R[0], R[1:]
    stm = " ".join("%s %.4f" % (("%.2g s" % t) if t else "end", R0 / r) for t, r in zip(after, Rs))
    Rt = run(d, base, "threshold", "0 0; 1e-9 1.8; 2.1e-8 1.8; 2.2e-8 0; 2.5e-5 0", [2.5e-5])[0]
    Rl = run(d, base, "lrs", "0 0; 1e-7 2.2; 0.1 2.2; 0.1000001 0; 1e4 0", [0.11, 100.0, 1e4])
    return (f"{name}: R0 {R0:.3g} ohm; after 0.6 V / 50 ns, G/G0 at {stm}; 1.8 V / 20 ns: dG/G0 "
            f"{R0 / Rt - 1:.3f} after 25 us; LRS {Rl[0]:.3g} / {Rl[1]:.3g} / {Rl[2]:.3g} ohm at 10 ms / 100 s / 1e4 s")


def capacitance():
    d, base = make_case("capacitance", {})
    R0, V = 1e3, 0.05
    extra = f"\nsubsection Circuit\n  set Series resistance (ohm) = {R0}\nend\n"
    run(d, base, "step", f"0 0; 1e-12 {V}; 1e-6 {V}", [1e-6], extra)
    rows = list(csv.DictReader(open(os.path.join(d, "step", "timeseries.csv"))))
    # tau from V_j(t) = V (1 - exp(-t / tau)) at the step closest to 50 ns
    row = min(rows, key=lambda r: abs(float(r["time_s"]) - 5e-8))
    t, vj = float(row["time_s"]), float(row["junction_voltage_V"])
    tau = -t / math.log(1 - vj / V)
    C = tau / R0
    r_us = 1e-6 / C
    return (f"junction capacitance {C * 1e12:.1f} pF (tau {tau * 1e9:.1f} ns through {R0:g} ohm); a capacitive "
            f"1 us STM needs R_0 = {r_us / 1e3:.1f} kohm, through which a 20 ns pulse charges the junction to "
            f"{100 * (1 - math.exp(-2e-8 / 1e-6)):.1f} % of its amplitude")


def main():
    if not os.path.exists(OTJ):
        sys.exit("stm_landscape_probes: build/otj missing; build first (.ci/setup.sh)")
    os.makedirs(OUT, exist_ok=True)
    cases = CASES[:2] if "--quick" in sys.argv else CASES
    lines = [capacitance()] + [probe(n, e) for n, e in cases]
    tmp = os.path.join(OUT, "summary.txt.tmp")
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, os.path.join(OUT, "summary.txt"))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
