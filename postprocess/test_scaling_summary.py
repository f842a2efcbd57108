#!/usr/bin/python3
"""Self-test of scaling_summary.py on synthetic benchmark lines with known timings: two mesh
levels, three alternating pairs at one and two at the other, a non-JSON line, a run of another
case, a 4-rank run and an unconverged run (all ignored); checks best, median and pair-ratio
speed-ups and a phase speed-up against hand computations, the verdicts, the CSV, and exit
code 2 on a missing file and on a file without a pair."""
import csv
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "scaling_summary.py")


def run(level, ranks, s_it, krylov=100, converged=True, case="newton_2d"):
    return json.dumps({"case": case, "ranks": ranks, "mesh_level": level, "dofs": 1000 * 4 ** level,
                       "converged": converged, "newton_iterations": 10, "krylov_iterations": krylov,
                       "wall_s_per_newton_iteration": s_it, "wall_s_assembly": 4 * s_it,
                       "wall_s_preconditioner": 1 * s_it, "wall_s_krylov": 5 * s_it,
                       "peak_rss_MB_all_ranks": 100.0 * ranks})


def main():
    bad = []
    # level 3: 1 rank 3.0, 3.3, 4.0 s; 2 ranks 1.6, 2.0, 2.5 s (alternating)
    # best 3.0/1.6 = 1.875, median 3.3/2.0 = 1.65, pairs 1.875, 1.65, 1.6 -> median 1.65
    # level 4: a 1-rank run of 20 s without its partner (a batch cut short), then the pairs
    # 12 / 8 and 13 / 6.5: best 12/6.5 = 1.846, median 13/7.25, pairs 1.5, 2.0 -> median 1.75
    lines = ["otj-benchmark: some progress text", run(3, 1, 3.0), run(3, 2, 1.6), run(3, 1, 3.3), run(3, 2, 2.0),
             run(3, 1, 4.0), run(3, 2, 2.5), run(4, 1, 20.0), run(4, 1, 12.0), run(4, 2, 8.0), run(4, 1, 13.0), run(4, 2, 6.5),
             run(4, 1, 1.0, case="rv_loop"), run(4, 4, 0.1), run(4, 2, 0.5, converged=False), "{not json"]
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "pairs.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        out_csv = os.path.join(d, "summary.csv")
        p = subprocess.run(["/usr/bin/python3", SCRIPT, path, "--csv", out_csv], capture_output=True, text=True)
        if p.returncode != 0:
            bad.append("exit %d: %s" % (p.returncode, p.stderr))
        else:
            rows = {int(r["level"]): r for r in csv.DictReader(open(out_csv))}

            def near(level, key, value):
                return abs(float(rows[level][key]) / value - 1) < 1e-9

            checks = [("two levels", sorted(rows) == [3, 4]),
                      ("level 3: 3 pairs", rows[3]["pairs"] == "3"),
                      ("level 3 best/best 1.875", near(3, "speedup_best", 3.0 / 1.6)),
                      ("level 3 median/median 1.65", near(3, "speedup_median", 3.3 / 2.0)),
                      ("level 3 pairs' median 1.65", near(3, "speedup_pairs_median", 1.65)),
                      ("level 3 met by best only", rows[3]["met_best"] == "True" and rows[3]["met_median"] == "False"),
                      ("level 4 best/best", near(4, "speedup_best", 12.0 / 6.5)),
                      ("level 4: 2 pairs, 1 unpaired run", rows[4]["pairs"] == "2" and rows[4]["unpaired_runs"] == "1"),
                      ("level 4 median/median", near(4, "speedup_median", 13.0 / 7.25)),
                      ("level 4 pairs' median 1.75 (ignores the unconverged and 4-rank runs)",
                       near(4, "speedup_pairs_median", 1.75)),
                      ("level 4 met", rows[4]["met_median"] == "True"),
                      ("level 4 assembly speed-up of the best runs", near(4, "assembly_speedup", 12.0 / 6.5)),
                      ("us per DOF per iteration", near(3, "us_per_dof_it_1_best", 1e6 * 3.0 / 64000)),
                      ("Markdown row for level 3", "| 3 | 64000 | 3 |" in p.stdout and "**1.88**" in p.stdout),
                      ("verdicts in the table", "met best against best only" in p.stdout)]
            bad += [n for n, ok in checks if not ok]
        # batches: an older batch of another commit is left out by default, pooled on request
        header = "# otj-benchmark newton_2d pairs: code %s, host vm, 2026-12-02 07:58 UTC, levels 3, ranks 1 and 2, options: %s"
        batched = os.path.join(d, "batched.jsonl")
        with open(batched, "w") as f:
            f.write("\n".join([header % ("old1", "-x"), run(3, 1, 10.0), run(3, 2, 1.0),
                               header % ("new2", ""), run(3, 1, 3.0), run(3, 2, 2.0),
                               header % ("new2", ""), run(3, 1, 4.0), run(3, 2, 2.0)]) + "\n")
        for extra, pairs, best in (([], "2", 3.0 / 2.0), (["--all-batches"], "3", 3.0 / 1.0)):
            p = subprocess.run(["/usr/bin/python3", SCRIPT, batched, "--csv", out_csv] + extra,
                               capture_output=True, text=True)
            r3 = list(csv.DictReader(open(out_csv)))[0] if p.returncode == 0 else {}
            if r3.get("pairs") != pairs or abs(float(r3.get("speedup_best", 0)) / best - 1) > 1e-9:
                bad.append("batches %s: %s pairs, best %s (expected %s, %.3f)" % (extra, r3.get("pairs"),
                                                                                 r3.get("speedup_best"), pairs, best))
        if "2 of 3 batch(es) (code new2" not in subprocess.run(["/usr/bin/python3", SCRIPT, batched],
                                                              capture_output=True, text=True).stdout:
            bad.append("the batches used are not named")
        p = subprocess.run(["/usr/bin/python3", SCRIPT, os.path.join(d, "nope.jsonl")], capture_output=True, text=True)
        if p.returncode != 2 or "no such file" not in p.stderr:
            bad.append("missing file: exit %d, expected 2 with a message" % p.returncode)
        only_one = os.path.join(d, "one.jsonl")
        with open(only_one, "w") as f:
            f.write(run(3, 1, 3.0) + "\n")
        p = subprocess.run(["/usr/bin/python3", SCRIPT, only_one], capture_output=True, text=True)
        if p.returncode != 2 or "no pair" not in p.stderr:
            bad.append("no pair: exit %d, expected 2 with a message" % p.returncode)
    for b in bad:
        print("FAIL", b)
    print("%d check(s) failed" % len(bad) if bad else "all checks passed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
