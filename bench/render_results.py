#!/usr/bin/env python3
"""Writes bench/RESULTS.md from what bench/run.sh left in bench/results/:
the machine, the versions, the exact commands, one table of every tool at
every size, cast's own breakdown, the goals of issue 9 checked against the
numbers, and bench/analysis.md (profiles and explanations, kept by hand)."""
import argparse
import glob
import json
import os
import re

TOOLS = ["cast", "locust", "tsung", "artillery"]


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def fmt(value, digits=1):
    if value is None:
        return "—"
    if isinstance(value, float):
        return ("%." + str(digits) + "f") % value
    return str(value)


def tsung_stats(log_dir):
    """Sums Tsung's per-interval dumps: counts add up, means are weighted."""
    counts, sums = {}, {}
    for path in glob.glob(os.path.join(log_dir, "*", "tsung.log")):
        for line in open(path, errors="replace"):
            m = re.match(r"stats: (\S+) (\d+) ([\d.]+)", line)
            if not m:
                continue
            name, count, value = m.group(1), int(m.group(2)), float(m.group(3))
            counts[name] = counts.get(name, 0) + count
            sums[name] = sums.get(name, 0.0) + count * value
    return {n: (counts[n], sums[n] / counts[n] if counts[n] else None) for n in counts}


def tool_figures(results, name, tool, users):
    """sessions ok and the startup percentiles the tool itself reports."""
    out = {"ok": None, "p50": None, "p95": None, "p99": None, "mean": None, "note": ""}
    if tool.startswith("cast"):
        report = load(os.path.join(results, name + ".report.json"))
        if report:
            failed = report.get("users_failed_total", 0)
            out["ok"] = report["users"] - failed
            s = report.get("startup_ms", {})
            out.update(p50=s.get("p50"), p95=s.get("p95"), p99=s.get("p99"), mean=s.get("mean"))
            out["note"] = "verdict " + report.get("verdict", "?")
            out["report"] = report
    elif tool == "locust":
        stats = load(os.path.join(results, name + ".locust.json"))
        if stats:
            session = stats.get("session", {})
            out["ok"] = session.get("count", 0) - session.get("failures", 0)
            s = stats.get("start_agent", {})
            out.update(p50=s.get("p50"), p95=s.get("p95"), p99=s.get("p99"), mean=s.get("mean_ms"))
    elif tool == "tsung":
        stats = tsung_stats(os.path.join(results, name + ".tsung"))
        if stats:
            out["ok"] = stats.get("match", (0, None))[0]  # get_state answered agent_state
            out["mean"] = stats.get("tr_start_agent", (0, None))[1]
            errors = sum(c for n, (c, _) in stats.items() if n.startswith("error"))
            out["note"] = "no percentiles (means only)" + (", %d errors" % errors if errors else "")
    elif tool == "artillery":
        report = load(os.path.join(results, name + ".artillery.json"))
        if report:
            agg = report["aggregate"]
            out["ok"] = agg["counters"].get("session.ok", 0)
            s = agg.get("summaries", {}).get("ws.start_agent", {})
            out.update(p50=s.get("p50"), p95=s.get("p95"), p99=s.get("p99"), mean=s.get("mean"))
    return out


def rows(results):
    found = []
    for path in sorted(glob.glob(os.path.join(results, "*.tool.json"))):
        name = os.path.basename(path)[: -len(".tool.json")]
        users_text, tool = name.split("-", 1)
        usage = load(path)
        platform = load(os.path.join(results, name + ".platform.json"))
        figures = tool_figures(results, name, tool, int(users_text))
        found.append({"name": name, "users": int(users_text), "tool": tool, "usage": usage,
                      "platform": platform, **figures})
    order = {t: i for i, t in enumerate(TOOLS + ["cast-full", "cast-hold", "cast-embedded"])}
    found.sort(key=lambda r: (r["users"], order.get(r["tool"], 99)))
    return found


def per_session_ms(row):
    if not row["usage"] or not row["ok"]:
        return None
    return row["usage"]["cpu_s"] * 1000 / row["ok"]


def main_table(found):
    lines = ["| users | tool | sessions ok | CPU s (user+sys) | CPU ms / session | peak RSS MB | wall s | "
             "start_agent p50 / p95 / p99 ms (mean) | platform CPU s | load avg at start | notes |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | --- |"]
    for r in found:
        u = r["usage"] or {}
        p = r["platform"] or {}
        pct = "%s / %s / %s (%s)" % (fmt(r["p50"]), fmt(r["p95"]), fmt(r["p99"]), fmt(r["mean"]))
        cpu = "%s (%s+%s)" % (fmt(u.get("cpu_s"), 2), fmt(u.get("cpu_user_s"), 2), fmt(u.get("cpu_sys_s"), 2))
        lines.append("| %d | %s | %s / %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["users"], r["tool"], fmt(r["ok"]), r["users"], cpu, fmt(per_session_ms(r), 2),
            fmt(u.get("peak_rss_mb")), fmt(u.get("wall_s")), pct, fmt(p.get("cpu_s"), 2),
            " ".join(u.get("loadavg_start", [])[:1]) or "—",
            (r["note"] + ("; exit %s" % u.get("exit_code") if u.get("exit_code") else "")).strip("; ")))
    return "\n".join(lines)


def cast_breakdown(found):
    lines = ["| run | worker CPU s | controller CPU s | CPU s / 1,000 sessions | workers' peak RSS MB | "
             "RSS KB / open user | controller peak RSS MB (KB / user) | harness-added startup p50 / p99 ms | "
             "start skew ms users / workers | max loop lag ms | harness errors | phases s | verdict |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | --- | --- |"]
    for r in found:
        if not r["tool"].startswith("cast") or not r["usage"]:
            continue
        u, rep = r["usage"], r.get("report") or {}
        cpu = u.get("cpu_s_by_name", {})
        rss = u.get("peak_rss_mb_by_name", {})
        harness = rep.get("harness", {})
        added = harness.get("added_startup_ms", {})
        timings = rep.get("timings_s", {})
        phases = ", ".join("%s %s" % (k, fmt(v, 2)) for k, v in timings.items()) or "—"
        worker_rss = rss.get("cast-worker")
        controller_rss = rss.get("cast")
        lines.append("| %s | %s | %s | %s | %s | %s | %s (%s) | %s / %s | %s / %s | %s | %s | %s | %s |" % (
            r["name"], fmt(cpu.get("cast-worker"), 2), fmt(cpu.get("cast"), 2),
            fmt(u["cpu_s"] * 1000 / r["ok"], 2) if r["ok"] else "—", fmt(worker_rss),
            fmt(worker_rss * 1024 / r["users"], 1) if worker_rss else "—", fmt(controller_rss),
            fmt(controller_rss * 1024 / r["users"], 1) if controller_rss else "—",
            fmt(added.get("p50")), fmt(added.get("p99")), fmt(harness.get("start_skew_ms")),
            fmt(harness.get("worker_start_skew_ms")), fmt(harness.get("max_loop_lag_ms")),
            fmt(harness.get("harness_errors")), phases, rep.get("verdict", "—")))
    return "\n".join(lines)


def find(found, users, tool):
    for r in found:
        if r["users"] == users and r["tool"] == tool:
            return r
    return None


def goals(found):
    out = []

    def line(goal, held, detail):
        out.append("| %s | %s | %s |" % (goal, {True: "held", False: "**missed**", None: "not measured"}[held], detail))

    cast, locust, tsung = (find(found, 2000, t) for t in ("cast", "locust", "tsung"))
    c, l, t = (per_session_ms(r) if r else None for r in (cast, locust, tsung))
    line("CPU per session at 2000 ≤ 1/10 of Locust's", c <= l / 10 if c and l else None,
         "cast %s ms, Locust %s ms (ratio %s)" % (fmt(c, 2), fmt(l, 2), fmt(l / c if c and l else None)))
    line("CPU per session at 2000 ≥ 5× below Tsung's", c * 5 <= t if c and t else None,
         "cast %s ms, Tsung %s ms (ratio %s)" % (fmt(c, 2), fmt(t, 2), fmt(t / c if c and t else None)))
    full = find(found, 2000, "cast-full")
    if full and cast and full["usage"] and cast["usage"]:
        ratio = full["usage"]["cpu_s"] / cast["usage"]["cpu_s"]
        line("full isolation run ≤ 3× --performance-only (2000, CPU)", ratio <= 3, "%s×" % fmt(ratio, 2))
    else:
        line("full isolation run ≤ 3× --performance-only (2000, CPU)", None, "")
    big = find(found, 10000, "cast")
    if big and big.get("report"):
        rep, harness = big["report"], big["report"].get("harness", {})
        skew = harness.get("start_skew_ms")
        line("10,000 users: a valid run", rep.get("verdict") != "invalid",
             "verdict %s %s" % (rep.get("verdict"), "; ".join(rep.get("invalid_reasons", []))))
        line("10,000 users: start skew ≤ 50 ms", skew is not None and skew <= 50, "%s ms" % fmt(skew))
        harness_cpu, platform_cpu = big["usage"]["cpu_s"], (big["platform"] or {}).get("cpu_s")
        line("10,000 users: harness CPU below the platform's", platform_cpu is not None and harness_cpu < platform_cpu,
             "cast %s s, platform %s s" % (fmt(harness_cpu, 2), fmt(platform_cpu, 2)))
    hold = find(found, 10000, "cast-hold")
    if hold and hold["usage"]:
        worker_rss = hold["usage"].get("peak_rss_mb_by_name", {}).get("cast-worker")
        per_user = worker_rss * 1024 / 10000 if worker_rss else None
        line("peak RSS ≤ 20 KB per open user (10,000 held)", per_user is not None and per_user <= 20,
             "%s KB (workers' summed peak RSS / users)" % fmt(per_user))
        ctl = hold["usage"].get("peak_rss_mb_by_name", {}).get("cast")
        line("controller memory bounded per user, stated", None if ctl is None else True,
             "%s MB at 10,000 users = %s KB / user" % (fmt(ctl), fmt(ctl * 1024 / 10000 if ctl else None)))
    embedded = find(found, 100, "cast-embedded")
    if embedded and embedded["usage"]:
        wall = embedded["usage"]["wall_s"]
        line("`cast run` (100, embedded, full suite) < 13 s / 3", wall < 13 / 3, "%s s wall" % fmt(wall, 2))
    return "| goal | result | figures |\n| --- | --- | --- |\n" + "\n".join(out)


def commands(found):
    lines = []
    for r in found:
        if r["usage"]:
            lines.append("- `%s`: `%s`" % (r["name"], " ".join(r["usage"]["command"])))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    found = rows(args.results)
    machine = load(os.path.join(args.results, "machine.json")) or {}
    analysis_path = os.path.join(here, "analysis.md")
    analysis = open(analysis_path).read() if os.path.exists(analysis_path) else ""
    versions = "\n".join("- %s: %s" % kv for kv in machine.get("versions", {}).items())
    text = f"""# bench/RESULTS.md

Written by `bench/run.sh` (render again with `bench/run.sh --render-only`); the
analysis at the end is kept by hand in `bench/analysis.md`.

## Machine

{machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, {machine.get('memory_gb', '?')} GB, {machine.get('os', '?')},
kernel {machine.get('kernel', '?')}; cast at commit {machine.get('cast_commit', '?')}. The machine is shared
(8 engineers building on 2 cores): wall times are noisy, CPU seconds (user+sys)
much less so; the load average when each run started is in the table.

{versions}

## Method

Each run: a fresh `cast-reference auth` + `cast-reference backend --startup-ms 20:80 --seed 7`
(stores in memory) on free loopback ports; the tool runs the standard session (token from
`POST /auth/token`, WebSocket with the token, `start_agent`, three `user_message`, `get_state`,
close) once per user. `bench/tree_usage.py` runs each tool and the platform and measures the
whole process tree: CPU is `getrusage(RUSAGE_CHILDREN)` of the sampler, which is a child
subreaper, so every process the tree ever had (orphans and daemons such as epmd included) is
counted exactly; peak RSS is the largest sum of VmRSS over the tree's live processes, sampled
every 50 ms; per-process-name CPU (for cast: workers vs controller) is the last sampled
utime+stime. Sessions ok and percentiles are what each tool itself reports: cast's JSON report,
Locust's stats (written on quit by the locustfile), Tsung's `tsung.log` dumps, Artillery's
`--output` JSON. "start_agent" is the round trip `start_agent` → `agent_started`.

## Results

{main_table(found)}

## cast's own breakdown

Harness-added startup: per user, the startup cast observed minus the `startup_ms` the platform
reported in that user's `agent_started`. Start skew: spread of the users' first-step starts
(users), and of the workers' first starts (workers).

{cast_breakdown(found)}

## Goals (issue 9)

{goals(found)}

## What each peer could not do

| | cast | Locust | Tsung | Artillery |
| --- | --- | --- | --- | --- |
| start every user at one instant | yes: one go, every worker starts its users at the same steady-clock instant | no: spawns at `-r` users/s from one process | no: arrivals at a rate within a phase (1 s here) | no: arrivals within a phase (1 s here) |
| report P99 | exact, over all samples | approximated (rounded buckets) | no: means per 10 s interval only | yes (HDR-like summaries) |
| see per-user payloads (isolation) | every frame and REST answer, scanned for other users' data | only what the locustfile keeps by hand | no (dumptraffic writes a raw log) | only what a processor keeps by hand |
| WebSocket with a token from HTTP | built in | needs python3-websocket and hand-written code | `change_type` + dyn_variable | needs a processor function (ws engine cannot take the token) |
| many processes / cores | one worker per core | no: Debian's Locust reports an empty version, so its master refuses every worker | one Erlang VM | worker threads |

## Exact commands

{commands(found)}

{analysis}
"""
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
