"""Turn per-depth test AUCs into a cell's score: the minimal sufficient TCN depth and the FCI.

The rule and the reasons for its numbers are in ``docs/scoring.md``. In short: each depth is
summarised by the median test spike AUC over its training seeds; the best summary is the
reference; a depth is good enough when its summary is within ``max(tolerance, CI half-width
of the best depth)`` of the best; the minimal depth is the shallowest good-enough depth, and
the result is censored when that is the deepest depth tried.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from benchmark.learning.metrics import percentile_interval

FCI_AUC_CEILING = 1.0 - 1e-6
"""AUCs above this are clamped before the FCI's logarithm: FCI floor log10(1e-3) / 2 = -1.5."""

FCI_REFERENCE_DEPTH = 3
"""Depth of the fixed TCN of Aizenbud et al. (bioRxiv 2024) whose AUC defines their FCI."""

_SLACK = 1e-12
"""Floating-point slack of the good-enough comparison (AUC units)."""

Statistic = Literal["median", "mean"]


def fci(auc: float) -> float:
    """Functional Complexity Index ``log10(1000 (1 - auc)) / 2`` (Aizenbud et al. 2024).

    1 at AUC 0.9, 0 at AUC 0.999, negative above that. AUCs above :data:`FCI_AUC_CEILING`
    (a perfect test set gives 1.0, whose logarithm is -inf) are clamped to it, so the FCI
    never falls below -1.5. NaN stays NaN.

    Raises:
        ValueError: for an AUC outside [0, 1].
    """
    if math.isnan(auc):
        return float("nan")
    if not 0.0 <= auc <= 1.0:
        raise ValueError(f"AUC must lie in [0, 1], got {auc}")
    return math.log10(1000.0 * (1.0 - min(auc, FCI_AUC_CEILING))) / 2.0


def summary_auc(seed_aucs: Sequence[float], statistic: Statistic = "median") -> float:
    """Median (or mean) of the finite seed AUCs; NaN when there is none."""
    values = np.asarray(seed_aucs, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan")
    return float(np.median(values) if statistic == "median" else np.mean(values))


def summary_ci(
    seed_boot_aucs: Sequence[np.ndarray], ci: float = 0.95, statistic: Statistic = "median"
) -> tuple[float, float]:
    """Bootstrap interval of the per-depth summary AUC.

    Args:
        seed_boot_aucs: one array per seed of resampled AUCs, e.g.
            ``metrics.bootstrap_metrics(...)["spike_auc"]``, computed with the same
            bootstrap seed on the same test set, so resample i is the same set of test
            simulations for every seed (paired).
        ci: coverage of the percentile interval.
        statistic: how seeds are combined within a resample.
    """
    if len(seed_boot_aucs) == 0:
        return float("nan"), float("nan")
    boots = np.vstack([np.asarray(b, dtype=float) for b in seed_boot_aucs])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # resamples where every seed is NaN
        reduce = np.nanmedian if statistic == "median" else np.nanmean
        combined = reduce(boots, axis=0)
    lo, hi = percentile_interval(combined, ci)
    return lo, hi


@dataclass
class DepthResult:
    """Test results of the TCNs fitted at one depth.

    Attributes:
        depth: number of convolution layers.
        seed_aucs: test spike AUC of each training seed (NaN for a failed seed).
        auc_ci: bootstrap interval (over test simulations) of the summary AUC; NaNs if
            unknown, in which case the tolerance alone decides.
        metrics: any other per-depth numbers to carry along (not used by the rule).
    """

    depth: int
    seed_aucs: list[float]
    auc_ci: tuple[float, float] = (float("nan"), float("nan"))
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoreRule:
    """How per-depth results decide the minimal depth.

    Attributes:
        tolerance: smallest AUC gap from the best that counts as worse (AUC units).
        statistic: how a depth's seed AUCs are summarised.
        use_ci: widen the tolerance to the half-width of the best depth's interval.
    """

    tolerance: float = 0.002
    statistic: Statistic = "median"
    use_ci: bool = True

    def __post_init__(self) -> None:
        if not self.tolerance >= 0.0:
            raise ValueError(f"tolerance must be >= 0, got {self.tolerance}")
        if self.statistic not in ("median", "mean"):
            raise ValueError(f"statistic must be 'median' or 'mean', got {self.statistic!r}")


@dataclass(frozen=True)
class ScoreResult:
    """Outcome of :func:`minimal_depth`.

    Attributes:
        minimal_depth: shallowest good-enough depth.
        censored: True when that is the deepest depth tried (a deeper TCN might do better).
        best_depth: shallowest depth with the highest summary AUC.
        best_auc: that summary AUC.
        threshold: summary AUC a depth needed to be good enough.
        per_depth: summary AUC of every depth with at least one finite seed AUC.
        reason: one-paragraph explanation.
    """

    minimal_depth: int
    censored: bool
    best_depth: int
    best_auc: float
    threshold: float
    per_depth: dict[int, float]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (per-depth keys become strings)."""
        data = asdict(self)
        data["per_depth"] = {str(d): a for d, a in self.per_depth.items()}
        return data


def _summaries(results: Sequence[DepthResult], rule: ScoreRule) -> dict[int, float]:
    depths = [r.depth for r in results]
    if not depths:
        raise ValueError("no depth results to score")
    if len(set(depths)) != len(depths):
        raise ValueError(f"depths must be unique, got {sorted(depths)}")
    summaries = {r.depth: summary_auc(r.seed_aucs, rule.statistic)
                 for r in sorted(results, key=lambda r: r.depth)}
    finite = {d: a for d, a in summaries.items() if math.isfinite(a)}
    if not finite:
        raise ValueError("no depth has a finite AUC")
    return finite


def _margin(best: DepthResult, rule: ScoreRule) -> tuple[float, float]:
    """(margin, CI half-width) of the good-enough rule; half-width 0 when unknown."""
    lo, hi = best.auc_ci
    half = (hi - lo) / 2.0 if rule.use_ci and math.isfinite(lo) and math.isfinite(hi) else 0.0
    return max(rule.tolerance, half), half


def _reason(res: dict[str, Any], rule: ScoreRule, half: float) -> str:
    text = (
        f"depth {res['minimal_depth']} is the shallowest depth whose {rule.statistic} seed AUC "
        f"({res['per_depth'][res['minimal_depth']]:.4f}) reaches {res['threshold']:.4f} = best "
        f"{res['best_auc']:.4f} (depth {res['best_depth']}) - max(tolerance "
        f"{rule.tolerance:.4f}, CI half-width {half:.4f})"
    )
    if res["censored"]:
        text += (
            "; it is the deepest depth tried and beats every shallower one by more than the "
            "tolerance, so a deeper TCN might do better (censored)"
        )
    return text + "."


def minimal_depth(results: Sequence[DepthResult], rule: ScoreRule | None = None) -> ScoreResult:
    """Shallowest depth whose summary AUC is within the rule's margin of the best depth's.

    Depths whose seeds all failed (NaN) are ignored. See the module docstring and
    ``docs/scoring.md``.
    """
    rule = rule or ScoreRule()
    per_depth = _summaries(results, rule)
    best_auc = max(per_depth.values())
    best_depth = min(d for d, a in per_depth.items() if a == best_auc)
    margin, half = _margin(next(r for r in results if r.depth == best_depth), rule)
    threshold = best_auc - margin
    minimal = min(d for d, a in per_depth.items() if a >= threshold - _SLACK)
    res: dict[str, Any] = {
        "minimal_depth": minimal,
        "censored": minimal == max(per_depth),
        "best_depth": best_depth,
        "best_auc": best_auc,
        "threshold": threshold,
        "per_depth": per_depth,
    }
    return ScoreResult(**res, reason=_reason(res, rule, half))


def reference_depth_of(depths: Sequence[int], reference_depth: int = FCI_REFERENCE_DEPTH) -> int:
    """The depth whose AUC defines the FCI: the deepest of ``depths`` <= ``reference_depth``.

    Raises:
        ValueError: when no depth <= ``reference_depth`` is given.
    """
    eligible = [d for d in depths if d <= reference_depth]
    if not eligible:
        raise ValueError(
            f"no depth <= {reference_depth} was scored (tried {sorted(depths)}); "
            f"fit depth {reference_depth} to report the FCI"
        )
    return max(eligible)


def fci_at(
    results: Sequence[DepthResult],
    reference_depth: int = FCI_REFERENCE_DEPTH,
    rule: ScoreRule | None = None,
) -> float:
    """FCI of the summary AUC at the deepest depth <= ``reference_depth`` with a finite AUC.

    Raises:
        ValueError: when no depth <= ``reference_depth`` has a finite AUC.
    """
    per_depth = _summaries(results, rule or ScoreRule())
    return fci(per_depth[reference_depth_of(list(per_depth), reference_depth)])


def fci_block(results: Sequence[DepthResult], reference_depth: int = FCI_REFERENCE_DEPTH,
              rule: ScoreRule | None = None) -> dict[str, Any]:
    """The record's ``fci``: the deepest tried depth <= ``reference_depth``, its summary AUC
    and the FCI of that AUC (both None when that depth has no finite AUC)."""
    rule = rule or ScoreRule()
    depth = reference_depth_of([r.depth for r in results], reference_depth)
    auc = summary_auc(next(r for r in results if r.depth == depth).seed_aucs, rule.statistic)
    finite = math.isfinite(auc)
    return {"value": fci(auc) if finite else None, "reference_depth": depth,
            "spike_auc": auc if finite else None}


@dataclass(frozen=True)
class Network:
    """One (depth, width) network of a width sweep: parameter count and summary AUC."""

    depth: int
    width: int
    parameters: int
    auc: float


def smallest_network(networks: Sequence[Network], threshold: float) -> Network | None:
    """The network with the fewest parameters whose summary AUC reaches ``threshold``
    (ties: the shallower, then the narrower); None when none does."""
    good = [n for n in networks if np.isfinite(n.auc) and n.auc >= threshold]
    return min(good, key=lambda n: (n.parameters, n.depth, n.width)) if good else None
