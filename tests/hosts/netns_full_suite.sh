#!/usr/bin/env bash
# cast across four hosts (network namespaces on 10.213.0.0/24): the
# platform with its stores, the controller, and two workers. The controller
# waits for both workers, deals the users, and the whole suite — sessions,
# probes, store validators, cleanup — passes with exit code 0, each worker
# having run users.   usage: netns_full_suite.sh BIN_DIR SOURCE_DIR
set -euo pipefail
BIN=$1
SRC=$2
source "$SRC/tests/hosts/netns_lib.sh"
source "$SRC/tests/hosts/netns_cast.sh"
netns_require

WORK=$(mktemp -d /tmp/cast-netns-suite.XXXXXX)
cleanup() {
  local code=$?
  ((code != 0 && code != 77)) && show_logs
  netns_destroy
  rm -rf "$WORK"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

netns_create "cast$$" 10.213.0 platform controller worker1 worker2
platform_start platform
controller_start controller --expect-workers 2 --users 40
worker_start worker1 netns-worker-1 20
worker_start worker2 netns-worker-2 20

code=0
wait_for_pid "$CONTROLLER_PID" 300 || code=$?
echo "cast controller exited with $code" >&2
[[ $code -eq 0 ]] || { echo "FAIL: expected exit code 0" >&2; exit 1; }
/usr/bin/python3 - "$WORK/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
problems = []
if report["verdict"] != "passed":
    problems.append(f"verdict {report['verdict']}, not passed")
workers = {w["id"]: w for w in report["workers"]}
for wid in ("netns-worker-1", "netns-worker-2"):
    if wid not in workers:
        problems.append(f"{wid} missing from workers[]")
    elif workers[wid]["users"] <= 0 or workers[wid]["lost"]:
        problems.append(f"{wid}: {workers[wid]['users']} users, lost={workers[wid]['lost']}")
if sum(w["users"] for w in report["workers"]) != 40:
    problems.append("the workers' users do not add up to 40")
for case in report["test_cases"]:
    if case.get("verdict") != "passed":
        problems.append(f"test case {case.get('id')}: {case.get('verdict')}")
print("\n".join(f"FAIL: {p}" for p in problems) or "report: passed, users per worker: " +
      ", ".join(f"{k}={v['users']}" for k, v in workers.items()), file=sys.stderr)
sys.exit(1 if problems else 0)
PY
# Each worker dialed from its own host's address, across the bridge.
for pair in netns-worker-1:worker1 netns-worker-2:worker2; do
  id=${pair%:*} address=$(netns_address "${pair#*:}")
  grep -q "worker $id attached from ipv4:$address:" "$WORK/controller.log" ||
    { echo "FAIL: $id did not attach from $address" >&2; exit 1; }
done
for id in netns-worker-1 netns-worker-2; do
  wait_for_pid "${WORKER_PID[$id]}" 30 || { echo "FAIL: worker $id did not exit cleanly" >&2; exit 1; }
done
echo "PASS: full suite across 4 namespaces" >&2
