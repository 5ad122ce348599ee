"""Sparse-input first layer: a causal ``Conv1d`` computed from input spike events.

Only about 1-2% of the (input, 1 ms bin) cells hold a spike, so the dense first convolution
mostly multiplies zeros. Here output bin ``t`` of example ``b`` is ``bias + sum W[:, c, k]``
over the events ``(b, c, t + k)``, ``0 <= k < kernel``: the valid (unpadded)
cross-correlation of ``nn.Conv1d``. Causal padding shifts the event times
(:meth:`SpikeEvents.padded`). Both directions are gathers (``F.embedding_bag``, sum) in
blocks of ``J`` lags, so each gathered row is ``J * width`` values long:

- forward: one bag per (example, bin q) per block j: the events of bin ``q + jJ`` pick
  ``W[:, c, jJ : jJ + J]``; a strided sum over the ``J`` lags lines them up on the outputs;
- backward (weight): one bag per (block, channel): each event of the channel picks the
  ``J`` output gradients it fed, from a (flat bin -> lags x width) table.

The work is ``events x kernel x width`` instead of ``n_inputs x time x kernel x width``.
Events are counted: a repeated event acts as a 2 in the dense input (see ``to_dense``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional

# J, lags gathered per table row: 6-10 measured best on CPU; a divisor of the kernel spares
# the zero-padded lags and a copy, else 8
LAG_BLOCKS = (8, 9, 7, 10, 6)


@dataclass(frozen=True)
class SpikeEvents:
    """Input spikes of a batch as events (one per spike).

    Attributes:
        batch, channel, time: int64 tensors (n_events,): example index in
            ``[0, batch_size)``, input channel in ``[0, n_inputs)``, time bin (1 ms) in
            ``[0, length)``. Any order.
        batch_size: number of examples.
        n_inputs: number of input channels.
        length: window length in bins (ms).
    """

    batch: Tensor
    channel: Tensor
    time: Tensor
    batch_size: int
    n_inputs: int
    length: int

    def __post_init__(self) -> None:
        n = self.batch.shape
        if not (self.channel.shape == self.time.shape == n and len(n) == 1):
            raise ValueError("batch, channel and time must be 1-d tensors of one length")
        if min(self.batch_size, self.n_inputs, self.length) < 0:
            raise ValueError("batch_size, n_inputs and length must be >= 0")

    @property
    def device(self) -> torch.device:
        return self.time.device

    def padded(self, left: int) -> SpikeEvents:
        """The events of the window left-padded with ``left`` empty bins."""
        return replace(self, time=self.time + left, length=self.length + left)

    def to(self, device: torch.device | str) -> SpikeEvents:
        return replace(self, batch=self.batch.to(device), channel=self.channel.to(device),
                       time=self.time.to(device))

    def to_dense(self, dtype: torch.dtype = torch.float32) -> Tensor:
        """Dense input (batch_size, n_inputs, length): the event count of each cell."""
        out = torch.zeros(self.batch_size, self.n_inputs, self.length, dtype=dtype,
                          device=self.device)
        ones = torch.ones(self.time.shape, dtype=dtype, device=self.device)
        return out.index_put_((self.batch, self.channel, self.time), ones, accumulate=True)


def events_from_dense(x: Tensor) -> SpikeEvents:
    """Events of a dense binary input (batch, n_inputs, length); other values are an error."""
    if x.dim() != 3:
        raise ValueError(f"expected a (batch, n_inputs, length) tensor, got {tuple(x.shape)}")
    batch, channel, time = torch.nonzero(x, as_tuple=True)
    if bool((x[batch, channel, time] != 1).any()):
        raise ValueError("sparse input needs binary (0/1) inputs")
    return SpikeEvents(batch, channel, time, x.shape[0], x.shape[1], x.shape[2])


def _lag_blocks(kernel: int) -> tuple[int, int, int]:
    """(J, number of blocks, kernel padded to a multiple of J)."""
    block = min(kernel, next((j for j in LAG_BLOCKS if kernel % j == 0), LAG_BLOCKS[0]))
    n_blocks = -(-kernel // block)
    return block, n_blocks, n_blocks * block


class _EventConv(torch.autograd.Function):
    """``conv1d(events.to_dense(), weight, bias)``; gradients for weight and bias only."""

    @staticmethod
    def forward(ctx: Any, weight: Tensor, bias: Tensor | None,  # type: ignore[override]
                events: SpikeEvents) -> Tensor:
        width, n_in, kernel = weight.shape
        n_bins, t_out = events.batch_size * events.length, events.length - kernel + 1
        block, n_blocks, padded_kernel = _lag_blocks(kernel)
        flat = events.batch * events.length + events.time  # flat bin of each event
        by_bin = torch.argsort(flat)
        bin_sorted, channel_by_bin = flat[by_bin], events.channel[by_bin]
        # bin_start[n]: first event (in bin order) at flat bin >= n
        bins = torch.arange(n_bins + padded_kernel + 1, device=flat.device)
        bin_start = torch.searchsorted(bin_sorted, bins)
        # bags: (example, q) for q < t_out + J; the last one per example only soaks up the
        # events between two examples' windows
        span = t_out + block
        first_bin = (torch.arange(events.batch_size, device=flat.device)[:, None]
                     * events.length + torch.arange(span, device=flat.device)).reshape(-1)
        rows = None
        for j in range(n_blocks):
            # table[c] = W[:, c, jJ : jJ + J] as (lag, width) rows, zero lags past the kernel
            lags = weight[:, :, j * block:(j + 1) * block]
            if lags.shape[2] < block:
                lags = functional.pad(lags, (0, block - lags.shape[2]))
            table = lags.permute(1, 2, 0).reshape(n_in, block * width)
            starts = bin_start[first_bin + j * block]
            lo, hi = int(starts[0]), int(starts[-1])
            part = functional.embedding_bag(channel_by_bin[lo:hi], table, starts - lo,
                                            mode="sum")  # (batch * span, J * width)
            rows = part if rows is None else rows.add_(part)
        # out[b, t] = sum of rows[b, t + i, i] over the J lags i
        out = rows.as_strided((events.batch_size, t_out, block, width),
                              (span * block * width, block * width,
                               block * width + width, 1)).sum(2)
        ctx.save_for_backward(events.channel, flat)
        ctx.dims = (events.batch_size, events.length, n_in, kernel, bias is not None)
        ctx.weight_dtype = weight.dtype
        if bias is not None:
            out += bias
        return out.permute(0, 2, 1).contiguous()

    @staticmethod
    def backward(ctx: Any, grad_out: Tensor) -> tuple[Tensor | None, ...]:  # type: ignore[override]
        channel, flat = ctx.saved_tensors
        batch_size, length, n_in, kernel, has_bias = ctx.dims
        width, t_out = grad_out.shape[1], grad_out.shape[2]
        block, n_blocks, padded_kernel = _lag_blocks(kernel)
        grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            # grad at every flat bin (zero past each window's valid outputs), after
            # padded_kernel - 1 leading zero bins: g0[r] = grad at flat bin r - (Kp - 1)
            g = grad_out.new_zeros(batch_size, length, width)
            g[:, :t_out] = grad_out.permute(0, 2, 1)
            g0 = functional.pad(g.reshape(-1, width), (0, 0, padded_kernel - 1, 0))
            # lagged[q, i] = g0[q + J - 1 - i]: the J gradients one event row feeds
            lagged = g0.unfold(0, block, 1).flip(-1).permute(0, 2, 1).reshape(-1, block * width)
            # bag (c, j): the events of channel c, each at row flat - jJ + Kp - J of `lagged`
            dev = flat.device
            by_channel = torch.argsort(channel)
            per_channel = torch.bincount(channel, minlength=n_in)
            ch_first = (torch.cumsum(per_channel, 0) - per_channel).repeat_interleave(n_blocks)
            count = per_channel.repeat_interleave(n_blocks)  # events per bag
            bag_first = torch.cumsum(count, 0) - count
            bag = torch.repeat_interleave(torch.arange(n_in * n_blocks, device=dev), count,
                                          output_size=n_blocks * flat.numel())
            position = torch.arange(bag.numel(), device=dev) + (ch_first - bag_first)[bag]
            shift = padded_kernel - block - block * torch.arange(n_blocks, device=dev)
            index = flat[by_channel][position] + shift.repeat(n_in)[bag]
            rows = functional.embedding_bag(index, lagged, bag_first, mode="sum")
            # (c, k, o) -> (o, c, k) as one 2-d transpose
            grad_weight = rows.new_empty(width, n_in * padded_kernel, dtype=ctx.weight_dtype)
            grad_weight.copy_(rows.view(-1, width).t())
            grad_weight = grad_weight.view(width, n_in, padded_kernel)
            if padded_kernel > kernel:
                grad_weight = grad_weight[:, :, :kernel].contiguous()
        if has_bias and ctx.needs_input_grad[1]:
            grad_bias = grad_out.sum((0, 2))
        return grad_weight, grad_bias, None


def event_conv1d(events: SpikeEvents, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Valid cross-correlation of the events with ``weight``, as ``F.conv1d`` on dense input.

    Args:
        events: the input spikes; ``events.length >= kernel``.
        weight: (width, n_inputs, kernel), the ``nn.Conv1d`` layout.
        bias: (width,) or None.

    Returns:
        (batch_size, width, length - kernel + 1), output bin t seeing input bins t..t+kernel-1.
    """
    if weight.dim() != 3 or weight.shape[1] != events.n_inputs:
        raise ValueError(f"weight {tuple(weight.shape)} does not fit {events.n_inputs} inputs")
    if events.length < weight.shape[2]:
        raise ValueError(f"window of {events.length} bins is shorter than the kernel")
    return _EventConv.apply(weight, bias, events)


class SparseConv1d(nn.Conv1d):
    """``nn.Conv1d`` (stride 1, no padding) that takes :class:`SpikeEvents` or a dense
    binary tensor. Same parameters and state_dict keys as ``nn.Conv1d``."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int,
                 bias: bool = True) -> None:
        super().__init__(in_channels, out_channels, kernel_size, bias=bias)

    def forward(self, x: Tensor | SpikeEvents) -> Tensor:  # type: ignore[override]
        events = x if isinstance(x, SpikeEvents) else events_from_dense(x)
        return event_conv1d(events, self.weight, self.bias)
