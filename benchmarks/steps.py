"""Is a profile's score limited by its training budget? Refit runs' data with more steps.

usage: python benchmarks/steps.py RUN_FOLDER [RUN_FOLDER ...] --steps N [--profile quick]
           [--eval-every 250] [--patience 8] [--work DIR] [--threads 1]

Each RUN_FOLDER is ``<out>/<cell>/<profile>/seed-<seed>/`` of a run whose simulations are
done. Its depth sweep is fitted again on the same simulations (linked, not copied) with the
profile's recipe except ``max_steps``, ``eval_every`` and ``patience``; the learning-rate
drops stay at 50% and 80% of the steps. The fits go to ``DIR/<cell>/`` (default
``./neurodepth-runs/steps-<N>``) and resume like any fit. Prints one JSON object: the
training overrides and, per cell, the sweep of :func:`benchmark.comparison.compare` (median
seed AUC per depth with its interval, each depth's gain with its paired interval, the
minimal depth) and the verdict across cells.

Measured with it (docs/scoring.md, section 7): the L5PC and its no-NMDA control at quick
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

import torch  # noqa: E402

from benchmark import comparison, fit, profiles  # noqa: E402
from benchmark.profiles import Profile  # noqa: E402


def longer(profile: Profile, steps: int, eval_every: int, patience: int) -> Profile:
    """``profile`` with another training budget, named after it (``quick-steps-6000``)."""
    train = dataclasses.replace(profile.train, max_steps=steps, eval_every=eval_every,
                                patience=patience)
    return dataclasses.replace(profile, name=f"{profile.name}-steps-{steps}", train=train)


def work_folder(run: Path, work: Path) -> Path:
    """``work/<cell>`` with a link to the run's simulations."""
    sims = (run / "simulations").resolve()
    if not (sims / "plan.json").is_file():
        raise SystemExit(f"{run}: no simulations/plan.json; simulate the run first")
    cell = run.resolve().parents[1].name
    folder = work / cell
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "simulations"
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
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    profile = longer(profiles.get(args.profile), args.steps, args.eval_every, args.patience)
    work = args.work or Path("neurodepth-runs") / f"steps-{args.steps}"
    folders = {}
    for run in args.runs:
        folder = work_folder(run, work)
        fit.run_sweep(folder, profile, device="cpu")
        folders[folder.name] = folder
    result = comparison.compare(folders, profile)
    print(json.dumps({"benchmark": "steps", "base_profile": args.profile,
                      "train": dataclasses.asdict(profile.train), "threads": args.threads,
                      **result}, indent=1))


if __name__ == "__main__":
    main()
