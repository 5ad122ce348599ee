"""The teacher network: a fixed causal network of known depth, built from its seed.

The construction is a dendritic hierarchy. A neuron's thin branches turn coincident
synaptic input into local regenerative events (NMDA spikes; Schiller et al. 2000, Nature
404:285; Polsky, Mel & Schiller 2004, Nat Neurosci 7:621), and a two-layer model of
rectified dendritic subunits summed at the soma predicts a pyramidal cell's rate (Poirazi,
Brannon & Mel 2003, Neuron 37:989). A teacher of depth k stacks k such layers of threshold
units, each integrating the previous layer's events over a few ms, and its spike readout
sums the last layer. ``TeacherConfig`` holds the settings; every random number comes from
one ``torch.Generator`` seeded with ``seed``, drawn in the order below, so the weights are a
function of the config.

1. **Layer 1, branches.** The inputs of each kind, in channel order (the layout's segment
   order: basal then apical, along each section), are split into ``width`` contiguous
   groups, one per unit, so that a unit integrates one stretch of dendrite. ``A`` (width x
   n_inputs) gives a unit's excitatory inputs weight ``1 + weight_jitter x N(0, 1)`` and its
   inhibitory ones ``-inh_ratio x (1 + weight_jitter x N(0, 1))``, every other input 0. The
   unit's drive is ``A @ x`` filtered by a causal exponential kernel ``exp(-t / tau_ms)``,
   t = 0 .. ``kernel1_ms - 1`` ms (one kernel shared by the units). The kernel is slow (10
   ms by default), as an NMDA receptor's current is (decay tens of ms; Jahr & Stevens
   1990, J Neurosci 10:3178): a unit sums many input events. A 2 ms kernel, an earlier
   choice, made units that each saw about one input event, which the quick profile's
   students did not learn from hundreds of simulations even at depth 1. With
   ``tau_spread`` > 1 the units' decays differ (geometric in the unit's place along the
   dendrite, see :meth:`TeacherConfig.taus_ms`), as distal inputs reach the soma slower
   than proximal ones (Rall 1967, J Neurophysiol 30:1138).
   With ``kernel1_balance`` b > 0 a slower negative lobe is subtracted from the kernel,
   ``exp(-t / tau) - c exp(-t / tau_slow)`` with c such that the lobe's sum is b times
   the positive part's: at b = 1 the kernel sums to zero, and a unit's drive follows the
   changes of its inputs' rates, not their level, as a pyramidal cell under feedforward
   inhibition, which arrives a few ms after the excitation it cancels, responds to the
   onsets of its input more than to its steady level (Pouille & Scanziani 2001, Science
   293:1159).
2. **Layers 2 .. depth.** A causal convolution width -> width with kernel ``kernel_ms`` ms
   and non-negative weights: unit i listens to unit j of the layer below with probability
   ``connect_p`` (a ``U(0, 1)`` draw per pair below ``connect_p``) and always to unit i,
   each connection with its own kernel of ``U(0, 1)`` weights per ms lag. The drawn order
   per layer: the kernels (width x width x kernel_ms), then the connection draws (width x
   width). With ``deep_kernel_balance`` b > 0 each kernel loses b times its mean over lags
   (at b = 1 it sums to zero: its weights take both signs, and the unit follows changes in
   the activity of the layer below, not its level).
3. **After every layer: standardise, threshold, saturate.** Each unit is standardised by
   its mean and standard deviation over the construction simulations (below) and passed
   through ``min(relu(z - threshold_sd), saturation_sd)`` (layers 2 .. depth may have
   their own levels, ``deep_threshold_sd`` and ``deep_saturation_sd``): silent until its
   input is ``threshold_sd`` standard deviations above its mean, then growing with it, up
   to a plateau, as a branch's NMDA spike saturates (Major, Larkum & Schiller 2013, Annu Rev
   Neurosci 36:1). The plateau keeps the output rate a smooth function of the input rates
   (without it, rare runs of extreme input carry most output spikes and a rate cannot be
   calibrated), unless the kernels are balanced (``kernel1_balance`` and
   ``deep_kernel_balance`` 1): units that follow changes, not levels, spread the output
   over the simulations without a plateau (``saturation_sd`` 100, never reached), and each
   unit is then one rectified linear filter of the layer below, as in a ReLU student.
   Composing such units with temporal integration in between is what a
   shallower network of the same width cannot do: a layer-2 unit sums its inputs' events
   at several lags (``kernel_ms``), and one ReLU layer would need units per lag and input
   unit to mimic it. A network of ReLU units represents each unit with two
   (``relu(a) - relu(a - saturation_sd)``), so a student of the teacher's depth and twice
   its width can represent it exactly.
4. **Heads.** The spike logit is ``gain x (S - mean_S) / sd_S + b``, with ``S`` the sum
   of the last layer's units (weighted by :meth:`TeacherConfig.readout_weights` when
   ``readout_spread`` > 1: proximal units weigh more, as distal input is attenuated on its
   way to the soma) and ``b`` set so that the mean spike probability over the
   construction simulations equals ``target_rate_hz`` per second (bisection on the mean of
   ``sigmoid``). The voltage is ``v_rest_mv + v_scale_mv x (S - mean_S) / sd_S`` (mV): it
   follows the drive the spikes are made from, linearly, as a soma's voltage follows the
   dendritic currents that make it fire. A student's voltage loss therefore teaches it the
   teacher's deep function at every 1 ms, as a neuron's voltage does (a voltage of the
   summed synaptic drive alone, a first try, taught a depth-1 function and held every
   student's spike AUC near 0.9 whatever its depth). The voltage is linear, not
   saturating, so that it keeps the readout's large values, where the spikes are.

The standardisation statistics and ``b`` come from ``n_construction`` simulations of
``construction_ms`` ms each, drawn by the common protocol at the teacher's input rates on
its layout, with the input streams of a fixed construction digest: they are measured, not
drawn, and so are not part of the weights hash (:func:`weights_digest`, over the drawn
weights only), which a teacher's cell.toml pins.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch.nn import functional

from benchmark.simulation import protocol

CONSTRUCTION_DIGEST = "teacher-construction"
CONSTRUCTION = "dendritic-hierarchy-3"
"""Names the construction's code in the weights hash: change it with the construction."""
BIAS_RANGE = 1000.0  # the logit bias is searched in [-BIAS_RANGE, BIAS_RANGE]


@dataclass(frozen=True)
class TeacherConfig:
    """Shape and construction of a teacher network (units in the names).

    Attributes:
        depth: layers of threshold units (>= 1): the teacher's known depth.
        width: units per layer.
        seed: seed of every drawn weight.
        tau_ms: decay of the first layer's exponential kernel (ms).
        kernel1_ms: length of that kernel (ms).
        kernel_ms: kernel of layers 2 .. depth (ms).
        threshold_sd: a unit's threshold above its mean (standard deviations).
        saturation_sd: a unit's plateau above its threshold (standard deviations).
        connect_p: probability that a unit listens to a given other unit of the layer below.
        weight_jitter: relative spread of the first layer's weights around +-1.
        inh_ratio: scale of inhibitory weights relative to excitatory ones.
        gain: slope of the spike logit on the standardised readout (1 / standard deviations).
        target_rate_hz: mean output rate the logit's bias is set to (Hz).
        v_rest_mv: the voltage head's level at the readout's mean (mV).
        v_scale_mv: the voltage head's slope (mV per standard deviation of the readout).
        tau_spread: ratio of the slowest first-layer unit's kernel decay to the fastest's
            (1: every unit decays with ``tau_ms``).
        readout_spread: ratio of the strongest last-layer unit's weight in the readout to
            the weakest's (1: the readout is the units' plain sum).
        deep_threshold_sd, deep_saturation_sd: the threshold and plateau of layers 2 ..
            depth (standard deviations); None: ``threshold_sd`` and ``saturation_sd``, as
            in layer 1.
        kernel1_balance: share of the first layer's kernel area cancelled by a slower
            negative lobe (0: the plain exponential; 1: a kernel of zero sum, which passes
            the changes of a unit's input rate and not its level), see
            :meth:`TeacherConfig.kernel1`.
        tau_slow_ms: decay of that negative lobe (ms; scaled along the dendrite as
            ``tau_ms`` is); must exceed ``tau_ms``.
        deep_kernel_balance: share of its mean over lags subtracted from each kernel of
            layers 2 .. depth (0: non-negative kernels; 1: kernels of zero sum, so that a
            unit follows changes in the activity of the layer below, not its level).
        n_construction, construction_ms, skip_ms: the construction simulations, their
            length and the initial ms left out of the statistics.
    """

    depth: int
    width: int = 8
    seed: int = 0
    tau_ms: float = 10.0
    kernel1_ms: int = 50
    kernel_ms: int = 11
    threshold_sd: float = 1.0
    saturation_sd: float = 2.0
    connect_p: float = 0.5
    weight_jitter: float = 0.2
    inh_ratio: float = 1.0
    gain: float = 12.0
    target_rate_hz: float = 1.0
    v_rest_mv: float = -70.0
    v_scale_mv: float = 2.0
    tau_spread: float = 1.0
    readout_spread: float = 1.0
    deep_threshold_sd: float | None = None
    deep_saturation_sd: float | None = None
    kernel1_balance: float = 0.0
    tau_slow_ms: float = 15.0
    deep_kernel_balance: float = 0.0
    n_construction: int = 32
    construction_ms: int = 3000
    skip_ms: int = 300

    def __post_init__(self) -> None:
        for name in ("depth", "width", "kernel1_ms", "kernel_ms", "n_construction",
                     "construction_ms"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"teacher {name} must be a positive integer, got {value!r}")
        if not 0.0 <= self.connect_p <= 1.0:
            raise ValueError(f"teacher connect_p must be in [0, 1], got {self.connect_p!r}")
        if self.weight_jitter < 0:
            raise ValueError(f"teacher weight_jitter must be >= 0, got {self.weight_jitter!r}")
        for name in ("saturation_sd", "deep_saturation_sd"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"teacher {name} must be > 0, got {value!r}")
        if not self.tau_ms > 0:
            raise ValueError(f"teacher tau_ms must be > 0, got {self.tau_ms!r}")
        for name in ("tau_spread", "readout_spread"):
            if not getattr(self, name) >= 1.0:
                raise ValueError(f"teacher {name} must be >= 1, got {getattr(self, name)!r}")
        if not 0.0 <= self.kernel1_balance <= 1.0:
            raise ValueError(
                f"teacher kernel1_balance must be in [0, 1], got {self.kernel1_balance!r}")
        if not 0.0 <= self.deep_kernel_balance <= 1.0:
            raise ValueError("teacher deep_kernel_balance must be in [0, 1], got "
                             f"{self.deep_kernel_balance!r}")
        if self.kernel1_balance > 0 and not self.tau_slow_ms > self.tau_ms:
            raise ValueError(f"teacher tau_slow_ms ({self.tau_slow_ms!r}) must exceed "
                             f"tau_ms ({self.tau_ms!r})")
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

    def positions(self) -> np.ndarray:
        """Each unit's place in ``[-1/2, 1/2]``, in unit order (the first layer's: along the
        dendrite, basal first): unit i of w at ``i / (w - 1) - 1/2`` (0 for one unit)."""
        w = self.width
        return np.arange(w) / (w - 1) - 0.5 if w > 1 else np.zeros(1)

    def taus_ms(self) -> np.ndarray:
        """The first layer's kernel decay per unit (ms): ``tau_ms x tau_spread ** p`` at the
        unit's position p, geometric mean ``tau_ms``."""
        return self.tau_ms * self.tau_spread ** self.positions()

    def kernel1(self) -> np.ndarray:
        """The first layer's kernel per unit, (width, kernel1_ms), index 0 = the longest
        lag: ``exp(-t / tau) - c exp(-t / tau_slow)`` at lag t ms, with ``tau`` from
        :meth:`taus_ms`, ``tau_slow`` = ``tau_slow_ms`` scaled alike, and c such that the
        negative lobe's sum over the kernel is ``kernel1_balance`` times the positive one's."""
        lags = np.arange(self.kernel1_ms - 1, -1, -1, dtype=np.float64)[None, :]
        taus = self.taus_ms()[:, None]
        fast = np.exp(-lags / taus)
        if self.kernel1_balance == 0:
            return fast
        slow = np.exp(-lags / (taus * (self.tau_slow_ms / self.tau_ms)))
        scale = self.kernel1_balance * fast.sum(axis=1, keepdims=True) / slow.sum(
            axis=1, keepdims=True)
        return fast - scale * slow

    def readout_weights(self) -> np.ndarray:
        """The last layer's weight per unit in the readout: ``readout_spread ** -p`` at the
        unit's position p (geometric mean 1)."""
        return self.readout_spread ** -self.positions()

    def levels(self, layer: int) -> tuple[float, float]:
        """(threshold, plateau) of layer ``layer`` (0 = the first), standard deviations."""
        if layer == 0:
            return self.threshold_sd, self.saturation_sd
        return (self.threshold_sd if self.deep_threshold_sd is None else self.deep_threshold_sd,
                self.saturation_sd if self.deep_saturation_sd is None
                else self.deep_saturation_sd)

    def hashed_fields(self) -> list[tuple[str, Any]]:
        """The settings the weights hash covers: every field, the spreads only when they
        are not 1 and the deep layers' levels only when set (so that teachers made before
        those fields keep their hash)."""
        return [(k, v) for k, v in sorted(asdict(self).items())
                if not (k in ("tau_spread", "readout_spread") and v == 1.0)
                and not (k in ("deep_threshold_sd", "deep_saturation_sd") and v is None)
                and not (k in ("kernel1_balance", "tau_slow_ms")
                         and self.kernel1_balance == 0.0)
                and not (k == "deep_kernel_balance" and v == 0.0)]


@dataclass
class Weights:
    """The drawn weights of a teacher (float32 tensors)."""

    input_weights: torch.Tensor  # (width, n_inputs)
    kernel1: torch.Tensor  # (width, kernel1_ms), index 0 = lag kernel1_ms - 1
    mixing: list[torch.Tensor]  # depth - 1 x (width, width, kernel_ms), non-negative
    readout: torch.Tensor  # (width,), the last layer's weights in the readout


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
    kernel1 = torch.from_numpy(config.kernel1()).float()
    mixing = []
    for _ in range(config.depth - 1):
        kernels = torch.rand(w, w, config.kernel_ms, generator=g, dtype=torch.float64)
        listens = torch.rand(w, w, generator=g, dtype=torch.float64) < config.connect_p
        listens |= torch.eye(w, dtype=torch.bool)
        kernels = kernels - config.deep_kernel_balance * kernels.mean(dim=2, keepdim=True)
        mixing.append((kernels * listens[..., None]).float())
    readout = torch.from_numpy(config.readout_weights()).float()
    return Weights(input_weights, kernel1, mixing, readout)


def weights_digest(config: TeacherConfig, weights: Weights) -> str:
    """sha256 over :data:`CONSTRUCTION`, the config and every drawn weight's float32
    bytes, in order."""
    h = hashlib.sha256((CONSTRUCTION + repr(config.hashed_fields())).encode())
    uniform = config.tau_spread == 1.0 and config.readout_spread == 1.0
    kernel1 = weights.kernel1[0] if uniform else weights.kernel1  # as hashed before spreads
    for t in (weights.input_weights, kernel1, *weights.mixing):
        h.update(t.contiguous().numpy().tobytes())
    if not uniform:
        h.update(weights.readout.contiguous().numpy().tobytes())
    return h.hexdigest()


@dataclass
class Teacher:
    """A built teacher: config, weights, and the measured standardisation and bias."""

    config: TeacherConfig
    weights: Weights
    means: list[torch.Tensor]  # per layer, (width,)
    stds: list[torch.Tensor]  # per layer, (width,)
    bias: float
    readout_mean: float = 0.0
    readout_sd: float = 1.0

    def synaptic(self, drive: torch.Tensor) -> torch.Tensor:
        """The first layer's drives ``A @ x`` filtered by its causal exponential kernel."""
        c, w = self.config, self.weights
        return functional.conv1d(functional.pad(drive, (c.kernel1_ms - 1, 0)),
                                 w.kernel1[:, None, :].contiguous(), groups=c.width)

    def layer_input(self, below: torch.Tensor, layer: int) -> torch.Tensor:
        """Layer ``layer``'s units before standardisation: the filtered drives ``A @ x``
        (layer 0, ``below`` the drives) or the causal convolution of the units below."""
        c, w = self.config, self.weights
        if layer == 0:
            return self.synaptic(below)
        return functional.conv1d(functional.pad(below, (c.kernel_ms - 1, 0)),
                                 w.mixing[layer - 1])

    def standardise(self, pre: torch.Tensor, layer: int) -> torch.Tensor:
        """Layer ``layer``'s inputs in standard deviations from their construction mean."""
        return (pre - self.means[layer][:, None]) / self.stds[layer][:, None]

    def activate(self, pre: torch.Tensor, layer: int) -> torch.Tensor:
        """Standardise layer ``layer``'s inputs, threshold and saturate them."""
        threshold, plateau = self.config.levels(layer)
        return (self.standardise(pre, layer) - threshold).clamp(0.0, plateau)

    def hidden(self, drive: torch.Tensor, layers: int | None = None) -> torch.Tensor:
        """The units (thresholded, saturating) of the last layer (or of ``layers`` layers) for
        first-layer drives ``A @ x`` of shape (batch, width, time)."""
        x = drive
        for i in range(layers or self.config.depth):
            x = self.activate(self.layer_input(x, i), i)
        return x

    def summed(self, units: torch.Tensor) -> torch.Tensor:
        """The last layer's units (batch, width, time) weighted by the readout weights and
        summed: (batch, time), before standardisation."""
        return torch.einsum("w,bwt->bt", self.weights.readout, units)

    def outputs(self, drive: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(spike probability per 1 ms, voltage in mV), each (batch, time)."""
        c = self.config
        readout = (self.summed(self.hidden(drive)) - self.readout_mean) / self.readout_sd
        prob = torch.sigmoid(c.gain * readout + self.bias)
        volt = c.v_rest_mv + c.v_scale_mv * readout
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
    skip = config.skip_ms
    with torch.no_grad():
        drives = construction_drives(config, weights, sites, params)
        units = drives
        for layer in range(config.depth):  # one pass: each layer measured, then applied
            pre = teacher.layer_input(units, layer)
            kept = pre[..., skip:]
            teacher.means.append(kept.mean(dim=(0, 2)))
            teacher.stds.append(kept.std(dim=(0, 2)).clamp_min(1e-6).float())
            units = teacher.activate(pre, layer)
        summed = teacher.summed(units)[..., skip:]
        teacher.readout_mean = float(summed.mean())
        teacher.readout_sd = float(summed.std().clamp_min(1e-6))
        logit = config.gain * (summed - teacher.readout_mean) / teacher.readout_sd
        teacher.bias = _bias_for(logit.double(), config.target_rate_hz / 1000.0)
    return teacher


def _bias_for(logit: torch.Tensor, p_target: float) -> float:
    """The bias b with mean(sigmoid(logit + b)) = p_target (bisection, 80 steps)."""
    lo, hi = -BIAS_RANGE, BIAS_RANGE
    for _ in range(80):
        mid = (lo + hi) / 2
        if torch.sigmoid(logit + mid).mean().item() > p_target:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2
