#!/usr/bin/python3
"""The 2-rank speed-up of the 2D Newton step (SPEC 8) from alternating benchmark pairs.

Reads the JSON lines that `otj-benchmark --only newton_2d` prints (one per run; other lines
are ignored), as written by drivers/cluster/scaling_2d.sh, which alternates a 1-rank and a
2-rank run per mesh level. A speed-up on a shared or busy node is a statistic, not one
number (BENCHMARKS.md, eighteenth and nineteenth sessions: the same binary's Newton step
varied by up to 1.5x from run to run), so per mesh level it reports

  - seconds per Newton iteration on 1 and on N ranks: best, median, worst;
  - the speed-up best against best, median against median, and the median of the pairs'
    own ratios (the k-th 1-rank run against the k-th N-rank run of the same level);
  - the phases of the best runs (assembly / preconditioner set-up / Krylov) and their
    speed-ups, the Krylov iterations, microseconds per DOF per Newton iteration (SPEC 8:
    linear in the DOFs) and the peak memory over all ranks;
  - whether the target (default 1.7, SPEC 8) is met best against best and by the pairs' median.

A file may hold several batches (scaling_2d.sh appends; each batch is headed by a comment line
with its code version, host, ranks and options): by default only the batches like the last one
are pooled, so that runs of another commit or with other options do not mix in; --all-batches
pools all of them.

Writes a Markdown table to stdout and, with --csv FILE, one CSV row per level.
Exit 2 if the file is missing or holds no complete pair.

Usage: /usr/bin/python3 postprocess/scaling_summary.py PAIRS.jsonl [--ranks N] [--target 1.7]
                                                       [--csv FILE] [--all-batches]
"""
import argparse
import csv
import json
import os
import re
import statistics
import sys


BATCH_HEADER = re.compile(r"^# otj-benchmark newton_2d pairs: code (?P<code>[^,]*), host (?P<host>[^,]*), "
                          r"[^,]*, levels [^,]*, ranks 1 and (?P<ranks>\d+), options: ?(?P<options>.*)$")


def read_runs(path, all_batches=False):
    """The newton_2d records of a JSON-lines file, in file order, and a description of the
    batches they come from. The file may hold several batches of scaling_2d.sh, each headed by
    a comment line with its code version, host, rank count and options: unless all_batches,
    only the batches with the same code, host, ranks and options as the last one are kept (a
    file with no header line is one batch)."""
    batches, current = [], None
    with open(path) as f:
        for line in f:
            line = line.strip()
            m = BATCH_HEADER.match(line)
            if m:
                options = m["options"].strip()
                current = {"key": (m["code"], m["host"], m["ranks"], "" if options == "none" else options), "runs": []}
                batches.append(current)
                continue
            if not line.startswith("{"):
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                continue
            if r.get("case") == "newton_2d" and r.get("converged", True):
                if current is None:
                    current = {"key": None, "runs": []}
                    batches.append(current)
                current["runs"].append(r)
    if not batches:
        return [], "no batch"
    used = batches if all_batches else [b for b in batches if b["key"] == batches[-1]["key"]]
    key = used[-1]["key"]
    what = "%d of %d batch(es)" % (len(used), len(batches))
    if key and not all_batches:
        what += " (code %s, host %s, options: %s)" % (key[0], key[1], key[3] or "none")
    return [r for b in used for r in b["runs"]], what


def summarise(runs, ranks, target):
    """Per mesh level: the statistics of the docstring (a list of dicts, by level)."""
    levels = sorted({r["mesh_level"] for r in runs})
    rows = []
    for level in levels:
        one = [r for r in runs if r["mesh_level"] == level and r["ranks"] == 1]
        many = [r for r in runs if r["mesh_level"] == level and r["ranks"] == ranks]
        # a pair: a 1-rank run and the next N-rank run after it in the file (a batch cut
        # short leaves a run without its partner; it counts for best and median only)
        pair_ratios, pending = [], None
        for r in runs:
            if r["mesh_level"] != level:
                continue
            if r["ranks"] == 1:
                pending = r
            elif r["ranks"] == ranks and pending is not None:
                pair_ratios.append(pending["wall_s_per_newton_iteration"] / r["wall_s_per_newton_iteration"])
                pending = None
        pairs = len(pair_ratios)
        if pairs == 0:
            continue
        t1 = [r["wall_s_per_newton_iteration"] for r in one]
        tn = [r["wall_s_per_newton_iteration"] for r in many]
        b1 = min(one, key=lambda r: r["wall_s_per_newton_iteration"])
        bn = min(many, key=lambda r: r["wall_s_per_newton_iteration"])

        def phase(r, key):
            return r.get(key, float("nan"))

        row = {
            "level": level,
            "dofs": b1["dofs"],
            "pairs": pairs,
            "unpaired_runs": len(one) + len(many) - 2 * pairs,
            "s_it_1_best": min(t1), "s_it_1_median": statistics.median(t1), "s_it_1_worst": max(t1),
            "s_it_n_best": min(tn), "s_it_n_median": statistics.median(tn), "s_it_n_worst": max(tn),
            "speedup_best": min(t1) / min(tn),
            "speedup_median": statistics.median(t1) / statistics.median(tn),
            "speedup_pairs_median": statistics.median(pair_ratios),
            "speedup_pairs_max": max(pair_ratios),
            "us_per_dof_it_1_best": 1e6 * min(t1) / b1["dofs"],
            "krylov_its_1": b1.get("krylov_iterations"), "krylov_its_n": bn.get("krylov_iterations"),
            "newton_its_1": b1.get("newton_iterations"), "newton_its_n": bn.get("newton_iterations"),
            "peak_rss_MB_1": b1.get("peak_rss_MB_all_ranks"), "peak_rss_MB_n": bn.get("peak_rss_MB_all_ranks"),
        }
        for name, key in (("assembly", "wall_s_assembly"), ("setup", "wall_s_preconditioner"),
                          ("krylov", "wall_s_krylov")):
            a, b = phase(b1, key), phase(bn, key)
            row["%s_s_1" % name], row["%s_s_n" % name] = a, b
            row["%s_speedup" % name] = a / b if b > 0 else float("nan")
        row["met_best"] = row["speedup_best"] >= target
        row["met_median"] = row["speedup_pairs_median"] >= target
        rows.append(row)
    return rows


def markdown(rows, ranks, target, path, batches):
    out = ["# 2D Newton step: %d ranks against 1 (SPEC 8 target %.2fx)" % (ranks, target), "",
           "From `%s`, %s; s per Newton iteration, best (median, worst) of each level's runs; speed-up best "
           "against best, median against median, and the median (largest) of the pairs' own ratios; "
           "phases of the best runs: assembly / preconditioner set-up / Krylov. Target: met if the "
           "pairs' median reaches it." % (path, batches), "",
           "| level | DOFs | pairs | 1 rank | %d ranks | speed-up best / median / pairs' median (max) | "
           "phase speed-ups | Krylov its 1 / %d | us/DOF/it (1 rank) | peak RSS 1 / %d ranks (MB) | target |"
           % (ranks, ranks, ranks),
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        verdict = ("met" if r["met_median"] else "met best against best only" if r["met_best"] else "missed")
        out.append("| %d | %d | %d%s | %.3f (%.3f, %.3f) | %.3f (%.3f, %.3f) | **%.2f** / %.2f / %.2f (%.2f) | "
                   "%.2f / %.2f / %.2f | %s / %s | %.2f | %.0f / %.0f | %s |" % (
                       r["level"], r["dofs"], r["pairs"],
                       " (+%d unpaired)" % r["unpaired_runs"] if r["unpaired_runs"] else "",
                       r["s_it_1_best"], r["s_it_1_median"], r["s_it_1_worst"],
                       r["s_it_n_best"], r["s_it_n_median"], r["s_it_n_worst"],
                       r["speedup_best"], r["speedup_median"], r["speedup_pairs_median"], r["speedup_pairs_max"],
                       r["assembly_speedup"], r["setup_speedup"], r["krylov_speedup"],
                       r["krylov_its_1"], r["krylov_its_n"], r["us_per_dof_it_1_best"],
                       r["peak_rss_MB_1"] or float("nan"), r["peak_rss_MB_n"] or float("nan"), verdict))
    if len(rows) >= 2:
        c = [r["us_per_dof_it_1_best"] for r in rows]
        out += ["", "Cost per DOF per Newton iteration on 1 rank from %d to %d DOFs: %.2f to %.2f us "
                "(largest / smallest %.2f; SPEC 8: linear in the DOFs)." % (
                    rows[0]["dofs"], rows[-1]["dofs"], c[0], c[-1], max(c) / min(c))]
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pairs", help="JSON lines of otj-benchmark --only newton_2d runs")
    ap.add_argument("--ranks", type=int, default=2, help="rank count compared with 1 rank (default 2)")
    ap.add_argument("--target", type=float, default=1.7, help="speed-up target (default 1.7, SPEC 8)")
    ap.add_argument("--csv", help="also write one CSV row per mesh level to this file")
    ap.add_argument("--all-batches", action="store_true",
                    help="pool every batch of the file (default: those like the last one)")
    a = ap.parse_args(argv)
    if a.ranks < 2:
        print("scaling_summary.py: --ranks must be 2 or more (got %d)" % a.ranks, file=sys.stderr)
        return 2
    if not os.path.isfile(a.pairs):
        print("scaling_summary.py: %s: no such file (expected the JSON lines of "
              "drivers/cluster/scaling_2d.sh)" % a.pairs, file=sys.stderr)
        return 2
    runs, batches = read_runs(a.pairs, a.all_batches)
    rows = summarise(runs, a.ranks, a.target)
    if not rows:
        print("scaling_summary.py: %s holds no pair of converged newton_2d runs on 1 and %d ranks at the "
              "same mesh level" % (a.pairs, a.ranks), file=sys.stderr)
        return 2
    sys.stdout.write(markdown(rows, a.ranks, a.target, a.pairs, batches))
    if a.csv:
        tmp = a.csv + ".tmp"
        with open(tmp, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)
        os.replace(tmp, a.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
