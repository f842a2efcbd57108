#!/bin/bash
# SPEC 8's 2D scaling figures on a node of your own: the 2D Newton step of the paper's device
# (`otj-benchmark --only newton_2d`, 10 Newton iterations of a 1 ns step from the equilibrium,
# field-split preconditioner) at each mesh level, in alternating pairs of a 1-rank and an
# N-rank run, so that a slow spell of the node strikes both sides alike; then the summary of
# postprocess/scaling_summary.py: s per Newton iteration (best / median / worst), the speed-up
# best against best, median against median and the median of the pairs' ratios, the phases,
# us per DOF per iteration and the peak memory, against the 1.7x target.
#
#   bash drivers/cluster/scaling_2d.sh [--levels "2 3 4"] [--pairs 6] [--ranks 2] [--output DIR]
#                                      [-- BENCHMARK OPTIONS, e.g. -otj_ksp_rtol 1e-8]
#   sbatch drivers/cluster/scaling_2d.sh --pairs 10        # on a cluster: one exclusive node
#
# Levels 2 / 3 / 4 have 9.7e4 / 3.8e5 / 1.5e6 DOFs; a level-4 pair takes ~1.5 min on a 2-core
# AMD EPYC (3.2 GB over two ranks). Runs append to DIR/pairs.jsonl (each batch headed by a
# comment line with the code version, the host and the date; delete the file to start
# afresh; the summary pools the batches run with the same code, host, ranks and options as the
# last one), the summary goes to DIR/summary.md and DIR/summary.csv. Default DIR:
# results/benchmarks/scaling_2d. Needs the build (./run or ./test, or .ci/setup.sh).
#
#SBATCH --job-name=otj-scaling-2d
#SBATCH --nodes=1
#SBATCH --ntasks=2
#SBATCH --cpus-per-task=1
#SBATCH --exclusive
#SBATCH --mem=8G
#SBATCH --time=01:00:00
#SBATCH --output=otj-scaling-2d-%j.log

set -euo pipefail
REPO=${OTJ_REPO:-${SLURM_SUBMIT_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}}
cd "$REPO"

levels="2 3 4"
pairs=6
ranks=${SLURM_NTASKS:-2}
output=results/benchmarks/scaling_2d
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --levels) levels="$2"; shift 2 ;;
    --pairs) pairs="$2"; shift 2 ;;
    --ranks) ranks="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scaling_2d.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in $levels; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "scaling_2d.sh: --levels: '$n' is not a mesh level (expected integers, e.g. \"2 3 4\")" >&2; exit 2; }
done
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || { echo "scaling_2d.sh: --pairs: '$pairs' is not a positive integer" >&2; exit 2; }
[[ "$ranks" =~ ^[0-9]+$ && "$ranks" -ge 2 ]] || { echo "scaling_2d.sh: --ranks: '$ranks' (expected 2 or more)" >&2; exit 2; }

BENCH=${OTJ_BENCHMARK:-$REPO/build/otj-benchmark}
[ -x "$BENCH" ] || { echo "scaling_2d.sh: $BENCH not built (run ./test or bash .ci/setup.sh first)" >&2; exit 2; }

# one thread per rank; the N-rank runs by srun in a SLURM job, mpirun outside (or $MPIEXEC; see
# mpi_launch.sh), the 1-rank runs by srun --ntasks=1 in a job and directly outside
export OMP_NUM_THREADS=1
source "$REPO/drivers/cluster/mpi_launch.sh"
launch_n() { mpi_launch "$ranks" "$@"; }
if command -v srun > /dev/null && [ -n "${SLURM_JOB_ID:-}" ] && [ -z "${MPIEXEC:-}" ]; then
  launch_1() { srun --ntasks=1 "$@"; }
else
  launch_1() { "$@"; }
fi

mkdir -p "$output"
log="$output/pairs.jsonl"
version=$(git -C "$REPO" describe --always --dirty 2> /dev/null || echo unknown)
echo "# otj-benchmark newton_2d pairs: code $version, host $(hostname), $(date -u '+%Y-%m-%d %H:%M UTC'), levels $levels, ranks 1 and $ranks, options: ${extra[*]:-none}" >> "$log"

# one run: its JSON line appended to the log, its s per Newton iteration echoed
one_run() {
  local line
  line=$("$@" 2> "$output/last_run.err" | grep '"case": "newton_2d"' | tail -1) || true
  if [ -z "$line" ]; then
    echo "scaling_2d.sh: a run gave no result line ($*); its error output:" >&2
    tail -5 "$output/last_run.err" >&2
    exit 1
  fi
  local t
  t=$(sed -n 's/.*"wall_s_per_newton_iteration": \([0-9.e+-]*\).*/\1/p' <<< "$line")
  if [ -z "$t" ]; then
    echo "scaling_2d.sh: a result line without wall_s_per_newton_iteration ($*): $line" >&2
    exit 1
  fi
  echo "$line" >> "$log"
  echo "$t"
}

echo "2D Newton step, $pairs alternating pairs per level (1 rank, then $ranks ranks) at levels $levels -> $log"
for level in $levels; do
  for k in $(seq 1 "$pairs"); do
    args=(--only newton_2d --min-level "$level" --max-level "$level" ${extra[@]+"${extra[@]}"})
    t1=$(one_run launch_1 "$BENCH" "${args[@]}") && [ -n "$t1" ] || exit 1
    tn=$(one_run launch_n "$BENCH" "${args[@]}") && [ -n "$tn" ] || exit 1
    awk -v l="$level" -v k="$k" -v p="$pairs" -v a="$t1" -v n="$ranks" -v b="$tn" 'BEGIN {
      printf "  level %s pair %d/%d: 1 rank %.3f s, %d ranks %.3f s per Newton iteration (%.2fx)\n", l, k, p, a, n, b, a / b }'
  done
done
rm -f "$output/last_run.err"

/usr/bin/python3 postprocess/scaling_summary.py "$log" --ranks "$ranks" --csv "$output/summary.csv" | tee "$output/summary.md"
