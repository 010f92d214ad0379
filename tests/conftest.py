"""Shared fixtures and tiny hand-computed inputs. Tests write only to ``tmp_path``.

Tiny inputs (every number in the tests is computed by hand from them):

* :func:`tiny_tables` -> ``tiny_graph``/``tiny_model``: canonical tables of three countries,
  lithium, a mine in AUS, a PRC refinery shipping via a port, U.S. demand 3,000 t;
* :func:`tiny_property_graph`: a lithium flow model with processing shares, a registered
  refinery and a port;
* :func:`tiny_nir_graph`: U.S. salient statistics for the NIR recomputation;
* :func:`prc_graph`: germanium, tungsten and indium as USGS publishes them.

Tests marked ``shared`` read the real public files in ``../shared/data``. Where that folder
is missing they are skipped, unless ``MINERALS_GRAPH_REQUIRE_SHARED=1`` or ``CI=true``
(then a missing folder is a failure, so CI can never pass by skipping them).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from minerals_graph import settings

SHARED = settings.SHARED_DATA_DIR


def _require_shared() -> bool:
    return os.environ.get("MINERALS_GRAPH_REQUIRE_SHARED") == "1" or os.environ.get("CI") == "true"


@pytest.fixture(scope="session", autouse=True)
def _model_cache_in_tmp(tmp_path_factory) -> Iterator[None]:
    """The model cache of ``serve`` and ``run`` (minerals_graph.cache) in a new temporary
    folder for the session: never the user's, never stale from an earlier run."""
    mp = pytest.MonkeyPatch()
    mp.setenv("MINERALS_GRAPH_CACHE_DIR", str(tmp_path_factory.mktemp("model-cache")))
    yield
    mp.undo()


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


# ---------------------------------------------------------------------------------------
# Tiny inputs

#: Source columns of every tiny row.
SRC = {"source": "t", "source_publisher": "P", "source_dataset": "D", "source_year": 2024, "source_url": "http://x"}


def df_of(name: str, rows: list[dict]) -> pd.DataFrame:
    """A canonical table ``name`` (columns in order, source columns filled) from ``rows``."""
    from minerals_graph.tables import COLUMNS, SOURCE_COLUMNS

    df = pd.DataFrame([{**SRC, **r} for r in rows])
    for c in COLUMNS[name] + SOURCE_COLUMNS:
        if c not in df.columns:
            df[c] = None
    return df[COLUMNS[name] + SOURCE_COLUMNS]


def tiny_tables():
    """Three countries, lithium, a mine in AUS (86,000 t mined) feeding a refinery in CHN that
    ships via a port; U.S. consumption 3,000 t (2023); import sources CHN (rank 1), AUS (2)."""
    from minerals_graph.tables import Tables

    return Tables(
        countries=df_of(
            "countries",
            [
                {"iso3": "AUS", "name": "Australia", "lon": 134.0, "lat": -25.0},
                {"iso3": "CHN", "name": "China", "lon": 104.0, "lat": 35.0},
                {"iso3": "USA", "name": "United States", "lon": -98.0, "lat": 39.0},
            ],
        ),
        commodities=df_of("commodities", [{"id": "lithium", "name": "Lithium", "critical_2022": True}]),
        ports=df_of(
            "ports",
            [
                {
                    "wpi_number": 1,
                    "name": "Port A",
                    "iso3": "CHN",
                    "harbor_size": "Large",
                    "solid_bulk": "Yes",
                    "lon": 121.0,
                    "lat": 31.0,
                }
            ],
        ),
        places=df_of(
            "places",
            [
                {
                    "id": "site:m1",
                    "node_kind": "Site",
                    "kind": "mine",
                    "name": "Mine 1",
                    "iso3": "AUS",
                    "lon": 116.0,
                    "lat": -33.9,
                    "commodities": "lithium",
                    "stages": "mining",
                    "status": "operating",
                },
                {
                    "id": "facility:r1",
                    "node_kind": "Facility",
                    "kind": "refinery",
                    "name": "Refinery 1",
                    "iso3": "CHN",
                    "lon": 120.5,
                    "lat": 31.3,
                    "commodities": "lithium",
                    "stages": "refining",
                    "capacity": 40000.0,
                    "capacity_unit": "t/yr",
                    "status_year": 2024.0,
                },
            ],
        ),
        ownership=df_of(
            "ownership",
            [
                {
                    "place_id": "facility:r1",
                    "company": "Tianqi Lithium Co., Ltd.",
                    "control_iso3": "CHN",
                    "share_pct": 100.0,
                    "role": "owner",
                },
                {
                    "place_id": "site:m1",
                    "company": "Tianqi Lithium Corp",
                    "control_iso3": "CHN",
                    "share_pct": 51.0,
                    "role": "owner",
                },
            ],
        ),
        production=df_of(
            "production",
            [
                {
                    "producer_id": "country:AUS",
                    "commodity": "lithium",
                    "stage": "mining",
                    "measure": "production",
                    "quantity": 86000.0,
                    "unit": "t",
                    "year": 2023,
                },
                {
                    "producer_id": "country:AUS",
                    "commodity": "lithium",
                    "stage": "mining",
                    "measure": "reserves",
                    "quantity": 6200000.0,
                    "unit": "t",
                    "year": 2023,
                },
                {
                    "producer_id": "country:CHN",
                    "commodity": "lithium",
                    "stage": "mining",
                    "measure": "production",
                    "quantity": None,
                    "qualifier": "W",
                    "unit": "t",
                    "year": 2023,
                },
            ],
        ),
        trades=df_of(
            "trades",
            [
                {"exporter": "CHN", "importer": "USA", "commodity": "lithium", "rank": 1},
                {"exporter": "AUS", "importer": "USA", "commodity": "lithium", "rank": 2},
            ],
        ),
        import_reliance=df_of(
            "import_reliance", [{"iso3": "USA", "commodity": "lithium", "year": 2023, "pct": 25.0, "qualifier": ">"}]
        ),
        statistics=df_of(
            "statistics",
            [
                {
                    "iso3": "USA",
                    "commodity": "lithium",
                    "year": 2023,
                    "measure": "consumption",
                    "unit": "t",
                    "value": 3000.0,
                    "column": "Consump_t",
                }
            ],
        ),
        supplies=df_of("supplies", [{"from_id": "site:m1", "to_id": "facility:r1", "commodity": "lithium"}]),
        ships_via=df_of(
            "ships_via", [{"place_id": "facility:r1", "wpi_number": 1, "inferred": True, "distance_km": 55.2}]
        ),
        companies=df_of(
            "companies", [{"id": "company:tianqi-lithium", "name": "Tianqi Lithium Corp", "control_iso3": "CHN"}]
        ),
    )


@pytest.fixture
def tiny_graph():
    from minerals_graph.build import graph_from_tables

    return graph_from_tables(tiny_tables())


@pytest.fixture
def tiny_model():
    """A :class:`SupplyModel` over :func:`tiny_tables` (no maps)."""
    from minerals_graph.build import graph_from_tables
    from minerals_graph.model import ModelConfig, SupplyModel

    t = tiny_tables()
    return SupplyModel.from_graph(graph_from_tables(t), t, ModelConfig(with_maps=False))


def tiny_property_graph() -> nx.MultiDiGraph:
    """Lithium: mines in AUS (80 t) and CHL (20 t); processing shares CHN 60%, CHL 30% (10% unnamed);
    a registered CHN refinery of 200 t LCE (= 37.57 t Li) ships via a port; U.S. demand 30 t;
    U.S. import sources CHL (rank 1) and CHN (rank 2)."""
    G = nx.MultiDiGraph()
    for iso in ("AUS", "CHL", "CHN", "USA", "WLD"):
        G.add_node(f"country:{iso}", kind="Country", iso3=iso, name=iso, **SRC)
    G.add_node("commodity:lithium", kind="Commodity", name="Lithium", critical_2022=True, **SRC)
    c = "commodity:lithium"

    def prod(iso, q, stage="mining", measure="production", unit="t", year=2023, qualifier=""):
        G.add_edge(
            f"country:{iso}",
            c,
            kind="PRODUCES",
            stage=stage,
            measure=measure,
            quantity=q,
            unit=unit,
            year=year,
            qualifier=qualifier,
            **SRC,
        )

    prod("AUS", 80)
    prod("CHL", 20)
    prod("WLD", 100)
    prod("USA", None, qualifier="W")
    prod("CHN", 60, stage="refining", measure="world_share_pct", unit="%", year=2019)
    prod("CHL", 30, stage="refining", measure="world_share_pct", unit="%", year=2019)
    G.add_edge(
        "country:USA",
        c,
        kind="STATISTIC",
        measure="consumption",
        detail="",
        unit="t",
        year=2023,
        value=30.0,
        column="Consump_t",
        **SRC,
    )
    for iso, rank in (("CHL", 1), ("CHN", 2)):
        G.add_edge(
            f"country:{iso}", "country:USA", kind="TRADES", commodity="lithium", rank=rank, period="2019-2022", **SRC
        )
    G.add_node(
        "facility:r1",
        kind="Facility",
        place_kind="refinery",
        name="Refinery 1",
        iso3="CHN",
        stages="refining",
        commodities="lithium",
        status="operating",
        capacity=200.0,
        capacity_unit="t/yr",
        capacity_basis="lithium carbonate",
        capacity_commodity="lithium",
        **SRC,
    )
    G.add_node("port:wpi-1", kind="Port", name="Port A", iso3="CHN", wpi_number=1, **SRC)
    G.add_edge("facility:r1", "port:wpi-1", kind="SHIPS_VIA", inferred=True, **SRC)
    G.add_node("company:x", kind="Company", name="X", control_iso3="CHN", **SRC)
    G.add_edge("facility:r1", "company:x", kind="OWNED_BY", share_pct=100.0, **SRC)
    return G


#: Source columns of the tiny salient statistics (the MCS 2024 salient source key).
SALIENT_SRC = {**SRC, "source": "usgs-mcs2024-salient"}


def add_statistic(G, com, year, column, measure, value, qualifier="", detail="", unit="t"):
    """A U.S. salient statistic edge, as the MCS 2024 salient files give it."""
    G.add_edge(
        "country:USA",
        f"commodity:{com}",
        kind="STATISTIC",
        measure=measure,
        detail=detail,
        unit=unit,
        year=year,
        value=value,
        qualifier=qualifier,
        column=column,
        **SALIENT_SRC,
    )


def tiny_nir_graph() -> nx.MultiDiGraph:
    """Lithium 2022: (3270-2440)/3000 = 27.7 %, published >25; cobalt 2023: (9000-3000)/8000 =
    75.0 %, published 76; gallium 2023: consumption withheld (not recomputable)."""
    G = nx.MultiDiGraph()
    G.add_node("country:USA", kind="Country")
    for c in ("lithium", "cobalt", "gallium"):
        G.add_node(f"commodity:{c}", kind="Commodity", critical_2022=True)
    for col, m, v in (
        ("Imports_t", "imports", 3270),
        ("Exports_t", "exports", 2440),
        ("Consump_t", "consumption", 3000),
    ):
        add_statistic(G, "lithium", 2022, col, m, v)
    add_statistic(G, "lithium", 2022, "NIR_pct", "net_import_reliance", 25, ">")
    for col, m, v in (
        ("Imports_t", "imports", 9000),
        ("Exports_t", "exports", 3000),
        ("Consump_t", "consumption", 8000),
    ):
        add_statistic(G, "cobalt", 2023, col, m, v)
    add_statistic(G, "cobalt", 2023, "NIR_pct", "net_import_reliance", 76)
    for col, m, v in (("Imports_t", "imports", 20), ("Exports_t", "exports", 0)):
        add_statistic(G, "gallium", 2023, col, m, v)
    add_statistic(G, "gallium", 2023, "Consump_t", "consumption", None, "W")
    add_statistic(G, "gallium", 2023, "NIR_pct", "net_import_reliance", 100)
    return G


def prc_graph() -> nx.MultiDiGraph:
    """Three commodities the PRC exposure and the cut-off what-if must show:
    germanium (USGS refinery table all NA: not modelled), tungsten (mine production only:
    processing assumed where mined; CHN 80 of 100 t) and indium (no USGS quantities, cited
    refining shares CHN 70, KOR 20)."""
    G = nx.MultiDiGraph()
    for iso in ("CHN", "VNM", "KOR", "USA", "WLD"):
        G.add_node(f"country:{iso}", kind="Country", iso3=iso, **SALIENT_SRC)
    for c in ("germanium", "tungsten", "indium"):
        G.add_node(f"commodity:{c}", kind="Commodity", critical_2022=True, **SALIENT_SRC)

    def prod(iso, com, q, stage, measure="production", qualifier="", year=2023):
        G.add_edge(
            f"country:{iso}",
            f"commodity:{com}",
            kind="PRODUCES",
            stage=stage,
            measure=measure,
            quantity=q,
            unit="t" if measure == "production" else "%",
            year=year,
            qualifier=qualifier,
            **SALIENT_SRC,
        )

    prod("CHN", "germanium", None, "refining", qualifier="NA")
    prod("WLD", "germanium", None, "refining", qualifier="NA")
    prod("CHN", "tungsten", 80.0, "mining")
    prod("VNM", "tungsten", 20.0, "mining")
    prod("WLD", "tungsten", 100.0, "mining")
    prod("CHN", "indium", 70.0, "refining", measure="world_share_pct", year=2024)
    prod("KOR", "indium", 20.0, "refining", measure="world_share_pct", year=2024)
    add_statistic(G, "tungsten", 2023, "Consump_t", "consumption", 10.0)
    for iso, rank in (("CHN", 1), ("VNM", 2)):
        G.add_edge(
            f"country:{iso}",
            "country:USA",
            kind="TRADES",
            commodity="tungsten",
            rank=rank,
            period="2020-2023",
            **SALIENT_SRC,
        )
    return G


@contextmanager
def counting_network_builds() -> Iterator[Counter]:
    """Count :func:`minerals_graph.analysis.flow.build_supply_network` calls per commodity
    (every build goes through that module attribute)."""
    from minerals_graph.analysis import flow

    counts: Counter = Counter()
    original = flow.build_supply_network

    def counted(G, commodity, params=None):
        counts[commodity] += 1
        return original(G, commodity, params)

    flow.build_supply_network = counted
    try:
        yield counts
    finally:
        flow.build_supply_network = original
