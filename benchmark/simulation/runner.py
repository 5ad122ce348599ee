"""The simulation stage (parent side): plan shards, skip finished ones, run the rest.

The parent never imports NEURON: it checks the cell's ``[simulation]`` settings
(:func:`benchmark.simulation.engine.check`, before anything is written),
chooses the engine and compiles the cell's mechanisms for it
(:func:`benchmark.simulation.engine.choose`; a folder that holds simulations keeps its
engine, stored in ``plan.json`` and ``engine.json``), then hands
:class:`~benchmark.simulation.worker.ShardTask` objects to an executor whose worker
processes build the cell and simulate. A rerun reads the folder and simulates
only missing shards.

The folder also receives the cell's shape, ``shape.json`` (:data:`SHAPE_FILE`, the content
of the ``shape`` probe), written by a worker as the pool's last task when missing, so the
score stage draws the cell without starting NEURON (:func:`read_shape`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Executor, as_completed
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.cells import data_files
from benchmark.cells.spec import CellSpec
from benchmark.core.errors import UserError
from benchmark.core.profiles import DataPlan
from benchmark.core.progress import Progress, log
from benchmark.simulation import engine, executors, protocol, shards, worker
from benchmark.simulation.plan import PLAN_FILE, SimulationPlan, check_or_write_plan
from benchmark.simulation.worker import ShardTask

ExecutorFactory = Callable[[Path], Executor]
SHAPE_FILE = "shape.json"


def read_shape(folder: Path) -> dict[str, Any] | None:
    """The cell's shape stored in a simulations folder, or None (a folder simulated before
    the stage stored it, or whose simulation stopped before its last task)."""
    path = folder / SHAPE_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def make_tasks(spec: CellSpec, plan: SimulationPlan, folder: Path, *,
               mirror: Path | None = None) -> list[ShardTask]:
    """One task per shard that is not yet on disk (``mirror``: where to read the cell's
    data files first, as in :func:`benchmark.cells.data_files.ensure`)."""
    d = plan.data_plan
    attrs = {"cell": plan.cell, "cell_digest": plan.cell_digest, "seed": plan.seed,
             "protocol_version": plan.protocol_version, "protocol_digest": plan.protocol_digest,
             "duration_ms": d.duration_ms, "dt_ms": float(spec.get("simulation.dt_ms")),
             "engine": plan.engine}
    files = data_files.ensure(spec, mirror=mirror)
    tasks = []
    for shard_id, start in enumerate(range(0, d.n_total, d.sims_per_shard)):
        path = folder / shards.shard_name(shard_id)
        if shards.is_complete(path):
            continue
        indices = list(range(start, min(start + d.sims_per_shard, d.n_total)))
        tasks.append(ShardTask(spec_data=dict(spec.data), cell_digest=plan.cell_digest,
                               protocol=plan.protocol, seed=plan.seed, sim_indices=indices,
                               duration_ms=d.duration_ms, out_path=str(path), attrs=attrs,
                               files=files))
    return tasks


def rebuild_index(folder: Path) -> dict[str, dict[str, Any]]:
    """Index every complete shard in ``folder`` (the store is the source of truth)."""
    index = shards.read_index(folder)
    for path in sorted(folder.glob("shard-*.h5")):
        if path.name not in index and shards.is_complete(path):
            sims = shards.read_shard(path)
            index[path.name] = {"sim_indices": [s.sim_index for s in sims],
                                "n_output_spikes": [len(s.spike_times_ms) for s in sims]}
            cpu_s = shards.read_attrs(path).get("cpu_s")  # absent in shards before 2026-11-24
            if cpu_s is not None:
                index[path.name]["cpu_s"] = cpu_s
    shards.write_index(folder, index)
    return index


def run_tasks(tasks: list[ShardTask], executor: Executor, folder: Path, total: int,
              label: str = "simulate") -> None:
    """Run tasks on ``executor``; the index is updated as each shard lands."""
    index = shards.read_index(folder)
    done = total - len(tasks)
    with Progress(total, label, unit="shard", initial=done) as bar:
        futures = {executor.submit(worker.simulate_shard, t): t for t in tasks}
        try:
            for future in as_completed(futures):
                entry = future.result()
                index[Path(futures[future].out_path).name] = entry
                shards.write_index(folder, index)
                bar.update(1, spikes=sum(entry["n_output_spikes"]))
        except BaseException:
            executors.stop_now(executor)
            raise


def simulate(spec: CellSpec, data: DataPlan, seed: int, folder: Path, *,
             rate_scale: float = 1.0, executor_factory: ExecutorFactory | None = None,
             n_workers: int | None = None, mirror: Path | None = None,
             label: str = "simulate") -> SimulationPlan:
    """Simulate every missing shard of the plan into ``folder``; returns the plan.
    ``label`` names the work in the progress lines (``"calibration probe"`` for a probe)."""
    engine.check(spec)
    folder.mkdir(parents=True, exist_ok=True)
    choice = choose_engine(spec, folder)
    spec = spec.with_engine(choice.engine)
    plan = SimulationPlan.make(spec, data, seed, rate_scale, engine=choice.engine)
    check_or_write_plan(folder, plan)
    engine.write(folder, choice)
    tasks = make_tasks(spec, plan, folder, mirror=mirror)
    n_shards = -(-data.n_total // data.sims_per_shard)
    if tasks:
        log(f"{label} {spec.name}: {len(tasks)} of {n_shards} shards to run "
            f"({engine.describe(choice)})")
        _execute(choice.library, tasks, folder, n_shards, executor_factory, n_workers, label)
    else:
        log(f"{label} {spec.name}: all {n_shards} shards already done")
    rebuild_index(folder)
    return plan


def choose_engine(spec: CellSpec, folder: Path) -> engine.Choice:
    """The engine for ``folder``: the one its stored plan names (a resumed run keeps its
    engine), else the spec's (:func:`benchmark.simulation.engine.choose`)."""
    stored = engine.stored_engine(folder, PLAN_FILE)
    choice = engine.choose(spec, stored)
    if stored is not None and choice.engine != stored:
        raise UserError(f"{folder / PLAN_FILE}: was simulated with {stored}, which cannot run "
                        f"here ({choice.fallback_reason}); resume it where it started, or "
                        "use another --out folder")
    return choice


def _execute(library: Path | None, tasks: list[ShardTask], folder: Path, n_shards: int,
             executor_factory: ExecutorFactory | None, n_workers: int | None,
             label: str = "simulate") -> None:
    factory = executor_factory or (lambda lib: executors.simulation_pool(lib, n_workers))
    with factory(library) as executor:
        run_tasks(tasks, executor, folder, n_shards, label)
        store_shape(tasks[0], executor, folder)


def store_shape(task: ShardTask, executor: Executor, folder: Path) -> None:
    """Write the cell's shape into ``folder`` (:data:`SHAPE_FILE`) unless it is there: a
    worker task submitted after every shard (drawing the shape may touch the cell's
    geometry; see :func:`benchmark.simulation.worker.write_shape`)."""
    if not (folder / SHAPE_FILE).is_file():
        executor.submit(worker.write_shape, task.spec_data, task.cell_digest, task.files,
                        str(folder / SHAPE_FILE)).result()


def replay(spec: CellSpec, inputs: Path, folder: Path, *,
           executor_factory: ExecutorFactory | None = None,
           n_workers: int | None = None, mirror: Path | None = None) -> Path:
    """Simulate the cell under the input spike trains of ``inputs``, one shard per simulation.

    The file is read and checked (channel range) in the worker, which knows the cell's inputs.
    """
    engine.check(spec)
    folder.mkdir(parents=True, exist_ok=True)
    stored = engine.read(folder)  # a replay folder keeps its engine too
    choice = engine.choose(spec, stored["engine"] if stored else None)
    spec = spec.with_engine(choice.engine)
    n_sims = len(protocol.load_replay(inputs, n_inputs=np.iinfo(np.int32).max))
    files = data_files.ensure(spec, mirror=mirror)
    attrs = {"cell": spec.name, "cell_digest": spec.digest(), "replay": str(inputs),
             "dt_ms": float(spec.get("simulation.dt_ms")), "engine": choice.engine}
    params = protocol.cell_params(spec).to_dict()
    tasks = [ShardTask(spec_data=dict(spec.data), cell_digest=spec.digest(), protocol=params,
                       seed=0, sim_indices=[k], duration_ms=0,
                       out_path=str(folder / shards.shard_name(k)), attrs=attrs, files=files,
                       replay_path=str(inputs.resolve()))
             for k in range(n_sims) if not shards.is_complete(folder / shards.shard_name(k))]
    engine.write(folder, choice)
    if tasks:
        _execute(choice.library, tasks, folder, n_sims, executor_factory, n_workers)
    rebuild_index(folder)
    return folder
