#!/usr/bin/python3
"""Self-test of uniformity.py on a synthetic sweep table: three devices with known
resistances and one failed case; checks the per-device table, the medians, the
ln-standard deviation against a hand computation, that the failed case is reported and
left out, and exit code 2 on a missing table."""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
COLS = ["id", "seed", "amplitude_V", "vacancy_density_factor", "status", "R_read_ohm", "message"]


def main():
    bad = []
    with tempfile.TemporaryDirectory() as d:
        rows = [[0, 1, -4.3, 1.1, "ok", 1e8, ""], [1, 1, 2.2, 1.1, "ok", 1e4, ""],
                [2, 2, -4.3, 0.9, "ok", 4e8, ""], [3, 2, 2.2, 0.9, "ok", 2e4, ""],
                [4, 3, -4.3, 1.0, "ok", 2e8, ""], [5, 3, 2.2, 1.0, "ok", 4e4, ""],
                [6, 4, -4.3, 1.2, "failed", "", "did not converge"], [7, 4, 2.2, 1.2, "ok", 3e4, ""]]
        with open(os.path.join(d, "sweep.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(COLS)
            w.writerows(rows)
        p = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "uniformity.py"), d], capture_output=True, text=True)
        if p.returncode != 0:
            bad.append("exit %d: %s" % (p.returncode, p.stderr))
        else:
            j = json.load(open(os.path.join(d, "uniformity.json")))
            onoff = [1e4, 2e4, 5e3]
            lm = sum(math.log(x) for x in onoff) / 3
            sd = math.sqrt(sum((math.log(x) - lm) ** 2 for x in onoff) / 2)
            checks = [("3 devices (seed 4 incomplete)", j["devices"] == 3),
                      ("failed case listed", len(j["failed_cases"]) == 1 and "did not converge" in j["failed_cases"][0]),
                      ("HRS median 2e8", abs(j["R_HRS_ohm"]["median"] / 2e8 - 1) < 1e-9),
                      ("LRS median 2e4", abs(j["R_LRS_ohm"]["median"] / 2e4 - 1) < 1e-9),
                      ("ON/OFF ln-std", abs(j["on_off"]["ln_std"] / sd - 1) < 1e-9),
                      ("ON/OFF geometric mean", abs(j["on_off"]["geometric_mean"] / math.exp(lm) - 1) < 1e-9)]
            t = list(csv.DictReader(open(os.path.join(d, "uniformity.csv"))))
            checks.append(("per-device ON/OFF of seed 2", abs(float(t[1]["on_off"]) / 2e4 - 1) < 1e-5))
            bad += [n for n, ok in checks if not ok]
        p = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "uniformity.py"), os.path.join(d, "nope")],
                           capture_output=True, text=True)
        if p.returncode != 2:
            bad.append("missing table: exit %d, expected 2" % p.returncode)
    for b in bad:
        print("FAIL", b)
    print("%d check(s) failed" % len(bad) if bad else "all checks passed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
