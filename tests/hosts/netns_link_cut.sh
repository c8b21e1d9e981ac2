#!/usr/bin/env bash
# A worker's network cable cut mid-run (its switch port goes down: no FIN,
# no RST reaches the controller), across namespaces on 10.213.1.0/24. The
# liveness rules: the controller notices within 2 s, counts the worker's
# unfinished users as lost (never passed), and the run is invalid (exit 4);
# with --allow-worker-loss the run is judged on what finished instead.
# Then the controller's own cable is cut: every worker stops within 5 s.
#   usage: netns_link_cut.sh BIN_DIR SOURCE_DIR
set -euo pipefail
BIN=$1
SRC=$2
source "$SRC/tests/hosts/netns_lib.sh"
source "$SRC/tests/hosts/netns_cast.sh"
netns_require

WORK=$(mktemp -d /tmp/cast-netns-cut.XXXXXX)
cleanup() {
  local code=$?
  ((code != 0 && code != 77)) && show_logs
  netns_destroy
  rm -rf "$WORK"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Users take 2-3 s to start their agents and then hold their connections
# for 12 s, so that the cut finds them mid-run even when a loaded machine
# polls the metrics late.
netns_create "cast$$" 10.213.1 platform controller worker1 worker2
platform_start platform --startup-ms 2000:3000

# Cuts worker2's cable once it has sent events (its users are running),
# and prints the instant (epoch seconds) the port went down.
cut_when_running() {
  local metrics="http://$(netns_address controller):9100/metrics" deadline=$((SECONDS + 120))
  until in_host controller curl -sf "$metrics" 2>/dev/null | grep -q '^cast_events_total{.*worker="netns-worker-2".*} [1-9]'; do
    kill -0 "$CONTROLLER_PID" 2>/dev/null || { echo "FAIL: the controller ended before the cut" >&2; return 1; }
    ((SECONDS < deadline)) || { echo "FAIL: worker2 sent no events in 120 s" >&2; return 1; }
    sleep 0.1
  done
  netns_cut worker2
  date +%s.%N
}

# One scenario: a run of 40 users on two workers, worker2 cut mid-run.
# $1: name; the rest: extra controller flags. Leaves $WORK/$1.*.
scenario() {
  local name=$1
  shift
  rm -f "$WORK/report.json" "$WORK/controller.log"
  MIN_SUCCESS_RATE=0.4 MAX_AGENT_STARTUP_TIME=10 controller_start controller --expect-workers 2 --users 40 --hold 12 \
    --metrics-listen "$(netns_address controller):9100" "$@"
  worker_start worker1 netns-worker-1 20
  worker_start worker2 netns-worker-2 20
  local cut_at code=0
  cut_at=$(cut_when_running) || cut_at=0
  wait_for_pid "$CONTROLLER_PID" 300 || code=$?
  echo "$name: cast controller exited with $code" >&2
  echo "$code" >"$WORK/$name.code"
  echo "$cut_at" >"$WORK/$name.cut"
  cp "$WORK/report.json" "$WORK/$name.report.json" 2>/dev/null || true
  cp "$WORK/controller.log" "$WORK/$name.controller.log" 2>/dev/null || true
  # worker2 is cut off from everything: end it before its cable is mended,
  # or it reconnects to the next scenario's controller under the same id.
  kill -TERM "${WORKER_PID[netns-worker-2]}" 2>/dev/null || true
  wait_for_pid "${WORKER_PID[netns-worker-1]}" 60 || true
  local ended=0
  wait_for_pid "${WORKER_PID[netns-worker-2]}" 10 || ended=$?
  if ((ended == 124)); then
    echo "NOTE: $name: netns-worker-2 outlived SIGTERM by 10 s; killed" >&2
    kill -KILL "${WORKER_PID[netns-worker-2]}" 2>/dev/null || true
    wait_for_pid "${WORKER_PID[netns-worker-2]}" 10 || true
  fi
  netns_mend worker2
}

# Waits until the controller has events from worker $1 (its users run).
wait_running() {
  local metrics="http://$(netns_address controller):9100/metrics" deadline=$((SECONDS + 120))
  until in_host controller curl -sf "$metrics" 2>/dev/null | grep -q "^cast_events_total{.*worker=\"$1\".*} [1-9]"; do
    ((SECONDS < deadline)) || { echo "FAIL: $1 sent no events in 120 s" >&2; return 1; }
    sleep 0.1
  done
}

# The controller's own cable cut mid-run: no worker hears it any more, and
# every one must stop its load within 5 s and exit non-zero (no orphan
# load), after which the platform holds no connection of theirs. Leaves
# $WORK/controller_cut.{cut,workers,platform}: the cut instant, one line
# "ID CODE EXIT_INSTANT" per worker, the backend's open connections after.
controller_cut() {
  rm -f "$WORK/report.json" "$WORK/controller.log"
  MIN_SUCCESS_RATE=0.4 controller_start controller --expect-workers 2 --users 40 --hold 20 \
    --metrics-listen "$(netns_address controller):9100"
  worker_start worker1 netns-worker-1 20
  worker_start worker2 netns-worker-2 20
  local id ids=(netns-worker-1 netns-worker-2) deadline=$((SECONDS + 30))
  for id in "${ids[@]}"; do wait_running "$id" || return 1; done
  netns_cut controller
  date +%s.%N >"$WORK/controller_cut.cut"
  declare -A gone=()
  while ((${#gone[@]} < ${#ids[@]} && SECONDS < deadline)); do
    for id in "${ids[@]}"; do
      [[ -n ${gone[$id]:-} ]] || kill -0 "${WORKER_PID[$id]}" 2>/dev/null || gone[$id]=$(date +%s.%N)
    done
    sleep 0.05
  done
  for id in "${ids[@]}"; do
    local code=0
    if [[ -n ${gone[$id]:-} ]]; then
      wait "${WORKER_PID[$id]}" || code=$?
    else
      code=running
      kill -KILL "${WORKER_PID[$id]}" 2>/dev/null || true
    fi
    echo "$id $code ${gone[$id]:-0}" >>"$WORK/controller_cut.workers"
  done
  sleep 1  # the backend notices the last closes
  in_host platform curl -sf "${PLATFORM_URL[backend]}/metrics" | awk '$1 == "agent_active_connections" { print $2 }' \
    >"$WORK/controller_cut.platform" || true
  kill -KILL "$CONTROLLER_PID" 2>/dev/null || true
  wait_for_pid "$CONTROLLER_PID" 10 || true
  netns_mend controller
}

# Each scenario leaves its evidence; the rules are judged at the end.
scenario strict
scenario allowed --allow-worker-loss
controller_cut || true
/usr/bin/python3 "$SRC/tests/hosts/link_cut_check.py" "$WORK"
