"""Tests of the scoring rule: minimal depth, censoring, FCI."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from benchmark.scoring.rule import (
    DepthResult,
    ScoreRule,
    fci,
    fci_at,
    minimal_depth,
    summary_auc,
    summary_ci,
)


def _results(curve: dict[int, list[float]], half_width: float = 0.0) -> list[DepthResult]:
    return [DepthResult(depth=d, seed_aucs=aucs,
                        auc_ci=(float(np.median(aucs)) - half_width,
                                float(np.median(aucs)) + half_width))
            for d, aucs in curve.items()]


def test_fci_reference_values() -> None:
    assert fci(0.9) == pytest.approx(1.0)
    assert fci(0.99) == pytest.approx(0.5)
    assert fci(0.999) == pytest.approx(0.0)
    assert fci(1.0) == pytest.approx(-1.5)
    assert math.isnan(fci(float("nan")))
    with pytest.raises(ValueError):
        fci(1.2)


def test_saturating_curve_gives_depth_three() -> None:
    curve = {1: [0.95] * 3, 2: [0.975] * 3, 3: [0.990] * 3, 4: [0.991] * 3, 7: [0.9915] * 3}
    result = minimal_depth(_results(curve, half_width=0.0005), ScoreRule())
    assert result.minimal_depth == 3
    assert not result.censored
    assert result.best_depth == 7 and result.best_auc == pytest.approx(0.9915)
    assert result.threshold == pytest.approx(0.9895)
    assert "depth 3" in result.reason
    assert result.per_depth[3] == pytest.approx(0.990)


def test_flat_curve_gives_depth_one() -> None:
    result = minimal_depth(_results({d: [0.97, 0.97] for d in (1, 2, 3, 7)}))
    assert result.minimal_depth == 1 and result.best_depth == 1
    assert not result.censored


def test_median_resists_a_bad_seed() -> None:
    # depth 2 has one diverged seed: the mean (0.9633) would fail, the median (0.99) passes
    curve = {1: [0.95, 0.951, 0.949], 2: [0.99, 0.91, 0.991], 3: [0.991, 0.9905, 0.9915]}
    assert minimal_depth(_results(curve)).minimal_depth == 2
    assert minimal_depth(_results(curve), ScoreRule(statistic="mean")).minimal_depth == 3
    # a single lucky seed at depth 1 does not make depth 1 good enough either
    lucky = {**curve, 1: [0.95, 0.992, 0.949]}
    assert minimal_depth(_results(lucky)).minimal_depth == 2


def test_wide_interval_widens_the_margin() -> None:
    curve = {1: [0.985] * 3, 2: [0.990] * 3}
    assert minimal_depth(_results(curve, half_width=0.001)).minimal_depth == 2
    wide = minimal_depth(_results(curve, half_width=0.006))
    assert wide.minimal_depth == 1 and wide.threshold == pytest.approx(0.984)
    no_ci = minimal_depth(_results(curve, half_width=0.006), ScoreRule(use_ci=False))
    assert no_ci.minimal_depth == 2


def test_rising_curve_is_censored() -> None:
    curve = {1: [0.93] * 3, 2: [0.95] * 3, 3: [0.97] * 3, 7: [0.985] * 3}
    result = minimal_depth(_results(curve, half_width=0.001))
    assert result.minimal_depth == 7 and result.censored
    assert "censored" in result.reason


def test_single_depth_is_censored_and_nan_seeds_are_ignored() -> None:
    assert minimal_depth(_results({3: [0.99]})).censored
    results = [DepthResult(1, [float("nan")] * 3), DepthResult(2, [0.97, float("nan")]),
               DepthResult(3, [0.971, 0.9712])]
    result = minimal_depth(results)
    assert result.minimal_depth == 2 and 1 not in result.per_depth
    with pytest.raises(ValueError):
        minimal_depth([DepthResult(1, [0.9]), DepthResult(1, [0.91])])
    with pytest.raises(ValueError):
        minimal_depth([])


def test_fci_at_reference_depth() -> None:
    results = _results({1: [0.9] * 3, 2: [0.99] * 3, 7: [0.999] * 3})
    assert fci_at(results, 3) == pytest.approx(0.5)  # closest tried depth <= 3 is 2
    assert fci_at(results, 7) == pytest.approx(0.0)
    assert fci_at(results, 1) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        fci_at(_results({4: [0.99]}), 3)


def test_summary_helpers() -> None:
    assert summary_auc([0.9, 0.99, 0.95]) == pytest.approx(0.95)
    assert summary_auc([0.9, 0.99, 0.96], "mean") == pytest.approx(0.95)
    assert math.isnan(summary_auc([float("nan")]))
    boots = [np.linspace(0.90, 0.92, 101), np.linspace(0.91, 0.93, 101),
             np.linspace(0.95, 0.97, 101)]
    lo, hi = summary_ci(boots, ci=1.0 - 1e-9)
    assert lo == pytest.approx(0.91) and hi == pytest.approx(0.93)


def test_result_dict_is_json_ready() -> None:
    result = minimal_depth(_results({1: [0.97], 2: [0.98]}))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["per_depth"]["2"] == pytest.approx(0.98) and data["minimal_depth"] == 2


def test_no_finite_auc_gives_an_undetermined_score() -> None:
    """A run whose test simulations hold no output spike cannot be scored: the record says
    so (minimal depth None, a reason) instead of the scoring stage crashing."""
    from benchmark.scoring import curves
    from benchmark.scoring.rule import ScoreRule

    nan = float("nan")
    results = (DepthResult(1, [nan, nan]), DepthResult(2, [nan]))
    block = curves.score_block(results, ScoreRule())
    assert block["minimal_depth"] is None and block["best_depth"] is None
    assert block["reason"].startswith("undetermined")
    scored = curves.score_block((DepthResult(1, [0.9, 0.91]), DepthResult(2, [nan])), ScoreRule())
    assert scored["minimal_depth"] == 1


def test_smallest_network_is_the_fewest_parameters_reaching_the_threshold() -> None:
    from benchmark.scoring.rule import Network, smallest_network

    nets = [Network(1, 8, 900, 0.990), Network(2, 4, 500, 0.9905), Network(1, 4, 450, 0.985),
            Network(3, 4, 550, float("nan")), Network(2, 2, 500, 0.9950)]
    best = smallest_network(nets, threshold=0.990)
    assert (best.depth, best.width) == (2, 2)  # 500 parameters, tie with (2, 4): narrower
    assert smallest_network(nets, threshold=0.999) is None
    assert smallest_network(nets[:1], threshold=0.990) == nets[0]  # reaching counts (>=)
