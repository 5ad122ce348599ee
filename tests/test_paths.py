"""The cache folders: one home (``benchmark.core.paths``), always absolute."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmark.cells import data_files, registry
from benchmark.core import paths
from benchmark.core.profiles import DataPlan
from benchmark.simulation import mechanisms, runner, shards


def test_a_relative_cache_is_made_absolute(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEURODEPTH_CACHE", "rel-cache")
    assert paths.cache_root() == tmp_path / "rel-cache"
    assert mechanisms.cache_root() == tmp_path / "rel-cache" / "mechanisms"
    assert data_files.cache_root() == tmp_path / "rel-cache" / "data"


def test_the_default_cache_follows_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEURODEPTH_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/y")
    assert paths.cache_root() == Path("/y/neurodepth")


@pytest.mark.neuron
def test_simulation_runs_with_a_relative_cache(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The mechanisms compiled into a relative ``NEURODEPTH_CACHE`` load in the workers,
    which run in a folder of their own."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEURODEPTH_CACHE", "rel-cache")
    plan = DataPlan(n_train=1, n_valid=0, n_test=0, duration_ms=300, sims_per_shard=1)
    runner.simulate(registry.get("lif"), plan, 0, tmp_path / "sims", n_workers=1)
    sims = [s for p in sorted((tmp_path / "sims").glob("shard-*.h5"))
            for s in shards.read_shard(p)]
    assert [s.sim_index for s in sims] == [0]
    assert len(sims[0].soma_mv) == 300
    assert (tmp_path / "rel-cache" / "mechanisms").is_dir()
