"""Is a profile's score limited by its training budget? Refit runs' data with more steps.

usage: python benchmarks/steps.py RUN_FOLDER [RUN_FOLDER ...] --steps N [--profile quick]
           [--eval-every 250] [--patience 8] [--work DIR] [--threads 1]
           [--data N_TRAIN,N_VALID,N_TEST] [--weight-decay W]

Each RUN_FOLDER is ``<out>/<cell>/<profile>/seed-<seed>/`` of a run whose simulations are
done. Its depth sweep is fitted again on the same simulations (linked, not copied) with the
profile's recipe except ``max_steps``, ``eval_every`` and ``patience``; the learning-rate
drops stay at 50% and 80% of the steps. The fits go to ``DIR/<cell>/`` (default
``./neurodepth-runs/steps-<N>``) and resume like any fit. Prints one JSON object: the
training overrides and, per cell, the sweep of :func:`benchmark.scoring.comparison.compare` (median
seed AUC per depth with its interval, each depth's gain with its paired interval, the
minimal depth) and the verdict across cells.

``--data`` fits on the run's first N_TRAIN + N_VALID + N_TEST simulations, split anew in
that order (a smaller data plan on stored simulations: the folder then holds its own
``plan.json`` and links to the run's shards); ``--weight-decay`` replaces the recipe's.

Measured with it: docs/scoring.md section 8 (quick v2's weight decay: the first 72
simulations of quick v1 runs, ``--steps 1500 --eval-every 100 --patience 5 --data 48,8,16
--weight-decay W``). And (docs/scoring.md, section 7): the L5PC and its no-NMDA control at quick
v1 (304 simulations, no weight decay) with 6000 instead of 1500 steps. The refit takes the
current profile's recipe, so quick v2's weight decay applies to it; section 7's figures
need the v1 code (commit fc9748f).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import torch

from benchmark.core import profiles
from benchmark.core.profiles import Profile
from benchmark.learning import fit
from benchmark.scoring import comparison


def longer(profile: Profile, steps: int, eval_every: int, patience: int,
           data: tuple[int, int, int] | None = None,
           weight_decay: float | None = None) -> Profile:
    """``profile`` with another training budget (and optionally data split and weight
    decay), named after them (``quick-steps-6000``, ``quick-steps-1500-data-48-8-16-wd-0.3``)."""
    train = dataclasses.replace(profile.train, max_steps=steps, eval_every=eval_every,
                                patience=patience)
    name = f"{profile.name}-steps-{steps}"
    plan = profile.data
    if data is not None:
        plan = dataclasses.replace(plan, n_train=data[0], n_valid=data[1], n_test=data[2])
        name += "-data-" + "-".join(map(str, data))
    if weight_decay is not None:
        train = dataclasses.replace(train, weight_decay=weight_decay)
        name += f"-wd-{weight_decay:g}"
    return dataclasses.replace(profile, name=name, train=train, data=plan)


def subset_folder(sims: Path, folder: Path, data: tuple[int, int, int]) -> None:
    """``folder``: the first simulations of ``sims`` split as ``data`` (its own plan.json
    and index.json; links to the shards)."""
    plan = json.loads((sims / "plan.json").read_text())
    stored = plan["data"]
    if sum(data) > stored["n_train"] + stored["n_valid"] + stored["n_test"]:
        raise SystemExit(f"{sims}: --data {data} needs more simulations than the run holds")
    plan["data"].update(n_train=data[0], n_valid=data[1], n_test=data[2])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.json").write_text(json.dumps(plan, indent=2))
    (folder / "index.json").write_text((sims / "index.json").read_text())
    for shard in sorted(sims.glob("shard-*.h5")):
        if not (folder / shard.name).exists():
            (folder / shard.name).symlink_to(shard)


def work_folder(run: Path, work: Path, data: tuple[int, int, int] | None = None) -> Path:
    """``work/<cell>`` with a link to the run's simulations (or a subset, ``data``)."""
    sims = (run / "simulations").resolve()
    if not (sims / "plan.json").is_file():
        raise SystemExit(f"{run}: no simulations/plan.json; simulate the run first")
    cell = run.resolve().parents[1].name
    folder = work / cell
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "simulations"
    if data is not None:
        if link.is_symlink():
            raise SystemExit(f"{link} links to a whole run: use another --work for --data")
        subset_folder(sims, link, data)
        return folder
    if not link.exists():
        link.symlink_to(sims, target_is_directory=True)
    elif link.resolve() != sims:
        raise SystemExit(f"{link} points to {link.resolve()}, not {sims}: use another --work")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run folders (seed-N)")
    parser.add_argument("--steps", type=int, required=True, help="training steps at most")
    parser.add_argument("--profile", default="quick", choices=sorted(profiles.PROFILES))
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--patience", type=int, default=8)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--data", default=None,
                        help="N_TRAIN,N_VALID,N_TEST: fit on the run's first simulations")
    parser.add_argument("--weight-decay", type=float, default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = tuple(int(x) for x in args.data.split(",")) if args.data else None
    if data is not None and (len(data) != 3 or min(data) < 1):
        raise SystemExit(f"--data {args.data}: give three positive counts, N_TRAIN,N_VALID,N_TEST")
    profile = longer(profiles.get(args.profile), args.steps, args.eval_every, args.patience,
                     data, args.weight_decay)
    work = args.work or Path("neurodepth-runs") / f"steps-{args.steps}"
    folders = {}
    for run in args.runs:
        folder = work_folder(run, work, data)
        fit.run_sweep(folder, profile, device="cpu")
        folders[folder.name] = folder
    result = comparison.compare(folders, profile)
    print(json.dumps({"benchmark": "steps", "base_profile": args.profile,
                      "train": dataclasses.asdict(profile.train), "threads": args.threads,
                      **result}, indent=1))


if __name__ == "__main__":
    main()
