"""Fuzzed loaders (issue 16, item 4): damaged small files in the exact published formats.

Every loader is given a small file written here as published (BOM, cp1252, CRLF, all fields
quoted … as its own test file does), then damaged by hypothesis: truncated at any byte, a
column renamed or removed, a number garbled in a numeric cell, a byte of the wrong encoding,
an empty file, the header only, a duplicated row, a row with an extra value. Each damaged
file must end in either

* one clear :class:`~minerals_graph.errors.MineralsGraphError` (never a KeyError, IndexError,
  UnicodeDecodeError, pyogrio/openpyxl/json/pandas traceback, nor the ledger's
  :class:`~minerals_graph.errors.RowAccountingError`) whose message names the file, or
* a result in which nothing is silently different: every loaded record equals a record of the
  undamaged file's result (a value may only go missing, never change), a garbled cell is a
  rejected row or a cell reject naming its column, and a duplicated row is rejected.

Also here: the ledger's arithmetic on real counts (every file of ``../shared/data`` read).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests import (
    test_baci,
    test_icmm,
    test_iea,
    test_mcs,
    test_mcs2026,
    test_minmod,
    test_nmic,
    test_nrcan,
    test_wpi,
)
from tests.conftest import write

from minerals_graph import settings as mg_settings
from minerals_graph.crosswalk import default_crosswalk
from minerals_graph.errors import MineralsGraphError, RowAccountingError
from minerals_graph.sources import (
    baci,
    icmm,
    iea,
    mcs,
    mcs2026,
    mineplant,
    minmod,
    natural_earth,
    nmic,
    nrcan,
    register,
    wpi,
)
from minerals_graph.sources import usmin_lithium as li
from minerals_graph.sources._common import LoadResult, RowLedger, SourceInfo

#: Modest example counts (the whole file runs in well under a minute); ``FUZZ_EXAMPLES=200``
#: explores more, with a fresh random seed.
_EXAMPLES = os.environ.get("FUZZ_EXAMPLES")
FUZZ = settings(
    max_examples=int(_EXAMPLES or 12),
    deadline=None,
    derandomize=_EXAMPLES is None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CW = default_crosswalk()

#: Garbled numbers: text that is not the number, and text ``float()`` would silently accept.
GARBLES = ("six hundred thousand", "1O0", "12,3x", "?1", "1,2", "1_000", "inf", "nan", "0x1A", "1.2.3", "--7", "3 4")

Outputs = tuple[list[LoadResult], list[pd.DataFrame]]


# ---------------------------------------------------------------------------------------
# The property


def _null(v: object) -> bool:
    if isinstance(v, (list, tuple, dict, set)):
        return len(v) == 0
    if v is None or (isinstance(v, str) and v == ""):
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _same(a: object, b: object) -> bool:
    if _null(a) and _null(b):
        return True
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _records(tables: list[pd.DataFrame]) -> list[tuple[int, dict]]:
    """(table index, record) of every table that has a ``row`` column."""
    out = []
    for k, t in enumerate(tables):
        if "row" in t.columns:
            out += [(k, r) for r in t.to_dict("records")]
    return out


def _run(load: Callable[[Path], Outputs], base: Path, names: tuple[str, ...]) -> Outputs | None:
    """The damaged load: its outputs, or None after checking that the error is a clear one."""
    try:
        return load(base)
    except RowAccountingError as exc:  # a bug of the loader, not a clear error about the file
        raise AssertionError(f"row accounting broke on a damaged file: {exc}") from exc
    except MineralsGraphError as exc:
        msg = str(exc)
        assert any(n in msg for n in names), f"error does not name the file {names}: {msg}"
        assert "\n" not in msg.strip() or msg.startswith(tuple(names)), msg
        return None


ANY_ROW = -1  # rowmap result: the record may match a record of any row (renumbered entries)


def check_nothing_silently_different(
    damaged: Outputs, baseline: Outputs, rowmap: Callable[[int], int | None] = lambda r: r, free: tuple[str, ...] = ()
) -> None:
    """Every damaged record equals a record of the same source row of the undamaged load,
    except for values that went missing (``rowmap``: damaged row -> undamaged row; ``free``:
    text fields that echo a renamed column's name, such as ``column``)."""
    base: dict[tuple[int, int], list[dict]] = {}
    for k, r in _records(baseline[1]):
        base.setdefault((k, int(r["row"])), []).append(r)
    for k, r in _records(damaged[1]):
        orig = rowmap(int(r["row"]))
        assert orig is not None, f"an inserted (duplicated) row was loaded: {r}"
        candidates = (
            base.get((k, orig), []) if orig != ANY_ROW else [b for (kk, _), bs in base.items() if kk == k for b in bs]
        )
        ok = any(
            all(key == "row" or key in free or _null(v) or _same(v, b.get(key)) for key, v in r.items())
            for b in candidates
        )
        assert ok, f"table {k}, row {r['row']}: {r} differs from the undamaged {candidates}"
    for res in damaged[0]:
        assert res.rows_loaded + res.rows_excluded + res.rows_rejected == res.rows_read


def _fates(out: Outputs, row: int) -> tuple[set[str], set[str], bool]:
    """(fields of row rejects, fields of cell rejects, excluded) of one data row."""
    rej, cells, excl = set(), set(), False
    for res in out[0]:
        rej |= set(res.rejects.loc[res.rejects["row"] == row, "field"].astype(str))
        cells |= set(res.cell_rejects.loc[res.cell_rejects["row"] == row, "field"].astype(str))
        excl |= bool((res.excluded["row"] == row).any())
    return rej, cells, excl


def check_garbled(out: Outputs, row: int, column: str) -> None:
    """A garbled cell: its row rejected or excluded, or a cell reject naming the column."""
    rej, cells, excl = _fates(out, row)
    loaded = any(int(r["row"]) == row for _, r in _records(out[1]))
    if not loaded and any(res.bulk_excluded for res in out[0]):
        return  # excluded in bulk (e.g. an HS code not modelled): the value is not read
    assert rej or excl or any(column in f for f in cells), (
        f"garbled {column!r} of row {row}: no reject, cell reject or exclusion names it "
        f"(row rejects {rej}, cell rejects {cells})"
    )
    if rej or excl:
        assert all(int(r["row"]) != row for _, r in _records(out[1])), "a rejected row was loaded"


# ---------------------------------------------------------------------------------------
# CSV loaders: one case per loader and file, in the published format


@dataclass
class CsvCase:
    id: str
    rel: str
    text: str
    load: Callable[[Path], Outputs]
    numeric: tuple[str, ...] = ()
    encoding: str = "utf-8"
    bom: bool = False
    crlf: bool = False
    quote_all: bool = False
    final_newline: bool = True
    setup: Callable[[Path], None] | None = None

    def write_text(self, base: Path, text: str) -> None:
        if self.setup:
            self.setup(base)
        write(base / self.rel, text, encoding=self.encoding, bom=self.bom, crlf=self.crlf)

    def write_bytes(self, base: Path, data: bytes) -> None:
        if self.setup:
            self.setup(base)
        (base / self.rel).parent.mkdir(parents=True, exist_ok=True)
        (base / self.rel).write_bytes(data)

    def records(self) -> list[list[str]]:
        return [r for r in csv.reader(io.StringIO(self.text)) if r]

    def serialize(self, records: list[list[str]]) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL if self.quote_all else csv.QUOTE_MINIMAL).writerows(
            records
        )
        text = buf.getvalue()
        return text if self.final_newline else text.rstrip("\n")

    def encoded(self, text: str) -> bytes:
        data = (text.replace("\n", "\r\n") if self.crlf else text).encode(self.encoding)
        return (b"\xef\xbb\xbf" if self.bom else b"") + data


def _one(r: LoadResult) -> Outputs:
    return [r], [r.table]


def _many(rs: list[LoadResult]) -> Outputs:
    return rs, [r.table for r in rs]


def _pair(rt: tuple[LoadResult, pd.DataFrame]) -> Outputs:
    return [rt[0]], [rt[0].table, rt[1]]


def _commodities(d: mcs2026.CommoditiesData) -> Outputs:
    return [d.result], [d.result.table, d.world, d.salient, d.import_sources]


KNOWN = {"USA", "CHN", "MYS", "AUS", "HKG", "CAN", "MEX", "DEU", "FRA", "TWN"}
HS_MAP = baci.read_hs_map(mg_settings.DATA_DIR)
_CODES = test_baci.CODES_NEW
_T = "usgs_mcs2026/"

WPI_ROWS = (
    "1,7950.0,US East,Maurer, ,US BAL,United States,Small,Coastal,Yes,No,Unknown,11.0,0.0,0.0,"
    "40.533333,-74.25\n"
    "4,123.0,Asia,Victoria, ,HK HKG,Hong Kong,Large, ,Yes,Yes,Yes,14,12,12,22.28,114.16\n"
    "7,600.0,Asia,Shanghai, ,CN SHA,China,Large, ,Yes,Yes,Yes,12.5,10,9.5,31.23,121.49\n"
)
REG_GOOD = (
    "fac_usa_a,A,mine,lithium,mining,USA,NV,-117,40,site,USGS record 1,https://example.org/c,"
    'operating,2024,10,kt/yr,LCE,lithium,2024,Op,"X Corp|USA|100",T,P,https://example.org,2025,'
    "2026-11-23,,\n"
)
FACILITIES = (
    ",".join(register.FACILITY_COLUMNS)
    + "\n"
    + REG_GOOD
    + REG_GOOD.replace("fac_usa_a,A", "fac_usa_b,B")
    .replace("-117,40", "-116.5,39.25")
    .replace(",10,kt/yr", ",25.5,kt/yr")
)
LINKS = (
    ",".join(register.LINK_COLUMNS) + "\n"
    "fac_usa_a,fac_usa_b,SUPPLIES,lithium,T,P,https://example.org/l,2026-11-23,\n"
    "fac_usa_b,wpi:1090,SHIPS_VIA,,T,P,https://example.org/p,2026-11-23,\n"
)
GATEWAY = (
    ",".join(register.GATEWAY_COLUMNS) + "\n"
    "1090,Churchill,CAN,Arctic,Arctic gateway,t,p,https://example.org/a,,2026-11-30,\n"
    "2235,Montreal,CAN,St. Lawrence,x,t,p,https://example.org/b,,2026-11-30,\n"
)
SHARES = (
    ",".join(register.SHARE_COLUMNS) + "\n"
    "cobalt,refining,CHN,76.7,2023,IEA,T,IEA,https://iea.org/a,2026-11-23,\n"
    "cobalt,refining,FIN,8.4,2023,IEA,T,IEA,https://iea.org/a,2026-11-23,\n"
)
SITES = (
    "OBJECTID *,Site_ID *,Site_Name,Other_Name,Last_Updt,Commodity,MinReg_ID,Remarks,Approx_Lon,"
    "Approx_Lat,Loc_Pt,Loc_Poly,GeolMinOcc,Resources,Production,History,Dep_Model,Descr_Sum\n"
    "1,AR00002,Smackover-Lanxess,Lanxess Property,2019-08-05,lithium; bromine,Mr00127,<Null>,"
    "-92.7791,33.1686,Yes,Yes,Yes,Yes,Yes,Yes,Yes,Yes\n"
    "2,AR00003,Regional Smackover brine,H2S-Rich Belt,2019-08-05,lithium; bromine,Mr00127,<Null>,"
    "-93.1025,33.2484,Yes,Yes,No,No,No,No,No,No\n"
)
HISTORY = (
    "OID *,Site_ID *,Ftr_ID *,Ftr_Name,Last_Updt,Status,StatDetail,Year_From,Year_To,Ref_Detail,"
    "Ref_ID,Remarks\n"
    '1,AR00002,-1111,Smackover-Lanxess,2018-11-20,Exploration,"Survey, review",2017,2018,'
    "Page 58,Eccles and others (2018),<Null>\n"
    "2,AR00002,-1111,Smackover-Lanxess,2018-11-20,Evaluation,NI 43-101 report,2018,2018,<Null>,"
    "Eccles and others (2018),<Null>\n"
)
POINTS = (
    "OBJECTID *,Shape *,Site_ID *,Ftr_ID *,Ftr_Name,Ftr_Type,Commodity,Lat_WGS84,Long_WGS84,State,"
    "County,Ref_ID\n"
    '1,Point,AR00002,Mf00293,"Smackover-Lanxess, BSW-4S",Well,bromine,33.12798,-92.6481,AR,Union,'
    "X (2018)\n"
    "2,Point,AR00003,Mf00294,Other,Well,lithium,33.2,-92.6,AR,Union,<Null>\n"
)
REFERENCES = (
    "OBJECTID *,Ref_ID,Reference,Last_Updt\n1,Smith (2018),\u201cLithium brines\u201d \u2013 "
    "S\u00e1nchez,2019-01-01\n2,Jones (2019),Brines of Arkansas,2019-01-01\n"
)
MINEPLANT = (
    "id,COMMODITY,SITE_NAME,COMPANY_NA,STATE_LOCA,COUNTY,LATITUDE,LONGITUDE,PLANT_MIN\n"
    '1,Aluminum,"Evansville (Warrick) Smelter","Alcoa Inc",Indiana,Warrick,37.915,-87.336,P\n'
    "2,Sand and Gravel,Pit,Co,Ohio,X,40.0,-83.0,M\n"
    "3,Cobalt,Blackbird,Co,Idaho,Lemhi,45.12,-114.34,M\n"
)
NIR_2025 = (
    "Source,Import_Share_Order,Commodity,Net_Import_Reliance_pct_2024,Major_Import_Sources_2020_2023,"
    "Notes\n"
    'MCS2025,1,"GALLIUM, metal",100,"China, Japan",\n'
    "MCS2025,2,BERYLLIUM,E,Kazakhstan,\n"
    'MCS2025,3,LITHIUM,>50,"Chile, Argentina",\n'
)
FIG3_2024 = "Source,Country,Commodity_Count,Map_Class\nMCS2024,Australia,6,4 to 6\nMCS2024,Canada,12,10 or more\n"
T4_2025 = (
    "Source,Critical Mineral,Primary Applications,Category_Note\n"
    "MCS2025,Aluminum,Metallurgy and many sectors of the economy.,\n"
    'MCS2025,Cerium,"Catalytic converters, ceramics.",Included in the Rare Earths chapter.\n'
)
T5_2025 = (
    "Source,Year,Critical_mineral,Primary_prod,Secondary_prod,Prod_notes,Apparent_Consumption,"
    "Consumption_Notes,Net_Import_Reliance,Primary_import_source,Import_source_notes,"
    "Leading_source_country,Leading_country_prod,Leading_source_precent_world,World_total_prod,"
    "World_prod_notes\n"
    "MCS2025,2024_estimated,Tungsten,0,W,,W,,>50,China,,China,67000,83,81000,\n"
    'MCS2025,2024_estimated,Antimony,W,W,,"23,000",,82,China,,China,"60,000",60,"100,000",\n'
)


def _baci_codes(base: Path) -> None:
    write(base / "trade" / "country_codes_V202401.csv", _CODES)


def _extract_setup(base: Path) -> None:
    if not (base / "raw" / baci.EXTRACT_DIR / "trade.parquet").exists():
        test_baci._extract(base)


CSV_CASES = [
    CsvCase(
        "wpi",
        wpi.FILE,
        test_wpi.HEADER + WPI_ROWS,
        lambda b: _one(wpi.load_ports(b, CW)),
        ("World Port Index Number", "Channel Depth (m)", "Latitude", "Longitude"),
        bom=True,
    ),
    CsvCase(
        "mcs-salient",
        "usgs_mcs2024/salient/mcs2024-raree_salient.csv",
        test_mcs.SALIENT,
        lambda b: _many(mcs.load_salient(b, 2024)),
        ("USprod_Concentrate_t", "Imports_Compounds_t", "Consump_Compounds-Metals_t", "NIR_Compounds-Metals_t"),
        bom=True,
        crlf=True,
    ),
    CsvCase(
        "mcs-world",
        "usgs_mcs2024/world/mcs2024-raree_world.csv",
        test_mcs.WORLD,
        lambda b: _many(mcs.load_world(b, CW, 2024)),
        ("Prod_t_est_2022", "Prod_t_est_2023", "Reserves_t"),
        bom=True,
    ),
    CsvCase(
        "mcs-fig2",
        "usgs_mcs2025/MCS2025_Fig2_Net_Import_Reliance.csv",
        NIR_2025,
        lambda b: _pair(mcs.load_nir(b, CW, 2025)),
        ("Net_Import_Reliance_pct_2024",),
        crlf=True,
    ),
    CsvCase(
        "mcs-fig3",
        "usgs_mcs2024/MCS2024_Fig3_Major_Import_Sources.csv",
        FIG3_2024,
        lambda b: _one(mcs.load_import_source_counts(b, CW, 2024)),
        ("Commodity_Count",),
        bom=True,
    ),
    CsvCase(
        "mcs-t4",
        "usgs_mcs2025/MCS2025_T4_Critical_Minerals_End_Use.csv",
        T4_2025,
        lambda b: _one(mcs.load_critical_list(b, 2025)),
        crlf=True,
    ),
    CsvCase(
        "mcs-t5",
        "usgs_mcs2025/MCS2025_T5_Critical_Minerals_Salient.csv",
        T5_2025,
        lambda b: _one(mcs.load_critical_salient(b, CW, 2025)),
        (
            "Primary_prod",
            "Apparent_Consumption",
            "Leading_country_prod",
            "Leading_source_precent_world",
            "World_total_prod",
        ),
        crlf=True,
    ),
    CsvCase(
        "mcs2026-long",
        _T + "MCS2026_Commodities_Data.csv",
        test_mcs2026.LONG,
        lambda b: _commodities(mcs2026.load_commodities_data(b, CW)),
        ("Value",),
        encoding="cp1252",
    ),
    CsvCase(
        "mcs2026-fig2",
        _T + "MCS2026_Fig2_Net_Import_Reliance.csv",
        test_mcs2026.FIG2,
        lambda b: _pair(mcs2026.load_fig2(b, CW)),
        ("Net_Import_Reliance_pct_2025",),
        bom=True,
    ),
    CsvCase(
        "mcs2026-fig3",
        _T + "MCS2026_Fig3_Major_Import_Sources.csv",
        test_mcs2026.FIG3,
        lambda b: _one(mcs2026.load_fig3(b, CW)),
        ("Percent", "NIR"),
        bom=True,
    ),
    CsvCase(
        "mcs2026-t4",
        _T + "MCS2026_T4_Country_Export_Control.csv",
        test_mcs2026.T4,
        lambda b: _one(mcs2026.load_export_controls(b, CW)),
        bom=True,
    ),
    CsvCase(
        "mcs2026-t5",
        _T + "MCS2026_T5_Trade_Agreements.csv",
        test_mcs2026.T5,
        lambda b: _one(mcs2026.load_trade_agreements(b, CW)),
        bom=True,
    ),
    CsvCase(
        "mcs2026-t6",
        _T + "MCS2026_T6_Critical_Minerals_End_Use.csv",
        test_mcs2026.T6,
        lambda b: _one(mcs2026.load_critical_list_2025(b)),
        bom=True,
    ),
    CsvCase(
        "mcs2026-t7",
        _T + "MCS2026_T7_Critical_Minerals_Salient.csv",
        test_mcs2026.T7,
        lambda b: _one(mcs2026.load_critical_salient_2025(b, CW)),
        ("Primary_prod", "Apparent_Consumption", "Leading_country_prod", "World_total_prod"),
        bom=True,
    ),
    CsvCase(
        "usmin-sites", li.FOLDER + "/Site.csv", SITES, lambda b: _one(li.load_sites(b)), ("Approx_Lon", "Approx_Lat")
    ),
    CsvCase(
        "usmin-points",
        li.FOLDER + "/Loc_Pt.csv",
        POINTS,
        lambda b: _one(li.load_points(b)),
        ("Lat_WGS84", "Long_WGS84"),
    ),
    CsvCase(
        "usmin-history",
        li.FOLDER + "/History.csv",
        HISTORY,
        lambda b: _one(li.load_history(b)),
        ("Year_From", "Year_To"),
    ),
    CsvCase(
        "usmin-references",
        li.FOLDER + "/References.csv",
        REFERENCES,
        lambda b: _one(li.load_references(b)),
        encoding="cp1252",
    ),
    CsvCase(
        "mineplant", mineplant.FILE, MINEPLANT, lambda b: _one(mineplant.load_mineplants(b)), ("LATITUDE", "LONGITUDE")
    ),
    CsvCase(
        "register-facilities",
        "register/facilities_t.csv",
        FACILITIES,
        lambda b: _many(register.load_facilities(b, {"USA"})),
        ("lon", "lat", "capacity"),
    ),
    CsvCase(
        "register-links",
        "register/links_t.csv",
        LINKS,
        lambda b: _many(register.load_links(b, {"fac_usa_a", "fac_usa_b"}, {1090})),
    ),
    CsvCase(
        "register-gateway",
        "gateway_ports.csv",
        GATEWAY,
        lambda b: _one(register.load_gateway_ports(b, {1090: "CAN", 2235: "CAN"})),
        ("wpi_number",),
    ),
    CsvCase(
        "register-shares",
        "processing_shares.csv",
        SHARES,
        lambda b: _one(register.load_processing_shares(b, {"CHN", "FIN"})),
        ("share_pct",),
    ),
    CsvCase(
        "baci",
        "trade/BACI_HS17_Y2022_V202401.csv",
        test_baci.TRADE,
        lambda b: _one(
            baci.load_baci(
                b / "trade/BACI_HS17_Y2022_V202401.csv",
                baci.read_country_codes(b / "trade/country_codes_V202401.csv"),
                HS_MAP,
                KNOWN,
            )
        ),
        ("t", "i", "j", "v", "q"),
        setup=_baci_codes,
    ),
    CsvCase(
        "baci-extract-2022",
        "raw/" + baci.EXTRACT_DIR + "/baci_2022.csv",
        "i,j,cmd,value\nCHN,USA,250490,1234.0\nS19,USA,850511,50.0\nMYS,USA,850511,7.5\n",
        lambda b: _one(
            next(
                r
                for r in baci.load_extract(b / "raw", HS_MAP, KNOWN, fold={"HKG": "CHN"})
                if r.file.endswith("baci_2022.csv")
            )
        ),
        ("value",),
        setup=_extract_setup,
    ),
    CsvCase(
        "nrcan",
        nrcan.FILE,
        "\n".join(",".join(f'"{v}"' for v in r) for r in [test_nrcan.HEADER, *test_nrcan.ROWS]),
        lambda b: _one(nrcan.load_nrcan(b, CW)),
        ("Latitude", "Longitude"),
        quote_all=True,
        final_newline=False,
    ),
]
CASE_IDS = [c.id for c in CSV_CASES]
_BASELINES: dict[str, Outputs] = {}


def _baseline(case: CsvCase, tmp_path_factory) -> Outputs:
    if case.id not in _BASELINES:
        base = tmp_path_factory.mktemp("base")
        case.write_text(base, case.text)
        _BASELINES[case.id] = case.load(base)
    return _BASELINES[case.id]


def _names(case: CsvCase) -> tuple[str, ...]:
    return (case.rel, case.rel.split("/", 1)[-1], Path(case.rel).name)


def test_every_case_loads_undamaged(tmp_path_factory):
    for case in CSV_CASES:
        res, tables = _baseline(case, tmp_path_factory)
        assert sum(r.rows_loaded for r in res) >= 1, case.id
        assert sum(len(t) for t in tables) >= 1, case.id


@pytest.mark.parametrize("case", CSV_CASES, ids=CASE_IDS)
@FUZZ
@given(data=st.data())
def test_truncated_anywhere(case, tmp_path_factory, data):
    good = case.encoded(case.text)
    cut = data.draw(st.integers(min_value=1, max_value=len(good) - 1), label="cut at byte")
    base = tmp_path_factory.mktemp("trunc")
    case.write_bytes(base, good[:cut])
    out = _run(case.load, base, _names(case))
    if out is not None:
        check_nothing_silently_different(out, _baseline(case, tmp_path_factory))


@pytest.mark.parametrize("case", [c for c in CSV_CASES if c.numeric], ids=[c.id for c in CSV_CASES if c.numeric])
@FUZZ
@given(data=st.data())
def test_garbled_number(case, tmp_path_factory, data):
    recs = case.records()
    header = recs[0]
    filled = [
        i for i in range(1, len(recs)) if any(recs[i][header.index(c)].strip() for c in case.numeric if c in header)
    ]
    row = data.draw(st.sampled_from(filled), label="row")
    column = data.draw(st.sampled_from([c for c in case.numeric if recs[row][header.index(c)].strip()]), label="column")
    garble = data.draw(st.sampled_from(GARBLES), label="garble")
    recs[row][header.index(column)] = garble
    base = tmp_path_factory.mktemp("garble")
    case.write_text(base, case.serialize(recs))
    out = _run(case.load, base, _names(case))
    if out is None:
        return
    check_nothing_silently_different(out, _baseline(case, tmp_path_factory))
    check_garbled(out, row, column)


@pytest.mark.parametrize("case", CSV_CASES, ids=CASE_IDS)
@FUZZ
@given(data=st.data())
def test_column_renamed_or_missing(case, tmp_path_factory, data):
    recs = case.records()
    j = data.draw(st.integers(0, len(recs[0]) - 1), label="column")
    if data.draw(st.booleans(), label="remove (else rename)"):
        recs = [r[:j] + r[j + 1 :] for r in recs]
    else:
        recs[0][j] = recs[0][j] + "_renamed"
    base = tmp_path_factory.mktemp("column")
    case.write_text(base, case.serialize(recs))
    out = _run(case.load, base, _names(case))
    if out is not None:  # the renamed column's name may be echoed (salient 'column', 'detail')
        check_nothing_silently_different(out, _baseline(case, tmp_path_factory), free=("column", "detail", "unit"))


@pytest.mark.parametrize("case", CSV_CASES, ids=CASE_IDS)
@FUZZ
@given(data=st.data())
def test_wrong_encoding_byte(case, tmp_path_factory, data):
    """A cp1252 byte in a UTF-8 file, or UTF-8 bytes in a cp1252 file: one clear error."""
    good = case.encoded(case.text)
    start = good.index(b"\n") + 1  # in a data row
    pos = data.draw(st.integers(start, len(good) - 1), label="at byte")
    bad = b"\xc3\xa9" if case.encoding == "cp1252" else data.draw(st.sampled_from([b"\xe9", b"\x96", b"\xa0"]))
    base = tmp_path_factory.mktemp("enc")
    case.write_bytes(base, good[:pos] + bad + good[pos:])
    with pytest.raises(MineralsGraphError) as info:
        case.load(base)
    assert not isinstance(info.value, RowAccountingError)
    assert any(n in str(info.value) for n in _names(case)), str(info.value)


@pytest.mark.parametrize("case", CSV_CASES, ids=CASE_IDS)
def test_empty_file_and_header_only(case, tmp_path_factory):
    base = tmp_path_factory.mktemp("empty")
    case.write_bytes(base, b"\xef\xbb\xbf" if case.bom else b"")
    with pytest.raises(MineralsGraphError, match="empty") as info:
        case.load(base)
    assert any(n in str(info.value) for n in _names(case))
    base = tmp_path_factory.mktemp("header")
    case.write_text(base, case.serialize(case.records()[:1]))
    out = _run(case.load, base, _names(case))
    if out is not None:
        assert all(r.rows_read == r.rows_loaded == 0 for r in out[0] if r.file.endswith(Path(case.rel).name))
        check_nothing_silently_different(out, _baseline(case, tmp_path_factory))


@pytest.mark.parametrize("case", CSV_CASES, ids=CASE_IDS)
@FUZZ
@given(data=st.data())
def test_duplicated_row_is_rejected(case, tmp_path_factory, data):
    recs = case.records()
    k = data.draw(st.sampled_from([i for i in range(1, len(recs)) if any(c.strip() for c in recs[i])]), label="row")
    recs = recs[: k + 1] + [list(recs[k])] + recs[k + 1 :]
    base = tmp_path_factory.mktemp("dup")
    case.write_text(base, case.serialize(recs))
    out = _run(case.load, base, _names(case))
    if out is None:
        return
    check_nothing_silently_different(
        out, _baseline(case, tmp_path_factory), lambda r: r if r <= k else (None if r == k + 1 else r - 1)
    )
    rej, _cells, excl = _fates(out, k + 1)
    bulk = any(res.bulk_excluded for res in out[0]) and not _fates(_baseline(case, tmp_path_factory), k)[0]
    assert rej or excl or bulk, f"the copy of row {k} (row {k + 1}) was not rejected"


@pytest.mark.parametrize("case", CSV_CASES, ids=CASE_IDS)
@FUZZ
@given(data=st.data())
def test_row_with_an_extra_value(case, tmp_path_factory, data):
    recs = case.records()
    k = data.draw(st.integers(1, len(recs) - 1), label="row")
    width = max(j for j, h in enumerate(recs[0]) if h.strip()) + 1
    recs[k] = (recs[k] + [""] * width)[: max(width, len(recs[k]))] + [data.draw(st.sampled_from(["999", "x"]))]
    base = tmp_path_factory.mktemp("extra")
    case.write_text(base, case.serialize(recs))
    out = _run(case.load, base, _names(case))
    if out is None:
        return
    check_nothing_silently_different(out, _baseline(case, tmp_path_factory))
    rej, cells, excl = _fates(out, k)
    assert rej or excl or cells, f"row {k}: a value beyond the named columns was dropped silently"


# ---------------------------------------------------------------------------------------
# Files that are not CSV: GeoJSON, zipped shapefile, xlsx, JSON, Parquet

BYTE_DAMAGE = st.sampled_from(["truncate", "empty", "encoding", "flip"])


def _damage_bytes(good: bytes, kind: str, data) -> bytes:
    if kind == "empty":
        return b""
    # positions drawn as a fraction: a workbook's size varies with its timestamp
    if kind == "truncate":
        return good[: 1 + data.draw(st.integers(0, 10**6), label="cut") * (len(good) - 2) // 10**6]
    pos = data.draw(st.integers(0, 10**6), label="at byte") * (len(good) - 1) // 10**6
    if kind == "encoding":
        return good[:pos] + b"\xe9" + good[pos:]
    return good[:pos] + bytes([good[pos] ^ 0xFF]) + good[pos + 1 :]


def _check_bytes_outcome(load, base, names, baseline):
    out = _run(load, base, names)
    if out is not None:
        check_nothing_silently_different(out, baseline)


NMIC_FEATURES = [
    test_nmic._feature(
        FeatureUID="CHN001",
        Country="China",
        FeatureNam="Plant in Baotou",
        FeatureTyp="Mineral Processing Plants",
        DsgAttr01="Rare Earths",
        DsgAttr02="Rare-Earth Compounds",
        DsgAttr06="22",
        DsgAttr07="kmt",
        Latitude=40.6,
        Longitude=109.9,
        OperateNam="Op Co.",
        OwnerName1="Parent Ltd. [60%]",
    ),
    test_nmic._feature(
        FeatureUID="CHN002",
        Country="China",
        FeatureNam="Mine X",
        FeatureTyp="Mines and Quarries",
        DsgAttr01="Tungsten",
        DsgAttr02="Concentrate",
        DsgAttr06="3",
        DsgAttr07="kmt",
        LocOpStat="C&M",
        Latitude=25.7,
        Longitude=113.0,
    ),
]


def _nmic_load(b: Path) -> Outputs:
    return _one(nmic.load_facility_layer(b, CW, file="CHN_Mineral_Facilities.geojson"))


def _nmic_write(base: Path, feats) -> None:
    (base / "CHN_Mineral_Facilities.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8"
    )


@FUZZ
@given(data=st.data())
def test_nmic_geojson_damage(tmp_path_factory, data):
    good_dir = tmp_path_factory.mktemp("nmic_good")
    _nmic_write(good_dir, NMIC_FEATURES)
    baseline = _nmic_load(good_dir)
    kind = data.draw(st.sampled_from(["truncate", "empty", "encoding", "garble", "missing", "duplicate"]))
    base = tmp_path_factory.mktemp("nmic")
    feats = copy.deepcopy(NMIC_FEATURES)
    names = ("CHN_Mineral_Facilities.geojson",)
    if kind in ("truncate", "empty", "encoding"):
        good = (good_dir / names[0]).read_bytes()
        (base / names[0]).write_bytes(_damage_bytes(good, kind, data))
        _check_bytes_outcome(_nmic_load, base, names, baseline)
        return
    k = data.draw(st.integers(0, len(feats) - 1), label="feature")
    if kind == "garble":
        col = data.draw(st.sampled_from(["Latitude", "Longitude", "DsgAttr06"]))
        feats[k]["properties"][col] = data.draw(st.sampled_from(GARBLES))
        _nmic_write(base, feats)
        out = _run(_nmic_load, base, names)
        if out is not None:
            check_nothing_silently_different(out, baseline)
            check_garbled(out, k + 1, col)
    elif kind == "missing":
        col = data.draw(st.sampled_from(list(nmic.REQUIRED)))
        for f in feats:
            del f["properties"][col]
        _nmic_write(base, feats)
        with pytest.raises(MineralsGraphError, match=col):
            _nmic_load(base)
    else:
        feats = feats[: k + 1] + [copy.deepcopy(feats[k])] + feats[k + 1 :]
        _nmic_write(base, feats)
        out = _run(_nmic_load, base, names)
        assert out is not None
        check_nothing_silently_different(out, baseline, lambda r: r if r <= k + 1 else (None if r == k + 2 else r - 1))
        assert _fates(out, k + 2)[0], "the duplicated feature was not rejected"


def _ne_zip(path: Path, rows: list[dict]) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    gdf = gpd.GeoDataFrame(rows, geometry=[Point(10 * k, 10 * k).buffer(1) for k in range(len(rows))], crs=4326)
    shp = path.parent / "shp"
    shp.mkdir(parents=True, exist_ok=True)
    gdf.to_file(shp / "ne_110m_admin_0_countries.shp")
    with zipfile.ZipFile(path, "w") as z:
        for f in shp.iterdir():
            z.write(f, f.name)


NE_ROWS = [
    {
        "ADMIN": "France",
        "NAME": "France",
        "ISO_A3": "-99",
        "ISO_A3_EH": "FRA",
        "ADM0_A3": "FRA",
        "CONTINENT": "Europe",
        "REGION_UN": "Europe",
        "SUBREGION": "Western Europe",
        "LABEL_X": 2.55,
        "LABEL_Y": 46.7,
    },
    {
        "ADMIN": "Chile",
        "NAME": "Chile",
        "ISO_A3": "CHL",
        "ISO_A3_EH": "CHL",
        "ADM0_A3": "CHL",
        "CONTINENT": "South America",
        "REGION_UN": "Americas",
        "SUBREGION": "South America",
        "LABEL_X": -72.3,
        "LABEL_Y": -38.2,
    },
]


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_natural_earth_zip_damage(tmp_path_factory, data):
    good_dir = tmp_path_factory.mktemp("ne_good")
    _ne_zip(good_dir / natural_earth.FILE, NE_ROWS)
    baseline = _one(natural_earth.load_countries(good_dir))
    kind = data.draw(st.sampled_from(["truncate", "empty", "flip", "missing", "duplicate"]))
    base = tmp_path_factory.mktemp("ne")
    names = (natural_earth.FILE,)
    load = lambda b: _one(natural_earth.load_countries(b))  # noqa: E731
    if kind in ("truncate", "empty", "flip"):
        path = base / natural_earth.FILE
        path.parent.mkdir(parents=True)
        path.write_bytes(_damage_bytes((good_dir / natural_earth.FILE).read_bytes(), kind, data))
        _check_bytes_outcome(load, base, names, baseline)
    elif kind == "missing":
        col = data.draw(st.sampled_from(["ISO_A3", "CONTINENT", "LABEL_X"]))
        _ne_zip(base / natural_earth.FILE, [{k: v for k, v in r.items() if k != col} | {"X": 1} for r in NE_ROWS])
        with pytest.raises(MineralsGraphError, match=col):
            load(base)
    else:
        _ne_zip(base / natural_earth.FILE, [NE_ROWS[0], NE_ROWS[0], NE_ROWS[1]])
        out = _run(load, base, names)
        assert out is not None and _fates(out, 2)[0], "the duplicated country was not rejected"
        check_nothing_silently_different(out, baseline, lambda r: {1: 1, 2: None, 3: 2}[r])


def _icmm_load(b: Path) -> Outputs:
    return _one(icmm.load_icmm(b, CW))


@FUZZ
@given(data=st.data())
def test_icmm_workbook_damage(tmp_path_factory, data):
    rows = test_icmm.ROWS[:5]
    good_dir = test_icmm._write_xlsx(tmp_path_factory.mktemp("icmm_good"), rows)
    baseline = _icmm_load(good_dir)
    kind = data.draw(st.sampled_from(["truncate", "empty", "flip", "garble", "missing", "duplicate", "extra"]))
    base = tmp_path_factory.mktemp("icmm")
    names = (icmm.FILE,)
    if kind in ("truncate", "empty", "flip"):
        path = base / icmm.FILE
        path.parent.mkdir(parents=True)
        path.write_bytes(_damage_bytes((good_dir / icmm.FILE).read_bytes(), kind, data))
        _check_bytes_outcome(_icmm_load, base, names, baseline)
        return
    rows = [list(r) for r in rows]
    k = data.draw(st.integers(0, len(rows) - 1), label="row")
    header = list(test_icmm.HEADER)
    if kind == "garble":
        col = data.draw(st.sampled_from(["Latitude", "Longitude"]))
        rows[k][header.index(col)] = data.draw(st.sampled_from(GARBLES))
    elif kind == "missing":
        j = data.draw(st.integers(0, len(header) - 1))
        header[j] = header[j].strip() + "_renamed"
    elif kind == "duplicate":
        rows = rows[: k + 1] + [list(rows[k])] + rows[k + 1 :]
    else:
        rows[k] = rows[k] + [data.draw(st.sampled_from([999, "x"]))]
    test_icmm._write_xlsx(base, [tuple(r) for r in rows], header)
    out = _run(_icmm_load, base, names)
    if out is None:
        assert kind == "missing"
        return
    rowmap = (lambda r: r if r <= k + 1 else (None if r == k + 2 else r - 1)) if kind == "duplicate" else (lambda r: r)
    check_nothing_silently_different(out, baseline, rowmap)
    if kind == "garble":
        check_garbled(out, k + 1, col)
    elif kind == "duplicate":
        assert _fates(out, k + 2)[0]
    elif kind == "extra":
        assert _fates(out, k + 1)[0]


def _iea_wb_load(b: Path) -> Outputs:
    return _one(iea.load_supply_workbook(b, CW))


@FUZZ
@given(data=st.data())
def test_iea_workbook_damage(tmp_path_factory, data):
    from openpyxl import load_workbook

    good_dir = tmp_path_factory.mktemp("iea_good")
    path = good_dir / iea.FOLDER / iea.WORKBOOK
    path.parent.mkdir(parents=True)
    test_iea._workbook(path)
    baseline = _iea_wb_load(good_dir)
    kind = data.draw(st.sampled_from(["truncate", "empty", "flip", "garble", "sheet", "duplicate"]))
    base = tmp_path_factory.mktemp("iea")
    target = base / iea.FOLDER / iea.WORKBOOK
    target.parent.mkdir(parents=True)
    names = (f"{iea.FOLDER}/{iea.WORKBOOK}",)
    if kind in ("truncate", "empty", "flip"):
        target.write_bytes(_damage_bytes(path.read_bytes(), kind, data))
        _check_bytes_outcome(_iea_wb_load, base, names, baseline)
        return
    wb = load_workbook(path)
    ws = wb[iea.SUPPLY_SHEET]
    if kind == "sheet":
        ws.title = "2 Total supply"
        wb.save(target)
        with pytest.raises(MineralsGraphError, match="sheet"):
            _iea_wb_load(base)
        return
    if kind == "garble":
        cell = data.draw(st.sampled_from(["B7", "C8", "H7", "I15", "B11", "H17"]))
        ws[cell] = data.draw(st.sampled_from(GARBLES))
        wb.save(target)
        out = _run(_iea_wb_load, base, names)
        assert out is not None
        check_nothing_silently_different(out, baseline)
        hit = out[0][0].cell_rejects
        assert any(r.startswith(cell) for r in hit["reason"]), f"garbled {cell} not a cell reject"
        return
    ws.insert_rows(8)  # a copy of row 7 (both halves) under it
    for col in range(1, 12):
        ws.cell(row=8, column=col, value=ws.cell(row=7, column=col).value)
    wb.save(target)
    out = _run(_iea_wb_load, base, names)
    assert out is not None
    dup_lines = out[0][0].rejects
    assert dup_lines["reason"].str.contains("duplicated line").sum() == 2
    loaded = out[0][0].table.groupby(["mineral", "stage", "country_iso3", "year"]).size()
    assert (loaded == 1).all(), "a country counted twice in a block"


@FUZZ
@given(data=st.data())
def test_iea_json_damage(tmp_path_factory, data):
    good = json.dumps(test_iea.SMALL_JSON, ensure_ascii=False, indent=1)
    good_dir = tmp_path_factory.mktemp("ieaj_good")
    write(good_dir / iea.FOLDER / iea.JSON_FILE, good)
    load = lambda b: _one(iea.load_supply_json(b, CW))  # noqa: E731
    baseline = load(good_dir)
    names = (f"{iea.FOLDER}/{iea.JSON_FILE}",)
    kind = data.draw(st.sampled_from(["truncate", "empty", "encoding", "garble", "duplicate", "shape"]))
    base = tmp_path_factory.mktemp("ieaj")
    target = base / iea.FOLDER / iea.JSON_FILE
    target.parent.mkdir(parents=True)
    if kind in ("truncate", "empty", "encoding"):
        target.write_bytes(_damage_bytes(good.encode("utf-8"), kind, data))
        _check_bytes_outcome(load, base, names, baseline)
        return
    obj = copy.deepcopy(test_iea.SMALL_JSON)
    block = obj["supply"]["Rare Earth Elements"]["refining"]
    if kind == "garble":
        country = data.draw(st.sampled_from(["China", "Rest of world"]))
        block["countries"][country]["2024"] = data.draw(st.sampled_from(GARBLES))
        target.write_text(json.dumps(obj), encoding="utf-8")
        out = _run(load, base, names)
        assert out is not None
        check_nothing_silently_different(out, baseline)
        assert any(country in r for r in out[0][0].cell_rejects["reason"])
    elif kind == "duplicate":
        text = json.dumps(obj, indent=1).replace('"Malaysia":', '"China": {"2024": 1.0}, "Malaysia":', 1)
        target.write_text(text, encoding="utf-8")
        with pytest.raises(MineralsGraphError, match="China"):
            load(base)
    else:
        obj["supply"]["Rare Earth Elements"]["mining"] = data.draw(st.sampled_from([[1, 2], "x", 3]))
        target.write_text(json.dumps(obj), encoding="utf-8")
        out = _run(load, base, names)
        if out is not None:  # entries after the broken block are numbered anew
            check_nothing_silently_different(out, baseline, lambda r: ANY_ROW, free=("cell",))
            assert "supply.Rare Earth Elements.mining" in set(out[0][0].rejects["field"])


@FUZZ
@given(data=st.data())
def test_minmod_json_damage(tmp_path_factory, data):
    recs = test_minmod.MAJOR
    good_dir = tmp_path_factory.mktemp("mm_good")
    rel = test_minmod._write(good_dir, "usgs-major-deposits", "b000.json", recs)
    load = lambda b: _one(minmod.load_minmod_file(b, CW, rel, dataset="usgs-major-deposits"))  # noqa: E731
    baseline = load(good_dir)
    kind = data.draw(st.sampled_from(["truncate", "empty", "encoding", "garble", "duplicate", "missing"]))
    base = tmp_path_factory.mktemp("mm")
    if kind in ("truncate", "empty", "encoding"):
        target = base / rel
        target.parent.mkdir(parents=True)
        target.write_bytes(_damage_bytes((good_dir / rel).read_bytes(), kind, data))
        _check_bytes_outcome(load, base, (rel,), baseline)
        return
    recs = copy.deepcopy(recs)
    k = data.draw(st.sampled_from([0, 2, 6]), label="record with a location")
    if kind == "garble":
        wkt = recs[k]["location_info"]["location"]
        lon = wkt.split("(")[1].split()[0]
        recs[k]["location_info"]["location"] = wkt.replace(lon, data.draw(st.sampled_from(GARBLES)), 1)
    elif kind == "duplicate":
        recs = recs[: k + 1] + [copy.deepcopy(recs[k])] + recs[k + 1 :]
    else:
        key = data.draw(st.sampled_from(["record_id", "name", "location_info"]))
        del recs[k][key]
    test_minmod._write(base, "usgs-major-deposits", "b000.json", recs)
    out = _run(load, base, (rel,))
    assert out is not None
    rowmap = (lambda r: r if r <= k + 1 else (None if r == k + 2 else r - 1)) if kind == "duplicate" else (lambda r: r)
    check_nothing_silently_different(out, baseline, rowmap)
    row = k + 2 if kind == "duplicate" else k + 1
    assert _fates(out, row)[0], f"{kind} of record {k + 1}: not rejected"


@FUZZ
@given(data=st.data())
def test_baci_extract_parquet_damage(tmp_path_factory, data):
    import pyarrow as pa
    import pyarrow.parquet as pq

    good_dir = tmp_path_factory.mktemp("pq_good")
    test_baci._extract(good_dir)
    load = lambda b: _many(baci.load_extract(b / "raw", HS_MAP, KNOWN))  # noqa: E731
    baseline = load(good_dir)
    rel = f"{baci.EXTRACT_DIR}/trade.parquet"
    # no "flip": Parquet pages carry no checksum in this file, so a flipped bit inside a
    # value is undetectable (the zip-based formats, xlsx and shapefile, are checked by CRC)
    kind = data.draw(st.sampled_from(["truncate", "empty", "garble"]))
    base = tmp_path_factory.mktemp("pq")
    test_baci._extract(base)
    target = base / "raw" / rel
    if kind != "garble":
        target.write_bytes(_damage_bytes((good_dir / "raw" / rel).read_bytes(), kind, data))
        _check_bytes_outcome(load, base, (rel,), baseline)
        return
    t = pq.read_table(target).to_pandas()
    k = data.draw(st.integers(0, 1), label="row")  # the two loaded flows
    col = data.draw(st.sampled_from(["value_kusd", "qty_t"]))
    t[col] = t[col].map(lambda v: "" if v != v else repr(v)).astype(object)
    t.loc[k, col] = data.draw(st.sampled_from(GARBLES))
    pq.write_table(pa.Table.from_pandas(t, preserve_index=False), target)
    out = _run(load, base, (rel,))
    assert out is not None
    check_nothing_silently_different(out, baseline)
    parquet = [out[0][0]], [out[1][0]]
    check_garbled(parquet, k + 1, col)


# ---------------------------------------------------------------------------------------
# The ledger's arithmetic on real counts (replaces the assertion that could not fail)


def test_a_forgotten_row_fails_the_check():
    """A loader that forgets a row's fate: one MineralsGraphError naming the file and the row."""
    src = SourceInfo("k", "p", "d", 2024, "http://x")
    led = RowLedger("forgetful.csv")
    led.load(1)
    led.exclude(3, "empty row")
    with pytest.raises(RowAccountingError, match=r"^forgetful.csv: .*rows with no fate: \[2\]"):
        led.finish(src, 3, pd.DataFrame({"row": [1]}))
    # counted from the ledger, an unbalanced result is seen by validate's balanced check
    res = LoadResult(src, "f.csv", rows_read=3, table=pd.DataFrame({"row": [1]}), loaded_rows=frozenset({1}))
    assert res.rows_loaded + res.rows_excluded + res.rows_rejected != res.rows_read


@pytest.mark.shared
def test_ledger_arithmetic_on_every_real_file(raw_tables):
    """For every file of ../shared/data read: loaded = the distinct rows in the loader's
    table, and loaded + excluded + rejected = read (each count taken on its own)."""
    from minerals_graph import validate

    results = raw_tables.results
    assert len(results) >= 300
    without_rows = set()
    for r in results:
        assert r.rows_loaded == len(r.loaded_rows)
        assert r.rows_loaded + r.rows_excluded + r.rows_rejected == r.rows_read, r.file
        if "row" in r.table.columns:
            assert r.rows_loaded == r.table["row"].nunique(), r.file
            assert set(r.table["row"].astype(int)) == set(r.loaded_rows), r.file
        elif r.table.empty and r.rows_loaded == 0:
            continue  # nothing loaded (e.g. a salient file holding a world table)
        else:
            without_rows.add(r.file)
    # tables without a row column: the country-code list (no table) and the curated extras
    assert without_rows == {"cepii_baci_critical_subset/country_codes_V202601.csv", "data/country_extras.csv"}
    acc = validate.accounting(raw_tables)
    assert acc["balanced"].all() and (acc["loaded"] == [r.rows_loaded for r in results]).all()
    # the check can fail: a result whose loaded count disagrees is reported unbalanced
    bad = copy.copy(next(r for r in results if r.rows_loaded > 1))
    bad.loaded_rows = frozenset(list(bad.loaded_rows)[1:])
    raw_tables.results.append(bad)
    try:
        assert not validate.accounting(raw_tables)["balanced"].iloc[-1]
    finally:
        raw_tables.results.pop()


def test_issue_example_garbled_gallium_is_rejected_not_read_as_a_number(tmp_path):
    """Issue 16: gallium CHN = "six hundred thousand" changed the what-if result silently."""
    row = (
        "GALLIUM,World Low-Purity Production and Production Capacity,Gallium,China,Production,"
        'Primary production,kilograms,2024,"{}",,Yes,\n'
    )
    write(
        tmp_path / _T / "MCS2026_Commodities_Data.csv",
        test_mcs2026.HEADER + row.format("600,000") + row.replace("China", "Japan").format("3,000"),
        encoding="cp1252",
    )
    good = mcs2026.load_commodities_data(tmp_path, CW)
    assert good.world.set_index("iso3").loc["CHN", "quantity"] == 600000.0
    write(
        tmp_path / _T / "MCS2026_Commodities_Data.csv",
        test_mcs2026.HEADER + row.format("six hundred thousand") + row.replace("China", "Japan").format("3,000"),
        encoding="cp1252",
    )
    bad = mcs2026.load_commodities_data(tmp_path, CW)
    [rej] = bad.result.rejects.to_dict("records")
    assert (rej["row"], rej["field"], rej["value"]) == (1, "Value", "six hundred thousand")
    assert list(bad.world["iso3"]) == ["JPN"] and bad.world["quantity"].tolist() == [3000.0]
