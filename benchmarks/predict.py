"""How much faster a fitted network predicts a cell's output than NEURON simulates it.

usage: python benchmarks/predict.py --cell NAME [--profile quick] [--seed 0] [--out DIR]
           [--n-sims 4] [--workers 2] [--threads 2] [--mirror DIR]

Needs a finished run of the cell (``python -m benchmark run --cell NAME --profile P``).
Takes the first ``--n-sims`` held-out test simulations of that run, writes their input
spikes as a replay file, and measures side by side, in one process tree:

- ``neuron``: ``simulation.replay`` of those inputs (worker processes, ``--workers``; wall
  time from the call to the shards on disk, cell build and worker start included);
- ``network``: ``python -m benchmark predict``'s path (load the scored network, predict the
  same inputs; CPU, ``--threads``), wall time from loading to the last prediction;
- ``reference_7x128``: an untrained network of the reference shape (7 x 128, first kernel
  39 ms, kernels 20 ms) on the same inputs: the speed of the paper's network, whose weights
  do not change its cost.

Also checks what was predicted: the test spike AUC of the network's predictions against
NEURON's replayed spikes of those simulations (first 500 ms dropped), and that the replay
reproduced the run's stored spikes. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", required=True)
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--n-sims", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--mirror", type=Path, default=None)
    args = parser.parse_args()
    if args.mirror is not None:
        os.environ["NEURODEPTH_MIRROR"] = str(args.mirror)

    import torch

    from benchmark.cells import registry
    from benchmark.core import profiles
    from benchmark.core.store import RunStore, default_root
    from benchmark.learning import metrics, prediction
    from benchmark.learning.dataset import Dataset, to_simulation
    from benchmark.learning.model import TCNConfig, init_seeded
    from benchmark.scoring.record import cpu_model
    from benchmark.simulation import protocol
    from benchmark.simulation import runner as simulation
    from benchmark.simulation.shards import read_shard

    torch.set_num_threads(args.threads)
    spec = registry.get(args.cell)
    profile = profiles.get(args.profile)
    store = RunStore(args.out or default_root(), spec.name, profile.name, args.seed)
    held = list(Dataset(store.simulations).split("test"))[:args.n_sims]
    replay_sims = [(s.input_channel, s.input_time_ms, s.duration_ms) for s in held]
    simulated_s = sum(s.duration_ms for s in held) / 1000.0

    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "held_out.npz"
        protocol.save_replay(inputs, replay_sims)
        start = time.perf_counter()
        folder = simulation.replay(spec, inputs, Path(tmp) / "replay", n_workers=args.workers)
        neuron_s = time.perf_counter() - start
        replayed = {}
        for path in sorted(folder.glob("shard-*.h5")):
            for sim in read_shard(path):
                replayed[sim.sim_index] = to_simulation(sim)
    neuron_labels = [replayed[k].spike_label for k in range(len(held))]
    same_spikes = all(np.array_equal(a, s.spike_label) for a, s in zip(neuron_labels, held,
                                                                           strict=True))

    start = time.perf_counter()
    net = prediction.load_network(prediction.choose_fit(store.folder))
    outputs = prediction.predict_inputs(net, replay_sims)
    network_s = time.perf_counter() - start

    ref_config = TCNConfig(n_inputs=net.model.config.n_inputs, depth=7, width=128,
                           first_kernel_ms=39, kernel_ms=20, sparse_input=True)
    reference = prediction.FittedNetwork(init_seeded(ref_config, 0).eval(), 7, 0, Path("-"), None)
    start = time.perf_counter()
    prediction.predict_inputs(reference, replay_sims)
    reference_s = time.perf_counter() - start

    sim_outputs = [metrics.SimulationOutputs(spike_label=lab, spike_prob=o["spike_prob"],
                                             soma_target_mv=np.zeros(len(lab)),
                                             soma_pred=np.zeros(len(lab)))
                   for lab, o in zip(neuron_labels, outputs, strict=True)]
    labels = np.concatenate([s.spike_label[500:] for s in sim_outputs])
    probs = np.concatenate([s.spike_prob[500:] for s in sim_outputs])
    auc = metrics.roc_auc(labels, probs) if labels.any() and not labels.all() else None
    report: dict[str, Any] = {
        "benchmark": "predict", "cell": spec.name, "profile": profile.name,
        "run_seed": args.seed, "n_simulations": len(held), "simulated_s": simulated_s,
        "cpu": cpu_model(), "threads": args.threads, "workers": args.workers,
        "network": {"depth": net.depth, "seed": net.seed,
                    "parameters": net.model.parameter_count(),
                    "config": net.model.config.to_dict()},
        "seconds": {"neuron": neuron_s, "network": network_s, "reference_7x128": reference_s},
        "speedup_vs_neuron": {"network": neuron_s / network_s,
                              "reference_7x128": neuron_s / reference_s},
        "replay_reproduces_stored_spikes": same_spikes,
        "held_out_spike_auc_vs_neuron": auc,
        "output_spikes": int(sum(lab.sum() for lab in neuron_labels)),
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
