"""The training recipe's parts: the loss-weight schedule, the cell's voltage-target levels,
training windows after the initial transient, selection on the validation spike loss, and
the output-rate intervals and flag."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from benchmark.core import profiles
from benchmark.learning import fit
from benchmark.learning.dataset import (
    REFERENCE_LEVELS,
    Dataset,
    VoltageLevels,
    measure_levels,
    spike_onsets_mv,
)
from benchmark.scoring import curves
from benchmark.simulation import calibration


def test_loss_weights_move_from_the_reference_start_to_its_end() -> None:
    plan = profiles.get("standard").train
    first, last = plan.loss_weights_at(0), plan.loss_weights_at(plan.max_steps - 1)
    assert first == pytest.approx((1.0, 0.02)) and last == pytest.approx((9.0, 0.003))
    path = [plan.loss_weights_at(s) for s in range(0, plan.max_steps, 500)]
    assert all(b[0] >= a[0] and b[1] <= a[1] for a, b in zip(path, path[1:], strict=False))
    assert len({w for w in path}) == plan.loss_stages
    quick = profiles.get("quick").train  # constant weights at quick's budget
    assert {quick.loss_weights_at(s) for s in (0, 700, 1499)} == {(1.0, 2.0)}


def test_train_plan_refuses_unknown_choices() -> None:
    plan = profiles.get("quick").train
    with pytest.raises(ValueError, match="select_on"):
        dataclasses.replace(plan, select_on="auc")
    with pytest.raises(ValueError, match="voltage_target"):
        dataclasses.replace(plan, voltage_target="mine")


def _trace(threshold: float, rest: float, spikes: list[int], n: int = 3000) -> np.ndarray:
    """A 1 ms trace resting at ``rest`` that rises to ``threshold`` over 3 ms before each
    spike bin, peaks at +30 mV in the next sample and resets below rest."""
    v = np.full(n, rest, dtype=float)
    for b in spikes:
        v[b - 3:b + 1] = np.linspace(rest + 4, threshold, 4)
        v[b + 1] = 30.0
        v[b + 2] = rest - 5
    return v


def test_spike_onsets_are_the_sample_before_the_upstroke() -> None:
    v = _trace(-52.0, -70.0, [800, 1500])
    label = np.zeros(v.size, bool)
    label[[800, 1500]] = True
    np.testing.assert_allclose(spike_onsets_mv(v, label), [-52.0, -52.0])


def test_levels_are_measured_in_the_training_data() -> None:
    """Clip at the median onset, bias the mean clipped voltage after the transient (whose
    first 500 ms here sit 20 mV higher and must not count)."""
    sims = []
    for threshold in (-50.0, -52.0, -54.0):
        v = _trace(threshold, -80.0, [900, 2100])
        v[:500] += 20.0
        label = np.zeros(v.size, bool)
        label[[900, 2100]] = True
        sims.append((v, label))
    levels = measure_levels(sims)
    assert levels.clip_mv == pytest.approx(-52.0) and levels.n_spikes == 6
    expected = np.mean(np.concatenate([np.minimum(v[500:], -52.0) for v, _ in sims]))
    assert levels.bias_mv == pytest.approx(expected, abs=1e-3)
    assert levels.source == "training data"
    silent = measure_levels([(np.full(1000, -75.0), np.zeros(1000, bool))])
    assert silent.clip_mv == REFERENCE_LEVELS.clip_mv and silent.bias_mv == pytest.approx(-75.0)
    readout = measure_levels(sims, clip=False)  # a voltage without spike waveforms
    assert readout.clip_mv is None and readout.n_spikes == 0
    assert readout.bias_mv == pytest.approx(np.mean(np.concatenate([v[500:] for v, _ in sims])),
                                            abs=1e-3)
    np.testing.assert_allclose(readout.target(sims[0][0]), sims[0][0] - readout.bias_mv)
    assert VoltageLevels.from_dict(readout.to_dict()) == readout


def test_levels_round_trip_and_default_to_the_reference() -> None:
    levels = VoltageLevels(-51.5, -70.25, "training data", 12)
    assert VoltageLevels.from_dict(json.loads(json.dumps(levels.to_dict()))) == levels
    assert VoltageLevels.from_dict(None) == REFERENCE_LEVELS
    np.testing.assert_allclose(levels.target(np.array([-80.0, -40.0])), [-9.75, 18.75])


def test_dataset_targets_use_the_cells_levels(smoke_run: Path) -> None:
    own = Dataset(smoke_run / "simulations")
    ref = Dataset(smoke_run / "simulations", voltage="reference")
    assert own.levels.source == "training data" and ref.levels == REFERENCE_LEVELS
    sim_own, sim_ref = own.split("train")[0], ref.split("train")[0]
    raw_from_own = np.minimum(sim_own.soma_target_mv + own.levels.bias_mv, own.levels.clip_mv)
    raw_from_ref = np.minimum(sim_ref.soma_target_mv + ref.levels.bias_mv,
                              min(own.levels.clip_mv, ref.levels.clip_mv))
    np.testing.assert_allclose(np.minimum(raw_from_own, ref.levels.clip_mv), raw_from_ref,
                               atol=1e-4)


def test_training_windows_skip_the_transient(smoke_run: Path) -> None:
    """The batch's targets are the windows drawn from [skip, duration - window]: replaying
    the generator's draws gives the same targets (a start drawn from 0 would not)."""
    data = Dataset(smoke_run / "simulations")
    train = data.split("train")
    duration = train[0].duration_ms
    for seed in range(5):
        _, _, soma = data.sample_batch(np.random.default_rng(seed), 4, 200, 30, skip_ms=1500)
        replay = np.random.default_rng(seed)
        picks = replay.integers(0, len(train), size=4)
        starts = replay.integers(1500, duration - 200 + 1, size=4)
        expected = np.stack([train[int(p)].soma_target_mv[t:t + 200]
                             for p, t in zip(picks, starts, strict=True)])
        np.testing.assert_array_equal(soma.numpy(), expected)
    with pytest.raises(ValueError, match="cannot skip"):
        data.sample_batch(np.random.default_rng(0), 4, 200, 30, skip_ms=duration)


def test_validation_spike_loss_ignores_voltage_and_the_transient(smoke_run: Path) -> None:
    """Selecting on the spike loss: the soma head and the first skip_ms bins do not count."""
    import torch

    from benchmark.learning.model import TCNConfig, init_seeded

    data = Dataset(smoke_run / "simulations")
    model = init_seeded(TCNConfig(n_inputs=data.n_inputs, depth=1, width=4,
                                  first_kernel_ms=10, kernel_ms=5), 0)
    plan = dataclasses.replace(profiles.get("smoke").train, skip_ms=500)
    sims = list(data.split("valid"))
    before = fit.validation_loss(model, sims, data.n_inputs, plan, torch.device("cpu"))
    with torch.no_grad():
        model.soma_head.bias.add_(50.0)
    assert fit.validation_loss(model, sims, data.n_inputs, plan,
                               torch.device("cpu")) == pytest.approx(before)
    total = dataclasses.replace(plan, select_on="loss")
    assert fit.validation_loss(model, sims, data.n_inputs, total, torch.device("cpu")) > before


def test_rate_interval_covers_the_mean_and_widens_with_spread() -> None:
    steady = calibration.rate_interval(np.full(40, 6), 6000)
    assert steady == pytest.approx((1.0, 1.0))
    rng = np.random.default_rng(0)
    spread = rng.choice([0, 0, 0, 24], size=40)
    lo, hi = calibration.rate_interval(spread, 6000)
    assert lo < spread.mean() / 6 < hi and hi - lo > 0.5


def test_a_run_outside_the_band_is_flagged() -> None:
    cal = {"target_rate_hz": 1.0, "tolerance": 0.2, "achieved_rate_hz": 1.05,
           "achieved_rate_ci": [0.7, 1.4]}
    inside = curves.rate_match({"mean_output_rate_hz": 0.9, "mean_output_rate_ci": [0.8, 1]},
                               cal)
    assert inside["in_band"] and inside["flag"] is None
    outside = curves.rate_match({"mean_output_rate_hz": 0.54,
                                 "mean_output_rate_ci": [0.4, 0.7]}, cal)
    assert not outside["in_band"] and "0.54 Hz" in outside["flag"]
    assert outside["band_hz"] == pytest.approx([0.8, 1.2])
