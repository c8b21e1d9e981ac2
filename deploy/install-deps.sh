#!/usr/bin/env bash
# Installs every Debian package cast needs to build, test and run its
# embedded default (compilers, libraries, PostgreSQL, Redis, ClickHouse),
# the tools of its multi-host tests (iproute2 for network namespaces;
# podman, podman-compose, runc, netavark and debootstrap for containers),
# and the headless Chromium the HTML report's browser test renders it in.
# Idempotent: when everything is present it only checks and returns.
#   install-deps.sh           everything
#   install-deps.sh --build   only what compiling cast needs (deploy/Dockerfile's build stage)
set -euo pipefail

build_packages=(
  g++ cmake ninja-build ccache pkg-config git ca-certificates procps dpkg-dev
  libboost-dev libboost-system-dev libssl-dev
  libgrpc++-dev libabsl-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libpqxx-dev libhiredis-dev prometheus-cpp-dev libyaml-cpp-dev libjemalloc-dev
  doctest-dev nlohmann-json3-dev libcli11-dev libspdlog-dev
)
store_packages=(postgresql redis-server clickhouse-server)
host_test_packages=(
  iproute2 curl openssl python3 python3-yaml
  podman podman-compose runc netavark aardvark-dns debootstrap
  chromium
)
# clang-format checks the style of a change (README, Tests); clang and its
# runtimes build the libFuzzer targets (deploy/fuzz.sh); llvm-14's
# llvm-symbolizer names the frames of ThreadSanitizer's reports.
dev_packages=(clang-format clang libclang-rt-14-dev llvm-14)
if [[ "${1:-}" == "--build" ]]; then
  packages=("${build_packages[@]}")
else
  packages=("${build_packages[@]}" "${store_packages[@]}" "${host_test_packages[@]}" "${dev_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 2; }
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Debian's postinst scripts must not start system-wide services: cast runs
# its own private servers, and a system PostgreSQL or Redis would only take ports.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod +x "$policy"
  created_policy=1
fi
trap '[[ $created_policy -eq 1 ]] && "${as_root[@]}" rm -f "$policy"' EXIT
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
