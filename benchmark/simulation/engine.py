"""Which simulator runs a cell, and why: CoreNEURON when it can, NEURON otherwise.

Parent-side module (never imports ``neuron``). A cell asks for an engine in its spec
(``simulation.engine``, default ``"coreneuron"``); a profile or the command line may
override it (:meth:`benchmark.cells.spec.CellSpec.with_engine`). :func:`choose` compiles the
cell's mechanisms for that engine and falls back to NEURON, with the reason, when they do
not build for CoreNEURON (a mod file whose VERBATIM code calls NEURON-only functions, or a
NEURON installation without CoreNEURON).

Teacher cells (``builder = "teacher"``, :mod:`benchmark.simulation.teacher`) have an engine
of their own, ``"teacher"``: no mechanisms, no NEURON; a forward pass of their network in
the same worker processes. Any other engine asked for a teacher is ignored.

The choice travels with the data: each simulation folder stores its engine in its plan and
the whole choice in ``engine.json`` (requested engine, fallback reason, compiler flags,
CPU), and a run folder that holds simulations keeps the engine it started with, so a
resumed run is simulated by one engine only. The engines agree to well within 1e-4 mV on
the soma voltage, with identical spike times (``tests/test_engines.py``); the cell's digest
does not include the engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.cells import data_files
from benchmark.cells.spec import CellSpec
from benchmark.core import atomic
from benchmark.core.errors import UserError
from benchmark.simulation import executors, mechanisms, protocol, worker
from benchmark.simulation.nrn import simulator
from benchmark.simulation.nrn.simulator import DEFAULT_ENGINE, ENGINES

ENGINE_FILE = "engine.json"
READOUT_ENGINES = ("teacher",)
"""Engines whose soma voltage is a network's readout, with no spike waveforms in it."""
REASON_LINES = 3  # compiler output lines quoted in a fallback reason


@dataclass(frozen=True)
class Choice:
    """The engine a cell is simulated with.

    Attributes:
        engine: the engine that simulates (``"coreneuron"`` or ``"neuron"``).
        requested: the engine asked for (spec, profile, command line or run folder).
        library: the compiled mechanism library for ``engine`` (None for a teacher).
        fallback_reason: why ``engine`` is not ``requested`` (None when it is).
        flags: the compiler flags of a CoreNEURON build (None for NEURON's defaults).
    """

    engine: str
    requested: str
    library: Path | None
    fallback_reason: str | None = None
    flags: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON block stored beside the simulations and in the record (no paths)."""
        return {"engine": self.engine, "requested": self.requested,
                "fallback_reason": self.fallback_reason, "flags": self.flags}


TEACHER = "teacher"
"""The engine of teacher cells (no NEURON)."""


def teacher_depth(spec: CellSpec) -> int:
    """A teacher cell's known depth: ``parameters.found.depth`` of a found teacher, else
    ``parameters.teacher.depth``."""
    value = spec.get("parameters.found.depth")
    return int(value if value is not None else spec.get("parameters.teacher.depth"))


def teacher_weights_sha256(spec: CellSpec) -> str | None:
    """The hash a teacher cell pins its weights by: its network file's ``[files]`` sha256
    for a found teacher, ``parameters.weights_sha256`` for a constructed one."""
    network = spec.get("parameters.network")
    if network is not None:
        return str(spec.data.get("files", {}).get(network, {}).get("sha256"))
    value = spec.get("parameters.weights_sha256")
    return None if value is None else str(value)


def is_teacher(spec: CellSpec) -> bool:
    """Whether the cell is a teacher network (``builder = "teacher"``)."""
    return spec.data.get("builder") == TEACHER


def check(spec: CellSpec) -> None:
    """Parent-side check of the cell's simulation settings before anything is written: a
    teacher's construction settings, or NEURON's settings for the others
    (:func:`benchmark.simulation.nrn.simulator.check_spec`)."""
    if is_teacher(spec):
        from benchmark.simulation.teacher.found import FoundConfig
        from benchmark.simulation.teacher.network import TeacherConfig

        found = spec.get("parameters.found")
        table, module = (("found", "found") if found is not None else ("teacher", "network"))
        try:
            if found is not None:
                FoundConfig.from_dict(dict(found))
            else:
                TeacherConfig.from_dict(dict(spec.get("parameters.teacher") or {}))
        except (TypeError, ValueError) as exc:
            raise UserError(f"{spec.folder / 'cell.toml'}: [parameters.{table}]: {exc}; fix: "
                            f"see benchmark/simulation/teacher/{module}.py") from exc
        return
    simulator.check_spec(spec)


def requested(spec: CellSpec, override: str | None = None) -> str:
    """The engine asked for: ``override``, else the spec's ``simulation.engine``, else
    :data:`DEFAULT_ENGINE`; a :class:`UserError` for an unknown name. A teacher's is
    always :data:`TEACHER`."""
    if is_teacher(spec):
        return TEACHER
    engine = override or spec.engine or DEFAULT_ENGINE
    if engine not in ENGINES:
        raise UserError(f"unknown simulation engine '{engine}'; use one of {', '.join(ENGINES)}")
    return engine


def choose(spec: CellSpec, override: str | None = None) -> Choice:
    """Compile the cell's mechanisms for the requested engine (:func:`requested`), falling
    back to NEURON when they do not build for CoreNEURON.

    Raises:
        benchmark.simulation.mechanisms.CompileError: the mechanisms do not build for
            NEURON either.
    """
    want = requested(spec, override)
    if want == TEACHER:
        return Choice(TEACHER, TEACHER, None)
    sources = spec.mechanism_sources()
    reason = None
    if want == "coreneuron":
        try:
            folder = mechanisms.compile_mechanisms(sources, engine="coreneuron")
            return Choice("coreneuron", want, mechanisms.library_path(folder),
                          flags=mechanisms.coreneuron_flags())
        except mechanisms.CompileError as exc:
            tail = " | ".join(line.strip() for line in exc.details.splitlines()[-REASON_LINES:])
            reason = f"the mechanisms do not build for CoreNEURON: {exc} ({tail})"
    folder = mechanisms.compile_mechanisms(sources, engine="neuron")
    return Choice("neuron", want, mechanisms.library_path(folder), fallback_reason=reason)


def stored_engine(folder: Path, plan_file: str) -> str | None:
    """The engine of the simulations already in ``folder`` (its plan's ``engine``; a plan
    from before engines existed was simulated by NEURON), or None for a new folder."""
    path = folder / plan_file
    if not path.is_file():
        return None
    return str(json.loads(path.read_text()).get("engine", "neuron"))


def write(folder: Path, choice: Choice) -> None:
    """Store the choice as ``engine.json`` in a simulation folder (atomically)."""
    atomic.write_json(folder / ENGINE_FILE, choice.to_dict())


def read(folder: Path) -> dict[str, Any] | None:
    """The stored choice of a simulation folder (:meth:`Choice.to_dict`), or None."""
    path = folder / ENGINE_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def voltage_has_spikes(folder: Path) -> bool:
    """Whether the soma voltage of simulation folder ``folder`` carries spike waveforms: not
    when its engine (``engine.json``) is one of :data:`READOUT_ENGINES`. A teacher's
    spikes are drawn from its spike probability; its voltage is the readout they are
    drawn from."""
    found = read(folder)
    return not (found is not None and found.get("engine") in READOUT_ENGINES)


def describe(choice: Choice | dict[str, Any]) -> str:
    """One line for people: the engine, and the reason when it is not the one asked for."""
    block = choice.to_dict() if isinstance(choice, Choice) else choice
    line = f"engine {block['engine']}"
    if block.get("flags"):
        line += f" (mechanisms built with {block['flags']})"
    if block.get("fallback_reason"):
        line += f"; {block['requested']} was asked for, but {block['fallback_reason']}"
    return line


def compare(spec: CellSpec, *, duration_ms: int = 1000, rate_scale: float = 1.0,
            seed: int = 0, sim_index: int = 0, mirror: Path | None = None) -> dict[str, Any]:
    """Simulate one protocol simulation of the cell with both engines, side by side (one
    worker process per engine, each with its own build), and compare them at every step.

    Args:
        spec: the cell.
        duration_ms: length of the simulation (ms).
        rate_scale: factor on the cell's input rates (more input, more spikes to compare).
        seed, sim_index: which inputs (as in a run: run seed and simulation index).
        mirror: where to read the cell's data files first.

    Returns:
        ``max_abs_dv_mv`` (the largest soma voltage difference over all steps, mV),
        ``spike_times_ms`` per engine, ``same_spikes`` (identical spike times),
        ``n_steps``, and the inputs used.

    Raises:
        benchmark.simulation.mechanisms.CompileError: the mechanisms do not build for one
            of the engines.
    """
    files = data_files.ensure(spec, mirror=mirror)
    params = protocol.cell_params(spec, rate_scale=rate_scale).to_dict()
    sources = spec.mechanism_sources()
    pools, futures = [], {}
    try:
        for name in ENGINES:
            library = mechanisms.library_path(mechanisms.compile_mechanisms(sources, engine=name))
            pool = executors.simulation_pool(library, 1)
            pools.append(pool)
            futures[name] = pool.submit(worker.soma_trace, dict(spec.with_engine(name).data),
                                        spec.digest(), files, params, seed, sim_index,
                                        duration_ms)
        traces = {name: future.result() for name, future in futures.items()}
    finally:
        for pool in pools:
            pool.shutdown()
    core, ref = traces["coreneuron"], traces["neuron"]
    n = min(len(core["v_mv"]), len(ref["v_mv"]))
    spikes = {name: [float(t) for t in trace["spike_times_ms"]] for name, trace in traces.items()}
    return {"duration_ms": duration_ms, "rate_scale": rate_scale, "seed": seed,
            "sim_index": sim_index, "n_steps": n,
            "same_length": len(core["v_mv"]) == len(ref["v_mv"]),
            "max_abs_dv_mv": float(np.max(np.abs(core["v_mv"][:n] - ref["v_mv"][:n]))),
            "spike_times_ms": spikes,
            "same_spikes": spikes["coreneuron"] == spikes["neuron"]}
