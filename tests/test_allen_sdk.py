"""Our Allen cells against allensdk's own builds of the same files (``tox -e allen``).

allensdk 2.16's ``Utils`` (perisomatic) and ``AllActiveUtils`` (legacy all-active, axon
"truncated") build the cell from the same SWC and fit json, with this project's ``allen``
catalogue loaded; so do we (:mod:`benchmark.simulation.nrn.allen`). A 0.4 nA somatic step
(100-600 ms) must give the same spikes and the same soma voltage (mV). allensdk has no
builder for the newer all-active format of the human models (541557114, 695500665), so
those are not here.
Each build runs in a fresh process started in an empty folder (``tests/drivers/allen_step.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmark.cells import registry
from benchmark.simulation import mechanisms

pytestmark = [pytest.mark.allen, pytest.mark.neuron]

REPO = Path(__file__).resolve().parents[1]
DRIVER = REPO / "tests" / "drivers" / "allen_step.py"
CELLS = ("allen_mouse_486556811", "allen_mouse_491766131", "allen_mouse_497232312",
         "allen_human_h16_1606013050101")
STEP_NA = 0.4


def _step(mode: str, cell: str, library: Path, folder: Path) -> dict:
    out = folder / f"{mode}.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, str(DRIVER), mode, cell, str(library), str(STEP_NA),
                           str(out)], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.mark.parametrize("cell", CELLS)
def test_same_step_response_as_allensdk(cell: str, tmp_path: Path) -> None:
    pytest.importorskip("allensdk", reason="the `allen` extra is not installed (tox -e allen)")
    mirror = os.environ.get("NEURODEPTH_MIRROR")
    spec = registry.get(cell)
    if not mirror or not all((Path(mirror) / f.mirror_path).is_file() for f in spec.files):
        pytest.skip("set NEURODEPTH_MIRROR to a cell-data mirror holding the Allen files")
    library = mechanisms.library_path(mechanisms.compile_mechanisms(spec.mechanism_sources()))
    ours, sdk = (_step(mode, cell, library, tmp_path) for mode in ("ours", "allensdk"))
    assert (ours["n_sections"], ours["n_segments"]) == (sdk["n_sections"], sdk["n_segments"])
    assert len(ours["spikes_ms"]) >= 2
    assert len(ours["spikes_ms"]) == len(sdk["spikes_ms"])
    assert np.allclose(ours["spikes_ms"], sdk["spikes_ms"], atol=0.1)  # ms
    v_ours, v_sdk = np.asarray(ours["v_mv"]), np.asarray(sdk["v_mv"])
    assert abs(v_ours[990] - v_sdk[990]) < 0.01  # mV, at rest just before the step
    assert float(np.sqrt(np.mean((v_ours - v_sdk) ** 2))) < 0.1  # mV
