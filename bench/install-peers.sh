#!/usr/bin/env bash
# Installs the load tools cast is compared with: Locust (+ a WebSocket
# client for it) and Tsung from Debian, Artillery from npm into
# bench/.peers/ (git-ignored). Idempotent: present tools are only checked.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

debian=(python3-locust python3-websocket tsung erlang-base)
missing=()
for p in "${debian[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  as_root=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-peers: not root and no sudo; install: ${missing[*]}" >&2; exit 2; }
    as_root=(sudo)
  fi
  echo "install-peers: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Artillery: no telemetry, and no browser download for its Playwright engine
# (this machine reaches package registries only).
export ARTILLERY_DISABLE_TELEMETRY=true PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
command -v npm >/dev/null || { echo "install-peers: npm is missing (Debian package npm or nodejs)" >&2; exit 2; }
peers=$here/.peers
if [[ ! -x $peers/node_modules/.bin/artillery ]]; then
  mkdir -p "$peers"
  echo "install-peers: npm install artillery into $peers" >&2
  npm install --prefix "$peers" --no-audit --no-fund --loglevel=error artillery@2 >&2
fi
