"""A cache of the built, warmed :class:`~minerals_graph.model.SupplyModel` on disk, so a
second start of ``minerals-graph serve`` reads one file instead of the raw sources.

Opt-in: :meth:`SupplyModel.load <minerals_graph.model.SupplyModel.load>` never uses it;
``serve`` and ``run`` do (``--no-cache`` turns it off), and library code can call
:func:`cached_model` or the pair :func:`read_cached_model` / :func:`write_cached_model`.

Where: :func:`default_cache_dir` (``$MINERALS_GRAPH_CACHE_DIR``; else
``$XDG_CACHE_HOME/minerals-graph``; else ``~/.cache/minerals-graph``). One file per model
configuration, ``model-<key>.pickle``. Deleting the folder is always safe.

What is checked before a cached model is used (any difference: rebuilt, with a log line):

* the cache format, the package version, Python, pandas and networkx versions, and the
  size and modification time of every module of the package (a code change rebuilds);
* the model configuration (sources, trade files, flow parameters, focus, maps);
* the source manifest: the SHA-256 of every file the loaders read (the files named in the
  row accounting, every file of the bundled ``data/`` folder) and the list of files (name
  and size) of every input folder, so a file added, removed, truncated or edited rebuilds;
* an unreadable or truncated file is rebuilt too (never an error).

The file holds two pickles: a small header (the checks above), then the model with its
memoised analyses and what-if results. Pickle runs code when read: the folder must be the
user's own (it is by default), like any cache.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from minerals_graph import __version__, settings
from minerals_graph.errors import MineralsGraphError
from minerals_graph.model import ModelConfig, SupplyModel

__all__ = [
    "CACHE_DIR_ENV",
    "cache_path",
    "cached_model",
    "default_cache_dir",
    "read_cached_model",
    "source_manifest",
    "write_cached_model",
]

log = logging.getLogger(__name__)

#: Environment variable naming the cache folder.
CACHE_DIR_ENV = "MINERALS_GRAPH_CACHE_DIR"
#: Bumped when the file layout changes (older files are then rebuilt).
FORMAT = 1
#: Cache files kept in the folder (one per configuration; the oldest are removed).
KEEP = 4
_PACKAGE_DIR = Path(__file__).resolve().parent
_NATURAL_EARTH = Path("natural_earth_admin0_110m") / "ne_110m_admin_0_countries.zip"


def default_cache_dir() -> Path:
    """``$MINERALS_GRAPH_CACHE_DIR``, else ``$XDG_CACHE_HOME/minerals-graph``, else
    ``~/.cache/minerals-graph``."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "minerals-graph"


def _resolved(p: Path | None) -> str:
    return str(Path(p).resolve()) if p is not None else ""


def _config_key(config: ModelConfig) -> str:
    """The configuration as text (paths resolved): equal text, same model."""
    return repr(
        (
            _resolved(config.sources),
            _resolved(config.trade_dir),
            _resolved(settings.DATA_DIR),
            config.params,
            config.focus,
            config.with_maps,
            config.whatif_cache_size,
        )
    )


def cache_path(config: ModelConfig, cache_dir: Path | None = None) -> Path:
    """The cache file of ``config`` in ``cache_dir`` (default :func:`default_cache_dir`)."""
    digest = hashlib.sha256(f"{__version__}\n{_config_key(config)}".encode()).hexdigest()[:16]
    return Path(cache_dir or default_cache_dir()) / f"model-{digest}.pickle"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _input_dirs(config: ModelConfig) -> list[Path]:
    dirs = [Path(settings.DATA_DIR)]
    for d in (config.sources, config.trade_dir):
        if d is not None and Path(d).is_dir() and Path(d).resolve() not in [x.resolve() for x in dirs]:
            dirs.append(Path(d))
    return dirs


def _listing(folder: Path) -> list[tuple[str, int]]:
    return sorted(
        (str(p.relative_to(folder)), p.stat().st_size)
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


#: Modules that make none of what is cached (adapters, this module): editing them keeps the cache.
_NOT_IN_MODEL = ("api/", "cli.py", "__main__.py", "cache.py", "neo4j.py", "report.py", "figures.py", "maps.py")


def _code_fingerprint() -> list[tuple[str, int, int]]:
    """Size and modification time of every module of the package that makes the model
    (those in :data:`_NOT_IN_MODEL` excepted): a code change rebuilds."""
    out = []
    for p in sorted(_PACKAGE_DIR.rglob("*.py")):
        rel = p.relative_to(_PACKAGE_DIR).as_posix()
        if not rel.startswith(_NOT_IN_MODEL):
            st = p.stat()
            out.append((rel, st.st_size, st.st_mtime_ns))
    return out


def _files_read(model: SupplyModel) -> list[Path]:
    """The files the model was built from: those named in the row accounting (resolved
    against the input folders), every file of the bundled data folder and, for the maps'
    base layer, the Natural Earth file."""
    cfg = model.config
    dirs = _input_dirs(cfg)
    found: set[Path] = {p for p in Path(settings.DATA_DIR).rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    try:
        names = [str(r.file).split("!", 1)[0] for r in model.tables.results]
    except MineralsGraphError:  # a model made from a graph alone has no row accounting
        names = []
    for name in names:
        rel = [name, name.removeprefix("data/")]
        for d in dirs:
            hit = next((d / r for r in rel if (d / r).is_file()), None)
            if hit is not None:
                found.add(hit)
                break
    ne = Path(settings.SHARED_DATA_DIR) / _NATURAL_EARTH
    if ne.is_file():
        found.add(ne)
    return sorted(found)


def source_manifest(model: SupplyModel) -> dict[str, str]:
    """``{absolute path: sha256}`` of every file ``model`` was built from."""
    return {str(p.resolve()): _sha256(p) for p in _files_read(model)}


def _header(config: ModelConfig) -> dict[str, Any]:
    import networkx as nx
    import pandas as pd

    return {
        "format": FORMAT,
        "version": __version__,
        "python": platform.python_version(),
        "libraries": {"pandas": pd.__version__, "networkx": nx.__version__},
        "code": _code_fingerprint(),
        "config": _config_key(config),
        "listing": {str(d.resolve()): _listing(d) for d in _input_dirs(config)},
    }


def _stale(stored: dict[str, Any], config: ModelConfig) -> str | None:
    """Why the stored header does not match the current inputs (None: it does)."""
    if not isinstance(stored, dict) or stored.get("format") != FORMAT:
        return "another cache format"
    now = _header(config)
    for k in ("version", "python", "libraries", "code", "config", "listing"):
        if stored.get(k) != now[k]:
            return {
                "version": f"package version {stored.get('version')} -> {now['version']}",
                "code": "the package's code changed",
                "listing": "files were added, removed or resized in the sources",
            }.get(k, f"{k} changed")
    for path, digest in stored.get("files", {}).items():
        p = Path(path)
        if not p.is_file():
            return f"{p} is gone"
        if _sha256(p) != digest:
            return f"{p} changed (sha256)"
    return None


def read_cached_model(config: ModelConfig, cache_dir: Path | None = None) -> SupplyModel | None:
    """The cached model of ``config`` when its file matches the current inputs; None (with
    a log line saying why) when there is no file, it is stale, or it cannot be read."""
    path = cache_path(config, cache_dir)
    if not path.is_file():
        log.info("model cache: no cache file %s; building the model", path)
        return None
    t = time.perf_counter()
    try:
        with open(path, "rb") as f:
            header = pickle.load(f)
            why = _stale(header, config)
            if why is not None:
                log.warning("model cache: %s is stale (%s); rebuilding", path, why)
                return None
            enabled = gc.isenabled()
            gc.disable()  # millions of new objects: the collector would walk them again and again
            try:
                model = pickle.load(f)
            finally:
                if enabled:
                    gc.enable()
        if not isinstance(model, SupplyModel):
            raise TypeError(f"holds a {type(model).__name__}, not a SupplyModel")
    except Exception as exc:  # noqa: BLE001 - any unreadable file is rebuilt, never fatal
        log.warning("model cache: %s is unreadable (%s: %s); rebuilding", path, type(exc).__name__, exc)
        return None
    log.info("model cache: read %s in %.2f s", path, time.perf_counter() - t)
    return model


def write_cached_model(model: SupplyModel, cache_dir: Path | None = None) -> Path | None:
    """Write ``model`` (with what it has memoised) as the cache of its configuration.
    Atomic (a temporary file renamed), so concurrent readers never see half a file.
    Returns the path, or None (logged) when the folder cannot be written."""
    path = cache_path(model.config, cache_dir)
    t = time.perf_counter()
    header = {**_header(model.config), "files": source_manifest(model)}
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            pickle.dump(header, f, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("model cache: could not write %s (%s); continuing without it", path, exc)
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        return None
    log.info("model cache: wrote %s (%.1f MB) in %.2f s", path, path.stat().st_size / 2**20, time.perf_counter() - t)
    _prune(path.parent, keep=path)
    return path


def _prune(folder: Path, keep: Path) -> None:
    """Remove all but the :data:`KEEP` most recently written cache files (and stray
    temporary files over an hour old), so other configurations do not pile up."""
    files = sorted(folder.glob("model-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    old = [p for p in files if p != keep][KEEP - 1 :]
    old += [p for p in folder.glob("model-*.tmp") if time.time() - p.stat().st_mtime > 3600]
    for p in old:
        p.unlink(missing_ok=True)
        log.info("model cache: removed %s", p)


def cached_model(
    config: ModelConfig | None = None,
    *,
    cache_dir: Path | None = None,
    prepare: Callable[[SupplyModel], object] | None = None,
) -> SupplyModel:
    """The model of ``config`` from the cache, or loaded, prepared (``prepare(model)``,
    e.g. ``SupplyModel.warm``: what it memoises is cached too) and written to the cache."""
    cfg = config or ModelConfig()
    model = read_cached_model(cfg, cache_dir)
    if model is None:
        model = SupplyModel.load(cfg)
        if prepare is not None:
            prepare(model)
        write_cached_model(model, cache_dir)
    return model
