"""Membrane properties as data: passive values, channel densities per region, and
distance-dependent distributions (worker processes only).

The cell's spec holds every value (``[parameters.passive]``, ``[parameters.regions.<r>]``,
``[[parameters.distributions]]``); this module only applies them. Units: Ra in ohm cm, cm
in uF/cm2, conductances in S/cm2, reversal potentials in mV, distances in um.

Distributions set one mechanism parameter per segment from the segment's path distance
``d`` (um) from an origin, or from ``d / d_max`` where ``d_max`` is the largest such
distance of any section end in the region (``distance = "normalised"``). The origin is the
soma at ``parameters.distance_origin`` (default 0.5), or, with ``distance_from =
"region"``, the 0 end of the region's first section (where the published Hay 2011
template measures from: its ``getLongestBranch`` moves NEURON's distance origin to
``apic[0](0)`` before the distribution is computed).

- ``exponential``: ``scale * (offset + amplitude * exp(rate * min(x, cap)))``;
- ``window``: ``value`` for ``start_um < d < end_um`` (strictly, as the published
  template), ``value * outside_fraction`` elsewhere.

Where along a section the distance is taken (``sample``):

- ``centre`` (default): each segment's value is the distribution at its centre.
- ``hoc_for_x``: as the published Hay 2011 template assigns it, in a hoc ``for (x)`` loop
  over each section: the distribution is evaluated at x = 0, at every segment centre and
  at x = 1, in that order, and written to the segment holding x. An assignment at x = 0
  or x = 1 to a density mechanism's parameter lands on the section's first or last
  segment, and the last write wins: the first segment keeps its centre's value (x = 0 is
  overwritten) and the last segment ends with the value at the section's 1 end. The scale
  of ``distance = "normalised"`` is the same under both rules.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from neuron import h

from benchmark.simulation.nrn.morphology import Morphology

ION_REVERSALS = {"ena_mv": ("na_ion", "ena"), "ek_mv": ("k_ion", "ek")}
SAMPLES = ("centre", "hoc_for_x")


def apply(morph: Morphology, params: Mapping[str, Any]) -> None:
    """Apply ``[parameters.passive]``, ``regions`` and ``distributions`` to ``morph``."""
    passive = params["passive"]
    for sec in morph.all:
        sec.insert("pas")
        sec.Ra, sec.e_pas = passive["ra_ohm_cm"], passive["e_pas_mv"]
    for region, table in params["regions"].items():
        _region(morph.region(region), table)
    soma_origin = morph.soma[0](float(params.get("distance_origin", 0.5)))
    for dist in params.get("distributions", []):
        sections = morph.region(dist["region"])
        origin = sections[0](0.0) if dist.get("distance_from") == "region" else soma_origin
        distribute(sections, dist, origin)


def _region(sections: Iterable[Any], table: Mapping[str, Any]) -> None:
    for sec in sections:
        sec.cm = table["cm_uf_per_cm2"]
        for mech, values in table.get("mechanisms", {}).items():
            sec.insert(mech)
            for name, value in values.items():
                setattr(sec, f"{name}_{mech}", float(value))  # every segment of sec
        sec.g_pas = table["g_pas_s_per_cm2"]
        for key, (ion, attr) in ION_REVERSALS.items():
            if key in table and h.ismembrane(ion, sec=sec):
                setattr(sec, attr, float(table[key]))


def path_distances(sections: Iterable[Any], origin: Any) -> list[tuple[Any, float]]:
    """Every segment of ``sections`` with its path distance (um) from ``origin``."""
    return [(seg, h.distance(origin, seg)) for sec in sections for seg in sec]


def max_distance(sections: Iterable[Any], origin: Any) -> float:
    """The largest path distance (um) of any section end (x = 1) in ``sections``."""
    return max(h.distance(origin, sec(1.0)) for sec in sections)


def value_at(dist: Mapping[str, Any], d: float) -> float:
    """The distribution's value at distance ``d`` (um, or normalised, as the form needs)."""
    form = dist["form"]
    if form == "exponential":
        x = min(d, float(dist.get("cap", math.inf)))
        return dist["scale"] * (dist["offset"] + dist["amplitude"] * math.exp(dist["rate"] * x))
    if form == "window":
        inside = dist["start_um"] < d < dist["end_um"]
        return dist["value"] * (1.0 if inside else dist["outside_fraction"])
    raise ValueError(f"unknown distribution form '{form}': use exponential or window")


def assignments(nseg: int, sample: str = "centre") -> list[tuple[int, float]]:
    """The writes of one section of ``nseg`` segments, in order: (segment index, x), the
    distribution evaluated at the distance of position ``x`` and written to segment
    ``index``. ``centre``: each segment once, at its centre. ``hoc_for_x``: x = 0 (first
    segment), every centre, x = 1 (last segment), as hoc's ``for (x)`` visits them; a later
    write to a segment replaces an earlier one."""
    centres = [(i, (i + 0.5) / nseg) for i in range(nseg)]
    if sample == "centre":
        return centres
    if sample == "hoc_for_x":
        return [(0, 0.0), *centres, (nseg - 1, 1.0)]
    raise ValueError(f"unknown distribution sample '{sample}': use {' or '.join(SAMPLES)}")


def final_positions(nseg: int, sample: str = "centre") -> list[float]:
    """Per segment, the position x whose value it keeps once every write of
    :func:`assignments` is done (the last write wins)."""
    last: dict[int, float] = {}
    for index, x in assignments(nseg, sample):
        last[index] = x
    return [last[i] for i in range(nseg)]


def distribute(sections: list[Any], dist: Mapping[str, Any], origin: Any) -> None:
    """Set ``<parameter>_<mechanism>`` on every segment of ``sections`` from ``dist``."""
    mech, name = dist["mechanism"], dist["parameter"]
    scale = max_distance(sections, origin) if dist.get("distance") == "normalised" else 1.0
    for sec in sections:
        if not h.ismembrane(mech, sec=sec):
            sec.insert(mech)
    sample = dist.get("sample", "centre")
    if sample == "centre":
        for seg, d in path_distances(sections, origin):
            setattr(seg, f"{name}_{mech}", value_at(dist, d / scale))
        return
    for sec in sections:
        segments = list(sec)
        for index, x in assignments(len(segments), sample):  # in order: the last write wins
            d = h.distance(origin, sec(x))
            setattr(segments[index], f"{name}_{mech}", value_at(dist, d / scale))
