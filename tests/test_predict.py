"""The predict command: a fitted network predicts a cell's output for new inputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from benchmark.core.errors import UserError
from benchmark.learning import prediction
from benchmark.learning.dataset import Dataset
from benchmark.learning.fit import predict as fit_predict
from benchmark.simulation.protocol import save_replay
from conftest import run_cli


def _export(run: Path, path: Path, n: int = 2) -> list:
    sims = list(Dataset(run / "simulations").split("test"))[:n]
    save_replay(path, [(s.input_channel, s.input_time_ms, s.duration_ms) for s in sims])
    return sims


def test_predict_command_matches_the_fitted_network(smoke_run: Path, tmp_path: Path) -> None:
    """`predict` on held-out inputs gives the scored network's outputs, in mV, on disk."""
    sims = _export(smoke_run, tmp_path / "held.npz")
    out = tmp_path / "pred.npz"
    proc = run_cli("predict", "--cell", "lif", "--profile", "smoke",
                   "--out", str(smoke_run.parents[2]), "--inputs", str(tmp_path / "held.npz"),
                   "--output", str(out), check=True)
    assert "predicted 2 simulations" in proc.stdout
    saved = np.load(out)
    meta = json.loads(str(saved["meta"]))
    scores = json.loads((smoke_run / "scores.json").read_text())
    assert meta["depth"] == scores["score"]["network_depth"]
    assert list(saved["offsets"]) == [0, sims[0].duration_ms, sims[0].duration_ms * 2]
    net = prediction.load_network(Path(meta["fit_folder"]))
    expected = fit_predict(net.model, sims, net.model.config.n_inputs, torch.device("cpu"))
    for k, (prob, soma) in enumerate(expected):
        a, b = saved["offsets"][k], saved["offsets"][k + 1]
        np.testing.assert_allclose(saved["spike_prob"][a:b], prob, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(saved["soma_mv"][a:b], soma + net.levels.bias_mv, rtol=1e-5,
                                   atol=1e-4)
    assert np.all((saved["spike_prob"] >= 0) & (saved["spike_prob"] <= 1))


def test_predict_chooses_the_best_seed_and_refuses_missing_fits(smoke_run: Path) -> None:
    folder = prediction.choose_fit(smoke_run, depth=1)
    assert folder.parent.name == "depth-1"
    with pytest.raises(UserError, match="no finished fit"):
        prediction.choose_fit(smoke_run, depth=9)
    with pytest.raises(UserError, match="no finished fit of seed 5"):
        prediction.choose_fit(smoke_run, depth=1, seed=5)


def test_predict_refuses_inputs_the_network_cannot_read(smoke_run: Path, tmp_path: Path) -> None:
    save_replay(tmp_path / "wide.npz", [(np.array([5000]), np.array([3]), 100)])
    proc = run_cli("predict", "--cell", "lif", "--profile", "smoke", "--out",
                   str(smoke_run.parents[2]), "--inputs", str(tmp_path / "wide.npz"))
    assert proc.returncode == 2
    assert "channel" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
