"""Profiles: the learning-rate steps are TrainPlan fields, recorded where they differ."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from benchmark.core import profiles

REPO = Path(__file__).resolve().parent.parent


def test_default_steps_divide_by_ten_at_half_and_four_fifths() -> None:
    plan = profiles.get("quick").train
    rates = [plan.learning_rate_at(s) for s in (0, 749, 750, 1199, 1200, 1500)]
    assert rates == pytest.approx([plan.learning_rate] * 2 + [plan.learning_rate * 0.1] * 2
                                  + [plan.learning_rate * 0.01] * 2)


def test_other_steps_follow_the_fields() -> None:
    plan = dataclasses.replace(profiles.get("smoke").train, lr_step_at=(0.25,),
                               lr_step_factor=0.5)
    assert plan.learning_rate_at(0) == plan.learning_rate
    assert plan.learning_rate_at(plan.max_steps // 4 + 1) == plan.learning_rate * 0.5
    assert plan.learning_rate_at(plan.max_steps) == plan.learning_rate * 0.5


def test_records_hold_the_steps_only_where_they_differ_from_the_defaults() -> None:
    quick = profiles.get("quick")
    committed = json.loads((REPO / "leaderboard" / "records" / "lif" / "quick"
                            / "record.json").read_text())
    assert "lr_step_at" not in quick.to_dict()["train"]
    assert json.loads(json.dumps(quick.to_dict())) == committed["profile"]
    changed = dataclasses.replace(quick, train=dataclasses.replace(quick.train,
                                                                   lr_step_factor=0.3))
    assert changed.to_dict()["train"]["lr_step_factor"] == 0.3
    assert tuple(changed.to_dict()["train"]["lr_step_at"]) == (0.5, 0.8)


def test_resolving_small_is_resolving_with_fewer_training_simulations() -> None:
    """The docs' claim: the cheapest measured plan differs from resolving only in its
    training set (120 simulations) and in confirming its calibrated scale."""
    big, small = profiles.get("resolving").to_dict(), profiles.get("resolving-small").to_dict()
    differ = {k for k in big if big[k] != small[k]}
    assert differ == {"name", "description", "data", "calibration"}
    assert {k for k in big["data"] if big["data"][k] != small["data"][k]} == {"n_train"}
    assert small["data"]["n_train"] == 120
    assert small["calibration"] == {**big["calibration"], "confirm_width": 0.4}
