"""The integrate-and-fire control: one passive compartment with threshold and reset.

Parameters (``[parameters]`` of the cell's spec):
    soma_diam_um / soma_length_um: compartment size (um).
    cm_uf_per_cm2: membrane capacitance (uF/cm2).
    g_pas_s_per_cm2 / e_pas_mv: leak conductance (S/cm2) and reversal (mV).
    v_thresh_mv / v_peak_mv / v_reset_mv: threshold, clamped spike peak, reset (mV).
    t_peak_ms / t_refrac_ms: duration of the spike peak and of the refractory reset (ms).
    n_excitatory / n_inhibitory: number of inputs of each kind.

The synapses are the same point processes as on the detailed cells, all on the soma.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from neuron import h

from benchmark.simulation.nrn.cell import BuiltCell, Site, make_synapse


def build(spec: Mapping[str, Any], files: Mapping[str, str]) -> BuiltCell:
    """Build the point neuron described by the merged spec table ``spec`` (no data files)."""
    p = spec["parameters"]
    soma = h.Section(name="soma")
    soma.L, soma.diam, soma.nseg = p["soma_length_um"], p["soma_diam_um"], 1
    soma.cm = p["cm_uf_per_cm2"]
    soma.insert("pas")
    soma.g_pas, soma.e_pas = p["g_pas_s_per_cm2"], p["e_pas_mv"]
    reset = h.LifReset(soma(0.5))
    reset.v_thresh, reset.v_peak, reset.v_reset = p["v_thresh_mv"], p["v_peak_mv"], p["v_reset_mv"]
    reset.t_peak, reset.t_refrac = p["t_peak_ms"], p["t_refrac_ms"]
    tree = next(iter(spec["inputs"]["trees"]))
    synapses, sites = [], []
    for kind, count, model in (
        ("exc", p["n_excitatory"], spec["synapses"]["excitatory"]),
        ("inh", p["n_inhibitory"], spec["synapses"]["inhibitory"]),
    ):
        for _ in range(int(count)):
            synapses.append(make_synapse(soma(0.5), model))
            sites.append(Site("soma", 0.5, 0.0, tree, kind, float(soma.L)))
    return BuiltCell(soma=soma(0.5), synapses=synapses, sites=sites, keep=[soma, reset])
