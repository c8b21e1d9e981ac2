# The agent platform and cast spread over netns hosts (sourced after
# netns_lib.sh). Expects BIN (cast's bin folder), SRC (the checkout) and
# WORK (a folder for data and logs, removed by the caller).
#
#   platform_start HOST [ARGS] stores (deploy/container/store.sh), schema, reference auth + backend
#                              on HOST; ARGS go to the backend (e.g. --startup-ms 2000:3000)
#   controller_start HOST ARGS cast controller on HOST:7700 against the platform, in the background
#   worker_start HOST ID CAP   cast worker on HOST dialing the controller, in the background
#   wait_for_pid PID SECONDS   its exit code, or 124 when it outlived SECONDS

CAST_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
PLATFORM_SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
declare -gA PLATFORM_URL=()

wait_until() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "FAIL: $what did not come up in ${seconds} s" >&2
      return 1
    fi
    sleep 0.2
  done
}

platform_start() {
  local host=$1 address
  shift
  address=$(netns_address "$host")
  chmod 755 "$WORK"  # PostgreSQL runs as its own user and must reach its folder
  local store=$SRC/deploy/container/store.sh
  in_host "$host" "$store" postgres "$address" 5432 "$WORK/postgres" >"$WORK/postgres.log" 2>&1 &
  in_host "$host" "$store" redis "$address" 6379 "$WORK/redis" >"$WORK/redis.log" 2>&1 &
  in_host "$host" "$store" clickhouse "$address" 8123 "$WORK/clickhouse" >"$WORK/clickhouse.log" 2>&1 &
  PLATFORM_URL[postgres]="postgresql://cast@$address:5432/cast"
  PLATFORM_URL[redis]="redis://$address:6379/0"
  PLATFORM_URL[clickhouse]="http://$address:8123/?database=cast"
  PLATFORM_URL[auth]="http://$address:8001"
  PLATFORM_URL[backend]="http://$address:8000"
  PLATFORM_URL[ws]="ws://$address:8000/ws"
  # The schema is made from the controller's host: the stores answer across the bridge.
  in_host controller "$BIN/cast" schema --wait 90 --postgres-url "${PLATFORM_URL[postgres]}" \
    --redis-url "${PLATFORM_URL[redis]}" --clickhouse-url "${PLATFORM_URL[clickhouse]}" >"$WORK/schema.log" 2>&1 || {
    echo "FAIL: the stores on $host did not answer; schema log and store logs:" >&2
    tail -n 20 "$WORK/schema.log" "$WORK"/postgres.log "$WORK"/redis.log "$WORK"/clickhouse.log >&2
    return 1
  }
  in_host "$host" "$BIN/cast-reference" auth --host "$address" --port 8001 --secret "$PLATFORM_SECRET" \
    >"$WORK/auth.log" 2>&1 &
  in_host "$host" "$BIN/cast-reference" backend --host "$address" --port 8000 --secret "$PLATFORM_SECRET" \
    --postgres "${PLATFORM_URL[postgres]}" --redis "${PLATFORM_URL[redis]}" \
    --clickhouse "${PLATFORM_URL[clickhouse]}" "$@" >"$WORK/backend.log" 2>&1 &
  wait_until 30 "auth on $host" in_host controller curl -sf "${PLATFORM_URL[auth]}/health"
  wait_until 30 "backend on $host" in_host controller curl -sf "${PLATFORM_URL[backend]}/health"
}

# Sets CONTROLLER_PID and CONTROLLER_ADDRESS.
controller_start() {
  local host=$1
  shift
  CONTROLLER_ADDRESS="$(netns_address "$host"):7700"
  # exec: the background job's pid is the controller's own, so signals reach it.
  (exec ip netns exec "$NETNS_TAG-$host" env CAST_WORKER_TOKEN="$CAST_TOKEN" \
    E2E_AUTH_SERVICE_URL="${PLATFORM_URL[auth]}" E2E_BACKEND_URL="${PLATFORM_URL[backend]}" \
    E2E_WEBSOCKET_URL="${PLATFORM_URL[ws]}" E2E_POSTGRES_URL="${PLATFORM_URL[postgres]}" \
    E2E_REDIS_URL="${PLATFORM_URL[redis]}" TEST_CLICKHOUSE_URL="${PLATFORM_URL[clickhouse]}" \
    "$BIN/cast" controller --listen "$CONTROLLER_ADDRESS" --report-file "$WORK/report.json" \
    --log-file "$WORK/controller.log" "$@") >"$WORK/controller.out" 2>&1 &
  CONTROLLER_PID=$!
}

# The token travels in the environment only, never on a command line.
# Sets WORKER_PID[ID].
declare -gA WORKER_PID=()
worker_start() {
  local host=$1 id=$2 capacity=$3
  # exec all the way down (ip netns exec, env and `cast worker` exec too):
  # the pid is the worker's own, so a test's kill reaches the worker and
  # never leaves it orphaned behind a killed wrapper shell.
  (exec ip netns exec "$NETNS_TAG-$host" env CAST_WORKER_TOKEN="$CAST_TOKEN" "$BIN/cast" worker \
    --controller "$CONTROLLER_ADDRESS" --worker-id "$id" --capacity "$capacity") >"$WORK/$id.log" 2>&1 &
  WORKER_PID[$id]=$!
}

wait_for_pid() {
  local pid=$1 seconds=$2 deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "FAIL: process $pid still running after $seconds s" >&2
      return 124
    fi
    sleep 0.2
  done
  local code=0
  wait "$pid" || code=$?
  return "$code"
}

show_logs() {
  local file
  for file in "$WORK"/controller.out "$WORK"/*.log; do
    [[ -f $file ]] || continue
    echo "----- $(basename "$file") (last 25 lines)" >&2
    tail -n 25 "$file" >&2
  done
}
