#!/usr/bin/env bash
# Sets up everything (packages, build) and runs cast's main job on the
# embedded default: private PostgreSQL, Redis and ClickHouse on free loopback
# ports, the reference agent platform in front of them, local workers, and
# `cast run` (100 users by default). Extra arguments go to `cast run`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/deploy/install-deps.sh"
# Only what `cast run` executes: the controller, its workers and the
# embedded reference platform; the tests build with deploy/test.sh.
dir=$("$root/deploy/build.sh" cast cast-worker cast-reference | tail -n 1)
exec "$dir/bin/cast" run "$@"
