"""Builder lookup by name (worker processes only): a cell spec's ``builder`` field."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from benchmark.core.errors import UserError

BUILDERS = {
    "lif": "benchmark.simulation.nrn.lif:build",
    "detailed": "benchmark.simulation.nrn.detailed:build",
    "allen": "benchmark.simulation.nrn.allen:build",
}


def get(name: str) -> Callable[[Mapping[str, Any], Mapping[str, str]], Any]:
    """The build function registered under ``name`` (or given as ``module:function``).

    A build function takes the merged spec table and the cell's data files (name -> local
    path) and returns a :class:`benchmark.simulation.nrn.cell.BuiltCell`.
    """
    target = BUILDERS.get(name, name)
    if ":" not in target:
        raise UserError(f"unknown builder '{name}': use one of {', '.join(BUILDERS)} "
                        "or 'package.module:function'")
    module, func = target.split(":", 1)
    return getattr(importlib.import_module(module), func)
