#!/usr/bin/env bash
# The whole test suite: set up (idempotent), then run pytest. Needs no network once set up.
# Tests on the real public files read ../shared/data; under CI=true a missing folder fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
