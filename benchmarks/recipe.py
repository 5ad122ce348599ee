"""What each change of the training recipe does: refit stored runs with each recipe.

usage: python benchmarks/recipe.py RUN_FOLDER [RUN_FOLDER ...] [--profile quick]
           [--variants former,weights,...] [--work DIR] [--threads 1]

Each RUN_FOLDER is ``<out>/<cell>/<profile>/seed-<seed>/`` of a run whose simulations are
done. Its depth sweep is fitted again on the same simulations (linked, not copied) with
each recipe below, from the one the profiles used until 2026-12-02 to the reference
study's, one change at a time (every other training setting is the profile's):

- ``former``: soma loss weight 2.0 and spike weight 1 throughout, weights kept at the lowest
  validation *total* loss, windows from t = 0, the reference's voltage constants (clip
  -55 mV, bias -67.7 mV);
- ``weights``: + the reference's loss weights (spike 1 -> 9, soma 0.02 -> 0.003);
- ``selection``: + weights kept at the lowest validation *spike* loss;
- ``voltage``: + the voltage target clipped and centred at the cell's own levels;
- ``skip``: + training windows (and the validation spike loss) skip the first 500 ms;
- ``auc``: + weights kept at the highest validation spike AUC: the standard and paper
  profiles' recipe;
- ``soma-weighted``: ``skip`` with the former loss weights;
- ``auc-soma-weighted``: ``auc`` with the former loss weights: the smoke and quick
  profiles' recipe.

Each variant's fits go to ``DIR/<variant>/<cell>/`` (default ``./neurodepth-runs/recipe``)
and resume like any fit; the profile's own recipe uses the run folder's fits when it has
them. Every sweep is decided by the rule of :mod:`benchmark.scoring.decision`. Prints one
JSON object:
per cell and variant, per depth the median-seed test and validation spike AUC, the soma
explained variance, the verdict with the FCI gap and its interval, and the score.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import torch

from benchmark.core import profiles
from benchmark.core.profiles import Profile, TrainPlan
from benchmark.learning import fit
from benchmark.learning.fit import FIT_FILE, fit_folder
from benchmark.scoring import curves
from benchmark.scoring.record import median_of

FORMER = {"spike_weight": 1.0, "soma_weight": 2.0, "spike_weight_end": None,
          "soma_weight_end": None, "select_on": "loss", "skip_ms": 0,
          "voltage_target": "reference"}
REFERENCE_WEIGHTS = {"spike_weight": 1.0, "soma_weight": 0.02, "spike_weight_end": 9.0,
                     "soma_weight_end": 0.003}
RECIPES: dict[str, dict[str, Any]] = {
    "former": FORMER,
    "weights": FORMER | REFERENCE_WEIGHTS,
    "selection": FORMER | REFERENCE_WEIGHTS | {"select_on": "spike_loss"},
    "voltage": FORMER | REFERENCE_WEIGHTS | {"select_on": "spike_loss",
                                             "voltage_target": "cell"},
    "skip": FORMER | REFERENCE_WEIGHTS | {"select_on": "spike_loss", "voltage_target": "cell",
                                          "skip_ms": 500},
    "auc": FORMER | REFERENCE_WEIGHTS | {"select_on": "spike_auc", "voltage_target": "cell",
                                         "skip_ms": 500},
    "soma-weighted": FORMER | {"select_on": "spike_loss", "voltage_target": "cell",
                               "skip_ms": 500},
    "auc-soma-weighted": FORMER | {"select_on": "spike_auc", "voltage_target": "cell",
                                   "skip_ms": 500},
}
"""The recipes compared (module docstring); every other training setting is the profile's."""


def variant_plan(train: TrainPlan, variant: str) -> TrainPlan:
    """The profile's training plan with ``variant``'s loss weights, selection, skip and
    voltage target."""
    return dataclasses.replace(train, **RECIPES[variant])


def is_profiles_own(profile: Profile, variant: str) -> bool:
    """True when ``variant`` is the profile's own recipe (its run folder's fits serve)."""
    return variant_plan(profile.train, variant) == profile.train


def variant_profile(profile: Profile, variant: str) -> Profile:
    return dataclasses.replace(profile, name=f"{profile.name}-recipe-{variant}",
                               train=variant_plan(profile.train, variant))


def work_folder(run: Path, work: Path, variant: str) -> Path:
    """``work/<variant>/<cell>/`` holding a link to the run's simulations."""
    folder = work / variant / run.parents[1].name
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "simulations"
    if not link.exists():
        link.symlink_to((run / "simulations").resolve(), target_is_directory=True)
    return folder


def has_fits(run: Path, profile: Profile) -> bool:
    return all((fit_folder(run, d, s) / FIT_FILE).is_file()
               for d in profile.depths for s in range(profile.n_seeds))


def summary(scores: dict[str, Any]) -> dict[str, Any]:
    """The figures of one sweep the comparison table needs."""
    rows = []
    for row in scores["per_depth"]:
        d = row.get("decision") or {}
        rows.append({"depth": row["depth"], "test_auc": row["spike_auc"],
                     "valid_auc": row.get("valid_spike_auc"),
                     "soma_ev": median_of(s["soma_explained_variance"] for s in row["seeds"]),
                     "verdict": d.get("verdict"), "delta_fci": d.get("delta_fci"),
                     "delta_fci_ci": d.get("delta_fci_ci")})
    return {"score": scores["score"]["label"], "best_depth": scores["score"]["best_depth"],
            "per_depth": rows, "voltage_target": scores.get("voltage_target")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run folders (seed-N)")
    parser.add_argument("--profile", default="quick", choices=sorted(profiles.PROFILES))
    parser.add_argument("--variants", default=",".join(RECIPES))
    parser.add_argument("--work", type=Path, default=Path("neurodepth-runs") / "recipe")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    profile = profiles.get(args.profile)
    variants = [v for v in args.variants.split(",") if v]
    unknown = set(variants) - set(RECIPES)
    if unknown:
        parser.error(f"unknown variants {sorted(unknown)}; choose from {', '.join(RECIPES)}")
    out: dict[str, Any] = {"profile": profile.name, "variants": {}}
    for variant in variants:
        own = is_profiles_own(profile, variant)
        vp = profile if own else variant_profile(profile, variant)
        out["variants"][variant] = dataclasses.asdict(vp.train)
        for run in args.runs:
            cell = run.parents[1].name
            folder = (run if own and has_fits(run, profile)
                      else work_folder(run, args.work, variant))
            fit.run_sweep(folder, vp)
            out.setdefault("cells", {}).setdefault(cell, {})[variant] = summary(
                curves.score_run(folder, vp))
            print(json.dumps({cell: {variant: out["cells"][cell][variant]["score"]}}),
                  file=sys.stderr)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
