"""Physiology measurements of a cell (parent side: never imports ``neuron``).

The probes themselves live in :mod:`benchmark.simulation.nrn.probes` and run in a worker
process of a :func:`benchmark.simulation.executors.simulation_pool`; this module fetches
the cell's data files, compiles its mechanisms for the cell's engine
(:func:`benchmark.simulation.engine.choose`), starts the pool and collects the probes'
JSON-able results.

Probes (keyword arguments as in :mod:`benchmark.simulation.nrn.probes`; units in the names):
    ``resting``: soma voltage at rest (mV), drift, spontaneous spikes.
    ``fi_curve``: soma spikes and rate (Hz) for somatic current steps (``amplitudes_na``).
    ``bap``: back-propagating AP amplitude (mV) vs path distance (``distances_um``).
    ``bac``: BAC firing (somatic pulse, dendritic EPSP-shaped current, both).
    ``anatomy``: sections, segments, membrane per region, the axon and the input sites.
    ``shape``: every section's region and 3D points (x, y, z, diam um), for drawing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from benchmark.cells import data_files
from benchmark.cells.spec import CellSpec
from benchmark.core.errors import UserError
from benchmark.simulation import engine, executors
from benchmark.simulation.nrn import simulator

PROBE_NAMES = ("resting", "fi_curve", "bap", "bac", "anatomy", "shape")
Request = tuple[str, Mapping[str, Any]]


def _run_probe(name: str, spec_data: dict[str, Any], files: dict[str, str],
               kwargs: dict[str, Any]) -> dict[str, Any]:
    """Worker-side entry point: imports the probes (and NEURON) inside the worker only."""
    from benchmark.simulation.nrn import probes

    return probes.run(name, spec_data, files, kwargs)


def prepared(spec: CellSpec) -> tuple[Path, dict[str, Any]]:
    """The cell's compiled mechanism library (compiled once, then cached) for the engine
    chosen for it (:func:`benchmark.simulation.engine.choose`), and the spec table the
    workers get, which names that engine."""
    choice = engine.choose(spec)
    return choice.library, dict(spec.with_engine(choice.engine).data)


def library_for(spec: CellSpec) -> Path:
    """The cell's compiled mechanism library for its engine (:func:`prepared`)."""
    return prepared(spec)[0]


def check_requests(requests: Sequence[Request]) -> None:
    """UserError for an unknown probe name."""
    for name, _ in requests:
        if name not in PROBE_NAMES:
            raise UserError(f"unknown physiology probe '{name}': use one of "
                            f"{', '.join(PROBE_NAMES)}")


def measure_many(spec: CellSpec, requests: Sequence[Request], n_workers: int = 1, *,
                 mirror: Path | None = None) -> list[dict[str, Any]]:
    """Run several probes in one pool (one cell build per worker); results in request order.

    Args:
        spec: the cell.
        requests: (probe name, keyword arguments) pairs.
        n_workers: worker processes; probes are handed out as workers become free.
        mirror: where to read the cell's data files first (default ``$NEURODEPTH_MIRROR``).
    """
    check_requests(requests)
    simulator.check_spec(spec)
    files = data_files.ensure(spec, mirror=mirror)
    library, spec_data = prepared(spec)
    with executors.simulation_pool(library, max(1, min(n_workers, len(requests)))) as pool:
        futures: list[Future[dict[str, Any]]] = [
            pool.submit(_run_probe, name, spec_data, files, dict(kwargs))
            for name, kwargs in requests
        ]
        return [f.result() for f in futures]


def measure_cells(jobs: Sequence[tuple[CellSpec, Sequence[Request]]],
                  n_workers: int = 1, *,
                  mirror: Path | None = None) -> list[list[dict[str, Any]]]:
    """Probes of several cells in one pool; results per cell, in request order.

    Every cell must need the same compiled mechanisms (one library per pool). Requests are
    handed out cell by cell, so a worker builds each cell about once. ``mirror`` as in
    :func:`measure_many`.
    """
    for spec, requests in jobs:
        check_requests(requests)
        simulator.check_spec(spec)
    ready = [prepared(spec) for spec, _ in jobs]
    libraries = {library for library, _ in ready}
    if len(libraries) > 1:
        raise UserError("measure_cells needs cells with the same mechanism catalogues; "
                        f"these need {len(libraries)} different libraries: measure them apart")
    if not libraries:
        return []
    tasks = [(data, data_files.ensure(spec, mirror=mirror), requests)
             for (spec, requests), (_, data) in zip(jobs, ready, strict=True)]
    n = max(1, min(n_workers, sum(len(r) for _, _, r in tasks)))
    with executors.simulation_pool(libraries.pop(), n) as pool:
        futures = [[pool.submit(_run_probe, name, data, files, dict(kwargs))
                    for name, kwargs in requests] for data, files, requests in tasks]
        return [[f.result() for f in cell] for cell in futures]


def measure(spec: CellSpec, probe_name: str, *, mirror: Path | None = None,
            **kwargs: Any) -> dict[str, Any]:
    """Run one probe (keyword arguments ``kwargs``) on the cell in a fresh one-worker pool
    and return its result; ``mirror`` as in :func:`measure_many`."""
    return measure_many(spec, [(probe_name, kwargs)], mirror=mirror)[0]
