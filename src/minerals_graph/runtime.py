"""Process-level helpers for large builds: the garbage collector and freed memory.

A build allocates millions of small objects that live as long as the graph (attribute
dicts, ids, adjacency dicts) and many large temporaries (columns read as Python lists,
intermediate frames). Two things the interpreter does by default cost time or memory there:

- the cyclic garbage collector walks the long-lived objects again and again while they are
  being made (:func:`gc_paused` pauses it for a build step);
- memory freed by the temporaries stays with the process: the C allocator keeps freed heap
  pages and Arrow's allocator keeps freed blocks for reuse (:func:`release_free_memory`
  gives them back once a build is done).

Neither changes any result; both are no-ops where they do not apply.

It also keeps the list of the package's process-lifetime memo dicts (:func:`memo_dict`), so
that a benchmark can empty them with the ``functools`` caches and time a build as the first
of a new process (:func:`clear_memo_dicts`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import logging
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

__all__ = ["gc_paused", "release_free_memory", "memo_dict", "clear_memo_dicts"]

log = logging.getLogger(__name__)

_MEMO_DICTS: list[dict] = []


def memo_dict() -> dict:
    """A new module-level memo (a plain dict, cheaper to read than an ``lru_cache``),
    registered for :func:`clear_memo_dicts`."""
    d: dict = {}
    _MEMO_DICTS.append(d)
    return d


def clear_memo_dicts() -> int:
    """Empty every memo made by :func:`memo_dict` (results are the same; only the first
    calls after are slower). Returns the number emptied."""
    for d in _MEMO_DICTS:
        d.clear()
    return len(_MEMO_DICTS)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def gc_paused(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``fn`` with Python's cyclic garbage collector paused (and resumed after, if it was on).

    Loading allocates millions of small objects that stay alive (rows, records, tables); each
    automatic collection walks all of them again, which cost about a quarter of the raw build.
    Reference counting still frees every object as usual; only reference cycles wait for the
    next collection after the step.
    """

    @functools.wraps(fn)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None on another C library (macOS, musl, Windows)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> None:
    """Give the memory the process has freed back to the system: glibc's ``malloc_trim(0)``
    (free heap pages) and ``release_unused()`` of Arrow's default memory pool (blocks of
    freed arrays, when pyarrow is loaded). Objects in use are untouched; a few milliseconds.

    After a build of 100 times the bundled data, about 100 MB of the process's resident
    memory is such freed memory, which would otherwise add to the peak of what runs next."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    pa = sys.modules.get("pyarrow")
    if pa is not None:
        try:
            pa.default_memory_pool().release_unused()
        except Exception:  # noqa: BLE001 - an allocator without it: nothing to release
            log.debug("Arrow's memory pool cannot release unused memory", exc_info=True)
