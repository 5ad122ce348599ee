"""The rat L5 pyramidal cell (Hay et al. 2011) and its no-NMDA control, end to end.

Real NEURON simulations and real training at the smoke profile, from the cell-data mirror
(CI sets NEURODEPTH_MIRROR to ../shared/cell-data). Also: the registry entries, the input
sites stored with every simulation, and the one-line error when the morphology is neither
in a mirror nor downloadable.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from benchmark.cells import registry
from benchmark.scoring import record
from benchmark.simulation import shards
from conftest import l5pc_mirror_or_skip, run_cli

pytestmark = pytest.mark.neuron

CELLS = ("l5pc_hay2011", "l5pc_hay2011_no_nmda")
N_BASAL, N_APICAL = 262, 377  # dendritic segments with nseg = 1 + 2 int(L / 40) (protocol)


@pytest.fixture(scope="module")
def l5pc_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`python -m benchmark run --cell C --profile smoke` for both variants, once."""
    l5pc_mirror_or_skip()
    out = tmp_path_factory.mktemp("l5pc-runs")
    for cell in CELLS:
        proc = run_cli("run", "--cell", cell, "--profile", "smoke", "--out", str(out),
                       check=True, timeout=1200)
        (out / f"{cell}.stdout").write_text(proc.stdout)
    return {cell: out / cell / "smoke" / "seed-0" for cell in CELLS}


def test_a_smoke_run_of_a_detailed_cell_says_first_that_it_may_not_score(
        l5pc_runs: dict[str, Path]) -> None:
    for cell, run in l5pc_runs.items():
        first = (run.parents[2] / f"{cell}.stdout").read_text().splitlines()[0]
        assert first.startswith(f"note: the smoke profile checks that {cell} runs end to end")
        assert "use --profile quick for a score" in first


def test_registry_entries() -> None:
    nmda, ampa = (registry.get(c) for c in CELLS)
    assert nmda.get("synapses.excitatory") == "ampa_nmda"
    assert ampa.get("synapses.excitatory") == "ampa"
    # The control extends the NMDA cell: same morphology file and biophysics.
    assert ampa.data["parameters"] == nmda.data["parameters"]
    assert ampa.data["files"] == nmda.data["files"]
    # Reference protocol rates (spikes per 100 ms per tree).
    assert nmda.get("inputs.trees.apical.exc_per_100ms") == [0.0, 800.0]
    assert nmda.get("inputs.trees.basal.inh_minus_exc_per_100ms") == [-600.0, 200.0]
    assert ampa.get("inputs.trees.basal.exc_per_100ms") == [0.0, 1900.0]
    assert ampa.get("inputs.trees.apical.exc_per_100ms") == [0.0, 2000.0]
    assert ampa.get("inputs.trees.apical.inh_minus_exc_per_100ms") == [-1650.0, 150.0]
    assert nmda.digest() != ampa.digest()


@pytest.mark.parametrize("cell", CELLS)
def test_smoke_run_writes_a_valid_record(l5pc_runs: dict[str, Path], cell: str) -> None:
    rec = record.load(l5pc_runs[cell] / "record.json")
    record.validate(rec)
    assert rec["cell"]["name"] == cell
    assert rec["cell"]["digest"] == registry.get(cell).digest()
    assert rec["profile"]["name"] == "smoke"


@pytest.mark.parametrize("cell", CELLS)
def test_every_simulation_stores_its_input_sites(l5pc_runs: dict[str, Path], cell: str) -> None:
    """1278 inputs: excitatory then inhibitory, basal before apical within each; every site
    names its section, position, path distance (um) and tree, for replay elsewhere."""
    paths = sorted((l5pc_runs[cell] / "simulations").glob("shard-*.h5"))
    assert paths
    sites = shards.read_sites(paths[0])
    n = 2 * (N_BASAL + N_APICAL)
    assert len(sites["kind"]) == n == 1278
    kinds = [str(k) for k in sites["kind"]]
    trees = [str(t) for t in sites["tree"]]
    assert kinds == ["exc"] * (n // 2) + ["inh"] * (n // 2)
    assert trees[: n // 2] == ["basal"] * N_BASAL + ["apical"] * N_APICAL
    assert trees[n // 2:] == trees[: n // 2]
    sections = [str(s) for s in sites["section"]]
    assert all(s.startswith("dend[") for s in sections[:N_BASAL])
    assert all(s.startswith("apic[") for s in sections[N_BASAL: n // 2])
    x = np.asarray(sites["x"], dtype=float)
    assert np.all((x > 0) & (x < 1))
    distance = np.asarray(sites["distance_um"], dtype=float)
    assert distance.min() > 0 and 1000 < distance.max() < 1600  # cell1's apical tuft, um
    for other in paths[1:]:
        again = shards.read_sites(other)
        assert [str(s) for s in again["section"]] == sections


@pytest.mark.parametrize("cell", CELLS)
def test_simulations_fire_and_stay_finite(l5pc_runs: dict[str, Path], cell: str) -> None:
    sims = [s for p in sorted((l5pc_runs[cell] / "simulations").glob("shard-*.h5"))
            for s in shards.read_shard(p)]
    soma = np.concatenate([s.soma_mv for s in sims])
    assert np.all(np.isfinite(soma))
    assert soma.min() > -95 and soma.max() < 60  # mV: bounded by the reversal potentials
    assert sum(len(s.spike_times_ms) for s in sims) > 0, "the protocol never made the cell fire"


def test_missing_morphology_gives_one_line_error(tmp_path: Path) -> None:
    """No mirror, empty download cache, no network: exit 2 and a line saying where to put
    the file (issue 3, part 4). The proxy points at a closed port, so no request leaves."""
    env = {"NEURODEPTH_MIRROR": str(tmp_path / "empty-mirror"),
           "NEURODEPTH_CACHE": str(tmp_path / "cache"),
           "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9",
           "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    proc = run_cli("run", "--cell", "l5pc_hay2011", "--profile", "smoke",
                   "--out", str(tmp_path / "runs"), env=env)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    message = lines[0]
    for needed in ("cell1.asc", "hay2011_l5pc/cell1.asc", "--mirror", "NEURODEPTH_MIRROR"):
        assert needed in message
    assert not (tmp_path / "runs" / "l5pc_hay2011" / "smoke" / "seed-0" / "record.json").exists()


def test_record_names_the_data_and_mechanism_hashes(l5pc_runs: dict[str, Path]) -> None:
    spec = registry.get("l5pc_hay2011")
    rec = json.loads((l5pc_runs["l5pc_hay2011"] / "record.json").read_text())
    assert rec["cell"]["files"] == {"cell1.asc": spec.files[0].sha256}
    assert rec["cell"]["mechanisms"] == record.mechanisms_digest(spec)
    lif = record.mechanisms_digest(registry.get("lif"))
    assert rec["cell"]["mechanisms"] != lif  # the hay2011 catalogue is part of the hash
