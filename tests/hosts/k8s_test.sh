#!/usr/bin/env bash
# deploy/k8s validated offline (no cluster here): two runs rendered side
# by side must each be complete and consistent (k8s_check.py) and share no
# name; render.sh refuses a bad run name. usage: k8s_test.sh SOURCE_DIR
set -euo pipefail
SRC=$1
WORK=$(mktemp -d /tmp/cast-k8s.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
render=$SRC/deploy/k8s/render.sh
CAST_WORKERS=3 "$render" alpha >"$WORK/alpha.yaml"
CAST_WORKERS=2 "$render" beta-2 >"$WORK/beta.yaml"
/usr/bin/python3 "$SRC/tests/hosts/k8s_check.py" "$WORK/alpha.yaml" "$WORK/beta.yaml"
# A bad name or setting is refused with exit 2 and no output.
for bad in "" Alpha "a_b" "-a" "$(printf 'a%.0s' {1..31})"; do
  code=0
  out=$("$render" "$bad" 2>/dev/null) || code=$?
  [[ $code -eq 2 && -z $out ]] || { echo "FAIL: render.sh '$bad' gave $code" >&2; exit 1; }
done
code=0
CAST_WORKERS=0 "$render" alpha >/dev/null 2>&1 || code=$?
[[ $code -eq 2 ]] || { echo "FAIL: CAST_WORKERS=0 accepted" >&2; exit 1; }
# The checker itself catches a collision: the same run twice.
if /usr/bin/python3 "$SRC/tests/hosts/k8s_check.py" "$WORK/alpha.yaml" "$WORK/alpha.yaml" 2>/dev/null; then
  echo "FAIL: the checker passed two copies of one run" >&2
  exit 1
fi
# ... and a Service that selects nothing of its run, and a token on a command line.
/usr/bin/python3 - "$WORK/alpha.yaml" "$WORK/broken.yaml" <<'PY'
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
for d in docs:
    if d["kind"] == "Service":
        d["spec"]["selector"]["app.kubernetes.io/component"] = "worker"
yaml.safe_dump_all(docs, open(sys.argv[2], "w"))
PY
sed 's/--capacity$/--token/' "$WORK/alpha.yaml" >"$WORK/token.yaml"
for broken in broken token; do
  if /usr/bin/python3 "$SRC/tests/hosts/k8s_check.py" "$WORK/$broken.yaml" "$WORK/beta.yaml" 2>/dev/null; then
    echo "FAIL: the checker passed $broken.yaml" >&2
    exit 1
  fi
done
echo "PASS: k8s manifests" >&2
