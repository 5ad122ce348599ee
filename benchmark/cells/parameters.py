"""Schemas of the built-in builders' ``[parameters]``, checked in the parent process.

A spec's builder reads its parameters in a worker process; a missing or mistyped value
there would surface as a traceback from another process. These schemas catch it when the
spec is loaded, as a one-line :class:`~benchmark.core.errors.SpecError` naming the file, the
field and the fix. Builders given as ``package.module:function`` are not checked here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from benchmark.cells.allen_fit import FAMILIES as ALLEN_FAMILIES
from benchmark.core.errors import SpecError

NUMBER = (int, float)
REGIONS = ("soma", "dend", "apic", "axon")
FORMS = {
    "exponential": ("scale", "offset", "amplitude", "rate"),
    "window": ("value", "start_um", "end_um", "outside_fraction"),
}

LIF = {
    "n_excitatory": int, "n_inhibitory": int, "soma_diam_um": NUMBER,
    "soma_length_um": NUMBER, "cm_uf_per_cm2": NUMBER, "g_pas_s_per_cm2": NUMBER,
    "e_pas_mv": NUMBER, "v_thresh_mv": NUMBER, "v_peak_mv": NUMBER, "v_reset_mv": NUMBER,
    "t_peak_ms": NUMBER, "t_refrac_ms": NUMBER,
}
MORPHOLOGY = {"file": str, "format": str, "segment_length_um": NUMBER, "axon": Mapping}
AXON = {"sections": int, "length_um": NUMBER, "diam_um": (int, float, str)}
REGION = {"cm_uf_per_cm2": NUMBER, "g_pas_s_per_cm2": NUMBER}


def _need(path: Path, table: Any, keys: Mapping[str, Any], where: str) -> None:
    if not isinstance(table, Mapping):
        raise SpecError(path, where, "must be a table", f"write it as [{where}]")
    for key, kind in keys.items():
        value = table.get(key)
        if value is None:
            raise SpecError(path, f"{where}.{key}", "missing", f"add {key} under [{where}]")
        if isinstance(value, bool) or not isinstance(value, kind):
            raise SpecError(path, f"{where}.{key}", f"has the wrong type "
                            f"({type(value).__name__})", f"give {key} a {_kind_name(kind)}")


def _kind_name(kind: Any) -> str:
    return {int: "whole number", str: "string"}.get(kind, "number" if kind == NUMBER else
                                                     "table")


def _region(path: Path, name: str, where: str) -> None:
    if name not in REGIONS:
        raise SpecError(path, where, f"unknown region '{name}'",
                        f"use one of {', '.join(REGIONS)}")


def check_lif(path: Path, data: Mapping[str, Any]) -> None:
    _need(path, data.get("parameters", {}), LIF, "parameters")


def check_detailed(path: Path, data: Mapping[str, Any]) -> None:
    params = data.get("parameters", {})
    _need(path, params, {"morphology": Mapping, "passive": Mapping, "regions": Mapping,
                         "synapse_regions": Mapping}, "parameters")
    morph = params["morphology"]
    _need(path, morph, MORPHOLOGY, "parameters.morphology")
    _need(path, morph["axon"], AXON, "parameters.morphology.axon")
    if isinstance(morph["axon"]["diam_um"], str) and morph["axon"]["diam_um"] != "reconstruction":
        raise SpecError(path, "parameters.morphology.axon.diam_um", "is not a number",
                        "give a diameter in um or \"reconstruction\"")
    if morph["file"] not in data.get("files", {}):
        raise SpecError(path, "parameters.morphology.file", f"'{morph['file']}' is not a data "
                        "file of the cell", f"add a [files.\"{morph['file']}\"] table")
    _need(path, params["passive"], {"ra_ohm_cm": NUMBER, "e_pas_mv": NUMBER},
          "parameters.passive")
    for name, table in params["regions"].items():
        _region(path, name, f"parameters.regions.{name}")
        _need(path, table, REGION, f"parameters.regions.{name}")
    _synapse_regions(path, data)
    for i, dist in enumerate(params.get("distributions", [])):
        _distribution(path, dist, f"parameters.distributions[{i}]")


def _synapse_regions(path: Path, data: Mapping[str, Any]) -> None:
    for tree, region in data["parameters"]["synapse_regions"].items():
        _region(path, region, f"parameters.synapse_regions.{tree}")
        if tree not in data["inputs"]["trees"]:
            raise SpecError(path, f"parameters.synapse_regions.{tree}", "names no input tree",
                            f"add [inputs.trees.{tree}] or remove it")


def _data_file(path: Path, data: Mapping[str, Any], where: str) -> None:
    name = _lookup(data, where)
    if name not in data.get("files", {}):
        raise SpecError(path, where, f"'{name}' is not a data file of the cell",
                        f"add a [files.\"{name}\"] table")


def _lookup(data: Mapping[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        node = node[part]
    return node


def check_allen(path: Path, data: Mapping[str, Any]) -> None:
    """``[parameters]`` of the ``allen`` builder (:mod:`benchmark.simulation.nrn.allen`)."""
    params = data.get("parameters", {})
    _need(path, params, {"fit_file": str, "morphology_file": str, "synapse_regions": Mapping},
          "parameters")
    _data_file(path, data, "parameters.fit_file")
    _data_file(path, data, "parameters.morphology_file")
    family = params.get("family")
    if family is not None and family not in ALLEN_FAMILIES:
        raise SpecError(path, "parameters.family", f"unknown family {family!r}",
                        f"use one of {', '.join(ALLEN_FAMILIES)}, or leave it out to "
                        "detect it from the fit file")
    origin = params.get("distance_origin", 0.5)
    if isinstance(origin, bool) or not isinstance(origin, NUMBER) or not 0 <= origin <= 1:
        raise SpecError(path, "parameters.distance_origin", f"{origin!r} is not in [0, 1]",
                        "give a position along soma[0], e.g. 0.5")
    _synapse_regions(path, data)


def _distribution(path: Path, dist: Any, where: str) -> None:
    _need(path, dist, {"region": str, "mechanism": str, "parameter": str, "form": str}, where)
    _region(path, dist["region"], f"{where}.region")
    if dist["form"] not in FORMS:
        raise SpecError(path, f"{where}.form", f"unknown form '{dist['form']}'",
                        f"use one of {', '.join(FORMS)}")
    _need(path, dist, dict.fromkeys(FORMS[dist["form"]], NUMBER), where)
    if dist.get("distance_from", "soma") not in ("soma", "region"):
        raise SpecError(path, f"{where}.distance_from", f"unknown origin "
                        f"'{dist['distance_from']}'", "use \"soma\" or \"region\"")


CHECKS = {"lif": check_lif, "detailed": check_detailed, "allen": check_allen}


def check(path: Path, data: Mapping[str, Any]) -> None:
    """Check ``[parameters]`` of a merged spec against its builder's schema (if built in)."""
    checker = CHECKS.get(data["builder"])
    if checker is not None:
        checker(path, data)
