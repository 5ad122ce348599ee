"""The scoring stage: per-depth curves from the stored fits, the minimal depth and the FCI.

Reads ``fits/depth-<d>/seed-<s>/fit.json`` of a run, applies the rule of
``docs/scoring.md`` (:mod:`benchmark.scoring.rule`) and writes ``scores.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.core import atomic
from benchmark.core.errors import UserError
from benchmark.core.profiles import Profile
from benchmark.learning import metrics
from benchmark.learning.fit import FIT_FILE, fit_folder
from benchmark.scoring import rule as score
from benchmark.simulation import calibration, engine
from benchmark.simulation.plan import read_plan
from benchmark.simulation.shards import index_counts

SEED_METRICS = metrics.METRIC_NAMES


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def load_fits(run: Path, profile: Profile,
              width: int | None = None) -> dict[int, list[dict[str, Any]]]:
    """Every finished fit of the sweep (or of one width of the width sweep), by depth;
    UserError naming the first missing one."""
    out: dict[int, list[dict[str, Any]]] = {}
    for depth in profile.depths:
        for seed in range(profile.n_seeds):
            path = fit_folder(run, depth, seed, width) / FIT_FILE
            if not path.is_file():
                raise UserError(f"{path}: fit not finished; run `python -m benchmark fit` first"
                                + (f" with --widths including {width}" if width else ""))
            out.setdefault(depth, []).append(json.loads(path.read_text()))
    return out


def depth_row(depth: int, fits: list[dict[str, Any]]) -> tuple[dict[str, Any], score.DepthResult]:
    """The record's per-depth entry and the rule's input for one depth."""
    seed_aucs = [_nan(f["test"]["spike_auc"]) for f in fits]
    boots = [np.array([_nan(v) for v in f["test"]["spike_auc_boot"]]) for f in fits]
    lo, hi = score.summary_ci(boots)
    result = score.DepthResult(depth=depth, seed_aucs=seed_aucs, auc_ci=(lo, hi))
    row = {
        "depth": depth,
        "parameters": int(fits[0]["parameters"]),
        "first_kernel_ms": int(fits[0]["config"]["first_kernel_ms"]),
        "spike_auc": _none(score.summary_auc(seed_aucs)),
        "spike_auc_ci": [_none(lo), _none(hi)],
        "seeds": [{"seed": f["seed"], "steps": f["steps"], "train_seconds": f["train_seconds"],
                   **{m: f["test"][m] for m in SEED_METRICS},
                   **{f"{m}_ci": f["test"][f"{m}_ci"] for m in SEED_METRICS}} for f in fits],
    }
    return row, result


def simulation_summary(run: Path) -> dict[str, Any]:
    """How much was simulated, the cell's mean output rate (Hz) and the simulator that ran
    it (:mod:`benchmark.simulation.engine`)."""
    plan = read_plan(run / "simulations")
    n_sims, spikes = index_counts(run / "simulations")
    duration_ms = int(plan.data["duration_ms"])
    # the engine that simulated them (engine.json; a folder from before engines: its plan's)
    chosen = engine.read(run / "simulations") or {
        "engine": plan.engine, "requested": plan.engine, "fallback_reason": None, "flags": None}
    return {"n_simulations": n_sims, "duration_ms": duration_ms,
            "mean_output_rate_hz": spikes / max(n_sims * duration_ms / 1000.0, 1e-9),
            "engine": chosen}


UNDETERMINED = (
    "undetermined: no fitted network has a finite test spike AUC, because the kept test "
    f"simulations hold no output spike after the first {metrics.SKIP_MS} ms (or all exceed "
    "the spike cap); use a profile with more or longer test simulations")


def score_block(results: tuple[score.DepthResult, ...], rule: score.ScoreRule) -> dict[str, Any]:
    """The record's score: the minimal depth by the rule, or an undetermined score (all
    fields None but the reason) when no depth has a finite AUC to compare."""
    if not any(np.isfinite(a) for r in results for a in r.seed_aucs):
        return {"minimal_depth": None, "censored": False, "best_depth": None,
                "best_auc": None, "threshold": None, "reason": UNDETERMINED}
    outcome = score.minimal_depth(results, rule)
    return {"minimal_depth": outcome.minimal_depth, "censored": outcome.censored,
            "best_depth": outcome.best_depth, "best_auc": _none(outcome.best_auc),
            "threshold": _none(outcome.threshold), "reason": outcome.reason}


def score_run(run: Path, profile: Profile) -> dict[str, Any]:
    """Score a run from its fits; writes and returns ``scores.json``'s content."""
    fits = load_fits(run, profile)
    rows, results = zip(*(depth_row(d, fits[d]) for d in sorted(fits)), strict=True)
    rule = score.ScoreRule(tolerance=profile.score_tolerance)
    block = score_block(results, rule)
    scores = {
        "per_depth": list(rows),
        "score": {**block,
                  "rule": {"tolerance": rule.tolerance, "statistic": rule.statistic,
                           "use_ci": rule.use_ci}},
        "fci": score.fci_block(results, profile.reference_depth, rule),
        "simulation": simulation_summary(run),
        "device": fits[profile.depths[0]][0]["device"],
    }
    sweep = width_sweep_block(run, profile, rows, block["threshold"])
    if sweep is not None:
        scores["width_sweep"] = sweep
    calibrated = calibration.stored(run)
    if calibrated is not None:
        scores["calibration"] = calibrated
    atomic.write_json(run / "scores.json", scores)
    return scores


def width_sweep_block(run: Path, profile: Profile, rows: tuple[dict[str, Any], ...],
                      threshold: float | None) -> dict[str, Any] | None:
    """Every (depth, width) network's summary AUC and parameter count, and the smallest
    network reaching the main sweep's ``threshold``; None without a width sweep."""
    if not profile.widths:
        return None
    networks = [{"depth": r["depth"], "width": profile.width, "parameters": r["parameters"],
                 "spike_auc": r["spike_auc"], "spike_auc_ci": r["spike_auc_ci"]} for r in rows]
    for width in sorted(set(profile.widths) - {profile.width}):
        fits = load_fits(run, profile, width)
        for depth in sorted(fits):
            row, _ = depth_row(depth, fits[depth])
            networks.append({"depth": depth, "width": width, "parameters": row["parameters"],
                             "spike_auc": row["spike_auc"], "spike_auc_ci": row["spike_auc_ci"]})
    candidates = [score.Network(n["depth"], n["width"], n["parameters"], _nan(n["spike_auc"]))
                  for n in networks]
    best = None if threshold is None else score.smallest_network(candidates, threshold)
    smallest = None if best is None else next(
        n for n in networks if (n["depth"], n["width"]) == (best.depth, best.width))
    return {"widths": sorted(set(profile.widths) | {profile.width}),
            "threshold": threshold,
            "networks": sorted(networks, key=lambda n: (n["width"], n["depth"])),
            "smallest": smallest}
