"""Find a teacher: train a network of depth k on a constructed teacher of depth k, and
write its weights as a found teacher's network file.

usage: python benchmarks/teacher_find.py SOURCE --depth K --out cells/NAME/network.npz
           [--profile resolving] [--run-seed 0] [--seed 0] [--steps 3000] [--work DIR]

SOURCE is a constructed teacher cell (``builder = "teacher"`` with ``[parameters.teacher]``;
the constructions of the registered teachers are ``td1_b``, ``td3_bb`` and ``td5_bb`` in
``benchmarks/teacher_variants``, which this script adds to the cell search path). The
script:

1. simulates SOURCE with the profile's data plan and calibration (run seed
   ``--run-seed``; ``python -m benchmark simulate``, resumable) into
   ``DIR/<profile>/SOURCE/...``;
2. trains one network of depth K of the profile's shape (width, receptive field, kernels,
   spatial rank) with the profile's recipe and ``--steps`` steps, training seed ``--seed``,
   with one torch thread (:class:`benchmark.learning.fit.Trainer`: the weights kept are
   those of the best validation check), into ``DIR/find/SOURCE/depth-K/seed-S``;
3. writes its weights with :func:`benchmark.simulation.teacher.found.save` to ``--out``
   (with the voltage target's bias and a description of how they were found), and prints
   one JSON object: the file's sha256 (to pin under the cell's ``[files]``), the fit's
   test metrics against SOURCE, the command, versions and wall time.

Training is reproducible on one machine with one thread, not bit for bit across
machines: the committed file, pinned by its hash, is the teacher (docs/teachers.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VARIANTS = REPO / "benchmarks" / "teacher_variants"
sys.path.insert(0, str(REPO))
os.environ["NEURODEPTH_CELLS"] = os.pathsep.join(
    p for p in (os.environ.get("NEURODEPTH_CELLS", ""), str(VARIANTS)) if p)

import torch
from resolution import emit, provenance

from benchmark.cells import data_files
from benchmark.core import profiles
from benchmark.learning import fit
from benchmark.learning.dataset import Dataset
from benchmark.learning.model import TCNConfig
from benchmark.simulation.teacher import found


def simulate(source: str, profile: str, run_seed: int, work: Path) -> Path:
    """The source's simulations folder (simulated here when missing; resumes)."""
    root = work / profile
    cmd = [sys.executable, "-m", "benchmark", "simulate", "--cell", source, "--profile",
           profile, "--seed", str(run_seed), "--out", str(root)]
    subprocess.run(cmd, check=True, cwd=REPO, env=os.environ.copy())
    return root / source / profile / f"seed-{run_seed}" / "simulations"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source")
    parser.add_argument("--depth", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--profile", default="resolving", choices=sorted(profiles.PROFILES))
    parser.add_argument("--run-seed", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--work", type=Path, default=REPO / "neurodepth-runs" / "teacher-find")
    parser.add_argument("--save", type=Path, default=None)
    args = parser.parse_args()
    start = time.monotonic()
    torch.set_num_threads(1)
    profile = profiles.get(args.profile)
    sims = simulate(args.source, args.profile, args.run_seed, args.work.resolve())
    data = Dataset(sims)
    config = TCNConfig(n_inputs=data.n_inputs, depth=args.depth, width=profile.width,
                       first_kernel_ms=profile.first_kernel_ms(args.depth),
                       kernel_ms=profile.kernel_ms, spatial_rank=profile.spatial_rank)
    folder = args.work.resolve() / "find" / args.source / f"depth-{args.depth}" / \
        f"seed-{args.seed}"
    folder.mkdir(parents=True, exist_ok=True)
    plan = dataclasses.replace(profile.train, max_steps=args.steps)
    trainer = fit.Trainer(fit.FitJob(config, args.seed, folder), data, plan,
                          torch.device("cpu"))
    trainer.train()
    result = trainer.finish(n_boot=profile.n_boot)
    meta = {"source": args.source, "profile": args.profile, "run_seed": args.run_seed,
            "seed": args.seed, "steps": result["steps"], "config": config.to_dict(),
            "torch": torch.__version__, "selected_on": result["selected_on"]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    found.save(args.out, trainer.model.state_dict(), data.levels.bias_mv, meta)
    test = result["test"]
    emit({"benchmark": "teacher_find", "source": args.source, "depth": args.depth,
          "out": str(args.out), "sha256": data_files.sha256_of(args.out), "meta": meta,
          "test_vs_source": {k: v for k, v in test.items() if not isinstance(v, list | dict)},
          **provenance("teacher_find.py", start)}, args.save)


if __name__ == "__main__":
    main()
