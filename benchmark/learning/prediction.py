"""Prediction: a fitted network as a fast surrogate of its cell, for new input spikes.

A fit folder (``fits/depth-<d>/seed-<s>/``) holds ``model.pt`` (a state dict, loaded with
``torch.load(weights_only=True)``: nothing in it is executed) and ``fit.json`` (the network's
config and test metrics). :func:`choose_fit` picks the network a run's score points at;
:func:`predict_inputs` runs it on input spike trains in the replay format of
:func:`benchmark.simulation.protocol.load_replay`; :func:`save_predictions` writes them atomically.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from benchmark.core.atomic import atomic_path
from benchmark.core.errors import UserError
from benchmark.learning.dataset import REFERENCE_LEVELS, Simulation, VoltageLevels
from benchmark.learning.fit import FIT_FILE
from benchmark.learning.fit import predict as fit_predict
from benchmark.learning.model import TCN, TCNConfig
from benchmark.simulation.protocol import ReplaySim


@dataclass
class FittedNetwork:
    """A trained network and where it came from (depth, seed, folder, test spike AUC)."""

    model: TCN
    depth: int
    seed: int
    folder: Path
    test_spike_auc: float | None
    levels: VoltageLevels = REFERENCE_LEVELS
    """The voltage target's clip and bias (mV) the network was trained on."""


def load_network(folder: Path, device: torch.device | None = None) -> FittedNetwork:
    """The network stored in a fit folder, in eval mode."""
    fit_file, weights = folder / FIT_FILE, folder / "model.pt"
    if not (fit_file.is_file() and weights.is_file()):
        raise UserError(f"{folder}: no finished fit here (needs {FIT_FILE} and model.pt); "
                        "run `python -m benchmark fit` first")
    info = json.loads(fit_file.read_text())
    model = TCN(TCNConfig.from_dict(info["config"]))
    model.load_state_dict(torch.load(weights, weights_only=True, map_location="cpu"))
    model.to(device or torch.device("cpu")).eval()
    return FittedNetwork(model, model.config.depth, int(info["seed"]), folder,
                         info.get("test", {}).get("spike_auc"),
                         VoltageLevels.from_dict(info.get("voltage_target")))


def choose_fit(run: Path, depth: int | None = None, seed: int | None = None) -> Path:
    """The fit folder to predict with.

    Depth: ``depth``, else the depth the run's score points at (``scores.json``'s
    ``network_depth``: the minimal depth, else the shallowest sufficient, else the best;
    run ``score`` first).
    Seed: ``seed``, else the seed with the highest test spike AUC at that depth.
    """
    if depth is None:
        scores_file = run / "scores.json"
        if not scores_file.is_file():
            raise UserError(f"{scores_file}: not scored yet; run `python -m benchmark score` "
                            "first, or choose a network with --depth")
        score = json.loads(scores_file.read_text())["score"]
        depth = score.get("network_depth", score.get("minimal_depth"))
        if depth is None:
            raise UserError(f"{scores_file}: the score is undetermined (no network reproduces "
                            "the cell); choose a network with --depth")
    folders = sorted((run / "fits" / f"depth-{depth}").glob("seed-*"))
    done = [f for f in folders if (f / FIT_FILE).is_file()]
    if seed is not None:
        done = [f for f in done if f.name == f"seed-{seed}"]
    if not done:
        raise UserError(f"{run / 'fits' / f'depth-{depth}'}: no finished fit"
                        + (f" of seed {seed}" if seed is not None else "")
                        + "; run `python -m benchmark fit` first or choose another --depth/--seed")

    def auc(folder: Path) -> float:
        value = json.loads((folder / FIT_FILE).read_text()).get("test", {}).get("spike_auc")
        return -1.0 if value is None else float(value)

    return max(done, key=auc)


def predict_inputs(net: FittedNetwork, sims: list[ReplaySim],
                   device: torch.device | None = None) -> list[dict[str, np.ndarray]]:
    """Spike probability per 1 ms bin and soma voltage (mV, clipped as the network's target
    was: :attr:`FittedNetwork.levels`) for each simulation's input spikes (channel,
    time_ms, duration_ms); the same computation as the fit's test predictions
    (:func:`benchmark.learning.fit.predict`)."""
    n_inputs = net.model.config.n_inputs
    as_sims = []
    for k, (channel, time_ms, duration) in enumerate(sims):
        if len(channel) and int(np.max(channel)) >= n_inputs:
            raise UserError(f"input channel {int(np.max(channel))} is out of range: the network "
                            f"reads {n_inputs} inputs (channels 0..{n_inputs - 1})")
        order = np.argsort(time_ms, kind="stable")
        as_sims.append(Simulation(sim_index=k, input_channel=np.asarray(channel)[order],
                                  input_time_ms=np.asarray(time_ms)[order],
                                  spike_label=np.zeros(duration, dtype=bool),
                                  soma_target_mv=np.zeros(duration, dtype=np.float32)))
    device = device or next(net.model.parameters()).device
    return [{"spike_prob": prob, "soma_mv": soma + net.levels.bias_mv}
            for prob, soma in fit_predict(net.model, as_sims, n_inputs, device)]


def timed_predict(net: FittedNetwork, sims: list[ReplaySim],
                  device: torch.device | None = None) -> tuple[list[dict[str, np.ndarray]], float]:
    """:func:`predict_inputs` and its wall time (s)."""
    start = time.perf_counter()
    out = predict_inputs(net, sims, device)
    if device is not None and device.type == "cuda":
        torch.cuda.synchronize(device)
    return out, time.perf_counter() - start


def save_predictions(path: Path, predictions: list[dict[str, np.ndarray]],
                     meta: dict[str, Any]) -> None:
    """Write predictions atomically as .npz: ``spike_prob`` and ``soma_mv`` of all
    simulations concatenated, ``offsets`` (n_sims + 1) to split them, and ``meta`` (JSON)."""
    lengths = [len(p["spike_prob"]) for p in predictions]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez_compressed(
            handle,
            spike_prob=np.concatenate([p["spike_prob"] for p in predictions]).astype(np.float32),
            soma_mv=np.concatenate([p["soma_mv"] for p in predictions]).astype(np.float32),
            offsets=offsets, meta=np.array(json.dumps(meta)))
