"""Regression: the Allen all-active H16 cell rests from its v_init without firing.

allen_human_h16_1606013050101 starts at the fit file's v_init, -59 mV, 14 mV above its rest.
The Allen original (the model run with the Allen distribution's own mod files) stays silent
from there: its soma peaks at -58.7 mV. From the exact equilibrium of the sodium channel NaV at
-59 mV it fires a spike 2.5 ms after ``finitialize``, which added one spike to every somatic
step count and shifted later spike times. NaV therefore starts as the Allen distribution's
NaV.mod does (its INITIAL: far more inactivated at -59 mV; ``exact_start = 0``, the default;
benchmark/mod/allen/NaV.mod). Measured 2026-12-02: soma maximum -58.73 mV over 400 ms, no
spike; with ``exact_start = 1`` one spike, peak 6.8 mV at 2.5 ms.

The cell is built and run as the ``resting`` probe does (``probes.cell_for``,
``probes.run_sim``: the spec's dt, integration, celsius and v_init), in a fresh NEURON
process started in an empty folder, from the cell-data mirror (``$NEURODEPTH_MIRROR``;
skipped without one); the pytest process never imports ``neuron``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import conftest
from benchmark.cells import data_files, registry
from benchmark.simulation import physiology

pytestmark = pytest.mark.neuron

CELL = "allen_human_h16_1606013050101"
REST_MS = 400.0          # ms from finitialize, no input
SUBTHRESHOLD_MV = -50.0  # the soma stays below this (model voltage)

REST_SIM = """
from benchmark.simulation.nrn import probes, simulator
from benchmark.simulation.nrn.simulator import Settings

spec, files = arg["spec"], arg["files"]
cell = probes.cell_for(spec, files)
sim = Settings.from_spec(spec)
out = {}
for exact in (0, 1):  # NaV's start: the Allen distribution's (default), the exact equilibrium
    h.exact_start_NaV = exact
    v = probes.record(cell.soma._ref_v)
    probes.run_sim(sim, arg["duration_ms"])
    trace = v.as_numpy().copy()
    spikes = simulator.detect_spikes(trace, sim.dt_ms, sim.spike_threshold_mv)
    out[str(exact)] = dict(v_init=sim.v_init_mv, v_max=float(trace.max()),
                           t_max=float(trace.argmax() * sim.dt_ms),
                           spikes=[float(t) for t in spikes], t_end=float(h.t))
    del v
h.exact_start_NaV = 0
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def rest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The soma from finitialize(v_init), no input, with NaV's two starts."""
    mirror = Path(os.environ.get("NEURODEPTH_MIRROR") or "neurodepth-mirror-not-set")
    spec = registry.get(CELL)
    for file in spec.files:
        if not (mirror / file.mirror_path).is_file():
            pytest.skip(f"{file.mirror_path} is not in the cell-data mirror {mirror}: set "
                        f"NEURODEPTH_MIRROR to a mirror that holds {CELL}'s data")
    files = data_files.ensure(spec, download=False, mirror=mirror)
    library = physiology.library_for(spec)
    arg = dict(spec=dict(spec.data), files=files, duration_ms=REST_MS)
    out = conftest.run_neuron(library, REST_SIM, tmp_path_factory.mktemp("h16-rest"), arg,
                              dt_ms=float(spec.get("simulation.dt_ms")))
    return {"allen": out["0"], "exact": out["1"]}


def test_h16_is_silent_from_v_init(rest: dict[str, Any]) -> None:
    """No spike and the soma below -50 mV for 400 ms after finitialize(-59 mV), no input."""
    run = rest["allen"]
    assert run["v_init"] == -59.0
    assert run["t_end"] == pytest.approx(REST_MS)
    assert run["spikes"] == []
    assert run["v_max"] < SUBTHRESHOLD_MV, run
    assert run["v_max"] == pytest.approx(-58.73, abs=0.05)  # the Allen original's -58.7 mV


def test_h16_fires_from_the_exact_equilibrium(rest: dict[str, Any]) -> None:
    """The check above has its power: the same run with NaV at its exact equilibrium
    (exact_start = 1) fires one spike at the start."""
    run = rest["exact"]
    assert len(run["spikes"]) == 1 and run["spikes"][0] < 5.0, run
    assert run["v_max"] > 0.0
    assert run["t_max"] == pytest.approx(run["spikes"][0], abs=0.5)
