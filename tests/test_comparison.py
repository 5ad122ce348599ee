"""Comparing cells' depth sweeps (benchmark.scoring.comparison, `python -m benchmark compare`), on
synthetic fit files: the logic only (the fits of real runs are made in test_pipeline)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from benchmark.core import profiles
from benchmark.learning.fit import FIT_FILE, fit_folder
from benchmark.scoring import comparison
from conftest import run_cli

QUICK = profiles.get("quick")  # depths 1, 2, 3; 2 seeds
N_BOOT = 200


def write_run(run: Path, aucs: dict[int, float], shared_sd: float = 0.0,
              own_sd: float = 0.0, seed: int = 0) -> Path:
    """Fits of every depth and seed with test AUC ``aucs[depth]`` (both seeds) and
    bootstrap resamples ``auc + shared noise (same for every depth) + own noise``."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(0.0, shared_sd, N_BOOT)
    for depth, auc in aucs.items():
        for s in range(QUICK.n_seeds):
            boot = auc + shared + rng.normal(0.0, own_sd, N_BOOT)
            metric = {"spike_auc": auc, "spike_auc_boot": boot.tolist(),
                      "spike_auc_ci": [float(np.quantile(boot, 0.025)),
                                       float(np.quantile(boot, 0.975))]}
            for name in ("tpr_at_0.25pct_fpr", "soma_rmse_mv", "soma_explained_variance"):
                metric.update({name: 0.5, f"{name}_ci": [0.4, 0.6]})
            folder = fit_folder(run, depth, s)
            folder.mkdir(parents=True)
            (folder / FIT_FILE).write_text(json.dumps({
                "seed": s, "steps": 10, "train_seconds": 1.0, "parameters": 100 * depth,
                "config": {"first_kernel_ms": 50}, "device": "cpu", "test": metric}))
    return run


def test_a_cell_that_gains_from_depth_is_separated_from_a_flat_one(tmp_path: Path) -> None:
    runs = {"deep": write_run(tmp_path / "deep", {1: 0.90, 2: 0.95, 3: 0.951}, own_sd=0.002),
            "flat": write_run(tmp_path / "flat", {1: 0.95, 2: 0.95, 3: 0.95}, own_sd=0.002)}
    result = comparison.compare(runs, QUICK)
    assert result["cells"]["deep"]["minimal_depth"] == 2
    assert result["cells"]["flat"]["minimal_depth"] == 1
    assert result["verdict"] == "deep needs a deeper network (2) than flat (1)."
    gain = result["cells"]["deep"]["per_depth"][1]
    assert gain["gain"] == pytest.approx(0.05) and gain["resolved"]


def test_the_gain_interval_is_paired_over_the_same_resamples(tmp_path: Path) -> None:
    """Test-set noise shared by the depths (sd 0.02) widens each depth's interval to about
    +-0.04, but not their difference: a gain of 0.003 with independent noise of sd 0.0003
    is resolved, and the rule (unpaired margin) still scores depth 1."""
    run = write_run(tmp_path / "a", {1: 0.950, 2: 0.953, 3: 0.953}, shared_sd=0.02,
                    own_sd=0.0003)
    sweep = comparison.cell_sweep(run, QUICK)
    d1, d2, _ = sweep["per_depth"]
    assert d1["spike_auc_ci"][1] - d1["spike_auc_ci"][0] > 0.05
    assert d2["gain"] == pytest.approx(0.003)
    assert 0.001 < d2["gain_ci"][0] < 0.003 < d2["gain_ci"][1] < 0.005 and d2["resolved"]
    assert sweep["minimal_depth"] == 1
    other = write_run(tmp_path / "b", {1: 0.95, 2: 0.95, 3: 0.95}, shared_sd=0.02,
                      own_sd=0.0003, seed=1)
    verdict = comparison.compare({"a": run, "b": other}, QUICK)["verdict"]
    assert verdict.startswith("not separated at this profile: every cell scores minimal depth 1")
    assert "a depth 2 (+0.0030)" in verdict


def test_unresolved_gains_say_a_larger_profile_is_needed(tmp_path: Path) -> None:
    runs = {"a": write_run(tmp_path / "a", {1: 0.92, 2: 0.925, 3: 0.924}, own_sd=0.01),
            "b": write_run(tmp_path / "b", {1: 0.93, 2: 0.93, 3: 0.93}, own_sd=0.01, seed=2)}
    result = comparison.compare(runs, QUICK)
    assert not any(r.get("resolved") for s in result["cells"].values() for r in s["per_depth"])
    assert "a larger profile" in result["verdict"]
    text = comparison.table(result)
    assert "<- minimal" in text and result["verdict"] in text


def test_compare_command_writes_json_and_figure(tmp_path: Path) -> None:
    for cell, aucs in (("lif", {1: 0.99, 2: 0.99, 3: 0.99}),
                       ("l5pc_hay2011", {1: 0.90, 2: 0.95, 3: 0.95})):
        write_run(tmp_path / cell / "quick" / "seed-0", aucs, own_sd=0.002)
    proc = run_cli("compare", "--cells", "lif", "l5pc_hay2011", "--profile", "quick",
                   "--out", str(tmp_path), "--save", str(tmp_path / "cmp"))
    assert proc.returncode == 0, proc.stderr
    assert "l5pc_hay2011 needs a deeper network (2) than lif (1)." in proc.stdout
    saved = json.loads((tmp_path / "cmp" / "comparison.json").read_text())
    assert saved["cells"]["lif"]["minimal_depth"] == 1
    assert (tmp_path / "cmp" / "comparison.png").stat().st_size > 0
    assert (tmp_path / "cmp" / "comparison.svg").stat().st_size > 0


def test_compare_refuses_one_cell_and_unfinished_fits(tmp_path: Path) -> None:
    proc = run_cli("compare", "--cells", "lif", "lif", "--out", str(tmp_path))
    assert proc.returncode == 2 and "at least two different cells" in proc.stderr
    proc = run_cli("compare", "--cells", "lif", "l5pc_hay2011", "--out", str(tmp_path))
    assert proc.returncode == 2
    assert "fit.json: fit not finished" in proc.stderr and proc.stderr.count("\n") == 1
