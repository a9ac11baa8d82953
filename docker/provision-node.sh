#!/bin/sh
# Puts Node.js $NODE_VERSION into PREFIX/bin when the image has no Node.js >= 24 (else leaves PREFIX empty): the
# official build as the npm registry publishes it (package node-linux-<arch>, what the repository's ./kakehashi
# wrapper provisions), checked against the registry's sha512 integrity. A base without curl or wget (a bare Debian)
# gets curl and ca-certificates from its package manager: run this in a throwaway build stage.
# Usage: provision-node.sh PREFIX. Env: NODE_VERSION (required), NPM_REGISTRY (default https://registry.npmjs.org),
# EXTRA_CA_CERTS (PEM of further certificate authorities to trust: a TLS-intercepting proxy).
set -eu
: "${NODE_VERSION:?}"
PREFIX="${1:?usage: provision-node.sh PREFIX}"
mkdir -p "$PREFIX"
REGISTRY="${NPM_REGISTRY:-https://registry.npmjs.org}"
REGISTRY="${REGISTRY%/}"
say() { printf '[provision-node] %s\n' "$*" >&2; }

if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 24 ]; then
  say "the base has Node.js $(node --version): nothing to do"
  exit 0
fi

case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) say "unsupported CPU $(uname -m)"; exit 1 ;;
esac
pkg="node-linux-$arch"

added=""
if ! command -v curl >/dev/null 2>&1 && ! command -v wget >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || { say "need curl, wget or apt-get to download Node.js"; exit 1; }
  say "installing curl and ca-certificates for the download"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl ca-certificates >/dev/null
  added="curl ca-certificates"
fi
if [ -n "${EXTRA_CA_CERTS:-}" ]; then
  bundle=/etc/ssl/certs/ca-certificates.crt
  [ -f "$bundle" ] || { mkdir -p /etc/ssl/certs; : >"$bundle"; }
  printf '%s\n' "$EXTRA_CA_CERTS" >>"$bundle"
fi
get() { if command -v curl >/dev/null 2>&1; then curl -fsSL "$1"; else wget -qO- "$1"; fi; }

tmp="$(mktemp -d)"
say "downloading $pkg@$NODE_VERSION from $REGISTRY"
meta="$(get "$REGISTRY/$pkg/$NODE_VERSION")"
integrity="$(printf '%s' "$meta" | sed -n 's/.*"integrity" *: *"\(sha512-[A-Za-z0-9+/=]*\)".*/\1/p')"
tarball="$(printf '%s' "$meta" | sed -n 's/.*"tarball" *: *"\([^"]*\)".*/\1/p')"
[ -n "$integrity" ] && [ -n "$tarball" ] || { say "no tarball or integrity in the registry's answer"; exit 1; }
get "$tarball" >"$tmp/node.tgz"
actual="sha512-$(sha512sum "$tmp/node.tgz" | cut -d' ' -f1 | tr 'a-f' 'A-F' | basenc --base16 -d | base64 -w0)"
[ "$actual" = "$integrity" ] || { say "integrity mismatch: registry $integrity, download $actual"; exit 1; }
tar -xzf "$tmp/node.tgz" -C "$tmp"
install -D -m 0755 "$tmp/package/bin/node" "$PREFIX/bin/node"
rm -rf "$tmp"
say "Node.js $("$PREFIX/bin/node" --version) in $PREFIX/bin${added:+ (downloaded with $added from the base's packages)}"
