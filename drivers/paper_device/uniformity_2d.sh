#!/usr/bin/env bash
# Device-to-device uniformity in 2D (Fig. 1g), the cluster-scale companion of ./run's 1D study:
# 20 planar 2D sections of the paper's device whose as-grown film vacancies carry a lateral
# log-normal random field (drivers/paper_device/uniformity_2d.prm), each written by the R-V
# loop's -4.3 V and +2.2 V pulses and read at 0.1 V by the distributed 2D solver on one rank;
# the batch sweep spreads the 40 cases over the MPI ranks (~5 min on 2 ranks; resumes an
# interrupted sweep). Writes results/paper_device/uniformity_2d/{sweep.csv, uniformity.*}.
#   bash drivers/paper_device/uniformity_2d.sh [ranks]     (after ./run or ./test has built)
# On a cluster: drivers/cluster/sweep.slurm.
set -euo pipefail
cd "$(dirname "$0")/../.."
ranks="${1:-2}"
[ -x build/otj ] || bash .ci/setup.sh
mpirun --allow-run-as-root --oversubscribe -np "$ranks" ./build/otj sweep -q drivers/paper_device/uniformity_2d.prm || [ $? -eq 1 ]  # 1: some cases failed (listed), the rest tabulated
/usr/bin/python3 postprocess/uniformity.py results/paper_device/uniformity_2d
