#!/usr/bin/env bash
# Builds a Debian base image without any image registry: debootstrap (minbase) from the Debian mirror, then
# `docker import`. For machines where Docker Hub is unreachable (the docker test lane, air-gapped CI); elsewhere the
# Dockerfile's default base (an official Node.js image) is simpler. Needs root, debootstrap and a running engine.
# The root filesystem tarball is cached, so a rerun only imports it (or does nothing if the image exists).
# Usage: docker/debian-base.sh [IMAGE] (default kakehashi-base:bookworm); env SUITE, MIRROR, CACHE_DIR.
set -euo pipefail

IMAGE="${1:-kakehashi-base:bookworm}"
SUITE="${SUITE:-bookworm}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
CACHE_DIR="${CACHE_DIR:-/var/cache/kakehashi}"
TARBALL="$CACHE_DIR/debian-$SUITE-minbase.tar"

say() { printf '[debian-base] %s\n' "$*" >&2; }

if docker image inspect "$IMAGE" >/dev/null 2>&1; then say "$IMAGE exists"; exit 0; fi

if [ ! -s "$TARBALL" ]; then
  command -v debootstrap >/dev/null || { say "debootstrap is missing (apt-get install debootstrap)"; exit 1; }
  mkdir -p "$CACHE_DIR"
  root="$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")"
  trap 'rm -rf "$root"' EXIT
  say "debootstrap --variant=minbase $SUITE from $MIRROR (once; cached in $TARBALL)"
  debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >&2
  # Smaller and reproducible enough: no package lists or caches in the image.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
  tar --numeric-owner -C "$root" -cf "$TARBALL.partial" .
  mv "$TARBALL.partial" "$TARBALL"
fi

say "importing $TARBALL as $IMAGE"
docker import --change 'CMD ["/bin/bash"]' "$TARBALL" "$IMAGE" >/dev/null
