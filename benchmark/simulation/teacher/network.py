"""The teacher network: a fixed causal network of known depth, built from its seed.

Construction (``TeacherConfig``; every random number from one ``torch.Generator`` seeded
with ``seed``, drawn in the order below, so the weights are a function of the config):

1. **Layer 1, dendritic subunits.** The inputs of each kind, in channel order (the layout's
   segment order: basal then apical, along each section), are split into ``width``
   contiguous groups, one per unit, so that a unit integrates one stretch of dendrite, as
   a two-layer model of a neuron's dendrites does (Poirazi, Brannon & Mel 2003, Neuron
   37:989). ``A`` (width x n_inputs) gives a unit's excitatory inputs weight
   ``1 + weight_jitter x N(0, 1)`` and its inhibitory ones ``-inh_ratio x (1 +
   weight_jitter x N(0, 1))``, every other input 0. The unit's drive is ``A @ x`` filtered
   by a causal exponential kernel ``exp(-t / tau_ms)``, t = 0 .. ``kernel1_ms - 1`` ms (one
   kernel shared by the units): a separable causal convolution, as a synapse's current
   decays.
2. **Layers 2 .. depth, mixing.** A causal convolution width -> width with kernel
   ``kernel_ms`` ms, weights ``N(0, 1) / sqrt(width x kernel_ms)``.
3. **After every layer: standardise, then fold.** Each unit is standardised by its mean and
   standard deviation over the construction simulations (below), then passed through the
   fold ``phi(z) = |z| - sqrt(2 / pi)``: a non-monotonic nonlinearity (two ReLUs, ``relu(z) +
   relu(-z)``), so each further layer folds the previous layer's space again. Composing
   folds is the classic way a deep network makes functions that shallow ones need far
   more units for (Telgarsky 2016, COLT, "Benefits of depth in neural networks").
4. **Heads.** The spike logit is ``gain x (r . h) / sd_r + b`` and the voltage
   ``v_rest_mv + v_scale_mv x tanh((s . h) / sd_s)``, with ``r`` and ``s`` random unit vectors
   over the last layer's folded units ``h`` and ``sd_r``, ``sd_s`` the readouts' standard
   deviations over the construction simulations. With ``monotone_share`` m > 0 the spike
   readout is ``(1 - m) x (r . h) / sd_r + m x M``, where ``M`` is the standardised sum of
   the first layer's rectified subunits, ``sum_u relu(z_u)``: a part that rises with every
   subunit's excitation, as a neuron's output does, and that one layer represents. ``b`` is
   set so that the mean spike
   probability over the construction simulations equals ``target_rate_hz`` per second
   (bisection on the mean of ``sigmoid``).

The standardisation statistics and ``b`` come from ``n_construction`` simulations of
``construction_ms`` ms each, drawn by the common protocol at the teacher's input rates on its
layout, with the input streams of a fixed construction digest: they are measured, not
drawn, and so are not part of the weights hash (:func:`weights_digest`, over the drawn
weights only), which a teacher's cell.toml pins.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch.nn import functional

from benchmark.simulation import protocol

CONSTRUCTION_DIGEST = "teacher-construction"
FOLD_MEAN = math.sqrt(2.0 / math.pi)  # E|z| for z ~ N(0, 1)
FOLD_CAP = 3.0  # standard deviations: |z| is capped here


@dataclass(frozen=True)
class TeacherConfig:
    """Shape and construction of a teacher network (units in the names).

    Attributes:
        depth: layers (>= 1): the teacher's known depth.
        width: units per layer.
        seed: seed of every drawn weight.
        tau_ms: decay of the first layer's exponential kernel (ms).
        kernel1_ms: length of that kernel (ms).
        kernel_ms: kernel of layers 2 .. depth (ms).
        weight_jitter: relative spread of the first layer's weights around +-1.
        inh_ratio: scale of inhibitory weights relative to excitatory ones.
        gain: slope of the spike logit on the readout (1 / standard deviations).
        monotone_share: share of the spike readout carried by the first layer's summed
            rectified subunits (0: the folded last layer alone).
        target_rate_hz: mean output rate the logit's bias is set to (Hz).
        v_rest_mv, v_scale_mv: the voltage head's offset and range (mV).
        n_construction, construction_ms, skip_ms: the construction simulations, their
            length and the initial ms left out of the statistics.
    """

    depth: int
    width: int = 16
    seed: int = 0
    tau_ms: float = 5.0
    kernel1_ms: int = 30
    kernel_ms: int = 5
    weight_jitter: float = 0.2
    inh_ratio: float = 1.0
    gain: float = 12.0
    monotone_share: float = 0.0
    target_rate_hz: float = 1.0
    v_rest_mv: float = -70.0
    v_scale_mv: float = 10.0
    n_construction: int = 32
    construction_ms: int = 3000
    skip_ms: int = 300

    def __post_init__(self) -> None:
        for name in ("depth", "width", "kernel1_ms", "kernel_ms", "n_construction",
                     "construction_ms"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"teacher {name} must be a positive integer, got {value!r}")
        if not 0.0 <= self.monotone_share <= 1.0:
            raise ValueError(f"teacher monotone_share must be in [0, 1], got "
                             f"{self.monotone_share!r}")
        if self.weight_jitter < 0:
            raise ValueError(f"teacher weight_jitter must be >= 0, got {self.weight_jitter!r}")
        if self.construction_ms <= self.skip_ms:
            raise ValueError("teacher construction_ms must exceed skip_ms")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TeacherConfig:
        """From a cell.toml ``[parameters.teacher]`` table (unknown keys are an error)."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown teacher parameters {unknown}; known: {sorted(known)}")
        return cls(**data)

    @property
    def receptive_field_ms(self) -> int:
        """Inputs at t - receptive_field_ms + 1 .. t reach the output at t (ms)."""
        return self.kernel1_ms + (self.depth - 1) * (self.kernel_ms - 1)


@dataclass
class Weights:
    """The drawn weights of a teacher (float32 tensors)."""

    input_weights: torch.Tensor  # (width, n_inputs)
    kernel1: torch.Tensor  # (kernel1_ms,), index 0 = lag kernel1_ms - 1
    mixing: list[torch.Tensor]  # depth - 1 x (width, width, kernel_ms)
    spike_readout: torch.Tensor  # (width,), unit norm
    voltage_readout: torch.Tensor  # (width,), unit norm


def draw_weights(config: TeacherConfig, kinds: np.ndarray) -> Weights:
    """The weights of ``config`` for inputs of the given kinds ("exc" / "inh")."""
    g = torch.Generator().manual_seed(config.seed)
    kinds = np.asarray(kinds)
    n, w = len(kinds), config.width
    sign = torch.from_numpy(np.where(kinds == "inh", -config.inh_ratio, 1.0))
    group = np.zeros(n, dtype=np.int64)
    for kind in ("exc", "inh"):
        where = np.flatnonzero(kinds == kind)
        group[where] = np.arange(len(where)) * w // max(len(where), 1)
    member = torch.zeros(w, n, dtype=torch.float64)
    member[torch.from_numpy(group), torch.arange(n)] = 1.0
    jitter = 1.0 + config.weight_jitter * torch.randn(w, n, generator=g, dtype=torch.float64)
    input_weights = (member * jitter * sign).float()
    lags = torch.arange(config.kernel1_ms - 1, -1, -1, dtype=torch.float64)
    kernel1 = torch.exp(-lags / config.tau_ms).float()
    mixing = [(torch.randn(w, w, config.kernel_ms, generator=g, dtype=torch.float64)
               / math.sqrt(w * config.kernel_ms)).float() for _ in range(config.depth - 1)]
    spike = torch.randn(w, generator=g, dtype=torch.float64)
    volt = torch.randn(w, generator=g, dtype=torch.float64)
    return Weights(input_weights, kernel1, mixing, (spike / spike.norm()).float(),
                   (volt / volt.norm()).float())


def weights_digest(config: TeacherConfig, weights: Weights) -> str:
    """sha256 over the config (JSON) and every drawn weight's float32 bytes, in order."""
    h = hashlib.sha256(repr(sorted(asdict(config).items())).encode())
    for t in (weights.input_weights, weights.kernel1, *weights.mixing,
              weights.spike_readout, weights.voltage_readout):
        h.update(t.contiguous().numpy().tobytes())
    return h.hexdigest()


@dataclass
class Teacher:
    """A built teacher: config, weights, and the measured standardisation and bias."""

    config: TeacherConfig
    weights: Weights
    means: list[torch.Tensor]  # per layer, (width,)
    stds: list[torch.Tensor]  # per layer, (width,)
    bias: float
    spike_sd: float = 1.0
    voltage_sd: float = 1.0
    monotone_mean: float = 0.0
    monotone_sd: float = 1.0

    def synaptic(self, drive: torch.Tensor) -> torch.Tensor:
        """The first layer's drives ``A @ x`` filtered by its causal exponential kernel."""
        c, w = self.config, self.weights
        return functional.conv1d(functional.pad(drive, (c.kernel1_ms - 1, 0)),
                                 w.kernel1.expand(c.width, 1, -1).contiguous(), groups=c.width)

    def hidden(self, drive: torch.Tensor, layers: int | None = None) -> torch.Tensor:
        """The standardised, folded units of the last layer (or of ``layers`` layers) for
        first-layer drives ``A @ x`` of shape (batch, width, time)."""
        c, w = self.config, self.weights
        x = self.synaptic(drive)
        for i in range(layers or c.depth):
            if i > 0:
                x = functional.conv1d(functional.pad(x, (c.kernel_ms - 1, 0)), w.mixing[i - 1])
            if i < len(self.means):
                x = (x - self.means[i][:, None]) / self.stds[i][:, None]
            x = x.abs().clamp_max(FOLD_CAP) - FOLD_MEAN
        return x

    def monotone(self, drive: torch.Tensor) -> torch.Tensor:
        """The summed rectified first-layer subunits, ``sum_u relu(z_u)``: (batch, time)."""
        z = self.synaptic(drive)
        z = (z - self.means[0][:, None]) / self.stds[0][:, None]
        return torch.relu(z).sum(dim=1)

    def outputs(self, drive: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(spike probability per 1 ms, voltage in mV), each (batch, time)."""
        h = self.hidden(drive)
        c, w = self.config, self.weights
        readout = torch.einsum("u,but->bt", w.spike_readout, h) / self.spike_sd
        if c.monotone_share > 0:
            mono = (self.monotone(drive) - self.monotone_mean) / self.monotone_sd
            readout = (1.0 - c.monotone_share) * readout + c.monotone_share * mono
        prob = torch.sigmoid(c.gain * readout + self.bias)
        volt = c.v_rest_mv + c.v_scale_mv * torch.tanh(
            torch.einsum("u,but->bt", w.voltage_readout, h) / self.voltage_sd)
        return prob, volt


def drive_of(weights: Weights, channel: np.ndarray, time_ms: np.ndarray,
             duration_ms: int) -> torch.Tensor:
    """``A @ x`` for one simulation's input events: (width, duration_ms)."""
    width = weights.input_weights.shape[0]
    out = torch.zeros(width, duration_ms)
    if len(channel):
        t = torch.from_numpy(np.asarray(time_ms, dtype=np.int64))
        out.index_add_(1, t, weights.input_weights[:, torch.from_numpy(
            np.asarray(channel, dtype=np.int64))])
    return out


def construction_drives(config: TeacherConfig, weights: Weights, sites: protocol.InputSites,
                        params: protocol.ProtocolParams) -> torch.Tensor:
    """First-layer drives of the construction simulations: (n, width, construction_ms)."""
    drives = []
    for k in range(config.n_construction):
        rng = protocol.input_rng(CONSTRUCTION_DIGEST, config.seed, k)
        spikes = protocol.generate_inputs(sites, params, config.construction_ms, rng)
        drives.append(drive_of(weights, *protocol.to_events(spikes), config.construction_ms))
    return torch.stack(drives)


def build(config: TeacherConfig, sites: protocol.InputSites,
          params: protocol.ProtocolParams) -> Teacher:
    """Draw the weights, then measure each layer's statistics and the logit's bias on the
    construction simulations (see the module docstring)."""
    weights = draw_weights(config, sites.kind)
    teacher = Teacher(config, weights, [], [], 0.0)
    with torch.no_grad():
        drives = construction_drives(config, weights, sites, params)
        for layer in range(config.depth):
            pre = _pre_activation(teacher, drives, layer)[..., config.skip_ms:]
            teacher.means.append(pre.mean(dim=(0, 2)))
            teacher.stds.append(pre.std(dim=(0, 2)).clamp_min(1e-6).float())
        h = teacher.hidden(drives)[..., config.skip_ms:]
        spike = torch.einsum("u,but->bt", weights.spike_readout, h)
        teacher.spike_sd = float(spike.std().clamp_min(1e-6))
        teacher.voltage_sd = float(torch.einsum("u,but->bt", weights.voltage_readout, h)
                                   .std().clamp_min(1e-6))
        readout = spike / teacher.spike_sd
        if config.monotone_share > 0:
            mono = teacher.monotone(drives)[..., config.skip_ms:]
            teacher.monotone_mean = float(mono.mean())
            teacher.monotone_sd = float(mono.std().clamp_min(1e-6))
            readout = ((1.0 - config.monotone_share) * readout + config.monotone_share
                       * (mono - teacher.monotone_mean) / teacher.monotone_sd)
        logit = config.gain * readout
        teacher.bias = _bias_for(logit.double(), config.target_rate_hz / 1000.0)
    return teacher


def _pre_activation(teacher: Teacher, drives: torch.Tensor, layer: int) -> torch.Tensor:
    """Layer ``layer``'s units before standardisation (earlier layers standardised)."""
    c, w = teacher.config, teacher.weights
    if layer == 0:
        return teacher.synaptic(drives)
    prev = teacher.hidden(drives, layer)
    return functional.conv1d(functional.pad(prev, (c.kernel_ms - 1, 0)), w.mixing[layer - 1])


def _bias_for(logit: torch.Tensor, p_target: float) -> float:
    """The bias b with mean(sigmoid(logit + b)) = p_target (bisection, 60 steps)."""
    lo, hi = -60.0, 60.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if torch.sigmoid(logit + mid).mean().item() > p_target:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2
