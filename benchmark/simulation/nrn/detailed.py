"""Detailed cells from a reconstruction and membrane data (worker processes only).

Parameters (``[parameters]`` of the cell's spec; units in the names):
    morphology: ``file`` (name of a data file of the spec), ``format`` (``neurolucida`` or
        ``swc``), ``segment_length_um`` (nseg rule), ``axon`` = {``sections``,
        ``length_um``, ``diam_um``} (the stub that replaces the reconstructed axon;
        ``diam_um = "reconstruction"`` takes Hay et al. 2011's diameters, see
        :func:`benchmark.simulation.nrn.morphology.replace_axon`).
    passive, regions, distributions, distance_origin: see
        :mod:`benchmark.simulation.nrn.biophysics`.
    synapse_regions: input tree name -> region, e.g. {basal = "dend", apical = "apic"};
        the order of the table is the channel order within each kind.

Inputs: one excitatory and one inhibitory synapse on every segment of the listed regions;
channels are all excitatory inputs (trees in table order, sections in import order,
segments proximal to distal) and then the inhibitory ones in the same order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from neuron import h

from benchmark.simulation.nrn import biophysics, morphology
from benchmark.simulation.nrn.cell import BuiltCell, Site, make_synapse


def build(spec: Mapping[str, Any], files: Mapping[str, str]) -> BuiltCell:
    """Build the cell described by the merged spec table ``spec`` from its data ``files``."""
    p = spec["parameters"]
    morph_p = p["morphology"]
    morph = morphology.load(files[morph_p["file"]], morph_p.get("format", "neurolucida"))
    axon = morph_p["axon"]
    morphology.replace_axon(morph, int(axon["sections"]), axon["length_um"], axon["diam_um"])
    morphology.apply_segment_rule(morph, morph_p["segment_length_um"])
    biophysics.apply(morph, p)
    return with_inputs(morph, spec)


def with_inputs(morph: morphology.Morphology, spec: Mapping[str, Any]) -> BuiltCell:
    """The :class:`BuiltCell` of ``morph`` with one excitatory and one inhibitory synapse on
    every segment of ``parameters.synapse_regions`` (channel order: see the module
    docstring); site distances (um) from ``soma[0](parameters.distance_origin)``."""
    p = spec["parameters"]
    origin = morph.soma[0](float(p.get("distance_origin", 0.5)))
    slots = [
        (tree, seg)
        for tree, region in p["synapse_regions"].items()
        for sec in morph.region(region)
        for seg in sec
    ]
    synapses, sites = [], []
    for kind, model in (("exc", spec["synapses"]["excitatory"]),
                        ("inh", spec["synapses"]["inhibitory"])):
        for tree, seg in slots:
            synapses.append(make_synapse(seg, model))
            sec = seg.sec
            sites.append(Site(morphology.short_name(sec), float(seg.x),
                              float(h.distance(origin, seg)), tree, kind,
                              float(sec.L / sec.nseg)))
    soma = morph.soma[0](0.5)
    return BuiltCell(soma=soma, synapses=synapses, sites=sites, keep=[morph])
