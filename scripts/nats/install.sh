#!/usr/bin/env bash
# Installs nats-server (Debian/Ubuntu package) if it is not already present,
# then prints its version. Used by `make setup`; safe to run repeatedly.
set -euo pipefail

find_nats() {
  if command -v nats-server >/dev/null 2>&1; then command -v nats-server; return 0; fi
  for p in /usr/sbin/nats-server /usr/local/bin/nats-server /usr/bin/nats-server; do
    if [ -x "$p" ]; then echo "$p"; return 0; fi
  done
  return 1
}

if ! bin="$(find_nats)"; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "nats-server is missing and apt-get is not available: install nats-server (https://github.com/nats-io/nats-server/releases) and put it on PATH" >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO="sudo"
    else
      echo "nats-server is missing; installing it needs root (apt-get install -y nats-server) and sudo is not available" >&2
      exit 1
    fi
  fi
  echo "installing nats-server with apt-get" >&2
  if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y nats-server; then
    $SUDO apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y nats-server
  fi
  bin="$(find_nats)" || { echo "nats-server was installed but cannot be found" >&2; exit 1; }
  # The Debian package enables a system-wide nats-server service on port 4222;
  # Hydrogen starts its own servers on free loopback ports, so turn that off.
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now nats-server >/dev/null 2>&1 || true
  fi
fi

# src/Net/Auth.ts makes the certificates of the authenticated bus (tree --secure) with openssl.
if ! command -v openssl >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  echo "installing openssl with apt-get" >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y openssl || echo "openssl is missing: the authenticated-bus tests (test/Net/Auth.test.ts) need it" >&2
fi

echo "nats-server: $bin ($("$bin" --version))"
