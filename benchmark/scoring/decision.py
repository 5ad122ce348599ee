"""The decision rule: which depths suffice, which do not, and what a sweep cannot tell.

Each depth d is compared with the best depth b (the depth with the highest summary AUC on the
*validation* simulations, so the test set that measures the gap did not also pick the
winner) by the gap in FCI (:func:`benchmark.scoring.rule.fci`), a log error rate::

    delta(d) = FCI(summary test AUC of d) - FCI(summary test AUC of b)

delta > 0 means d errs more than b; 0.05 FCI is 26% more errors (10 ** (2 x 0.05) = 1.26).
Its interval is a bootstrap that resamples the test simulations (the same resample for every
depth: the comparison is paired, so the noise of the test set that all depths share
cancels) and, independently per depth, the training seeds (so the spread between seeds
counts). With tolerance ``tol`` (FCI units) and the ``ci`` interval [lo, hi]:

- **sufficient** when hi < tol: d is resolved to lose less than the tolerance;
- **insufficient** when lo > tol: d is resolved to lose more;
- **unresolved** otherwise.

The cell's minimal depth lies between ``lower``, the shallowest depth not shown insufficient,
and ``upper``, the shallowest sufficient depth. When ``upper`` is the deepest depth tried,
nothing says that a deeper network would not beat it, so the range is open above. The score:

- **resolved**: lower == upper, a depth;
- **range**: lower < upper ("1-2"), or open above with lower deeper than the shallowest
  depth tried (">= 2": every shallower depth is insufficient);
- **unresolved**: open above from the shallowest depth tried: the sweep excludes no depth.

The reasons for the tolerance and the false-call rate and power of the rule are in
``docs/scoring.md``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np

from benchmark.learning.metrics import PairCounts, percentile_interval
from benchmark.scoring.rule import FCI_AUC_CEILING, Statistic, fci, summary_auc

TOLERANCE_FCI = 0.05
"""Largest FCI gap from the best depth that still counts as reproducing the cell (about
half the published gap between the "sufficiently good" 7 x 128 TCN and the best later model
on the same data; docs/scoring.md)."""

Verdict = Literal["sufficient", "insufficient", "unresolved"]
Outcome = Literal["resolved", "range", "unresolved"]


@dataclass(frozen=True)
class FitEvidence:
    """What one fitted network contributes: its depth and seed, its validation spike AUC
    (NaN when unknown) and its test predictions as :class:`PairCounts`."""

    depth: int
    seed: int
    valid_auc: float
    test: PairCounts


@dataclass(frozen=True)
class DecisionRule:
    """Settings of :func:`decide`.

    Attributes:
        tolerance_fci: largest FCI gap from the best depth that counts as sufficient.
        ci: coverage of the two-sided percentile intervals.
        n_boot: bootstrap resamples.
        seed: seed of the resamples' numpy Generator.
        statistic: how a depth's seeds are combined (within each resample too).
    """

    tolerance_fci: float = TOLERANCE_FCI
    ci: float = 0.95
    n_boot: int = 2000
    seed: int = 0
    statistic: Statistic = "median"

    def __post_init__(self) -> None:
        if not self.tolerance_fci > 0.0:
            raise ValueError(f"tolerance_fci must be > 0, got {self.tolerance_fci}")
        if not 0.0 < self.ci < 1.0 or self.n_boot < 10:
            raise ValueError(f"need 0 < ci < 1 and n_boot >= 10, got {self.ci}, {self.n_boot}")


@dataclass(frozen=True)
class DepthDecision:
    """One depth's evidence: summary AUCs (test with its interval, validation), its FCI,
    its gap to the best depth with the interval, and the verdict."""

    depth: int
    test_auc: float | None
    test_auc_ci: tuple[float | None, float | None]
    valid_auc: float | None
    fci: float | None
    fci_ci: tuple[float | None, float | None]
    delta_fci: float | None
    delta_fci_ci: tuple[float | None, float | None]
    verdict: Verdict


@dataclass(frozen=True)
class Decision:
    """Outcome of :func:`decide` (see the module docstring)."""

    outcome: Outcome
    lower: int
    upper: int | None
    best_depth: int
    best_chosen_on: Literal["validation", "test"]
    per_depth: tuple[DepthDecision, ...]
    label: str
    reason: str
    tolerance_fci: float = TOLERANCE_FCI
    delta_boot: dict[int, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    """Per depth, the bootstrap resamples of its FCI gap to the best depth (not stored)."""

    @property
    def minimal_depth(self) -> int | None:
        """The resolved depth; None for a range or an unresolved score."""
        return self.lower if self.outcome == "resolved" else None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        del out["delta_boot"]
        out["per_depth"] = [asdict(d) | {"test_auc_ci": list(d.test_auc_ci),
                                         "fci_ci": list(d.fci_ci),
                                         "delta_fci_ci": list(d.delta_fci_ci)}
                            for d in self.per_depth]
        out["minimal_depth"] = self.minimal_depth
        return out


def fci_array(auc: np.ndarray) -> np.ndarray:
    """:func:`~benchmark.scoring.rule.fci` of every element (NaN stays NaN)."""
    a = np.minimum(np.asarray(auc, dtype=float), FCI_AUC_CEILING)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.log10(1000.0 * (1.0 - a)) / 2.0


def _resample_sims(n_sims: int, rule: DecisionRule, rng: np.random.Generator) -> np.ndarray:
    """Multiplicity of each test simulation in each resample, (n_boot, n_sims)."""
    draws = rng.integers(0, n_sims, size=(rule.n_boot, n_sims))
    weights = np.zeros((rule.n_boot, n_sims))
    np.add.at(weights, (np.arange(rule.n_boot)[:, None], draws), 1.0)
    return weights


def _combine(values: np.ndarray, statistic: Statistic) -> np.ndarray:
    """Seeds (axis 0) combined per resample, NaN seeds left out."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # resamples where every seed is NaN
        return (np.nanmedian if statistic == "median" else np.nanmean)(values, axis=0)


def _boot_summaries(fits: Sequence[FitEvidence], weights: np.ndarray, rule: DecisionRule,
                    rng: np.random.Generator) -> np.ndarray:
    """Summary test AUC of one depth per resample: the same simulation resample as every
    other depth, its own resample of seeds."""
    aucs = np.vstack([f.test.auc(weights) for f in fits])  # (seeds, n_boot)
    picks = rng.integers(0, len(fits), size=(len(fits), rule.n_boot))
    return _combine(np.take_along_axis(aucs, picks, axis=0), rule.statistic)


def _interval(samples: np.ndarray, ci: float) -> tuple[float | None, float | None]:
    lo, hi = percentile_interval(samples, ci)
    return (lo if math.isfinite(lo) else None, hi if math.isfinite(hi) else None)


def _none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _verdict(ci: tuple[float | None, float | None], tolerance: float) -> Verdict:
    lo, hi = ci
    if hi is not None and hi < tolerance:
        return "sufficient"
    if lo is not None and lo > tolerance:
        return "insufficient"
    return "unresolved"


def _group(fits: Sequence[FitEvidence]) -> dict[int, list[FitEvidence]]:
    if not fits:
        raise ValueError("no fits to decide on")
    by_depth: dict[int, list[FitEvidence]] = {}
    for f in sorted(fits, key=lambda f: (f.depth, f.seed)):
        by_depth.setdefault(f.depth, []).append(f)
    n_sims = {f.test.n_sims for f in fits}
    if len(n_sims) != 1:
        raise ValueError(f"every fit must be tested on the same simulations, got {n_sims}")
    return by_depth


def _best(valid: dict[int, float], test: dict[int, float]) -> tuple[int, str]:
    """The depth with the highest validation summary (ties: the shallower); on test when no
    depth has a validation AUC."""
    for source, values in (("validation", valid), ("test", test)):
        finite = {d: a for d, a in values.items() if math.isfinite(a)}
        if finite:
            top = max(finite.values())
            return min(d for d, a in finite.items() if a == top), source
    raise ValueError("no depth has a finite AUC")


def decide(fits: Sequence[FitEvidence], rule: DecisionRule | None = None) -> Decision:
    """Verdict of every depth and the cell's score (module docstring).

    Raises:
        ValueError: without fits, with fits tested on different simulation sets, or when
            no depth has a finite AUC.
    """
    rule = rule or DecisionRule()
    by_depth = _group(fits)
    test = {d: summary_auc([_auc(f) for f in fs], rule.statistic) for d, fs in by_depth.items()}
    valid = {d: summary_auc([f.valid_auc for f in fs], rule.statistic)
             for d, fs in by_depth.items()}
    best, chosen_on = _best(valid, test)
    rng = np.random.default_rng(rule.seed)
    weights = _resample_sims(fits[0].test.n_sims, rule, rng)
    boots = {d: _boot_summaries(fs, weights, rule, rng) for d, fs in by_depth.items()}
    fci_boot = {d: fci_array(b) for d, b in boots.items()}
    best_fci = fci(test[best]) if math.isfinite(test[best]) else math.nan
    rows, delta_boot = [], {}
    for d in by_depth:
        delta_boot[d] = fci_boot[d] - fci_boot[best]
        point = fci(test[d]) if math.isfinite(test[d]) else math.nan
        delta_ci = (0.0, 0.0) if d == best else _interval(delta_boot[d], rule.ci)
        rows.append(DepthDecision(
            depth=d, test_auc=_none(test[d]), test_auc_ci=_interval(boots[d], rule.ci),
            valid_auc=_none(valid[d]), fci=_none(point), fci_ci=_interval(fci_boot[d], rule.ci),
            delta_fci=_none(point - best_fci), delta_fci_ci=delta_ci,
            verdict=_verdict(delta_ci, rule.tolerance_fci)))
    return replace(_score(tuple(rows), best, chosen_on, rule), delta_boot=delta_boot)


def _auc(f: FitEvidence) -> float:
    value = f.test.auc()
    return float(value) if isinstance(value, float) else float("nan")


def bounds(rows: Sequence[DepthDecision]) -> tuple[int, int | None]:
    """(lower, upper): the shallowest depth not shown insufficient, and the shallowest
    sufficient depth (None when that is the deepest depth tried: open above)."""
    return _bounds({r.depth: r.verdict for r in rows})


def _bounds(verdicts: dict[int, Verdict]) -> tuple[int, int | None]:
    lower = min(d for d, v in verdicts.items() if v != "insufficient")
    upper = min(d for d, v in verdicts.items() if v == "sufficient")
    return lower, (None if upper == max(verdicts) else upper)


def _outcome(lower: int, upper: int | None, shallowest: int) -> tuple[Outcome, str]:
    """The outcome and label of the bounds (module docstring)."""
    if upper is not None and lower == upper:
        return "resolved", str(lower)
    if upper is not None:
        return "range", f"{lower}-{upper}"
    if lower > shallowest:
        return "range", f">= {lower}"
    return "unresolved", "unresolved"


@dataclass(frozen=True)
class Rescored:
    """The score the rule gives a sweep's intervals at another tolerance."""

    tolerance_fci: float
    outcome: Outcome
    lower: int
    upper: int | None
    label: str

    @property
    def minimal_depth(self) -> int | None:
        return self.lower if self.outcome == "resolved" else None


def at_tolerance(intervals: dict[int, tuple[float | None, float | None]],
                 tolerance_fci: float) -> Rescored:
    """Score the per-depth FCI-gap intervals of a decided sweep (depth -> [lo, hi], the
    best depth's [0, 0]) with another tolerance: the verdicts, bounds and label the rule
    would give had ``tolerance_fci`` been its tolerance. The intervals do not depend on the
    tolerance, so a stored sweep can be rescored without refitting
    (``benchmarks/resolution.py`` does it for every teacher run).

    Raises:
        ValueError: without intervals, or when no depth is sufficient (every decided
            sweep has its best depth sufficient at any positive tolerance).
    """
    if not intervals:
        raise ValueError("no per-depth intervals to score")
    verdicts = {d: _verdict(ci, tolerance_fci) for d, ci in intervals.items()}
    if "sufficient" not in verdicts.values():
        raise ValueError(f"no depth is sufficient at tolerance {tolerance_fci}: the best "
                         "depth's interval must be [0, 0] and the tolerance positive")
    lower, upper = _bounds(verdicts)
    outcome, label = _outcome(lower, upper, min(verdicts))
    return Rescored(tolerance_fci, outcome, lower, upper, label)


def _score(rows: tuple[DepthDecision, ...], best: int, chosen_on: str,
           rule: DecisionRule) -> Decision:
    lower, upper = bounds(rows)
    outcome, label = _outcome(lower, upper, min(r.depth for r in rows))
    return Decision(outcome=outcome, lower=lower, upper=upper, best_depth=best,
                    best_chosen_on=chosen_on,  # type: ignore[arg-type]
                    per_depth=rows, label=label,
                    reason=_reason(outcome, label, rows, best, chosen_on, rule),
                    tolerance_fci=rule.tolerance_fci)


def _reason(outcome: Outcome, label: str, rows: Sequence[DepthDecision], best: int,
            chosen_on: str, rule: DecisionRule) -> str:
    pct = round(rule.ci * 100)
    parts = []
    for r in rows:
        if r.depth == best:
            parts.append(f"depth {r.depth} is the best on {chosen_on}")
            continue
        lo, hi = r.delta_fci_ci
        gap = "n/a" if r.delta_fci is None else f"{r.delta_fci:+.3f}"
        ci = "n/a" if lo is None or hi is None else f"[{lo:+.3f}, {hi:+.3f}]"
        parts.append(f"depth {r.depth} {r.verdict} (FCI gap {gap} {ci})")
    evidence = (f"{'; '.join(parts)}; tolerance {rule.tolerance_fci} FCI, {pct}% intervals "
                "over test simulations and seeds")
    if outcome == "resolved":
        head = f"minimal depth {label}"
    elif outcome == "range":
        head = (f"minimal depth {label}: depth {label[3:]} or deeper, a deeper network than "
                "the sweep's might still help" if label.startswith(">=")
                else f"minimal depth in {label}: the sweep cannot tell which")
    else:
        head = ("unresolved at this profile: the shallowest depth is not shown insufficient "
                "and no depth but the deepest is shown sufficient, so the sweep excludes none")
    return f"{head} ({evidence})."
