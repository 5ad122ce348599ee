"""Teacher cells: networks of known depth simulated without NEURON."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from benchmark.cells import data_files, registry
from benchmark.core import profiles
from benchmark.learning.dataset import Dataset, measure_levels, spike_labels
from benchmark.learning.metrics import roc_auc
from benchmark.pipeline import validation
from benchmark.scoring import curves
from benchmark.simulation import engine, protocol
from benchmark.simulation.teacher import found, layout, network, pin
from benchmark.simulation.teacher.cell import (
    TeacherCell,
    TeacherMismatch,
    spike_rng,
    spike_times_ms,
)

TEACHERS = ("teacher_depth1", "teacher_depth3", "teacher_depth5")
VARIANTS = Path(__file__).resolve().parents[1] / "benchmarks" / "teacher_variants"
CONSTRUCTED = {1: str(VARIANTS / "td1_b"), 3: str(VARIANTS / "td3_bb"),
               5: str(VARIANTS / "td5_bb")}
"""The constructions the registered (found) teachers were trained on."""


@pytest.fixture(scope="module")
def depth3() -> TeacherCell:
    return TeacherCell(dict(registry.get(CONSTRUCTED[3]).data))


def _events(cell: TeacherCell, spec_name: str, n: int, duration_ms: int
            ) -> list[tuple[np.ndarray, np.ndarray, int]]:
    spec = registry.get(spec_name)
    params = protocol.cell_params(spec)
    out = []
    for k in range(n):
        spikes = protocol.generate_inputs(cell.input_sites, params, duration_ms,
                                          protocol.input_rng(spec.digest(), 0, k))
        out.append((*protocol.to_events(spikes), duration_ms))
    return out


@pytest.mark.parametrize("depth", sorted(CONSTRUCTED))
def test_each_construction_pins_the_weights_its_seed_draws(depth: int) -> None:
    spec = registry.get(CONSTRUCTED[depth])
    assert engine.is_teacher(spec) and engine.choose(spec).engine == "teacher"
    assert pin.digest(CONSTRUCTED[depth]) == spec.get("parameters.weights_sha256")
    assert engine.teacher_depth(spec) == depth


@pytest.mark.parametrize("name", TEACHERS)
def test_each_registered_teacher_is_a_found_network_of_its_depth(name: str) -> None:
    spec = registry.get(name)
    depth = int(name.removeprefix("teacher_depth"))
    assert engine.is_teacher(spec) and engine.choose(spec).engine == "teacher"
    assert engine.teacher_depth(spec) == depth
    cell = TeacherCell(dict(spec.data), data_files.ensure(spec))
    assert isinstance(cell.teacher, found.FoundTeacher) and cell.depth == depth
    assert cell.weights_sha256 == engine.teacher_weights_sha256(spec)
    source = cell.teacher.network.meta["source"]
    assert registry.get(CONSTRUCTED[depth]).name == source


def test_weights_are_a_function_of_the_config() -> None:
    kinds = np.array(["exc"] * 30 + ["inh"] * 20)
    config = network.TeacherConfig(depth=3, width=4, seed=11)
    a, b = network.draw_weights(config, kinds), network.draw_weights(config, kinds)
    assert network.weights_digest(config, a) == network.weights_digest(config, b)
    other = dataclasses.replace(config, seed=12)
    assert (network.weights_digest(other, network.draw_weights(other, kinds))
            != network.weights_digest(config, a))
    assert len(a.mixing) == 2 and a.input_weights.shape == (4, 50)
    assert (a.input_weights[:, :30] >= 0).all() and (a.input_weights[:, 30:] <= 0).all()
    for mixing in a.mixing:  # non-negative; every unit listens to its own predecessor
        assert mixing.shape == (4, 4, config.kernel_ms) and (mixing >= 0).all()
        assert (mixing[range(4), range(4)].sum(dim=-1) > 0).all()


def test_spreads_set_each_units_kernel_and_readout_weight() -> None:
    """``tau_spread`` and ``readout_spread`` give unit i of w (position p = i / (w - 1) -
    1/2) the kernel decay ``tau_ms x tau_spread ** p`` and the readout weight
    ``readout_spread ** -p``; spreads of 1 keep the plain construction and its hash."""
    kinds = np.array(["exc"] * 30 + ["inh"] * 20)
    plain = network.TeacherConfig(depth=1, width=3, seed=2, tau_ms=10.0)
    spread = dataclasses.replace(plain, tau_spread=4.0, readout_spread=9.0)
    a, b = network.draw_weights(plain, kinds), network.draw_weights(spread, kinds)
    assert torch.equal(a.input_weights, b.input_weights)
    lag1 = plain.kernel1_ms - 2  # the kernel at a lag of 1 ms is exp(-1 / tau)
    np.testing.assert_allclose(-1.0 / np.log(b.kernel1[:, lag1].double().numpy()),
                               [5.0, 10.0, 20.0], rtol=1e-5)
    np.testing.assert_allclose(b.readout.numpy(), [3.0, 1.0, 1.0 / 3.0], rtol=1e-6)
    assert (a.kernel1 == a.kernel1[0]).all() and (a.readout == 1.0).all()
    assert network.weights_digest(spread, b) != network.weights_digest(plain, a)
    assert "tau_spread" not in repr(plain.hashed_fields())
    units = torch.rand(2, 3, 5)
    teacher = network.Teacher(spread, b, [], [], 0.0)
    torch.testing.assert_close(teacher.summed(units), (units * b.readout[:, None]).sum(1))
    with pytest.raises(ValueError, match="tau_spread must be >= 1"):
        network.TeacherConfig(depth=1, tau_spread=0.5)


def test_units_are_threshold_units_of_their_layer(depth3: TeacherCell) -> None:
    """Each layer's units are silent below their layer's threshold (standard deviations
    above the mean) and saturate ``saturation_sd`` above it: on the protocol's inputs a
    unit is active about as often as a normal z exceeds the threshold (P(z > 0) = 0.5 in
    the registered teacher's first layer, P(z > 1) ~ 0.16 in its later ones, whose sums
    of events are skewed and sparser)."""
    teacher = depth3.teacher
    events = _events(depth3, CONSTRUCTED[3], 2, 3000)
    drives = torch.stack([network.drive_of(teacher.weights, c, t, d) for c, t, d in events])
    with torch.no_grad():
        for layers in range(1, teacher.config.depth + 1):
            threshold, saturation = teacher.config.levels(layers - 1)
            units = teacher.hidden(drives, layers)[..., 300:]
            assert (units >= 0).all() and (units <= saturation).all()
            active = float((units > 0).float().mean())
            normal = 0.5 * math.erfc(threshold / math.sqrt(2.0))
            assert max(0.0, normal - 0.25) < active < normal + 0.25, (layers, active)


def test_deep_layers_take_their_own_threshold_and_plateau() -> None:
    """``deep_threshold_sd`` / ``deep_saturation_sd`` set layers 2 .. depth only; unset,
    every layer has layer 1's levels and the hash is the one from before the fields."""
    plain = network.TeacherConfig(depth=3, threshold_sd=0.0, saturation_sd=1.0)
    deep = dataclasses.replace(plain, deep_threshold_sd=1.5, deep_saturation_sd=0.5)
    assert [plain.levels(i) for i in range(3)] == [(0.0, 1.0)] * 3
    assert [deep.levels(i) for i in range(3)] == [(0.0, 1.0), (1.5, 0.5), (1.5, 0.5)]
    assert "deep_threshold_sd" not in repr(plain.hashed_fields())
    kinds = np.array(["exc"] * 6 + ["inh"] * 2)
    w = network.draw_weights(plain, kinds)
    assert network.weights_digest(deep, w) != network.weights_digest(plain, w)
    teacher = network.Teacher(deep, w, [torch.zeros(8)] * 3, [torch.ones(8)] * 3, 0.0)
    pre = torch.linspace(-1.0, 3.0, 9)[None, None, :].expand(1, 8, 9)
    assert float(teacher.activate(pre, 0).max()) == 1.0
    assert float(teacher.activate(pre, 1).max()) == 0.5
    assert float(teacher.activate(pre, 1)[0, 0, 6]) == 0.5  # z = 2: 0.5 above 1.5
    assert float(teacher.activate(pre, 1)[0, 0, 5]) == 0.0  # z = 1.5: at the threshold
    with pytest.raises(ValueError, match="deep_saturation_sd must be > 0"):
        network.TeacherConfig(depth=2, deep_saturation_sd=0.0)


def test_a_balanced_first_kernel_sums_to_zero_and_leaves_plain_teachers_alone() -> None:
    """``kernel1_balance`` 1 gives each unit a kernel of zero sum (its drive follows changes
    of its input rate, not the level), positive at short lags and negative at long ones; 0
    keeps the plain exponential and the hash from before the field."""
    plain = network.TeacherConfig(depth=1, tau_spread=2.0)
    balanced = dataclasses.replace(plain, kernel1_balance=1.0, tau_slow_ms=15.0)
    half = dataclasses.replace(balanced, kernel1_balance=0.5)
    lags = np.arange(plain.kernel1_ms - 1, -1, -1)
    np.testing.assert_allclose(plain.kernel1(),
                               np.exp(-lags[None, :] / plain.taus_ms()[:, None]))
    k = balanced.kernel1()
    np.testing.assert_allclose(k.sum(axis=1), 0.0, atol=1e-9)
    assert (k[:, -1] > 0).all() and (k[:, 0] < 0).all()  # lag 0 positive, the longest negative
    fast = plain.kernel1().sum(axis=1)
    np.testing.assert_allclose(half.kernel1().sum(axis=1), fast / 2)
    assert "kernel1_balance" not in repr(plain.hashed_fields())
    assert "tau_slow_ms" in repr(balanced.hashed_fields())
    kinds = np.array(["exc"] * 6 + ["inh"] * 2)
    assert (network.weights_digest(balanced, network.draw_weights(balanced, kinds))
            != network.weights_digest(plain, network.draw_weights(plain, kinds)))
    with pytest.raises(ValueError, match="kernel1_balance must be in"):
        network.TeacherConfig(depth=1, kernel1_balance=1.5)
    with pytest.raises(ValueError, match="tau_slow_ms .* must exceed tau_ms"):
        network.TeacherConfig(depth=1, kernel1_balance=1.0, tau_slow_ms=5.0)


def test_balanced_deep_kernels_sum_to_zero_on_the_drawn_connections() -> None:
    """``deep_kernel_balance`` 1 takes each drawn kernel's mean over lags out of it: every
    connection's kernel sums to zero and takes both signs; unconnected pairs stay 0; 0
    keeps the non-negative kernels and the hash from before the field."""
    plain = network.TeacherConfig(depth=3)
    balanced = dataclasses.replace(plain, deep_kernel_balance=1.0)
    kinds = np.array(["exc"] * 6 + ["inh"] * 2)
    w0, w1 = network.draw_weights(plain, kinds), network.draw_weights(balanced, kinds)
    assert "deep_kernel_balance" not in repr(plain.hashed_fields())
    assert network.weights_digest(plain, w0) != network.weights_digest(balanced, w1)
    for m0, m1 in zip(w0.mixing, w1.mixing, strict=True):
        assert (m0 >= 0).all()
        connected = m0.sum(dim=2) > 0
        np.testing.assert_allclose(m1.sum(dim=2).numpy(), 0.0, atol=1e-5)
        assert (m1[connected].min(dim=1).values < 0).all()
        assert (m1[connected].max(dim=1).values > 0).all()
        assert (m1[~connected] == 0).all()
        np.testing.assert_allclose((m0 - m0.mean(dim=2, keepdim=True))[connected].numpy(),
                                   m1[connected].numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="deep_kernel_balance must be in"):
        network.TeacherConfig(depth=2, deep_kernel_balance=-0.1)


def test_a_changed_construction_is_refused_by_its_pinned_hash() -> None:
    data = dict(registry.get(CONSTRUCTED[1]).data)
    data["parameters"] = {**data["parameters"],
                          "teacher": {**data["parameters"]["teacher"], "seed": 99}}
    with pytest.raises(TeacherMismatch, match="differs from parameters.weights_sha256"):
        TeacherCell(data)


def test_the_layout_is_the_current_l5pc_s() -> None:
    """The stored layout was exported from the registered L5PC as it is now: rerun
    ``python benchmarks/teacher_layout.py l5pc_hay2011`` when this fails."""
    stored = layout.load("l5pc_hay2011")
    assert stored["digest"] == registry.get("l5pc_hay2011").digest()
    kinds, trees = stored["sites"]["kind"], stored["sites"]["tree"]
    assert len(kinds) == 1278 and kinds.count("exc") == 639
    assert {t for t in trees} == {"basal", "apical"}


def test_a_shard_is_one_forward_pass_and_each_simulation_stands_alone(
        depth3: TeacherCell) -> None:
    events = _events(depth3, CONSTRUCTED[3], 3, 1500)
    rngs = lambda: [spike_rng("d", 0, k) for k in range(3)]  # noqa: E731
    batch = depth3.simulate_batch(events, rngs())
    alone = [depth3.simulate_batch([e], [r])[0] for e, r in zip(events, rngs(), strict=True)]
    for (v, s), (v1, s1) in zip(batch, alone, strict=True):
        assert v.dtype == np.float32 and v.shape == (1500,)
        np.testing.assert_allclose(v, v1, atol=1e-4)
        np.testing.assert_array_equal(s, s1)
    assert not np.array_equal(batch[0][0], batch[1][0])


def test_the_network_is_causal_and_has_its_depth(depth3: TeacherCell) -> None:
    teacher = depth3.teacher
    drive = torch.randn(1, teacher.config.width, 400)
    later = drive.clone()
    later[..., 300:] += 5.0
    with torch.no_grad():
        p, v = teacher.outputs(drive)
        p2, v2 = teacher.outputs(later)
    assert torch.equal(p[..., :300], p2[..., :300]) and torch.equal(v[..., :300], v2[..., :300])
    assert not torch.equal(p[..., 300:], p2[..., 300:])
    assert len(teacher.means) == len(teacher.stds) == 3 == teacher.config.depth


@pytest.mark.parametrize("name", TEACHERS)
def test_teacher_cells_pass_every_tier_at_smoke(name: str) -> None:
    results = validation.check_cell(name)
    assert [r.tier for r in results] == list(validation.TIERS)
    messages = {r.tier: r.message for r in results}
    assert "network.npz pinned by sha256 under [files]" in messages["mechanisms"]
    assert "1278 inputs" in messages["build"]


def test_a_changed_network_file_is_refused_by_its_pinned_hash(tmp_path: Path) -> None:
    """A found teacher's weights are its network file: a file that differs from the hash
    the cell.toml pins is refused before anything runs, naming the file and the fix."""
    import shutil

    folder = tmp_path / "teacher_depth3"
    shutil.copytree(registry.folder_of("teacher_depth3"), folder)
    with open(folder / "network.npz", "ab") as handle:
        handle.write(b"changed")
    (spec_tier,) = validation.validate(str(folder), up_to="spec")
    assert not spec_tier.passed and "network.npz" in spec_tier.message
    assert "sha256" in spec_tier.message


def _script(name: str):  # noqa: ANN202 - a script module under benchmarks/
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("score", "depth", "expected"), [
    ({"outcome": "resolved", "minimal_depth": 3, "lower": 3, "upper": 3}, 3, "recovered"),
    ({"outcome": "resolved", "minimal_depth": 1, "lower": 1, "upper": 1}, 3, "wrong"),
    ({"outcome": "range", "minimal_depth": None, "lower": 1, "upper": 3}, 3, "open"),
    ({"outcome": "range", "minimal_depth": None, "lower": 1, "upper": 2}, 3, "wrong"),
    ({"outcome": "range", "minimal_depth": None, "lower": 2, "upper": None}, 5, "open"),
    ({"outcome": "range", "minimal_depth": None, "lower": 2, "upper": None}, 1, "wrong"),
    ({"outcome": "unresolved", "minimal_depth": None, "lower": 1, "upper": None}, 1, "open"),
    ({"outcome": "undetermined", "minimal_depth": None, "lower": None, "upper": None}, 1,
     "undetermined"),
])
def test_resolution_classifies_a_score_against_the_true_depth(
        score: dict, depth: int, expected: str) -> None:
    assert _script("resolution").classify(score, depth) == expected


def test_resolution_rescores_each_run_at_other_tolerances() -> None:
    """A run of a depth-1 teacher whose depth 1 is [0.06, 0.12] FCI short of depth 3 is a
    wrong call at 0.05, open at 0.1 and recovered at 0.15; the table counts per teacher."""
    module = _script("resolution")
    run = {"teacher": "t1", "depth": 1, "class": "wrong", "per_depth": {
        "1": {"delta_fci_ci": [0.06, 0.12]}, "2": {"delta_fci_ci": [0.01, 0.08]},
        "3": {"delta_fci_ci": [0.0, 0.0]}}}
    assert [module.class_at(run, t) for t in (0.05, 0.1, 0.15)] == ["wrong", "open",
                                                                     "recovered"]
    undecided = {**run, "class": "undetermined"}
    table = module.by_tolerance([run, undecided], (0.05, 0.15))
    assert table["t1"]["0.05"] == {"recovered": 0.0, "open": 0.0, "wrong": 0.5,
                                   "undetermined": 0.5}
    assert table["t1"]["0.15"]["recovered"] == 0.5


def test_resolution_keeps_a_run_whose_calibration_failed(monkeypatch) -> None:
    """A teacher whose rate cannot be calibrated is an undetermined run with the reason,
    not the end of the table; any other error still stops it."""
    from benchmark.core.errors import CalibrationError, UserError

    module = _script("resolution")

    def fails(teacher, profile, seed, work):
        raise CalibrationError(f"x.json: calibration of {teacher} did not reach 1.0 Hz")

    monkeypatch.setattr(module, "run_one", fails)
    run = module.attempt("teacher_depth5", profiles.get("quick"), 1, Path("unused"))
    assert (run["class"], run["label"], run["depth"]) == ("undetermined",
                                                          "calibration failed", 5)
    assert module.class_at(run, 0.1) == "undetermined"
    monkeypatch.setattr(module, "run_one", lambda *a: (_ for _ in ()).throw(UserError("no")))
    with pytest.raises(UserError, match="no"):
        module.attempt("teacher_depth5", profiles.get("quick"), 1, Path("unused"))


def test_resolution_overrides_make_a_sized_profile_and_none_keep_the_profile() -> None:
    import argparse

    module = _script("resolution")
    parser = argparse.ArgumentParser()
    module.add_overrides(parser)
    quick = profiles.get("quick")
    assert module.sized(quick, parser.parse_args([])) is quick
    args = parser.parse_args(["--n-train", "480", "--max-steps", "3000", "--weight-decay", "0",
                              "--depths", "1,3", "--spatial-rank", "32", "--batch-size", "32",
                              "--select-on", "loss"])
    sized = module.sized(quick, args)
    assert sized.name == "quick-sized" and sized.data.n_train == 480
    assert sized.spatial_rank == 32 and quick.spatial_rank is None
    assert sized.train.batch_size == 32 and sized.train.select_on == "loss"
    assert sized.train.max_steps == 3000 and sized.train.weight_decay == 0.0
    assert sized.depths == (1, 3) and sized.data.n_test == quick.data.n_test


def test_spread_says_how_many_simulations_hold_the_output() -> None:
    """benchmarks/teacher.py's spread: an even output has a top-5 share of 5 / n and the
    median at the mean; one simulation holding it all has share 1 and median 0."""
    spread = _script("teacher").spread
    even = spread(np.full(40, 2.0))
    assert even["median_hz"] == 2.0 and even["top5_share"] == pytest.approx(5 / 40)
    assert even["probe_rel_se"] == 0.0
    one = spread(np.r_[np.zeros(39), 80.0])
    assert one["median_hz"] == 0.0 and one["top5_share"] == 1.0
    assert one["probe_rel_se"] == pytest.approx(np.std(np.r_[np.zeros(39), 80.0])
                                                / np.sqrt(32) / 2.0)


def test_the_teacher_benchmark_measures_a_real_teacher() -> None:
    """measure() on a registered teacher over 8 simulations: the 5 with the most hold at
    least 5/8 of the output (the top of a sorted spread, not its bottom), the probe's
    error is finite, and the ceiling is an AUC above chance when spikes were drawn."""
    row = _script("teacher").measure("teacher_depth3", 8, 2000, 1.0, 0)
    assert row["depth"] == 3 and row["cpu_s_per_simulated_s"] > 0
    assert 5 / 8 <= row["spread"]["top5_share"] <= 1.0
    assert np.isfinite(row["spread"]["probe_rel_se"])
    if row["n_spikes"]:
        assert 0.5 < row["ceiling_spike_auc"] <= 1.0


def test_resolution_names_each_teacher_by_version_and_hashes() -> None:
    """A resolution JSON says which construction it measured: the cell's version, its
    spec digest and its pinned weights hash, as the registry has them."""
    identity = _script("resolution").identity
    spec = registry.get("teacher_depth3")  # found: its network file's hash
    assert identity("teacher_depth3") == {
        "version": spec.get("version"), "spec_sha256": spec.digest(),
        "weights_sha256": spec.data["files"]["network.npz"]["sha256"]}
    assert identity(CONSTRUCTED[3])["weights_sha256"] == pin.digest(CONSTRUCTED[3])  # drawn


def test_a_drawn_spike_is_labelled_in_the_bin_it_was_drawn_in() -> None:
    """A spike drawn from the probability of bin k (inputs of 0 .. k ms) must land in label
    bin k, the bin a causal student predicts from the same inputs; a time of k ms would
    label bin k - 1."""
    bins = np.array([0, 1, 7, 499, 1499])
    label = spike_labels(spike_times_ms(bins), 1500)
    np.testing.assert_array_equal(np.flatnonzero(label), bins)


def test_resolution_scores_the_teacher_itself_on_a_runs_test_simulations(tmp_path) -> None:
    """The ceiling a run's students are judged against, and their gap to it: the teacher's
    own spike probability on the run's test simulations, labelled as the dataset labels
    them. A depth-1 teacher's readout is nearly deterministic, so its AUC is near 1;
    scores not matched to their simulations fall far below. (A label one bin off costs it
    little AUC: the bin convention has its own test above.)"""
    from benchmark.pipeline import stages
    from benchmark.pipeline.config import RunConfig

    smoke = profiles.get("smoke")  # with enough test spikes for an AUC (about 70 at 1 Hz)
    profile = dataclasses.replace(smoke, data=dataclasses.replace(
        smoke.data, n_test=24, duration_ms=3500, sims_per_shard=8))
    config = RunConfig.make(CONSTRUCTED[1], profile, seed=0, out=tmp_path, workers=1)
    stages.simulate(config)
    # A teacher's voltage is its readout, not a membrane with spikes: its target is not
    # clipped (a clip at its spikes' onset would add a nonlinearity the teacher lacks).
    data = Dataset(config.store.simulations)
    assert data.levels.clip_mv is None and data.levels.source == "training data"
    pairs = [(s.soma_target_mv + data.levels.bias_mv, s.spike_label)
              for s in data.split("train")]
    onset_clip = measure_levels(pairs).clip_mv  # where the spikes' onset rule would clip
    assert onset_clip is not None and max(v.max() for v, _ in pairs) > onset_clip
    resolution = _script("resolution")
    cell = resolution.teacher_cell(CONSTRUCTED[1])
    own = resolution.teacher_pairs(cell, config.store.simulations)
    auc = resolution.teacher_auc(own)
    assert auc is not None and 0.97 < auc <= 1.0
    # Students of 30 steps are far from the teacher: every depth falls short of it, by a
    # positive FCI gap with a paired interval above the tolerance.
    stages.fit(config)
    fits = curves.load_fits(config.store.folder, profile)
    gaps = resolution.against_teacher(own, config.store.folder, profile, fits)
    assert sorted(gaps) == list(profile.depths)
    for gap in gaps.values():
        assert gap["verdict"] == "short" and gap["delta_fci"] > profile.score_tolerance_fci
        assert gap["delta_fci_ci"][0] > profile.score_tolerance_fci
    # The best linear readout of the teacher's units explains most of its voltage but not
    # its thresholds; 30-step students learn little of what it leaves.
    floor = resolution.linear_floor(cell, config.store.simulations)
    assert 0.5 < floor["soma_explained_variance"] < 0.95 and floor["soma_rmse_mv"] > 0.3
    for depth in profile.depths:
        assert resolution.beyond_linear(fits[depth], floor)["nonlinear_explained"] < 0.5
    # teacher_gain.py redraws the test spikes from the teacher's readout: its readout and
    # the students' logits line up bin for bin, and the readout ranks the teacher's own
    # drawn spikes as its probability does.
    readout, logits, rate = _script("teacher_gain").scores(
        config.store.folder, CONSTRUCTED[1], list(profile.depths))
    assert sorted(logits) == list(profile.depths) and 0.0 < rate < 0.01
    assert all(v.shape == readout.shape for v in logits.values())
    labels = np.array([s.spike_label[500:] for s in data.split("test")])
    assert roc_auc(labels.ravel(), readout.ravel()) > 0.97


def _result(seeds: list[int], *, profile: str = "resolving", version: str = "5") -> dict:
    """A saved resolution result of ``teacher_depth1`` runs at ``seeds`` (synthetic runs:
    depth 1 sufficient at even seeds, insufficient at odd ones)."""
    def run(seed: int) -> dict:
        verdict = "sufficient" if seed % 2 == 0 else "insufficient"
        return {"teacher": "teacher_depth1", "depth": 1, "run_seed": seed,
                "class": "recovered" if seed % 2 == 0 else "wrong",
                "per_depth": {"1": {"verdict": verdict, "delta_fci_ci": [-0.1, 0.0]
                                    if seed % 2 == 0 else [0.1, 0.2]},
                              "2": {"verdict": "sufficient", "delta_fci_ci": [0.0, 0.0]}}}
    return {"profile": {"name": profile}, "run_seeds": seeds,
            "teachers": {"teacher_depth1": {"version": version}},
            "runs": [run(s) for s in seeds], "command": f"python x.py {seeds}",
            "made_utc": "2026-12-04T10:00:00Z", "versions": {}, "wall_s": 10.0}


def test_resolution_counts_the_depth_1_verdicts_against_the_teachers_depth() -> None:
    module = _script("resolution")
    shallow = {"depth": 1, "per_depth": {"1": {"verdict": "sufficient"}}}
    deep = {"depth": 3, "per_depth": {1: {"verdict": "sufficient"}}}  # as a run makes it
    assert module.depth1_call(shallow) == "right" and module.depth1_call(deep) == "wrong"
    deep["per_depth"][1]["verdict"] = "insufficient"
    assert module.depth1_call(deep) == "right"
    assert module.depth1_call({"depth": 3, "class": "undetermined"}) == "absent"
    calls = module.depth1_calls([{**deep, "teacher": "t3"}, {"teacher": "t3", "depth": 3,
                                  "per_depth": {"1": {"verdict": "unresolved"}}}])
    assert calls == {"t3": {"right": 0.5, "unresolved": 0.5, "wrong": 0.0, "absent": 0.0}}


def test_resolution_merges_runs_of_one_profile_and_refuses_mixed_results() -> None:
    from benchmark.core.errors import UserError

    module = _script("resolution")
    merged = module.merge([_result([2]), _result([0, 1])], ["a.json", "b.json"])
    assert [r["run_seed"] for r in merged["runs"]] == [0, 1, 2]
    assert merged["run_seeds"] == [0, 1, 2] and merged["wall_s"] == 20.0
    assert merged["fractions"]["teacher_depth1"]["recovered"] == pytest.approx(2 / 3)
    assert merged["depth1_calls"]["teacher_depth1"]["wrong"] == pytest.approx(1 / 3)
    assert [s["command"] for s in merged["sources"]] == ["python x.py [2]",
                                                         "python x.py [0, 1]"]
    again = module.merge([merged, _result([3])], ["m.json", "c.json"])
    assert len(again["sources"]) == 3 and again["run_seeds"] == [0, 1, 2, 3]
    with pytest.raises(UserError, match="b.json: field 'profile'"):
        module.merge([_result([0]), _result([1], profile="quick")], ["a.json", "b.json"])
    with pytest.raises(UserError, match="teachers.teacher_depth1"):
        module.merge([_result([0]), _result([1], version="4")], ["a.json", "b.json"])
    with pytest.raises(UserError, match="run seed 0 of teacher_depth1"):
        module.merge([_result([0]), _result([0])], ["a.json", "b.json"])
