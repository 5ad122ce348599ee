"""Does a depth gap between students come from the teacher's ceiling? Redraw the spikes.

usage: python benchmarks/teacher_gain.py RUN TEACHER [--depths 1,3] [--gains 12,8,6,4,3,2]
           [--reps 3]

``RUN`` is a run folder of ``TEACHER`` (``<work>/<profile>/<teacher>/<profile>/seed-<s>``
of ``benchmarks/resolution.py``) with a fit of seed 0 at each of ``--depths``. For each
spike gain g (per standard deviation of the teacher's readout), the spikes of the run's
test simulations are redrawn from ``sigmoid(g x readout + b)`` (the readout: a constructed
teacher's standardised readout, a found teacher's trained spike logit, whose registered
gain is ``found.spike_gain``), b set so that the mean
spike probability is the run's, and scored (after the first 500 ms, simulations over the
reference's 24-spike cap left out) by the teacher's own probability and by each student's
spike logit. A student's logit approximates the teacher's readout up to a monotone map, so
its ranking, and hence its AUC, is meaningful at any gain. A lower gain makes the teacher
less deterministic (a lower ceiling); if the students' FCI gap came from how near 1 the
ceiling is, it would shrink with it. Prints one JSON line per gain: mean AUCs over
``--reps`` draws and the FCI gaps between the first two depths and to the teacher.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np
import torch

from benchmark.cells import data_files, registry
from benchmark.learning.dataset import Dataset, Simulation
from benchmark.learning.metrics import SKIP_MS, max_output_spikes, roc_auc
from benchmark.learning.prediction import load_network
from benchmark.scoring.rule import fci
from benchmark.simulation.teacher import found, network
from benchmark.simulation.teacher.cell import TeacherCell


def teacher_readout(cell: TeacherCell, sim: Simulation) -> np.ndarray:
    """What the teacher's spike logit is a gain times (plus a bias), per 1 ms: a
    constructed teacher's standardised readout, a found teacher's trained spike logit."""
    drive = cell.drive(sim.input_channel, sim.input_time_ms, sim.duration_ms)
    t = cell.teacher
    if isinstance(t, found.FoundTeacher):
        return t.network.heads(drive[None])[0][0].double().numpy()
    _, volt = t.outputs(drive[None])
    return (volt[0].double().numpy() - t.config.v_rest_mv) / t.config.v_scale_mv


def scores(run: Path, teacher: str, depths: list[int]
           ) -> tuple[np.ndarray, dict[int, np.ndarray], float]:
    """The teacher's standardised readout and each depth's spike logits on the run's test
    simulations (after :data:`SKIP_MS`), (n_sims, time), and the mean spike label."""
    spec = registry.get(teacher)
    cell = TeacherCell(dict(spec.data), data_files.ensure(spec))
    data = Dataset(run / "simulations", cache_mb=512)
    sims = list(data.split("test"))
    nets = {d: load_network(run / f"fits/depth-{d}/seed-0").model.eval() for d in depths}
    readout, logits = [], {d: [] for d in depths}
    with torch.no_grad():
        for s in sims:
            readout.append(teacher_readout(cell, s)[SKIP_MS:])
            x = torch.from_numpy(s.dense_inputs(data.n_inputs, 0, s.duration_ms))[None]
            for d, model in nets.items():
                logits[d].append(model(x)[0][0].double().numpy()[SKIP_MS:])
    rate = float(np.mean([s.spike_label[SKIP_MS:].mean() for s in sims]))
    return np.array(readout), {d: np.array(v) for d, v in logits.items()}, rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("teacher")
    parser.add_argument("--depths", default="1,3")
    parser.add_argument("--gains", default="12,8,6,4,3,2")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    depths = [int(d) for d in args.depths.split(",")]
    readout, logits, rate = scores(args.run, args.teacher, depths)
    cap = max_output_spikes(readout.shape[1] + SKIP_MS)
    rng = np.random.default_rng(0)
    for gain in (float(g) for g in args.gains.split(",")):
        bias = network._bias_for(torch.from_numpy(gain * readout), rate)
        prob = 1.0 / (1.0 + np.exp(-(gain * readout + bias)))
        aucs: dict[str, list[float]] = {}
        for _ in range(args.reps):
            spikes = rng.random(prob.shape) < prob
            keep = spikes.sum(axis=1) <= cap
            aucs.setdefault("teacher", []).append(roc_auc(spikes[keep].ravel(),
                                                          prob[keep].ravel()))
            for d in depths:
                aucs.setdefault(str(d), []).append(roc_auc(spikes[keep].ravel(),
                                                           logits[d][keep].ravel()))
        row: dict[str, float] = {"gain": gain}
        row.update({k: round(float(np.mean(v)), 5) for k, v in aucs.items()})
        a, b = str(depths[0]), str(depths[-1])
        row[f"fci_{a}_minus_{b}"] = round(fci(row[a]) - fci(row[b]), 3)
        for d in (a, b):
            row[f"fci_{d}_minus_teacher"] = round(fci(row[d]) - fci(row["teacher"]), 3)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
