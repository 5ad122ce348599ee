"""Learning curves: a profile's depth sweep refitted on growing parts of a run's training set.

usage: python benchmarks/learning_curve.py RUN_FOLDER [RUN_FOLDER ...] [--profile quick]
           [--fractions 0.125,0.25,0.5,1] [--work DIR] [--processes N] [--save FILE]
           [the overrides of benchmarks/resolution.py: --n-train N ... --depths 1,2,3]

Each RUN_FOLDER is ``<out>/<cell>/<profile>/seed-<seed>/`` of a run whose simulations are
done. For each fraction f its sweep (every depth and seed of the profile, the profile's
recipe and step count) is fitted again on the first ``round(f x n_train)`` training
simulations (``TrainPlan.train_sims``), and tested on the run's own test simulations, so
the points of a curve differ only in the training data. A run of a sized profile
(``benchmarks/resolution.py`` with overrides) takes the same overrides here. The fits of
fraction f go to ``DIR/<cell>/train-<n>/`` (default ``./neurodepth-runs/learning-curve``),
beside a link to the run's simulations, and resume like any fit; all of the training set
uses the run folder's own fits when it has them. The fits train side by side in a local
fit pool of ``--processes`` processes with one torch thread each (default one per core;
1: one after the other in this process, with ``--threads`` torch threads).

Each sweep is decided by the rule of :mod:`benchmark.scoring.decision`. Prints one JSON
object (``--save FILE`` also writes it): per cell and training-set size, per depth the
median-seed test spike AUC, the verdict and the FCI gap to the best depth with its paired
95% interval, and the sweep's score; and the command, versions and wall time.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import time
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import torch
from recipe import has_fits, summary
from resolution import add_overrides, emit, provenance, sized

from benchmark.core import profiles
from benchmark.core.profiles import Profile
from benchmark.learning import fit
from benchmark.scoring import curves
from benchmark.simulation import executors
from benchmark.simulation.plan import read_plan

FRACTIONS = (0.125, 0.25, 0.5, 1.0)


def train_sizes(n_train: int, fractions: list[float]) -> list[int]:
    """The distinct training-set sizes ``round(f x n_train)`` (at least 1), ascending."""
    for f in fractions:
        if not 0 < f <= 1:
            raise ValueError(f"fractions must be in (0, 1], got {f!r}")
    return sorted({max(1, round(f * n_train)) for f in fractions})


def sized_profile(profile: Profile, n: int) -> Profile:
    """``profile`` trained on its run's first ``n`` training simulations."""
    return dataclasses.replace(profile, name=f"{profile.name}-train{n}",
                               train=dataclasses.replace(profile.train, train_sims=n))


def work_folder(run: Path, work: Path, n: int) -> Path:
    """``work/<cell>/train-<n>/`` holding a link to the run's simulations."""
    folder = work / run.parents[1].name / f"train-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "simulations"
    if not link.exists():
        link.symlink_to((run / "simulations").resolve(), target_is_directory=True)
    return folder


def curve(run: Path, profile: Profile, fractions: list[float], work: Path,
          executor: Executor | None = None) -> dict[str, Any]:
    """One run's learning curve: per training-set size, the sweep's summary."""
    n_train = read_plan(run / "simulations").data_plan.n_train
    points = []
    for n in train_sizes(n_train, fractions):
        whole = n == n_train
        sized = profile if whole else sized_profile(profile, n)
        folder = run if whole and has_fits(run, profile) else work_folder(run, work, n)
        fit.run_sweep(folder, sized, executor=executor)
        point = {"train_sims": n, "fraction": n / n_train} | summary(
            curves.score_run(folder, sized))
        print(json.dumps({run.parents[1].name: {n: point["score"]}}), file=sys.stderr)
        points.append(point)
    return {"run": str(run), "n_train": n_train, "points": points}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run folders (seed-N)")
    parser.add_argument("--profile", default="quick", choices=sorted(profiles.PROFILES))
    parser.add_argument("--fractions", default=",".join(f"{f:g}" for f in FRACTIONS),
                        help="comma-separated fractions of the training set, in (0, 1]")
    parser.add_argument("--work", type=Path, default=Path("neurodepth-runs") / "learning-curve")
    parser.add_argument("--processes", type=int, default=executors.default_workers(),
                        help="fits trained side by side (default: one per core)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads with --processes 1")
    parser.add_argument("--save", type=Path, default=None, help="also write the JSON here")
    add_overrides(parser)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        fractions = [float(f) for f in args.fractions.split(",") if f]
        train_sizes(1, fractions)
    except ValueError as err:
        parser.error(f"--fractions: {err}")
    profile = sized(profiles.get(args.profile), args)
    start = time.monotonic()
    out: dict[str, Any] = {"profile": profile.to_dict(), "fractions": fractions, "cells": {}}
    with contextlib.ExitStack() as stack:
        pool = (stack.enter_context(executors.fit_pool(args.processes, threads=1))
                if args.processes > 1 else None)
        for run in args.runs:
            out["cells"].setdefault(run.parents[1].name, []).append(
                curve(run, profile, fractions, args.work, pool))
    emit(out | provenance("learning_curve.py", start), args.save)


if __name__ == "__main__":
    main()
