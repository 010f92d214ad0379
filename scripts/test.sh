#!/usr/bin/env bash
# The whole test suite: set up (idempotent), the static checks (scripts/check.sh: ruff,
# mypy), then run pytest. Needs no network once set up.
# Tests on the real public files read ../shared/data; under CI=true a missing folder fails.
# The suite runs in a private network namespace with only loopback up when possible
# (unshare -n): the Bolt test server (FalkorDB) listens on every interface, and nothing in
# the tests may reach a network anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/check.sh
if [ "$(id -u)" = "0" ] && command -v unshare >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
  exec unshare -n sh -c 'ip link set lo up && exec .venv/bin/python -m pytest "$@"' sh "$@"
fi
echo "test.sh: cannot create a private network namespace; Bolt tests will be skipped" >&2
exec .venv/bin/python -m pytest "$@"
