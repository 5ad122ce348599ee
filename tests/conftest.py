"""Shared fixtures: a real smoke run of the integrate-and-fire cell, made once per session,
and the committed record and example of such a run (tests/data/records, see its README)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
DRIVER = Path(__file__).resolve().parent / "drivers" / "stage.py"
# record.json and example.json of a smoke run of the lif (committed; regenerate them when the
# lif cell, the protocol or the record schema changes: tests/data/records/README.md)
SMOKE_RECORD = Path(__file__).resolve().parent / "data" / "records" / "lif" / "smoke"


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            check: bool = False, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``python -m benchmark ARGS`` in a fresh process (the parent never imports neuron)."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "benchmark", *args], cwd=cwd or REPO,
                          env=full_env, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"benchmark {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def l5pc_mirror_or_skip() -> Path:
    """The cell-data mirror holding the L5PC morphology; skips the test without one."""
    mirror = os.environ.get("NEURODEPTH_MIRROR")
    if not mirror or not (Path(mirror) / "hay2011_l5pc" / "cell1.asc").is_file():
        pytest.skip("set NEURODEPTH_MIRROR to a cell-data mirror holding hay2011_l5pc/cell1.asc")
    return Path(mirror)


def process_running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (Linux /proc). Asked of the
    kernel: a multiprocessing Process whose child another thread reaped can report
    is_alive() forever."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:  # gone before or while reading (ENOENT, ESRCH)
        return False


def make_cell(root: Path, name: str, description: str | None = None, url: str | None = None
              ) -> None:
    """A registered test cell: a copy of lif under another name (for NEURODEPTH_CELLS)."""
    folder = root / name
    shutil.copytree(REPO / "cells" / "lif", folder)
    path = folder / "cell.toml"
    text = path.read_text().replace('name = "lif"', f'name = "{name}"')
    if description is not None:
        text = "\n".join(f"description = {json.dumps(description)}"
                         if line.startswith("description = ") else line
                         for line in text.splitlines()) + "\n"
    if url is not None:
        text = text.replace('url = ""', f"url = {json.dumps(url)}", 1)
    path.write_text(text)


def load_sims(folder: Path) -> dict[int, Any]:
    """Every stored simulation of a simulations folder, by index."""
    from benchmark.simulation import shards

    return {s.sim_index: s for p in sorted(folder.glob("shard-*.h5")) for s in shards.read_shard(p)}


def assert_same_sims(a: Path, b: Path) -> None:
    """The two folders hold the same simulations: inputs, soma voltage and spikes, bit for
    bit."""
    import numpy as np

    sims_a, sims_b = load_sims(a), load_sims(b)
    assert sorted(sims_a) == sorted(sims_b) and sims_a
    for k, x in sims_a.items():
        y = sims_b[k]
        for field in ("input_channel", "input_time_ms", "soma_mv", "spike_times_ms"):
            np.testing.assert_array_equal(getattr(x, field), getattr(y, field), err_msg=field)


def put(root: Path, rel: str, data: Any) -> Path:
    """Write ``data`` (text, or JSON of an object) to ``root/rel``, creating folders."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))
    return path


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run folder of `python -m benchmark run --cell lif --profile smoke` (real NEURON,
    real training), made once per test session. Tests that only need a record or an
    example use the committed ``SMOKE_RECORD`` instead."""
    out = tmp_path_factory.mktemp("smoke-runs")
    run_cli("run", "--cell", "lif", "--profile", "smoke", "--out", str(out), check=True)
    return out / "lif" / "smoke" / "seed-0"


NEURON_PRELUDE = """
import json, sys
import numpy as np
from neuron import h
from benchmark.simulation.nrn import simulator as _simulator
_simulator.load_mechanisms(sys.argv[1])  # and CoreNEURON's half, when the build has one
h.load_file("stdrun.hoc")
h.dt = {dt}
arg = json.loads(sys.argv[2])
"""


def run_neuron(library: Path, body: str, workdir: Path, arg: object = None,
               dt_ms: float = 0.025) -> object:
    """Run a NEURON script (``body``, after a prelude that loads ``library``, sets ``h.dt``
    to ``dt_ms`` and reads ``arg`` from JSON) in a fresh process started in ``workdir``;
    returns the JSON of its last line of output."""
    import json
    import textwrap

    script = workdir / "sim.py"
    script.write_text(NEURON_PRELUDE.format(dt=dt_ms) + textwrap.dedent(body))
    proc = subprocess.run(
        [sys.executable, str(script), str(library), json.dumps(arg)], cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def assert_gates_relax(name: str, gates: str, steps: list, step_data: list, published: object,
                       dt_ms: float, rtol: float, atol_fraction: float) -> None:
    """Each gate of mechanism ``name``, recorded after voltage steps ``steps`` [(v1, v2) mV],
    relaxes from its steady state at v1 to the one at v2 with the published time constant
    (``published(name, v)`` -> {gate: (x_inf, tau_ms)}): x(t) = x_inf + (x0 - x_inf) e^(-t/tau).
    ``atol_fraction`` scales the absolute tolerance by the size of the step in the gate."""
    import numpy as np

    for (v1, v2), step in zip(steps, step_data, strict=True):
        assert step["v"] == pytest.approx(v2, abs=1e-9)
        t = np.array(step["idx"]) * dt_ms
        start, end = published(name, np.array(v1)), published(name, np.array(v2))
        for gate in gates:
            x0, (x_inf, tau) = start[gate][0], end[gate]
            expected = x_inf + (x0 - x_inf) * np.exp(-t / tau)
            got = np.array(step["rec"][f"{name}.{gate}"])
            np.testing.assert_allclose(got, expected, rtol=rtol,
                                       atol=atol_fraction * abs(x0 - x_inf))
            assert abs(x0 - x_inf) > 1e-3  # the step moves the gate


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line on the tests skipped for want of cell data, and how to run them."""
    skipped = terminalreporter.stats.get("skipped", [])
    wanting = [r for r in skipped if "NEURODEPTH_MIRROR" in str(getattr(r, "longrepr", ""))]
    if wanting:
        terminalreporter.write_line(
            f"{len(wanting)} test(s) skipped for want of cell data (the L5PC's morphology, "
            "the Allen cells' files): set NEURODEPTH_MIRROR to a cell-data mirror, or run "
            "where their public sources can be downloaded")
