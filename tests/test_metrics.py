"""Tests of the test-set metrics: AUC, ROC, TPR at FPR, voltage metrics, evaluate()."""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmark.learning import metrics
from benchmark.learning.metrics import (
    SimulationOutputs,
    evaluate,
    explained_variance,
    rescale_prediction,
    roc_auc,
    roc_curve,
    soma_rmse,
    tpr_at_fpr,
    voltage_target,
)


def _pairwise_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    pos, neg = scores[labels], scores[~labels]
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


def test_roc_auc_matches_pairwise_count_with_ties() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        labels = rng.random(300) < 0.2
        scores = rng.integers(0, 12, size=300).astype(float) + labels * rng.integers(0, 3, 300)
        assert roc_auc(labels, scores) == pytest.approx(_pairwise_auc(labels, scores), abs=1e-12)


def test_roc_auc_edge_cases() -> None:
    labels = np.array([0, 0, 1, 1, 0, 1], dtype=bool)
    scores = np.arange(6.0) * labels
    assert roc_auc(labels, scores + labels) == 1.0
    assert roc_auc(labels, -(scores + labels)) == 0.0
    assert roc_auc(labels, np.full(6, 0.3)) == 0.5
    assert math.isnan(roc_auc(np.zeros(5, bool), np.arange(5.0)))
    assert math.isnan(roc_auc(np.ones(5, bool), np.arange(5.0)))


def test_roc_curve_area_equals_auc() -> None:
    rng = np.random.default_rng(4)
    labels = rng.random(500) < 0.3
    scores = np.round(rng.random(500) + labels * 0.3, 1)
    fpr, tpr = roc_curve(labels, scores)
    assert fpr[0] == tpr[0] == 0.0 and fpr[-1] == tpr[-1] == 1.0
    area = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2.0))
    assert area == pytest.approx(roc_auc(labels, scores), abs=1e-12)


def test_tpr_at_fpr_hand_made() -> None:
    # 4 positives, 4 negatives; descending scores: P P N P N P N N
    labels = np.array([1, 1, 0, 1, 0, 1, 0, 0], dtype=bool)
    scores = np.array([8, 7, 6, 5, 4, 3, 2, 1], dtype=float)
    fpr, tpr = roc_curve(labels, scores)
    np.testing.assert_allclose(fpr, [0, 0, 0, 0.25, 0.25, 0.5, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(tpr, [0, 0.25, 0.5, 0.5, 0.75, 0.75, 1.0, 1.0, 1.0])
    assert tpr_at_fpr(labels, scores, 0.0) == 0.5  # top of the vertical segment at fpr 0
    assert tpr_at_fpr(labels, scores, 0.125) == 0.5  # flat between (0, .5) and (.25, .5)
    assert tpr_at_fpr(labels, scores, 0.25) == 0.75
    assert tpr_at_fpr(labels, scores, 0.375) == pytest.approx(0.75)
    assert tpr_at_fpr(labels, scores, 0.9) == 1.0
    # a tie between the third positive and the first negative makes a diagonal segment
    tied = scores.copy()
    tied[3] = 6.0
    assert tpr_at_fpr(labels, tied, 0.125) == pytest.approx(0.625)


def test_voltage_target_and_rescale() -> None:
    v = np.array([-80.0, -60.0, -55.0, -20.0, 30.0])
    np.testing.assert_allclose(voltage_target(v), [-12.3, 7.7, 12.7, 12.7, 12.7], atol=1e-12)
    target = np.array([1.0, 2.0, 3.0, 4.0])
    rescaled = rescale_prediction(10.0 * target + 5.0, target)
    np.testing.assert_allclose(rescaled, target)
    np.testing.assert_allclose(rescale_prediction(np.full(4, 2.0), target), np.full(4, 2.5))


def test_rmse_and_explained_variance_known_values() -> None:
    target = np.array([0.0, 2.0, 0.0, 2.0])  # mean 1, SD 1
    assert soma_rmse(3.0 * target - 7.0, target) == pytest.approx(0.0)
    assert explained_variance(3.0 * target - 7.0, target) == pytest.approx(1.0)
    # anti-correlated prediction: rescaled = 2 - target, error = 2 (1 - target) = +-2
    assert soma_rmse(-target, target) == pytest.approx(2.0)
    assert explained_variance(-target, target) == pytest.approx(-3.0)
    # constant prediction: rescaled to the target mean, error SD 1
    assert soma_rmse(np.zeros(4), target) == pytest.approx(1.0)
    assert explained_variance(np.zeros(4), target) == pytest.approx(0.0)
    # uncorrelated prediction [1, 1, -1, -1] vs target: rho 0 -> RMSE sqrt(2), EV -1
    pred = np.array([1.0, 1.0, -1.0, -1.0])
    assert soma_rmse(pred, target) == pytest.approx(math.sqrt(2.0))
    assert explained_variance(pred, target) == pytest.approx(-1.0)


def _synthetic_sims(n: int, seed: int, length: int = 1500) -> list[SimulationOutputs]:
    rng = np.random.default_rng(seed)
    sims = []
    for _ in range(n):
        label = rng.random(length) < 0.004
        prob = np.round(rng.random(length) * 0.6 + label * rng.random(length), 2)
        target = rng.normal(5.0, 2.0, length)
        sims.append(SimulationOutputs(label, prob, target, target + rng.normal(0, 1.5, length)))
    return sims


def test_evaluate_point_estimates_pool_kept_bins() -> None:
    sims = _synthetic_sims(12, seed=1)
    noisy = sims[0]
    noisy.spike_label[:40] = True  # 40 spikes > 24: excluded, even though they are skipped
    result = evaluate(sims, skip_ms=500, n_boot=50)
    assert result["n_sims_used"] == 11 and result["n_sims_excluded"] == 1
    kept = sims[1:]
    label = np.concatenate([s.spike_label[500:] for s in kept])
    prob = np.concatenate([s.spike_prob[500:] for s in kept])
    target = np.concatenate([s.soma_target_mv[500:] for s in kept])
    pred = np.concatenate([s.soma_pred[500:] for s in kept])
    assert result["spike_auc"] == pytest.approx(roc_auc(label, prob))
    assert result["tpr_at_0.25pct_fpr"] == pytest.approx(tpr_at_fpr(label, prob, 0.0025))
    assert result["soma_rmse_mv"] == pytest.approx(soma_rmse(pred, target))
    assert result["soma_explained_variance"] == pytest.approx(explained_variance(pred, target))
    everything = evaluate(sims, max_output_spikes=None, n_boot=0)
    assert everything["n_sims_used"] == 12 and everything["n_sims_excluded"] == 0
    assert all(math.isnan(v) for v in everything["spike_auc_ci"])


def test_evaluate_intervals_and_determinism() -> None:
    sims = _synthetic_sims(30, seed=2)
    a, b = evaluate(sims, n_boot=100, seed=5), evaluate(sims, n_boot=100, seed=5)
    assert a == b
    assert evaluate(sims, n_boot=100, seed=6)["spike_auc_ci"] != a["spike_auc_ci"]
    for name in metrics.METRIC_NAMES:
        lo, hi = a[f"{name}_ci"]
        assert lo <= a[name] <= hi, name
        assert lo < hi, name


def test_bootstrap_statistics_equal_explicit_resamples() -> None:
    sims = _synthetic_sims(8, seed=3, length=900)
    pooled, _ = metrics._pool(sims, 500, 24)
    weights = metrics._resample_weights(pooled.n_sims, 5, seed=9)
    boots = metrics.bootstrap_metrics(sims, n_boot=5, seed=9)
    for b, w in enumerate(weights):
        chosen = np.repeat(np.arange(pooled.n_sims), w.astype(int))
        pick = [pooled.sim == s for s in chosen]
        label = np.concatenate([pooled.label[m] for m in pick])
        prob = np.concatenate([pooled.prob[m] for m in pick])
        target = np.concatenate([pooled.target[m] for m in pick])
        pred = np.concatenate([pooled.pred[m] for m in pick])
        assert boots["spike_auc"][b] == pytest.approx(roc_auc(label, prob))
        assert boots["tpr_at_0.25pct_fpr"][b] == pytest.approx(tpr_at_fpr(label, prob))
        assert boots["soma_rmse_mv"][b] == pytest.approx(soma_rmse(pred, target))
        assert boots["soma_explained_variance"][b] == pytest.approx(
            explained_variance(pred, target))


def test_simulation_outputs_validates_shapes() -> None:
    with pytest.raises(ValueError):
        SimulationOutputs(np.zeros(5, bool), np.zeros(5), np.zeros(4), np.zeros(5))
