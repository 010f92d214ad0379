#!/usr/bin/env bash
# Static checks, run by scripts/test.sh before the tests (and by the pre-commit hooks):
# ruff (lint and format) and mypy, configured in pyproject.toml. Needs the .venv that
# scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks
.venv/bin/mypy
