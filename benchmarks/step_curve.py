"""How far training had got at each step: the validation AUC per depth along finished fits.

usage: python benchmarks/step_curve.py RUN_FOLDER [RUN_FOLDER ...] [--steps 500,1000,...]

Each RUN_FOLDER is ``<out>/<cell>/<profile>/seed-<seed>/`` with finished fits of a sweep
selected on the validation spike AUC (``select_on="spike_auc"``: each ``fit.json``'s
``history`` holds 1 - the validation AUC at every check). For each step s of ``--steps`` it
gives, per depth, the median over seeds of the best validation AUC of the checks up to s
(the weights a fit stopped at s would keep) and its FCI gap to the best depth at s,
``log10((1 - AUC_d) / (1 - AUC_best)) / 2`` (:mod:`benchmark.scoring.decision`), with no
interval: the validation set is small and chose the kept weights, so these figures say
when the sweep's order settles, not what the test set would resolve.

A fit's learning rate drops at fractions of its ``max_steps`` (``TrainPlan.lr_step_at``),
so a fit stopped at s is not a fit planned for s steps: this reads the steps a profile
spends after its sweep's order has settled, and a shorter plan is then checked by running
it. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmark.scoring.rule import fci  # noqa: E402


def fci_gap(auc: float, best: float) -> float:
    """FCI of ``auc`` minus FCI of ``best`` (positive: ``auc`` errs more)."""
    return fci(auc) - fci(best)


def histories(run: Path) -> dict[int, list[dict[int, float]]]:
    """Per depth, per seed: {step: validation AUC} of the run's main sweep."""
    out: dict[int, list[dict[int, float]]] = {}
    for path in sorted(run.glob("fits/depth-*/seed-*/fit.json")):
        fit = json.loads(path.read_text())
        if fit.get("selected_on") != "spike_auc":
            raise SystemExit(f"{path}: selected_on is {fit.get('selected_on')!r}; the "
                             "history holds validation AUCs only for 'spike_auc'")
        curve = {int(e["step"]): 1.0 - float(e["valid_loss"]) for e in fit["history"]}
        out.setdefault(int(fit["config"]["depth"]), []).append(curve)
    if not out:
        raise SystemExit(f"{run}: no finished fits (fits/depth-*/seed-*/fit.json)")
    return out


def at_step(curves: dict[int, list[dict[int, float]]], step: int) -> dict[str, Any]:
    """The median-seed best-so-far validation AUC per depth at ``step``, and its gap."""
    aucs = {}
    for depth, seeds in sorted(curves.items()):
        kept = [max((v for s, v in c.items() if s <= step), default=math.nan) for c in seeds]
        aucs[depth] = statistics.median(kept)
    best = max(aucs.values())
    return {str(d): {"valid_auc": a, "gap_fci": fci_gap(a, best)} for d, a in aucs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--steps", default="500,1000,1500,2000,2500,3000")
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",") if s]
    out = {}
    for run in args.runs:
        curves = histories(run)
        out[str(run)] = {str(s): at_step(curves, s) for s in steps}
    print(json.dumps({"steps": steps, "runs": out}, indent=1))


if __name__ == "__main__":
    main()
