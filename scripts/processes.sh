# Shared by scripts/run.sh and scripts/run-cluster.sh (sourced): the started processes and
# waiting for each to answer. Every process started goes into `pids`; Ctrl-C or any exit
# stops them all.
pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

# wait_for URL PID WHAT [SECONDS]: until URL answers 2xx, or fail if PID died or SECONDS (180) passed.
wait_for() {
  local seconds=${4:-180}
  for _ in $(seq "$seconds"); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 failed to start (see its log)" >&2; exit 1; }
    sleep 1
  done
  echo "$3 did not start in $seconds s" >&2; exit 1
}
