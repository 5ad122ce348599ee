"""A built cell in NEURON, as the simulation harness sees it (worker processes only).

Every builder returns a :class:`BuiltCell`: the soma segment to record, the input
synapses in channel order (excitatory then inhibitory; within each, basal before apical),
and each input's site. The harness never needs to know how the cell was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from neuron import h

SYNAPSE_CLASSES = {"ampa_nmda": "AmpaNmda", "ampa": "AmpaNmda", "gaba_a": "GabaA"}


@dataclass
class Site:
    """Where one input sits.

    Attributes:
        section: NEURON section name.
        x: normalised position along the section (0-1).
        distance_um: path distance from the soma centre (um).
        tree: dendritic tree ("basal", "apical", "soma", ...).
        kind: "exc" or "inh".
        length_um: length of the segment that holds the synapse (um).
    """

    section: str
    x: float
    distance_um: float
    tree: str
    kind: str
    length_um: float


@dataclass
class BuiltCell:
    """A cell ready to simulate.

    Attributes:
        soma: the segment whose voltage is the output.
        synapses: input point processes, in channel order.
        sites: one :class:`Site` per synapse.
        keep: every other NEURON object that must stay alive.
    """

    soma: Any
    synapses: list[Any]
    sites: list[Site]
    keep: list[Any] = field(default_factory=list)

    def site_table(self) -> dict[str, list[Any]]:
        """Sites as columns (section, x, distance_um, tree, kind, length_um)."""
        names = ("section", "x", "distance_um", "tree", "kind", "length_um")
        return {n: [getattr(s, n) for s in self.sites] for n in names}

    def teardown(self) -> None:
        """Drop every reference so NEURON can free the sections."""
        self.synapses.clear()
        self.sites.clear()
        self.keep.clear()
        self.soma = None


def make_synapse(segment: Any, model: str) -> Any:
    """A synapse point process of the given model on ``segment``.

    ``ampa`` is the AMPA+NMDA mechanism with its NMDA conductance (uS) set to zero.
    """
    syn = getattr(h, SYNAPSE_CLASSES[model])(segment)
    if model == "ampa":
        syn.gmax_nmda = 0.0
    return syn
