"""Tests of the per-depth summaries: FCI, seed summary and interval, smallest network (the
decision on depths: tests/test_decision.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmark.scoring.rule import DepthResult, fci, fci_at, summary_auc, summary_ci


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


def test_smallest_network_is_the_fewest_parameters_reaching_the_threshold() -> None:
    from benchmark.scoring.rule import Network, smallest_network

    nets = [Network(1, 8, 900, 0.990), Network(2, 4, 500, 0.9905), Network(1, 4, 450, 0.985),
            Network(3, 4, 550, float("nan")), Network(2, 2, 500, 0.9950)]
    best = smallest_network(nets, threshold=0.990)
    assert (best.depth, best.width) == (2, 2)  # 500 parameters, tie with (2, 4): narrower
    assert smallest_network(nets, threshold=0.999) is None
    assert smallest_network(nets[:1], threshold=0.990) == nets[0]  # reaching counts (>=)
