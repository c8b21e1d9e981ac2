#!/usr/bin/env bash
# Sets up everything (packages, build) and runs cast's main job on the
# embedded default: private PostgreSQL, Redis and ClickHouse on free loopback
# ports, the reference agent platform in front of them, and a concurrent
# session through it. Extra arguments are passed on.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/deploy/install-deps.sh"
dir=$("$root/deploy/build.sh" | tail -n 1)
# Until `cast run` lands, the main job is the 200-user smoke session.
exec "$dir/bin/cast-smoke" "$@"
