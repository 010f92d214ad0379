"""All benchmarks in one run; writes benchmarks/RESULTS.md.

Run (from the repository root, after ``bash scripts/setup.sh``):

    .venv/bin/python benchmarks/run.py            # about 5-10 minutes on 2 cores

Everything is measured in the same run, as ratios against a baseline measured beside it:
1. build the full graph from ../shared/data vs only parsing the same raw files with pandas;
2. the N-1 chokepoint scan vs the naive approach (remove each node, recompute max-flow from
   scratch with networkx) on the full graph: identical results required, speed-up reported;
3. what-if latency: prc-refining-cutoff and single-node removals, cold and cached;
4. scale: SYNTHETIC graphs 10x and 100x the embedded graph (benchmarks/synthetic.py): build
   time, peak memory and analysis time, each in its own process;
5. the web API under load (benchmarks/api_load.py): p50/p95/p99 and errors;
6. the web API under wrk, 100 connections for 60 s on the full data (benchmarks/load.py):
   requests/s against a bare FastAPI endpoint, latency, errors, the server's memory.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("MINERALS_GRAPH_SHARED_DATA", ROOT.parent / "shared" / "data"))


def timed(fn, repeat: int = 1):
    best, value = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t)
    return best, value


def bench_build() -> dict:
    import geopandas as gpd
    import pandas as pd

    from minerals_graph.build import graph_from_tables
    from minerals_graph.tables import load_tables

    def parse_only():
        n = 0
        for p in sorted(SHARED.rglob("*.csv")):
            enc = "cp1252" if p.name in ("Descr_Sum.csv", "GeolMinOcc.csv", "References.csv") else "utf-8-sig"
            n += len(pd.read_csv(p, dtype=str, encoding=enc))
        n += len(gpd.read_file(SHARED / "usgs_indopac_mineral_facilities/INDOPAC_Mineral_facilities.geojson"))
        n += len(gpd.read_file(f"zip://{SHARED / 'natural_earth_admin0_110m/ne_110m_admin_0_countries.zip'}"))
        return n

    t_parse, rows = timed(parse_only, 3)
    t_build, G = timed(lambda: graph_from_tables(load_tables(SHARED)), 3)
    return {
        "raw_rows_parsed": rows,
        "parse_only_s": round(t_parse, 3),
        "build_s": round(t_build, 3),
        "ratio_build_over_parse": round(t_build / t_parse, 2),
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
    }


def bench_n1(model) -> dict:
    from minerals_graph.analysis.chokepoints import n_minus_1, n_minus_1_naive

    nets = {c: n for c, n in model.networks().items() if "demand:USA" in n}
    t_naive, naive = timed(lambda: {c: n_minus_1_naive(n) for c, n in nets.items()})
    t_fast, fast = timed(lambda: {c: n_minus_1(n) for c, n in nets.items()}, 3)
    identical = naive == fast
    return {
        "commodities": len(nets),
        "nodes_scanned": sum(len(v) for v in fast.values()),
        "naive_s": round(t_naive, 3),
        "fast_s": round(t_fast, 4),
        "speedup": round(t_naive / t_fast, 1),
        "identical": identical,
    }


def bench_whatif(model) -> dict:
    """What-if latency through the model (networks already built: what the API does)."""
    from minerals_graph.analysis import whatif as wi

    coms = model.commodities
    model.networks()
    t_cold, _ = timed(lambda: model.preset("prc-refining-cutoff"))
    t_hot, _ = timed(lambda: model.preset("prc-refining-cutoff"), 5)
    f = (wi.NodeFilter(ids=frozenset({"out:CHN"})),)
    t_one_cold, _ = timed(lambda: model.whatif(f, (), ["rare_earths"]))
    t_one_hot, _ = timed(lambda: model.whatif(f, (), ["rare_earths"]), 5)
    return {
        "prc_refining_cutoff_all_commodities_cold_s": round(t_cold, 3),
        "prc_refining_cutoff_cached_ms": round(1000 * t_hot, 3),
        "single_node_removal_cold_ms": round(1000 * t_one_cold, 1),
        "single_node_removal_cached_ms": round(1000 * t_one_hot, 3),
        "commodities": len(coms),
    }


SCALE_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {src!r}); sys.path.insert(0, {root!r})
from minerals_graph.tables import load_tables
from minerals_graph.build import graph_from_tables
from minerals_graph.model import SupplyModel
from benchmarks.synthetic import synthetic_tables
base = load_tables()
t = time.perf_counter(); T = synthetic_tables(base, {factor}); G = graph_from_tables(T); build = time.perf_counter() - t
m = SupplyModel.from_graph(G, T); coms = m.commodities
t = time.perf_counter(); ck = m.chokepoints(); t_ck = time.perf_counter() - t   # includes building the networks
t = time.perf_counter(); w = m.preset("prc-refining-cutoff"); t_w = time.perf_counter() - t
t = time.perf_counter(); nir = m.nir(); pe = m.prc_exposure()
b = [m.bands(y) for y in (2023, 2024)]; t_dep = time.perf_counter() - t
print(json.dumps(dict(factor={factor}, nodes=G.number_of_nodes(), edges=G.number_of_edges(), build_s=round(build, 2),
      peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
      chokepoints_all_s=round(t_ck, 2), chokepoint_rows=len(ck), commodities=len(coms),
      whatif_prc_refining_cutoff_all_s=round(t_w, 2), dependence_s=round(t_dep, 2))))
"""


def bench_scale(factors=(1, 10, 100)) -> list[dict]:
    out = []
    for f in factors:
        code = SCALE_CHILD.format(src=str(ROOT / "src"), root=str(ROOT), factor=f)
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900, check=False)
        if res.returncode != 0:
            out.append({"factor": f, "error": res.stderr.strip().splitlines()[-1:]})
        else:
            out.append(json.loads(res.stdout.strip().splitlines()[-1]))
    return out


def machine() -> dict:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = ""
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def main() -> int:
    from minerals_graph.model import SupplyModel

    t0 = time.perf_counter()
    results = {"machine": machine()}
    print("1/6 build vs parse ...", flush=True)
    results["build"] = bench_build()
    full = SupplyModel.load(sources=SHARED)
    print("2/6 N-1 scan vs naive ...", flush=True)
    results["n1"] = bench_n1(full)
    print("3/6 what-if latency ...", flush=True)
    results["whatif"] = bench_whatif(full)
    print("4/6 scale (synthetic 1x, 10x, 100x) ...", flush=True)
    results["scale"] = bench_scale()
    print("5/6 API load ...", flush=True)
    from benchmarks.api_load import run as api_run

    results["api"] = api_run(requests=400, concurrency=8, seconds=120)
    print("6/6 load with wrk (100 connections, 60 s) ...", flush=True)
    from benchmarks.load import run as load_run

    results["load"] = load_run()
    results["total_s"] = round(time.perf_counter() - t0, 1)
    results["peak_rss_mb_runner"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    write_results(results)
    print(json.dumps(results, indent=1))
    return 0 if results["n1"]["identical"] and results["load"]["ok"] else 1


def write_results(r: dict) -> None:
    m, b, n, w = r["machine"], r["build"], r["n1"], r["whatif"]
    lines = [
        "# Benchmark results",
        "",
        "Generated by `.venv/bin/python benchmarks/run.py` (one run; every ratio is against a baseline measured in "
        "the same run). Do not edit by hand.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}, {m['platform']}. "
        f"Total time: {r['total_s']} s.",
        "",
        "## 1. Build the full graph vs parse the raw files",
        "",
        "| parse only (pandas/geopandas) | build (load, validate rows, crosswalk, graph) | ratio | nodes | edges |",
        "|---|---|---|---|---|",
        f"| {b['parse_only_s']} s ({b['raw_rows_parsed']} rows) | {b['build_s']} s | {b['ratio_build_over_parse']}x "
        f"| {b['nodes']} | {b['edges']} |",
        "",
        "## 2. N-1 chokepoint scan (full graph, every modelled commodity)",
        "",
        "| naive (copy, remove, networkx max-flow) | project (zero-flow skip + igraph max-flow) | speed-up | "
        "identical results | nodes scanned |",
        "|---|---|---|---|---|",
        f"| {n['naive_s']} s | {n['fast_s']} s | **{n['speedup']}x** | {n['identical']} | {n['nodes_scanned']} "
        f"({n['commodities']} commodities) |",
        "",
        "## 3. What-if latency (full graph)",
        "",
        "| scenario | cold | cached |",
        "|---|---|---|",
        f"| prc-refining-cutoff, {w['commodities']} commodities | {w['prc_refining_cutoff_all_commodities_cold_s']} s "
        f"| {w['prc_refining_cutoff_cached_ms']} ms |",
        f"| single-node removal (out:CHN, rare earths) | {w['single_node_removal_cold_ms']} ms | "
        f"{w['single_node_removal_cached_ms']} ms |",
        "",
        "## 4. Scale (SYNTHETIC copies of the embedded graph, benchmarks/synthetic.py)",
        "",
        "| factor | nodes | edges | build | peak RSS | chokepoints (all modelled commodities) | PRC cut-off (all) | "
        "NIR, bands, PRC exposure |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in r["scale"]:
        if "error" in s:
            lines.append(f"| {s['factor']} | error: {s['error']} |||||||")
        else:
            lines.append(
                f"| {s['factor']}x | {s['nodes']} | {s['edges']} | {s['build_s']} s | {s['peak_rss_mb']} MB | "
                f"{s['chokepoints_all_s']} s ({s['commodities']}) | {s['whatif_prc_refining_cutoff_all_s']} s | "
                f"{s['dependence_s']} s |"
            )
    a = r["api"]
    lines += [
        "",
        f"## 5. Web API under load ({a['concurrency']} concurrent clients, serve on 127.0.0.1, "
        f"start-up {a['startup_s']} s, {a['wall_s']} s of load)",
        "",
        "| endpoint | requests | errors | p50 | p95 | p99 |",
        "|---|---|---|---|---|---|",
    ]
    for name, e in a["endpoints"].items():
        lines.append(
            f"| {name} | {e['requests']} | {e['errors']} | {e['p50_ms']} ms | {e['p95_ms']} ms | {e['p99_ms']} ms |"
        )
    raw = {k: v for k, v in r.items() if k != "load"}  # the load section carries its own
    lines += ["", "Raw numbers:", "", "```json", json.dumps(raw, indent=1), "```", ""]
    if "load" in r:
        from benchmarks.load import section

        lines += [section(r["load"]), ""]
    (ROOT / "benchmarks" / "RESULTS.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
