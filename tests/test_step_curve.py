"""``benchmarks/step_curve.py``: the validation AUC per depth along finished fits (pure
logic on small synthetic fit files)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from step_curve import at_step, fci_gap, histories  # noqa: E402


def _fit(run: Path, depth: int, seed: int, aucs: dict[int, float],
         selected_on: str = "spike_auc") -> None:
    folder = run / "fits" / f"depth-{depth}" / f"seed-{seed}"
    folder.mkdir(parents=True)
    history = [{"step": s, "valid_loss": 1.0 - a} for s, a in aucs.items()]
    (folder / "fit.json").write_text(json.dumps(
        {"config": {"depth": depth}, "selected_on": selected_on, "history": history}))


def test_the_kept_auc_is_the_best_so_far_and_the_median_over_seeds(tmp_path: Path) -> None:
    _fit(tmp_path, 1, 0, {100: 0.990, 200: 0.980, 300: 0.992})
    _fit(tmp_path, 1, 1, {100: 0.970, 200: 0.990, 300: 0.991})
    _fit(tmp_path, 1, 2, {100: 0.950, 200: 0.960, 300: 0.999})
    _fit(tmp_path, 3, 0, {100: 0.900, 200: 0.999, 300: 0.999})
    curves = histories(tmp_path)
    early = at_step(curves, 150)
    assert early["1"]["valid_auc"] == pytest.approx(0.970)  # median of 0.990, 0.970, 0.950
    assert early["1"]["gap_fci"] == 0.0  # depth 1 is the best at step 150
    assert early["3"]["gap_fci"] == pytest.approx(math.log10(0.1 / 0.03) / 2)
    late = at_step(curves, 300)
    assert late["1"]["valid_auc"] == pytest.approx(0.992)  # 0.992, 0.991, 0.999
    assert late["3"]["gap_fci"] == 0.0
    assert late["1"]["gap_fci"] == pytest.approx(fci_gap(0.992, 0.999))
    assert fci_gap(0.992, 0.999) == pytest.approx(math.log10(8) / 2)


def test_fits_not_selected_on_the_auc_are_refused(tmp_path: Path) -> None:
    _fit(tmp_path, 1, 0, {100: 0.9}, selected_on="loss")
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "step_curve.py"),
                           str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "selected_on" in proc.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "step_curve.py"),
                           str(empty)], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "no finished fits" in proc.stderr
