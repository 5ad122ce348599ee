"""Tests of the common random input protocol (benchmark/protocol.py); fast, pure numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmark.core.errors import UserError
from benchmark.simulation.protocol import (
    PROTOCOL_VERSION,
    InputSites,
    ProtocolParams,
    TreeRates,
    gaussian_window,
    generate_inputs,
    generate_rates,
    input_rng,
    load_replay,
    reference_params,
    save_replay,
    smooth_rates,
    to_dense,
    to_events,
)

DURATION_MS = 6000
N_BASAL, N_APICAL = 262, 377  # dendritic segments of the reference L5PC


def l5pc_like_sites() -> InputSites:
    """639 exc + 639 inh channels (exc first, basal before apical), segment lengths 3-40 um."""
    lengths_um = np.random.default_rng(2021).uniform(3.0, 40.0, N_BASAL + N_APICAL)
    trees = ["basal"] * N_BASAL + ["apical"] * N_APICAL
    n = N_BASAL + N_APICAL
    return InputSites(
        kind=np.array(["exc"] * n + ["inh"] * n),
        tree=np.array(trees * 2),
        length_um=np.concatenate([lengths_um, lengths_um]),
    )


def small_sites(n_per_group: int = 12) -> InputSites:
    """Two trees x two kinds with various segment lengths (um)."""
    lengths_um = np.linspace(2.0, 60.0, n_per_group)
    kinds, trees = [], []
    for kind in ("exc", "inh"):
        for tree in ("basal", "apical"):
            kinds += [kind] * n_per_group
            trees += [tree] * n_per_group
    return InputSites(np.array(kinds), np.array(trees), np.tile(lengths_um, 4))


def fixed_params(hold_ms: int, sigma_ms: int, **kwargs: float) -> ProtocolParams:
    """One hold interval and one sigma (ms), no jitter, reference NMDA totals."""
    return ProtocolParams(
        trees=reference_params("nmda").trees,
        hold_ms_choices=(hold_ms,),
        hold_jitter_ms=0,
        sigma_ms_choices=(sigma_ms,),
        sigma_jitter_ms=0,
        **kwargs,
    )


def mean_window_mass(params: ProtocolParams, duration_ms: int) -> float:
    """E over sigma of the time-averaged mass of the 'same' window inside the simulation."""
    masses = []
    for choice in params.sigma_ms_choices:
        jitters = np.arange(-params.sigma_jitter_ms, params.sigma_jitter_ms + 1)
        for sigma_ms in np.maximum(1, choice + jitters):
            window = gaussian_window(int(sigma_ms))
            lag = np.abs(np.arange(window.size) - (window.size - 1) // 2)
            masses.append(np.sum(window * np.maximum(0, duration_ms - lag)) / duration_ms)
    return float(np.mean(masses))


def expected_totals_per_100ms(rates: TreeRates) -> tuple[float, float]:
    """E[exc total], E[inh total] (spikes per 100 ms), by a fine grid over the exc draw."""
    exc = np.linspace(*rates.exc_per_100ms, 200_001)
    low = np.maximum(0.0, exc + rates.inh_minus_exc_per_100ms[0])
    high = np.maximum(low, exc + rates.inh_minus_exc_per_100ms[1])
    return float(exc.mean()), float(((low + high) / 2).mean())


def test_same_key_same_spikes_and_shape() -> None:
    sites, params = small_sites(), reference_params("nmda")
    a = generate_inputs(sites, params, 1500, input_rng("cell-a", 3, 7))
    b = generate_inputs(sites, params, 1500, input_rng("cell-a", 3, 7))
    assert a.dtype == np.bool_ and a.shape == (sites.n_inputs, 1500)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "key",
    [
        ("cell-a", 3, 8, PROTOCOL_VERSION),
        ("cell-a", 4, 7, PROTOCOL_VERSION),
        ("cell-b", 3, 7, PROTOCOL_VERSION),
        ("cell-a", 3, 7, "other"),
    ],
)
def test_different_key_different_spikes(key: tuple[str, int, int, str]) -> None:
    sites, params = small_sites(), reference_params("nmda")
    base = generate_inputs(sites, params, 1500, input_rng("cell-a", 3, 7))
    other = generate_inputs(sites, params, 1500, input_rng(*key))
    assert not np.array_equal(base, other)


def test_sim_streams_are_spawned_children() -> None:
    first = input_rng("cell", 0, 0).bit_generator.seed_seq
    assert first.spawn_key == (0,)
    assert input_rng("cell", 0, 5).bit_generator.seed_seq.entropy == first.entropy


def test_short_simulation_with_long_window() -> None:
    spikes = generate_inputs(small_sites(), reference_params("nmda"), 7, input_rng("c", 0, 0))
    assert spikes.shape == (48, 7)


@pytest.mark.parametrize("condition", ["nmda", "ampa"])
def test_mean_rate_matches_parameters(condition: str) -> None:
    """Mean smoothed rate per (tree, kind) = E[total] / 100 / n_channels x window mass."""
    sites, params = small_sites(), reference_params(condition)
    rates = np.mean(
        [generate_rates(sites, params, DURATION_MS, input_rng("c", 1, i)) for i in range(150)],
        axis=0,
    ).mean(axis=1)
    edge = mean_window_mass(params, DURATION_MS)
    for tree, tree_rates in params.trees.items():
        for kind, total in zip(("exc", "inh"), expected_totals_per_100ms(tree_rates), strict=True):
            group = (sites.tree == tree) & (sites.kind == kind)
            expected = total / 100.0 / group.sum() * edge
            assert rates[group].mean() == pytest.approx(expected, rel=0.03), (tree, kind)


def test_spikes_follow_rates() -> None:
    """P(spike in a bin) = E[min(p, 1)] = r (1 - exp(-1/r)) for p ~ Exponential(r)."""
    sites, params = l5pc_like_sites(), reference_params("nmda")
    got, expected = [], []
    for i in range(2):
        rates = generate_rates(sites, params, DURATION_MS, input_rng("c", 2, i))
        safe = np.maximum(rates, 1e-300)
        expected.append(np.mean(safe * -np.expm1(-1.0 / safe)))
        got.append(generate_inputs(sites, params, DURATION_MS, input_rng("c", 2, i)).mean())
    assert np.mean(got) == pytest.approx(np.mean(expected), rel=0.02)


@pytest.mark.parametrize("condition", ["nmda", "ampa"])
def test_reference_rates_in_hz(condition: str) -> None:
    sites, params = l5pc_like_sites(), reference_params(condition)
    spikes = [generate_inputs(sites, params, DURATION_MS, input_rng("c", 3, i)) for i in range(3)]
    exc_hz = 1000.0 * np.mean([s[sites.kind == "exc"].mean() for s in spikes])
    inh_hz = 1000.0 * np.mean([s[sites.kind == "inh"].mean() for s in spikes])
    print(f"\n{condition}: mean exc {exc_hz:.1f} Hz, inh {inh_hz:.1f} Hz per channel")
    if condition == "nmda":  # the reference reports about 12 (exc) and 10 (inh) Hz
        assert 3.0 < inh_hz < exc_hz < 20.0


def test_longer_segments_get_proportionally_more_spikes() -> None:
    length_um = np.repeat([10.0, 50.0], 50)  # weights 20 and 60 with the 10 um offset
    sites = InputSites(np.array(["exc"] * 100), np.array(["basal"] * 100), length_um)
    params = ProtocolParams(trees={"basal": TreeRates((0, 100), (0, 0))})
    counts = np.sum(
        [generate_inputs(sites, params, 2000, input_rng("c", 4, i)).sum(axis=1) for i in range(60)],
        axis=0,
    )
    assert counts[50:].sum() / counts[:50].sum() == pytest.approx(3.0, rel=0.05)


def test_rate_scale_doubles_rates() -> None:
    sites = small_sites()
    one = generate_rates(sites, reference_params("nmda"), 3000, input_rng("c", 5, 0))
    two = generate_rates(sites, reference_params("nmda", 2.0), 3000, input_rng("c", 5, 0))
    np.testing.assert_allclose(two, 2.0 * one, rtol=1e-12, atol=1e-15)


def test_large_sigma_makes_rates_continuous() -> None:
    sites = small_sites()
    steps = generate_rates(sites, fixed_params(100, 1), 3000, input_rng("c", 6, 0))
    smooth = generate_rates(sites, fixed_params(100, 400), 3000, input_rng("c", 6, 0))
    ratio = np.abs(np.diff(smooth, axis=1)).max() / np.abs(np.diff(steps, axis=1)).max()
    assert ratio < 0.05


@pytest.mark.parametrize(("sigma_ms", "n_bins"), [(30, 500), (31, 500), (20, 60)])
def test_smoothing_is_numpy_same_convolution(sigma_ms: int, n_bins: int) -> None:
    window = gaussian_window(sigma_ms)
    assert window.size == 1 + 7 * sigma_ms and window.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(window, window[::-1])
    rates = np.random.default_rng(0).uniform(0, 0.1, (3, n_bins))
    start = (window.size - 1) // 2
    expected = [np.convolve(row, window, mode="full")[start : start + n_bins] for row in rates]
    np.testing.assert_allclose(smooth_rates(rates, sigma_ms), expected, atol=1e-15)


def test_events_roundtrip_sorted() -> None:
    spikes = generate_inputs(small_sites(), reference_params("nmda"), 800, input_rng("c", 7, 0))
    channel, time_ms = to_events(spikes)
    assert channel.dtype == time_ms.dtype == np.int32
    assert np.all(np.diff(time_ms.astype(np.int64) * 10_000 + channel) > 0)
    np.testing.assert_array_equal(to_dense(channel, time_ms, *spikes.shape), spikes)


@pytest.mark.parametrize("suffix", [".npz", ".csv"])
def test_replay_roundtrip(tmp_path: Path, suffix: str) -> None:
    sites, params = small_sites(), reference_params("nmda")
    sims = []
    for i, duration_ms in enumerate((900, 700)):
        spikes = generate_inputs(sites, params, duration_ms, input_rng("c", 8, i))
        sims.append((*to_events(spikes), duration_ms))
    sims.append((np.zeros(0, np.int32), np.zeros(0, np.int32), 500))  # an empty simulation
    save_replay(tmp_path / f"replay{suffix}", sims)
    loaded = load_replay(tmp_path / f"replay{suffix}", sites.n_inputs)
    assert len(loaded) == 3
    for (ch_a, t_a, d_a), (ch_b, t_b, d_b) in zip(sims, loaded, strict=True):
        np.testing.assert_array_equal(ch_a, ch_b)
        np.testing.assert_array_equal(t_a, t_b)
        assert d_a == d_b


def test_replay_csv_duration_comment_or_max(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("sim,channel,time_ms\n0,3,10\n0,1,10\n1,2,41\n")
    loaded = load_replay(path, 5)
    assert [d for _, _, d in loaded] == [42, 42]
    np.testing.assert_array_equal(loaded[0][0], [1, 3])
    path.write_text("# duration_ms=6000\nsim,channel,time_ms\n0,3,10\n")
    assert load_replay(path, 5)[0][2] == 6000


@pytest.mark.parametrize(
    ("name", "content", "field"),
    [
        ("bad.csv", "sim,channel,time_ms\n0,9,10\n", "channel"),
        ("bad.csv", "sim,channel\n0,1\n", "time_ms"),
        ("bad.csv", "sim,channel,time_ms\n0,1,-3\n", "time_ms"),
        ("bad.csv", "sim,channel,time_ms\n0,1,2.5\n", "time_ms"),
        ("bad.csv", "sim,channel,time_ms\n0,1,4\n0,1,4\n", "time_ms"),
        ("bad.csv", "# duration_ms=3\nsim,channel,time_ms\n0,1,4\n", "time_ms"),
        ("bad.npz", {"channel": [0, 9], "time_ms": [1, 2]}, "channel"),
        ("bad.npz", {"time_ms": [1, 2]}, "channel"),
    ],
)
def test_replay_errors_name_file_and_field(
    tmp_path: Path, name: str, content: str | dict[str, list[int]], field: str
) -> None:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content)
    else:
        np.savez(path, **{key: np.array(value) for key, value in content.items()})
    with pytest.raises(UserError) as info:
        load_replay(path, 5)
    message = str(info.value)
    assert str(path) in message and f"'{field}'" in message and "\n" not in message


def test_replay_missing_file_and_format(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not found"):
        load_replay(tmp_path / "none.npz", 5)
    (tmp_path / "x.txt").write_text("")
    with pytest.raises(UserError, match="format"):
        load_replay(tmp_path / "x.txt", 5)


def test_params_dict_roundtrip_and_digest() -> None:
    params = reference_params("ampa")
    again = ProtocolParams.from_dict(params.to_dict())
    assert again == params and again.digest() == params.digest()
    assert len(params.digest()) == 64
    assert reference_params("ampa", 1.5).digest() != params.digest()
    with pytest.raises(UserError, match="trees"):
        ProtocolParams.from_dict({"hold_ms_choices": [25]})


def test_sites_validation() -> None:
    sites = InputSites.from_records(
        [
            {"kind": "exc", "tree": "basal", "length_um": 12.0},
            {"kind": "inh", "tree": "apical", "length_um": 3},
        ]
    )
    assert sites.n_inputs == 2 and sites.length_um.dtype == np.float64
    with pytest.raises(ValueError, match="kind"):
        InputSites(np.array(["ex"]), np.array(["basal"]), np.array([1.0]))
    with pytest.raises(ValueError, match="equal length"):
        InputSites(np.array(["exc"]), np.array(["basal", "basal"]), np.array([1.0]))
    unknown = InputSites(np.array(["exc"]), np.array(["axon"]), np.array([1.0]))
    with pytest.raises(UserError, match="axon"):
        generate_inputs(unknown, reference_params("nmda"), 100, input_rng("c", 0, 0))


def test_a_file_that_is_not_a_zip_is_refused_with_the_writer_to_use(tmp_path: Path) -> None:
    path = tmp_path / "inputs.npz"
    path.write_text("not a zip archive")
    with pytest.raises(UserError) as info:
        load_replay(path, 5)
    message = str(info.value)
    assert "allow_pickle" not in message and "\n" not in message
    assert "benchmark.simulation.protocol.save_replay" in message and str(path) in message


def test_the_replay_format_is_documented_where_the_commands_point() -> None:
    from conftest import REPO, run_cli

    docs = (REPO / "docs" / "protocol.md").read_text()
    assert "### The replay file format" in docs and "sim,channel,time_ms" in docs
    for command in ("simulate", "predict"):
        text = " ".join(run_cli(command, "--help", check=True).stdout.split())
        assert "docs/protocol.md, 'The replay file format'" in text, command
