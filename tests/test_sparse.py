"""The sparse-input first layer equals the dense causal first layer, forward and backward."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from torch.nn import functional

from benchmark.learning.model import TCN, TCNConfig, init_seeded
from benchmark.learning.sparse import SparseConv1d, SpikeEvents, event_conv1d, events_from_dense

F32 = {"rtol": 1e-5, "atol": 1e-4}  # float32 sums of up to ~kernel x channels terms


def _spikes(batch: int, n_inputs: int, length: int, density: float, seed: int = 0,
            edges: bool = True) -> torch.Tensor:
    """Random binary input; with ``edges`` a spike in the very first and very last bin."""
    generator = torch.Generator().manual_seed(seed)
    x = (torch.rand(batch, n_inputs, length, generator=generator) < density).float()
    if edges:
        x[0, 0, 0] = x[-1, -1, -1] = 1.0
    return x


def _dense_and_sparse(x: torch.Tensor, width: int, kernel: int, seed: int = 0):
    """(output, weight grad, bias grad) of the dense and of the sparse layer, same weights."""
    generator = torch.Generator().manual_seed(seed + 1)
    grad = torch.randn(x.shape[0], width, x.shape[2] - kernel + 1, generator=generator)
    results = []
    for layer in (torch.nn.Conv1d, SparseConv1d):
        torch.manual_seed(seed)
        conv = layer(x.shape[1], width, kernel)
        out = conv(x)
        out.backward(grad)
        results.append((out.detach(), conv.weight.grad, conv.bias.grad))
    return results


@pytest.mark.parametrize("kernel", [1, 2, 5, 8, 9, 11, 20, 39])
@pytest.mark.parametrize("density", [0.0, 0.015, 0.2, 1.0])
def test_sparse_layer_equals_dense(kernel: int, density: float) -> None:
    x = _spikes(3, 7, kernel + 25, density, edges=density > 0)
    (out, grad_w, grad_b), (s_out, s_grad_w, s_grad_b) = _dense_and_sparse(x, 6, kernel)
    assert s_out.shape == out.shape == (3, 6, 26)
    torch.testing.assert_close(s_out, out, **F32)
    torch.testing.assert_close(s_grad_w, grad_w, **F32)
    torch.testing.assert_close(s_grad_b, grad_b, **F32)


def test_window_as_long_as_kernel_and_float64() -> None:
    x = _spikes(2, 4, 11, 0.3).double()
    weight = torch.randn(5, 4, 11, dtype=torch.float64, requires_grad=True)
    bias = torch.randn(5, dtype=torch.float64, requires_grad=True)
    grad = torch.randn(2, 5, 1, dtype=torch.float64)
    dense = torch.autograd.grad(functional.conv1d(x, weight, bias), (weight, bias), grad)
    out = event_conv1d(events_from_dense(x), weight, bias)
    torch.testing.assert_close(out, functional.conv1d(x, weight, bias))
    for a, b in zip(torch.autograd.grad(out, (weight, bias), grad), dense, strict=True):
        torch.testing.assert_close(a, b)


def test_events_any_order_and_duplicates_count() -> None:
    x = _spikes(2, 5, 30, 0.1)
    events = events_from_dense(x)
    torch.testing.assert_close(events.to_dense(), x)
    order = torch.randperm(events.time.numel(), generator=torch.Generator().manual_seed(3))
    doubled = SpikeEvents(events.batch[order].repeat(2), events.channel[order].repeat(2),
                          events.time[order].repeat(2), 2, 5, 30)
    weight = torch.randn(3, 5, 4)
    torch.testing.assert_close(event_conv1d(doubled, weight),
                               functional.conv1d(2 * x, weight), **F32)
    torch.testing.assert_close(doubled.to_dense(), 2 * x)


def test_bad_inputs_rejected() -> None:
    with pytest.raises(ValueError, match="binary"):
        events_from_dense(torch.full((1, 2, 5), 0.5))
    events = events_from_dense(_spikes(1, 3, 5, 0.5))
    with pytest.raises(ValueError, match="shorter"):
        event_conv1d(events, torch.randn(2, 3, 6))
    with pytest.raises(ValueError, match="inputs"):
        event_conv1d(events, torch.randn(2, 4, 2))


CONFIG = TCNConfig(n_inputs=9, depth=3, width=6, first_kernel_ms=7, kernel_ms=4)
SPARSE = dataclasses.replace(CONFIG, sparse_input=True)


def _with_running_stats(model: TCN) -> TCN:
    generator = torch.Generator().manual_seed(5)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm1d):
            module.running_mean.uniform_(-0.5, 0.5, generator=generator)
            module.running_var.uniform_(0.5, 2.0, generator=generator)
    return model


def test_config_field_and_backward_compatible_dict() -> None:
    old = {k: v for k, v in CONFIG.to_dict().items() if k != "sparse_input"}
    assert TCNConfig.from_dict(old) == CONFIG and not CONFIG.sparse_input
    assert TCNConfig.from_dict(SPARSE.to_dict()) == SPARSE
    with pytest.raises(ValueError):
        dataclasses.replace(CONFIG, sparse_input=1)


def test_same_init_parameters_and_state_dict_keys() -> None:
    dense, sparse = init_seeded(CONFIG, 4), init_seeded(SPARSE, 4)
    assert isinstance(sparse.body[0], SparseConv1d)
    assert sparse.parameter_count() == dense.parameter_count()
    assert list(sparse.state_dict()) == list(dense.state_dict())
    for (name, a), b in zip(dense.state_dict().items(), sparse.state_dict().values(),
                            strict=True):
        assert torch.equal(a, b), name


@pytest.mark.parametrize("causal_pad", [True, False])
def test_tcn_sparse_equals_dense_eval(causal_pad: bool) -> None:
    dense = _with_running_stats(init_seeded(CONFIG, 0)).eval()
    sparse = TCN(SPARSE).eval()
    sparse.load_state_dict(dense.state_dict())
    x = _spikes(3, 9, 40, 0.05)
    with torch.no_grad():
        expected = dense(x, causal_pad=causal_pad)
        for inputs in (x, events_from_dense(x)):
            for got, want in zip(sparse(inputs, causal_pad=causal_pad), expected, strict=True):
                torch.testing.assert_close(got, want, **F32)
        # the dense model takes events too
        for got, want in zip(dense(events_from_dense(x), causal_pad=causal_pad), expected,
                             strict=True):
            torch.testing.assert_close(got, want)


def test_tcn_training_step_gradients_match() -> None:
    models = [init_seeded(CONFIG, 2).train(), init_seeded(SPARSE, 2).train()]
    x = _spikes(4, 9, 30, 0.1)
    target = torch.rand(4, 30 - CONFIG.receptive_field_ms + 1)
    grads = []
    for model in models:
        spike, soma = model(x, causal_pad=False)
        loss = (functional.binary_cross_entropy_with_logits(spike, target)
                + functional.mse_loss(soma, target))
        loss.backward()
        grads.append({n: p.grad for n, p in model.named_parameters()})
    for name, grad in grads[0].items():
        torch.testing.assert_close(grads[1][name], grad, **F32, msg=name)


def test_state_dict_round_trip_between_modes() -> None:
    x = _spikes(2, 9, 25, 0.1)
    trained_dense = _with_running_stats(init_seeded(CONFIG, 7)).eval()
    trained_sparse = _with_running_stats(init_seeded(SPARSE, 8)).eval()
    for source, config in ((trained_dense, SPARSE), (trained_sparse, CONFIG)):
        target = TCN(config).eval()
        target.load_state_dict(source.state_dict())
        with torch.no_grad():
            for got, want in zip(target(x), source(x), strict=True):
                torch.testing.assert_close(got, want, **F32)


def test_sparse_tcn_rejects_non_binary_input() -> None:
    with pytest.raises(ValueError, match="binary"):
        TCN(SPARSE)(torch.rand(1, 9, 20))


def test_factorised_first_layer_sparse_equals_dense() -> None:
    dense = dataclasses.replace(CONFIG, spatial_rank=3)
    a = _with_running_stats(init_seeded(dense, 2)).eval()
    b = _with_running_stats(init_seeded(dataclasses.replace(dense, sparse_input=True), 2)).eval()
    assert list(a.state_dict()) == list(b.state_dict())
    b.load_state_dict(a.state_dict())
    x = (torch.rand(2, 9, 30, generator=torch.Generator().manual_seed(1)) < 0.2).float()
    for (pa, pb) in zip(a(x), b(x), strict=True):
        assert torch.allclose(pa, pb, atol=1e-5)
