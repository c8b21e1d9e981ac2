#!/usr/bin/env bash
# Prints the manifests of one cast run on Kubernetes, every name carrying
# the run, so that runs side by side in one namespace never collide:
#   deploy/k8s/render.sh RUN | kubectl apply -f -
# RUN: lowercase letters, digits and '-', at most 30, starting with a letter.
# Settings (environment, defaults in brackets): CAST_WORKERS [2],
# CAST_WORKER_CAPACITY [5000], CAST_USERS [100], CAST_IMAGE [localhost/cast:latest],
# CAST_AUTH_URL, CAST_BACKEND_URL, CAST_WS_URL [the reference platform's
# Services auth:8001 and backend:8000], CAST_DEADLINE_S [3600],
# CAST_WORKER_TOKEN [random; it goes into the run's Secret only].
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "render.sh: $*" >&2; exit 2; }

run=${1:-}
[[ $run =~ ^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$ ]] ||
  die "RUN '$run' must be 1-30 lowercase letters, digits or '-', starting with a letter and not ending in '-'"

declare -A value=(
  [RUN]=$run
  [WORKERS]=${CAST_WORKERS:-2}
  [CAPACITY]=${CAST_WORKER_CAPACITY:-5000}
  [USERS]=${CAST_USERS:-100}
  [DEADLINE_S]=${CAST_DEADLINE_S:-3600}
  [IMAGE]=${CAST_IMAGE:-localhost/cast:latest}
  [AUTH_URL]=${CAST_AUTH_URL:-http://auth:8001}
  [BACKEND_URL]=${CAST_BACKEND_URL:-http://backend:8000}
  [WS_URL]=${CAST_WS_URL:-ws://backend:8000/ws}
  [TOKEN]=${CAST_WORKER_TOKEN:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}
)
for name in WORKERS CAPACITY USERS DEADLINE_S; do
  [[ ${value[$name]} =~ ^[1-9][0-9]{0,6}$ ]] || die "CAST_$name='${value[$name]}' is not a positive integer"
done
value[WORKER_RETRIES]=$((value[WORKERS] * 3))
for name in AUTH_URL BACKEND_URL WS_URL; do
  [[ ${value[$name]} =~ ^[a-z]+://[^[:space:]\"\'\\]+$ ]] || die "CAST_$name='${value[$name]}' is not a URL"
done
[[ ${value[IMAGE]} =~ ^[a-zA-Z0-9./:@_-]+$ ]] || die "CAST_IMAGE='${value[IMAGE]}' is not an image reference"
[[ ${value[TOKEN]} =~ ^[A-Za-z0-9._~+/=-]{16,}$ ]] ||
  die "CAST_WORKER_TOKEN must be at least 16 characters of [A-Za-z0-9._~+/=-]"

shopt -u patsub_replacement 2>/dev/null || true  # '&' in a value stays '&'
first=1
for file in config.yaml controller.yaml workers.yaml; do
  text=$(<"$here/$file")
  for name in "${!value[@]}"; do text=${text//@$name@/${value[$name]}}; done
  [[ $text == *@[A-Z_]*@* ]] && die "$file: a placeholder was left: $(grep -o '@[A-Z_]*@' <<<"$text" | head -n 1)"
  ((first)) || echo "---"
  first=0
  echo "$text"
done
