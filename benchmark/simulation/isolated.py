"""Run one task in a fresh Python subprocess: how a Dask worker runs a shard or a fit.

A Dask worker process is long-lived and shared by every task it is given, and it cannot
fork process pools; NEURON loads one mechanism library per process, for good. So each task
runs in a subprocess of its own: :func:`run_isolated` (called on the Dask worker) pickles
the call, starts ``python -m benchmark.simulation.isolated CALL RESULT`` from a neutral folder (no
stray ``x86_64/``), and returns the pickled result. The child loads the cell's compiled
mechanisms first when a library is given
(:func:`benchmark.simulation.worker.initialize`), asks Linux to kill it when its parent
dies (a lost Dask worker leaves no orphan simulating), and writes its result atomically.

The pickles are this project's own calls between its own processes (module-level
functions and dataclasses), never data from a record or a user.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def neutral_dir() -> Path:
    """An empty folder to start NEURON workers in (no stray ``x86_64/`` to load)."""
    path = Path(tempfile.gettempdir()) / f"neurodepth-worker-{os.getuid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


TAIL_CHARS = 2000  # characters of the child's stderr quoted when it fails


class IsolatedTaskError(RuntimeError):
    """The subprocess of a task failed: its exit code and the end of its stderr."""


def run_isolated(library: str | None, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in a fresh subprocess that has loaded ``library`` (a compiled mechanism
    library, or None for a task without NEURON, such as a fit)."""
    with tempfile.TemporaryDirectory(prefix="neurodepth-task-") as tmp:
        call, result = Path(tmp) / "call.pkl", Path(tmp) / "result.pkl"
        call.write_bytes(pickle.dumps((library, fn, args)))
        proc = subprocess.run([sys.executable, "-m", "benchmark.simulation.isolated", str(call),
                               str(result)], cwd=neutral_dir(), capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": _pythonpath()})
        if proc.returncode != 0 or not result.is_file():
            raise IsolatedTaskError(f"{getattr(fn, '__qualname__', fn)} failed in its "
                                    f"subprocess (exit code {proc.returncode}):\n"
                                    f"{proc.stderr[-TAIL_CHARS:]}")
        return pickle.loads(result.read_bytes())


def _pythonpath() -> str:
    """The parent's import path first, so the child imports the same ``benchmark``."""
    here = str(Path(__file__).resolve().parents[2])
    rest = os.environ.get("PYTHONPATH", "")
    return here + (os.pathsep + rest if rest else "")


def main(call_path: str, result_path: str) -> None:
    """Child side: load the library, run the call, write the result atomically."""
    from benchmark.core import atomic
    from benchmark.simulation import worker

    worker.die_with_parent()
    library, fn, args = pickle.loads(Path(call_path).read_bytes())
    if library is not None:
        worker.initialize(library, os.getcwd())
    result = fn(*args)
    atomic.write_bytes(result_path, pickle.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
