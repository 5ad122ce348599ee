"""Allen Institute cells: an SWC reconstruction and a model fit json (worker processes only).

Parameters (``[parameters]`` of the cell's spec):
    fit_file: name of the data file that holds the fit json.
    morphology_file: name of the SWC data file.
    family: optional; one of :data:`benchmark.cells.allen_fit.FAMILIES` (detected from the fit
        file's structure when absent).
    synapse_regions: input tree name -> region, e.g. {basal = "dend", apical = "apic"}
        (SWC type 3 is ``dend``, type 4 ``apic``).
    distance_origin: optional normalised position on soma[0] that site distances are
        measured from (default 0.5).

Build order (allensdk 2.16, ``allensdk.model.biophysical.utils``): import the SWC with
Import3d; ``nseg = 1 + 2 int(L / 40 um)`` on every section; the family's axon rule (stub,
truncated or delete; see :mod:`benchmark.cells.allen_fit`); the segment rule again (a 30 um
stub section gets nseg 1); ``pas`` and the passive values on every section; each section
type's mechanisms and their parameters; ``ena`` / ``ek`` per section type where the ion
exists. The spec's ``simulation.v_init_mv`` and ``celsius_degc`` must equal the fit file's
``conditions`` (the spec is data; this catches a copy error).

Inputs as :mod:`benchmark.simulation.nrn.detailed`: one excitatory and one inhibitory synapse on
every segment of the listed regions; excitatory then inhibitory, trees in table order,
sections in import order, segments proximal to distal.

The soma voltage recorded is the model's own; allensdk reports it minus the junction
potential (:meth:`benchmark.cells.allen_fit.FitPlan.reported_mv`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from neuron import h

from benchmark.cells import allen_fit
from benchmark.simulation.nrn import morphology
from benchmark.simulation.nrn.cell import BuiltCell
from benchmark.simulation.nrn.detailed import with_inputs

STUB_SECTIONS = 2
STUB_LENGTH_UM = 30.0
STUB_DIAM_UM = 1.0
# Where the stub's first section attaches: allensdk Utils (perisomatic) uses soma[0](0.5),
# AllActiveUtils (truncated) soma[0](1.0).
STUB_SOMA_X = {"stub": 0.5, "truncated": 1.0}


def build(spec: Mapping[str, Any], files: Mapping[str, str]) -> BuiltCell:
    """Build the cell described by the merged spec table ``spec`` from its data ``files``."""
    p = spec["parameters"]
    plan = allen_fit.load(files[p["fit_file"]], p.get("family"))
    allen_fit.check_simulation(spec, plan)
    morph = morphology.load(files[p["morphology_file"]], "swc")
    apply_morphology_rules(morph, plan)
    apply_plan(morph, plan)
    return with_inputs(morph, spec)


def apply_morphology_rules(morph: morphology.Morphology, plan: allen_fit.FitPlan) -> None:
    """The segment rule, the family's axon rule, and the segment rule again (allensdk's
    order: the truncated rule reads the reconstruction's axon diameters at the middle of
    sections already divided by the segment rule)."""
    morphology.apply_segment_rule(morph, plan.segment_length_um)
    rule = plan.axon_rule
    if rule == "stub":
        morphology.replace_axon(morph, STUB_SECTIONS, STUB_LENGTH_UM, STUB_DIAM_UM,
                                soma_x=STUB_SOMA_X[rule])
    elif rule == "truncated":
        morphology.replace_axon(morph, STUB_SECTIONS, STUB_LENGTH_UM, "reconstruction",
                                soma_x=STUB_SOMA_X[rule])
    elif rule == "delete":
        morphology.delete_axon(morph)
    else:
        raise ValueError(f"{plan.source}: unknown axon rule '{rule}'")
    morphology.apply_segment_rule(morph, plan.segment_length_um)


def apply_plan(morph: morphology.Morphology, plan: allen_fit.FitPlan) -> None:
    """Passive values, mechanisms and reversal potentials of ``plan`` on ``morph``."""
    for region in morphology.REGIONS:
        sections = morph.region(region)
        if not sections:
            continue
        if region not in plan.sections:
            raise ValueError(f"{plan.source}: the fit file gives no parameters for the "
                             f"reconstruction's '{region}' sections; use the fit file made "
                             "for this reconstruction")
        section_plan = plan.sections[region]
        for sec in sections:
            _apply_section(sec, section_plan, plan.source)
    for region, reversal in plan.reversals.items():
        for sec in morph.region(region):
            if h.ismembrane("na_ion", sec=sec):
                sec.ena = reversal.ena_mv
            if h.ismembrane("k_ion", sec=sec):
                sec.ek = reversal.ek_mv


def _apply_section(sec: Any, plan: allen_fit.SectionPlan, source: str) -> None:
    passive = plan.passive
    sec.insert("pas")
    sec.Ra = passive.ra_ohm_cm
    sec.cm = passive.cm_uf_per_cm2
    sec.g_pas = passive.g_pas_s_per_cm2
    sec.e_pas = passive.e_pas_mv
    for mech, values in plan.mechanisms.items():
        if not h.ismembrane(mech, sec=sec):
            try:
                sec.insert(mech)
            except ValueError as exc:
                raise ValueError(f"{source}: mechanism '{mech}' is not loaded; list the "
                                 "catalogue that provides it (\"allen\") in the spec's "
                                 "mechanisms") from exc
        for name, value in values.items():
            setattr(sec, name, value)  # every segment of sec
