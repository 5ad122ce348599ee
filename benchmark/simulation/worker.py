"""The simulation worker: runs inside a worker process, never in the parent.

A worker process is started from a neutral working directory (so that ``import neuron``
finds no stray ``x86_64/`` folder), loads exactly one compiled mechanism library, builds
its cell once, and then runs many simulations, one shard at a time.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.core import atomic
from benchmark.simulation import mechanisms, protocol, shards
from benchmark.simulation.nrn import simulator
from benchmark.simulation.nrn.simulator import detect_spikes as detect_spikes  # re-exported

_STATE: dict[str, Any] = {}
PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h)


@dataclass
class ShardTask:
    """Everything a worker needs to simulate one shard (picklable).

    Attributes:
        spec_data: the merged cell spec table.
        cell_digest: the spec's sha256 (seeds the inputs; names the built cell).
        protocol: :meth:`ProtocolParams.to_dict` of the input protocol.
        seed: the run seed.
        sim_indices: global simulation indices in this shard.
        duration_ms: length of each simulation (ms).
        out_path: the shard file to write.
        attrs: attributes stored in the shard.
        files: the cell's verified data files (name -> local path).
        replay_path: optional file of input spike trains (see
            :func:`benchmark.simulation.protocol.load_replay`); the task's ``sim_indices``
            then index its simulations and replace the generated protocol.
    """

    spec_data: dict[str, Any]
    cell_digest: str
    protocol: dict[str, Any]
    seed: int
    sim_indices: list[int]
    duration_ms: int
    out_path: str
    attrs: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    replay_path: str | None = None


def die_with_parent() -> None:
    """Ask Linux to send this process SIGTERM when its parent dies (``PR_SET_PDEATHSIG``),
    so a killed coordinator leaves no orphaned worker simulating; no-op elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() == 1:  # the parent died before the request was made
        os._exit(1)


def initialize(library: str | None, workdir: str) -> None:
    """Process initialiser: die with the parent, move to a neutral folder, import NEURON,
    load mechanisms.

    A library built for CoreNEURON (``nrnivmodl -coreneuron``) has a CoreNEURON half beside
    it, which :func:`benchmark.simulation.nrn.simulator.load_mechanisms` points CoreNEURON
    at; a CoreNEURON build for another CPU is replaced by one for this CPU
    (:func:`benchmark.simulation.mechanisms.for_this_cpu`).

    The worker's standard output goes to standard error: NEURON prints its messages (an
    SWC file's extra trees, mechanism banners) from C, and a command's standard output
    must stay what the command prints (JSON for ``benchmarks/``). Results travel by pipe
    or file, never by stdout.
    """
    die_with_parent()
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    os.chdir(workdir)
    if library is None:  # a teacher cell: no NEURON in this process
        _STATE["library"] = None
        return
    os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")
    library = str(mechanisms.for_this_cpu(Path(library)))
    from neuron import h

    simulator.load_mechanisms(library)
    h.load_file("stdrun.hoc")
    h.CVode().cache_efficient(1)  # contiguous state arrays: ~10% less CPU per step
    _STATE["library"] = library


def _cell(spec_data: dict[str, Any], digest: str, files: dict[str, str]) -> Any:
    """The built cell of this process (built once per spec digest)."""
    if _STATE.get("digest") != digest:
        if "cell" in _STATE:
            _STATE.pop("cell").teardown()
        if spec_data.get("builder") == "teacher":
            from benchmark.simulation.teacher.cell import TeacherCell

            _STATE.update(cell=TeacherCell(spec_data, files), digest=digest, player=None)
            return _STATE["cell"]
        from benchmark.simulation.nrn import builders
        from benchmark.simulation.nrn.events import EventPlayer

        cell = builders.get(spec_data["builder"])(spec_data, files)
        _STATE.update(cell=cell, digest=digest, player=EventPlayer(cell.synapses))
    return _STATE["cell"]


def simulate_one(spec_data: dict[str, Any], channel: np.ndarray, time_ms: np.ndarray,
                 duration_ms: int) -> tuple[np.ndarray, np.ndarray]:
    """Run one simulation of the worker's cell under the given input events
    (:func:`benchmark.simulation.nrn.simulator.run` with the spec's settings).

    Returns:
        soma voltage at t = 0, 1, ... ms (mV, float32, ``duration_ms`` samples) and the
        soma spike times (ms).
    """
    cell, player = _STATE["cell"], _STATE["player"]
    settings = simulator.Settings.from_spec(spec_data)
    player.set_events(channel, time_ms.astype(np.float64))
    return simulator.run(cell, player, duration_ms, settings)


def _input_sites(sites: dict[str, list[Any]]) -> protocol.InputSites:
    return protocol.InputSites(kind=np.array(sites["kind"]), tree=np.array(sites["tree"]),
                               length_um=np.array(sites["length_um"], dtype=float))


def soma_trace(spec_data: dict[str, Any], cell_digest: str, files: dict[str, str],
               protocol_params: dict[str, Any], seed: int, sim_index: int,
               duration_ms: int) -> dict[str, Any]:
    """One protocol simulation (the inputs of ``seed`` and ``sim_index``) with the engine
    ``spec_data`` names, at full resolution: ``v_mv`` at every step (float64), the soma
    ``spike_times_ms``, ``dt_ms`` and the ``engine``. For comparing engines."""
    cell = _cell(spec_data, cell_digest, files)
    params = protocol.ProtocolParams.from_dict(protocol_params)
    rng = protocol.input_rng(cell_digest, seed, sim_index)
    channel, time_ms = protocol.to_events(protocol.generate_inputs(
        _input_sites(cell.site_table()), params, duration_ms, rng))
    settings = simulator.Settings.from_spec(spec_data)
    _STATE["player"].set_events(channel, time_ms.astype(np.float64))
    v = simulator.record_soma(cell, duration_ms, settings)
    return {"v_mv": v, "engine": settings.engine, "dt_ms": settings.dt_ms,
            "spike_times_ms": simulator.detect_spikes(v, settings.dt_ms,
                                                      settings.spike_threshold_mv)}


def simulate_shard(task: ShardTask) -> dict[str, Any]:
    """Simulate the task's simulations and write its shard atomically.

    The shard's attribute and index entry ``cpu_s`` is the CPU time (s) this worker spent
    on it: the cell's build when not cached yet, the inputs and the simulations. Summed over
    shards it is the simulation cost of a run, whatever happened to the coordinator.

    Returns:
        the shard's index entry: simulation indices, output spike counts and ``cpu_s``.
    """
    cpu_start = time.process_time()
    cell = _cell(task.spec_data, task.cell_digest, task.files)
    sites = cell.site_table()
    input_sites = _input_sites(sites)
    params = protocol.ProtocolParams.from_dict(task.protocol)
    replayed = (protocol.load_replay(Path(task.replay_path), input_sites.n_inputs)
                if task.replay_path else None)
    events = []
    for sim_index in task.sim_indices:
        duration_ms = task.duration_ms
        if replayed is not None:
            channel, time_ms, duration_ms = replayed[sim_index]
        else:
            rng = protocol.input_rng(task.cell_digest, task.seed, sim_index)
            spikes = protocol.generate_inputs(input_sites, params, duration_ms, rng)
            channel, time_ms = protocol.to_events(spikes)
        events.append((channel, time_ms, duration_ms))
    if hasattr(cell, "simulate_batch"):  # a teacher: one forward pass for the shard
        from benchmark.simulation.teacher.cell import spike_rng

        outputs = cell.simulate_batch(events, [spike_rng(task.cell_digest, task.seed, k)
                                               for k in task.sim_indices])
    else:
        outputs = [simulate_one(task.spec_data, *e) for e in events]
    results = [shards.SimulationData(k, soma, out_spikes, e[0], e[1])
               for k, e, (soma, out_spikes) in zip(task.sim_indices, events, outputs,
                                                   strict=True)]
    cpu_s = round(time.process_time() - cpu_start, 3)
    shards.write_shard(Path(task.out_path), results, sites, {**task.attrs, "cpu_s": cpu_s})
    return {
        "sim_indices": list(task.sim_indices),
        "n_output_spikes": [len(r.spike_times_ms) for r in results],
        "cpu_s": cpu_s,
    }


def site_table(spec_data: dict[str, Any], cell_digest: str,
               files: dict[str, str]) -> dict[str, list[Any]]:
    """The built cell's synapse sites as columns (its ``site_table``), in channel order."""
    return _cell(spec_data, cell_digest, files).site_table()


def write_shape(spec_data: dict[str, Any], cell_digest: str, files: dict[str, str],
                path: str) -> bool:
    """Write the cell's shape (:func:`benchmark.simulation.nrn.probes.shape_of`, the content
    of the ``shape`` probe) to ``path`` atomically, unless the file exists; returns whether
    it was written.

    Drawing the shape calls ``h.define_shape()``, which gives 3D points to every section
    without any (the point neuron's soma, a replaced axon): the cell's geometry may then
    differ in its last bits. So the cell is dropped afterwards, and a later shard in this
    process simulates a fresh build; the runner submits this as the pool's last task.
    """
    if Path(path).is_file():
        return False
    cell = _cell(spec_data, cell_digest, files)
    if hasattr(cell, "shape"):  # a teacher has no morphology
        atomic.write_text(path, json.dumps(cell.shape(), sort_keys=True) + "\n")
        return True
    from benchmark.simulation.nrn import probes

    shape = probes.shape_of(cell)
    atomic.write_text(path, json.dumps(shape, separators=(",", ":"), sort_keys=True) + "\n")
    _drop_cell()
    return True


def _drop_cell() -> None:
    """Forget this process's cell (and its input player): the next task builds it anew."""
    cell = _STATE.pop("cell", None)
    _STATE.pop("player", None)
    _STATE.pop("digest", None)
    if cell is not None:
        cell.teardown()
