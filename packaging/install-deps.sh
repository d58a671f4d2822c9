#!/usr/bin/env bash
# Installs every build and test dependency of bankrec from Debian 12 packages.
# Non-interactive and idempotent: when everything is present it only checks and returns.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  clang-14 libclang-rt-14-dev
  # libraries (DESIGN.md, "Dependencies")
  libboost-json1.81-dev libboost-system1.81-dev libboost-url1.81-dev
  libfmt-dev libspdlog-dev libcli11-dev
  libxml2-dev libzip-dev
  libsqlcipher-dev libsodium-dev libssl-dev libcurl4-openssl-dev
  libyaml-cpp-dev libsystemd-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 zip unzip
  # jobs/scheduler (issue 6): IANA time zones (Howard Hinnant's date/tz on the system tzdata);
  # the Prometheus text-format parser of the official Python client checks /metrics in tests
  libhowardhinnant-date-dev tzdata python3-prometheus-client
  # console sign-in (issue 8): the TOTP enrolment QR code
  libqrencode-dev
  libfreexl-dev  # XLS statements (issue 9): the BIFF reader
  libpoppler-cpp-dev  # PDF statements (issue 9): the text layer
  libzstd-dev  # originals kept compressed in the database (issue 4)
  # console web UI (issue 8): its end-to-end tests drive Debian's Chromium (playwright-core from npm)
  chromium
)
# The web UI is built with node and npm (esbuild, tsc from the npm registry): Debian's nodejs and npm
# when there is no node at all; a node already installed (e.g. a newer one) is never replaced.
if ! command -v node >/dev/null 2>&1; then
  packages+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then
  if dpkg-query -W -f='${Version}' nodejs 2>/dev/null | grep -q dfsg; then
    packages+=(npm)  # Debian's own nodejs: its npm fits
  else
    echo "install-deps: node is installed but npm is not; install the npm that belongs to that node" >&2
    exit 1
  fi
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or with sudo) to install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
