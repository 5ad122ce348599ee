"""Compare the depth sweeps of cells run at the same profile: does one need a deeper network?

The question behind the suite's controls (the L5PC with NMDA synapses against its AMPA-only
control; a cell against its passive-dendrite variant): cell A is *separated* from cell B
when A's minimal depth (the rule of ``docs/scoring.md``) is greater than B's. When the
minimal depths are equal, the comparison says why it cannot tell them apart: for each cell
and depth, the gain of that depth over the one before (median over seeds) with a paired
bootstrap interval over the test simulations (each fit's ``spike_auc_boot`` uses the same
resamples of the same test set, so the resample-by-resample difference removes the noise
the depths share). A gain whose interval excludes zero is resolved by the test set even if
the rule's margin (which uses the unpaired interval of the best depth) absorbs it.

Reads only the fits' ``fit.json`` files (:func:`benchmark.scoring.curves.load_fits`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.core.profiles import Profile
from benchmark.learning.metrics import percentile_interval
from benchmark.scoring import curves
from benchmark.scoring import rule as score


def _median_boots(fits: list[dict[str, Any]]) -> np.ndarray:
    """Per resample, the median over seeds of the test AUC (NaN where no seed has one)."""
    boots = np.array([[math.nan if v is None else float(v) for v in f["test"]["spike_auc_boot"]]
                      for f in fits])
    with np.errstate(all="ignore"):
        finite = np.isfinite(boots).any(axis=0)
        out = np.full(boots.shape[1], math.nan)
        out[finite] = np.nanmedian(boots[:, finite], axis=0)
    return out


def _gain(now: list[dict[str, Any]], before: list[dict[str, Any]]) -> dict[str, Any]:
    """AUC gain of one depth over the previous (median over seeds) and its paired 95%
    bootstrap interval; ``resolved`` when the interval excludes zero."""
    def summary(fits: list[dict[str, Any]]) -> float:
        return score.summary_auc([curves._nan(f["test"]["spike_auc"]) for f in fits])

    gain = summary(now) - summary(before)
    lo, hi = percentile_interval(_median_boots(now) - _median_boots(before))
    return {"gain": curves._none(gain), "gain_ci": [curves._none(lo), curves._none(hi)],
            "resolved": bool(math.isfinite(lo) and (lo > 0.0 or hi < 0.0))}


def cell_sweep(run: Path, profile: Profile) -> dict[str, Any]:
    """One cell's sweep: per depth the summary AUC with its interval and the gain over the
    previous depth; the minimal depth and the rule's threshold."""
    fits = curves.load_fits(run, profile)
    depths = sorted(fits)
    rows, results = zip(*(curves.depth_row(d, fits[d]) for d in depths), strict=True)
    block = curves.score_block(results, score.ScoreRule(tolerance=profile.score_tolerance))
    per_depth = []
    for i, (depth, row) in enumerate(zip(depths, rows, strict=True)):
        entry = {"depth": depth, "spike_auc": row["spike_auc"], "spike_auc_ci": row["spike_auc_ci"]}
        if i:
            entry.update(_gain(fits[depth], fits[depths[i - 1]]))
        per_depth.append(entry)
    return {"run": str(run), "minimal_depth": block["minimal_depth"],
            "censored": block["censored"], "threshold": block["threshold"],
            "per_depth": per_depth}


def depth_verdict(depths: dict[str, int | None], censored: dict[str, bool]) -> str | None:
    """Which cells need deeper networks than which, from their minimal depths; None when
    every cell has the same one."""
    if any(d is None for d in depths.values()):
        missing = ", ".join(c for c, d in depths.items() if d is None)
        return f"not comparable: no minimal depth for {missing} (see its record's reason)"
    order = sorted(depths, key=lambda c: (-depths[c], c))  # type: ignore[operator]
    lines = []
    for a in order:
        shallower = [b for b in order if depths[b] < depths[a]]  # type: ignore[operator]
        if shallower:
            at_least = ">= " if censored[a] else ""
            lines.append(f"{a} needs a deeper network ({at_least}{depths[a]}) than "
                         + ", ".join(f"{b} ({depths[b]})" for b in shallower))
    return "; ".join(lines) + "." if lines else None


def verdict(sweeps: dict[str, dict[str, Any]]) -> str:
    """One paragraph: which cells need deeper networks than which, or why none is separated."""
    depths = {c: s["minimal_depth"] for c, s in sweeps.items()}
    separated = depth_verdict(depths, {c: s["censored"] for c, s in sweeps.items()})
    if separated is not None:
        return separated
    resolved = [f"{c} depth {g['depth']} ({g['gain']:+.4f})" for c, s in sweeps.items()
                for g in s["per_depth"] if g.get("resolved") and g["gain"] > 0]
    text = (f"not separated at this profile: every cell scores minimal depth "
            f"{next(iter(depths.values()))}")
    if resolved:
        return text + ("; the test set resolves (paired 95% interval above zero) a gain of "
                       + ", ".join(resolved) + ", below the rule's margin.")
    return text + ("; no depth's gain over the previous one is resolved by the test set "
                   "(every paired 95% interval contains zero): a larger test set and better "
                   "trained networks (a larger profile) are needed to tell them apart.")


def compare(runs: dict[str, Path], profile: Profile) -> dict[str, Any]:
    """The comparison of the named cells' runs (folders) at ``profile``."""
    sweeps = {cell: cell_sweep(run, profile) for cell, run in runs.items()}
    return {"profile": profile.name, "cells": sweeps, "verdict": verdict(sweeps)}


def table(result: dict[str, Any]) -> str:
    """The comparison as a text table, one row per cell and depth."""
    lines = [f"profile {result['profile']}",
             f"{'cell':<28} {'depth':>5}  {'spike AUC [95% CI]':<26} "
             "gain vs previous [paired 95% CI]"]
    for cell, sweep in result["cells"].items():
        for row in sweep["per_depth"]:
            lo, hi = row["spike_auc_ci"]
            auc = (f"{row['spike_auc']:.4f} [{lo:.4f}, {hi:.4f}]" if row["spike_auc"] is not None
                   and lo is not None else "n/a")
            gain = ""
            if "gain" in row and row["gain"] is not None and row["gain_ci"][0] is not None:
                g_lo, g_hi = row["gain_ci"]
                gain = f"{row['gain']:+.4f} [{g_lo:+.4f}, {g_hi:+.4f}]"
            mark = " <- minimal" if row["depth"] == sweep["minimal_depth"] else ""
            lines.append(f"{cell:<28} {row['depth']:>5}  {auc:<26} {gain}{mark}")
    return "\n".join(lines + ["", result["verdict"]])
