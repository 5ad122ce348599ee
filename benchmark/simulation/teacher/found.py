"""A found teacher: a network of known depth whose weights gradient descent found.

A constructed teacher (:mod:`.network`) has depth k by construction, but trained students
do not reach it: its thresholds at the mean and balanced kernels are a solution that
students of its depth can represent exactly (:mod:`benchmark.learning.embedding`) and that
training from a random start does not find (``docs/teachers.md``). A found teacher is
instead a student network itself: a causal TCN of depth k, of the students' own layer
(``Conv1d -> ReLU -> BatchNorm1d``, the reference protocol's), trained by this project's
fit code on a constructed teacher of depth k. Its function is one that training of a
depth-k network reaches from a random start, so whether a depth-k student reaches it, and
whether a shallower one falls short, are questions about depth, not about an optimiser
that cannot find a handmade solution (the teacher-student setting of Saad & Solla 1995,
Phys Rev E 52:4225, with a teacher drawn from what the students learn).

The weights are a file in the cell's folder (``network.npz``, pinned by sha256 in the
cell.toml's ``[files]``), written by ``benchmarks/teacher_find.py``, which records how
they were found (source cell, run seed, recipe); training is reproducible on one machine
with one torch thread, not across machines, so the file, not the recipe, is the teacher.

Outputs, per 1 ms bin, from the network's two heads in evaluation mode:

- **voltage** (mV): the voltage head plus ``v_offset_mv`` (the voltage target's bias of
  the run it was trained on: the head predicts the target, soma voltage minus that bias);
- **spike probability**: ``sigmoid(spike_gain x logit + b)``, with ``b`` set so that the
  mean probability over the construction simulations (the protocol at the cell's own
  rates, as for a constructed teacher) is ``target_rate_hz``. ``spike_gain`` > 1 makes
  the output more deterministic than the trained spike head, whose probability is
  calibrated to the spikes it was trained on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional

from benchmark.simulation import protocol
from benchmark.simulation.teacher import network as construction

BN_EPS = 1e-5  # torch.nn.BatchNorm1d's default epsilon
CONSTRUCTION_DIGEST = "found-teacher-construction"


@dataclass(frozen=True)
class FoundConfig:
    """The readout of a found teacher (``[parameters.found]`` of its cell.toml).

    Attributes:
        depth: the network's layers (its known depth); checked against the file.
        spike_gain: scale of the trained spike logit (1: as trained).
        target_rate_hz: mean output rate the logit's bias is set to (Hz).
        seed: seed of the construction simulations' input streams.
        n_construction, construction_ms, skip_ms: the construction simulations, their
            length (ms) and the initial ms left out of the rate.
    """

    depth: int
    spike_gain: float = 1.0
    target_rate_hz: float = 1.0
    seed: int = 0
    n_construction: int = 32
    construction_ms: int = 3000
    skip_ms: int = 300

    def __post_init__(self) -> None:
        for name in ("depth", "n_construction", "construction_ms"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"found teacher {name} must be a positive integer, got "
                                 f"{value!r}")
        if not self.spike_gain > 0:
            raise ValueError(f"found teacher spike_gain must be > 0, got {self.spike_gain!r}")
        if not 0 < self.target_rate_hz < 1000:
            raise ValueError("found teacher target_rate_hz must be in (0, 1000) Hz, got "
                             f"{self.target_rate_hz!r}")
        if not 0 <= self.skip_ms < self.construction_ms:
            raise ValueError("found teacher skip_ms must be in [0, construction_ms)")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FoundConfig:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown found-teacher settings {unknown}; known: {sorted(known)}")
        return cls(**data)


def save(path: Path, state: dict[str, torch.Tensor], v_offset_mv: float,
         meta: dict[str, Any]) -> None:
    """Write a TCN's ``state_dict`` (float32 arrays, BatchNorm counters dropped) with its
    voltage offset (mV) and a JSON description of how it was found (atomically)."""
    arrays = {k: v.detach().cpu().float().numpy() for k, v in state.items()
              if not k.endswith("num_batches_tracked")}
    arrays["v_offset_mv"] = np.array(v_offset_mv, dtype=np.float64)
    arrays["meta_json"] = np.array(json.dumps(meta, sort_keys=True))
    tmp = Path(path).with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)


@dataclass
class FoundNetwork:
    """The layers of a TCN in evaluation mode, from its saved ``state_dict``."""

    spatial: torch.Tensor | None  # (rank, n_inputs) or None for a full first layer
    convs: list[tuple[torch.Tensor, torch.Tensor]]  # per layer: weight, bias
    norms: list[tuple[torch.Tensor, torch.Tensor]]  # per layer: scale, shift (BN folded)
    spike_head: tuple[torch.Tensor, torch.Tensor]  # (width,), ()
    soma_head: tuple[torch.Tensor, torch.Tensor]
    v_offset_mv: float
    meta: dict[str, Any]

    @property
    def depth(self) -> int:
        return len(self.convs)

    @property
    def n_inputs(self) -> int:
        first = self.spatial if self.spatial is not None else self.convs[0][0]
        return int(first.shape[1])

    @property
    def receptive_field_ms(self) -> int:
        return 1 + sum(int(w.shape[-1]) - 1 for w, _ in self.convs)

    def project(self, channel: np.ndarray, time_ms: np.ndarray, duration_ms: int
                ) -> torch.Tensor:
        """The first layer's input for one simulation's events: the spatial patterns'
        activity (rank, duration_ms), or the dense inputs for a full first layer."""
        if self.spatial is None:
            out = torch.zeros(self.n_inputs, duration_ms)
            out[torch.from_numpy(np.asarray(channel, dtype=np.int64)),
                torch.from_numpy(np.asarray(time_ms, dtype=np.int64))] = 1.0
            return out
        out = torch.zeros(self.spatial.shape[0], duration_ms)
        if len(channel):
            t = torch.from_numpy(np.asarray(time_ms, dtype=np.int64))
            out.index_add_(1, t, self.spatial[:, torch.from_numpy(
                np.asarray(channel, dtype=np.int64))])
        return out

    def heads(self, projected: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(spike logit, voltage in mV), each (batch, time), for projected inputs
        (batch, rank or n_inputs, time); causal, with the inputs before the first bin taken
        as silent (zeros), as the TCN pads its input."""
        h = functional.pad(projected, (self.receptive_field_ms - 1, 0))
        for (w, b), (scale, shift) in zip(self.convs, self.norms, strict=True):
            h = functional.conv1d(h, w, b)
            h = torch.relu(h) * scale[:, None] + shift[:, None]
        logit = torch.einsum("w,bwt->bt", self.spike_head[0], h) + self.spike_head[1]
        volt = (torch.einsum("w,bwt->bt", self.soma_head[0], h) + self.soma_head[1]
                + self.v_offset_mv)
        return logit, volt


def load(path: Path) -> FoundNetwork:
    """Read a network written by :func:`save`."""
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    t = {k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in arrays.items()
         if k not in ("v_offset_mv", "meta_json")}
    depth = 1 + max(int(k.split(".")[1]) for k in t if k.startswith("body.")) // 3
    spatial, convs, norms = None, [], []
    for layer in range(depth):
        conv, norm = f"body.{3 * layer}", f"body.{3 * layer + 2}"
        if layer == 0 and f"{conv}.spatial.weight" in t:
            spatial = t[f"{conv}.spatial.weight"][:, :, 0]
            conv = f"{conv}.temporal"
        convs.append((t[f"{conv}.weight"], t[f"{conv}.bias"]))
        scale = t[f"{norm}.weight"] / torch.sqrt(t[f"{norm}.running_var"] + BN_EPS)
        norms.append((scale, t[f"{norm}.bias"] - t[f"{norm}.running_mean"] * scale))
    return FoundNetwork(
        spatial=spatial, convs=convs, norms=norms,
        spike_head=(t["spike_head.weight"][0, :, 0], t["spike_head.bias"][0]),
        soma_head=(t["soma_head.weight"][0, :, 0], t["soma_head.bias"][0]),
        v_offset_mv=float(arrays["v_offset_mv"]), meta=json.loads(str(arrays["meta_json"])))


@dataclass
class FoundTeacher:
    """A found network with its spike readout set for the target rate."""

    config: FoundConfig
    network: FoundNetwork
    bias: float

    def outputs(self, projected: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(spike probability per 1 ms, voltage in mV), each (batch, time)."""
        logit, volt = self.network.heads(projected)
        return torch.sigmoid(self.config.spike_gain * logit + self.bias), volt


def build(config: FoundConfig, network: FoundNetwork, sites: protocol.InputSites,
          params: protocol.ProtocolParams) -> FoundTeacher:
    """Set the spike readout's bias for ``target_rate_hz`` on the construction simulations
    (the protocol at ``params``' rates, streams seeded by ``config.seed``)."""
    if network.depth != config.depth:
        raise ValueError(f"the network file has {network.depth} layers; "
                         f"[parameters.found] depth says {config.depth}")
    logits = []
    with torch.no_grad():
        for k in range(config.n_construction):
            rng = protocol.input_rng(CONSTRUCTION_DIGEST, config.seed, k)
            spikes = protocol.generate_inputs(sites, params, config.construction_ms, rng)
            proj = network.project(*protocol.to_events(spikes), config.construction_ms)
            logit, _ = network.heads(proj[None])
            logits.append(logit[0, config.skip_ms:])
    bias = construction._bias_for(config.spike_gain * torch.cat(logits).double(),
                                  config.target_rate_hz / 1000.0)
    return FoundTeacher(config, network, bias)
