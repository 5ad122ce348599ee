"""The teacher engine's cell: what a simulation worker holds in place of a NEURON cell.

:class:`TeacherCell` is built from a cell spec whose ``builder`` is ``"teacher"``
(``[parameters]``: ``layout``, the stored input layout; for a constructed teacher
``weights_sha256``, the pinned hash of the drawn weights, and ``[parameters.teacher]``, the
:class:`~.network.TeacherConfig`; for a found teacher, :mod:`.found`, ``network``, the
name of its weights file among the cell's ``[files]``, and ``[parameters.found]``, the
:class:`~.found.FoundConfig`). It
offers the worker what a NEURON cell does (``site_table``, ``teardown``, ``shape``) and
:meth:`TeacherCell.simulate_batch`, which simulates a shard's simulations with one forward
pass: soma voltage at 1 ms from the voltage head (mV) and output spikes drawn per 1 ms bin
from the spike probability (timed so that each is labelled in the bin it was drawn in,
:func:`spike_times_ms`), with a generator seeded by the cell, run seed and simulation
index (:func:`spike_rng`), so a simulation is reproducible on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from benchmark.simulation import protocol
from benchmark.simulation.teacher import found, layout, network

SPIKE_STREAM = "teacher-spikes"


def spike_times_ms(bins: np.ndarray) -> np.ndarray:
    """The times (ms) of spikes drawn in 1 ms bins ``bins`` (bin k from the inputs of
    0 .. k ms): k + 1 ms, so that the dataset's label convention (a spike at t falls in bin
    ``int(t - 0.5)``, :func:`benchmark.learning.dataset.spike_labels`) puts each spike in
    the bin it was drawn in, and a causal student predicting bin k sees the same inputs the
    teacher drew it from. A time of k ms would label bin k - 1, one bin before its newest
    input."""
    return np.asarray(bins, dtype=np.float64) + 1.0


class TeacherMismatch(ValueError):
    """The weights drawn here differ from the hash the cell pins."""


def spike_rng(cell_digest: str, seed: int, sim_index: int) -> np.random.Generator:
    """The stream of one simulation's output spikes (independent of its input stream)."""
    return protocol.input_rng(f"{cell_digest}:{SPIKE_STREAM}", seed, sim_index)


def trees_params(spec_data: dict[str, Any]) -> protocol.ProtocolParams:
    """The protocol at the spec's own rates (rate scale 1): the teacher's construction."""
    trees = {name: protocol.TreeRates(tuple(t["exc_per_100ms"]),
                                      tuple(t["inh_minus_exc_per_100ms"]))
             for name, t in spec_data["inputs"]["trees"].items()}
    return protocol.ProtocolParams(trees=trees)


class TeacherCell:
    """A built teacher (see the module docstring)."""

    def __init__(self, spec_data: dict[str, Any], files: dict[str, str] | None = None) -> None:
        params = spec_data["parameters"]
        stored = layout.load(params["layout"])
        self.sites: dict[str, list[Any]] = stored["sites"]
        self.input_sites = protocol.InputSites(
            kind=np.array(self.sites["kind"]), tree=np.array(self.sites["tree"]),
            length_um=np.array(self.sites["length_um"], dtype=float))
        if "found" in params:
            self._build_found(params, files or {}, spec_data)
        else:
            self._build_constructed(params, spec_data)

    def _build_constructed(self, params: dict[str, Any], spec_data: dict[str, Any]) -> None:
        config = network.TeacherConfig.from_dict(dict(params["teacher"]))
        weights = network.draw_weights(config, self.input_sites.kind)
        digest = network.weights_digest(config, weights)
        pinned = params.get("weights_sha256")
        if digest != pinned:
            raise TeacherMismatch(
                f"teacher weights hash {digest} differs from parameters.weights_sha256 "
                f"{pinned}: the construction code, its config or torch's generator changed; "
                "if the change is meant, set weights_sha256 to the new hash and bump the "
                "cell's version")
        self.weights_sha256 = digest
        self.teacher: network.Teacher | found.FoundTeacher = network.build(
            config, self.input_sites, trees_params(spec_data))

    def _build_found(self, params: dict[str, Any], files: dict[str, str],
                     spec_data: dict[str, Any]) -> None:
        name = params["network"]
        if name not in files:
            raise TeacherMismatch(f"the found teacher's network file {name!r} is not among the "
                                  f"cell's data files {sorted(files)}: list it under "
                                  f'[files."{name}"] with its path and sha256')
        net = found.load(Path(files[name]))
        self.teacher = found.build(found.FoundConfig.from_dict(dict(params["found"])), net,
                                   self.input_sites, trees_params(spec_data))
        self.weights_sha256 = spec_data["files"][name]["sha256"]  # checked when located

    @property
    def depth(self) -> int:
        """The teacher's known depth (layers)."""
        return self.teacher.config.depth

    def drive(self, channel: np.ndarray, time_ms: np.ndarray, duration_ms: int
              ) -> torch.Tensor:
        """The network's first-layer input for one simulation's events (time in ms):
        (units or patterns, duration_ms)."""
        if isinstance(self.teacher, found.FoundTeacher):
            return self.teacher.network.project(channel, time_ms, duration_ms)
        return network.drive_of(self.teacher.weights, channel, time_ms, duration_ms)

    def outputs(self, drives: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(spike probability per 1 ms, voltage in mV), each (batch, time), of a batch of
        :meth:`drive` outputs."""
        return self.teacher.outputs(drives)

    def site_table(self) -> dict[str, list[Any]]:
        """Sites as columns (section, x, distance_um, tree, kind, length_um)."""
        return self.sites

    def simulate_batch(self, events: Sequence[tuple[np.ndarray, np.ndarray, int]],
                       rngs: Sequence[np.random.Generator]
                       ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Simulate each ``(channel, time_ms, duration_ms)``; simulations of one duration
        share a forward pass. Returns per simulation the voltage at t = 0, 1, ... ms (mV,
        float32) and the output spike times (ms)."""
        out: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(events)
        for duration in sorted({d for _, _, d in events}):
            which = [i for i, (_, _, d) in enumerate(events) if d == duration]
            with torch.no_grad():
                drives = torch.stack([self.drive(events[i][0], events[i][1], duration)
                                      for i in which])
                prob, volt = self.outputs(drives)
            for row, i in enumerate(which):
                p = prob[row].double().numpy()
                spikes = spike_times_ms(np.flatnonzero(rngs[i].random(duration) < p))
                out[i] = (volt[row].numpy().astype(np.float32), spikes)
        return [o for o in out if o is not None]

    def shape(self) -> dict[str, Any]:
        """A teacher has no morphology: an empty shape, with what it is instead."""
        return {"sections": []}

    def teardown(self) -> None:
        """Nothing to free (no NEURON objects)."""
