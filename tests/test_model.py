"""Tests of the causal TCN: causality, receptive field, parameter count, seeded init."""

from __future__ import annotations

import pytest
import torch

from benchmark.learning.model import TCN, TCNConfig, expected_parameter_count, init_seeded

CONFIG = TCNConfig(n_inputs=5, depth=3, width=4, first_kernel_ms=6, kernel_ms=3)


def _eval_model(config: TCNConfig = CONFIG, seed: int = 0) -> TCN:
    model = init_seeded(config, seed).double()
    model.eval()
    # non-trivial BatchNorm statistics, so normalisation is part of what is tested
    generator = torch.Generator().manual_seed(seed)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm1d):
            module.running_mean.uniform_(-0.5, 0.5, generator=generator)
            module.running_var.uniform_(0.5, 2.0, generator=generator)
    return model


def _inputs(batch: int, time_ms: int, seed: int = 0) -> torch.Tensor:
    """Reproducible random inputs (an unseeded draw can leave every ReLU off at one bin)."""
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(batch, 5, time_ms, dtype=torch.float64, generator=generator)


def _outputs(model: TCN, x: torch.Tensor, causal_pad: bool = True) -> torch.Tensor:
    with torch.no_grad():
        spike, soma = model(x, causal_pad=causal_pad)
    return torch.stack([spike, soma])


def test_receptive_field_formula() -> None:
    assert CONFIG.receptive_field_ms == 6 + 2 * 2 == 10
    single = TCNConfig(n_inputs=1, depth=1, width=1, first_kernel_ms=1, kernel_ms=1)
    assert single.receptive_field_ms == 1
    main = TCNConfig(n_inputs=1278, depth=7, width=128, first_kernel_ms=35, kernel_ms=20)
    assert main.receptive_field_ms == 35 + 6 * 19


def test_config_round_trip_and_validation() -> None:
    assert TCNConfig.from_dict(CONFIG.to_dict()) == CONFIG
    with pytest.raises(ValueError):
        TCNConfig(n_inputs=5, depth=0, width=4, first_kernel_ms=6, kernel_ms=3)
    with pytest.raises(ValueError):
        TCNConfig.from_dict({**CONFIG.to_dict(), "dilation": 2})


def test_output_lengths() -> None:
    model = _eval_model()
    x = _inputs(2, 40)
    spike, soma = model(x)
    assert spike.shape == soma.shape == (2, 40)
    spike, soma = model(x, causal_pad=False)
    assert spike.shape == soma.shape == (2, 40 - CONFIG.receptive_field_ms + 1)


def test_unpadded_equals_padded_tail() -> None:
    model = _eval_model()
    x = _inputs(1, 30)
    rf = CONFIG.receptive_field_ms
    padded, unpadded = _outputs(model, x), _outputs(model, x, causal_pad=False)
    torch.testing.assert_close(padded[..., rf - 1:], unpadded)


def test_causality() -> None:
    model = _eval_model()
    x = _inputs(1, 50)
    base = _outputs(model, x)
    for t in (0, 17, 49):
        y = x.clone()
        y[0, :, t] += 3.0
        changed = (_outputs(model, y) - base).abs().amax(dim=(0, 1)) > 0
        assert not changed[:t].any()
        assert changed[t]


def test_receptive_field_edge() -> None:
    model = _eval_model()
    rf = CONFIG.receptive_field_ms
    x = _inputs(1, 50)
    t = 40
    base = _outputs(model, x)[..., t]
    inside, outside = x.clone(), x.clone()
    inside[0, :, t - rf + 1] += 3.0
    outside[0, :, t - rf] += 3.0
    assert (_outputs(model, inside)[..., t] - base).abs().max() > 0
    assert (_outputs(model, outside)[..., t] - base).abs().max() == 0


def test_parameter_count() -> None:
    for config in (CONFIG, TCNConfig(n_inputs=1278, depth=7, width=128, first_kernel_ms=35,
                                     kernel_ms=20, n_outputs_soma=1),
                   TCNConfig(n_inputs=3, depth=1, width=2, first_kernel_ms=4, kernel_ms=9,
                             n_outputs_soma=3)):
        c = config
        expected = (c.n_inputs * c.width * c.first_kernel_ms + c.width
                    + (c.depth - 1) * (c.width**2 * c.kernel_ms + c.width)
                    + 2 * c.width * c.depth + (c.width + 1) * (1 + c.n_outputs_soma))
        assert TCN(c).parameter_count() == expected == expected_parameter_count(c)


def test_multi_output_voltage_head() -> None:
    config = TCNConfig(n_inputs=3, depth=2, width=4, first_kernel_ms=3, kernel_ms=2,
                       n_outputs_soma=3)
    spike, soma = init_seeded(config, 0).eval()(torch.rand(2, 3, 10))
    assert spike.shape == (2, 10) and soma.shape == (2, 3, 10)


def test_seeded_init_reproducible() -> None:
    a, b, c = init_seeded(CONFIG, 7), init_seeded(CONFIG, 7), init_seeded(CONFIG, 8)
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(pa, pb), name
    assert not torch.equal(a.body[0].weight, c.body[0].weight)


def test_seeded_init_leaves_global_rng_alone() -> None:
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    init_seeded(CONFIG, 5)
    assert torch.equal(torch.rand(3), expected)


def test_the_training_benchmark_counts_the_convolution_flops_torch_counts() -> None:
    """benchmarks/train.py's FLOP count (the basis of its bound on any first-layer method)
    equals torch's FlopCounterMode on a forward + backward of the body, without padding,
    on an input that needs no gradient."""
    import sys

    from torch.utils.flop_counter import FlopCounterMode

    from conftest import REPO

    sys.path.insert(0, str(REPO / "benchmarks"))
    from train import conv_gflop

    config = TCNConfig(n_inputs=12, depth=4, width=6, first_kernel_ms=9, kernel_ms=5)
    batch, window = 3, 40
    body = TCN(config).body
    x = (torch.rand(batch, 12, window + config.receptive_field_ms - 1) < 0.2).float()
    with FlopCounterMode(display=False) as counter:
        body(x).sum().backward()
    expected = conv_gflop(config, batch, window)
    assert counter.get_total_flops() / 1e9 == pytest.approx(
        expected["first_layer"] + expected["later_layers"], rel=1e-12)


def test_the_training_benchmark_runs_and_bounds_only_deep_networks() -> None:
    """benchmarks/train.py end to end on tiny sizes: one JSON object with both reference
    shapes; the FLOP bound on a first-layer method exists for 7 layers and is None for one
    layer (no later layers: it used to divide by zero)."""
    import json
    import subprocess
    import sys

    from conftest import REPO

    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "train.py"), "--networks", "1x128", "7x128",
         "--width", "8", "--n-inputs", "40", "--window-ms", "60", "--batch-size", "2",
         "--steps", "1", "--warmup", "0", "--threads", "1", "--no-amp", "--no-cuda"],
        capture_output=True, text=True, check=True, timeout=300)
    networks = json.loads(proc.stdout)["devices"]["cpu"]["networks"]
    assert set(networks) == {"1x128", "7x128"}
    for net in networks.values():
        assert all(ratio > 0 for ratio in net["ratio_vs_dense"].values())
    assert networks["1x128"]["flops"]["bound_ratio_float32"] is None
    assert networks["7x128"]["flops"]["bound_ratio_float32"] > 0


FACTORISED = TCNConfig(n_inputs=5, depth=2, width=4, first_kernel_ms=6, kernel_ms=3,
                       spatial_rank=2)


def test_factorised_first_layer_is_the_full_layer_of_rank_r() -> None:
    """The factorised first layer computes the full convolution whose weight is
    sum_r T[j, r, lag] S[r, c]: a TCN with that full weight gives the same outputs."""
    factorised = _eval_model(FACTORISED)
    full = _eval_model(TCNConfig(**{**FACTORISED.to_dict(), "spatial_rank": None}))
    layer = factorised.body[0]
    weight = torch.einsum("jrk,rc->jck", layer.temporal.weight, layer.spatial.weight[:, :, 0])
    state = factorised.state_dict()
    for key in ("spatial.weight", "temporal.weight", "temporal.bias"):
        del state[f"body.0.{key}"]
    state["body.0.weight"], state["body.0.bias"] = weight, layer.temporal.bias
    full.load_state_dict(state)
    x = _inputs(2, 30)
    assert torch.allclose(_outputs(factorised, x), _outputs(full, x), atol=1e-12)
    assert torch.linalg.matrix_rank(weight.permute(1, 0, 2).reshape(5, -1)) <= 2


def test_factorised_parameters_causality_and_config() -> None:
    model = init_seeded(FACTORISED, 0)
    c = FACTORISED
    first = c.n_inputs * 2 + 2 * c.width * c.first_kernel_ms + c.width
    assert model.parameter_count() == expected_parameter_count(c) == (
        first + c.width**2 * c.kernel_ms + c.width + 2 * c.width * 2 + (c.width + 1) * 2)
    assert TCNConfig.from_dict(FACTORISED.to_dict()) == FACTORISED
    assert "spatial_rank" not in CONFIG.to_dict()  # full layers' configs read as before
    with pytest.raises(ValueError, match="spatial_rank"):
        TCNConfig(**{**FACTORISED.to_dict(), "spatial_rank": 0})
    model = _eval_model(FACTORISED)
    x, t, rf = _inputs(1, 40), 30, FACTORISED.receptive_field_ms
    base = _outputs(model, x)[..., t]
    later, outside = x.clone(), x.clone()
    later[0, :, t + 1] += 3.0
    outside[0, :, t - rf] += 3.0
    assert torch.equal(_outputs(model, later)[..., t], base)
    assert torch.equal(_outputs(model, outside)[..., t], base)
