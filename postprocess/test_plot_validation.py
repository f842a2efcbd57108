#!/usr/bin/python3
"""Self-test of plot_validation.py on a synthetic validation.csv: a pulse train whose captured
share f = dw / (1 - w) falls exactly as f0 exp(-s w) (the PDE, s = 6) and as f0 exp(-s' w) (the
compact model, s' = 2), starting inside its first pulse, and a second sequence that starts at
rest; checks the per-pulse captures, the recovered slopes d ln f / d w, the rest-first start,
and exit code 2 on a missing or malformed table."""
import csv
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
COLS = ["sequence", "time_s", "source_V", "G_pde_S", "G_compact_S", "G_compact_of_pde_state_S", "w_pde", "w_compact"]


def train(f0, s, n):
    w, ws = 0.0, []
    for _ in range(n):
        w += f0 * math.exp(-s * w) * (1 - w)
        ws.append(w)
    return ws


def main():
    bad = []
    wp, wc = train(0.05, 6.0, 10), train(0.05, 2.0, 10)
    rows = []
    for k in range(10):
        t = k * 1e-6
        rows.append(["A", t + 2e-8, 1.9, 1e-7, 1e-7, 1e-7, wp[k - 1] if k else 0.0, wc[k - 1] if k else 0.0])  # mid-pulse
        rows.append(["A", t + 3e-7, 0.1, 1e-8, 1e-8, 1e-8, wp[k] * 0.9, wc[k] * 0.9])  # early rest: not the end
        rows.append(["A", t + 1e-6, 0.1, 1e-8, 1e-8, 1e-8, wp[k], wc[k]])  # end of the rest
    # B starts at rest with w = 0.1 / 0.2, then two pulses
    rows += [["B", 0.0, 0.1, 1, 1, 1, 0.1, 0.2], ["B", 1e-7, 2.0, 1, 1, 1, 0.1, 0.2], ["B", 1e-6, 0.1, 1, 1, 1, 0.3, 0.35],
             ["B", 1.1e-6, 2.0, 1, 1, 1, 0.3, 0.35], ["B", 2e-6, 0.1, 1, 1, 1, 0.4, 0.5]]
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "validation.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(COLS)
            w.writerows(rows)
        p = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "plot_validation.py"), d], capture_output=True, text=True)
        if p.returncode != 0:
            bad.append("exit %d: %s" % (p.returncode, p.stderr))
        else:
            cap = list(csv.DictReader(open(os.path.join(d, "capture.csv"))))
            a = [r for r in cap if r["sequence"] == "A"]
            b = [r for r in cap if r["sequence"] == "B"]
            md = open(os.path.join(d, "capture.md")).read()
            checks = [("10 pulses of A", len(a) == 10),
                      ("A pulse 1 from the pristine state", abs(float(a[0]["dw_pde"]) - wp[0]) < 1e-6),
                      ("A pulse 5 capture", abs(float(a[4]["dw_compact"]) / (wc[4] - wc[3]) - 1) < 1e-5),
                      ("A pulse 7 share", abs(float(a[6]["captured_share_pde"]) / (0.05 * math.exp(-6 * wp[5])) - 1) < 1e-5),
                      ("slopes -6 / -2 in the summary", "| A | 10 | " in md and "| -6 | -2 |" in md),
                      ("B: 2 pulses from its first rest", len(b) == 2 and abs(float(b[0]["dw_pde"]) - 0.2) < 1e-9
                       and abs(float(b[1]["dw_compact"]) - 0.15) < 1e-9),
                      ("B share from w 0.3: 0.1 / 0.7", abs(float(b[1]["captured_share_pde"]) - 0.1 / 0.7) < 1e-5)]
            bad += [name for name, ok in checks if not ok]
        # malformed and missing tables
        with open(os.path.join(d, "validation.csv"), "w") as f:
            f.write("a,b\n1,2\n")
        p = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "plot_validation.py"), d], capture_output=True, text=True)
        if p.returncode != 2 or "expected the columns" not in p.stderr:
            bad.append("malformed table: exit %d, %s" % (p.returncode, p.stderr))
        p = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "plot_validation.py"), os.path.join(d, "none")],
                           capture_output=True, text=True)
        if p.returncode != 2:
            bad.append("missing table: exit %d" % p.returncode)
    if bad:
        print("FAILED: " + "; ".join(bad))
        return 1
    print("plot_validation.py self-test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
