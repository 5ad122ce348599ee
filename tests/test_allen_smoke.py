"""Each Allen cell end to end at the smoke profile, from the cell-data mirror.

`python -m benchmark run --cell <allen cell> --profile smoke`: real NEURON simulations of
the common protocol (one AMPA+NMDA and one GABA_A synapse per dendritic segment) and real
training; the record validates and names the cell's card.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from benchmark.cells import registry
from benchmark.scoring import record
from benchmark.simulation import shards
from conftest import run_cli

pytestmark = [pytest.mark.neuron, pytest.mark.slow]

ALLEN_CELLS = ("allen_mouse_491766131", "allen_mouse_497232312", "allen_mouse_486556811",
               "allen_human_541557114", "allen_human_695500665",
               "allen_human_h16_1606013050101")


def _mirror_or_skip(cell: str) -> None:
    mirror = os.environ.get("NEURODEPTH_MIRROR")
    if not mirror:
        pytest.skip("set NEURODEPTH_MIRROR to a cell-data mirror holding the Allen files")
    for file in registry.get(cell).files:
        if not (Path(mirror) / file.mirror_path).is_file():
            pytest.skip(f"{file.mirror_path} is missing from the mirror {mirror}")


def test_all_six_allen_cells_are_registered() -> None:
    names = set(registry.discover())
    assert set(ALLEN_CELLS) <= names
    proc = run_cli("list", check=True)
    assert all(cell in proc.stdout for cell in ALLEN_CELLS)


@pytest.mark.parametrize("cell", ALLEN_CELLS)
def test_smoke_run(cell: str, tmp_path: Path) -> None:
    _mirror_or_skip(cell)
    run_cli("run", "--cell", cell, "--profile", "smoke", "--out", str(tmp_path), check=True,
            timeout=1200)
    folder = tmp_path / cell / "smoke" / "seed-0"
    rec = record.load(folder / "record.json")
    record.validate(rec)
    assert rec["cell"]["name"] == cell
    assert rec["cell"]["digest"] == registry.get(cell).digest()
    sims = [s for p in sorted((folder / "simulations").glob("shard-*.h5"))
            for s in shards.read_shard(p)]
    soma = np.concatenate([s.soma_mv for s in sims])
    assert np.all(np.isfinite(soma))
    assert soma.min() > -110 and soma.max() < 70  # mV: bounded by the reversal potentials
    sites = shards.read_sites(sorted((folder / "simulations").glob("shard-*.h5"))[0])
    kinds = [str(k) for k in sites["kind"]]
    n = len(kinds)
    assert n > 0 and kinds == ["exc"] * (n // 2) + ["inh"] * (n // 2)
    sections = [str(s) for s in sites["section"]]
    assert all(s.startswith(("dend[", "apic[")) for s in sections)
