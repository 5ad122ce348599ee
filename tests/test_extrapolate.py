"""``benchmarks/extrapolate.py``: the training-set size at which a learning curve would
resolve depth 1 as insufficient (pure logic on synthetic curves, and the committed curves of
the found teachers)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from extrapolate import curve_points, extrapolate, pair_gap, resolving_n  # noqa: E402


def row(depth: int, gap: float, lo: float, hi: float) -> dict:
    return {"depth": depth, "delta_fci": gap, "delta_fci_ci": [lo, hi]}


def test_pair_gap_takes_the_paired_interval_when_either_depth_is_best() -> None:
    rows = {1: row(1, 0.2, 0.1, 0.3), 3: row(3, 0.0, 0.0, 0.0)}
    assert pair_gap(rows, 1, 3) == (0.2, 0.1, 0.3)
    rows = {1: row(1, 0.0, 0.0, 0.0), 3: row(3, 0.15, 0.05, 0.4)}
    assert pair_gap(rows, 1, 3) == (-0.15, -0.4, -0.05)


def test_pair_gap_adds_errors_when_a_third_depth_is_best() -> None:
    z = 1.959963984540054
    rows = {1: row(1, 0.3, 0.3 - z * 0.03, 0.3 + z * 0.03),
            2: row(2, 0.0, 0.0, 0.0),
            3: row(3, 0.1, 0.1 - z * 0.04, 0.1 + z * 0.04)}
    gap, lo, hi = pair_gap(rows, 1, 3)
    assert gap == pytest.approx(0.2)
    assert hi - gap == pytest.approx(z * 0.05)  # hypot(0.03, 0.04)
    assert gap - lo == pytest.approx(z * 0.05)


def line_points(a: float, b: float, half: float, sizes: list[int]) -> list[dict]:
    return [{"n": float(n), "gap": a + b * math.log(n), "lo": a + b * math.log(n) - half,
             "hi": a + b * math.log(n) + half} for n in sizes]


def test_a_growing_gap_resolves_where_the_line_says() -> None:
    a, b, half = -0.3, 0.05, 0.03
    out = extrapolate(line_points(a, b, half, [60, 120, 240, 480]), tolerance=0.05, seed=1)
    expected = math.exp((0.05 + half - a) / b)  # about 2000 simulations
    assert out["n_star"] == pytest.approx(expected, rel=1e-6)
    assert not out["resolved_at_largest"]
    lo, hi = out["n_star_range_95"]
    assert lo < expected < hi
    assert out["n_star_median"] == pytest.approx(expected, rel=0.5)
    assert out["share_never"] < 0.01
    wide = extrapolate(line_points(a, b, 0.1, [60, 120, 240, 480]), tolerance=0.05, seed=1)
    assert wide["share_never"] > out["share_never"]  # noisier points, less certain
    assert wide["n_star"] > out["n_star"]  # a wider interval needs a larger gap


def test_a_shrinking_gap_never_resolves() -> None:
    out = extrapolate(line_points(0.1, -0.02, 0.05, [60, 120, 240, 480]), seed=0)
    assert out["n_star"] == math.inf
    assert out["share_never"] > 0.5
    assert resolving_n(0.0, 1e-6, 0.1, 0.05) == math.inf  # beyond any budget


def test_one_training_set_size_cannot_be_extrapolated() -> None:
    with pytest.raises(ValueError, match="at least two training-set sizes"):
        extrapolate(line_points(0.0, 0.1, 0.1, [120, 120]))


def test_a_missing_depth_names_the_depths_there_are() -> None:
    points = [{"train_sims": 60, "per_depth": [row(1, 0.1, 0.0, 0.2), row(2, 0, 0, 0)]}]
    with pytest.raises(ValueError, match=r"depth 3 .* one of \[1, 2\]"):
        curve_points(points, 1, against=3)


def test_the_found_teachers_curves() -> None:
    """On the committed learning curves (docs/scoring.md, section 11) the depth-3 teacher is
    resolved at every size and the depth-1 teacher's depth-1 gap never resolves."""
    for teacher, resolved in (("teacher_depth3", True), ("teacher_depth1", False)):
        path = REPO / "benchmarks" / "results" / f"resolving_curve_{teacher}.json"
        proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "extrapolate.py"),
                               str(path), "--draws", "400"], capture_output=True, text=True,
                              check=True)
        run = json.loads(proc.stdout)["cells"][teacher][0]
        assert run["resolved_at_largest"] is resolved
        assert [p["n"] for p in run["points"]] == [120, 240, 480]
        if not resolved:
            assert run["n_star"] == "never" and run["slope_fci_per_ln_n"] < 0


def test_a_file_that_is_not_a_curve_is_refused(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"runs": []}))
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "extrapolate.py"),
                           str(bad)], capture_output=True, text=True)
    assert proc.returncode != 0
    assert "bad.json" in proc.stderr and "'cells' missing" in proc.stderr
