#!/usr/bin/env bash
# The container deployment, run for real: builds the `runtime` and `stores`
# images of deploy/Dockerfile on a Debian 12 base made with debootstrap
# (when missing), starts deploy/docker-compose.yml with podman-compose and
# two workers on an internal network the test creates (10.214.0.0/24) and
# removes, the control stream over mutual TLS (docker-compose.tls.yml,
# certificates made with openssl), and checks the controller's exit code,
# report and log.
#   usage: compose_test.sh [--from-source] SOURCE_DIR BUILD_DIR CAST CAST_WORKER CAST_REFERENCE
# By default the images are made from a .deb cpack packs here from
# BUILD_DIR's programs (PACKAGE=prebuilt: no compiler in the image, a few
# minutes cold). --from-source runs the Dockerfile's own build stage (the
# host's ccache mounted), opt-in with CAST_DEPLOY_IMAGES=1: on 2 cores a
# cold build takes most of an hour.
# Skips (77) where not root, where no container engine can run, or where
# the Debian mirror (debootstrap, apt in every stage) cannot be reached.
# The images stay, tagged :ctest (:ctest-source), so that a second run only
# rebuilds the layers holding cast; the image they replace is removed.
set -euo pipefail
ARGS=("$@")
from_source=0
[[ ${1:-} == --from-source ]] && { from_source=1; shift; }
SRC=$1 BUILD=$2
PROGRAMS=("$3" "$4" "$5")
export CONTAINERS_CONF=$SRC/deploy/container/containers.conf
SUBNET=10.214.0.0/24
PROJECT=casttest$$
NETWORK=${PROJECT}_cast
TAG=ctest
((from_source)) && TAG=ctest-source
export CAST_IMAGE=localhost/cast:$TAG CAST_STORES_IMAGE=localhost/cast-stores:$TAG
skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

if ((from_source)) && [[ ${CAST_DEPLOY_IMAGES:-0} != 1 ]]; then
  skip "the image build from source is opt-in: CAST_DEPLOY_IMAGES=1 ctest -L deploy-image (a cold build in the image can take most of an hour on 2 cores); hosts.deploy.compose builds the images from the host's .deb"
fi
[[ $(id -u) -eq 0 ]] || skip "podman runs containers here as root only (uid $(id -u))"
command -v podman >/dev/null || skip "podman is not installed (deploy/install-deps.sh installs it)"
command -v podman-compose >/dev/null || skip "podman-compose is not installed"
info=$(timeout 60 podman info 2>&1) || skip "podman cannot run here: $(tail -n 1 <<<"$info")"
for program in "${PROGRAMS[@]}"; do
  [[ -x $program ]] || fail "$program is not built (ninja -C $BUILD cast cast-worker cast-reference)"
done
mirror=$(timeout 30 "$SRC/deploy/container/base-image.sh" --check-mirror 2>&1) ||
  skip "the images are made from Debian's packages and $(tail -n 1 <<<"$mirror" | sed 's/^base-image: //')"

WORK=$(mktemp -d /tmp/cast-compose.XXXXXX)
phase=images
# The control stream over mutual TLS (docker-compose.tls.yml), with
# certificates made here by tls-certs.sh (openssl).
compose=(podman-compose -p "$PROJECT" -f "$SRC/deploy/docker-compose.yml" -f "$SRC/deploy/docker-compose.tls.yml")
cleanup() {
  local code=$?
  if ((code != 0 && code != 77)); then
    for service in controller worker backend auth postgres redis clickhouse; do
      echo "----- $service (last 20 lines)" >&2
      timeout 30 podman logs --tail 20 "${PROJECT}_${service}_1" 2>&1 >&2 || true
    done
    # Names are resolved by aardvark-dns on the run's network: does it still answer?
    timeout 30 podman exec "${PROJECT}_backend_1" getent hosts postgres >&2 ||
      echo "backend cannot resolve postgres now" >&2
  fi
  # rm -v: the stores' anonymous volumes go with their containers
  # (podman-compose 1.0.3's down -v leaves them).
  podman ps -aq --filter "label=io.podman.compose.project=$PROJECT" |
    xargs -r timeout 120 podman rm -f -v -t 5 >/dev/null 2>&1 || true
  timeout 120 "${compose[@]}" down -t 5 >/dev/null 2>&1 || true
  timeout 60 podman network rm -f "$NETWORK" >/dev/null 2>&1 || true
  # The stage holding only the .deb leaves an untagged image per build.
  timeout 60 podman image prune -f --filter label=cast.stage=package-prebuilt >/dev/null 2>&1 || true
  rm -rf "$WORK"
  # The compose run fails now and then on podman's name lookups (README,
  # "Containers"): once, it runs again from the start, its failure above.
  if ((code == 1)) && [[ $phase == run && ${CAST_COMPOSE_ATTEMPT:-1} == 1 ]]; then
    echo "RETRY: the compose run failed (above); once more, from the start" >&2
    CAST_COMPOSE_ATTEMPT=2 exec "$0" "${ARGS[@]}"
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Networks and containers of earlier runs that were killed outright (their pid is gone).
for stale in $(podman network ls --format '{{.Name}}' | grep -E '^casttest[0-9]+_cast$' || true); do
  pid=${stale#casttest}
  pid=${pid%_cast}
  kill -0 "$pid" 2>/dev/null && continue
  podman ps -aq --filter "label=io.podman.compose.project=casttest$pid" | xargs -r podman rm -f -v >/dev/null
  podman network rm -f "$stale" >/dev/null
done

# Every step has a bound, so a stuck mirror or build never hangs the suite.
total=$(now)
started=$(now)
timeout 600 "$SRC/deploy/container/base-image.sh" 2>"$WORK/base.err" ||
  skip "the Debian 12 base image cannot be built here (debootstrap from $mirror + podman import): $(tail -n 3 "$WORK/base.err" | tr '\n' ' ')"
timeout 60 podman run --rm --network none localhost/cast-debian:12 true 2>"$WORK/probe.err" ||
  skip "podman cannot start a container here: $(tail -n 1 "$WORK/probe.err")"
echo "TIME base image: $(took "$started") s" >&2

# The build's context: the checkout (from source), or a folder holding only
# the .deb packed from BUILD_DIR (.dockerignore keeps build/ out of the checkout's).
build_args=(--build-arg PACKAGE=source -v "${CCACHE_DIR:-$HOME/.cache/ccache}:/ccache")
context=$SRC
if ((from_source)); then
  mkdir -p "${CCACHE_DIR:-$HOME/.cache/ccache}"
else
  started=$(now)
  timeout 300 cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$WORK/package" >"$WORK/cpack.log" 2>&1 || {
    tail -n 20 "$WORK/cpack.log" >&2
    fail "cpack -G DEB in $BUILD"
  }
  context=$WORK/context
  mkdir -p "$context"
  cp "$WORK"/package/cast_*.deb "$context/"
  build_args=(--build-arg PACKAGE=prebuilt)
  echo "TIME package: $(took "$started") s ($(basename "$context"/cast_*.deb))" >&2
fi
for target in runtime stores; do
  image=$CAST_IMAGE
  [[ $target == stores ]] && image=$CAST_STORES_IMAGE
  started=$(now)
  replaced=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  timeout $((from_source ? 3000 : 900)) podman build --network host "${build_args[@]}" -f "$SRC/deploy/Dockerfile" \
    --target "$target" -t "$image" "$context" >"$WORK/build-$target.log" 2>&1 || {
    tail -n 40 "$WORK/build-$target.log" >&2
    grep -qE 'Temporary failure resolving|Could not resolve|Failed to fetch' "$WORK/build-$target.log" &&
      skip "apt in the image cannot reach the Debian mirror $mirror"
    fail "podman build --target $target"
  }
  built=$(podman image inspect --format '{{.Id}}' "$image")
  [[ -n $replaced && $replaced != "$built" ]] && podman rmi "$replaced" >/dev/null 2>&1 || true
  echo "TIME image $target: $(took "$started") s" >&2
done
((from_source)) && { grep -Ei 'cache (hit|miss)|hits|misses' "$WORK/build-runtime.log" | tail -n 3 >&2 || true; }
# Without a network: a container's cleanup runs after `podman run` returns
# and would make the network's DNS server reload while the compose run starts.
for program in cast cast-worker cast-reference; do
  timeout 60 podman run --rm --network none "$CAST_IMAGE" "$program" --help >/dev/null 2>"$WORK/help.err" ||
    fail "$program does not start in $CAST_IMAGE: $(tail -n 2 "$WORK/help.err")"
done

phase=run
# The run's network: internal (no route out), on the subnet named above.
timeout 60 podman network create --internal --subnet "$SUBNET" "$NETWORK" >/dev/null
mkdir -p "$WORK/reports"
export CAST_TLS_DIR=$WORK/tls
timeout 60 "$SRC/deploy/container/tls-certs.sh" "$CAST_TLS_DIR" 2>"$WORK/tls.err" ||
  fail "tls-certs.sh: $(tail -n 3 "$WORK/tls.err")"
export CAST_WORKER_TOKEN
CAST_WORKER_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CAST_WORKERS=2 CAST_USERS=40 CAST_REPORTS=$WORK/reports CAST_WORKER_CAPACITY=20
started=$(now)
timeout 300 "${compose[@]}" up -d --no-build >"$WORK/up.log" 2>&1 || {
  cat "$WORK/up.log" >&2
  fail "podman-compose up"
}
# The containers started last (controller, workers) could not resolve the
# others in some runs (exit 3: "the platform could not be reached"), as if
# the network's DNS server (aardvark-dns 1.4) had not taken in the last of
# the quick series of starts. One more start and stop on the network after
# the last container makes it read every name again: no such run since.
timeout 60 podman run --rm --network "$NETWORK" "$CAST_IMAGE" true >/dev/null 2>&1 || true
code=$(timeout 420 podman wait "${PROJECT}_controller_1") || fail "the controller did not finish in 420 s"
echo "TIME compose run: $(took "$started") s" >&2
echo "controller exited with $code; worker restarts: $(podman ps -a --filter "label=io.podman.compose.project=$PROJECT" \
  --filter "label=com.docker.compose.service=worker" --format '{{.Names}}' | xargs -r podman inspect --format '{{.RestartCount}}' | tr '\n' ' ')" >&2
/usr/bin/python3 - "$WORK/reports/report.json" <<'PY' || fail "the report of a run in containers (controller exit code $code)"
import json, sys
report = json.load(open(sys.argv[1]))
problems = []
if report["verdict"] != "passed":
    problems.append(f"verdict {report['verdict']}")
workers = [w for w in report["workers"] if not w["lost"] and w["users"] > 0]
if len(workers) != 2:
    problems.append(f"{len(workers)} workers ran users, expected 2: {report['workers']}")
if report["users"] != 40:
    problems.append(f"{report['users']} users, expected 40")
# What went wrong, beside the verdict: the users' errors per worker, the
# test cases that did not pass and their first findings.
if problems:
    problems += [f"worker {w['id']} errors: {w['errors_by_kind']}" for w in report["workers"] if w.get("errors_by_kind")]
    problems += [f"test case {c['id']} {c['verdict']}: " + "; ".join(
        f"{k['name']} {k['observed']} (threshold {k['threshold']})" for k in c["criteria"] if not k["passed"])
        for c in report.get("test_cases", []) if c["verdict"] not in ("passed", "not_evaluated")]
    problems += [f"finding {f['kind']} [{f['test_case']}] {f['where']}: {f['excerpt'][:160]}"
                 for f in report.get("findings", [])[:3]]
print("\n".join(f"FAIL: {p}" for p in problems) or "report: passed, users per worker: " +
      ", ".join(f"{w['id']}={w['users']}" for w in workers), file=sys.stderr)
sys.exit(1 if problems else 0)
PY
[[ $code -eq 0 ]] || fail "expected exit code 0 from the controller, got $code"
[[ -s $WORK/reports/report.xml ]] || fail "no JUnit report"
grep -q 'listening for workers on 0.0.0.0:7700 (mutual TLS)' "$WORK/reports/concurrent_test_run.log" ||
  fail "the controller did not listen with mutual TLS: $(grep 'listening for workers' "$WORK/reports/concurrent_test_run.log")"
# The token reached the workers through the environment only.
if grep -rqF "$CAST_WORKER_TOKEN" "$WORK/reports"; then fail "the worker token is in the reports"; fi
echo "TIME total: $(took "$total") s" >&2
echo "PASS: compose run with 2 worker containers over mutual TLS, images $CAST_IMAGE and $CAST_STORES_IMAGE" >&2
