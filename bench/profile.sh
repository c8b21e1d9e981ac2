#!/usr/bin/env bash
# Where cast's CPU goes: `perf record --call-graph dwarf` over a whole `cast run` (controller
# and workers, children followed) against a fresh cast-reference in memory
# (--startup-ms 20:80), then text summaries by process and library, the
# top symbols of the controller and of the workers, and what the worker
# loops spent their time on (profile_shares.py over the DWARF stacks).
#
#   bench/profile.sh NAME USERS [cast run flags...]
#   bench/profile.sh perf-2000 2000 --performance-only
#   CAST_BIN=/path/to/bin bench/profile.sh full-2000 2000
#   LOOPS=4 bench/profile.sh ...   # how many worker loops the run has (default 2: two local workers, one loop each)
#
# Writes bench/results/profile-NAME.{data,txt}. perf must be installed
# (Debian: linux-perf); the profiled run is bounded by cast's own timeout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=$1 users=$2; shift 2
bin=${CAST_BIN:-$here/../build/bin}
results=$here/results
mkdir -p "$results"
py=/usr/bin/python3
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
auth_port=$(free_port); backend_port=$(free_port); secret=profile-$RANDOM$RANDOM
"$bin/cast-reference" auth --port "$auth_port" --secret "$secret" >"$results/profile-$name.auth.log" 2>&1 &
auth_pid=$!
"$bin/cast-reference" backend --port "$backend_port" --secret "$secret" --startup-ms 20:80 --seed 7 \
  >"$results/profile-$name.backend.log" 2>&1 &
backend_pid=$!
trap 'kill $auth_pid $backend_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$backend_port/health" >/dev/null 2>&1 &&
    curl -fsS "http://127.0.0.1:$auth_port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
data=$results/profile-$name.data
# DWARF stacks: the build keeps no frame pointers, and the shares below need
# each sample's callers.
perf record --call-graph dwarf,16384 -F 1999 -o "$data" -- "$bin/cast" run --users "$users" --auth-url "http://127.0.0.1:$auth_port" \
  --backend-url "http://127.0.0.1:$backend_port" --ws-url "ws://127.0.0.1:$backend_port/ws" \
  --scenario "$here/peers/standard-session.yaml" --report-file "$results/profile-$name.report.json" \
  --log-file "$results/profile-$name.log" "$@" >"$results/profile-$name.out" 2>&1 || true
out=$results/profile-$name.txt
{
  echo "# perf record --call-graph dwarf over cast run --users $users $* (children followed)"
  # gRPC's threads are named alike in the controller and in the workers: the
  # pid says whose they are (the controller is the lowest pid).
  echo "## by process and thread (self time)"
  perf report -i "$data" --no-children --sort pid,comm --stdio -g none 2>/dev/null | grep -v '^$' | grep -v '^#' | head -30 || true
  echo "## by process and library (self time)"
  perf report -i "$data" --no-children --sort comm,dso --stdio -g none 2>/dev/null | grep -v '^$' | grep -v '^#' | head -40 || true
  for comm in cast cast-worker; do
    echo "## top symbols of $comm (self time)"
    perf report -i "$data" --no-children --comm "$comm" --sort dso,sym --stdio -g none 2>/dev/null |
      grep -v '^$' | grep -v '^#' | head -45 || true  # head closes the pipe early
  done
  echo "## what the worker loops were doing (share of their samples; shares overlap)"
  perf script -i "$data" --comm cast-worker -F tid,ip,sym 2>/dev/null | "$py" "$here/profile_shares.py" --loops "${LOOPS:-2}"
} >"$out"
echo "$out"
