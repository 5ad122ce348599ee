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

from typing import Any

from benchmark.core.version import __version__

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
