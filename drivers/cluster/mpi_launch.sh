# Sourced by the cluster scripts (sweep.slurm, scaling_2d.sh): defines mpi_launch N COMMAND...,
# which starts COMMAND on N ranks: with $MPIEXEC if set (e.g. MPIEXEC=mpiexec, another MPI's
# launcher), with srun inside a SLURM job, else with mpirun (Open MPI's needs
# --allow-run-as-root as root, and --oversubscribe when the machine reports fewer slots than
# ranks; other launchers do not know these options). Empty arrays are expanded as
# ${a[@]+"${a[@]}"}: bash before 4.4 calls "${a[@]}" of an empty array unbound under set -u.
if [ -n "${MPIEXEC:-}" ]; then
  read -r -a mpi_launcher <<< "$MPIEXEC"
  mpi_launch() { local n=$1; shift; "${mpi_launcher[@]}" -np "$n" "$@"; }
elif command -v srun > /dev/null && [ -n "${SLURM_JOB_ID:-}" ]; then
  mpi_launch() { local n=$1; shift; srun --ntasks="$n" "$@"; }
else
  mpi_launcher=(mpirun)
  if mpirun --version 2>&1 | grep -q "Open MPI"; then
    mpi_launcher+=(--oversubscribe)
    [ "$(id -u)" -eq 0 ] && mpi_launcher+=(--allow-run-as-root)
  fi
  mpi_launch() { local n=$1; shift; "${mpi_launcher[@]}" -np "$n" "$@"; }
fi
