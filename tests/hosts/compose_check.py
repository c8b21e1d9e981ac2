"""Validates deploy/docker-compose.yml and deploy/Dockerfile offline (no
engine): the services and their order, workers scaled by CAST_WORKERS and
the controller expecting as many, the worker token passed through from the
environment (never a value in the file), every service on the one internal
network, the images' stages. Usage: compose_check.py SOURCE_DIR."""
import os
import re
import sys

import yaml

src = sys.argv[1]
failed = []


def rule(ok, text):
    print(("ok   " if ok else "FAIL ") + text, file=sys.stderr)
    if not ok:
        failed.append(text)


compose = yaml.safe_load(open(os.path.join(src, "deploy/docker-compose.yml")))
services = compose.get("services", {})
expected = {"postgres", "redis", "clickhouse", "auth", "backend", "controller", "worker"}
rule(set(services) == expected, f"services {sorted(services)}")
rule(set(services.get("backend", {}).get("depends_on", [])) == {"postgres", "redis", "clickhouse"},
     "backend starts after the three stores")
rule(set(services.get("controller", {}).get("depends_on", [])) == {"auth", "backend"},
     "controller starts after auth and backend")
worker = services.get("worker", {})
rule(str(worker.get("deploy", {}).get("replicas", "")).startswith("${CAST_WORKERS"),
     "workers scaled by CAST_WORKERS (deploy.replicas)")
command = [str(part) for part in services.get("controller", {}).get("command", [])]
expect = command[command.index("--expect-workers") + 1] if "--expect-workers" in command else ""
rule(expect == str(worker.get("deploy", {}).get("replicas")),
     f"controller expects as many workers as are started ({expect})")
worker_command = " ".join(str(part) for part in worker.get("command", []))
rule("--controller controller:7700" in worker_command, "workers dial controller:7700")
for name in ("controller", "worker"):
    env = services.get(name, {}).get("environment", {})
    rule("CAST_WORKER_TOKEN" in env and env["CAST_WORKER_TOKEN"] is None,
         f"{name}: CAST_WORKER_TOKEN passed through from the environment, no value in the file")
# cast worker and cast controller read CAST_WORKER_TOKEN themselves: no
# --token on any command line, not even one expanded inside a container.
commands = {name: " ".join(str(part) for part in s.get("command", [])) for name, s in services.items()}
with_token = sorted(name for name, command in commands.items() if re.search(r"--token(\s|=|$)", command))
rule(not with_token, f"no --token on a command line, the token only in the environment ({with_token})")
rule(compose.get("networks", {}).get("cast", {}).get("internal") is True, "network cast is internal")
rule(all(s.get("networks") == ["cast"] for s in services.values()), "every service on network cast only")
rule(not any("ports" in s for s in services.values()), "nothing published on the host")
# Mutual TLS (docker-compose.tls.yml): the flags reach the end of both
# command lines through CAST_TLS_ARGS, the certificates a read-only mount.
for name in ("controller", "worker"):
    command = [str(part) for part in services.get(name, {}).get("command", [])]
    rule(command[:4] == ["sh", "-c", 'exec "$$@" $$CAST_TLS_ARGS', "sh"],
         f"{name}: CAST_TLS_ARGS appended to its command line")
tls = yaml.safe_load(open(os.path.join(src, "deploy/docker-compose.tls.yml"))).get("services", {})
rule(set(tls) == {"controller", "worker"}, f"the TLS file changes the controller and the workers only ({sorted(tls)})")
expected_flags = {"controller": ["--tls-cert", "--tls-key", "--tls-client-ca"],
                  "worker": ["--tls-ca", "--tls-cert", "--tls-key"]}
for name, flags in expected_flags.items():
    args = str(tls.get(name, {}).get("environment", {}).get("CAST_TLS_ARGS", "")).split()
    rule(args[0::2] == flags and all(a.startswith("/tls/") for a in args[1::2]),
         f"{name}: mutual TLS flags {flags} on files under /tls ({args})")
    rule(any(str(v).endswith(":/tls:ro") for v in tls.get(name, {}).get("volumes", [])),
         f"{name}: certificates mounted read-only at /tls")
    rule(set(tls.get(name, {})) <= {"environment", "volumes"}, f"{name}: the TLS file only adds environment and volumes")
stages = re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", open(os.path.join(src, "deploy/Dockerfile")).read(), re.M)
rule(stages == ["build", "package-source", "package-prebuilt", "package", "runtime", "store-packages", "stores"],
     f"Dockerfile stages {stages}")
dockerfile = open(os.path.join(src, "deploy/Dockerfile")).read()
rule(re.search(r"^FROM package-\$\{PACKAGE:-source\} AS package$", dockerfile, re.M) is not None,
     "the .deb compiled in the image unless PACKAGE=prebuilt")
targets = {s.get("build", {}).get("target") for s in services.values()}
rule(targets <= set(stages), f"compose builds only Dockerfile stages ({sorted(targets)})")
sys.exit(1 if failed else 0)
