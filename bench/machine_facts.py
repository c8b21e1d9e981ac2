#!/usr/bin/env python3
"""Prints, as JSON, what RESULTS.md says about the machine and the tools."""
import json
import os
import platform
import subprocess


def run(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def debian_version(package):
    return run("dpkg-query", "-W", "-f=${Version}", package) or "not installed"


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


here = os.path.dirname(os.path.abspath(__file__))
artillery = os.path.join(here, ".peers", "node_modules", "artillery", "package.json")
facts = {
    "cpu": cpu_model(),
    "cores": os.cpu_count(),
    "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    "kernel": platform.release(),
    "os": run("sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"),
    "loadavg_at_end": open("/proc/loadavg").read().split()[:3],
    "cast_commit": run("git", "-C", here, "rev-parse", "--short", "HEAD"),
    "versions": {
        "locust": debian_version("python3-locust") + " (Debian; `locust --version` prints an empty version)",
        "python3-websocket": debian_version("python3-websocket"),
        "tsung": debian_version("tsung"),
        "erlang": debian_version("erlang-base"),
        "artillery": json.load(open(artillery))["version"] if os.path.exists(artillery) else "not installed",
        "node": run("node", "--version"),
        "g++": run("g++", "-dumpversion"),
        "grpc": debian_version("libgrpc++-dev"),
        "boost": debian_version("libboost-dev"),
    },
}
print(json.dumps(facts, indent=1))
