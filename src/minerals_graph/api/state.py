"""What the API serves: one :class:`~minerals_graph.model.SupplyModel`, loaded and warmed
once at start-up (never at import or per request), plus the maps written from it.

The model memoises every analysis and caches what-if results by their normalised request
(bounded, least recently used dropped first); the serialised answers of repeated GETs are
kept by :class:`minerals_graph.api.app.ResponseCache`. ``serve`` reads the model from the
model cache (:mod:`minerals_graph.cache`) when it is current.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx

from minerals_graph import __version__
from minerals_graph.model import ModelConfig, SupplyModel

__all__ = ["AppState", "build_state"]

log = logging.getLogger(__name__)
T = TypeVar("T")
#: Entries of :meth:`AppState.derived` (every node's JSON fits, with room for filters).
DERIVED_ENTRIES = 50_000


@dataclass
class AppState:
    """The model and the maps written from it (``maps_dir`` None: no maps). A maps folder
    made in the temp directory (``temporary``) is removed by :meth:`close`."""

    model: SupplyModel
    maps_dir: Path | None = None
    maps: list[str] = field(default_factory=list)
    version: str = __version__
    temporary: bool = False
    _derived: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def derived(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per ``key`` (a normalised request without its page, e.g. the
        ids matching a node filter, or a node's serialised JSON): the routes' memo, at most
        :data:`DERIVED_ENTRIES` of them, the least recently used dropped first. Read-only
        callers only: the value is shared."""
        with self._lock:
            if key in self._derived:
                self._derived.move_to_end(key)
                return self._derived[key]
        value = compute()
        with self._lock:
            self._derived[key] = value
            while len(self._derived) > DERIVED_ENTRIES:
                self._derived.popitem(last=False)
        return value

    def close(self) -> None:
        """Remove the temporary maps folder (idempotent); the state then serves no maps."""
        if self.temporary and self.maps_dir is not None:
            shutil.rmtree(self.maps_dir, ignore_errors=True)
            log.info("removed the temporary maps folder %s", self.maps_dir)
            self.maps_dir, self.maps, self.temporary = None, [], False

    @property
    def G(self) -> nx.MultiDiGraph:  # noqa: N802
        return self.model.G

    @property
    def commodities(self) -> list[str]:
        return self.model.commodities


def build_state(
    sources: Path | None = None,
    *,
    trade_dir: Path | None = None,
    with_maps: bool = True,
    maps_dir: Path | None = None,
    model: SupplyModel | None = None,
    config: ModelConfig | None = None,
    cache: bool = False,
    cache_dir: Path | None = None,
) -> AppState:
    """Load the model (or take ``model``), warm it, and write the maps when asked.

    ``config`` wins over ``sources``/``trade_dir``/``with_maps``; a given ``model`` is
    used as it is (its config says whether maps are wanted unless ``with_maps`` is False).
    Without ``maps_dir`` the maps go to a new temporary folder, which
    :meth:`AppState.close` removes (and which is removed at once if writing them fails).

    With ``cache`` (``serve`` sets it), the model is read from the model cache
    (:mod:`minerals_graph.cache`, folder ``cache_dir``) when it matches the sources; else it
    is loaded, warmed and, once the maps are written (what they memoise included), cached.
    """
    fresh = False
    if model is None:
        cfg = config or ModelConfig(sources=sources, trade_dir=trade_dir, with_maps=with_maps)
        if cache:
            from minerals_graph.cache import read_cached_model

            model = read_cached_model(cfg, cache_dir)
        if model is None:
            model, fresh = SupplyModel.load(cfg), cache
    want_maps = with_maps and model.config.with_maps
    model.warm(whatif_presets=("prc-refining-cutoff",) if want_maps else ())
    state = AppState(model=model)
    if want_maps:
        from minerals_graph.maps import write_model_maps

        out = Path(maps_dir or tempfile.mkdtemp(prefix="minerals-graph-maps-"))
        try:
            shown = write_model_maps(model, out)
        except BaseException:
            if maps_dir is None:  # a failed start leaves no folder behind
                shutil.rmtree(out, ignore_errors=True)
            raise
        state.maps_dir, state.maps, state.temporary = out, sorted(shown), maps_dir is None
    if fresh:
        from minerals_graph.cache import write_cached_model

        write_cached_model(model, cache_dir)
    log.info("API state ready: %s nodes, %s commodities", model.G.number_of_nodes(), len(model.commodities))
    return state
