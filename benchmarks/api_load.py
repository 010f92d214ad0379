"""Load benchmark of the web API: a real HTTP load against ``minerals-graph serve`` on
127.0.0.1, bounded in requests and time, reporting p50/p95/p99 latency and errors.

Run: ``.venv/bin/python benchmarks/api_load.py [--requests 400] [--concurrency 8] [--seconds 60]``
(``benchmarks/run.py`` calls it). The server is started and stopped by this script.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(base: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("server did not become ready")


def _call(method: str, url: str, body: dict | None) -> tuple[float, int]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        status = e.code
    except OSError:
        status = 0
    return (time.perf_counter() - t) * 1000.0, status


def _percentile(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def run(requests: int = 400, concurrency: int = 8, seconds: float = 60.0) -> dict:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [PY, "-m", "minerals_graph", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-maps"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        t0 = time.perf_counter()
        _wait_ready(base, proc)
        startup = time.perf_counter() - t0
        coms = ["rare_earths", "lithium", "cobalt", "graphite", "gallium", "nickel", "antimony", "manganese"]
        mix = []
        for i in range(requests):
            c = coms[i % len(coms)]
            kind = i % 4
            if kind == 0:
                mix.append(("chokepoints", "GET", f"{base}/api/v1/chokepoints?commodity={c}&limit=10", None))
            elif kind == 1:
                mix.append(
                    (
                        "whatif preset (cached after first)",
                        "GET",
                        f"{base}/api/v1/whatif/presets/prc-refining-cutoff?commodity={c}",
                        None,
                    )
                )
            elif kind == 2:  # a distinct single-node removal each time: cold what-if
                mix.append(
                    (
                        "whatif POST single removal (cold)",
                        "POST",
                        f"{base}/api/v1/whatif",
                        {
                            "remove": [{"countries": ["CHN"], "stages": ["mining"], "commodities": [c]}],
                            "add": [{"commodity": c, "iso3": "USA", "capacity_t": 100 + i, "stage": "refining"}],
                            "commodities": [c],
                        },
                    )
                )
            else:
                mix.append(("nodes page", "GET", f"{base}/api/v1/nodes?kind=Facility&limit=50&offset={i % 400}", None))
        results: dict[str, list[tuple[float, int]]] = {}
        lock = threading.Lock()
        deadline = time.monotonic() + seconds

        def one(item):
            if time.monotonic() > deadline:
                return
            name, method, url, body = item
            ms, status = _call(method, url, body)
            with lock:
                results.setdefault(name, []).append((ms, status))

        t1 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as ex:
            list(ex.map(one, mix))
        wall = time.perf_counter() - t1
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    report = {"startup_s": round(startup, 2), "wall_s": round(wall, 2), "concurrency": concurrency, "endpoints": {}}
    for name, rows in sorted(results.items()):
        lat = [ms for ms, _ in rows]
        errors = sum(1 for _, st in rows if st == 0 or st >= 500)
        report["endpoints"][name] = {
            "requests": len(rows),
            "errors": errors,
            "p50_ms": round(_percentile(lat, 50), 1),
            "p95_ms": round(_percentile(lat, 95), 1),
            "p99_ms": round(_percentile(lat, 99), 1),
            "mean_ms": round(statistics.fmean(lat), 1),
        }
    return report


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60.0)
    a = ap.parse_args()
    print(json.dumps(run(a.requests, a.concurrency, a.seconds), indent=2))
