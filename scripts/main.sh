#!/usr/bin/env bash
# The main job: set up (idempotent), build the graph from the bundled data/, validate it,
# and write the graph, exports and reports to reports/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/minerals-graph run "$@"
