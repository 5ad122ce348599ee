"""Predict a cell's output for new input spikes with its fitted network (no NEURON).

The network is the one the run's score points at: the minimal depth (``scores.json``) and,
at that depth, the seed with the best test spike AUC; ``--depth`` and ``--fit-seed`` choose
another. Inputs are spike trains in the replay format (``.npz`` or ``.csv``, see
``simulate --replay``). Writes an ``.npz`` with the spike probability per 1 ms bin and the
soma voltage (mV, clipped at -55 mV like the training target) of every simulation.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmark.commands import common
from benchmark.learning import prediction
from benchmark.learning.fit import pick_device
from benchmark.simulation import protocol

HELP = "predict a cell's spikes and soma voltage for new inputs with its fitted network"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_run_arguments(parser)
    parser.add_argument("--inputs", type=Path, required=True,
                        help="input spike trains (.npz or .csv; the format is in "
                             "docs/protocol.md, 'The replay file format')")
    parser.add_argument("--depth", type=int, default=None,
                        help="network depth (default: the network the score points at: "
                             "the minimal depth when resolved, else the best depth)")
    parser.add_argument("--fit-seed", type=int, default=None,
                        help="network seed (default: the best test AUC at that depth)")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the predictions (default: "
                             "<run>/predictions/<inputs name>.npz)")


def main(args: argparse.Namespace) -> int:
    config = common.config(args)
    spec, profile, store = config.spec, config.profile, config.store
    folder = prediction.choose_fit(store.folder, args.depth, args.fit_seed)
    device = pick_device(args.device or profile.device)
    net = prediction.load_network(folder, device)
    sims = protocol.load_replay(args.inputs, n_inputs=net.model.config.n_inputs)
    predictions, seconds = prediction.timed_predict(net, sims, device)
    output = args.output or store.folder / "predictions" / f"{args.inputs.stem}.npz"
    output.parent.mkdir(parents=True, exist_ok=True)
    simulated_ms = sum(d for _, _, d in sims)
    meta = {"cell": spec.name, "profile": profile.name, "run_seed": args.seed,
            "depth": net.depth, "fit_seed": net.seed, "fit_folder": str(folder),
            "test_spike_auc": net.test_spike_auc, "inputs": str(args.inputs),
            "n_simulations": len(sims), "simulated_ms": simulated_ms,
            "predict_seconds": seconds, "device": str(device)}
    prediction.save_predictions(output, predictions, meta)
    print(f"{spec.name}: predicted {len(sims)} simulations ({simulated_ms / 1000:.1f} s of "
          f"input) with the depth-{net.depth} network (seed {net.seed}) in {seconds:.2f} s "
          f"on {device}")
    print(f"predictions written to {output}")
    return 0
