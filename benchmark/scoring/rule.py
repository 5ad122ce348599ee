"""Summaries of per-depth test AUCs: the seed summary, the FCI and the width sweep's
smallest network. The decision on depths is :mod:`benchmark.scoring.decision`; the reasons
for the numbers are in ``docs/scoring.md``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from benchmark.learning.metrics import percentile_interval

FCI_AUC_CEILING = 1.0 - 1e-6
"""AUCs above this are clamped before the FCI's logarithm: FCI floor log10(1e-3) / 2 = -1.5."""

FCI_REFERENCE_DEPTH = 3
"""Depth of the fixed TCN of Aizenbud et al. (bioRxiv 2024) whose AUC defines their FCI."""

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


def _summaries(results: Sequence[DepthResult],
               statistic: Statistic = "median") -> dict[int, float]:
    depths = [r.depth for r in results]
    if not depths:
        raise ValueError("no depth results to score")
    if len(set(depths)) != len(depths):
        raise ValueError(f"depths must be unique, got {sorted(depths)}")
    summaries = {r.depth: summary_auc(r.seed_aucs, statistic)
                 for r in sorted(results, key=lambda r: r.depth)}
    finite = {d: a for d, a in summaries.items() if math.isfinite(a)}
    if not finite:
        raise ValueError("no depth has a finite AUC")
    return finite


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
    statistic: Statistic = "median",
) -> float:
    """FCI of the summary AUC at the deepest depth <= ``reference_depth`` with a finite AUC.

    Raises:
        ValueError: when no depth <= ``reference_depth`` has a finite AUC.
    """
    per_depth = _summaries(results, statistic)
    return fci(per_depth[reference_depth_of(list(per_depth), reference_depth)])


def fci_block(results: Sequence[DepthResult], reference_depth: int = FCI_REFERENCE_DEPTH,
              statistic: Statistic = "median") -> dict[str, Any]:
    """The record's ``fci``: the deepest tried depth <= ``reference_depth``, its summary AUC
    and the FCI of that AUC (both None when that depth has no finite AUC)."""
    depth = reference_depth_of([r.depth for r in results], reference_depth)
    auc = summary_auc(next(r for r in results if r.depth == depth).seed_aucs, statistic)
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
