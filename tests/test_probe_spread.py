"""``benchmarks/probe_spread.py``: the spread of calibration probes at one input scale
(pure logic on synthetic counts; one real run on the integrate-and-fire control)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmark.simulation import shards
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from probe_spread import summary  # noqa: E402


def test_rates_cv_and_the_simulations_a_tolerance_needs() -> None:
    counts = [np.array([0, 2, 4, 6]), np.array([3, 3, 3, 3])]  # 3 s simulations
    out = summary(counts, 3000, tolerance=0.2)
    assert [p["rate_hz"] for p in out["probes"]] == pytest.approx([1.0, 1.0])
    assert out["pooled_rate_hz"] == pytest.approx(1.0)
    cv = np.std([0, 2, 4, 6, 3, 3, 3, 3], ddof=1) / 3.0
    assert out["per_sim_cv"] == pytest.approx(cv)
    assert out["sims_for_tolerance"] == int(np.ceil((1.96 * cv / 0.2) ** 2))
    lo, hi = out["probes"][1]["rate_ci_hz"]
    assert lo == pytest.approx(1.0) and hi == pytest.approx(1.0)  # no spread, no width


def test_a_silent_cell_has_no_cv() -> None:
    out = summary([np.zeros(4, dtype=int)], 3000, tolerance=0.2)
    assert out["per_sim_cv"] is None and out["sims_for_tolerance"] is None


def test_probes_of_other_seeds_draw_other_inputs(tmp_path: Path) -> None:
    """Two probes of the lif at one scale: real simulations, resumable, other draws."""
    cmd = [sys.executable, str(REPO / "benchmarks" / "probe_spread.py"), "--cell", "lif",
           "--scale", "1", "--profile", "quick", "--probes", "0", "1", "--n-sims", "4",
           "--duration-ms", "1000", "--workers", "1", "--work", str(tmp_path)]
    out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True,
                                    cwd=tmp_path).stdout)
    assert out["cell"] == "lif" and len(out["probes"]) == 2
    assert all(p["n_sims"] == 4 for p in out["probes"])
    folders = sorted(tmp_path.glob("scale-1-1000ms/probe-*"))
    assert [f.name for f in folders] == ["probe-0", "probe-1"]
    first = [shards.read_shard(sorted(f.glob("*.h5"))[0])[0] for f in folders]
    assert not np.array_equal(first[0].input_time_ms, first[1].input_time_ms)
    again = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True,
                                      cwd=tmp_path).stdout)
    assert again == out  # resumed from the stored simulations
