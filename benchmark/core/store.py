"""Where a run's stages keep their outputs: ``<root>/<cell>/<profile>/seed-<seed>/``.

- ``simulations/``: shards, their index and the plan (simulation stage);
- ``fits/depth-<d>/seed-<s>/``: one folder per network (fit stage);
- ``scores.json``: per-depth curves and the score (score stage);
- ``record.json``: the result record;
- ``timings.json``: wall time per stage (s), summed over resumed invocations (flushed every
  :data:`TIMINGS_FLUSH_S` seconds while a stage runs, so a killed process loses at most that).

The root is ``--out``, else ``$NEURODEPTH_RUNS``, else ``./neurodepth-runs``.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmark.core import atomic

TIMINGS_FLUSH_S = 30.0
"""Seconds between writes of a running stage's wall time to ``timings.json``."""


def default_root() -> Path:
    return Path(os.environ.get("NEURODEPTH_RUNS", "neurodepth-runs"))


@dataclass(frozen=True)
class RunStore:
    """The folder of one (cell, profile, seed) run."""

    root: Path
    cell: str
    profile: str
    seed: int

    def __post_init__(self) -> None:
        # Absolute: simulation workers run in a neutral folder of their own
        # (benchmark.simulation.worker), so a relative --out would put their shards there.
        object.__setattr__(self, "root", Path(self.root).resolve())

    @property
    def folder(self) -> Path:
        return self.root / self.cell / self.profile / f"seed-{self.seed}"

    @property
    def simulations(self) -> Path:
        return self.folder / "simulations"

    @property
    def scores(self) -> Path:
        return self.folder / "scores.json"

    @property
    def record(self) -> Path:
        return self.folder / "record.json"

    @property
    def timings_file(self) -> Path:
        return self.folder / "timings.json"

    def timings(self) -> dict[str, float]:
        if not self.timings_file.is_file():
            return {}
        return json.loads(self.timings_file.read_text())

    @contextlib.contextmanager
    def timed(self, stage: str, flush_s: float | None = None) -> Iterator[None]:
        """Add the wall time (s) of the body to ``stage`` in ``timings.json``, even on error.

        The time is also added every ``flush_s`` seconds (default :data:`TIMINGS_FLUSH_S`)
        while the body runs, so a process killed without a chance to clean up (SIGKILL, a
        lost machine) still leaves all but the last interval in the file.
        """
        lock, stop = threading.Lock(), threading.Event()
        counted = time.monotonic()

        def flush() -> None:
            nonlocal counted
            with lock:
                now = time.monotonic()
                self.folder.mkdir(parents=True, exist_ok=True)
                timings = self.timings()
                timings[stage] = timings.get(stage, 0.0) + now - counted
                atomic.write_json(self.timings_file, timings)
                counted = now

        def flush_periodically() -> None:
            while not stop.wait(TIMINGS_FLUSH_S if flush_s is None else flush_s):
                flush()

        flusher = threading.Thread(target=flush_periodically, name=f"timings-{stage}",
                                   daemon=True)
        flusher.start()
        try:
            yield
        finally:
            stop.set()
            flusher.join()
            flush()
