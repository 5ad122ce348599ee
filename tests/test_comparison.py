"""Comparing cells' depth sweeps (benchmark.scoring.comparison, `python -m benchmark compare`), on
synthetic fit folders (tests/synthetic_fits.py): the logic only (the fits of real runs are
made in test_pipeline)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from synthetic_fits import Task

from benchmark.core import profiles
from benchmark.learning import metrics
from benchmark.learning.fit import FIT_FILE, PAIRS_FILE, fit_folder
from benchmark.scoring import comparison
from conftest import run_cli

QUICK = profiles.get("quick")  # depths 1, 2, 3; 3 seeds


def write_run(run: Path, aucs: dict[int, float], seed: int = 0, n_sims: int = 48,
              spikes_per_sim: float = 3.0) -> Path:
    """A fit folder per depth and seed whose predictions have population AUC ``aucs[depth]``
    on one synthetic test set (``fit.json`` and ``test_pairs.npz``, as a fit writes them)."""
    task = Task(np.random.default_rng(seed), n_sims=n_sims, n_bins=200,
                spikes_per_sim=spikes_per_sim)
    weights = metrics._resample_weights(n_sims, 50, 0)
    for depth, auc in aucs.items():
        for s in range(QUICK.n_seeds):
            fit = task.fit(depth, s, auc, seed_sd=0.02)
            folder = fit_folder(run, depth, s)
            folder.mkdir(parents=True)
            fit.test.save(folder / PAIRS_FILE)
            boot = fit.test.auc(weights)
            metric = {"spike_auc": fit.test.auc(), "spike_auc_boot": boot.tolist(),
                      "spike_auc_ci": [float(np.quantile(boot, 0.025)),
                                       float(np.quantile(boot, 0.975))]}
            for name in ("tpr_at_0.25pct_fpr", "soma_rmse_mv", "soma_explained_variance"):
                metric.update({name: 0.5, f"{name}_ci": [0.4, 0.6]})
            (folder / FIT_FILE).write_text(json.dumps({
                "seed": s, "steps": 10, "train_seconds": 1.0, "parameters": 100 * depth,
                "config": {"first_kernel_ms": 50}, "device": "cpu", "test": metric,
                "valid": {"spike_auc": fit.valid_auc}}))
    return run


def test_a_cell_that_gains_from_depth_is_separated_from_a_flat_one(tmp_path: Path) -> None:
    big = {"n_sims": 192, "spikes_per_sim": 10.0}
    runs = {"deep": write_run(tmp_path / "deep", {1: 0.80, 2: 0.95, 3: 0.951}, **big),
            "flat": write_run(tmp_path / "flat", {1: 0.95, 2: 0.95, 3: 0.95}, seed=1, **big)}
    result = comparison.compare(runs, QUICK)
    deep, flat = result["cells"]["deep"], result["cells"]["flat"]
    assert deep["per_depth"][0]["decision"]["verdict"] == "insufficient"
    assert deep["lower"] == 2 and flat["upper"] == 1
    assert result["verdict"].startswith(f"deep needs a deeper network ({deep['label']}) than "
                                        f"flat ({flat['label']})")
    gap = result["gain_differences"][0]
    assert gap["cells"] == ["deep", "flat"] and gap["resolved"] and gap["difference_fci"] > 0.2


def test_unresolved_cells_say_a_larger_profile_is_needed(tmp_path: Path) -> None:
    """Gaps well under the intervals of a small test set: no depth is insufficient, both
    scores are ranges or unresolved, and the verdict says they are not separated."""
    runs = {"a": write_run(tmp_path / "a", {1: 0.94, 2: 0.945, 3: 0.945}, n_sims=16,
                           spikes_per_sim=1.0),
            "b": write_run(tmp_path / "b", {1: 0.94, 2: 0.94, 3: 0.94}, seed=2, n_sims=16,
                           spikes_per_sim=1.0)}
    result = comparison.compare(runs, QUICK)
    assert not any((r["decision"] or {}).get("verdict") == "insufficient"
                   for s in result["cells"].values() for r in s["per_depth"])
    assert result["verdict"].startswith("not separated at this profile")
    assert "a larger profile" in result["verdict"]
    text = comparison.table(result)
    assert "(best)" in text and result["verdict"] in text


def test_compare_command_writes_json_and_figure(tmp_path: Path) -> None:
    for cell, aucs, seed in (("lif", {1: 0.95, 2: 0.95, 3: 0.95}, 0),
                             ("l5pc_hay2011", {1: 0.80, 2: 0.95, 3: 0.95}, 1)):
        write_run(tmp_path / cell / "quick" / "seed-0", aucs, seed=seed, n_sims=192,
                  spikes_per_sim=10.0)
    proc = run_cli("compare", "--cells", "lif", "l5pc_hay2011", "--profile", "quick",
                   "--out", str(tmp_path), "--save", str(tmp_path / "cmp"))
    assert proc.returncode == 0, proc.stderr
    assert "l5pc_hay2011 needs a deeper network" in proc.stdout
    saved = json.loads((tmp_path / "cmp" / "comparison.json").read_text())
    assert saved["cells"]["lif"]["upper"] == 1
    assert (tmp_path / "cmp" / "comparison.png").stat().st_size > 0
    assert (tmp_path / "cmp" / "comparison.svg").stat().st_size > 0


def test_compare_refuses_one_cell_and_unfinished_fits(tmp_path: Path) -> None:
    proc = run_cli("compare", "--cells", "lif", "lif", "--out", str(tmp_path))
    assert proc.returncode == 2 and "at least two different cells" in proc.stderr
    proc = run_cli("compare", "--cells", "lif", "l5pc_hay2011", "--out", str(tmp_path))
    assert proc.returncode == 2
    assert "fit.json: no finished fit here" in proc.stderr and proc.stderr.count("\n") == 1


def test_gain_difference_is_unpaired_between_cells() -> None:
    """Two cells' resamples are combined independently: identical resample arrays (as two
    cells decided with the same bootstrap seed get) do not cancel to a zero-width interval."""
    boots = np.linspace(0.0, 0.2, 2000)
    sweeps = {c: {"gain": {"delta_fci": 0.1}} for c in ("a", "b")}
    gap = comparison.gain_difference({"a": boots, "b": boots.copy()}, sweeps, "a", "b")
    assert gap["difference_fci"] == pytest.approx(0.0)
    assert gap["difference_ci"][1] - gap["difference_ci"][0] > 0.1 and not gap["resolved"]
