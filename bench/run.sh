#!/usr/bin/env bash
# cast beside Locust, Tsung and Artillery: the same standard session (token,
# WebSocket connect, start_agent, three user_message, get_state, close)
# against the same target (cast-reference auth + backend, stores in memory,
# --startup-ms 20:80, started fresh for every run), each tool's whole process
# tree measured by bench/tree_usage.py. Writes bench/RESULTS.md.
#
#   bench/run.sh                        # 200, 2000 and 10000 users, every tool
#   bench/run.sh --users "200 2000" --tools "cast locust"
#   bench/run.sh --render-only          # RESULTS.md again from the last results
#   bench/run.sh --bin build/bin        # prebuilt binaries, no build step
#
# Slow (tens of minutes) and never run by ctest. Loopback only; every tool is
# bounded by --tool-timeout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
users_list="200 2000 10000"
tools="cast locust tsung artillery"
extras="full-suite hold embedded"
results=$here/results
tool_timeout=600
render_only=0
bin=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --users) users_list=$2; shift 2 ;;
    --tools) tools=$2; shift 2 ;;
    --extras) extras=$2; shift 2 ;;  # full-suite hold embedded, or "" for none
    --results) results=$2; shift 2 ;;
    --tool-timeout) tool_timeout=$2; shift 2 ;;
    --render-only) render_only=1; shift ;;
    --bin) bin=$2; shift 2 ;;  # use these prebuilt cast binaries, build nothing
    *) echo "bench/run.sh: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
py=/usr/bin/python3  # Debian's, the one python3-locust belongs to
render() { "$py" "$here/render_results.py" --results "$results" --out "$here/RESULTS.md"; }
if [[ $render_only -eq 1 ]]; then render; exit 0; fi

# --- what the bench needs: cast's own dependencies, the peers, the binaries
"$root/deploy/install-deps.sh"
"$here/install-peers.sh"
if [[ -z $bin ]]; then
  build=$root/build
  export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
  cmake -S "$root" -B "$build" -G Ninja >/dev/null
  cmake --build "$build" --target cast cast-worker cast-reference >&2
  bin=$build/bin
fi
export ARTILLERY_DISABLE_TELEMETRY=true PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 ERL_EPMD_ADDRESS=127.0.0.1
export NODE_PATH=$here/.peers/node_modules
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(( $(ulimit -n) >= 40000 )) || echo "bench/run.sh: only $(ulimit -n) open files allowed; a one-process tool needs ~2 per user at 10000 users" >&2
mkdir -p "$results"
secret=bench-secret-$RANDOM$RANDOM

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The platform, fresh for each run, measured like the tools. Sets
# auth_port, backend_port, platform_pid.
start_platform() {
  local name=$1
  auth_port=$(free_port); backend_port=$(free_port)
  "$py" "$here/tree_usage.py" --out "$results/$name.platform.json" -- sh -c "
    '$bin/cast-reference' auth --port $auth_port --secret '$secret' & a=\$!
    '$bin/cast-reference' backend --port $backend_port --secret '$secret' --startup-ms 20:80 --seed 7 & b=\$!
    trap 'kill \$a \$b' TERM INT; wait" >"$results/$name.platform.log" 2>&1 &
  platform_pid=$!
  for _ in $(seq 100); do
    if curl -fsS "http://127.0.0.1:$auth_port/health" >/dev/null 2>&1 &&
       curl -fsS "http://127.0.0.1:$backend_port/health" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "bench/run.sh: the platform did not come up (see $results/$name.platform.log)" >&2
  return 1
}

stop_platform() {
  kill -TERM "$platform_pid" 2>/dev/null || true
  wait "$platform_pid" 2>/dev/null || true
}

# measure NAME CMD...: the tool's tree under the sampler, bounded in time.
measure() {
  local name=$1; shift
  echo "bench: $name" >&2
  "$py" "$here/tree_usage.py" --out "$results/$name.tool.json" -- timeout -k 10 "$tool_timeout" "$@" \
    >"$results/$name.out" 2>&1 || echo "bench: $name exited $? (kept; see $results/$name.out)" >&2
}

run_cast() {
  local name=$1 users=$2; shift 2
  measure "$name" "$bin/cast" run --users "$users" --auth-url "http://127.0.0.1:$auth_port" \
    --backend-url "http://127.0.0.1:$backend_port" --ws-url "ws://127.0.0.1:$backend_port/ws" \
    --scenario "$here/peers/standard-session.yaml" --report-file "$results/$name.report.json" \
    --log-file "$results/$name.log" "$@"
}

run_locust() {
  local name=$1 users=$2
  # One process, headless: Debian's Locust reports an empty version, so a
  # master refuses every worker.
  BENCH_USERS=$users BENCH_WS_URL="ws://127.0.0.1:$backend_port/ws" BENCH_LOCUST_OUT="$results/$name.locust.json" \
    measure "$name" /usr/bin/locust -f "$here/peers/locustfile.py" --headless -u "$users" -r "$users" \
    --run-time "${tool_timeout}s" --host "http://127.0.0.1:$auth_port" --only-summary
}

run_tsung() {
  local name=$1 users=$2 conf=$results/$1.tsung.xml logs=$results/$1.tsung
  sed -e "s/@USERS@/$users/g" -e "s/@AUTH_PORT@/$auth_port/" -e "s/@BACKEND_PORT@/$backend_port/" \
    "$here/peers/tsung.xml.in" >"$conf"
  rm -rf "$logs"; mkdir -p "$logs"
  # epmd on loopback only, started here so that it is part of the measured
  # tree and stopped (by the sampler) after Tsung exits.
  measure "$name" sh -c "epmd -address 127.0.0.1 & e=\$!; sleep 0.3; tsung -f '$conf' -l '$logs' start; r=\$?; kill \$e; exit \$r"
}

run_artillery() {
  local name=$1 users=$2
  (cd "$here/peers" && BENCH_WS_URL="ws://127.0.0.1:$backend_port/ws" measure "$name" \
    "$here/.peers/node_modules/.bin/artillery" run --target "http://127.0.0.1:$auth_port" \
    --overrides "{\"config\":{\"phases\":[{\"duration\":1,\"arrivalCount\":$users}]}}" \
    --output "$results/$name.artillery.json" artillery.yaml)
}

for users in $users_list; do
  for tool in $tools; do
    name=$users-$tool
    start_platform "$name"
    case $tool in
      cast) run_cast "$name" "$users" --performance-only ;;
      locust) run_locust "$name" "$users" ;;
      tsung) run_tsung "$name" "$users" ;;
      artillery) run_artillery "$name" "$users" ;;
      *) echo "bench/run.sh: unknown tool $tool" >&2; exit 2 ;;
    esac
    stop_platform
  done
done

for extra in $extras; do
  case $extra in
    full-suite)  # every isolation check cast-reference in memory allows (no stores to validate)
      for users in $users_list; do
        [[ $users -le 2000 ]] || continue
        start_platform "$users-cast-full"; run_cast "$users-cast-full" "$users"; stop_platform
      done ;;
    hold)  # 10,000 connections held open: memory per open user
      start_platform "10000-cast-hold"
      run_cast "10000-cast-hold" 10000 --performance-only --hold 20 --timeout 300
      stop_platform ;;
    embedded)  # what a new user runs: 100 users, embedded default, full suite
      measure "100-cast-embedded" "$bin/cast" run --report-file "$results/100-cast-embedded.report.json" \
        --log-file "$results/100-cast-embedded.log" ;;
    *) echo "bench/run.sh: unknown extra $extra" >&2; exit 2 ;;
  esac
done

"$py" "$here/machine_facts.py" >"$results/machine.json"
render
echo "bench: wrote $here/RESULTS.md" >&2
