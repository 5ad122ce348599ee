"""Fits side by side in a local pool against fits one after the other: the fit stage's wall
time on this machine's cores.

usage: python benchmarks/fit_pool.py RUN_FOLDER [--profile quick] [--steps 300]
           [--work DIR]

RUN_FOLDER is ``<out>/<cell>/<profile>/seed-<seed>/`` of a run whose simulations are done.
Its profile's depth sweep (every depth and training seed) is trained three times on the
same simulations, each for ``--steps`` steps (validation every 100), in one run of this
script so that the machine's load is shared alike:

- ``here_all_threads``: one after the other in this process with one torch thread per
  core (how the fit stage trained before it had a pool);
- ``here_one_thread``: one after the other with one torch thread;
- ``pool``: :func:`benchmark.simulation.executors.fit_pool`, one process per core with
  one torch thread each (what ``benchmark fit`` does on the CPU).

Prints one JSON object: each way's wall time (s), the ratios to the pool, and whether the
pool's networks equal the one-thread networks trained here (they must: every fit is
seeded, and one thread adds its sums in one order). The fits go to ``DIR/<way>/``
(default ``./neurodepth-runs/fit-pool``) and are trained anew at each call.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import torch

from benchmark.core import profiles
from benchmark.core.profiles import Profile
from benchmark.learning import fit
from benchmark.simulation import executors

WAYS = ("here_all_threads", "here_one_thread", "pool")


def short(profile: Profile, steps: int) -> Profile:
    """``profile`` trained for ``steps`` steps without early stopping."""
    train = dataclasses.replace(profile.train, max_steps=steps, eval_every=100,
                                patience=steps)
    return dataclasses.replace(profile, name=f"{profile.name}-steps-{steps}", train=train)


def fresh_folder(run: Path, folder: Path) -> Path:
    """``folder`` emptied, with a link to the run's simulations."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "simulations").symlink_to((run / "simulations").resolve(),
                                        target_is_directory=True)
    return folder


def train(way: str, folder: Path, profile: Profile, cores: int) -> float:
    """Train the sweep the way named; returns the wall time (s)."""
    start = time.perf_counter()
    if way == "pool":
        with executors.fit_pool(cores, threads=1) as pool:
            fit.run_sweep(folder, profile, device="cpu", executor=pool)
    else:
        torch.set_num_threads(cores if way == "here_all_threads" else 1)
        fit.run_sweep(folder, profile, device="cpu")
    return time.perf_counter() - start


def same_networks(a: Path, b: Path) -> bool:
    """Whether every fit of ``a`` has the weights and test metrics of ``b``'s."""
    for path in sorted(a.glob("fits/depth-*/seed-*/fit.json")):
        rel = path.relative_to(a)
        if json.loads(path.read_text())["test"] != json.loads((b / rel).read_text())["test"]:
            return False
        mine = torch.load(path.parent / "model.pt", weights_only=True)
        theirs = torch.load(b / rel.parent / "model.pt", weights_only=True)
        if any(not torch.equal(value, theirs[key]) for key, value in mine.items()):
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="run folder (seed-N) with its simulations")
    parser.add_argument("--profile", default="quick", choices=sorted(profiles.PROFILES))
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--work", type=Path, default=Path("neurodepth-runs") / "fit-pool")
    args = parser.parse_args()
    if not (args.run / "simulations" / "plan.json").is_file():
        raise SystemExit(f"{args.run}: no simulations/plan.json; simulate the run first")
    profile = short(profiles.get(args.profile), args.steps)
    cores = executors.default_workers()
    wall = {}
    for way in WAYS:
        wall[way] = train(way, fresh_folder(args.run, args.work / way), profile, cores)
    n_fits = len(profile.depths) * profile.n_seeds
    print(json.dumps({
        "benchmark": "fit_pool", "run": str(args.run), "profile": args.profile,
        "steps": args.steps, "fits": n_fits, "cores": cores,
        "wall_s": {k: round(v, 1) for k, v in wall.items()},
        "ratio_to_pool": {k: round(v / wall["pool"], 2) for k, v in wall.items()},
        "pool_equals_one_thread_here": same_networks(args.work / "here_one_thread",
                                                     args.work / "pool"),
    }, indent=1))


if __name__ == "__main__":
    main()
