"""Found teachers: a trained TCN's weights, saved and run as a teacher network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from benchmark.learning.model import TCNConfig, init_seeded
from benchmark.simulation import protocol
from benchmark.simulation.teacher import found


def _trained_like(config: TCNConfig, seed: int) -> torch.nn.Module:
    """A TCN in evaluation mode with non-trivial BatchNorm statistics and biases."""
    model = init_seeded(config, seed)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm1d):
                m.running_mean.copy_(torch.rand(m.num_features, generator=gen))
                m.running_var.copy_(0.5 + torch.rand(m.num_features, generator=gen))
                m.weight.copy_(0.5 + torch.rand(m.num_features, generator=gen))
                m.bias.copy_(torch.randn(m.num_features, generator=gen))
    return model.eval()


@pytest.mark.parametrize("rank", [None, 6])
def test_a_saved_network_computes_what_the_tcn_computes(tmp_path: Path,
                                                         rank: int | None) -> None:
    config = TCNConfig(n_inputs=40, depth=3, width=5, first_kernel_ms=9, kernel_ms=4,
                       spatial_rank=rank)
    model = _trained_like(config, 3)
    path = tmp_path / "network.npz"
    found.save(path, model.state_dict(), v_offset_mv=-65.5, meta={"source": "test"})
    net = found.load(path)
    assert (net.depth, net.n_inputs, net.receptive_field_ms) == (3, 40, 9 + 2 * 3)
    assert net.meta == {"source": "test"}
    rng = np.random.default_rng(0)
    x = (rng.random((2, 40, 120)) < 0.05).astype(np.float32)
    logit, soma = model(torch.from_numpy(x), causal_pad=True)
    projected = torch.stack([net.project(*np.nonzero(x[b]), 120) for b in range(2)])
    got_logit, got_volt = net.heads(projected)
    torch.testing.assert_close(got_logit, logit.detach(), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(got_volt, soma.detach() - 65.5, atol=1e-5, rtol=1e-5)


def test_the_readout_is_set_for_the_target_rate(tmp_path: Path) -> None:
    config = TCNConfig(n_inputs=50, depth=2, width=4, first_kernel_ms=20, kernel_ms=5,
                       spatial_rank=8)
    path = tmp_path / "network.npz"
    found.save(path, _trained_like(config, 1).state_dict(), 0.0, {})
    sites = protocol.InputSites(kind=np.array(["exc"] * 30 + ["inh"] * 20),
                                tree=np.array(["basal"] * 50),
                                length_um=np.full(50, 10.0))
    params = protocol.ProtocolParams(trees={"basal": protocol.TreeRates((0.0, 800.0),
                                                                         (-600.0, 200.0))})
    for gain in (1.0, 4.0):
        cfg = found.FoundConfig(depth=2, spike_gain=gain, target_rate_hz=5.0,
                                n_construction=4, construction_ms=1000, skip_ms=100)
        teacher = found.build(cfg, found.load(path), sites, params)
        probs = []
        for k in range(cfg.n_construction):
            spikes = protocol.generate_inputs(
                sites, params, cfg.construction_ms,
                protocol.input_rng(found.CONSTRUCTION_DIGEST, cfg.seed, k))
            proj = teacher.network.project(*protocol.to_events(spikes), cfg.construction_ms)
            probs.append(teacher.outputs(proj[None])[0][0, cfg.skip_ms:])
        assert float(torch.cat(probs).mean()) == pytest.approx(0.005, rel=1e-3)
    with pytest.raises(ValueError, match="depth says 3"):
        found.build(found.FoundConfig(depth=3), found.load(path), sites, params)


@pytest.mark.parametrize("bad, message", [
    ({"depth": 0}, "depth must be a positive integer"),
    ({"depth": 1, "spike_gain": 0}, "spike_gain must be > 0"),
    ({"depth": 1, "gain": 2}, "unknown found-teacher settings"),
])
def test_bad_settings_are_named(bad: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        found.FoundConfig.from_dict(bad)
