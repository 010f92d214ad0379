"""The model cache (minerals_graph.cache): a hit gives back the same model with its memo, a
changed, added or resized source file and a corrupt cache file rebuild it, and nothing but
``serve``/``run`` (opt-in) touches it. Every test works in ``tmp_path``: the sources, the
bundled-data folder and the cache folder are temporary; the model is the tiny one."""

from __future__ import annotations

import dataclasses
import logging
import pickle
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from tests.conftest import counting_network_builds, tiny_tables

from minerals_graph import cache, settings
from minerals_graph.build import graph_from_tables
from minerals_graph.model import ModelConfig, SupplyModel


@pytest.fixture
def world(tmp_path, monkeypatch):
    """Raw sources and a bundled-data folder in tmp_path; ``SupplyModel.load`` builds the
    tiny model and counts its calls (its row accounting names the file it 'read')."""
    raw, data = tmp_path / "raw", tmp_path / "data"
    (raw / "mcs").mkdir(parents=True)
    data.mkdir()
    (raw / "mcs" / "salient.csv").write_text("commodity,year,consumption_t\nlithium,2023,3000\n")
    (raw / "README.md").write_text("not read by any loader\n")
    (data / "country_aliases.csv").write_text("alias,iso3\nChina,CHN\n")
    (data / "hs_commodities.csv").write_bytes(
        (settings.DATA_DIR / "hs_commodities.csv").read_bytes()
    )  # analyses read it
    monkeypatch.setattr(settings, "DATA_DIR", data)
    monkeypatch.setattr(settings, "SHARED_DATA_DIR", tmp_path / "no-shared-data")
    loads: list[ModelConfig] = []

    def fake_load(cls, config=None, **overrides):
        cfg = config or ModelConfig()
        loads.append(cfg)
        t = dataclasses.replace(tiny_tables(), results=[SimpleNamespace(file="mcs/salient.csv")])
        return cls(graph_from_tables(t), t, cfg)

    monkeypatch.setattr(SupplyModel, "load", classmethod(fake_load))
    cfg = ModelConfig(sources=raw, with_maps=False)
    return SimpleNamespace(raw=raw, data=data, cache=tmp_path / "cache", loads=loads, cfg=cfg)


def _graph(m: SupplyModel) -> tuple[list, list]:
    return sorted(m.G.nodes(data=True)), sorted(
        (u, v, k, sorted(d.items())) for u, v, k, d in m.G.edges(keys=True, data=True)
    )


def test_hit_returns_an_equal_model_with_its_memo(world, caplog):
    built = cache.cached_model(world.cfg, cache_dir=world.cache, prepare=SupplyModel.warm)
    assert len(world.loads) == 1 and cache.cache_path(world.cfg, world.cache).is_file()
    with caplog.at_level(logging.INFO, logger="minerals_graph.cache"), counting_network_builds() as builds:
        hit = cache.cached_model(world.cfg, cache_dir=world.cache, prepare=SupplyModel.warm)
        chokepoints = hit.chokepoints()
    assert len(world.loads) == 1 and "model cache: read" in caplog.text
    assert hit is not built and hit.config == world.cfg
    assert _graph(hit) == _graph(built)
    pd.testing.assert_frame_equal(chokepoints, built.chokepoints())
    assert set(chokepoints["node"]) == {"mine:AUS", "out:AUS"}
    assert not builds  # the networks came from the cache, nothing was rebuilt
    # the locks were recreated: the what-if cache works on the unpickled model
    assert hit.preset("prc-refining-cutoff") is hit.preset("prc-refining-cutoff")


@pytest.mark.parametrize(
    "change, reason",
    [
        (
            lambda w: (w.raw / "mcs" / "salient.csv").write_text("commodity,year,consumption_t\nlithium,2023,4000\n"),
            "sha256",
        ),
        (lambda w: (w.raw / "mcs" / "extra.csv").write_text("x\n"), "added, removed or resized"),
        (lambda w: (w.data / "country_aliases.csv").write_text("alias,iso3\nChina,CHM\n"), "sha256"),
    ],
    ids=["same-size edit of a file read", "file added", "bundled data edited"],
)
def test_a_changed_source_rebuilds(world, caplog, change, reason):
    cache.cached_model(world.cfg, cache_dir=world.cache)
    change(world)
    with caplog.at_level(logging.WARNING, logger="minerals_graph.cache"):
        assert cache.read_cached_model(world.cfg, world.cache) is None
        cache.cached_model(world.cfg, cache_dir=world.cache)
    assert "is stale" in caplog.text and reason in caplog.text and "rebuilding" in caplog.text
    assert len(world.loads) == 2
    # the rebuilt file matches the new sources: the next start is a hit again
    assert cache.read_cached_model(world.cfg, world.cache) is not None


def test_an_unread_file_edited_in_place_is_not_a_reason_to_rebuild(world):
    cache.cached_model(world.cfg, cache_dir=world.cache)
    (world.raw / "README.md").write_text("NOT READ BY ANY LOADER\n")  # same size, not read
    assert cache.read_cached_model(world.cfg, world.cache) is not None


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"not a pickle at all"),
        lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),  # truncated model
        lambda p: p.write_bytes(b""),
    ],
    ids=["garbage", "truncated", "empty"],
)
def test_a_corrupt_cache_file_rebuilds(world, caplog, damage):
    path = cache.cached_model(world.cfg, cache_dir=world.cache) and cache.cache_path(world.cfg, world.cache)
    damage(path)
    with caplog.at_level(logging.WARNING, logger="minerals_graph.cache"):
        model = cache.cached_model(world.cfg, cache_dir=world.cache)
    assert "is unreadable" in caplog.text and "rebuilding" in caplog.text
    assert len(world.loads) == 2 and model.G.number_of_nodes() == len(tiny_tables().countries) + 5
    with open(path, "rb") as f:  # rewritten whole
        assert pickle.load(f)["format"] == cache.FORMAT and isinstance(pickle.load(f), SupplyModel)


def test_another_configuration_or_version_is_another_file(world, monkeypatch):
    cache.cached_model(world.cfg, cache_dir=world.cache)
    other = dataclasses.replace(world.cfg, focus="RUS")
    assert cache.cache_path(other, world.cache) != cache.cache_path(world.cfg, world.cache)
    assert cache.read_cached_model(other, world.cache) is None
    monkeypatch.setattr(cache, "__version__", "99.0")
    assert cache.read_cached_model(world.cfg, world.cache) is None


def test_only_the_newest_files_are_kept(world):
    for focus in ("A", "B", "C", "D", "E", "F"):
        cache.cached_model(dataclasses.replace(world.cfg, focus=focus), cache_dir=world.cache)
    assert len(list(world.cache.glob("model-*.pickle"))) == cache.KEEP
    assert cache.read_cached_model(dataclasses.replace(world.cfg, focus="F"), world.cache) is not None


def test_default_folder_and_overrides(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.CACHE_DIR_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.default_cache_dir() == tmp_path / "home" / ".cache" / "minerals-graph"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.default_cache_dir() == tmp_path / "xdg" / "minerals-graph"
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(tmp_path / "mine"))
    assert cache.default_cache_dir() == tmp_path / "mine"
    assert cache.cache_path(ModelConfig()).parent == tmp_path / "mine"


def test_library_loading_never_uses_the_cache(world, monkeypatch):
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(world.cache))
    SupplyModel.load(world.cfg).warm()
    from minerals_graph.api.state import build_state

    build_state(config=world.cfg)  # the API state too, unless asked
    assert not world.cache.exists()


def test_serve_state_reads_the_cache_on_the_second_start(world):
    from minerals_graph.api.state import build_state

    first = build_state(config=world.cfg, cache=True, cache_dir=world.cache)
    second = build_state(config=world.cfg, cache=True, cache_dir=world.cache)
    assert len(world.loads) == 1 and _graph(first.model) == _graph(second.model)
    pd.testing.assert_frame_equal(first.model.chokepoints(), second.model.chokepoints())


def test_cli_no_cache_flags():
    from minerals_graph.cli import build_parser

    p = build_parser()
    assert p.parse_args(["serve", "--no-cache"]).no_cache and not p.parse_args(["serve"]).no_cache
    assert p.parse_args(["run", "--no-cache"]).no_cache and not p.parse_args(["run"]).no_cache


def test_cache_folder_that_cannot_be_written_is_not_fatal(world, caplog):
    blocker = world.cache
    blocker.write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING, logger="minerals_graph.cache"):
        model = cache.cached_model(world.cfg, cache_dir=blocker)
    assert isinstance(model, SupplyModel) and "could not write" in caplog.text
    assert Path(blocker).read_text() == "a file where the folder should be"
