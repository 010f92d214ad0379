"""Shared fixtures. Tests write only to ``tmp_path``.

Tests marked ``shared`` read the real public files in ``../shared/data``. Where that folder
is missing they are skipped, unless ``MINERALS_GRAPH_REQUIRE_SHARED=1`` or ``CI=true``
(then a missing folder is a failure, so CI can never pass by skipping them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from minerals_graph import settings

SHARED = settings.SHARED_DATA_DIR


def _require_shared() -> bool:
    return os.environ.get("MINERALS_GRAPH_REQUIRE_SHARED") == "1" or os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "nga_world_port_index").is_dir():
        if _require_shared():
            pytest.fail(f"real public files required but not found at {SHARED}")
        pytest.skip(f"real public files not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def crosswalk():
    from minerals_graph.crosswalk import default_crosswalk

    return default_crosswalk()


@pytest.fixture(scope="session")
def raw_tables(shared):
    from minerals_graph.tables import load_tables

    return load_tables(shared)


@pytest.fixture(scope="session")
def raw_graph(raw_tables):
    from minerals_graph.build import graph_from_tables

    return graph_from_tables(raw_tables)


@pytest.fixture(scope="session")
def data_tables():
    from minerals_graph.tables import load_tables

    return load_tables()


@pytest.fixture(scope="session")
def data_graph(data_tables):
    from minerals_graph.build import graph_from_tables

    return graph_from_tables(data_tables)


def write(path: Path, text: str, encoding: str = "utf-8", bom: bool = False, crlf: bool = False) -> Path:
    """Write a small file in an exact published format (BOM, encoding, line endings)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if crlf:
        text = text.replace("\n", "\r\n")
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium (installed by scripts/setup.sh). Missing: skip, or fail under CI."""
    import shutil

    path = shutil.which("chromium")
    if path is None:
        if _require_shared():
            pytest.fail("chromium is required for the browser tests (scripts/setup.sh installs it)")
        pytest.skip("chromium not installed")
    return path
