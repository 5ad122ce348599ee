"""Checks of the built-in builders' ``[parameters]`` that JSON Schema cannot express.

A spec's builder reads its parameters in a worker process; a wrong value there would
surface as a traceback from another process. The schema (``schemas/cell.schema.json``,
:mod:`benchmark.cells.schema`) checks each table's keys, types and units first; these checks
then relate values to each other, run in the parent when the spec is loaded, and fail as a
one-line :class:`~benchmark.core.errors.SpecError` naming the file, the field and the fix.
Builders given as ``package.module:function`` are not checked here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from benchmark.cells.allen_fit import FAMILIES as ALLEN_FAMILIES
from benchmark.core.errors import SpecError

# The keys each distribution ``form`` needs (the schema allows the keys of every form).
FORMS = {
    "exponential": ("scale", "offset", "amplitude", "rate"),
    "window": ("value", "start_um", "end_um", "outside_fraction"),
}


def _data_file(path: Path, data: Mapping[str, Any], where: str, name: str) -> None:
    """``name`` (the value at ``where``) must be a ``[files."name"]`` entry of the spec."""
    if name not in data.get("files", {}):
        raise SpecError(path, where, f"'{name}' is not a data file of the cell",
                        f"add a [files.\"{name}\"] table")


def _synapse_regions(path: Path, data: Mapping[str, Any]) -> None:
    for tree in data["parameters"]["synapse_regions"]:
        if tree not in data["inputs"]["trees"]:
            raise SpecError(path, f"parameters.synapse_regions.{tree}", "names no input tree",
                            f"add [inputs.trees.{tree}] or remove it")


def check_detailed(path: Path, data: Mapping[str, Any]) -> None:
    """``[parameters]`` of the ``detailed`` builder (:mod:`benchmark.simulation.nrn.detailed`)."""
    params = data["parameters"]
    _data_file(path, data, "parameters.morphology.file", params["morphology"]["file"])
    _synapse_regions(path, data)
    for i, dist in enumerate(params.get("distributions", [])):
        where = f"parameters.distributions[{i}]"
        for key in FORMS[dist["form"]]:
            if key not in dist:
                raise SpecError(path, f"{where}.{key}", "missing", f"add {key} under [{where}]")


def check_allen(path: Path, data: Mapping[str, Any]) -> None:
    """``[parameters]`` of the ``allen`` builder (:mod:`benchmark.simulation.nrn.allen`)."""
    params = data["parameters"]
    _data_file(path, data, "parameters.fit_file", params["fit_file"])
    _data_file(path, data, "parameters.morphology_file", params["morphology_file"])
    family = params.get("family")
    if family is not None and family not in ALLEN_FAMILIES:
        raise SpecError(path, "parameters.family", f"unknown family {family!r}",
                        f"use one of {', '.join(ALLEN_FAMILIES)}, or leave it out to "
                        "detect it from the fit file")
    _synapse_regions(path, data)


CHECKS: dict[str, Callable[[Path, Mapping[str, Any]], None]] = {
    "detailed": check_detailed, "allen": check_allen}


def check(path: Path, data: Mapping[str, Any]) -> None:
    """Cross-checks of ``[parameters]`` of a schema-valid merged spec (built-in builders)."""
    checker = CHECKS.get(data["builder"])
    if checker is not None:
        checker(path, data)
