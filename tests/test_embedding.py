"""A student of the teacher's depth computes the teacher exactly (benchmark.learning.embedding)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from benchmark.cells import registry
from benchmark.core import profiles
from benchmark.learning.embedding import embed, reaches_plateau
from benchmark.learning.model import TCNConfig
from benchmark.simulation import protocol
from benchmark.simulation.teacher import network
from benchmark.simulation.teacher.cell import TeacherCell

DURATION_MS = 700


VARIANTS = Path(__file__).resolve().parents[1] / "benchmarks" / "teacher_variants"


@pytest.fixture(scope="module", params=["td1_b", "td3_bb", "td5_bb"])
def teacher_inputs(request) -> tuple[network.Teacher, torch.Tensor, torch.Tensor]:
    """A constructed teacher (those the registered teachers were found on), protocol inputs
    of two simulations (dense, binary) and their first-layer drives."""
    name = str(VARIANTS / request.param)
    cell = TeacherCell(dict(registry.get(name).data))
    spec = registry.get(name)
    params = protocol.cell_params(spec)
    dense, drives = [], []
    for k in range(2):
        spikes = protocol.generate_inputs(cell.input_sites, params, DURATION_MS,
                                          protocol.input_rng(spec.digest(), 0, k))
        channel, time_ms = protocol.to_events(spikes)
        x = torch.zeros(cell.teacher.weights.input_weights.shape[1], DURATION_MS)
        x[torch.from_numpy(channel.astype(np.int64)),
          torch.from_numpy(time_ms.astype(np.int64))] = 1.0
        dense.append(x)
        drives.append(network.drive_of(cell.teacher.weights, channel, time_ms, DURATION_MS))
    return cell.teacher, torch.stack(dense), torch.stack(drives)


def _student(teacher: network.Teacher, depth: int, **changes) -> TCNConfig:
    profile = profiles.get("resolving")
    config = TCNConfig(n_inputs=teacher.weights.input_weights.shape[1], depth=depth,
                       width=profile.width, first_kernel_ms=profile.first_kernel_ms(depth),
                       kernel_ms=profile.kernel_ms, sparse_input=True,
                       spatial_rank=profile.spatial_rank)
    return dataclasses.replace(config, **changes)


@pytest.mark.parametrize("extra", [0, 1])
def test_a_student_of_the_teachers_depth_or_deeper_computes_it(teacher_inputs, extra) -> None:
    teacher, dense, drive = teacher_inputs
    assert not reaches_plateau(teacher, drive)
    depth = teacher.config.depth + extra
    model = embed(teacher, _student(teacher, depth), bias_mv=-70.0)
    with torch.no_grad():
        prob, volt = teacher.outputs(drive)
        logit, soma = model(dense)
    filled = model.receptive_field_ms  # both pad with zeros before 0 ms, differently
    torch.testing.assert_close(soma[:, filled:] - 70.0, volt[:, filled:], atol=1e-3, rtol=0)
    torch.testing.assert_close(torch.sigmoid(logit)[:, filled:], prob[:, filled:],
                               atol=1e-4, rtol=1e-3)
    assert float(volt[:, filled:].std()) > 0.05  # moves far beyond atol: not a trivial match


def test_a_full_first_layer_holds_the_teacher_too(teacher_inputs) -> None:
    teacher, dense, drive = teacher_inputs
    model = embed(teacher, _student(teacher, teacher.config.depth, spatial_rank=None,
                                    sparse_input=False))
    with torch.no_grad():
        _, volt = teacher.outputs(drive)
        _, soma = model(dense)
    filled = model.receptive_field_ms
    torch.testing.assert_close(soma[:, filled:], volt[:, filled:], atol=1e-3, rtol=0)


def test_a_student_too_small_for_the_teacher_is_refused(teacher_inputs) -> None:
    teacher, _, _ = teacher_inputs
    c = teacher.config
    if c.depth > 1:
        with pytest.raises(ValueError, match=rf"depth = {c.depth - 1} .*need >= {c.depth}"):
            embed(teacher, _student(teacher, c.depth - 1))
    with pytest.raises(ValueError, match="width"):
        embed(teacher, _student(teacher, c.depth, width=c.width - 1))
    with pytest.raises(ValueError, match="first_kernel_ms"):
        embed(teacher, _student(teacher, c.depth, first_kernel_ms=c.kernel1_ms - 1))
    with pytest.raises(ValueError, match="spatial_rank"):
        embed(teacher, _student(teacher, c.depth, spatial_rank=c.width - 1))


def test_a_plateau_that_is_reached_is_reported(teacher_inputs) -> None:
    teacher, _, drive = teacher_inputs
    low = dataclasses.replace(teacher, config=dataclasses.replace(teacher.config,
                                                                  saturation_sd=0.5))
    assert reaches_plateau(low, drive)
