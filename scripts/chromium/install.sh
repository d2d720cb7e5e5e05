#!/usr/bin/env bash
# Installs Debian's chromium (which ships SwiftShader, so WebGPU runs on the CPU)
# if it is not already present, then prints its version. Used by `make test`
# for the browser tests; safe to run repeatedly. Never downloads Playwright's
# own browsers: tests drive /usr/bin/chromium with playwright-core.
set -euo pipefail

find_chromium() {
  for p in /usr/bin/chromium /usr/lib/chromium/chromium; do
    if [ -x "$p" ]; then echo "$p"; return 0; fi
  done
  return 1
}

if ! bin="$(find_chromium)"; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium is missing and apt-get is not available: install Chromium so that /usr/bin/chromium exists" >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO="sudo"
    else
      echo "chromium is missing; installing it needs root (apt-get install -y chromium) and sudo is not available" >&2
      exit 1
    fi
  fi
  echo "installing chromium with apt-get" >&2
  if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; then
    $SUDO apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  fi
  bin="$(find_chromium)" || { echo "chromium was installed but /usr/bin/chromium cannot be found" >&2; exit 1; }
fi

echo "chromium: $bin ($("$bin" --version 2>/dev/null || echo 'version unknown'))"
