"""Load benchmark of ``minerals-graph serve`` with a real load generator (wrk).

Run (from the repository root, after ``bash scripts/setup.sh``; as root it installs wrk from
Debian when missing):

    .venv/bin/python benchmarks/load.py [--connections 100] [--seconds 60] [--write]

What it does, bounded in time and only against 127.0.0.1:
1. baseline: a bare FastAPI endpoint returning a constant, on the same uvicorn (one worker),
   under the same wrk settings for ``--baseline-seconds``: the machine's ceiling for the ratio;
2. starts ``serve --sources ../shared/data --no-maps`` (the full graph) on a free port and
   waits until ``/api/v1/health`` answers; records the server's RSS (``VmRSS``);
3. warm-up: the same mix for ``--warmup-seconds`` (not counted), then the server's RSS
   (``rss_start_mb``): the baseline for memory, with the what-if cache already filling;
4. ``--seconds`` of wrk with ``--connections`` connections over the endpoint mix of
   ``benchmarks/load_mix.lua`` (health, lists, node pages and details, chokepoints,
   dependence, export controls, a cached preset and cold what-ifs: POST bodies never sent
   before, so each is computed), sampling the server's RSS every second;
5. stops the server. Checks: 0 errors (socket errors, timeouts, non-2xx) and RSS at the end
   within 10% of ``rss_start_mb``. Exit status 1 when a check fails.

``--write`` replaces the load section of ``benchmarks/RESULTS.md`` (``benchmarks/run.py``
writes the whole file, this section included).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
SHARED = Path(os.environ.get("MINERALS_GRAPH_SHARED_DATA", ROOT.parent / "shared" / "data"))
LUA = ROOT / "benchmarks" / "load_mix.lua"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
BEGIN, END = "<!-- load:begin (benchmarks/load.py) -->", "<!-- load:end -->"
COMMODITIES = ("rare_earths", "lithium", "cobalt", "graphite", "gallium", "nickel", "antimony", "manganese")

BASELINE_APP = r"""
import sys, uvicorn
from fastapi import FastAPI
app = FastAPI()
@app.get("/api/v1/health")
def health():
    return {"status": "ok"}
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", workers=1)
"""


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian (``apt-get install -y wrk``) when run as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env, stdout=subprocess.DEVNULL, timeout=600
        )
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("load: wrk not found; install it (Debian: apt-get install wrk) or run this as root")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident set size of a process (VmRSS), MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"load: the server exited with {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"load: the server did not answer within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def node_ids(base: str) -> list[str]:
    """A few real node ids of each kind, for the node-detail requests."""
    ids = ["country:CHN", "country:USA", "country:CAN", "country:MEX"]
    for kind in ("Facility", "Site", "Port", "Company", "Commodity"):
        try:
            with urllib.request.urlopen(f"{base}/api/v1/nodes?kind={kind}&limit=6", timeout=30) as r:
                ids += [n["id"] for n in json.loads(r.read())["data"]]
        except OSError as exc:  # the load itself counts such errors; keep the country ids
            print(f"load: could not list {kind} nodes: {exc}", file=sys.stderr)
    return [i for i in ids if "," not in i and " " not in i]


def run_wrk(wrk: str, url: str, connections: int, seconds: float, env: dict[str, str], script: Path | None) -> dict:
    cmd = [wrk, "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "30s", "--latency"]
    if script is not None:
        cmd += ["-s", str(script)]
    res = subprocess.run([*cmd, url], capture_output=True, text=True, env=env, timeout=seconds + 120, check=False)
    if res.returncode != 0:
        raise SystemExit(f"load: wrk failed ({res.returncode}): {res.stderr.strip()[-500:]}")
    shown = " ".join(Path(c).name if c == wrk else c for c in cmd).replace(f"{ROOT}/", "")
    out = {"command": f"{shown} {url}", "stdout": res.stdout}
    for line in res.stdout.splitlines():
        if line.startswith("MG_RESULT "):
            out.update(json.loads(line[len("MG_RESULT ") :]))
        elif line.startswith("Requests/sec:"):
            out["requests_per_s"] = float(line.split()[1])
        elif line.strip().startswith("50%") and "latency_us" not in out:
            out["p50_text"] = line.split()[1]
        elif line.strip().startswith("99%") and "latency_us" not in out:
            out["p99_text"] = line.split()[1]
        elif line.strip().startswith("Non-2xx or 3xx responses:"):
            out["non_2xx"] = int(line.split(":")[1])
    return out


def baseline(wrk: str, connections: int, seconds: float) -> dict:
    port = free_port()
    proc = subprocess.Popen(
        [PY, "-c", BASELINE_APP, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}", proc, 60)
        r = run_wrk(wrk, f"http://127.0.0.1:{port}/api/v1/health", connections, seconds, dict(os.environ), None)
    finally:
        stop(proc)
    return {"requests_per_s": r.get("requests_per_s"), "p50": r.get("p50_text"), "p99": r.get("p99_text")}


def run(connections: int = 100, seconds: float = 60, warmup_seconds: float = 10, baseline_seconds: float = 15) -> dict:
    if not (SHARED / "nga_world_port_index").is_dir():
        raise SystemExit(f"load: the real public files are needed at {SHARED} (MINERALS_GRAPH_SHARED_DATA)")
    wrk = ensure_wrk()
    result: dict = {"connections": connections, "seconds": seconds, "warmup_seconds": warmup_seconds}
    print(f"load: baseline (bare FastAPI endpoint, {baseline_seconds:g} s) ...", flush=True)
    result["baseline"] = baseline(wrk, connections, baseline_seconds)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [PY, "-m", "minerals_graph", "serve", "--host", "127.0.0.1", "--port", str(port)]
    serve += ["--sources", str(SHARED), "--no-maps"]
    result["server_command"] = "minerals-graph " + " ".join(serve[3:]).replace(str(SHARED), "../shared/data")
    print("load: starting serve on the full data ...", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(serve, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(base, proc)
        result["startup_s"] = round(time.perf_counter() - t0, 2)
        result["rss_ready_mb"] = rss_mb(proc.pid)
        env = {**os.environ, "MG_NODE_IDS": ",".join(node_ids(base)), "MG_COMMODITIES": ",".join(COMMODITIES)}
        print(f"load: warm-up {warmup_seconds:g} s ...", flush=True)
        result["warmup"] = {
            k: v
            for k, v in run_wrk(wrk, base, connections, warmup_seconds, env, LUA).items()
            if k in ("requests", "errors", "statuses")
        }
        result["rss_start_mb"] = rss_mb(proc.pid)
        samples: list[float] = []
        halt = threading.Event()

        def sample() -> None:
            while not halt.wait(1.0):
                try:
                    samples.append(rss_mb(proc.pid))
                except OSError:
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        print(f"load: {connections} connections for {seconds:g} s ...", flush=True)
        main = run_wrk(wrk, base, connections, seconds, env, LUA)
        halt.set()
        sampler.join()
        result["rss_end_mb"] = rss_mb(proc.pid)
        result["rss_max_mb"] = max([*samples, result["rss_end_mb"]])
        result["rss_every_10s_mb"] = samples[9::10]
        result["server_alive"] = proc.poll() is None
    finally:
        stop(proc)
    main.pop("stdout", None)
    result["wrk"] = main
    errors = sum(main["errors"].values())
    result["errors_total"] = errors
    result["rss_growth_pct"] = round(100 * (result["rss_end_mb"] - result["rss_start_mb"]) / result["rss_start_mb"], 1)
    result["ratio_vs_baseline"] = round(main["requests_per_s"] / result["baseline"]["requests_per_s"], 3)
    result["ok"] = errors == 0 and abs(result["rss_growth_pct"]) <= 10 and result["server_alive"]
    result["machine"] = machine()
    return result


def machine() -> dict:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = ""
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    wrk = shutil.which("wrk")
    version = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False).stdout if wrk else ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "wrk": version.split("[")[0].strip() or "wrk",
    }


def section(r: dict) -> str:
    """The RESULTS.md section (between the load markers)."""
    w, lat, m = r["wrk"], r["wrk"]["latency_us"], r["machine"]
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(w["statuses"].items()))
    lines = [
        BEGIN,
        f"## 6. Load: {r['connections']} connections for {r['seconds']:g} s with wrk (full data)",
        "",
        f"Command: `.venv/bin/python benchmarks/load.py --connections {r['connections']} --seconds {r['seconds']:g} "
        f"--write`; server `{r['server_command']}` (start-up {r['startup_s']} s); load `{w['command']}` with "
        "`benchmarks/load_mix.lua` (18-request cycle: health, commodities, countries, node pages, a bounding box, "
        "node details, chokepoints, NIR, bands, PRC exposure, export controls, a cached preset, and 3 cold "
        f"what-ifs, POST bodies never sent before). Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, "
        f"Python {m['python']}, {m['wrk']}, {m['platform']}.",
        "",
        "| | requests/s | p50 | p90 | p99 | max | requests | errors | cold what-ifs |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| serve, full data, endpoint mix | {w['requests_per_s']:.1f} | {lat['p50'] / 1000:.1f} ms | "
        f"{lat['p90'] / 1000:.1f} ms | {lat['p99'] / 1000:.1f} ms | {lat['max'] / 1000:.1f} ms | {w['requests']} | "
        f"{r['errors_total']} | {w['cold_whatifs_sent']} |",
        f"| baseline: bare FastAPI constant endpoint, same uvicorn, same wrk | "
        f"{r['baseline']['requests_per_s']:.1f} | {r['baseline']['p50']} | | {r['baseline']['p99']} | | | | |",
        "",
        f"Throughput ratio to the baseline: {r['ratio_vs_baseline']}. Errors: {r['errors_total']} "
        f"(socket connect/read/write, timeouts over 30 s, non-2xx: {json.dumps(w['errors'])}); status codes: "
        f"{statuses}.",
        "",
        f"Server memory (VmRSS): {r['rss_ready_mb']} MB when ready, {r['rss_start_mb']} MB after a "
        f"{r['warmup_seconds']:g} s warm-up with the same mix (the start of the measured run), "
        f"{r['rss_end_mb']} MB at the end, {r['rss_max_mb']} MB at most (sampled every second; every 10 s: "
        f"{', '.join(str(x) for x in r.get('rss_every_10s_mb', []))} MB): "
        f"{r['rss_growth_pct']:+.1f}% over the run (limit ±10%). Result: {'PASS' if r['ok'] else 'FAIL'}.",
        "",
        "```json",
        json.dumps(r, indent=1),
        "```",
        END,
    ]
    return "\n".join(lines)


def update_results(r: dict, path: Path = RESULTS) -> None:
    """Replace the load section of RESULTS.md (append it when absent)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    new = section(r)
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + new + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--warmup-seconds", type=float, default=10)
    ap.add_argument("--baseline-seconds", type=float, default=15)
    ap.add_argument("--write", action="store_true", help="update the load section of benchmarks/RESULTS.md")
    a = ap.parse_args()
    r = run(a.connections, a.seconds, a.warmup_seconds, a.baseline_seconds)
    if a.write:
        update_results(r)
    print(json.dumps({k: v for k, v in r.items() if k != "machine"}, indent=1))
    return 0 if r["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
