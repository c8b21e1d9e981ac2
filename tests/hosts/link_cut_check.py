"""Judges the link-cut scenarios of netns_link_cut.sh against the liveness
rules. Usage: link_cut_check.py WORK_DIR [--pending-liveness]. Prints each
rule with what was seen; exits 1 if a rule failed.

--pending-liveness (the controller has no --allow-worker-loss yet: the
heartbeat-based liveness work has not landed) judges only what holds
without it and prints the rest as PENDING, so they are visible but do not
fail the test; without the flag every rule binds."""
import datetime
import json
import os
import re
import sys

DETECTION_LIMIT_S = 2.0
# The cut instant is taken by the script right after `ip link set down`
# returns; the controller's log line comes after its own detection. Both
# are read on one clock, the slack covers the script's own scheduling.
SCHEDULING_SLACK_S = 0.5
# Without heartbeats the loss is noticed by gRPC keepalive: still bounded.
KEEPALIVE_LIMIT_S = 60.0

work = sys.argv[1]
pending_liveness = "--pending-liveness" in sys.argv[2:]
failed = []


def rule(ok, text, liveness=False):
    """liveness: a rule of the heartbeat work, pending while it is absent."""
    if liveness and pending_liveness:
        print(("PENDING (holds) " if ok else "PENDING (fails) ") + text, file=sys.stderr)
        return
    print(("ok   " if ok else "FAIL ") + text, file=sys.stderr)
    if not ok:
        failed.append(text)


def read(name):
    path = os.path.join(work, name)
    return open(path).read() if os.path.exists(path) else ""


def lost_line_time(log, worker):
    """When the controller logged the worker as lost (local time, ms)."""
    for line in log.splitlines():
        if worker in line and re.search(r"\blost\b", line):
            stamp = line.split(" ", 1)[0]
            return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f").timestamp(), line
    return None, None


def worker_entry(report, worker):
    return next((w for w in report.get("workers", []) if w.get("id") == worker), None)


def counts(entry):
    """(assigned, finished, lost) users of a worker entry, None where absent."""
    users = entry.get("users")
    if isinstance(users, dict):
        return users.get("assigned"), users.get("finished"), users.get("lost")
    return (entry.get("users_assigned", users), entry.get("users_finished"),
            entry.get("users_lost", entry.get("lost_users")))


def judge(scenario, allowed):
    code = int(read(f"{scenario}.code") or -1)
    cut_at = float(read(f"{scenario}.cut") or 0)
    report = json.loads(read(f"{scenario}.report.json") or "{}")
    log = read(f"{scenario}.controller.log")
    print(f"--- {scenario}{' (--allow-worker-loss)' if allowed else ''}: exit {code}, "
          f"verdict {report.get('verdict')}", file=sys.stderr)
    rule(cut_at > 0, f"{scenario}: netns-worker-2's cable was cut while its users ran")
    if allowed:
        rule(code in (0, 1) and report.get("verdict") != "invalid",
             f"{scenario}: with --allow-worker-loss the run is judged, not invalid (exit {code})", liveness=True)
    else:
        reasons = report.get("invalid_reasons") or []
        rule(code == 4 and report.get("verdict") == "invalid"
             and any("netns-worker-2" in r for r in reasons),
             f"{scenario}: a worker lost after the go makes the run invalid, exit 4, the reason naming it "
             f"(exit {code}, verdict {report.get('verdict')}, reasons {reasons})")
    seen, line = lost_line_time(log, "netns-worker-2")
    took = seen - cut_at if seen is not None and cut_at > 0 else None
    if line:
        print(f"     detection: {took:.3f} s after the cut: {line}", file=sys.stderr)
    rule(took is not None and took <= KEEPALIVE_LIMIT_S,
         f"{scenario}: the controller logged netns-worker-2 as lost within {KEEPALIVE_LIMIT_S:.0f} s")
    rule(took is not None and took <= DETECTION_LIMIT_S + SCHEDULING_SLACK_S,
         f"{scenario}: link cut detected within {DETECTION_LIMIT_S} s (+{SCHEDULING_SLACK_S} s slack): "
         f"{'never' if took is None else f'{took:.3f} s'}", liveness=True)
    lost, kept = worker_entry(report, "netns-worker-2"), worker_entry(report, "netns-worker-1")
    rule(bool(lost and lost.get("lost")), f"{scenario}: report marks netns-worker-2 lost")
    rule(bool(kept and not kept.get("lost")), f"{scenario}: report keeps netns-worker-1 healthy")
    assigned, finished, lost_users = counts(lost) if lost else (None, None, None)
    print(f"     netns-worker-2: assigned {assigned}, finished {finished}, lost {lost_users}, "
          f"phase {lost.get('lost_phase') if lost else None}", file=sys.stderr)
    rule(isinstance(lost_users, int) and lost_users > 0,
         f"{scenario}: the cut worker's unfinished users are counted as lost ({lost_users})", liveness=True)
    rule(all(isinstance(n, int) for n in (assigned, finished, lost_users)) and assigned == finished + lost_users == 20,
         f"{scenario}: assigned = finished + lost = 20 for netns-worker-2", liveness=True)
    rule(bool(lost and lost.get("lost_phase")), f"{scenario}: the report names the phase of the loss", liveness=True)
    passed_users = report.get("users", 0) - report.get("users_failed_total", 0)
    rule(isinstance(lost_users, int) and passed_users <= 40 - lost_users,
         f"{scenario}: lost users are never counted as passed ({passed_users} passed)", liveness=True)


judge("strict", False)
if os.path.exists(os.path.join(work, "allowed.code")):
    judge("allowed", True)
else:
    rule(False, "allowed: a run with --allow-worker-loss (the controller has no such flag)", liveness=True)
sys.exit(1 if failed else 0)
