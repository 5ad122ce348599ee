"""Tests of the decision rule (benchmark.scoring.decision) on synthetic paired fits with
known gaps (tests/synthetic_fits.py): its verdicts, its outcomes, its false-call rate at a
zero gap and its power at a gap of twice the tolerance."""

from __future__ import annotations

import json

import numpy as np
import pytest
from synthetic_fits import Task, auc_at_fci_gap

from benchmark.learning import metrics
from benchmark.scoring.decision import (
    TOLERANCE_FCI,
    DecisionRule,
    DepthDecision,
    FitEvidence,
    _score,
    at_tolerance,
    decide,
    fci_array,
)
from benchmark.scoring.rule import fci

RULE = DecisionRule(n_boot=500)


def _verdict_of_worse(gap: float, trials: int, n_sims: int, seeds: int = 3,
                      auc: float = 0.95, seed_sd: float = 0.02, n_bins: int = 200,
                      spikes_per_sim: float = 3.0) -> dict[str, float]:
    """Fraction of trials giving each verdict to depth 1, whose FCI exceeds depth 2's by
    ``gap`` (trials where validation picks depth 1 as best count as "best")."""
    counts: dict[str, int] = {}
    for trial in range(trials):
        t = Task(np.random.default_rng(trial), n_sims=n_sims, n_bins=n_bins,
                 spikes_per_sim=spikes_per_sim)
        fits = ([t.fit(1, s, auc_at_fci_gap(auc, gap), seed_sd=seed_sd) for s in range(seeds)]
                + [t.fit(2, s, auc, seed_sd=seed_sd) for s in range(seeds)])
        d = decide(fits, RULE)
        key = "best" if d.best_depth == 1 else d.per_depth[0].verdict
        counts[key] = counts.get(key, 0) + 1
    return {k: v / trials for k, v in counts.items()}


def test_pair_counts_give_the_pooled_auc_and_its_resamples() -> None:
    rng = np.random.default_rng(0)
    outs = [metrics.SimulationOutputs(rng.random(300) < 0.02, rng.random(300), np.zeros(300),
                                      np.zeros(300)) for _ in range(6)]
    pairs = metrics.pair_counts(outs, skip_ms=50, max_output_spikes=None)
    pooled = metrics.evaluate(outs, skip_ms=50, max_output_spikes=None, n_boot=20)
    assert pairs.auc() == pytest.approx(pooled["spike_auc"])
    boots = metrics.bootstrap_metrics(outs, skip_ms=50, max_output_spikes=None, n_boot=20)
    weights = metrics._resample_weights(6, 20, 0)
    np.testing.assert_allclose(pairs.auc(weights), boots["spike_auc"])


def test_pair_counts_round_trip(tmp_path) -> None:
    t = Task(np.random.default_rng(1), n_sims=5)
    pairs = t.fit(1, 0, 0.9).test
    pairs.save(tmp_path / "p.npz")
    back = metrics.PairCounts.load(tmp_path / "p.npz")
    np.testing.assert_array_equal(back.wins, pairs.wins)
    assert back.auc() == pairs.auc()


def test_fci_array_matches_fci() -> None:
    values = [0.5, 0.9, 0.99, 0.999, 1.0]
    np.testing.assert_allclose(fci_array(np.array(values)), [fci(v) for v in values])
    assert np.isnan(fci_array(np.array([np.nan])))[0]


def test_false_call_rate_at_zero_gap_is_at_most_five_percent() -> None:
    """Two depths of equal population AUC: depth 1 is (falsely) called insufficient in at
    most 5% of trials, at quick's size (48 test simulations) and at a large one."""
    rates = _verdict_of_worse(0.0, trials=100, n_sims=48)
    assert rates.get("insufficient", 0.0) <= 0.05
    rates = _verdict_of_worse(0.0, trials=30, n_sims=192, spikes_per_sim=10.0)
    assert rates.get("insufficient", 0.0) <= 0.05


def test_power_at_twice_the_tolerance_grows_with_the_test_set() -> None:
    """A gap of 2 x tolerance: rarely resolved at quick's size (48 test simulations of ~3
    spikes), almost always (measured 29 of 30) with 192 of ~10 spikes, as the intervals
    shrink; a sufficient call on the worse depth stays rare at every size."""
    gap = 2 * TOLERANCE_FCI
    small = _verdict_of_worse(gap, trials=30, n_sims=48)
    large = _verdict_of_worse(gap, trials=30, n_sims=192, spikes_per_sim=10.0)
    assert large.get("insufficient", 0.0) >= 0.8
    assert large.get("insufficient", 0.0) > small.get("insufficient", 0.0)
    assert small.get("sufficient", 0.0) <= 0.05 and large.get("sufficient", 0.0) <= 0.05


def test_seed_spread_widens_the_interval() -> None:
    """The same test set with seeds that differ more gives a wider gap interval: the seeds
    are resampled, not only the simulations."""
    widths = []
    for seed_sd in (0.0, 0.3):
        t = Task(np.random.default_rng(5), n_sims=48)
        fits = ([t.fit(1, s, 0.93, seed_sd=seed_sd) for s in range(3)]
                + [t.fit(2, s, 0.95, seed_sd=seed_sd) for s in range(3)])
        decision = decide(fits, RULE)
        row = next(r for r in decision.per_depth if r.depth != decision.best_depth)
        widths.append(row.delta_fci_ci[1] - row.delta_fci_ci[0])
    assert widths[1] > 1.5 * widths[0]


def _rows(verdicts: dict[int, str]) -> tuple[DepthDecision, ...]:
    return tuple(DepthDecision(d, 0.9, (0.8, 1.0), 0.9, 0.5, (0.4, 0.6), 0.0, (0.0, 0.0), v)
                 for d, v in verdicts.items())  # type: ignore[arg-type]


@pytest.mark.parametrize(("verdicts", "outcome", "label", "lower", "upper"), [
    ({1: "sufficient", 2: "sufficient", 3: "sufficient"}, "resolved", "1", 1, 1),
    ({1: "insufficient", 2: "sufficient", 3: "sufficient"}, "resolved", "2", 2, 2),
    ({1: "unresolved", 2: "sufficient", 3: "sufficient"}, "range", "1-2", 1, 2),
    ({1: "insufficient", 2: "unresolved", 3: "sufficient"}, "range", ">= 2", 2, None),
    ({1: "insufficient", 2: "insufficient", 3: "sufficient"}, "range", ">= 3", 3, None),
    ({1: "unresolved", 2: "unresolved", 3: "sufficient"}, "unresolved", "unresolved", 1, None),
    ({1: "unresolved", 2: "insufficient", 3: "sufficient"}, "unresolved", "unresolved", 1,
     None),
    ({2: "sufficient"}, "unresolved", "unresolved", 2, None),
])
def test_outcomes_from_verdicts(verdicts, outcome, label, lower, upper) -> None:
    d = _score(_rows(verdicts), best=max(verdicts), chosen_on="validation", rule=RULE)
    assert (d.outcome, d.label, d.lower, d.upper) == (outcome, label, lower, upper)
    assert (d.minimal_depth is not None) == (outcome == "resolved")
    if outcome == "unresolved":  # never a depth as a number
        assert not any(ch.isdigit() for ch in d.reason.split("(")[0] + d.label)


def test_rescoring_at_the_rules_tolerance_gives_the_rules_score() -> None:
    """at_tolerance on a decided sweep's intervals reproduces the decision at its own
    tolerance, and a wider tolerance only moves verdicts towards sufficient."""
    for k in range(6):
        t = Task(np.random.default_rng(10 + k), n_sims=24)
        fits = [t.fit(d, s, 0.93 + 0.01 * d + 0.004 * k) for d in (1, 2, 3) for s in range(2)]
        decided = decide(fits, RULE)
        intervals = {r.depth: r.delta_fci_ci for r in decided.per_depth}
        again = at_tolerance(intervals, RULE.tolerance_fci)
        assert (again.outcome, again.label, again.lower, again.upper) == (
            decided.outcome, decided.label, decided.lower, decided.upper)
        wide = at_tolerance(intervals, 10.0)  # every interval below: depth 1 suffices
        assert (wide.outcome, wide.label) == ("resolved", "1")


def test_rescoring_moves_a_call_with_the_tolerance() -> None:
    """Depth 1 short by [0.06, 0.12] FCI: insufficient at 0.05 (">= 2" with depth 2
    unresolved), unresolved between 0.06 and 0.12, sufficient above."""
    intervals = {1: (0.06, 0.12), 2: (0.01, 0.08), 3: (0.0, 0.0)}
    assert at_tolerance(intervals, 0.05).label == ">= 2"
    assert at_tolerance(intervals, 0.1).label == "1-2"
    assert at_tolerance(intervals, 0.15).label == "1"
    assert at_tolerance(intervals, 0.15).minimal_depth == 1
    with pytest.raises(ValueError, match="no depth is sufficient"):
        at_tolerance({1: (0.1, 0.2)}, 0.05)
    with pytest.raises(ValueError, match="no per-depth intervals"):
        at_tolerance({}, 0.05)


def test_best_depth_is_chosen_on_validation_and_falls_back_to_test() -> None:
    t = Task(np.random.default_rng(2), n_sims=24)
    a, b = t.fit(1, 0, 0.95), t.fit(2, 0, 0.95)
    fits = [FitEvidence(1, 0, 0.99, a.test), FitEvidence(2, 0, 0.5, b.test)]
    assert decide(fits, RULE).best_depth == 1
    assert decide(fits, RULE).best_chosen_on == "validation"
    blind = [FitEvidence(f.depth, 0, float("nan"), f.test) for f in fits]
    chosen = decide(blind, RULE)
    assert chosen.best_chosen_on == "test"
    assert chosen.best_depth == (1 if a.test.auc() >= b.test.auc() else 2)


def test_decision_is_deterministic_and_json_ready() -> None:
    t = Task(np.random.default_rng(3), n_sims=24)
    fits = [t.fit(d, s, 0.94 + 0.01 * d) for d in (1, 2, 3) for s in range(2)]
    one, two = decide(fits, RULE), decide(fits, RULE)
    assert one.to_dict() == two.to_dict()
    data = json.loads(json.dumps(one.to_dict()))
    assert data["per_depth"][0]["depth"] == 1 and "delta_boot" not in data
    assert data["per_depth"][[r["depth"] for r in data["per_depth"]].index(
        one.best_depth)]["delta_fci_ci"] == [0.0, 0.0]


def test_bad_input_is_refused() -> None:
    t = Task(np.random.default_rng(4), n_sims=10)
    other = Task(np.random.default_rng(4), n_sims=12)
    with pytest.raises(ValueError, match="same simulations"):
        decide([t.fit(1, 0, 0.9), other.fit(2, 0, 0.9)])
    with pytest.raises(ValueError, match="no fits"):
        decide([])
    with pytest.raises(ValueError):
        DecisionRule(tolerance_fci=0.0)
