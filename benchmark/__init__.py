"""NeuroDepth: how deep is a neuron?

Simulate a cell model with NEURON under one common random synaptic-input protocol, fit
causal temporal convolutional networks of increasing depth to its input -> output, and
score the cell by the smallest depth that reproduces it.

The library's entry points (:mod:`benchmark.pipeline.stages`), loaded on first use so that
``import benchmark`` stays light (worker processes import parts of this package)::

    import benchmark
    config = benchmark.RunConfig.make("lif", "smoke", out="runs")
    benchmark.simulate(config)
    benchmark.fit(config)
    scored = benchmark.score(config)      # or all three: benchmark.run(config)
"""

from __future__ import annotations

import os
from typing import Any

from benchmark.core.version import __version__

WAIT_POLICY_VARIABLES = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")


def _sleeping_openmp_threads() -> None:
    """Make OpenMP threads sleep while they wait, unless the user chose a policy.

    libgomp's default lets a waiting thread spin (300,000 turns), which on a shared machine
    takes the cores another process needs: measured on 2 cores beside one busy process
    (``benchmarks/contention.py``), a 2-thread fit's steps slowed 4-6x with the default and
    2x (the competitor's share) with ``OMP_WAIT_POLICY=PASSIVE``. libgomp reads the variable
    when it loads, so this runs on ``import benchmark``, before torch; worker processes
    inherit it. Set ``OMP_WAIT_POLICY=ACTIVE`` (or ``GOMP_SPINCOUNT``) on a dedicated
    machine to keep spinning (docs/cluster.md, "Threads").
    """
    if not any(name in os.environ for name in WAIT_POLICY_VARIABLES):
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"


_sleeping_openmp_threads()

API = ("RunConfig", "run", "calibrate", "simulate", "replay", "fit", "score")
__all__ = ["__version__", *API]


def __getattr__(name: str) -> Any:
    if name == "RunConfig":
        from benchmark.pipeline.config import RunConfig

        return RunConfig
    if name in API:
        from benchmark.pipeline import stages

        return getattr(stages, name)
    raise AttributeError(f"module 'benchmark' has no attribute {name!r}")
