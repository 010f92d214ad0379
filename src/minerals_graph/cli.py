"""The ``minerals-graph`` command line. It only translates arguments into library calls.

Every command that reads data takes ``--sources DIR``: a folder of raw public files
(the ``../shared/data`` layout) or of curated tables (default: the bundled ``data/``).
Bad input ends in one clear line on stderr and exit status 2, never a traceback: values
the schema decides (stage, kind, commodity id, limit, port) are checked while parsing,
before anything is built; values the data decides (a country of the graph, a data year,
a modelled commodity) right after the load, each naming the nearest valid choice.
"""

from __future__ import annotations

import argparse
import logging
import re
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import pandas as pd

from minerals_graph import __version__, settings
from minerals_graph.errors import (
    InvalidInputError,
    MineralsGraphError,
    UnknownCommodityError,
    choices_text,
    nearest,
)
from minerals_graph.model import ModelConfig, SupplyModel
from minerals_graph.schema import EDGE_KINDS, NODE_KINDS, STAGES, commodity_by_id

log = logging.getLogger("minerals_graph")
T = TypeVar("T")


def _progress(total: int, desc: str):  # pragma: no cover - cosmetic
    """A progress bar on stderr with ``total`` real steps; silent when stderr is not a TTY."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, disable=not sys.stderr.isatty(), leave=False, unit="step")


class _Steps:
    """Named steps on one progress bar: ``with _Steps(n, "job") as s: s.run("name", fn)``
    shows the step being done, then counts it. Quiet when stderr is not a TTY."""

    def __init__(self, total: int, desc: str) -> None:
        self._bar = _progress(total, desc)

    def __enter__(self) -> _Steps:
        self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.__exit__(*exc)

    def describe(self, what: str) -> None:
        """Show the step now being done."""
        self._bar.set_description_str(what)

    def done(self, next_step: str) -> None:
        """Count one step as done and show the next."""
        self._bar.update(1)
        self._bar.set_description_str(next_step)

    def run(self, what: str, fn: Callable[[], T]) -> T:
        self._bar.set_description_str(what)
        try:
            return fn()
        finally:
            self._bar.update(1)


def _config(args: argparse.Namespace, *, with_maps: bool = True) -> ModelConfig:
    return ModelConfig(
        sources=Path(args.sources) if getattr(args, "sources", None) else None,
        trade_dir=Path(args.trade) if getattr(args, "trade", None) else None,
        with_maps=with_maps,
    )


def _load(args: argparse.Namespace) -> SupplyModel:
    """The one model every data-reading command works on."""
    from minerals_graph.model import SupplyModel

    cfg = _config(args)
    steps = SupplyModel.load_steps(cfg)
    with _Steps(len(steps), "loading") as bar:
        bar.describe(steps[0])
        after = dict(zip(steps, [*steps[1:], "done"], strict=True))
        model = SupplyModel.load(cfg, progress=lambda step: bar.done(after.get(step, step)))
    args._model = model  # main() warns about rejected inputs after an analysis command
    return model


def _sources_hint(args: argparse.Namespace) -> str:
    return f" --sources {args.sources}" if getattr(args, "sources", None) else ""


def warn_rejected_inputs(model: SupplyModel, args: argparse.Namespace) -> str | None:
    """One line when the inputs of ``model`` had rejected rows or values (the results
    leave them out), with the count and the command that lists them; None otherwise."""
    from minerals_graph import validate as v
    from minerals_graph.tables import is_raw_sources_dir

    try:
        acc = model.accounting()
    except MineralsGraphError:  # a model made from a graph alone has no row accounting
        return None
    rows, cells = int(acc["rejected"].sum()), int(acc["cells_rejected"].sum())
    if not rows and not cells:
        return None
    new = ""
    if args.sources and is_raw_sources_dir(Path(args.sources)):
        unknown = len(v.new_rejects(model.tables, v.read_known_rejects(settings.DATA_DIR)))
        new = f", {unknown} of them not in the documented {v.KNOWN_REJECTS_FILE}" if unknown else " (all documented)"
    return (
        f"warning: the inputs had {rows} rejected row(s) and {cells} rejected value(s){new}, left out of these "
        f"results; list them with `minerals-graph validate{_sources_hint(args)} --rejects rejects.csv`"
    )


#: ``--columns`` of the running command (set by :func:`main`); None: every column that fits.
_TABLE_COLUMNS: list[str] | None = None
#: Widest text cell shown by ``--format table`` (longer text ends in an ellipsis).
MAX_CELL = 40
#: Columns whose whole numbers are shown without a thousands separator.
_PLAIN_COLUMN = re.compile(r"year|rank|hs6|period|code|(^|_)id$", re.I)


def _display_value(v: object, plain: bool = False) -> str:
    """A cell rounded for display only (the data keep every digit); ``plain``: no thousands
    separator (years, ranks, codes)."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float | int):
        if abs(v) >= 1000 and not (plain and float(v).is_integer()):
            return f"{v:,.0f}"
        if isinstance(v, int) or float(v).is_integer():
            return str(int(v))
        return f"{v:.2f}".rstrip("0").rstrip(".")
    text = " ".join(str(v).split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def fit_table(df: pd.DataFrame, width: int, columns: Sequence[str] | None = None) -> tuple[str, list[str]]:
    """``df`` as text no wider than ``width`` (one column at least): numbers rounded, long
    text cut, ``columns`` (if given) chosen in that order, then as many of the rest as fit.
    Returns the text and the names of the columns left out."""
    if columns:
        unknown = [c for c in columns if c not in df.columns]
        if unknown:
            raise InvalidInputError("--columns", unknown[0], [str(c) for c in df.columns], expected="not a column")
        df = df[list(columns)]
    if not len(df.columns):
        return "(no columns)", []
    cells = {
        str(c): [_display_value(v, bool(_PLAIN_COLUMN.search(str(c)))) for v in df[c].tolist()] for c in df.columns
    }
    widths = {c: max([len(c), *map(len, vals)]) for c, vals in cells.items()}
    shown: list[str] = []
    used = 0
    for c in cells:
        need = widths[c] + (2 if shown else 0)
        if shown and used + need > width:
            break
        shown.append(c)
        used += need
    dropped = [c for c in cells if c not in shown]
    numeric = {str(c) for c in df.columns if pd.api.types.is_numeric_dtype(df[c])}

    def line(vals: list[str]) -> str:
        return "  ".join(
            (v.rjust(widths[c]) if c in numeric else v.ljust(widths[c])) for c, v in zip(shown, vals, strict=True)
        ).rstrip()[: max(width, 1)]

    out = [line(shown)]
    out += [line([cells[c][i] for c in shown]) for i in range(len(df))]
    return "\n".join(out), dropped


def _print_table(df: pd.DataFrame, fmt: str = "table") -> None:
    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=False, lineterminator="\n"))
    elif fmt == "json":
        sys.stdout.write(df.to_json(orient="records", force_ascii=False, indent=1) + "\n")
    elif not len(df):
        sys.stdout.write("(no rows)\n")
    else:
        import shutil

        text, dropped = fit_table(df, shutil.get_terminal_size((120, 24)).columns, _TABLE_COLUMNS)
        sys.stdout.write(text + "\n")
        if dropped:
            print(
                f"({len(dropped)} more column(s) not shown: {', '.join(dropped)}; choose with --columns, "
                "or use --format csv for all)",
                file=sys.stderr,
            )


# ---------------------------------------------------------------------------------------
# Commands


def _graph_file(path: str) -> Path:
    """``path`` if it names a graph file (.graphml or .json); checked before anything is built."""
    if Path(path).suffix.lower() not in (".graphml", ".json"):
        raise InvalidInputError("--out", path, expected="expected a .graphml or .json file name")
    return Path(path)


def cmd_build(args: argparse.Namespace) -> int:
    from minerals_graph import io

    out = _graph_file(args.out)
    G = _load(args).G
    io.save_graph(G, out)
    print(f"built {G.number_of_nodes()} nodes and {G.number_of_edges()} edges -> {out}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    import json

    from minerals_graph import validate as v
    from minerals_graph.errors import ValidationError
    from minerals_graph.tables import is_raw_sources_dir

    model = _load(args)
    tables, G = model.tables, model.G
    acc = model.accounting()
    # Machine-readable formats own stdout; everything said to a person goes to stderr.
    human = sys.stdout if args.format == "table" else sys.stderr
    totals = {k: int(acc[k].sum()) for k in ("read", "loaded", "excluded", "rejected", "cells_rejected")}
    raw = bool(args.sources) and is_raw_sources_dir(Path(args.sources))
    unread = v.unread_files(Path(args.sources), tables) if raw else pd.DataFrame(columns=["file", "reason"])
    data_dir = settings.DATA_DIR
    if raw and args.write_manifest:
        man = v.source_manifest(Path(args.sources), tables)
        man.to_csv(data_dir / v.MANIFEST_FILE, index=False, lineterminator="\n")
        known = v.write_known_rejects(tables, data_dir)
        print(
            f"manifest of {len(man)} files -> {data_dir / v.MANIFEST_FILE}; {len(known)} known rejects -> "
            f"{data_dir / v.KNOWN_REJECTS_FILE}",
            file=human,
        )
    manifest_problems: list[str] = []
    if raw:
        expected = v.read_manifest(data_dir)
        manifest_problems = (
            v.check_manifest(Path(args.sources), tables, expected)
            if expected is not None
            else [f"no {v.MANIFEST_FILE} in {data_dir}"]
        )
    if args.rejects:
        out = Path(args.rejects)
        out.parent.mkdir(parents=True, exist_ok=True)
        model.rejects().to_csv(out, index=False, lineterminator="\n")
        print(f"rejects report (rows, cells, exclusions with reasons) -> {out}", file=human)
    problems: list[str] = []
    try:
        v.validate(
            tables,
            G,
            strict=args.strict,
            known=v.read_known_rejects(data_dir) if raw else None,
            manifest_problems=manifest_problems,
        )
    except ValidationError as exc:
        problems = list(exc.problems) if hasattr(exc, "problems") else str(exc).splitlines()
    if args.format == "json":
        doc = {
            "accounting": json.loads(acc.to_json(orient="records")),
            "totals": totals,
            "unread_files": json.loads(unread.to_json(orient="records")),
            "manifest_problems": manifest_problems,
            "problems": problems,
            "strict": bool(args.strict),
            "ok": not problems,
        }
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    else:
        _print_table(acc, args.format)
    print(
        f"\nTOTAL read {totals['read']}  loaded {totals['loaded']}  excluded {totals['excluded']}  "
        f"rejected {totals['rejected']}  cells rejected {totals['cells_rejected']}",
        file=human,
    )
    if len(unread):
        print(f"\n{len(unread)} file(s) in {args.sources} are not read by any loader:", file=human)
        if args.format == "table":
            _print_table(unread.groupby("reason").size().reset_index(name="files"))
    if manifest_problems and not args.strict:
        print(
            f"\nwarning: the raw files differ from {v.MANIFEST_FILE} ({len(manifest_problems)} problem(s); "
            "--strict fails on them):",
            file=sys.stderr,
        )
        for p in manifest_problems[:20]:
            print(f"  {p}", file=sys.stderr)
    if problems:
        print("\nINVALID:", file=sys.stderr)
        for p in problems[:40]:
            print(f"  {p}", file=sys.stderr)
        return 1
    print(
        "\nOK: every row is accounted for and the graph matches the schema"
        + (" (strict: no reject beyond the known list, files as in the manifest)" if args.strict else ""),
        file=human,
    )
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from minerals_graph.lookup import commodity_records, find_nodes

    model = _load(args)
    if args.commodities or args.countries:
        if args.commodities:
            df = pd.DataFrame(commodity_records(model.G))
            df["modelled"] = df["id"].isin(model.commodities)
        else:
            G = model.G
            df = pd.DataFrame(
                [
                    {"iso3": d["iso3"], "name": d.get("name", ""), "aggregate": bool(d.get("aggregate", False))}
                    for d in (G.nodes[n] for n in find_nodes(G, kind="Country"))
                ],
                columns=["iso3", "name", "aggregate"],
            )
        _print_table(df, args.format)
        return 0
    for title, df in model.summary().items():
        print(f"\n== {title}")
        _print_table(df, args.format)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from minerals_graph import io

    args.format = args.format or {"geo": "geojson", "graph": "graphml"}.get(args.what, "csv")
    if args.kind is not None:
        if args.what not in ("nodes", "edges"):
            raise InvalidInputError(
                "--kind", args.kind, expected=f"only for 'export nodes' or 'export edges', not {args.what!r}"
            )
        kinds = sorted(NODE_KINDS if args.what == "nodes" else EDGE_KINDS)
        if args.kind not in kinds:
            raise InvalidInputError("--kind", args.kind, kinds, expected=f"not a kind of {args.what[:-1]}")
    if args.what == "geo" and args.format not in ("geojson", "gpkg"):
        raise InvalidInputError("--format", args.format, ["geojson", "gpkg"], expected="not a format of 'export geo'")
    if args.what != "geo" and args.format in ("geojson", "gpkg"):
        raise InvalidInputError("--format", args.format, expected="only for 'export geo'")
    if args.what == "graph" and args.format not in ("graphml", "json"):
        raise InvalidInputError("--format", args.format, ["graphml", "json"], expected="not a format of 'export graph'")
    if args.what in ("nodes", "edges") and args.format not in ("csv", "json"):
        raise InvalidInputError(
            "--format", args.format, ["csv", "json"], expected=f"not a format of 'export {args.what}'"
        )
    if args.what == "graph" and args.out:
        _graph_file(args.out)
    G = _load(args).G
    if args.what == "geo":
        paths = io.export_geo(G, Path(args.out or "out/geo"), args.format)
        print("wrote " + ", ".join(sorted({str(p) for p in paths.values()})))
        return 0
    out = Path(args.out) if args.out else Path("out") / f"{args.what}.{args.format}"
    if args.what == "nodes":
        n = io.export_nodes(G, out, args.format, kind=args.kind)
    elif args.what == "edges":
        n = io.export_edges(G, out, args.format, kind=args.kind)
    else:
        io.save_graph(G, out)
        n = G.number_of_nodes()
    print(f"wrote {n} {args.what if args.what != 'graph' else 'nodes (graph)'} -> {out}")
    return 0


def _commodities(model: SupplyModel, args: argparse.Namespace, *, modelled: bool = False) -> list[str]:
    """The ``--commodity`` values, each checked against the graph (and, with ``modelled``,
    against the modelled commodities), or every modelled commodity when none is given."""
    from minerals_graph.lookup import check_commodity

    if getattr(args, "commodity", None):
        return [
            check_commodity(
                model.G,
                c,
                "--commodity",
                modelled=model.commodities if modelled else None,
                hint="list them with `minerals-graph summary --commodities`",
            )
            for c in args.commodity
        ]
    return model.commodities


def _write_or_print(df: pd.DataFrame, args: argparse.Namespace) -> None:
    from minerals_graph import io

    if getattr(args, "out", None):
        out = io.write_table(df, Path(args.out), "json" if args.format == "json" else "csv")
        print(f"wrote {len(df)} rows -> {out}")
    else:
        _print_table(df if args.format == "json" else io.flat_table(df), args.format)


def cmd_dependence(args: argparse.Namespace) -> int:
    from minerals_graph.analysis import dependence as dep

    if args.what != "bands":
        for flag, value in (("--list", args.list), ("--counts", args.counts or None)):
            if value is not None:
                raise InvalidInputError(flag, value, expected=f"only for 'dependence bands', not {args.what!r}")
    if args.what in ("prc", "trade") and args.year is not None:
        raise InvalidInputError(
            "--year", args.year, expected=f"only for 'dependence nir' or 'bands', not {args.what!r}"
        )
    model = _load(args)
    if args.what == "nir":
        df = model.nir()
        if args.year is not None:
            years = sorted({int(y) for y in df["year"].dropna()})
            if args.year not in years:
                raise InvalidInputError("--year", args.year, years, expected="no net import reliance for that year")
            df = df[df["year"] == args.year]
        if args.commodity:
            df = df[df["commodity"].isin(_commodities(model, args))]
    elif args.what == "bands":
        year = args.year or model.latest_nir_year()
        if year is None:
            raise MineralsGraphError("no net import reliance in the graph: nothing to band")
        available = model.nir_years()
        if year not in available:
            raise InvalidInputError(
                "--year", year, available, expected="no USGS net import reliance (MCS Fig. 2) for that data year"
            )
        lst = args.list or (2025 if year >= 2025 else 2022)  # the list in force in that edition
        df = model.bands(year, lst)
        if args.counts:
            summary = dep.list_summary(df, group_lanthanides=lst == 2025)
            df = dep.band_counts(df)
            human = sys.stdout if args.format == "table" and not args.out else sys.stderr
            print(
                f"{lst} list, data year {year}: "
                + ", ".join(f"{k} {v}" for k, v in summary.items())
                + (
                    " (lanthanides counted once, as USGS's rare-earths chapter)"
                    if lst == 2025
                    else " (every listed mineral counted)"
                ),
                file=human,
            )
    elif args.what == "trade":
        df = model.trade_share_comparison()
        if args.commodity:
            df = df[df["commodity"].isin(_commodities(model, args))]
    elif args.commodity:  # only these: build only their networks
        wanted = _commodities(model, args, modelled=True)
        df = dep.prc_exposure(
            model.G, wanted, country=model.config.focus, params=model.config.params, networks=model.networks(wanted)
        )
    else:
        df = model.prc_exposure()
    _write_or_print(df, args)
    return 0


def cmd_controls(args: argparse.Namespace) -> int:
    from minerals_graph.lookup import check_commodity, check_country

    model = _load(args)
    if args.country:
        check_country(model.G, args.country, "--country", hint="list them with `minerals-graph summary --countries`")
    if args.commodity:
        check_commodity(model.G, args.commodity, "--commodity")
    rows = model.export_controls(args.country, args.commodity)
    _write_or_print(pd.DataFrame(rows, columns=["iso3", "commodity", "control_type", "year", "official_url"]), args)
    return 0


def cmd_chokepoints(args: argparse.Namespace) -> int:
    from minerals_graph.analysis.chokepoints import chokepoint_table

    model = _load(args)
    if args.commodity:  # only these: build only their networks
        wanted = _commodities(model, args, modelled=True)
        df = chokepoint_table(model.G, wanted, params=model.config.params, networks=model.networks(wanted))
    else:
        df = model.chokepoints()
    if args.stage:
        df = df[df["stage"] == args.stage]
    if args.limit is not None:
        df = df.groupby("commodity", sort=False).head(args.limit)
    _write_or_print(df, args)
    return 0


def cmd_whatif(args: argparse.Namespace) -> int:
    from minerals_graph.analysis import whatif as wi
    from minerals_graph.model import UnknownPresetError

    if not args.remove and not args.preset and not args.add and not args.list_presets:
        raise MineralsGraphError(
            "whatif: give --preset NAME, --remove FILTER or --add SPEC (`whatif --list-presets` lists the presets)"
        )
    filters: list = [wi.parse_filter(f) for f in args.remove or []]
    adds = [wi.parse_addition(a) for a in args.add or []]
    model = _load(args)
    presets = model.presets()
    if args.list_presets:
        rows = [
            {
                "name": k,
                "kind": p.kind,
                "in_force_since": p.date,
                "commodities": ", ".join(p.commodities) or "all modelled",
                "description": p.description,
                "citations": " | ".join(f"{lab} {url}".strip() for lab, url in p.citations),
            }
            for k, p in sorted(presets.items())
        ]
        _write_or_print(pd.DataFrame(rows), args)
        return 0
    own: list[str] = []
    for name in args.preset or []:
        if name not in presets:
            raise UnknownPresetError(name, presets)
        filters += list(presets[name].remove)
        own += list(presets[name].commodities) if presets[name].commodities else list(model.commodities)
    coms = _commodities(model, args) if args.commodity or not own else sorted(set(own))
    df = model.whatif(filters, adds, coms)
    _write_or_print(df, args)
    return 0


def cmd_transshipment(args: argparse.Namespace) -> int:
    from minerals_graph.lookup import check_country

    model = _load(args)
    df = model.transshipment()
    if args.test:
        df = df[df["test"].isin(args.test)]
    if args.country:
        hint = "list them with `minerals-graph summary --countries`"
        df = df[df["country"].isin([check_country(model.G, c, "--country", hint=hint) for c in args.country])]
    if args.commodity:
        df = df[df["commodity"].isin(_commodities(model, args))]
    if not args.all:
        df = df[df["flag"].astype(bool)]
    _write_or_print(df.reset_index(drop=True), args)
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    import json

    from minerals_graph.analysis.trace import trace_table

    model = _load(args)
    passport = model.trace(args.commodity, args.start)
    if args.format == "json":
        text = json.dumps(passport, indent=2, default=str)
        if args.out:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
        return 0
    if args.format == "table" and not args.out:
        focus = model.config.focus.lower()
        print(
            f"{passport['commodity']} from {passport['from']} ({passport.get('status', '')}): "
            f"{passport.get(f'{focus}_located_any_stage_pct')}% passed through a {model.config.focus}-located node, "
            f"{passport.get(f'{focus}_controlled_any_stage_pct')}% through a {model.config.focus}-controlled one"
        )
    _write_or_print(trace_table(passport), args)
    return 0


def cmd_invest(args: argparse.Namespace) -> int:
    from minerals_graph.analysis.invest import read_candidates

    model = _load(args)
    extra = tuple(read_candidates(Path(args.candidates))) if args.candidates else ()
    df, summary = model.invest(
        args.scenario,
        budget_count=None if args.budget_capacity_t and not args.budget_count else (args.budget_count or 5),
        budget_capacity_t=args.budget_capacity_t,
        extra=extra,
        commodities=_commodities(model, args, modelled=True) if args.commodity else None,
    )
    if not args.all:
        df = df[df["ranked"].astype(bool)]
    _write_or_print(df.reset_index(drop=True), args)
    if args.format == "table" and not args.out:
        chosen = ", ".join(f"{c['name']} ({c['commodity']})" for c in summary["chosen"]) or "none"
        budget = (
            f"{args.budget_capacity_t:,.0f} t/yr" if args.budget_capacity_t else f"{args.budget_count or 5} projects"
        )
        print(f"best combination ({args.scenario}, budget {budget}): {chosen}")
    return 0


def cmd_map(args: argparse.Namespace) -> int:
    from functools import partial

    from minerals_graph.maps import MODEL_PAGES, write_model_maps

    model = _load(args)
    coms = model.commodities
    with _Steps(len(coms) + 5 + len(MODEL_PAGES), "maps") as steps:
        for c in coms:
            steps.run(f"network {c}", partial(model.network, c))
        steps.run("chokepoints", model.chokepoints)
        steps.run("what-if prc-refining-cutoff", partial(model.preset, "prc-refining-cutoff"))
        steps.run("transshipment flags", model.transshipment)
        steps.run("investment ranking", model.invest)
        steps.run("country polygons", model.polygons)
        shown = write_model_maps(
            model,
            Path(args.out),
            offline=not args.cdn,
            progress=lambda page: steps.run(f"wrote {page}", lambda: None),
        )
    for page, layers in shown.items():
        print(f"{page:40s} {sum(layers.values()):6d} markers/lines in {len(layers)} layer(s)")
    print(f"-> {args.out}" + ("" if args.cdn else " (offline: Leaflet in assets/, no tiles)"))
    return 0


def cmd_neo4j(args: argparse.Namespace) -> int:
    """schema | load [--replace|--merge-only] [--dry-run] | query NAME --param k=v | export — against
    NEO4J_URI (env). Every driver or server error ends as one line (MineralsGraphError)."""
    from minerals_graph import io
    from minerals_graph import neo4j as mg

    if args.batch_size < 1:
        raise MineralsGraphError(f"--batch-size {args.batch_size}: expected a positive number of rows")
    params: dict = {}
    if args.action == "query":  # check the name and the parameters before connecting
        if not args.name:
            raise MineralsGraphError(f"neo4j query: give a NAME ({', '.join(mg.query_names())})")
        params = mg.bind_params(
            args.name, mg.parse_params(args.param or [], mg.query_parameters(args.name), query=args.name)
        )
    elif args.param:
        raise MineralsGraphError(f"--param is only for 'neo4j query', not 'neo4j {args.action}'")
    G = _load(args).G if args.action == "load" else None
    cfg = mg.Neo4jSettings.from_env()
    driver = mg.get_driver(cfg)
    try:
        if args.action == "schema":
            n = mg.apply_schema(driver, cfg.database)
            print(f"applied {n} constraint/index statements from cypher/schema.cypher")
        elif args.action == "load":
            mode = "replace" if args.replace else "merge" if args.merge_only else "sync"
            plan = mg.plan_load(G, driver, cfg.database, mode=mode)
            if args.dry_run:
                print(
                    f"dry run ({mode}): nothing written; the load would change {plan.changes} nodes and relationships"
                    if plan.changes
                    else f"dry run ({mode}): the database already equals the graph; nothing to change"
                )
                for line in plan.summary():
                    print(line)
                return 0
            if not args.no_schema:
                mg.apply_schema(driver, cfg.database)
            with _progress(plan.operations, "loading") as bar:
                mg.apply_load(
                    plan, driver, cfg.database, batch_size=args.batch_size, progress=lambda _k, n: bar.update(n)
                )
            for line in plan.summary(examples=0):
                print(line)
            c = mg.counts(driver, cfg.database)
            print(
                f"{mode}: sent {sum(plan.sent.values())} rows; database now holds {c['nodes']} nodes and "
                f"{c['relationships']} relationships"
            )
        elif args.action == "query":
            rows = mg.run_query(driver, args.name, params, cfg.database)
            _print_table(pd.DataFrame(rows), args.format)
        elif args.action == "export":
            G = mg.import_graph(driver, cfg.database)
            out = Path(args.out or "out/neo4j-export.graphml")
            io.save_graph(G, out)
            print(f"read {G.number_of_nodes()} nodes and {G.number_of_edges()} relationships -> {out}")
    finally:
        mg.close_driver()
    return 0


def listen_socket(host: str, port: int):
    """A socket bound to ``host:port`` (checked before anything is built): one line when
    the host does not resolve or the address is taken or not allowed."""
    import socket

    try:
        family, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[
            0
        ]
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidInputError("--host", host, expected=f"cannot be resolved ({exc})") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as exc:
        sock.close()
        raise MineralsGraphError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc} (choose another --port or --host)"
        ) from None
    return sock


def _no_cache_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="build the model from the sources; do not read or write the model cache "
        "(default folder ~/.cache/minerals-graph; MINERALS_GRAPH_CACHE_DIR overrides)",
    )


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the API with uvicorn: bind first, then build the graph and caches once, then serve.
    The maps' temporary folder is removed on shutdown and when the start fails."""
    import uvicorn

    from minerals_graph.api import create_app
    from minerals_graph.api.state import build_state

    sock = listen_socket(args.host, args.port)
    state = None
    # SIGTERM while building: leave through the finally below (uvicorn handles it once serving)
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        state = build_state(config=_config(args, with_maps=not args.no_maps), cache=not args.no_cache)
        signal.signal(signal.SIGTERM, previous)
        if args.workers > 1:  # the model cache is current now: each worker process reads it (docs/deploy.md)
            import os

            from uvicorn.supervisors import Multiprocess

            from minerals_graph.api import app as api

            state.close()
            state = None
            env = {api.ENV_SOURCES: args.sources, api.ENV_TRADE: args.trade}
            env |= {api.ENV_NO_MAPS: "1" if args.no_maps else None, api.ENV_NO_CACHE: "1" if args.no_cache else None}
            for k, v in env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            config = uvicorn.Config(
                "minerals_graph.api.app:app_from_env",
                factory=True,
                host=args.host,
                port=args.port,
                workers=args.workers,
                log_level="warning",
                lifespan="on",
            )
            print(f"serving on http://{args.host}:{args.port}/api/v1 with {args.workers} workers", flush=True)
            Multiprocess(config, sockets=[sock]).run()
            return 0
        # the lifespan removes the maps' folder on shutdown (uvicorn re-raises the signal afterwards)
        app = create_app(state=state, close_state=True)
        host = f"[{args.host}]" if ":" in args.host else args.host
        print(f"serving on http://{host}:{args.port}/api/v1 (OpenAPI: /docs, /redoc)", flush=True)
        server = uvicorn.Server(
            uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", workers=1, lifespan="on")
        )
        server.run(sockets=[sock])
        if not server.started:
            raise MineralsGraphError(f"the API did not start on {args.host}:{args.port} (see the log above)")
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
        if state is not None:
            state.close()
    return 0


def cmd_curate(args: argparse.Namespace) -> int:
    from minerals_graph.tables import is_raw_sources_dir, tables_from_sources, write_curated

    src = Path(args.sources or settings.SHARED_DATA_DIR)
    if not is_raw_sources_dir(src):
        raise MineralsGraphError(f"{src}: expected the raw public files (e.g. ../shared/data)")
    from minerals_graph.io import write_register_docs

    tables = tables_from_sources(src)
    counts = write_curated(tables, Path(args.out))
    for name, n in counts.items():
        print(f"{name:16s} {n:6d} rows -> {Path(args.out) / (name + '.csv')}")
    if (Path(args.out) / "README.md").exists():
        for p in write_register_docs(tables.places, Path(args.out)):
            print(f"register counts -> {p}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """The main job: build, validate, run every analysis and write the results under --out:
    the tables, the graph exports, the maps, the figures (``figures/``) and the briefing
    (``report.md``, self-contained ``report.html``). One progress bar counts the real steps."""
    from functools import partial

    from minerals_graph import io
    from minerals_graph import validate as v
    from minerals_graph.figures import FIGURES, write_figures
    from minerals_graph.maps import write_model_maps
    from minerals_graph.report import report_html, report_markdown, report_tables

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model = None
    if not args.no_cache:  # the model cache (minerals_graph.cache), written back at the end
        from minerals_graph.cache import read_cached_model

        model = args._model = read_cached_model(_config(args))
    fresh = model is None
    model = model or _load(args)
    coms = model.commodities
    presets = sorted(model.presets())
    total = 1 + len(coms) + 4 + len(presets) + 2 + 1 + 1 + len(FIGURES) + 1
    with _Steps(total, "main job") as steps:
        acc = steps.run("validating", lambda: v.validate(model.tables, model.G))
        for c in coms:
            steps.run(f"network {c}", partial(model.network, c))
        steps.run("chokepoints", model.chokepoints)
        steps.run("PRC exposure", model.prc_exposure)
        steps.run("trade exposure", model.trade_exposure)
        steps.run("import reliance", lambda: [model.nir(), *(model.bands(y) for y in (2023, 2024, 2025))])
        for p in presets:
            steps.run(f"what-if {p}", partial(model.preset, p))
        tables = steps.run("row accounting, rejects, trade shares", lambda: report_tables(model))

        def write_tables() -> None:
            for name, df in tables.items():
                io.write_table(df, out / name)

        steps.run(f"writing {len(tables)} tables", write_tables)

        def graph_files() -> None:
            io.save_graphml(model.G, out / "graph.graphml")
            io.save_json(model.G, out / "graph.json")
            io.export_nodes(model.G, out / "nodes.csv")
            io.export_edges(model.G, out / "edges.csv")

        steps.run("writing graph files", graph_files)
        maps_out = Path(args.maps)
        shown = steps.run("writing maps", lambda: write_model_maps(model, maps_out))
        figures = write_figures(model, out / "figures", progress=lambda stem: steps.run(f"figure {stem}", lambda: None))

        def write_report() -> None:
            (out / "report.md").write_text(report_markdown(model, figures=figures), encoding="utf-8")
            (out / "report.html").write_text(report_html(model, figures=figures), encoding="utf-8")

        steps.run("writing report", write_report)
    G = model.G
    print(
        f"graph: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges; rows read {acc['read'].sum()}, "
        f"loaded {acc['loaded'].sum()}, excluded {acc['excluded'].sum()}, rejected {acc['rejected'].sum()}"
    )
    print(f"wrote {', '.join(tables)}, graph.graphml, graph.json, nodes.csv, edges.csv -> {out}")
    print(f"wrote figures {', '.join(f'{s}.png/.svg' for s in figures)} -> {out / 'figures'}")
    print(f"wrote report.md, report.html (self-contained) -> {out}")
    print(f"wrote maps {', '.join(shown)} -> {maps_out}")
    if fresh and not args.no_cache:
        from minerals_graph.cache import write_cached_model

        write_cached_model(model)
    return 0


# ---------------------------------------------------------------------------------------
# Parser


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: what is wrong, the nearest valid
    choice, and where the help is (argparse prints the usage first otherwise)."""

    def error(self, message: str):
        import re

        m = re.search(r"invalid choice: '?(.*?)'? \(choose from (.*)\)", message)
        if m:
            near = nearest(m.group(1), [c.strip(" '") for c in m.group(2).split(",")])
            if near:
                message += f"; did you mean {near[0]!r}?"
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: expected 1 or more")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value}: a TCP port is 1 to 65535")
    return value


def _year(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year") from None
    if not 1900 <= value <= 2100:
        raise argparse.ArgumentTypeError(f"{value}: expected a data year such as 2024")
    return value


def _commodity_arg(text: str) -> str:
    try:
        commodity_by_id(text)
    except UnknownCommodityError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _choice_arg(choices: Sequence[str], what: str) -> Callable[[str], str]:
    def check(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(f"{text!r} is not a valid {what}; {choices_text(text, list(choices))}")
        return text

    return check


def _sources_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sources",
        metavar="DIR",
        default=None,
        help="raw public files (e.g. ../shared/data) or curated tables (default: bundled data/)",
    )
    p.add_argument(
        "--trade",
        metavar="DIR",
        default=None,
        help="folder of CEPII BACI files (BACI_*.csv + country_codes_*.csv) to add bilateral flows",
    )


def _output_args(p: argparse.ArgumentParser, out_help: str = "write to a file instead of printing") -> None:
    """``--format table|csv|json`` and ``--out FILE`` of an analysis command."""
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--out", help=out_help)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="minerals-graph",
        description="The critical-minerals supply chain as a property graph built from public sources.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("build", help="build the graph and save it (GraphML or node-link JSON)")
    _sources_arg(p)
    p.add_argument("--out", default="out/graph.graphml", help="output file, .graphml or .json")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("validate", help="rows read / loaded / excluded / rejected per file; schema checks")
    _sources_arg(p)
    p.add_argument("--strict", action="store_true", help="exit non-zero if any row was rejected")
    p.add_argument("--rejects", metavar="FILE", help="write every reject and exclusion with its reason (CSV)")
    p.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="json/csv: only the machine-readable result on stdout, messages on stderr",
    )
    p.add_argument(
        "--write-manifest",
        action="store_true",
        help="with raw --sources: write data/sources_manifest.csv (path, size, sha256, rows) and "
        "data/known_rejects.csv (keeping the notes already written)",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("summary", help="node and edge counts by kind and source; facilities by country x stage")
    _sources_arg(p)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--commodities", action="store_true", help="list the commodity ids (and which are modelled)")
    g.add_argument("--countries", action="store_true", help="list the countries' ISO3 codes")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("export", help="export nodes, edges or the whole graph")
    _sources_arg(p)
    p.add_argument("what", choices=("nodes", "edges", "graph", "geo"))
    p.add_argument(
        "--format",
        choices=("csv", "json", "graphml", "geojson", "gpkg"),
        default=None,
        help="nodes/edges: csv (default) or json; graph: graphml or json; geo: geojson (default) or gpkg",
    )
    p.add_argument(
        "--kind",
        help=f"only nodes/edges of this kind: nodes {', '.join(NODE_KINDS)}; edges e.g. PRODUCES, TRADES",
    )
    p.add_argument("--out", help="output file (default: out/<what>.<format>)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("dependence", help="net import reliance (recomputed vs published), bands, PRC exposure")
    _sources_arg(p)
    p.add_argument(
        "what",
        choices=("nir", "bands", "prc", "trade"),
        nargs="?",
        default="prc",
        help="trade: USGS import-source shares next to BACI's bilateral shares",
    )
    p.add_argument(
        "--year",
        type=_year,
        default=None,
        help="data year for bands (2023: MCS 2024, 2024: MCS 2025, 2025: MCS 2026; default: the latest) "
        "or nir (only that year)",
    )
    p.add_argument(
        "--list",
        type=int,
        choices=(2022, 2025),
        default=None,
        help="bands: the U.S. critical-minerals list (2022: 50 minerals; 2025: 60); default: the list "
        "in force in the data year's edition (2025 from data year 2025)",
    )
    p.add_argument("--counts", action="store_true", help="bands: counts per band instead of one row per mineral")
    p.add_argument("--commodity", action="append", type=_commodity_arg, help="limit to a commodity id (repeatable)")
    _output_args(p, "write to a file (csv or json by --format) instead of printing")
    p.set_defaults(func=cmd_dependence)

    p = sub.add_parser("controls", help="export controls in force by country and commodity (USGS MCS 2026 T4)")
    _sources_arg(p)
    p.add_argument("--country", help="ISO3 code of the controlling country, e.g. CHN")
    p.add_argument("--commodity", type=_commodity_arg, help="commodity id, e.g. gallium")
    _output_args(p, "write to a file (csv or json by --format) instead of printing")
    p.set_defaults(func=cmd_controls)

    p = sub.add_parser("chokepoints", help="ranked chokepoints on U.S. supply paths (N-1, SPOF, cuts, HHI)")
    _sources_arg(p)
    p.add_argument(
        "--commodity",
        action="append",
        type=_commodity_arg,
        help="commodity id (repeatable; default: all modelled)",
    )
    p.add_argument(
        "--stage",
        type=_choice_arg((*STAGES, "port"), "stage"),
        help=f"only nodes of this stage: {', '.join(STAGES)}, port",
    )
    p.add_argument("--limit", type=_positive_int, default=None, help="top N per commodity (default: all)")
    _output_args(p)
    p.set_defaults(func=cmd_chokepoints)

    p = sub.add_parser(
        "whatif",
        help="remove nodes / add capacity and report supply before and after",
        description="Filters: key=value[,value];key=value … with keys country, control, stage, "
        "role (mine, facility, rest, country, port), id, port (WPI number), "
        "commodity. Presets: prc-refining-cutoff, prc-mining-cutoff, prc-all-cutoff and one per PRC "
        "export control in force (prc-export-control-<commodity>, prc-export-controls-all): "
        "see --list-presets.",
    )
    _sources_arg(p)
    p.add_argument("--preset", action="append", help="named scenario (repeatable)")
    p.add_argument("--list-presets", action="store_true", help="list the presets with their citations and dates")
    p.add_argument("--remove", action="append", metavar="FILTER", help="e.g. 'country=CHN;stage=separation'")
    p.add_argument(
        "--add",
        action="append",
        metavar="SPEC",
        help="e.g. 'commodity=rare_earths,iso3=CAN,capacity_t=5000,stage=separation,name=New plant[,dest=USA]' "
        "(any country; after its own demand the output goes to its export partners by trade share, or to dest)",
    )
    p.add_argument("--commodity", action="append", help="commodity id (repeatable; default: all modelled)")
    _output_args(p)
    p.set_defaults(func=cmd_whatif)

    p = sub.add_parser(
        "transshipment",
        help="possible pass-through countries: mass balance, export rises matched by PRC imports, source gaps",
    )
    _sources_arg(p)
    p.add_argument("--test", action="append", choices=("mass-balance", "rise", "source-gap"), help="repeatable")
    p.add_argument("--country", action="append", help="ISO3 (repeatable)")
    p.add_argument("--commodity", action="append", help="commodity id (repeatable)")
    p.add_argument("--all", action="store_true", help="also the rows tested and not flagged")
    _output_args(p)
    p.set_defaults(func=cmd_transshipment)

    p = sub.add_parser(
        "trace",
        help="product passport: upstream supply of a commodity by stage, country of location and of control",
    )
    _sources_arg(p)
    p.add_argument("--commodity", required=True, type=_commodity_arg, help="a modelled commodity, e.g. rare_earths")
    p.add_argument(
        "--from", dest="start", required=True, help="USA, CAN, MEX, USMCA or a plant id (facility:…, fac:facility:…)"
    )
    _output_args(p, "write to a file instead of printing (JSON or CSV to attach to a shipment record)")
    p.set_defaults(func=cmd_trace)

    p = sub.add_parser(
        "invest",
        help="rank North American projects by the USMCA shortfall each removes under a scenario",
    )
    _sources_arg(p)
    p.add_argument("--scenario", default="prc-refining-cutoff", help="a preset (whatif --list-presets)")
    p.add_argument("--budget-count", type=_positive_int, help="projects in the combination (default 5)")
    p.add_argument("--budget-capacity-t", type=float, help="total added capacity allowed (t/yr)")
    p.add_argument("--candidates", help="CSV of more candidates: id,name,iso3,commodity,stage,capacity_t")
    p.add_argument("--commodity", action="append", help="only these commodities (repeatable)")
    p.add_argument("--all", action="store_true", help="also the candidates that cannot be ranked, with the reason")
    _output_args(p)
    p.set_defaults(func=cmd_invest)

    p = sub.add_parser("map", help="write the interactive maps (offline by default)")
    _sources_arg(p)
    p.add_argument("--out", default=str(settings.MAPS_DIR), help="output folder (default: maps/)")
    p.add_argument("--cdn", action="store_true", help="load Leaflet from its CDN and show OpenStreetMap tiles")
    p.set_defaults(func=cmd_map)

    p = sub.add_parser(
        "neo4j",
        help="Neo4j: apply the schema, sync the graph into it, run a Cypher query, export back",
        description="Connection from the environment: NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, "
        "NEO4J_DATABASE. Queries: cypher/queries/*.cypher.",
    )
    _sources_arg(p)
    p.add_argument("action", choices=("schema", "load", "query", "export"))
    p.add_argument("name", nargs="?", help="query name (for 'query'), e.g. prc_controlled_capacity")
    p.add_argument(
        "--param",
        action="append",
        metavar="K=V",
        help="query parameter, typed as the query's header declares; a list: a,b or one item a or JSON '[\"a\"]'",
    )
    p.add_argument("--batch-size", type=_positive_int, default=1000, help="rows per load transaction")
    p.add_argument("--no-schema", action="store_true", help="load without applying cypher/schema.cypher first")
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--replace", action="store_true", help="load: delete every project node (:MGNode) first, then load everything"
    )
    g.add_argument(
        "--merge-only",
        action="store_true",
        help="load: MERGE every node and relationship, delete nothing (default: sync, i.e. also "
        "delete what the graph no longer has)",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="load: print what would be created, updated and deleted; write nothing"
    )
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--out", help="export: output file (.graphml or .json)")
    p.set_defaults(func=cmd_neo4j)

    p = sub.add_parser("serve", help="run the read-only web API (FastAPI; OpenAPI at /docs)")
    _sources_arg(p)
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="TCP port, 1-65535 (default 8000)")
    p.add_argument("--no-maps", action="store_true", help="do not generate the maps at start-up")
    _no_cache_arg(p)
    p.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="worker processes (default 1); each loads the cached model (docs/deploy.md)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("curate", help="derive the bundled data/ tables from the raw public files")
    p.add_argument("--sources", metavar="DIR", default=None, help="raw public files (default: ../shared/data)")
    p.add_argument("--out", default=str(settings.DATA_DIR), help="folder to write (default: data/)")
    p.set_defaults(func=cmd_curate)

    p = sub.add_parser("run", help="the main job: build, validate, all analyses, exports and report (to --out)")
    _sources_arg(p)
    p.add_argument("--out", default=str(settings.REPORTS_DIR), help="output folder (default: reports/)")
    p.add_argument("--maps", default=str(settings.MAPS_DIR), help="maps folder (default: maps/)")
    _no_cache_arg(p)
    p.set_defaults(func=cmd_run)
    for sp in sub.choices.values():
        if any(a.dest == "format" and a.choices and "table" in a.choices for a in sp._actions):
            sp.add_argument(
                "--columns",
                type=lambda text: [c.strip() for c in text.split(",") if c.strip()],
                metavar="COL,COL",
                help="--format table: the columns to show, in order (default: as many as fit the terminal)",
            )
    return parser


#: Commands whose results leave out rejected input rows or values: they say so (one line).
ANALYSIS_COMMANDS = ("dependence", "controls", "chokepoints", "whatif", "summary")


def _one_line(exc: BaseException) -> str:
    """The error as one line: its first line, the first detail when the first line only
    announces a list, and how many lines were left out."""
    lines = [x.strip() for x in str(exc).splitlines() if x.strip()] or [type(exc).__name__]
    head, rest = lines[0], lines[1:]
    if head.endswith(":") and rest:
        head, rest = f"{head} {rest[0].lstrip('- ')}", rest[1:]
    if rest:
        head += f" (and {len(rest)} more; -v shows them)"
    return head


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command. Errors end in one line on stderr and exit status 2 (1 for a failed
    ``validate``), never a traceback: a :class:`MineralsGraphError` says what is wrong; any
    other exception is a bug, reported in one line (with ``-v``, its traceback)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    func: Callable[[argparse.Namespace], int] = args.func
    global _TABLE_COLUMNS
    _TABLE_COLUMNS = getattr(args, "columns", None)
    try:
        rc = func(args)
    except KeyboardInterrupt:
        print("minerals-graph: interrupted", file=sys.stderr)
        return 130
    except (MineralsGraphError, OSError) as exc:
        print(f"minerals-graph: error: {_one_line(exc)}", file=sys.stderr)
        if args.verbose:
            for line in str(exc).splitlines()[1:]:
                print(f"  {line}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: still one line (the traceback with -v)
        log.debug("unexpected error", exc_info=True)
        if args.verbose:
            import traceback

            traceback.print_exc()
        where = f" in {args.command}" if getattr(args, "command", None) else ""
        print(
            f"minerals-graph: error: unexpected {type(exc).__name__}{where}: {_one_line(exc)} "
            "(a bug: please report it with the command; -v shows the traceback)",
            file=sys.stderr,
        )
        return 3
    model = getattr(args, "_model", None)
    if rc == 0 and model is not None and args.command in ANALYSIS_COMMANDS:
        warning = warn_rejected_inputs(model, args)
        if warning:
            print(warning, file=sys.stderr)
    return rc
