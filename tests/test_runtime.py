"""Process-level helpers of a build (minerals_graph.runtime)."""

import gc
import sys

import pytest

from minerals_graph import runtime
from minerals_graph.runtime import gc_paused, release_free_memory


def test_gc_paused_restores_the_collector_state():
    seen = []

    @gc_paused
    def work(fail: bool) -> int:
        seen.append(gc.isenabled())
        if fail:
            raise ValueError("boom")
        return 1

    was = gc.isenabled()
    try:
        gc.enable()
        assert work(False) == 1 and gc.isenabled()
        with pytest.raises(ValueError):
            work(True)
        assert gc.isenabled()
        gc.disable()
        work(False)
        assert not gc.isenabled()  # a caller's paused collector stays paused
    finally:
        gc.enable() if was else gc.disable()
    assert seen == [False, False, False]


def test_release_free_memory_trims_the_c_heap_and_arrow_pool(monkeypatch):
    """On glibc it calls malloc_trim(0), and release_unused() of Arrow's pool when pyarrow is
    loaded; without either (another C library, no pyarrow) it does nothing and does not fail."""
    calls = []

    class Pool:
        def release_unused(self) -> None:
            calls.append("arrow")

    class FakeArrow:
        @staticmethod
        def default_memory_pool() -> Pool:
            return Pool()

    monkeypatch.setattr(runtime, "_malloc_trim", lambda: lambda pad: calls.append(("trim", pad)) or 1)
    monkeypatch.setitem(sys.modules, "pyarrow", FakeArrow)
    release_free_memory()
    assert calls == [("trim", 0), "arrow"]

    calls.clear()
    monkeypatch.setattr(runtime, "_malloc_trim", lambda: None)
    monkeypatch.delitem(sys.modules, "pyarrow")
    release_free_memory()
    assert calls == []


def test_malloc_trim_found_on_this_linux_glibc():
    trim = runtime._malloc_trim()  # noqa: SLF001
    if sys.platform.startswith("linux") and "glibc" in " ".join(__import__("platform").libc_ver()):
        assert trim is not None and trim(0) in (0, 1)
    release_free_memory()  # the real allocators: returns without error


def test_memo_dicts_are_registered_and_emptied_together():
    from minerals_graph.runtime import clear_memo_dicts, memo_dict
    from minerals_graph.sources._common import clean_text

    clean_text("  a   b ")  # fills the text-cleaning memo, one of the package's memo dicts
    from minerals_graph.sources import _common

    assert _common._CLEANED  # noqa: SLF001
    mine = memo_dict()
    mine["k"] = 1
    assert clear_memo_dicts() >= 3  # the text memo, the frame templates, the one-text columns, mine
    assert mine == {} and not _common._CLEANED  # noqa: SLF001
    assert clean_text("  a   b ") == "a b"  # filled again on use
