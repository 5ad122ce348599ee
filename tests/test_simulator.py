"""The simulator seam (benchmark.simulation.nrn.simulator): 1 ms sampling for any dt up to
1 ms, refusal of a longer dt, and the cell's shape stored by the simulation stage."""

from __future__ import annotations

import copy
import json
import math
import re
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from benchmark.core.errors import UserError
from benchmark.simulation.nrn import simulator
from conftest import make_cell, run_cli

DURATION_MS = 4000          # long enough for the old stride sampler to drift 40 ms at 0.03 ms
SIM_INDICES = [0, 1]        # the lif fires 4 spikes, after 2 s, in these two


# --- sampling and settings, without NEURON -------------------------------------------------


@pytest.mark.parametrize("dt_ms", [1.0, 0.5, 0.1, 0.05, 0.025, 0.01])
def test_a_dt_dividing_1_ms_samples_the_recorded_steps_bit_for_bit(dt_ms: float) -> None:
    """The samples are the stride slice the worker took before the simulator existed."""
    duration_ms = 300
    stride = round(1.0 / dt_ms)
    v = np.random.default_rng(0).normal(-60.0, 10.0, duration_ms * stride + 1)
    got = simulator.sample_every_ms(v, dt_ms, duration_ms)
    assert got.dtype == np.float32 and got.shape == (duration_ms,)
    np.testing.assert_array_equal(got, v[: duration_ms * stride : stride].astype(np.float32))


@pytest.mark.parametrize("dt_ms", [0.03, 0.07, 0.3, 0.7, 1 / 3])
def test_any_dt_up_to_1_ms_samples_at_whole_milliseconds(dt_ms: float) -> None:
    """A voltage linear in time is sampled at t = 0, 1, 2, ... ms exactly (no drift): the
    stride round(1 / 0.03) = 33 sampled t = 0.99 m instead."""
    duration_ms = 6000
    n_steps = math.ceil(duration_ms / dt_ms - 0.5) + 1   # steps NEURON records up to tstop
    t = np.arange(n_steps) * dt_ms
    got = simulator.sample_every_ms(-70.0 + 0.01 * t, dt_ms, duration_ms)
    assert got.shape == (duration_ms,)
    np.testing.assert_allclose(got, -70.0 + 0.01 * np.arange(duration_ms), atol=1e-4)


def test_a_trace_too_short_for_the_duration_is_an_error() -> None:
    with pytest.raises(ValueError, match="do not reach"):
        simulator.sample_every_ms(np.zeros(100), 0.03, 10)


@pytest.mark.parametrize("dt_ms", [0.01, 0.025, 0.03, 0.05, 0.1, 1.0])
def test_dt_up_to_1_ms_is_accepted(dt_ms: float) -> None:
    assert simulator.dt_problem(dt_ms) is None


@pytest.mark.parametrize(("dt_ms", "problem"), [
    (2.0, "2 ms is longer than the 1 ms interval"), (1.5, "1.5 ms is longer"),
    (0.0, "not a positive number"), (-0.1, "not a positive number"),
    (float("nan"), "not a positive number"), ("0.1", "not a number"), (True, "not a number")])
def test_dt_problems_are_named(dt_ms: Any, problem: str) -> None:
    assert problem in (simulator.dt_problem(dt_ms) or "")


def lif_data(**simulation: Any) -> dict[str, Any]:
    from benchmark.cells import registry

    data = copy.deepcopy(dict(registry.get("lif").data))
    data["simulation"].update(simulation)
    return data


def test_settings_come_from_the_spec() -> None:
    settings = simulator.Settings.from_spec(lif_data(integration="crank_nicolson"))
    assert settings == simulator.Settings(dt_ms=0.1, celsius_degc=34.0, v_init_mv=-70.0,
                                          spike_threshold_mv=-25.0,
                                          integration="crank_nicolson", engine="coreneuron")
    assert settings.second_order == 2
    assert simulator.Settings.from_spec(lif_data()).second_order == 0
    assert simulator.Settings.from_spec(lif_data(engine="neuron")).engine == "neuron"


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(UserError, match=r"field 'simulation\.engine': 'gpu' is not an engine; "
                                        r"fix: use one of coreneuron, neuron"):
        simulator.Settings.from_spec(lif_data(engine="gpu"))


def test_a_dt_above_1_ms_is_one_line_naming_the_field_and_the_fix() -> None:
    with pytest.raises(UserError) as caught:
        simulator.Settings.from_spec(lif_data(dt_ms=2.0))
    message = str(caught.value)
    assert "\n" not in message
    assert re.fullmatch(r"cell\.toml of cell 'lif': field 'simulation\.dt_ms': 2 ms is longer "
                        r"than the 1 ms interval .*; fix: set simulation\.dt_ms to .* at most "
                        r"1 ms, e\.g\. 0\.025", message), message


def test_an_unknown_integration_is_refused() -> None:
    with pytest.raises(UserError, match=r"field 'simulation\.integration': 'rk4' is not "
                                        r"supported; fix: use one of backward_euler"):
        simulator.Settings.from_spec(lif_data(integration="rk4"))


def slow_cell(root: Path, dt_ms: float) -> str:
    """A copy of lif whose cell.toml sets simulation.dt_ms = ``dt_ms``; returns its name."""
    make_cell(root, "lif_slow_dt")
    path = root / "lif_slow_dt" / "cell.toml"
    text, n = re.subn(r"(?m)^dt_ms = .*$", f"dt_ms = {dt_ms}", path.read_text())
    assert n == 1
    path.write_text(text)
    return "lif_slow_dt"


def test_the_simulation_stage_refuses_a_dt_above_1_ms_before_writing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent's check (simulator.check_spec), before any folder, pool or compile: or
    earlier, at spec load, once the spec schema checks the field itself."""
    from benchmark.cells import registry
    from benchmark.core import profiles
    from benchmark.simulation import runner

    monkeypatch.setenv("NEURODEPTH_CELLS", str(tmp_path / "cells"))
    name = slow_cell(tmp_path / "cells", 2.0)
    folder = tmp_path / "simulations"
    with pytest.raises(UserError, match=r"field 'simulation\.dt_ms': 2(\.0)? (ms )?.*fix: "):
        spec = registry.get(name)
        runner.simulate(spec, profiles.get("smoke").data, 0, folder)
    assert not folder.exists()


def test_the_cli_refuses_a_dt_above_1_ms_in_one_line(tmp_path: Path) -> None:
    name = slow_cell(tmp_path / "cells", 2.0)
    proc = run_cli("simulate", "--cell", name, "--profile", "smoke", "--out",
                   str(tmp_path / "runs"), env={"NEURODEPTH_CELLS": str(tmp_path / "cells")},
                   timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "simulation.dt_ms" in errors[0] and "fix: " in errors[0]
    assert not (tmp_path / "runs" / name / "smoke" / "seed-0" / "simulations").exists()


# --- real NEURON simulations of the lif ----------------------------------------------------


def shard_task(data: dict[str, Any], out: Path) -> Any:
    """A shard of the lif's simulations SIM_INDICES, whatever ``data``'s dt: the cell digest
    of the registered lif seeds the inputs, so every dt sees the same input events."""
    from benchmark.cells import data_files, registry
    from benchmark.simulation import protocol, worker

    spec = registry.get("lif")
    return worker.ShardTask(spec_data=data, cell_digest=spec.digest(),
                            protocol=protocol.cell_params(spec).to_dict(), seed=0,
                            sim_indices=list(SIM_INDICES), duration_ms=DURATION_MS,
                            out_path=str(out), files=data_files.ensure(spec))


@pytest.fixture(scope="module")
def lif_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """In one worker, in this order: the lif at dt 0.025 ms and at 0.03 ms, its shape
    written, 0.03 ms again (a fresh build), and a task at dt 2 ms that skipped the parent's
    check (its error, or None)."""
    from benchmark.cells import registry
    from benchmark.simulation import engine, executors, shards, worker

    out = tmp_path_factory.mktemp("lif-dt")
    spec = registry.get("lif")
    library = engine.choose(spec).library  # CoreNEURON, the default engine of lif_data()
    runs: dict[str, Any] = {}
    with executors.simulation_pool(library, 1) as pool:
        for name, dt_ms in (("dt0.025", 0.025), ("dt0.03", 0.03)):
            pool.submit(worker.simulate_shard, shard_task(lif_data(dt_ms=dt_ms),
                                                          out / f"{name}.h5")).result()
        task = shard_task(lif_data(dt_ms=0.03), out / "unused.h5")
        runs["shape_written"] = pool.submit(worker.write_shape, task.spec_data,
                                            task.cell_digest, task.files,
                                            str(out / "shape.json")).result()
        pool.submit(worker.simulate_shard, shard_task(lif_data(dt_ms=0.03),
                                                      out / "after-shape.h5")).result()
        future: Future[Any] = pool.submit(worker.simulate_shard,
                                          shard_task(lif_data(dt_ms=2.0), out / "dt2.h5"))
        runs["dt2_error"] = future.exception(timeout=120)
    for name in ("dt0.025", "dt0.03", "after-shape"):
        runs[name] = shards.read_shard(out / f"{name}.h5")
    runs["folder"] = out
    return runs


@pytest.mark.neuron
def test_dt_not_dividing_1_ms_samples_each_whole_ms(lif_runs: dict[str, Any]) -> None:
    """At dt 0.03 ms (1 / dt = 33.3 steps per ms) the lif gives DURATION_MS samples at
    t = 0, 1, ... ms: the same spikes (within 0.2 ms) and samples (99 % within 0.5 mV) as at
    0.025 ms, and each spike's 1 ms clamp at v_peak (20 mV), which ends at the detected
    peak, shows in the whole-ms sample just before or after it. The stride sampler of before
    read t = 0.99 m here: 20 to 32 ms early at these spikes."""
    v_peak_mv = 20.0
    n_spikes = 0
    for ref, got in zip(lif_runs["dt0.025"], lif_runs["dt0.03"], strict=True):
        assert got.soma_mv.shape == ref.soma_mv.shape == (DURATION_MS,)
        assert len(got.spike_times_ms) == len(ref.spike_times_ms)
        np.testing.assert_allclose(got.spike_times_ms, ref.spike_times_ms, atol=0.2)
        assert np.percentile(np.abs(got.soma_mv - ref.soma_mv), 99) < 0.5
        for t_ms in got.spike_times_ms:
            near = got.soma_mv[[math.floor(t_ms), min(math.ceil(t_ms), DURATION_MS - 1)]]
            assert near.max() == pytest.approx(v_peak_mv, abs=0.1), (t_ms, near)
            n_spikes += 1
    assert n_spikes >= 3


@pytest.mark.neuron
def test_writing_the_shape_leaves_later_simulations_unchanged(
        lif_runs: dict[str, Any]) -> None:
    assert lif_runs["shape_written"] is True
    for a, b in zip(lif_runs["dt0.03"], lif_runs["after-shape"], strict=True):
        np.testing.assert_array_equal(a.soma_mv, b.soma_mv)
        np.testing.assert_array_equal(a.spike_times_ms, b.spike_times_ms)


@pytest.mark.neuron
def test_a_worker_refuses_a_dt_above_1_ms_in_one_line(lif_runs: dict[str, Any]) -> None:
    """A task that skipped the parent's check fails with the one-line UserError, which
    survives the trip back from the worker (SpecError pickles by its four fields)."""
    error = lif_runs["dt2_error"]
    assert isinstance(error, UserError), repr(error)
    assert "\n" not in str(error)
    assert "field 'simulation.dt_ms': 2 ms is longer than" in str(error)
    assert not (lif_runs["folder"] / "dt2.h5").exists()


# --- the shape stored by the simulation stage ------------------------------------------------


@pytest.mark.neuron
def test_the_simulation_stage_stores_the_shape_of_the_probe(smoke_run: Path) -> None:
    """shape.json beside the shards is the shape probe's output; the example's shape is it."""
    from benchmark.cells import registry
    from benchmark.simulation import physiology, runner

    stored = runner.read_shape(smoke_run / "simulations")
    assert stored is not None and stored["sections"]
    assert stored == physiology.measure(registry.get("lif"), "shape")
    example = json.loads((smoke_run / "example.json").read_text())
    assert example["shape"] == stored


def test_the_score_stage_reads_the_stored_shape_without_neuron(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmark.cells import registry
    from benchmark.scoring import example
    from benchmark.simulation import physiology, runner

    shape = {"sections": [{"name": "soma", "region": "soma",
                           "points_um": [[0.0, 0.0, 0.0, 15.0], [15.0, 0.0, 0.0, 15.0]]}]}
    (tmp_path / runner.SHAPE_FILE).write_text(json.dumps(shape))

    def no_probe(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise AssertionError("the stored shape must be read, not probed")

    monkeypatch.setattr(physiology, "measure", no_probe)
    assert example.shape(registry.get("lif"), tmp_path) == shape


def test_a_run_without_a_stored_shape_falls_back_to_the_probe(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmark.cells import registry
    from benchmark.scoring import example
    from benchmark.simulation import physiology

    calls = []

    def probe(spec: Any, name: str, **kwargs: Any) -> dict[str, Any]:
        calls.append((spec.name, name, kwargs))
        return {"sections": []}

    monkeypatch.setattr(physiology, "measure", probe)
    assert example.shape(registry.get("lif"), tmp_path, mirror=None) == {"sections": []}
    assert calls == [("lif", "shape", {"mirror": None})]
