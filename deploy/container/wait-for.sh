#!/usr/bin/env bash
# Waits until every HOST:PORT accepts TCP connections, then runs the rest
# of the command line:   wait-for.sh SECONDS HOST:PORT... -- COMMAND ARGS
# Containers of a compose file start in order but not when ready; this keeps
# a service from dialing one that is still starting. Exit 3 (unreachable)
# when the time is up.
set -euo pipefail
seconds=${1:?seconds}
shift
deadline=$((SECONDS + seconds))
while [[ $# -gt 0 && $1 != -- ]]; do
  host=${1%:*} port=${1##*:}
  until (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "wait-for: $host:$port did not accept connections in $seconds s" >&2
      exit 3
    fi
    sleep 0.5
  done
  shift
done
[[ ${1:-} == -- ]] && shift
exec "$@"
