#!/usr/bin/python3
"""Device-to-device uniformity (Fig. 1g) from a batch sweep (`otj sweep
drivers/paper_device/uniformity.prm`, or uniformity_2d.prm for 2D sections with a lateral random
field of the initial vacancies): per device (seed) the read resistance after the reset
(negative amplitude) and the set (positive amplitude) write, ON/OFF, and their statistics.

Writes DIR/uniformity.csv (seed, vacancy-density factor, R_HRS, R_LRS, ON/OFF),
DIR/uniformity.json (median, geometric mean, ln-standard deviation and coefficient of
variation of each) and DIR/uniformity.png (cumulative distributions of R_HRS and R_LRS and
ON/OFF per device, the paper's 1.8e8 / 2.7e4 ohm marked; display only). Failed cases are
listed and left out. Exit 2 if the sweep table is missing or has no usable device.

Usage: /usr/bin/python3 postprocess/uniformity.py results/paper_device/uniformity
"""
import csv
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from paper_values import text as paper_text, value as paper_value  # noqa: E402

PAPER_HRS, PAPER_LRS = paper_value("r_hrs_ohm"), paper_value("r_lrs_ohm")


def stats(xs):
    ls = [math.log(x) for x in xs]
    m = sum(ls) / len(ls)
    sd = math.sqrt(sum((l - m) ** 2 for l in ls) / (len(ls) - 1)) if len(ls) > 1 else 0.0
    mean = sum(xs) / len(xs)
    cv = math.sqrt(sum((x - mean) ** 2 for x in xs) / (len(xs) - 1)) / mean if len(xs) > 1 else 0.0
    s = sorted(xs)
    n = len(s)
    median = s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])
    return {"n": n, "median": median, "geometric_mean": math.exp(m), "ln_std": sd, "cv": cv, "min": s[0],
            "max": s[-1]}


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    if len(argv) == 2 and argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    if len(argv) != 2:
        sys.exit(__doc__)
    d = argv[1]
    path = os.path.join(d, "sweep.csv")
    try:
        rows = list(csv.DictReader(open(path, newline="")))
    except OSError as e:
        print("uniformity.py: cannot read %s: %s" % (path, e), file=sys.stderr)
        return 2
    dev, failed = {}, []
    for r in rows:
        if r.get("status") != "ok":
            failed.append("case %s (seed %s, %s V): %s" % (r.get("id"), r.get("seed"), r.get("amplitude_V"),
                                                           r.get("message")))
            continue
        seed, V = int(r["seed"]), float(r["amplitude_V"])
        f = r.get("vacancy_density_factor", "")
        e = dev.setdefault(seed, {"factor": float(f) if f else float("nan")})
        e["HRS" if V < 0 else "LRS"] = float(r["R_read_ohm"])
    devices = sorted(s for s, e in dev.items() if "HRS" in e and "LRS" in e)
    if not devices:
        print("uniformity.py: %s has no device with both an HRS and an LRS read" % path, file=sys.stderr)
        return 2
    two_d = all(math.isnan(dev[s]["factor"]) for s in devices)  # 2D sweeps have no single factor
    lines = ["seed,vacancy_density_factor,R_HRS_ohm,R_LRS_ohm,on_off"]
    for s in devices:
        e = dev[s]
        lines.append("%d,%.6g,%.6g,%.6g,%.6g" % (s, e["factor"], e["HRS"], e["LRS"], e["HRS"] / e["LRS"]))
    write_atomically(os.path.join(d, "uniformity.csv"), "\n".join(lines) + "\n")
    hrs = [dev[s]["HRS"] for s in devices]
    lrs = [dev[s]["LRS"] for s in devices]
    onoff = [h / l for h, l in zip(hrs, lrs)]
    summary = {"devices": len(devices), "failed_cases": failed, "R_HRS_ohm": stats(hrs), "R_LRS_ohm": stats(lrs),
               "on_off": stats(onoff),
               "variation": ("lognormal factor on the film's initial vacancy density (1D; see the sweep file)"
                             if two_d is False else
                             "lateral log-normal random field on the film's initial vacancy density (2D sections; "
                             "see the sweep and device files)")}
    write_atomically(os.path.join(d, "uniformity.json"), json.dumps(summary, indent=2) + "\n")
    print("uniformity: %d devices, R_HRS median %.3g ohm (CV %.2f), R_LRS median %.3g ohm (CV %.2f), "
          "ON/OFF median %.3g (range %.3g .. %.3g)%s" % (
              len(devices), summary["R_HRS_ohm"]["median"], summary["R_HRS_ohm"]["cv"],
              summary["R_LRS_ohm"]["median"], summary["R_LRS_ohm"]["cv"], summary["on_off"]["median"],
              summary["on_off"]["min"], summary["on_off"]["max"],
              "; %d failed case(s)" % len(failed) if failed else ""))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("uniformity.py: matplotlib missing, no figure")
        return 0
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.4))
    for xs, label, paper, c in ((hrs, "HRS", PAPER_HRS, "C3"), (lrs, "LRS", PAPER_LRS, "C0")):
        s = sorted(xs)
        a.semilogx(s, [100.0 * (k + 0.5) / len(s) for k in range(len(s))], "o-", color=c, label="simulated %s" % label)
        a.axvline(paper, color=c, ls="--", label="paper %s %.2g ohm" % (label, paper))
    a.set_xlabel("read resistance at 0.1 V (ohm)")
    a.set_ylabel("cumulative probability (%)")
    a.set_title("%d devices (Fig. 1g), %s" % (len(devices), "2D random field" if two_d else "1D inventory factor"),
                fontsize=9)
    a.grid(alpha=0.3, which="both")
    a.legend(fontsize=7)
    b.semilogy(devices, onoff, "s", label="simulated ON/OFF")
    b.axhline(PAPER_HRS / PAPER_LRS, color="k", ls="--", label="paper %s / %s" % (paper_text("r_hrs_ohm"), paper_text("r_lrs_ohm")))
    b.set_xlabel("device (seed)")
    b.set_ylabel("ON/OFF")
    b.grid(alpha=0.3, which="both")
    b.legend(fontsize=7)
    fig.tight_layout()
    out = os.path.join(d, "uniformity.png")
    fig.savefig(out + ".tmp.png", dpi=130)
    os.replace(out + ".tmp.png", out)
    print("uniformity.py: wrote %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
