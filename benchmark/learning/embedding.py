"""A student that computes its teacher exactly: the proof that depth k is enough.

A teacher network of depth k (:mod:`benchmark.simulation.teacher.network`) is built from the
operations of a TCN layer: a causal convolution, a shift, a rectification. :func:`embed`
writes a teacher's weights into a :class:`~benchmark.learning.model.TCN` of depth k or more,
so that in evaluation mode the student's spike probability and voltage equal the teacher's
(to float rounding) on any input. That such a student exists is what "a student of depth k
can reach a depth-k teacher" means for the network class; whether training finds it is a
separate, measured question (``docs/teachers.md``).

Layer by layer, for teacher unit j of layer l (the student's channels beyond the
teacher's width stay silent, at zero weight and bias):

- **Layer 1.** The spatial projection (factorised first layer, ``spatial_rank`` >= the
  teacher's width) or the full first layer carries the unit's input weights ``A[j]``; the
  temporal kernel is the unit's synaptic kernel divided by the unit's construction standard
  deviation, placed at the kernel's most recent lags, and the bias is ``-(mean / sd) -
  threshold``, so that ``ReLU`` gives ``relu(z - threshold)``.
- **Layers 2 .. k.** The same with the teacher's mixing kernels (``kernel_ms`` lags).
- **Each ``BatchNorm1d``** is the identity: running mean 0, running variance ``1 - eps``,
  weight 1, bias 0.
- **Layers k+1 ..** (a deeper student): the identity, a kernel of 1 at lag 0 from each
  channel to itself; a unit after a ``ReLU`` is non-negative, so a further ``ReLU`` leaves
  it unchanged.
- **Heads.** The soma head reads ``v_scale_mv x readout / sd_S`` with the bias that gives
  ``v_rest_mv`` at the readout's mean, less the voltage target's ``bias_mv`` (the
  student's voltage is in target units, :func:`benchmark.learning.metrics.voltage_target`);
  the spike head reads ``gain x readout / sd_S`` plus the teacher's spike bias.

The teacher's plateau (``saturation_sd``, a ``min`` after the ``ReLU``) has no place in a
TCN layer: the two agree wherever no unit reaches its plateau, which
:func:`reaches_plateau` checks on given inputs (the registered teachers' plateau is 100
standard deviations, never reached). They also agree only once the receptive field is
filled: the teacher pads each layer's units with zeros before the first ms, the student
its inputs.
"""

from __future__ import annotations

import torch

from benchmark.learning.model import TCN, TCNConfig
from benchmark.simulation.teacher.network import Teacher


def embed(teacher: Teacher, config: TCNConfig, bias_mv: float = 0.0) -> TCN:
    """A TCN of ``config`` (in evaluation mode) that computes ``teacher`` exactly.

    Args:
        teacher: a built teacher network.
        config: the student's shape; its depth, width, first kernel and later kernels must
            be at least the teacher's, its spatial rank (when set) at least the teacher's
            width, and its input count the teacher's.
        bias_mv: the voltage target's bias (mV) the student's soma head is offset by.

    Raises:
        ValueError: naming the first of ``config``'s fields too small to hold the teacher.
    """
    c = teacher.config
    _check_fits(teacher, config)
    model = TCN(config).eval()
    layers = [m for m in model.body if not isinstance(m, (torch.nn.ReLU, torch.nn.BatchNorm1d))]
    norms = [m for m in model.body if isinstance(m, torch.nn.BatchNorm1d)]
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
        _first_layer(teacher, layers[0])
        for layer in range(1, c.depth):
            _deep_layer(teacher, layers[layer], layer)
        for extra in layers[c.depth:]:
            for j in range(c.width):
                extra.weight[j, j, -1] = 1.0
        for norm in norms:
            norm.weight.fill_(1.0)
            norm.running_mean.zero_()
            norm.running_var.fill_(1.0 - norm.eps)
        readout = teacher.weights.readout / teacher.readout_sd
        offset = -teacher.readout_mean / teacher.readout_sd
        model.soma_head.weight[0, :c.width, 0] = c.v_scale_mv * readout
        model.soma_head.bias.fill_(c.v_rest_mv + c.v_scale_mv * offset - bias_mv)
        model.spike_head.weight[0, :c.width, 0] = c.gain * readout
        model.spike_head.bias.fill_(c.gain * offset + teacher.bias)
    return model


def reaches_plateau(teacher: Teacher, drive: torch.Tensor) -> bool:
    """Whether any unit of any layer reaches its plateau on first-layer drives ``drive``
    (batch, width, time); where none does, the embedded student equals the teacher."""
    x = drive
    for layer in range(teacher.config.depth):
        threshold, plateau = teacher.config.levels(layer)
        pre = teacher.standardise(teacher.layer_input(x, layer), layer) - threshold
        if float(pre.max()) >= plateau:
            return True
        x = pre.clamp(0.0, plateau)
    return False


def _check_fits(teacher: Teacher, config: TCNConfig) -> None:
    c = teacher.config
    n_inputs = teacher.weights.input_weights.shape[1]
    needs = [("n_inputs", config.n_inputs == n_inputs, f"= {n_inputs}"),
             ("depth", config.depth >= c.depth, f">= {c.depth}"),
             ("width", config.width >= c.width, f">= {c.width}"),
             ("first_kernel_ms", config.first_kernel_ms >= c.kernel1_ms, f">= {c.kernel1_ms}"),
             ("kernel_ms", config.depth == 1 or config.kernel_ms >= c.kernel_ms,
              f">= {c.kernel_ms}"),
             ("spatial_rank", config.spatial_rank is None or config.spatial_rank >= c.width,
              f">= {c.width} (or a full first layer)")]
    for field, ok, need in needs:
        if not ok:
            raise ValueError(f"TCNConfig.{field} = {getattr(config, field)!r} cannot hold a "
                             f"teacher of depth {c.depth} and width {c.width}: need {need}")


def _first_layer(teacher: Teacher, layer: torch.nn.Module) -> None:
    c, w = teacher.config, teacher.weights
    sd, mean = teacher.stds[0].double(), teacher.means[0].double()
    bias = (-mean / sd - c.levels(0)[0]).float()
    kernel = (w.kernel1.double() / sd[:, None]).float()  # (width, kernel1_ms), oldest lag first
    if hasattr(layer, "spatial"):
        layer.spatial.weight[:c.width, :, 0] = w.input_weights
        temporal = layer.temporal
        for j in range(c.width):
            temporal.weight[j, j, -c.kernel1_ms:] = kernel[j]
        temporal.bias[:c.width] = bias
        return
    layer.weight[:c.width, :, -c.kernel1_ms:] = (w.input_weights[:, :, None]
                                                 * kernel[:, None, :])
    layer.bias[:c.width] = bias


def _deep_layer(teacher: Teacher, layer: torch.nn.Module, index: int) -> None:
    c = teacher.config
    sd, mean = teacher.stds[index].double(), teacher.means[index].double()
    mixing = teacher.weights.mixing[index - 1].double()  # (width, width, kernel_ms)
    layer.weight[:c.width, :c.width, -c.kernel_ms:] = (mixing / sd[:, None, None]).float()
    layer.bias[:c.width] = (-mean / sd - c.levels(index)[0]).float()
