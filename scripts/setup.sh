#!/usr/bin/env bash
# Set up everything the project needs, from its own files only (idempotent):
#  - .venv with the package and its test dependencies, pinned by constraints.txt;
#  - node_modules/ with the offline map assets (package.json / package-lock.json);
#  - Debian's Chromium for the browser tests of the maps (when run as root and missing).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"

if command -v npm >/dev/null 2>&1; then
  if [ ! -f node_modules/leaflet/dist/leaflet.js ] || [ ! -f node_modules/jquery/dist/jquery.min.js ] \
    || [ ! -f node_modules/leaflet.markercluster/dist/leaflet.markercluster.js ] \
    || [ ! -f node_modules/leaflet-search/dist/leaflet-search.min.js ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
else
  echo "setup: npm not found; offline maps need node_modules (or use 'minerals-graph map --cdn')" >&2
fi

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: chromium not found and cannot be installed here; browser tests will be skipped" >&2
  fi
fi
