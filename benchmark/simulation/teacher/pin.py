"""Print the weights hash of a teacher cell's construction (to pin in its cell.toml).

usage: python -m benchmark.simulation.teacher.pin CELL

The hash covers the construction's settings and every drawn weight
(:func:`benchmark.simulation.teacher.network.weights_digest`); the cell's
``parameters.weights_sha256`` must equal it, or the teacher refuses to simulate.
"""

from __future__ import annotations

import sys

import numpy as np

from benchmark.cells import registry
from benchmark.simulation.teacher import layout, network


def digest(cell: str) -> str:
    """The weights hash of the registered teacher ``cell``."""
    spec = registry.get(cell)
    params = spec.data["parameters"]
    config = network.TeacherConfig.from_dict(dict(params["teacher"]))
    kinds = np.array(layout.load(params["layout"])["sites"]["kind"])
    return network.weights_digest(config, network.draw_weights(config, kinds))


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    print(digest(sys.argv[1]))
