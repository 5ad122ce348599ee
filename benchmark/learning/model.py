"""Causal temporal convolutional network (TCN) of a given depth.

The network is the plain stack of the reference protocol: ``depth`` causal ``Conv1d`` layers
without dilation or residual connections, each followed by ReLU and then ``BatchNorm1d``, and
two 1x1 convolution heads (spike logit, soma voltage). Time runs in 1 ms bins, so kernel
lengths in bins equal lengths in ms.

Receptive field: ``first_kernel_ms + (depth - 1) * (kernel_ms - 1)`` ms, i.e. ``sum(k - 1) + 1``.

Causality holds in evaluation mode (``model.eval()``). In training mode ``BatchNorm1d``
normalises with statistics of the whole batch, future bins included; that is the standard
training-time behaviour and does not leak the target, but it means the
"output at t depends only on inputs at <= t" guarantee is an evaluation-mode property.

With ``TCNConfig.sparse_input`` the first layer is a
:class:`benchmark.learning.sparse.SparseConv1d`:
the same parameters (and state_dict keys), computed from the input spike events instead of
a dense convolution over every channel and bin; checkpoints load either way.

With ``TCNConfig.spatial_rank`` R the first layer is factorised (:class:`FactorisedConv1d`):
a linear projection of the inputs onto R spatial patterns (a kernel of 1 ms, no bias),
then a causal convolution R -> width over the first kernel. It is one layer (no
nonlinearity between the two), so depth keeps its meaning; its weight is the full layer's
``W[j, c, lag] = sum_r T[j, r, lag] S[r, c]``, of rank at most R over the inputs, with
``n_inputs x R + R x width x first_kernel_ms`` weights instead of
``n_inputs x width x first_kernel_ms``: every lag of a pattern learns from the same
weights. Synapses at one dendritic location share the cable's temporal filtering to the
soma (Rall 1967, J Neurophysiol 30:1138), which is the structure the factorisation assumes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional

from benchmark.learning.sparse import SparseConv1d, SpikeEvents, events_from_dense


@dataclass(frozen=True)
class TCNConfig:
    """Shape of a TCN.

    Attributes:
        n_inputs: input channels (synapses), e.g. 1278 for the reference L5PC.
        depth: number of convolution layers (>= 1).
        width: channels of every hidden layer.
        first_kernel_ms: kernel length of the first layer (ms = 1 ms bins).
        kernel_ms: kernel length of every later layer (ms).
        n_outputs_soma: channels of the voltage head (1 = soma voltage only).
        sparse_input: compute the first layer from the input spike events
            (:mod:`benchmark.learning.sparse`); same parameters and outputs, faster on
            sparse inputs.
        spatial_rank: None for the reference protocol's full first layer; R for a
            factorised first layer (:class:`FactorisedConv1d`: R spatial patterns of the
            inputs, each filtered in time).
    """

    n_inputs: int
    depth: int
    width: int
    first_kernel_ms: int
    kernel_ms: int
    n_outputs_soma: int = 1
    sparse_input: bool = False
    spatial_rank: int | None = None

    def __post_init__(self) -> None:
        for name in ("n_inputs", "depth", "width", "first_kernel_ms", "kernel_ms",
                     "n_outputs_soma"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"TCNConfig.{name} must be a positive integer, got {value!r}")
        if not isinstance(self.sparse_input, bool):
            raise ValueError(f"TCNConfig.sparse_input must be a bool, got {self.sparse_input!r}")
        rank = self.spatial_rank
        if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or rank < 1):
            raise ValueError(f"TCNConfig.spatial_rank must be None or a positive integer, got "
                             f"{rank!r}")

    @property
    def receptive_field_ms(self) -> int:
        """Receptive field in ms (1 ms bins): ``sum(k - 1) + 1`` over the layers."""
        return self.first_kernel_ms + (self.depth - 1) * (self.kernel_ms - 1)

    def to_dict(self) -> dict[str, int | bool | None]:
        """Plain JSON-ready dictionary of the fields (``spatial_rank`` only when set, so the
        configs of full first layers read as before the field existed)."""
        out = asdict(self)
        if self.spatial_rank is None:
            del out["spatial_rank"]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TCNConfig:
        """Inverse of :meth:`to_dict`; unknown keys are an error, a missing ``sparse_input``
        (older files) means False, a missing ``spatial_rank`` a full first layer."""
        known = {"n_inputs", "depth", "width", "first_kernel_ms", "kernel_ms", "n_outputs_soma",
                 "sparse_input", "spatial_rank"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown TCNConfig fields: {sorted(unknown)}")
        return cls(**data)


class FactorisedConv1d(nn.Module):
    """A first layer of rank ``rank`` over the inputs: ``spatial`` (kernel 1, no bias)
    projects the inputs onto ``rank`` patterns, ``temporal`` convolves them over
    ``kernel`` ms into ``width`` channels. Takes what :class:`SparseConv1d` takes (events
    or dense binary input) when ``sparse``, else a dense tensor."""

    def __init__(self, n_inputs: int, rank: int, width: int, kernel: int,
                 sparse: bool) -> None:
        super().__init__()
        self.spatial = (SparseConv1d if sparse else nn.Conv1d)(n_inputs, rank, 1, bias=False)
        self.temporal = nn.Conv1d(rank, width, kernel)

    def forward(self, x: Tensor | SpikeEvents) -> Tensor:
        return self.temporal(self.spatial(x))


def first_layer(config: TCNConfig) -> nn.Module:
    """The first convolution of ``config``: full (dense or sparse) or factorised."""
    c = config
    if c.spatial_rank is not None:
        return FactorisedConv1d(c.n_inputs, c.spatial_rank, c.width, c.first_kernel_ms,
                                c.sparse_input)
    return (SparseConv1d if c.sparse_input else nn.Conv1d)(c.n_inputs, c.width,
                                                            c.first_kernel_ms)


class TCN(nn.Module):
    """Plain causal TCN: ``depth`` x (Conv1d -> ReLU -> BatchNorm1d), then two 1x1 heads."""

    def __init__(self, config: TCNConfig) -> None:
        super().__init__()
        self.config = config
        layers: list[nn.Module] = []
        for i in range(config.depth):
            layers += [
                first_layer(config) if i == 0 else nn.Conv1d(config.width, config.width,
                                                             config.kernel_ms),
                nn.ReLU(),
                nn.BatchNorm1d(config.width),
            ]
        self.body = nn.Sequential(*layers)
        self.spike_head = nn.Conv1d(config.width, 1, 1)
        self.soma_head = nn.Conv1d(config.width, config.n_outputs_soma, 1)

    @property
    def receptive_field_ms(self) -> int:
        """Receptive field in ms (see :attr:`TCNConfig.receptive_field_ms`)."""
        return self.config.receptive_field_ms

    def forward(self, x: Tensor | SpikeEvents,
                causal_pad: bool = True) -> tuple[Tensor, Tensor]:
        """Predict spike logits and soma voltage.

        Args:
            x: input of shape (batch, n_inputs, time), time in 1 ms bins, or the same input
                as :class:`~benchmark.learning.sparse.SpikeEvents` (``length`` = time). With
                ``sparse_input`` a dense input must be binary; it is turned into events.
            causal_pad: left-pad the input with ``receptive_field_ms - 1`` zeros so the output
                has the input's length and output bin t sees inputs at bins <= t only.
                Without padding only fully supported outputs are returned:
                ``time' = time - receptive_field_ms + 1``.

        Returns:
            (spike_logit, soma): spike logits (batch, time') before the sigmoid, and the soma
            voltage head (batch, time') in target units (mV, see ``metrics.voltage_target``);
            with ``n_outputs_soma > 1`` the voltage head is (batch, n_outputs_soma, time').
        """
        shape = ((x.batch_size, x.n_inputs, x.length) if isinstance(x, SpikeEvents)
                 else tuple(x.shape))
        if len(shape) != 3 or shape[1] != self.config.n_inputs:
            raise ValueError(f"expected input (batch, {self.config.n_inputs}, time), got {shape}")
        if not causal_pad and shape[2] < self.receptive_field_ms:
            raise ValueError(
                f"input of {shape[2]} ms is shorter than the receptive field "
                f"({self.receptive_field_ms} ms); use causal_pad=True"
            )
        pad = self.receptive_field_ms - 1 if causal_pad else 0
        if self.config.sparse_input:  # the first layer takes the events
            events = x if isinstance(x, SpikeEvents) else events_from_dense(x)
            hidden = self.body(events.padded(pad))
        else:
            dense = x.to_dense() if isinstance(x, SpikeEvents) else x
            hidden = self.body(functional.pad(dense, (pad, 0)) if pad else dense)
        spike_logit = self.spike_head(hidden)[:, 0, :]
        soma = self.soma_head(hidden)
        if self.config.n_outputs_soma == 1:
            soma = soma[:, 0, :]
        return spike_logit, soma

    def parameter_count(self) -> int:
        """Number of trainable parameters (BatchNorm affine weights included)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)


def expected_parameter_count(config: TCNConfig) -> int:
    """Closed-form parameter count of :class:`TCN` for ``config``.

    First conv ``n_inputs * width * k1 + width`` (factorised with rank R:
    ``n_inputs * R + R * width * k1 + width``); each later conv ``width^2 * k + width``;
    each BatchNorm ``2 * width``; heads ``(width + 1) * (1 + n_outputs_soma)``.
    """
    c = config
    first = (c.n_inputs * c.width * c.first_kernel_ms if c.spatial_rank is None else
             c.n_inputs * c.spatial_rank + c.spatial_rank * c.width * c.first_kernel_ms) + c.width
    later = (c.depth - 1) * (c.width * c.width * c.kernel_ms + c.width)
    norms = c.depth * 2 * c.width
    heads = (c.width + 1) * (1 + c.n_outputs_soma)
    return first + later + norms + heads


def init_seeded(config: TCNConfig, seed: int) -> TCN:
    """Build a :class:`TCN` whose initial weights depend only on ``config`` and ``seed``.

    Uses PyTorch's default layer initialisation drawn from a forked CPU random state, so the
    caller's global random state is left untouched.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return TCN(config)
