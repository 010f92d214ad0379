"""The project's own cited facility register: ``data/register/facilities_*.csv`` and
``links_*.csv`` (format: ``data/register/FORMAT.md``).

Every row is checked field by field. A row whose identity is broken (id, kind, country,
commodities, stages, source URL) is rejected with the reason; a bad optional value
(a capacity, a coordinate, an owner's country) is reported as a cell reject and left empty.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from minerals_graph.errors import SourceFormatError, UnknownCommodityError
from minerals_graph.schema import (
    COORD_PRECISIONS,
    FACILITY_KINDS,
    KIND_STAGE,
    SITE_KINDS,
    STAGES,
    STATUSES,
    commodity_by_id,
)
from minerals_graph.sources._common import (
    LoadResult,
    RowLedger,
    SourceInfo,
    clean_text,
    first_copies,
    parse_number,
    read_csv_text,
)

__all__ = ["SOURCE", "FACILITY_COLUMNS", "LINK_COLUMNS", "load_facilities", "load_links", "parse_owners"]

SOURCE = SourceInfo(
    key="minerals-graph-register",
    publisher="minerals-graph project (each row cites its own source)",
    dataset="Critical-mineral facility register (data/register)",
    year=2026,
    url="data/register/FORMAT.md",
    licence="CC0 for the compilation; facts from the cited public pages",
)

FACILITY_COLUMNS = (
    "id",
    "name",
    "kind",
    "commodities",
    "stages",
    "country_iso3",
    "admin1",
    "lon",
    "lat",
    "coord_precision",
    "coord_source",
    "coord_source_url",
    "status",
    "status_year",
    "capacity",
    "capacity_unit",
    "capacity_basis",
    "capacity_commodity",
    "capacity_year",
    "operator",
    "owners",
    "source_title",
    "source_publisher",
    "source_url",
    "source_year",
    "source_date_read",
    "other_source_urls",
    "notes",
)
LINK_COLUMNS = (
    "from_id",
    "to_id",
    "relation",
    "commodity",
    "source_title",
    "source_publisher",
    "source_url",
    "source_date_read",
    "notes",
)
_ID = re.compile(r"^fac_[a-z]{3}_[a-z0-9_]+$")
_YEAR = re.compile(r"^(19|20)\d{2}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_owners(text: str) -> list[tuple[str, str, float | None]]:
    """``"Tianqi Lithium|CHN|51;IGO Ltd|AUS|49"`` -> [(name, iso3, pct), …].

    Raises ValueError naming the entry that does not have the ``Name|ISO3|pct`` form.
    """
    out = []
    for entry in (e.strip() for e in clean_text(text).split(";")):
        if not entry:
            continue
        parts = [p.strip() for p in entry.split("|")]
        if len(parts) != 3 or not parts[0]:
            raise ValueError(f"owner entry {entry!r}: expected 'Name|ISO3|pct'")
        name, iso3, pct = parts
        if iso3 and not re.fullmatch(r"[A-Z]{3}", iso3):
            raise ValueError(f"owner entry {entry!r}: country {iso3!r} is not an ISO3 code")
        try:
            share = parse_number(pct.rstrip("%")) if pct else None
        except ValueError:
            raise ValueError(f"owner entry {entry!r}: share {pct!r} is not a number") from None
        if share is not None and not 0 <= share <= 100:
            raise ValueError(f"owner entry {entry!r}: share {share} outside 0..100")
        out.append((name, iso3, share))
    return out


def _files(data_dir: Path, prefix: str) -> list[Path]:
    return sorted((Path(data_dir) / "register").glob(f"{prefix}_*.csv"))


def load_facilities(data_dir: Path, known_iso3: set[str], fold: dict[str, str] | None = None) -> list[LoadResult]:
    """Every ``facilities_*.csv``: one LoadResult per file.

    Table columns: the FORMAT.md columns, typed (``lon``, ``lat``, ``capacity`` floats;
    ``status_year``, ``capacity_year`` ints), plus ``row``, ``node_kind`` (Site or
    Facility), ``commodity_list``, ``stage_list`` and ``owner_list``.
    Ids must be unique across files: a later duplicate is rejected. ``fold`` maps codes
    that are folded into another country (HKG -> CHN) before checking them. An empty
    ``stages`` takes the default stage of the kind (``schema.KIND_STAGE``), noted as such.
    """
    fold = fold or {}
    results = []
    seen: dict[str, str] = {}
    for path in _files(data_dir, "facilities"):
        rel = f"register/{path.name}"
        header, rows = read_csv_text(path, "utf-8-sig")
        missing = [c for c in FACILITY_COLUMNS if c not in header]
        if missing:
            raise SourceFormatError(rel, 0, ", ".join(missing), "expected the columns of data/register/FORMAT.md")
        ix = {c: header.index(c) for c in FACILITY_COLUMNS}
        ledger = RowLedger(rel)
        recs = []
        for i, raw in enumerate(rows, start=1):
            r = {c: clean_text(raw[ix[c]]) for c in FACILITY_COLUMNS}
            r["country_iso3"] = fold.get(r["country_iso3"], r["country_iso3"])
            if not r["stages"] and r["kind"] in KIND_STAGE:
                r["stages"] = KIND_STAGE[r["kind"]]
                r["notes"] = (r["notes"] + " " if r["notes"] else "") + "[stage not given; default of the kind]"
            problem = _row_problem(r, known_iso3, seen, rel)
            if problem:
                ledger.reject(i, *problem)
                continue
            seen[r["id"]] = f"{rel} row {i}"
            rec: dict[str, Any] = {"row": i, **r}
            rec["node_kind"] = "Site" if r["kind"] in SITE_KINDS else "Facility"
            rec["commodity_list"] = [c.strip() for c in r["commodities"].split(";") if c.strip()]
            rec["stage_list"] = [s.strip() for s in r["stages"].split(";") if s.strip()]
            rec["status"] = r["status"] or "unknown"
            for col in ("lon", "lat", "capacity"):
                rec[col] = _number(ledger, i, col, r[col])
            lon, lat = rec["lon"], rec["lat"]
            if (lon is None) != (lat is None) or (lon is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90)):
                ledger.reject_cell(i, "lon/lat", f"{r['lon']},{r['lat']}", "expected both, in -180..180 / -90..90")
                rec["lon"] = rec["lat"] = None
            if rec["lon"] is not None and r["coord_precision"] not in COORD_PRECISIONS:
                ledger.reject_cell(i, "coord_precision", r["coord_precision"], f"expected one of {COORD_PRECISIONS}")
            if rec["lon"] is not None and not (r["coord_source"] and r["coord_source_url"].startswith("http")):
                ledger.reject_cell(
                    i,
                    "coord_source/coord_source_url",
                    r["coord_source"],
                    "coordinates need their own evidence: a coord_source and its URL; the coordinates are left out",
                )
                rec["lon"] = rec["lat"] = None
            if r["source_year"] and not _YEAR.match(r["source_year"]):
                ledger.reject_cell(i, "source_year", r["source_year"], "expected the page's four-digit year")
                rec["source_year"] = ""
            for col in ("status_year", "capacity_year"):
                if r[col] and not _YEAR.match(r[col]):
                    ledger.reject_cell(i, col, r[col], "expected a four-digit year")
                rec[col] = int(r[col]) if _YEAR.match(r[col]) else None
            if r["capacity_commodity"]:
                try:
                    commodity_by_id(r["capacity_commodity"])
                except UnknownCommodityError as exc:
                    ledger.reject_cell(i, "capacity_commodity", r["capacity_commodity"], str(exc))
                    rec["capacity_commodity"] = ""
            if r["source_date_read"] and not _DATE.match(r["source_date_read"]):
                ledger.reject_cell(i, "source_date_read", r["source_date_read"], "expected yyyy-mm-dd")
            owners = []
            try:
                owners = [(n, fold.get(c, c), p) for n, c, p in parse_owners(r["owners"])]
            except ValueError as exc:
                ledger.reject_cell(i, "owners", r["owners"], str(exc))
            for name, iso3, _pct in owners:
                if iso3 and iso3 not in known_iso3:
                    ledger.reject_cell(i, "owners", name, f"control country {iso3!r} is not a known ISO3 code")
            rec["owner_list"] = [(n, c if c in known_iso3 else "", p) for n, c, p in owners]
            recs.append(rec)
            ledger.load(i)
        results.append(ledger.finish(SOURCE, len(rows), pd.DataFrame.from_records(recs)))
    return results


def _number(ledger: RowLedger, row: int, col: str, text: str) -> float | None:
    if not text:
        return None
    try:
        return parse_number(text)
    except ValueError:
        ledger.reject_cell(row, col, text, "expected a number (or empty when unknown)")
        return None


def _row_problem(
    r: dict[str, str], known_iso3: set[str], seen: dict[str, str], rel: str
) -> tuple[str, str, str] | None:
    """(field, value, reason) of the first identity problem of a row, or None."""
    if not _ID.match(r["id"]):
        return "id", r["id"], "expected fac_<iso3>_<slug> in lowercase a-z0-9_"
    if r["id"] in seen:
        return "id", r["id"], f"duplicate id (first in {seen[r['id']]})"
    if not r["name"]:
        return "name", "", "empty name"
    if r["kind"] not in SITE_KINDS + FACILITY_KINDS:
        return "kind", r["kind"], f"expected one of {SITE_KINDS + FACILITY_KINDS}"
    if r["country_iso3"] not in known_iso3:
        return "country_iso3", r["country_iso3"], "not a known ISO3 code (data/countries.csv)"
    coms = [c.strip() for c in r["commodities"].split(";") if c.strip()]
    if not coms:
        return "commodities", "", "expected at least one commodity id"
    for c in coms:
        try:
            commodity_by_id(c)
        except UnknownCommodityError:
            return "commodities", c, "not a commodity id of the schema (data/register/FORMAT.md)"
    stages = [s.strip() for s in r["stages"].split(";") if s.strip()]
    if not stages or any(s not in STAGES for s in stages):
        return "stages", r["stages"], f"expected ';'-separated stages from {STAGES}"
    if r["status"] and r["status"] not in STATUSES:
        return "status", r["status"], f"expected one of {STATUSES}"
    if not r["source_url"].startswith(("http://", "https://")):
        return "source_url", r["source_url"], "every row must cite a source URL"
    return None


def load_links(data_dir: Path, facility_ids: set[str], port_numbers: set[int] | None) -> list[LoadResult]:
    """Every ``links_*.csv``. ``to_id`` is a facility id or ``wpi:<number>``.

    Table columns: the FORMAT.md link columns plus ``row`` and ``wpi_number`` (for
    SHIPS_VIA). With ``port_numbers=None`` port references are not checked.
    """
    results = []
    for path in _files(data_dir, "links"):
        rel = f"register/{path.name}"
        header, rows = read_csv_text(path, "utf-8-sig")
        missing = [c for c in LINK_COLUMNS if c not in header]
        if missing:
            raise SourceFormatError(rel, 0, ", ".join(missing), "expected the link columns of FORMAT.md")
        ix = {c: header.index(c) for c in LINK_COLUMNS}
        ledger = RowLedger(rel)
        recs = []
        copies = first_copies(rows)
        for i, raw in enumerate(rows, start=1):
            if i in copies:
                ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
                continue
            r = {c: clean_text(raw[ix[c]]) for c in LINK_COLUMNS}
            if r["from_id"] not in facility_ids:
                ledger.reject(i, "from_id", r["from_id"], "not an id of the register")
                continue
            rel_kind = r["relation"].upper()
            wpi_number = None
            if rel_kind == "SHIPS_VIA":
                m = re.fullmatch(r"wpi:(\d+)", r["to_id"])
                if not m:
                    ledger.reject(i, "to_id", r["to_id"], "SHIPS_VIA needs to_id wpi:<World Port Index Number>")
                    continue
                wpi_number = int(m.group(1))
                if port_numbers is not None and wpi_number not in port_numbers:
                    ledger.reject(i, "to_id", r["to_id"], "no port with this number in the World Port Index")
                    continue
            elif rel_kind == "SUPPLIES":
                if r["to_id"] not in facility_ids:
                    ledger.reject(i, "to_id", r["to_id"], "not an id of the register")
                    continue
            else:
                ledger.reject(i, "relation", r["relation"], "expected SUPPLIES or SHIPS_VIA")
                continue
            if r["commodity"]:
                try:
                    commodity_by_id(r["commodity"])
                except UnknownCommodityError as exc:
                    ledger.reject(i, "commodity", r["commodity"], str(exc))
                    continue
            if not r["source_url"].startswith(("http://", "https://")):
                ledger.reject(i, "source_url", r["source_url"], "every link must cite a source URL")
                continue
            recs.append({"row": i, **r, "relation": rel_kind, "wpi_number": wpi_number})
            ledger.load(i)
        results.append(ledger.finish(SOURCE, len(rows), pd.DataFrame.from_records(recs)))
    return results


SHARE_COLUMNS = (
    "commodity",
    "stage",
    "country_iso3",
    "share_pct",
    "year",
    "basis",
    "source_title",
    "source_publisher",
    "source_url",
    "source_date_read",
    "notes",
)
IMPORT_SHARE_COLUMNS = (
    "commodity",
    "mcs_edition",
    "period",
    "form",
    "exporter_name",
    "share_pct",
    "source_title",
    "source_publisher",
    "source_url",
    "source_date_read",
    "notes",
)


def _cited_table(data_dir: Path, name: str, columns: tuple[str, ...], check) -> LoadResult | None:
    path = Path(data_dir) / name
    if not path.exists():
        return None
    header, rows = read_csv_text(path, "utf-8-sig")
    missing = [c for c in columns if c not in header]
    if missing:
        raise SourceFormatError(name, 0, ", ".join(missing), f"expected columns {list(columns)}")
    ix = {c: header.index(c) for c in columns}
    ledger = RowLedger(name)
    recs = []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        r: dict[str, Any] = {c: clean_text(raw[ix[c]]) for c in columns}
        problem = check(r)
        if not problem and not r["source_url"].startswith(("http://", "https://")):
            problem = ("source_url", r["source_url"][:80], "every row must cite a source URL")
        if not problem:
            try:
                r["share_pct"] = parse_number(r["share_pct"])
            except ValueError:
                problem = ("share_pct", r["share_pct"], "expected a number")
        if problem:
            ledger.reject(i, *problem)
            continue
        recs.append({"row": i, **r})
        ledger.load(i)
    return ledger.finish(SOURCE, len(rows), pd.DataFrame.from_records(recs))


def load_processing_shares(data_dir: Path, known_iso3: set[str]) -> LoadResult | None:
    """``data/processing_shares.csv``: cited country shares of world processing."""

    def check(r: dict[str, str]):
        try:
            commodity_by_id(r["commodity"])
        except UnknownCommodityError as exc:
            return "commodity", r["commodity"], str(exc)
        if r["stage"] not in STAGES:
            return "stage", r["stage"], f"expected one of {STAGES}"
        if r["country_iso3"] not in known_iso3:
            return "country_iso3", r["country_iso3"], "not a known ISO3 code"
        if not _YEAR.match(r["year"]):
            return "year", r["year"], "expected a four-digit year"
        return None

    return _cited_table(data_dir, "processing_shares.csv", SHARE_COLUMNS, check)


def load_import_shares(data_dir: Path) -> LoadResult | None:
    """``data/us_import_shares.csv``: cited shares of U.S. imports by source country."""

    def check(r: dict[str, str]):
        try:
            commodity_by_id(r["commodity"])
        except UnknownCommodityError as exc:
            return "commodity", r["commodity"], str(exc)
        if not re.fullmatch(r"\d{4}-\d{4}", r["period"]):
            return "period", r["period"], "expected yyyy-yyyy"
        return None

    return _cited_table(data_dir, "us_import_shares.csv", IMPORT_SHARE_COLUMNS, check)


GATEWAY_COLUMNS = (
    "wpi_number",
    "port_name",
    "iso3",
    "coast",
    "role",
    "source_title",
    "source_publisher",
    "source_url",
    "source_year",
    "source_date_read",
    "notes",
)


def load_gateway_ports(data_dir: Path, ports: dict[int, str] | None) -> LoadResult | None:
    """``data/gateway_ports.csv``: ports cited as gateways of the four countries' trade.

    Table columns: the file's, with ``wpi_number`` an int. A row is rejected when its
    number is not a World Port Index port of the loaded tables (``ports``: number -> ISO3),
    its country differs from the port's, or it cites no URL.
    """
    path = Path(data_dir) / "gateway_ports.csv"
    if not path.exists():
        return None
    rel = "data/gateway_ports.csv"
    header, rows = read_csv_text(path, "utf-8-sig")
    missing = [c for c in GATEWAY_COLUMNS if c not in header]
    if missing:
        raise SourceFormatError(rel, 0, ", ".join(missing), f"expected columns {list(GATEWAY_COLUMNS)}")
    ix = {c: header.index(c) for c in GATEWAY_COLUMNS}
    ledger = RowLedger(rel)
    recs = []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        r: dict[str, object] = {c: clean_text(raw[ix[c]]) for c in GATEWAY_COLUMNS}
        try:
            if not str(r["wpi_number"]).isdigit():
                raise ValueError(r["wpi_number"])
            number = int(str(r["wpi_number"]))
        except ValueError:
            ledger.reject(i, "wpi_number", r["wpi_number"], "expected a World Port Index Number")
            continue
        if ports is not None and number not in ports:
            ledger.reject(i, "wpi_number", number, "not a port of the loaded World Port Index table")
            continue
        if ports is not None and ports[number] != r["iso3"]:
            ledger.reject(i, "iso3", r["iso3"], f"the port is in {ports[number]}")
            continue
        if not str(r["source_url"]).startswith(("http://", "https://")):
            ledger.reject(i, "source_url", r["source_url"], "every row must cite a source URL")
            continue
        recs.append({"row": i, **r, "wpi_number": number})
        ledger.load(i)
    return ledger.finish(SOURCE, len(rows), pd.DataFrame.from_records(recs))
