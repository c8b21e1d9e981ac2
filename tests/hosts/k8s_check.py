"""Offline checks of deploy/k8s: what a cluster would refuse or get wrong,
short of an API server. Usage: k8s_check.py RUN_A.yaml RUN_B.yaml (two
rendered runs). Prints every problem and exits 1 if there is one."""
import re
import sys

import yaml

problems = []
WANTED = {("v1", "ConfigMap"), ("v1", "Secret"), ("v1", "Service"), ("batch/v1", "Job")}
DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


def problem(text):
    problems.append(text)


def load(path):
    docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
    for d in docs:
        if (d.get("apiVersion"), d.get("kind")) not in WANTED:
            problem(f"{path}: unexpected {d.get('apiVersion')}/{d.get('kind')}")
        meta = d.get("metadata") or {}
        name = meta.get("name", "")
        if not DNS_LABEL.match(name) or len(name) > 63:
            problem(f"{path}: {d.get('kind')} name '{name}' is not a DNS label of at most 63")
    return docs


def one(docs, kind, component):
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["labels"].get("app.kubernetes.io/component") == component]
    if len(found) != 1:
        problem(f"expected one {kind} '{component}', found {len(found)}")
        return {}
    return found[0]


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def container(job):
    spec = job["spec"]["template"]["spec"]
    if len(spec["containers"]) != 1:
        problem(f"{job['metadata']['name']}: expected one container")
    return spec["containers"][0]


def env_secret_refs(c):
    return {e["name"]: e["valueFrom"]["secretKeyRef"] for e in c.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})}


def check_run(run, docs):
    prefix = f"cast-{run}-"
    for d in docs:
        meta = d["metadata"]
        if not meta["name"].startswith(prefix):
            problem(f"{d['kind']} {meta['name']}: name does not carry the run ({prefix}...)")
        if meta.get("labels", {}).get("app.kubernetes.io/instance") != f"cast-{run}":
            problem(f"{d['kind']} {meta['name']}: no instance label of the run")
    config, secret = one(docs, "ConfigMap", "config"), one(docs, "Secret", "worker-token")
    service, controller, workers = one(docs, "Service", "controller"), one(docs, "Job", "controller"), one(docs, "Job", "worker")
    if not all((config, secret, service, controller, workers)):
        return

    # The run's YAML parses and names the platform.
    run_yaml = yaml.safe_load(config["data"]["cast.yaml"])
    for key in ("auth_url", "backend_url", "ws_url"):
        if not run_yaml.get("targets", {}).get(key):
            problem(f"{config['metadata']['name']}: cast.yaml has no targets.{key}")

    # The Service selects the controller pods of this run and nothing else.
    selector = service["spec"]["selector"]
    if not selects(selector, controller["spec"]["template"]["metadata"]["labels"]):
        problem(f"Service {service['metadata']['name']} does not select the controller's pods")
    if selects(selector, workers["spec"]["template"]["metadata"]["labels"]):
        problem(f"Service {service['metadata']['name']} also selects the workers")
    ctl = container(controller)
    port = service["spec"]["ports"][0]
    named = {p["name"]: p["containerPort"] for p in ctl.get("ports", [])}
    if named.get(port["targetPort"]) != port["port"] or f"0.0.0.0:{port['port']}" not in " ".join(ctl["args"]):
        problem("the controller does not listen on the Service's port")

    # Jobs: the controller never retried; workers Indexed, all at once.
    cspec, wspec = controller["spec"], workers["spec"]
    if cspec.get("backoffLimit") != 0 or cspec["template"]["spec"].get("restartPolicy") != "Never":
        problem("the controller Job may be retried (a second attempt would be another run)")
    n = wspec.get("completions")
    if wspec.get("completionMode") != "Indexed" or not n or wspec.get("parallelism") != n:
        problem("the workers are not an Indexed Job with parallelism = completions")
    for job in (controller, workers):
        if not job["spec"].get("activeDeadlineSeconds"):
            problem(f"{job['metadata']['name']}: unbounded (no activeDeadlineSeconds)")
    if f"--expect-workers {n}" not in " ".join(ctl["args"]):
        problem(f"the controller does not expect the {n} workers the Job starts")
    wrk = container(workers)
    args = wrk.get("command", []) + wrk.get("args", [])
    target = args[args.index("--controller") + 1] if "--controller" in args else ""
    if target != f"{service['metadata']['name']}:{port['port']}":
        problem(f"workers dial '{target}', not the run's Service")
    worker_id = args[args.index("--worker-id") + 1] if "--worker-id" in args else ""
    env_names = {e["name"] for e in wrk.get("env", [])}
    used = re.findall(r"\$\((\w+)\)", worker_id)
    if not used or not set(used) <= env_names:
        problem(f"worker id '{worker_id}' is not made from an env var of the container (e.g. its index)")

    # The token comes from this run's Secret, through the environment only.
    token = secret["stringData"]["token"]
    for c in (ctl, wrk):
        ref = env_secret_refs(c).get("CAST_WORKER_TOKEN")
        if ref != {"name": secret["metadata"]["name"], "key": "token"}:
            problem(f"container {c['name']}: CAST_WORKER_TOKEN does not come from the run's Secret: {ref}")
        text = " ".join(map(str, c.get("command", []) + c.get("args", [])))
        if token in text or "--token" in text:
            problem(f"container {c['name']}: the token is on the command line")
    volumes = {v["name"]: v for v in cspec["template"]["spec"]["volumes"]}
    if volumes.get("config", {}).get("configMap", {}).get("name") != config["metadata"]["name"]:
        problem("the controller does not mount the run's ConfigMap")
    return token


def names(docs):
    return {(d["kind"], d["metadata"]["name"]) for d in docs}


def main():
    runs = []
    for path in sys.argv[1:]:
        docs = load(path)
        run = docs[0]["metadata"]["labels"]["app.kubernetes.io/instance"].removeprefix("cast-") if docs else ""
        runs.append((run, docs, check_run(run, docs)))
    (run_a, docs_a, token_a), (run_b, docs_b, token_b) = runs
    shared = names(docs_a) & names(docs_b)
    if shared:
        problem(f"runs {run_a} and {run_b} share names: {sorted(shared)}")
    if token_a and token_a == token_b:
        problem("two runs got the same worker token")
    for doc in docs_a:
        for other in docs_b:
            if doc["kind"] == "Service" and other["kind"] == "Job":
                if selects(doc["spec"]["selector"], other["spec"]["template"]["metadata"]["labels"]):
                    problem(f"Service {doc['metadata']['name']} selects pods of run {run_b}")
    for p in problems:
        print("FAIL:", p, file=sys.stderr)
    if not problems:
        print(f"k8s: runs {run_a} and {run_b}: {len(docs_a)} + {len(docs_b)} manifests, no collisions", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
