"""The validate tier ``integration``: a cell's setting against its original's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmark.cells import data_files, registry
from benchmark.pipeline import validation
from benchmark.simulation import integration
from conftest import REPO


def row(amp: float, times: list[float], crossings: int, peak: float) -> dict:
    return {"amplitude_na": amp, "spike_times_ms": times, "zero_crossings": crossings,
            "v_max_mv": peak}


def test_identical_steps_show_no_difference() -> None:
    table = [row(0.2, [], 0, -60.0), row(2.0, [1.9, 8.4], 2, 48.1)]
    assert integration.step_differences(table, table) == []


def test_ringing_extra_spikes_and_peaks_are_named() -> None:
    """The numbers of allen_human_541557114 at Crank-Nicolson 0.05 ms (2 nA step)."""
    ref = [row(2.0, [1.925, 8.375, 228.35], 3, 48.1)]
    own = [row(2.0, [1.9, 2.4, 2.5, 2.6], 9, 80.8)]
    found = integration.step_differences(ref, own)
    assert any("crosses 0 mV 9 times where the reference crosses it 3 times" in f
               for f in found)
    assert any("4 spikes where the reference fires 3" in f for f in found)
    assert any("peaks at 80.8 mV where the reference peaks at 48.1 mV" in f for f in found)


def test_a_spike_moved_by_more_than_a_millisecond_is_named() -> None:
    assert integration.spike_differences([10.0, 20.0], [10.4, 20.9]) is None
    assert "spike 2 at 21.20 ms" in integration.spike_differences([10.0, 20.0], [10.4, 21.2])


def _copy(tmp_path: Path, cell: str, old: str, new: str) -> Path:
    folder = tmp_path / cell
    shutil.copytree(REPO / "cells" / cell, folder)
    text = (folder / "cell.toml").read_text()
    assert old in text, old
    (folder / "cell.toml").write_text(text.replace(old, new, 1))
    return folder


@pytest.mark.neuron
def test_a_cell_at_its_reference_setting_passes_without_simulating() -> None:
    results = validation.validate("lif", only="integration")
    assert [r.tier for r in results] == ["spec", "integration"]
    assert results[-1].passed
    assert "simulates at its reference setting (backward euler at 0.1 ms)" in \
        results[-1].message


@pytest.mark.neuron
def test_a_setting_that_integrates_the_same_passes_the_full_comparison(tmp_path: Path) -> None:
    """A step 1e-12 ms longer than the reference's is another setting (steps and replay
    run at both) that integrates the same: no difference is found."""
    folder = _copy(tmp_path, "lif", "dt_ms = 0.1 ",
                   'reference = { dt_ms = 0.1, integration = "backward_euler" }\n'
                   "dt_ms = 0.100000000001 ")
    results = validation.validate(str(folder), only="integration")
    assert results[-1].passed, results[-1].message
    assert "gives the spikes of the reference backward euler at 0.1 ms" in results[-1].message


@pytest.mark.neuron
def test_halving_the_lif_step_moves_its_spikes(tmp_path: Path) -> None:
    """The LIF's spike times depend on its step: at 0.05 ms instead of 0.1 ms its regular
    firing under a step drifts by more than 1 ms, and the tier says so."""
    folder = _copy(tmp_path, "lif", "dt_ms = 0.1 ",
                   'reference = { dt_ms = 0.1, integration = "backward_euler" }\ndt_ms = 0.05 ')
    results = validation.validate(str(folder), only="integration")
    assert not results[-1].passed
    assert "at backward euler at 0.05 ms the 0.2 nA step" in results[-1].message


def _mirror_has(cell: str) -> bool:
    try:
        data_files.ensure(registry.get(cell), download=False)
    except Exception:
        return False
    return True


@pytest.mark.neuron
@pytest.mark.slow
def test_crank_nicolson_at_0_05_ms_fails_for_allen_human_541557114(tmp_path: Path) -> None:
    """Version 2 of this cell: Crank-Nicolson at 0.05 ms rings around 0 mV under steps."""
    if not _mirror_has("allen_human_541557114"):
        pytest.skip("allen_human_541557114's data are not in the mirror (NEURODEPTH_MIRROR)")
    folder = _copy(tmp_path, "allen_human_541557114", 'integration = "backward_euler"\n',
                   'integration = "crank_nicolson"\n')
    text = (folder / "cell.toml").read_text().replace("dt_ms = 0.025              # ms",
                                                     "dt_ms = 0.05", 1)
    (folder / "cell.toml").write_text(text)
    results = validation.validate(str(folder), only="integration")
    assert not results[-1].passed
    message = results[-1].message
    assert message.startswith("at crank nicolson at 0.05 ms the 0.2 nA step crosses 0 mV")
    assert "reference: backward euler at 0.025 ms" in message and "fix: set simulation" in message


@pytest.mark.neuron
@pytest.mark.parametrize("cell", sorted(registry.discover()))
def test_every_registered_cell_passes_the_integration_tier(cell: str) -> None:
    if not _mirror_has(cell):
        pytest.skip(f"{cell}'s data are not in the mirror (NEURODEPTH_MIRROR)")
    results = validation.validate(cell, only="integration")
    assert all(r.passed for r in results), results[-1].message
