"""Test-set metrics of a fitted TCN (numpy only).

Spike prediction: ROC AUC over 1 ms bins and the true-positive rate at 0.25% false-positive
rate. Soma voltage: RMSE (mV) and explained variance on the clipped voltage target, after the
prediction is z-scored and rescaled to the target's mean and SD (reference protocol,
"Evaluation"). :func:`evaluate` pools the kept bins of all kept test simulations and adds
percentile-bootstrap intervals over test simulations.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmark.core import atomic

FPR_TARGET = 0.0025
"""False-positive rate of the TPR metric (0.25%, reference protocol)."""

SKIP_MS = 500
"""Bins before this time (ms) of each test simulation are not scored (the reference
protocol skips the initial transient)."""

MAX_SPIKES_PER_6S = 24
"""The reference protocol's exclusion cap: a test simulation of 6 s with more output spikes
than this is left out of the metrics (:func:`max_output_spikes` scales it)."""


def max_output_spikes(duration_ms: int) -> int:
    """The exclusion cap of :data:`MAX_SPIKES_PER_6S` scaled to a simulation of
    ``duration_ms`` (ms)."""
    return round(MAX_SPIKES_PER_6S * duration_ms / 6000)


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks of ``values`` with ties given their average rank."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], ordered.size]
    group_rank = (starts + ends + 1) / 2.0  # mean of ranks starts+1 .. ends
    ranks = np.empty(values.size, dtype=float)
    ranks[order] = np.repeat(group_rank, ends - starts)
    return ranks


def _as_pair(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels).astype(bool).ravel()
    s = np.asarray(scores, dtype=float).ravel()
    if y.shape != s.shape:
        raise ValueError(f"labels {y.shape} and scores {s.shape} differ in size")
    return y, s


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Exact ROC AUC (Mann-Whitney U), ties counted one half; NaN when a class is absent."""
    y, s = _as_pair(labels, scores)
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    rank_sum = _average_ranks(s)[y].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def roc_curve(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ROC curve: (fpr, tpr), one point per distinct score (descending), starting at (0, 0).

    Tied scores form a single point, so the curve is the tie-aware one whose trapezoid area
    equals :func:`roc_auc`. NaN arrays when a class is absent.
    """
    y, s = _as_pair(labels, scores)
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return np.array([np.nan]), np.array([np.nan])
    order = np.argsort(-s, kind="mergesort")
    s_sorted, y_sorted = s[order], y[order]
    last_of_group = np.flatnonzero(np.r_[s_sorted[1:] != s_sorted[:-1], True])
    tp = np.cumsum(y_sorted)[last_of_group]
    fp = (last_of_group + 1) - tp
    return np.r_[0.0, fp / n_neg], np.r_[0.0, tp / n_pos]


def _interp_roc(fpr: np.ndarray, tpr: np.ndarray, at: float) -> float:
    """TPR on the piecewise-linear ROC curve at false-positive rate ``at``.

    On a vertical segment (several points with fpr == at) the highest TPR is returned.
    """
    if np.isnan(fpr[0]):
        return float("nan")
    i = int(np.searchsorted(fpr, at, side="right")) - 1
    if i >= fpr.size - 1 or fpr[i] == at:
        return float(tpr[i])
    frac = (at - fpr[i]) / (fpr[i + 1] - fpr[i])
    return float(tpr[i] + frac * (tpr[i + 1] - tpr[i]))


def tpr_at_fpr(labels: np.ndarray, scores: np.ndarray, fpr: float = FPR_TARGET) -> float:
    """True-positive rate at false-positive rate ``fpr``, linearly interpolated on the ROC."""
    if not 0.0 <= fpr <= 1.0:
        raise ValueError(f"fpr must lie in [0, 1], got {fpr}")
    curve_fpr, curve_tpr = roc_curve(labels, scores)
    return _interp_roc(curve_fpr, curve_tpr, fpr)


SOMA_CLIP_MV = -55.0
"""The soma target is the voltage clipped above at this level (mV; reference protocol)."""
SOMA_BIAS_MV = -67.7
"""...minus this bias (mV; reference protocol)."""


def voltage_target(
    soma_mv: np.ndarray, clip_mv: float | None = SOMA_CLIP_MV, bias_mv: float = SOMA_BIAS_MV
) -> np.ndarray:
    """Voltage target (mV): soma voltage clipped above at ``clip_mv`` (None: not clipped),
    minus ``bias_mv``."""
    v = np.asarray(soma_mv, dtype=float)
    return (v if clip_mv is None else np.minimum(v, clip_mv)) - bias_mv


def rescale_prediction(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Z-score ``pred``, then give it ``target``'s mean and SD (mV); constant -> target mean."""
    p = np.asarray(pred, dtype=float)
    t = np.asarray(target, dtype=float)
    sd = p.std()
    z = (p - p.mean()) / sd if sd > 0 else np.zeros_like(p)
    return z * t.std() + t.mean()


def soma_rmse(pred: np.ndarray, target: np.ndarray) -> float:
    """Root-mean-square error (mV) of the rescaled prediction against the target."""
    t = np.asarray(target, dtype=float)
    return float(np.sqrt(np.mean((rescale_prediction(pred, t) - t) ** 2)))


def explained_variance(pred: np.ndarray, target: np.ndarray) -> float:
    """``1 - var(target - rescaled) / var(target)``; NaN for a constant target."""
    t = np.asarray(target, dtype=float)
    var_t = t.var()
    if var_t == 0:
        return float("nan")
    return float(1.0 - np.var(t - rescale_prediction(pred, t)) / var_t)


@dataclass
class SimulationOutputs:
    """One test simulation at 1 ms resolution, all arrays of shape (time,).

    Attributes:
        spike_label: True in bins holding a somatic spike.
        spike_prob: predicted spike probability (any monotone score works).
        soma_target_mv: clipped voltage target (mV, see :func:`voltage_target`).
        soma_pred: predicted voltage (mV; rescaled before scoring).
    """

    spike_label: np.ndarray
    spike_prob: np.ndarray
    soma_target_mv: np.ndarray
    soma_pred: np.ndarray

    def __post_init__(self) -> None:
        self.spike_label = np.asarray(self.spike_label).astype(bool)
        self.spike_prob = np.asarray(self.spike_prob, dtype=float)
        self.soma_target_mv = np.asarray(self.soma_target_mv, dtype=float)
        self.soma_pred = np.asarray(self.soma_pred, dtype=float)
        shapes = {a.shape for a in (self.spike_label, self.spike_prob,
                                    self.soma_target_mv, self.soma_pred)}
        if len(shapes) != 1 or len(next(iter(shapes))) != 1:
            raise ValueError(f"SimulationOutputs arrays must share one 1-D shape, got {shapes}")


METRIC_NAMES = ("spike_auc", "tpr_at_0.25pct_fpr", "soma_rmse_mv", "soma_explained_variance")
"""Names of the metrics of :func:`evaluate`, in output order (also the per-seed metrics of a
record and of the site)."""


@dataclass(frozen=True)
class _Pooled:
    """Kept bins of kept simulations, concatenated; ``sim`` indexes the kept simulations."""

    label: np.ndarray
    prob: np.ndarray
    target: np.ndarray
    pred: np.ndarray
    sim: np.ndarray
    n_sims: int


def _pool(sims: Sequence[SimulationOutputs], skip_ms: int,
          max_output_spikes: int | None) -> tuple[_Pooled, int]:
    """Drop the first ``skip_ms`` bins and simulations with too many spikes; concatenate.

    The spike count of the exclusion rule is taken over the whole simulation (skipped bins
    included). Returns the pooled bins and the number of excluded simulations.
    """
    kept = [s for s in sims
            if max_output_spikes is None or int(s.spike_label.sum()) <= max_output_spikes]
    parts = [(s.spike_label[skip_ms:], s.spike_prob[skip_ms:], s.soma_target_mv[skip_ms:],
              s.soma_pred[skip_ms:]) for s in kept]
    columns = [np.concatenate([p[i] for p in parts]) if parts else np.empty(0)
               for i in range(4)]
    sim = np.repeat(np.arange(len(kept)), [p[0].size for p in parts]).astype(np.intp)
    pooled = _Pooled(columns[0].astype(bool), *columns[1:], sim=sim, n_sims=len(kept))
    return pooled, len(sims) - len(kept)


def _auc_pair_matrix(p: _Pooled) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mann-Whitney counts per (positive's simulation, negative's simulation).

    Returns (wins, n_pos, n_neg): ``wins[s, t]`` counts pairs of a positive bin of simulation
    s scoring above a negative bin of simulation t (ties count 1/2). The AUC of a resample
    with simulation multiplicities w is ``w @ wins @ w / ((w @ n_pos) * (w @ n_neg))``.
    """
    n = p.n_sims
    pos_scores, pos_sim = p.prob[p.label], p.sim[p.label]
    wins = np.zeros((n, n))
    for t in range(n):
        neg_t = np.sort(p.prob[(p.sim == t) & ~p.label])
        below = np.searchsorted(neg_t, pos_scores, side="left")
        tied = np.searchsorted(neg_t, pos_scores, side="right") - below
        wins[:, t] = np.bincount(pos_sim, weights=below + 0.5 * tied, minlength=n)
    n_pos = np.bincount(p.sim, weights=p.label, minlength=n)
    n_neg = np.bincount(p.sim, weights=~p.label, minlength=n)
    return wins, n_pos, n_neg


@dataclass(frozen=True)
class PairCounts:
    """Mann-Whitney counts of one network's predictions on kept test simulations: enough to
    recompute its pooled spike AUC on any resample of those simulations.

    Attributes:
        wins: (n, n) pairs of a positive bin of simulation s scoring above a negative bin of
            simulation t (ties count 1/2).
        n_pos / n_neg: (n,) positive (spike) and negative bins per kept simulation.
    """

    wins: np.ndarray
    n_pos: np.ndarray
    n_neg: np.ndarray

    @property
    def n_sims(self) -> int:
        return int(self.n_pos.size)

    def auc(self, weights: np.ndarray | None = None) -> np.ndarray | float:
        """Pooled AUC with simulation multiplicities ``weights`` (n_boot, n) per resample;
        without weights, the AUC of the test set itself. NaN where a class is absent."""
        if weights is None:
            pairs = float(self.n_pos.sum() * self.n_neg.sum())
            return float(self.wins.sum() / pairs) if pairs > 0 else float("nan")
        pairs = (weights @ self.n_pos) * (weights @ self.n_neg)
        with np.errstate(invalid="ignore", divide="ignore"):
            auc = np.einsum("bs,st,bt->b", weights, self.wins, weights) / pairs
        return np.where(pairs > 0, auc, np.nan)

    def save(self, path: Path) -> None:
        """Write to ``path`` (``.npz``, atomically)."""
        buffer = io.BytesIO()
        np.savez_compressed(buffer, wins=self.wins, n_pos=self.n_pos, n_neg=self.n_neg)
        atomic.write_bytes(path, buffer.getvalue())

    @classmethod
    def load(cls, path: Path) -> PairCounts:
        with np.load(path) as data:
            return cls(data["wins"], data["n_pos"], data["n_neg"])


def pair_counts(sims: Sequence[SimulationOutputs], skip_ms: int = SKIP_MS,
                max_output_spikes: int | None = MAX_SPIKES_PER_6S) -> PairCounts:
    """The :class:`PairCounts` of predictions on test simulations (bins and simulations
    kept as in :func:`evaluate`)."""
    pooled, _ = _pool(sims, skip_ms, max_output_spikes)
    return PairCounts(*_auc_pair_matrix(pooled))


def _boot_auc(p: _Pooled, weights: np.ndarray) -> np.ndarray:
    return PairCounts(*_auc_pair_matrix(p)).auc(weights)


def _weighted_roc_prefix(p: _Pooled, weights: np.ndarray, n_groups: int, order: np.ndarray,
                         ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted (fp, tp) counts at the first ``n_groups`` tie-group ends, (n_boot, n_groups).

    Bins are first counted per (simulation, tie group), so the cost does not grow with the
    number of bins inside a group.
    """
    stop = int(ends[n_groups - 1]) + 1
    sizes = np.diff(np.r_[-1, ends[:n_groups]])
    cell = p.sim[order[:stop]] * n_groups + np.repeat(np.arange(n_groups), sizes)
    is_pos = p.label[order[:stop]]
    shape = (p.n_sims, n_groups)
    pos = np.bincount(cell, weights=is_pos, minlength=p.n_sims * n_groups).reshape(shape)
    neg = np.bincount(cell, weights=~is_pos, minlength=p.n_sims * n_groups).reshape(shape)
    return np.cumsum(weights @ neg, axis=1), np.cumsum(weights @ pos, axis=1)


def _boot_tpr(p: _Pooled, weights: np.ndarray, fpr: float) -> np.ndarray:
    """TPR at ``fpr`` of each weighted resample, from one global sort of the scores.

    Only the highest-scoring tie groups are accumulated; their number grows until every
    resample's false-positive rate strictly exceeds ``fpr`` within them, so the interpolation
    (and any vertical ROC segment at ``fpr``) lies inside. NaN where a class is absent.
    """
    tp_total, fp_total = weights @ _class_counts(p, True), weights @ _class_counts(p, False)
    valid = (tp_total > 0) & (fp_total > 0)
    out = np.full(weights.shape[0], np.nan)
    if not valid.any():
        return out
    order = np.argsort(-p.prob, kind="mergesort")
    s_sorted = p.prob[order]
    ends = np.flatnonzero(np.r_[s_sorted[1:] != s_sorted[:-1], True])
    negatives_seen = np.cumsum(~p.label[order])[ends]
    wanted = 2.0 * fpr * negatives_seen[-1] + 16.0
    while True:
        n_groups = min(int(np.searchsorted(negatives_seen, wanted)) + 1, ends.size)
        fp, tp = _weighted_roc_prefix(p, weights, n_groups, order, ends)
        if n_groups == ends.size or np.all(fp[valid, -1] > fpr * fp_total[valid]):
            break
        wanted *= 2.0
    for i in np.flatnonzero(valid):
        out[i] = _interp_roc(np.r_[0.0, fp[i] / fp_total[i]], np.r_[0.0, tp[i] / tp_total[i]],
                             fpr)
    return out


def _class_counts(p: _Pooled, positive: bool) -> np.ndarray:
    """Positive (or negative) bins per kept simulation."""
    return np.bincount(p.sim, weights=p.label == positive, minlength=p.n_sims)


def _boot_voltage(p: _Pooled, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RMSE (mV) and explained variance of each weighted resample, from moments.

    After rescaling, ``MSE = 2 var_t (1 - rho)`` and ``EV = 2 rho - 1``, with rho the
    correlation of prediction and target (a constant prediction gives MSE = var_t, EV = 0).
    """
    x = p.pred - p.pred.mean() if p.pred.size else p.pred
    y = p.target - p.target.mean() if p.target.size else p.target
    moments = np.stack([np.bincount(p.sim, weights=v, minlength=p.n_sims)
                        for v in (np.ones_like(x), x, y, x * x, y * y, x * y)], axis=1)
    m = weights @ moments
    with np.errstate(invalid="ignore", divide="ignore"):
        n = m[:, 0]
        mx, my = m[:, 1] / n, m[:, 2] / n
        var_x, var_y = m[:, 3] / n - mx**2, m[:, 4] / n - my**2
        var_x, var_y = np.maximum(var_x, 0.0), np.maximum(var_y, 0.0)
        rho = (m[:, 5] / n - mx * my) / np.sqrt(var_x * var_y)
        rho = np.where(var_x > 0, np.clip(rho, -1.0, 1.0), 0.5)
        rmse = np.sqrt(2.0 * var_y * (1.0 - rho))
        ev = np.where(var_y > 0, 2.0 * rho - 1.0, np.nan)
    return rmse, ev


def _resample_weights(n_sims: int, n_boot: int, seed: int) -> np.ndarray:
    """Multiplicity of each simulation in each bootstrap resample, shape (n_boot, n_sims)."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_sims, size=(n_boot, n_sims)) if n_sims else np.zeros((n_boot, 0))
    weights = np.zeros((n_boot, n_sims))
    np.add.at(weights, (np.arange(n_boot)[:, None], draws.astype(np.intp)), 1.0)
    return weights


def bootstrap_metrics(
    sims: Sequence[SimulationOutputs],
    skip_ms: int = SKIP_MS,
    max_output_spikes: int | None = MAX_SPIKES_PER_6S,
    n_boot: int = 200,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Each metric of :data:`METRIC_NAMES` on ``n_boot`` resamples of the test simulations.

    Resamples draw kept simulations with replacement from a numpy Generator seeded by
    ``seed``; they depend only on the number of kept simulations and the seed, so models
    scored on the same test set get the same (paired) resamples. NaN marks a resample where a
    metric is undefined (e.g. no spike).
    """
    pooled, _ = _pool(sims, skip_ms, max_output_spikes)
    weights = _resample_weights(pooled.n_sims, n_boot, seed)
    rmse, ev = _boot_voltage(pooled, weights)
    values = (_boot_auc(pooled, weights), _boot_tpr(pooled, weights, FPR_TARGET), rmse, ev)
    return dict(zip(METRIC_NAMES, values, strict=True))


def percentile_interval(samples: np.ndarray, ci: float = 0.95) -> list[float]:
    """Percentile interval [lo, hi] of the finite ``samples``; NaNs if there are none."""
    finite = np.asarray(samples, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return [float("nan"), float("nan")]
    lo, hi = np.quantile(finite, [(1.0 - ci) / 2.0, (1.0 + ci) / 2.0])
    return [float(lo), float(hi)]


def evaluate(
    sims: Sequence[SimulationOutputs],
    skip_ms: int = SKIP_MS,
    max_output_spikes: int | None = MAX_SPIKES_PER_6S,
    n_boot: int = 200,
    ci: float = 0.95,
    seed: int = 0,
    boots: Mapping[str, np.ndarray] | None = None,
) -> dict[str, float | int | list[float]]:
    """Score predictions on test simulations (1 ms bins).

    Point estimates pool every bin after the first ``skip_ms`` ms over the kept simulations
    (those with at most ``max_output_spikes`` label spikes over the whole simulation; None
    keeps all). Each metric ``m`` gets ``m_ci``: a ``ci`` percentile-bootstrap interval over
    simulations (see :func:`bootstrap_metrics`). A caller that needs the resamples too passes
    them as ``boots`` (made by :func:`bootstrap_metrics` with the same arguments), so they are
    computed once.

    Returns:
        ``spike_auc``, ``tpr_at_0.25pct_fpr``, ``soma_rmse_mv`` (mV),
        ``soma_explained_variance``, ``n_sims_used``, ``n_sims_excluded`` and the ``*_ci``.
    """
    if skip_ms < 0 or not 0.0 < ci < 1.0:
        raise ValueError(f"need skip_ms >= 0 and 0 < ci < 1, got {skip_ms}, {ci}")
    pooled, n_excluded = _pool(sims, skip_ms, max_output_spikes)
    has_bins = pooled.target.size > 0
    point = (
        roc_auc(pooled.label, pooled.prob),
        tpr_at_fpr(pooled.label, pooled.prob, FPR_TARGET),
        soma_rmse(pooled.pred, pooled.target) if has_bins else float("nan"),
        explained_variance(pooled.pred, pooled.target) if has_bins else float("nan"),
    )
    if boots is None:
        boots = bootstrap_metrics(sims, skip_ms, max_output_spikes, n_boot, seed)
    result: dict[str, float | int | list[float]] = dict(zip(METRIC_NAMES, point, strict=True))
    result["n_sims_used"] = pooled.n_sims
    result["n_sims_excluded"] = n_excluded
    for name in METRIC_NAMES:
        result[f"{name}_ci"] = percentile_interval(boots[name], ci)
    return result
