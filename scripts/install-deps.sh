#!/usr/bin/env bash
# Installs the Debian 12 packages Paydesk needs to build, run and test.
# Only what is missing is installed; a second run is a quick no-op.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache git
  # Qt 6
  qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-websockets-dev
  qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libxkbcommon-dev
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  libqt6sql6-sqlite libqt6sql6-psql
  # crypto, QR codes, HTTP parsing
  libssl-dev openssl libqrcodegencpp-dev libhttp-parser-dev
  # reconciliation: Alipay bills are zip archives, WeChat bills may be gzip
  libzip-dev zlib1g-dev
  # SQLite itself (Qt's driver loads it): the server sets process-wide options before first use
  libsqlite3-dev
  # tcmalloc for the server, sandbox and benchmark (faster than glibc malloc under threads)
  libgoogle-perftools-dev
  # tests: throwaway PostgreSQL clusters, console screenshots, curl for smoke checks
  postgresql xvfb xauth curl fonts-wqy-microhei
  # run.sh reads the sandbox manifest (JSON)
  jq
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists once if they are missing or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' -mmin -1440 2>/dev/null | head -1)" ]; then
  $SUDO apt-get update -qq
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
