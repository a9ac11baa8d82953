#!/usr/bin/env bash
# Starts a Docker engine in the background (as root) and waits until it answers; prints its pid. For machines
# without a service manager (CI containers, sandboxes). Where the kernel lacks what the defaults need (iptables,
# a bridge, overlayfs), it retries with host networking only and the vfs storage driver: the docker lane needs
# no more. Usage: docker/start-engine.sh [LOGFILE] (default /tmp/kakehashi-dockerd.log).
set -euo pipefail
LOG="${1:-/tmp/kakehashi-dockerd.log}"
say() { printf '[start-engine] %s\n' "$*" >&2; }

if docker info >/dev/null 2>&1; then say "an engine already answers"; exit 0; fi
[ "$(id -u)" = "0" ] || { say "must run as root"; exit 1; }
command -v dockerd >/dev/null || { say "dockerd is missing (apt-get install docker.io)"; exit 1; }
if [ -f /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  say "a dockerd (pid $(cat /var/run/docker.pid)) runs but does not answer: stop it or wait for it"
  exit 1
fi

try() {
  say "dockerd $* (log: $LOG)"
  setsid nohup dockerd "$@" >>"$LOG" 2>&1 </dev/null &
  local pid=$! i
  for i in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then echo "$pid"; return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return 1
}

try || try --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs || {
  say "no engine could start: see $LOG"
  exit 1
}
