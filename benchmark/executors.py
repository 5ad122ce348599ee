"""Executors: where simulations and fits run. Parallelism is injected, never global.

The default is a local pool of worker processes started with the ``spawn`` method from a
neutral working directory, each loading one cell's compiled mechanisms.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from benchmark import worker


def default_workers() -> int:
    """One worker per available core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def neutral_dir() -> Path:
    """An empty folder to start NEURON workers in (no stray ``x86_64/`` to load)."""
    path = Path(tempfile.gettempdir()) / f"neurodepth-worker-{os.getuid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def simulation_pool(library: Path, n_workers: int | None = None) -> Executor:
    """A process pool whose workers have loaded ``library`` (a compiled mechanism set)."""
    return ProcessPoolExecutor(
        max_workers=n_workers or default_workers(),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=worker.initialize,
        initargs=(str(library), str(neutral_dir())),
    )
