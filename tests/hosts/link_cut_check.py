"""Judges the link-cut scenarios of netns_link_cut.sh against the liveness
rules. Usage: link_cut_check.py WORK_DIR. Prints each rule with what was
seen; exits 1 if a rule failed."""
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

work = sys.argv[1]
failed = []


def rule(ok, text):
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
             f"{scenario}: with --allow-worker-loss the run is judged, not invalid (exit {code})")
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
    rule(took is not None and took <= DETECTION_LIMIT_S + SCHEDULING_SLACK_S,
         f"{scenario}: link cut detected within {DETECTION_LIMIT_S} s (+{SCHEDULING_SLACK_S} s slack): "
         f"{'never' if took is None else f'{took:.3f} s'}")
    lost, kept = worker_entry(report, "netns-worker-2"), worker_entry(report, "netns-worker-1")
    rule(bool(lost and lost.get("lost")), f"{scenario}: report marks netns-worker-2 lost")
    rule(bool(kept and not kept.get("lost")), f"{scenario}: report keeps netns-worker-1 healthy")
    assigned, finished, lost_users = counts(lost) if lost else (None, None, None)
    print(f"     netns-worker-2: assigned {assigned}, finished {finished}, lost {lost_users}, "
          f"phase {lost.get('lost_phase') if lost else None}", file=sys.stderr)
    rule(isinstance(lost_users, int) and lost_users > 0,
         f"{scenario}: the cut worker's unfinished users are counted as lost ({lost_users})")
    rule(all(isinstance(n, int) for n in (assigned, finished, lost_users)) and assigned == finished + lost_users == 20,
         f"{scenario}: assigned = finished + lost = 20 for netns-worker-2")
    # The cable is cut while the worker's users hold their connections.
    rule(bool(lost and lost.get("lost_phase") == "running"),
         f"{scenario}: the report names the phase of the loss: running ({lost.get('lost_phase') if lost else None})")
    passed_users = report.get("users", 0) - report.get("users_failed_total", 0)
    rule(isinstance(lost_users, int) and passed_users <= 40 - lost_users,
         f"{scenario}: lost users are never counted as passed ({passed_users} passed)")


STOP_LIMIT_S = 5.0


def judge_controller_cut():
    """The controller's cable cut: every worker gone within 5 s, non-zero."""
    cut_at = float(read("controller_cut.cut") or 0)
    print("--- controller_cut: the controller's cable cut while the users held their connections", file=sys.stderr)
    rule(cut_at > 0, "controller_cut: the controller's cable was cut while both workers ran")
    lines = [line.split() for line in read("controller_cut.workers").splitlines() if line.strip()]
    rule(len(lines) == 2, f"controller_cut: both workers accounted for ({len(lines)})")
    for worker, code, gone in lines:
        took = float(gone) - cut_at if float(gone) > 0 and cut_at > 0 else None
        print(f"     {worker}: exit {code}, {'still running' if took is None else f'{took:.3f} s'} after the cut",
              file=sys.stderr)
        rule(took is not None and took <= STOP_LIMIT_S + SCHEDULING_SLACK_S,
             f"controller_cut: {worker} stopped within {STOP_LIMIT_S} s (+{SCHEDULING_SLACK_S} s slack)")
        rule(code.isdigit() and code != "0", f"controller_cut: {worker} exited non-zero ({code})")
    connections = read("controller_cut.platform").strip()
    rule(re.fullmatch(r"[0-9.e+-]+", connections) is not None and float(connections) == 0,
         f"controller_cut: the platform holds no connection afterwards ({connections or 'unread'})")


judge("strict", False)
if os.path.exists(os.path.join(work, "allowed.code")):
    judge("allowed", True)
else:
    rule(False, "allowed: the run with --allow-worker-loss left no evidence")
judge_controller_cut()
sys.exit(1 if failed else 0)
