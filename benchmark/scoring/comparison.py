"""Compare the depth sweeps of cells run at the same profile: does one need a deeper network?

The question behind the suite's controls (the L5PC with NMDA synapses against its AMPA-only
control; a cell against its passive-dendrite variant). Each cell's sweep is decided by the
rule of :mod:`benchmark.scoring.decision`: per depth a verdict and the FCI gap to the cell's
best depth with its interval over test simulations and seeds. Cell A is **separated** from
cell B, needing a deeper network, when A's lower bound (its shallowest depth not shown
insufficient) exceeds B's upper bound (its shallowest sufficient depth).

When they are not separated, the comparison gives the evidence that bears on it: the
**gain from depth** of each cell, the FCI gap of its shallowest depth to its best depth
(how much error the deeper networks remove), and the difference of the two cells' gains with
a bootstrap interval. The cells are simulated and tested independently, so the interval
combines their resamples independently (unpaired between cells, paired within each).

Reads only the runs' fit folders (:func:`benchmark.scoring.curves.load_fits`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from benchmark.core.profiles import Profile
from benchmark.learning.metrics import percentile_interval
from benchmark.scoring import curves


def cell_sweep(run: Path, profile: Profile) -> tuple[dict[str, Any], np.ndarray | None]:
    """One cell's sweep (per depth: test AUC with its interval, verdict, FCI gap to the
    best depth) and the resamples of its gain from depth (None when undetermined)."""
    fits = curves.load_fits(run, profile)
    rows, _ = zip(*(curves.depth_row(d, fits[d]) for d in sorted(fits)), strict=True)
    outcome = curves.decide(run, profile, fits)
    block = curves.score_block(outcome, curves.decision_rule(profile))
    per_depth = curves._with_decision(rows, outcome)
    sweep = {"run": str(run), "outcome": block["outcome"], "label": block["label"],
             "lower": block["lower"], "upper": block["upper"],
             "best_depth": block["best_depth"],
             "per_depth": [{k: r.get(k) for k in ("depth", "spike_auc", "spike_auc_ci",
                                                  "valid_spike_auc", "decision")}
                           for r in per_depth]}
    if outcome is None:
        return sweep, None
    shallowest = min(outcome.delta_boot)
    boots = outcome.delta_boot[shallowest]
    row = next(d for d in outcome.per_depth if d.depth == shallowest)
    sweep["gain"] = {"from_depth": shallowest, "to_depth": outcome.best_depth,
                     "delta_fci": row.delta_fci, "delta_fci_ci": list(row.delta_fci_ci)}
    return sweep, boots


def separated(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """A needs a deeper network than B: A's lower bound exceeds B's finite upper bound."""
    return (a["lower"] is not None and b["upper"] is not None and a["lower"] > b["upper"])


def gain_difference(boots: dict[str, np.ndarray], sweeps: dict[str, dict[str, Any]],
                    a: str, b: str, ci: float = 0.95) -> dict[str, Any]:
    """A's gain from depth minus B's (FCI) with an interval from independent resamples."""
    n = min(boots[a].size, boots[b].size)
    diff = boots[a][:n] - np.random.default_rng(1).permutation(boots[b])[:n]
    lo, hi = percentile_interval(diff, ci)
    point = sweeps[a]["gain"]["delta_fci"] - sweeps[b]["gain"]["delta_fci"]
    return {"cells": [a, b], "difference_fci": point, "difference_ci": [lo, hi],
            "resolved": bool(lo > 0.0 or hi < 0.0)}


def verdict(sweeps: dict[str, dict[str, Any]], gaps: list[dict[str, Any]]) -> str:
    """One paragraph: which cells need deeper networks than which, or why none is separated."""
    undetermined = [c for c, s in sweeps.items() if s["outcome"] == "undetermined"]
    if undetermined:
        return f"not comparable: no decision for {', '.join(undetermined)} (see its record)"
    lines = [f"{a} needs a deeper network ({sweeps[a]['label']}) than {b} ({sweeps[b]['label']})"
             for a in sweeps for b in sweeps if a != b and separated(sweeps[a], sweeps[b])]
    if lines:
        return "; ".join(lines) + "."
    scores = ", ".join(f"{c} {s['label']}" for c, s in sweeps.items())
    text = f"not separated at this profile ({scores})"
    resolved = [g for g in gaps if g["resolved"]]
    if resolved:
        g = resolved[0]
        bigger = g["cells"][0] if g["difference_fci"] > 0 else g["cells"][1]
        return text + (f"; {bigger}'s gain from depth is larger, by "
                       f"{abs(g['difference_fci']):.3f} FCI [{g['difference_ci'][0]:+.3f}, "
                       f"{g['difference_ci'][1]:+.3f}], but the scores' depth bounds overlap.")
    return text + ("; no difference between the cells' gains from depth is resolved: a "
                   "larger test set and better trained networks (a larger profile) are "
                   "needed to tell them apart.")


def compare(runs: dict[str, Path], profile: Profile) -> dict[str, Any]:
    """The comparison of the named cells' runs (folders) at ``profile``."""
    sweeps, boots = {}, {}
    for cell, run in runs.items():
        sweeps[cell], b = cell_sweep(run, profile)
        if b is not None:
            boots[cell] = b
    cells = list(boots)
    gaps = [gain_difference(boots, sweeps, a, b) for i, a in enumerate(cells)
            for b in cells[i + 1:]]
    return {"profile": profile.name, "cells": sweeps, "gain_differences": gaps,
            "verdict": verdict(sweeps, gaps)}


def _fmt_ci(ci: list[float | None] | None, sign: str = "") -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return "n/a"
    return f"[{ci[0]:{sign}.4f}, {ci[1]:{sign}.4f}]"


def table(result: dict[str, Any]) -> str:
    """The comparison as a text table, one row per cell and depth."""
    lines = [f"profile {result['profile']}",
             f"{'cell':<28} {'depth':>5}  {'test spike AUC [95% CI]':<27} "
             f"{'FCI gap to best [95% CI]':<27} verdict"]
    for cell, sweep in result["cells"].items():
        for row in sweep["per_depth"]:
            auc = ("n/a" if row["spike_auc"] is None
                   else f"{row['spike_auc']:.4f} {_fmt_ci(row['spike_auc_ci'])}")
            d = row.get("decision") or {}
            gap = ("" if d.get("delta_fci") is None
                   else f"{d['delta_fci']:+.4f} {_fmt_ci(d['delta_fci_ci'], '+')}")
            best = " (best)" if row["depth"] == sweep["best_depth"] else ""
            lines.append(f"{cell:<28} {row['depth']:>5}  {auc:<27} {gap:<27} "
                         f"{d.get('verdict', '')}{best}")
        lines.append(f"{cell:<28} score: {sweep['label']}")
    for g in result["gain_differences"]:
        a, b = g["cells"]
        lines.append(f"gain from depth, {a} minus {b}: {g['difference_fci']:+.4f} FCI "
                     f"{_fmt_ci(g['difference_ci'], '+')}")
    return "\n".join(lines + ["", result["verdict"]])
