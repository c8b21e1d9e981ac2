#!/usr/bin/env bash
# Makes the Debian 12 base image `cast-debian:12` for deploy/Dockerfile
# from Debian's own packages (no container registry needed): debootstrap
# into a temporary folder, then `podman import`. Idempotent: does nothing
# when the image exists. Uses the Debian mirror apt is configured with.
#   base-image.sh                 makes the image unless it exists
#   base-image.sh --check-mirror  prints the mirror; exit 3 when it cannot be reached
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}
image=${CAST_BASE_IMAGE:-cast-debian:12}

# CAST_DEBIAN_MIRROR, else the mirror apt uses (deb822 or one-line
# sources), else Debian's default.
mirror=${CAST_DEBIAN_MIRROR:-}
[[ -n "$mirror" ]] || mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [[ -z "$mirror" ]]; then
  mirror=$(awk '$1 == "deb" && $3 ~ /^bookworm/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}
security=${mirror%/debian}/debian-security

# The images' builds fetch from the same mirror (apt-get in every stage).
if [[ ${1:-} == --check-mirror ]]; then
  curl -fsS --max-time 20 -o /dev/null "$mirror/dists/bookworm/Release" || {
    echo "base-image: the Debian mirror $mirror cannot be reached" >&2
    exit 3
  }
  echo "$mirror"
  exit 0
fi
if podman image exists "$image"; then
  echo "base-image: $image exists" >&2
  exit 0
fi

root=$(mktemp -d /var/tmp/cast-debootstrap.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "base-image: debootstrap bookworm from $mirror into $root" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
  tail -n 30 "$root.log" >&2
  rm -f "$root.log"
  exit 1
}
rm -f "$root.log"
# Same suites as the host, so the build stage compiles against the same
# headers as a build on this machine and the shared ccache hits.
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
SOURCES
# Keep images small: no apt caches, docs or manual pages.
cat >"$root/etc/dpkg/dpkg.cfg.d/01-cast-slim" <<'SLIM'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/locale/*
SLIM
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | podman import - "$image" >/dev/null
echo "base-image: imported $image" >&2
