"""What a teacher cell costs and how predictable it is, before any student is trained.

usage: python benchmarks/teacher.py [--cells teacher_depth1 ...] [--n-sims 16]
           [--duration-ms 6000] [--rate-scale 1.0] [--seed 0]

For each teacher: the CPU time of its construction (drawing the weights, measuring the
standardisation on its construction simulations), the CPU time of one forward pass over
``--n-sims`` simulations of the protocol (per simulated second; one thread), the output
rate, and the **ceiling AUC**: the spike ROC AUC of the teacher's own spike probability
against the spikes drawn from it, labelled as the dataset labels them and pooled over 1 ms
bins after the first 500 ms (the bins the benchmark scores), and how the output is **spread
over simulations**: the median per-simulation rate of the spike probability (Hz), the share
of the expected spikes in the 5 simulations with the most, and the relative standard error
of a 32-simulation mean rate (what a calibration probe of 32 simulations measures; a
neuron's output is spread, and a rate held by a handful of simulations cannot be
calibrated). A student cannot beat the ceiling; how far below it a student lands at a
profile's data size says how learnable the teacher is. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np
import torch

from benchmark.cells import data_files, registry
from benchmark.learning.dataset import spike_labels
from benchmark.learning.metrics import SKIP_MS, roc_auc
from benchmark.simulation import protocol
from benchmark.simulation.teacher.cell import TeacherCell, spike_rng

TEACHERS = ("teacher_depth1", "teacher_depth3", "teacher_depth5")


def measure(name: str, n_sims: int, duration_ms: int, rate_scale: float,
            seed: int) -> dict[str, object]:
    """Construction and simulation cost, output rate and ceiling AUC of one teacher."""
    spec = registry.get(name)
    start = time.process_time()
    cell = TeacherCell(dict(spec.data), data_files.ensure(spec))
    build_s = time.process_time() - start
    params = protocol.cell_params(spec, rate_scale=rate_scale)
    events = []
    for k in range(n_sims):
        spikes = protocol.generate_inputs(cell.input_sites, params, duration_ms,
                                          protocol.input_rng(spec.digest(), seed, k))
        events.append((*protocol.to_events(spikes), duration_ms))
    start = time.process_time()
    outputs = cell.simulate_batch(events, [spike_rng(spec.digest(), seed, k)
                                           for k in range(n_sims)])
    sim_s = time.process_time() - start
    with torch.no_grad():
        drives = torch.stack([cell.drive(ch, tm, duration_ms) for ch, tm, _ in events])
        prob, _ = cell.outputs(drives)
    labels = np.stack([spike_labels(spikes, duration_ms) for _, spikes in outputs])
    scored = prob.double().numpy()[:, SKIP_MS:]
    p = scored.ravel()
    y = labels[:, SKIP_MS:].ravel()
    n_spikes = int(sum(len(s) for _, s in outputs))
    per_sim_hz = scored.sum(axis=1) / ((duration_ms - SKIP_MS) / 1000.0)
    return {"cell": name, "depth": cell.depth,
            "weights_sha256": cell.weights_sha256, "construction_cpu_s": round(build_s, 2),
            "cpu_s_per_simulated_s": sim_s / (n_sims * duration_ms / 1000.0),
            "n_spikes": n_spikes, "rate_hz": n_spikes / (n_sims * duration_ms / 1000.0),
            "ceiling_spike_auc": float(roc_auc(y, p)) if y.any() else None,
            "spread": spread(per_sim_hz)}


def spread(per_sim_hz: np.ndarray, top: int = 5, probe: int = 32) -> dict[str, float]:
    """How an output rate is spread over simulations (per-simulation rates in Hz): the
    median (Hz), the share of the total in the ``top`` simulations with the most, and the
    relative standard error of a mean over ``probe`` simulations."""
    rates = np.sort(np.asarray(per_sim_hz, dtype=np.float64))
    total, mean = rates.sum(), rates.mean()
    return {"median_hz": float(np.median(rates)),
            f"top{top}_share": float(rates[-top:].sum() / total) if total > 0 else float("nan"),
            "probe_rel_se": float(rates.std() / np.sqrt(probe) / mean) if mean > 0
            else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", nargs="+", default=list(TEACHERS))
    parser.add_argument("--n-sims", type=int, default=16)
    parser.add_argument("--duration-ms", type=int, default=6000)
    parser.add_argument("--rate-scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = [measure(c, args.n_sims, args.duration_ms, args.rate_scale, args.seed)
            for c in args.cells]
    print(json.dumps({"n_sims": args.n_sims, "duration_ms": args.duration_ms,
                      "rate_scale": args.rate_scale, "torch_threads": 1, "teachers": rows},
                     indent=1))


if __name__ == "__main__":
    main()
