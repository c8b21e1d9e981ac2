#!/usr/bin/env python3
"""Runs a command and measures its whole process tree the same way for
every tool in bench/run.sh:

- CPU: user and system seconds of every process of the tree. The sampler
  makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so orphans
  (daemons, double forks) are reparented to it and reaped by it; after the
  tree is gone getrusage(RUSAGE_CHILDREN) therefore holds every process the
  tree ever had, exactly, with nothing sampled.
- Peak RSS: the largest sum of VmRSS over the tree's live processes, read
  from /proc/PID/statm every 50 ms (a sum, so a tool with many processes
  pays for each of them).
- Per process name: CPU (last sampled utime+stime, so within one sample of
  the truth) and peak RSS, to split e.g. cast's controller from its workers.
- Wall: from start until the command itself exits.

After the command exits, what is left of its tree (epmd, say) gets SIGTERM
after --grace seconds and is reaped. SIGTERM/SIGINT to the sampler go to the
command's process group. Writes one JSON object to --out.

  tree_usage.py --out usage.json -- locust -f locustfile.py ...
"""
import argparse
import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import time

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")
PR_SET_CHILD_SUBREAPER = 36


def proc_stat(pid):
    with open("/proc/%d/stat" % pid, "rb") as f:
        raw = f.read().decode("latin-1")
    close = raw.rindex(")")
    name = raw[raw.index("(") + 1:close]
    fields = raw[close + 2:].split()
    # fields[0] is state; ppid is field 4 of stat, i.e. fields[1]
    return name, int(fields[1]), int(fields[11]) + int(fields[12])


def rss_bytes(pid):
    with open("/proc/%d/statm" % pid) as f:
        return int(f.read().split()[1]) * PAGE


class Tree:
    def __init__(self, root):
        self.members = {root}
        self.cpu_ticks = {}   # pid -> (name, last utime+stime)
        self.peak_rss = 0
        self.peak_by_name = {}
        self.samples = 0

    def sample(self):
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stats[int(entry)] = proc_stat(int(entry))
                except (OSError, ValueError, IndexError):
                    pass
        grew = True
        while grew:  # a child of a member is a member
            grew = False
            for pid, (_, ppid, _) in stats.items():
                if pid not in self.members and ppid in self.members:
                    self.members.add(pid)
                    grew = True
        total = 0
        by_name = {}
        for pid in self.members:
            if pid not in stats:
                continue
            name, _, ticks = stats[pid]
            self.cpu_ticks[pid] = (name, ticks)
            try:
                rss = rss_bytes(pid)
            except OSError:
                continue
            total += rss
            by_name[name] = by_name.get(name, 0) + rss
        self.peak_rss = max(self.peak_rss, total)
        for name, rss in by_name.items():
            self.peak_by_name[name] = max(self.peak_by_name.get(name, 0), rss)
        self.samples += 1
        return [pid for pid in self.members if pid in stats]

    def cpu_by_name(self):
        out = {}
        for name, ticks in self.cpu_ticks.values():
            out[name] = out.get(name, 0.0) + ticks / TICK
        return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--grace", type=float, default=2.0, help="seconds before leftovers get SIGTERM")
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("tree_usage: prctl(PR_SET_CHILD_SUBREAPER) failed")

    loadavg_start = open("/proc/loadavg").read().split()[:3]
    started = time.monotonic()
    child = subprocess.Popen(command, start_new_session=True)
    forward = lambda signum, _frame: os.killpg(child.pid, signum)  # noqa: E731
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    tree = Tree(child.pid)
    exit_code = None
    ended = None      # when the command exited
    stop_sent = False
    killed_leftovers = []
    while True:
        alive = tree.sample()
        while True:  # reap whatever ended: the command, or orphans handed to us
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid, status = -1, 0
            if pid <= 0:
                break
            if pid == child.pid:
                exit_code = os.waitstatus_to_exitcode(status)
                ended = time.monotonic()
        if pid == -1 and exit_code is not None:
            break  # no children left at all
        if ended is not None and not stop_sent and time.monotonic() - ended > args.grace:
            for pid in alive:
                if pid != os.getpid():
                    try:
                        os.kill(pid, signal.SIGTERM)
                        killed_leftovers.append(tree.cpu_ticks.get(pid, ("?", 0))[0])
                    except ProcessLookupError:
                        pass
            stop_sent = True
        time.sleep(args.interval)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "command": command,
        "exit_code": exit_code,
        "wall_s": round((ended or time.monotonic()) - started, 3),
        "cpu_user_s": round(usage.ru_utime, 3),
        "cpu_sys_s": round(usage.ru_stime, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mb": round(tree.peak_rss / 2**20, 1),
        "processes": len(tree.members),
        "cpu_s_by_name": {k: round(v, 2) for k, v in tree.cpu_by_name().items()},
        "peak_rss_mb_by_name": {k: round(v / 2**20, 1) for k, v in tree.peak_by_name.items()},
        "leftovers_stopped": killed_leftovers,
        "samples": tree.samples,
        "loadavg_start": loadavg_start,
        "loadavg_end": open("/proc/loadavg").read().split()[:3],
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    sys.exit(exit_code if exit_code is not None else 1)


if __name__ == "__main__":
    main()
