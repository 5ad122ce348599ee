"""Morphology import and the segment and axon rules (worker processes only).

A reconstruction is read with NEURON's Import3d into named section lists (soma, basal
``dend``, apical ``apic``, ``axon``). Two rules of the reference protocol and of the Hay
et al. 2011 model follow:

- the axon of the reconstruction is replaced by a short stub of ``n`` sections of
  ``length_um`` x ``diam_um`` (reference: two 30 um x 1 um sections), attached to the soma;
- every section gets ``nseg = 1 + 2 * int(L / segment_length_um)`` (reference: 40 um), an
  odd number so that the section's centre is a node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neuron import h

READERS = {"neurolucida": "Import3d_Neurolucida3", "swc": "Import3d_SWC_read"}
REGIONS = ("soma", "dend", "apic", "axon")


@dataclass
class Morphology:
    """The sections of one imported cell, by region (NEURON Section objects).

    Attributes:
        soma / dend / apic / axon: the sections of each region, in import order
            (``dend`` is the basal tree, ``apic`` the apical tree).
        keep: objects that must stay alive with the sections.
    """

    soma: list[Any] = field(default_factory=list)
    dend: list[Any] = field(default_factory=list)
    apic: list[Any] = field(default_factory=list)
    axon: list[Any] = field(default_factory=list)
    keep: list[Any] = field(default_factory=list)

    def region(self, name: str) -> list[Any]:
        return getattr(self, name)

    @property
    def all(self) -> list[Any]:
        return [sec for name in REGIONS for sec in self.region(name)]


class _Holder:
    """Import3d instantiates a morphology's sections as attributes of a Python object,
    named ``cell.<region>[i]`` after this object's string form."""

    def __repr__(self) -> str:
        return "cell"

    __str__ = __repr__


def short_name(sec: Any) -> str:
    """A section's name without its owner prefix (``cell.dend[3]`` -> ``dend[3]``)."""
    return sec.name().rsplit(".", 1)[-1]


def load(path: Path | str, fmt: str = "neurolucida") -> Morphology:
    """Import a reconstruction (``neurolucida`` .asc or ``swc``) into named sections."""
    if fmt not in READERS:
        raise ValueError(f"unknown morphology format '{fmt}': use one of {', '.join(READERS)}")
    h.load_file("stdlib.hoc")
    h.load_file("import3d.hoc")
    reader = getattr(h, READERS[fmt])()
    if fmt == "neurolucida":
        reader.quiet = 1
    reader.input(str(path))
    importer = h.Import3d_GUI(reader, 0)
    holder = _Holder()
    importer.instantiate(holder)
    morph = Morphology(keep=[holder])
    for name in REGIONS:
        secs = getattr(holder, name, [])
        morph.region(name).extend(secs if isinstance(secs, list) else list(secs))
    if not morph.soma:
        raise ValueError(f"{path}: the reconstruction has no soma")
    return morph


def replace_axon(morph: Morphology, n_sections: int, length_um: float,
                 diam_um: float | str, soma_x: float = 0.5) -> None:
    """Delete the reconstructed axon and attach a stub of ``n_sections`` sections (um).

    ``diam_um`` is a diameter (um), or ``"reconstruction"`` for Hay et al. 2011's rule
    (two sections only): the first takes the diameter of the reconstruction's first axon
    section, the second that of the first axon section whose middle lies more than 60 um
    from the soma (the first section's when there is none). The diameters are read at the
    sections' middles (``sec(0.5).diam``), so they depend on the nseg the sections have.
    The stub's first section is attached at ``soma[0](soma_x)``.
    """
    diams = ([float(diam_um)] * n_sections if not isinstance(diam_um, str)
             else _reconstruction_diams(morph, n_sections))
    delete_axon(morph)
    parent = morph.soma[0](soma_x)
    for i in range(n_sections):
        sec = h.Section(name=f"axon[{i}]")
        sec.L, sec.diam = length_um, diams[i]
        sec.connect(parent)
        parent = sec(1.0)
        morph.axon.append(sec)


def delete_axon(morph: Morphology) -> None:
    """Delete every axon section (nothing replaces them)."""
    for sec in morph.axon:
        h.delete_section(sec=sec)
    morph.axon.clear()


def _reconstruction_diams(morph: Morphology, n_sections: int) -> list[float]:
    if n_sections != 2:
        raise ValueError("axon diam_um = \"reconstruction\" needs sections = 2")
    if not morph.axon:
        return [1.0, 1.0]
    first = float(morph.axon[0](0.5).diam)
    origin = morph.soma[0](0.0)
    far = next((float(sec(0.5).diam) for sec in morph.axon
                if h.distance(origin, sec(0.5)) > 60.0), first)
    return [first, far]


def apply_segment_rule(morph: Morphology, segment_length_um: float) -> None:
    """``nseg = 1 + 2 * int(L / segment_length_um)`` on every section."""
    for sec in morph.all:
        sec.nseg = 1 + 2 * int(sec.L / segment_length_um)
