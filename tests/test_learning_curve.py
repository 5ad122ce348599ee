"""Learning curves: a sweep refitted on the first N training simulations of a run
(``TrainPlan.train_sims``), and ``benchmarks/learning_curve.py`` end to end on the smoke run
(real training)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark.core import profiles
from benchmark.core.errors import UserError
from benchmark.learning.dataset import Dataset
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from learning_curve import sized_profile, train_sizes  # noqa: E402


def test_train_sizes_are_distinct_rounded_and_at_least_one() -> None:
    assert train_sizes(48, [0.125, 0.25, 0.5, 1.0]) == [6, 12, 24, 48]
    assert train_sizes(4, [0.01, 0.125, 1.0]) == [1, 4]
    with pytest.raises(ValueError, match="fractions"):
        train_sizes(48, [0.0, 1.0])
    with pytest.raises(ValueError, match="fractions"):
        train_sizes(48, [1.5])


def test_train_sims_is_checked_and_kept_out_of_records_when_unset() -> None:
    quick = profiles.get("quick")
    assert "train_sims" not in quick.to_dict()["train"]
    sized = sized_profile(quick, 12)
    assert sized.name == "quick-train12" and sized.to_dict()["train"]["train_sims"] == 12
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="train_sims"):
            dataclasses.replace(quick.train, train_sims=bad)


def test_a_dataset_trains_on_the_first_sims_and_keeps_its_test_set(smoke_run: Path) -> None:
    whole = Dataset(smoke_run / "simulations")
    part = Dataset(smoke_run / "simulations", train_sims=2)
    assert part.splits["train"] == whole.splits["train"][:2]
    assert part.splits["test"] == whole.splits["test"]
    assert part.splits["valid"] == whole.splits["valid"]
    with pytest.raises(UserError, match="train_sims"):
        Dataset(smoke_run / "simulations", train_sims=len(whole.splits["train"]) + 1)


def test_the_learning_curve_script_refits_the_sweep_on_part_of_the_data(
        smoke_run: Path, tmp_path: Path) -> None:
    """Half the smoke run's training set is fitted anew (2 simulations), in a fit pool whose
    workers start in folders of their own (so a relative ``--work`` must reach them whole);
    all of it uses the run's own fits. Each point is a whole decided sweep."""
    saved = tmp_path / "curve.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "learning_curve.py"), str(smoke_run),
         "--profile", "smoke", "--fractions", "0.5,1", "--work", "work",
         "--processes", "2", "--save", str(saved)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)  # a relative --work
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert json.loads(saved.read_text()) == out
    (curve,) = out["cells"]["lif"]
    assert [p["train_sims"] for p in curve["points"]] == [2, 4]
    depths = list(profiles.get("smoke").depths)
    for point in curve["points"]:
        assert [row["depth"] for row in point["per_depth"]] == depths
        assert all(0.0 <= row["test_auc"] <= 1.0 for row in point["per_depth"]
                   if row["test_auc"] is not None)
    half = tmp_path / "work" / "lif" / "train-2" / "fits"
    fitted = sorted(p.parent.parent.name for p in half.glob("depth-*/seed-*/fit.json"))
    assert fitted == [f"depth-{d}" for d in depths]
    trained_on = json.loads(next(half.glob("depth-1/seed-0/fit.json")).read_text())
    assert trained_on["steps"] > 0
    assert not (tmp_path / "work" / "lif" / "train-4").exists()
