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
from benchmark.learning import fit as fit_mod
from benchmark.learning import metrics
from benchmark.learning.fit import FIT_FILE, fit_folder
from benchmark.scoring import decision
from benchmark.scoring import rule as score
from benchmark.simulation import calibration, engine
from benchmark.simulation.plan import read_plan
from benchmark.simulation.shards import spike_counts

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
                widths = f" with --widths including {width}" if width else ""
                raise UserError(f"{path}: no finished fit here; run `python -m benchmark run` "
                                f"(or `fit`){widths} for this cell and profile first, or give "
                                "the runs folder that holds it with --out")
            out.setdefault(depth, []).append(json.loads(path.read_text()))
    return out


def depth_row(depth: int, fits: list[dict[str, Any]]) -> tuple[dict[str, Any], score.DepthResult]:
    """The record's per-depth entry (before the decision's numbers are added) and the
    summary's input for one depth."""
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
        "seeds": [_seed_entry(f) for f in fits],
    }
    return row, result


SEED_EVIDENCE = ("n_sims_used", "n_sims_excluded", "n_test_spikes", "test_rate_hz")
"""What each seed's entry says about the test set it was scored on."""


def _seed_entry(f: dict[str, Any]) -> dict[str, Any]:
    test = f["test"]
    return ({"seed": f["seed"], "steps": f["steps"], "train_seconds": f["train_seconds"],
             "valid_spike_auc": f.get("valid", {}).get("spike_auc")}
            | {m: test[m] for m in SEED_METRICS}
            | {f"{m}_ci": test[f"{m}_ci"] for m in SEED_METRICS}
            | {k: test[k] for k in SEED_EVIDENCE if k in test})


def simulation_summary(run: Path) -> dict[str, Any]:
    """How much was simulated, the cell's mean output rate (Hz) with its bootstrap interval
    over simulations, and the simulator that ran it (:mod:`benchmark.simulation.engine`)."""
    plan = read_plan(run / "simulations")
    counts = spike_counts(run / "simulations")
    duration_ms = int(plan.data["duration_ms"])
    # the engine that simulated them (engine.json; a folder from before engines: its plan's)
    chosen = engine.read(run / "simulations") or {
        "engine": plan.engine, "requested": plan.engine, "fallback_reason": None, "flags": None}
    return {"n_simulations": int(counts.size), "duration_ms": duration_ms,
            "mean_output_rate_hz": float(counts.sum()) / max(counts.size * duration_ms / 1000.0,
                                                             1e-9),
            "mean_output_rate_ci": list(calibration.rate_interval(counts, duration_ms)),
            "engine": chosen}


def rate_match(simulation: dict[str, Any], calibrated: dict[str, Any]) -> dict[str, Any]:
    """Whether the run's own simulations fired within the calibration's target band.

    A run outside the band is flagged, not recalibrated: a new scale would mean simulating
    the whole data set again, and the rate of a few dozen simulations is itself uncertain
    by tens of percent (the intervals say by how much), so a second search would chase noise
    at the cost of the run. The flag tells a reader that this cell's AUC and FCI were
    measured at another output rate than the other cells'.
    """
    target, tol = calibrated["target_rate_hz"], calibrated["tolerance"]
    band = [target * (1.0 - tol), target * (1.0 + tol)]
    rate = simulation["mean_output_rate_hz"]
    inside = band[0] <= rate <= band[1]
    flag = None if inside else (
        f"the run's simulations fired {rate:.3g} Hz, outside the target band "
        f"{band[0]:.3g}-{band[1]:.3g} Hz that calibration reached on its probe "
        f"({calibrated['achieved_rate_hz']:.3g} Hz): AUC and FCI are at another output rate "
        "than the target's")
    return {"target_rate_hz": target, "band_hz": band, "run_rate_hz": rate,
            "run_rate_ci": simulation.get("mean_output_rate_ci"),
            "calibration_rate_hz": calibrated["achieved_rate_hz"],
            "calibration_rate_ci": calibrated.get("achieved_rate_ci"),
            "in_band": inside, "flag": flag}


UNDETERMINED = (
    "undetermined: no fitted network has a finite test spike AUC, because the kept test "
    f"simulations hold no output spike after the first {metrics.SKIP_MS} ms (or all exceed "
    "the spike cap); use a profile with more or longer test simulations")


def evidence(run: Path, profile: Profile, fits: dict[int, list[dict[str, Any]]],
             width: int | None = None) -> list[decision.FitEvidence]:
    """Every fit's validation AUC and test pair counts (recomputed from ``model.pt`` for a
    fit stored before they were, and then kept in its folder)."""
    out = []
    for depth, seeds in fits.items():
        for f in seeds:
            folder = fit_folder(run, depth, int(f["seed"]), width)
            pairs_path = folder / fit_mod.PAIRS_FILE
            valid = f.get("valid", {}).get("spike_auc", "missing")
            if not pairs_path.is_file() or valid == "missing":
                valid = _recompute(run, profile, folder, pairs_path)
            out.append(decision.FitEvidence(depth, int(f["seed"]), _nan(valid),
                                            metrics.PairCounts.load(pairs_path)))
    return out


def _recompute(run: Path, profile: Profile, folder: Path, pairs_path: Path) -> float | None:
    from benchmark.learning import prediction
    from benchmark.learning.dataset import Dataset

    data = Dataset(run / "simulations", cache_mb=512, voltage="reference")
    net = prediction.load_network(folder)
    device = next(net.model.parameters()).device
    outputs = fit_mod.split_outputs(net.model, data, "test", device)
    cap = metrics.max_output_spikes(outputs[0].spike_label.size)
    metrics.pair_counts(outputs, max_output_spikes=cap).save(pairs_path)
    return fit_mod.valid_auc(net.model, data, device)


def decision_rule(profile: Profile) -> decision.DecisionRule:
    """The decision rule's settings for a profile (its tolerance in FCI units)."""
    return decision.DecisionRule(tolerance_fci=profile.score_tolerance_fci)


def score_block(outcome: decision.Decision | None, rule: decision.DecisionRule) -> dict[str, Any]:
    """The record's score: the decision's outcome, or an undetermined score (no depth and
    no bounds, the reason says why) when no depth has a finite AUC."""
    settings = {"tolerance_fci": rule.tolerance_fci, "ci": rule.ci, "n_boot": rule.n_boot,
                "seed": rule.seed, "statistic": rule.statistic}
    if outcome is None:
        return {"outcome": "undetermined", "label": "undetermined", "minimal_depth": None,
                "lower": None, "upper": None, "censored": False, "network_depth": None,
                "best_depth": None, "best_chosen_on": None, "reason": UNDETERMINED,
                "rule": settings}
    return {"outcome": outcome.outcome, "label": outcome.label,
            "minimal_depth": outcome.minimal_depth, "lower": outcome.lower,
            "upper": outcome.upper, "censored": outcome.upper is None,
            "network_depth": network_depth(outcome), "best_depth": outcome.best_depth,
            "best_chosen_on": outcome.best_chosen_on, "reason": outcome.reason,
            "rule": settings}


def network_depth(outcome: decision.Decision) -> int:
    """The depth whose networks stand for the cell (the example, predictions): the minimal
    depth when resolved, else the shallowest sufficient depth, else the best."""
    if outcome.minimal_depth is not None:
        return outcome.minimal_depth
    return outcome.upper if outcome.upper is not None else outcome.best_depth


def decide(run: Path, profile: Profile, fits: dict[int, list[dict[str, Any]]],
           width: int | None = None) -> decision.Decision | None:
    """The decision on a sweep's fits; None when no fit has a finite test AUC."""
    found = evidence(run, profile, fits, width)
    if not any(np.isfinite(f.test.auc()) for f in found):
        return None
    return decision.decide(found, decision_rule(profile))


def _with_decision(rows: tuple[dict[str, Any], ...],
                   outcome: decision.Decision | None) -> list[dict[str, Any]]:
    """Per-depth rows with the decision's validation AUC, intervals (over test simulations
    and seeds) and verdict."""
    if outcome is None:
        return list(rows)
    by_depth = {d.depth: d for d in outcome.per_depth}
    out = []
    for row in rows:
        d = by_depth[row["depth"]]
        out.append(row | {"spike_auc_ci": list(d.test_auc_ci), "valid_spike_auc": d.valid_auc,
                          "decision": {"verdict": d.verdict, "fci": d.fci,
                                       "fci_ci": list(d.fci_ci), "delta_fci": d.delta_fci,
                                       "delta_fci_ci": list(d.delta_fci_ci)}})
    return out


def fci_with_interval(results: tuple[score.DepthResult, ...], profile: Profile,
                      outcome: decision.Decision | None) -> dict[str, Any]:
    """The record's FCI block with its interval over test simulations and seeds."""
    block = score.fci_block(results, profile.reference_depth)
    row = None if outcome is None else next(
        (d for d in outcome.per_depth if d.depth == block["reference_depth"]), None)
    block["ci"] = [None, None] if row is None else list(row.fci_ci)
    return block


def score_run(run: Path, profile: Profile) -> dict[str, Any]:
    """Score a run from its fits; writes and returns ``scores.json``'s content."""
    fits = load_fits(run, profile)
    rows, results = zip(*(depth_row(d, fits[d]) for d in sorted(fits)), strict=True)
    outcome = decide(run, profile, fits)
    scores = {
        "per_depth": _with_decision(rows, outcome),
        "score": score_block(outcome, decision_rule(profile)),
        "fci": fci_with_interval(results, profile, outcome),
        "simulation": simulation_summary(run),
        "device": fits[profile.depths[0]][0]["device"],
        "voltage_target": fits[profile.depths[0]][0].get("voltage_target"),
    }
    threshold = _threshold(scores["per_depth"], outcome)
    sweep = width_sweep_block(run, profile, rows, threshold)
    if sweep is not None:
        scores["width_sweep"] = sweep
    calibrated = calibration.stored(run)
    if calibrated is not None:
        scores["calibration"] = calibrated
        scores["rate_match"] = rate_match(scores["simulation"], calibrated)
    atomic.write_json(run / "scores.json", scores)
    return scores


def _threshold(rows: list[dict[str, Any]], outcome: decision.Decision | None) -> float | None:
    """The test AUC a network must reach to be within the tolerance of the best depth's:
    what the width sweep compares with (None when undetermined)."""
    if outcome is None:
        return None
    best = next(r for r in rows if r["depth"] == outcome.best_depth)["spike_auc"]
    if best is None:
        return None
    return 1.0 - (1.0 - best) * 10.0 ** (2.0 * outcome.tolerance_fci)


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
