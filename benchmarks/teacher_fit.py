"""How close a run's students come to their teacher's voltage, next to a student that computes it.

usage: python benchmarks/teacher_fit.py RUN TEACHER [--split test] [--n-sims 96]
           [--save FILE]

``RUN`` is a run folder of ``TEACHER`` (``<out>/<teacher>/<profile>/seed-<s>/``, from
``python -m benchmark run`` or ``benchmarks/resolution.py``) with fits. On the first
``--n-sims`` simulations of ``--split`` (``train`` to ask whether the students fit their own
training data) it scores, against the teacher's soma target (after
:data:`~benchmark.learning.metrics.SKIP_MS`): every fitted student (each depth and seed, as
kept by the fit), and the student of the teacher's depth, with the profile's network shape,
whose weights are the teacher's (:func:`benchmark.learning.embedding.embed`). Reported per
student: the explained variance of the target and the root-mean-square error (mV), both
without the rescaling of the test metrics. Prints one JSON object (``--save`` also writes
it) with the command, versions and wall time.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import numpy as np
import torch
from resolution import emit, provenance, teacher_cell

from benchmark.learning import fit
from benchmark.learning.dataset import Dataset
from benchmark.learning.embedding import embed
from benchmark.learning.metrics import SKIP_MS
from benchmark.learning.model import TCN
from benchmark.learning.prediction import load_network


def voltage_fit(model: TCN, sims: list[Any], n_inputs: int) -> dict[str, float]:
    """Explained variance and RMSE (mV) of ``model``'s voltage head on ``sims``' targets."""
    outputs = fit.predict(model, sims, n_inputs, torch.device("cpu"))
    pred = np.concatenate([soma[SKIP_MS:] for _, soma in outputs]).astype(np.float64)
    target = np.concatenate([s.soma_target_mv[SKIP_MS:] for s in sims]).astype(np.float64)
    return {"explained_variance": round(float(1 - np.var(target - pred) / np.var(target)), 6),
            "rmse_mv": float(f"{np.sqrt(np.mean((target - pred) ** 2)):.4g}")}


def students(run: Path) -> list[tuple[int, int, Path]]:
    """(depth, seed, folder) of every fit in ``run`` with a kept model."""
    out = []
    for folder in sorted(run.glob("fits/depth-*/seed-*")):
        if (folder / "model.pt").is_file():
            out.append((int(folder.parent.name.split("-")[1]), int(folder.name.split("-")[1]),
                        folder))
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("teacher")
    parser.add_argument("--split", default="test", choices=("train", "valid", "test"))
    parser.add_argument("--n-sims", type=int, default=96)
    parser.add_argument("--save", type=Path, default=None)
    args = parser.parse_args()
    start = time.monotonic()
    torch.set_num_threads(1)
    teacher = teacher_cell(args.teacher).teacher
    data = Dataset(args.run / "simulations", cache_mb=512)
    sims = list(data.split(args.split))[:args.n_sims]
    rows, shape = [], None
    for depth, seed, folder in students(args.run):
        model = load_network(folder).model.eval()
        shape = shape or model.config
        rows.append({"depth": depth, "seed": seed, "trained": True,
                     **voltage_fit(model, sims, data.n_inputs)})
    if shape is None:
        raise SystemExit(f"{args.run}: no fitted students under fits/")
    depth = teacher.config.depth
    config = replace(shape, depth=depth,
                     first_kernel_ms=shape.first_kernel_ms + (shape.depth - depth)
                     * (shape.kernel_ms - 1))
    rows.append({"depth": depth, "seed": None, "trained": False,
                 **voltage_fit(embed(teacher, config, data.levels.bias_mv), sims,
                               data.n_inputs)})
    emit({"run": str(args.run), "teacher": args.teacher, "split": args.split,
          "n_sims": len(sims), "students": rows,
          **provenance("teacher_fit.py", start)}, args.save)


if __name__ == "__main__":
    main()
