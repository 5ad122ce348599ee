"""Input-rate calibration: the search (pure logic) and a real calibration of the LIF."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from benchmark.cells import registry
from benchmark.core import profiles
from benchmark.core.errors import UserError
from benchmark.core.profiles import Calibration, DataPlan
from benchmark.simulation import calibration, shards
from benchmark.simulation.calibration import Probe, next_scale, within

PLAN = Calibration(n_sims=4, duration_ms=1000, target_rate_hz=1.0, tolerance=0.2)


def test_search_extrapolates_then_interpolates_on_log_scales() -> None:
    assert next_scale([], PLAN) == 1.0
    # one firing probe: a power law of exponent 2 through it
    assert next_scale([Probe(1.0, 0.25)], PLAN) == pytest.approx(2.0)
    assert next_scale([Probe(1.0, 1.96)], PLAN) == pytest.approx(1 / 1.4)
    assert next_scale([Probe(1.0, 1e-4)], PLAN) == pytest.approx(4.0)  # steps at most x4
    assert next_scale([Probe(1.0, 0.0), Probe(2.0, 0.0)], PLAN) == 4.0  # silent: doubling
    # two firing probes on one side measure the exponent (here 3)
    assert next_scale([Probe(1.0, 0.064), Probe(2.0, 0.512)], PLAN) == pytest.approx(2.5)
    # bracket (1, 0.5 Hz) - (2, 2 Hz): log-linear interpolation hits 1 Hz at sqrt(2)
    assert next_scale([Probe(1.0, 0.5), Probe(2.0, 2.0)], PLAN) == pytest.approx(math.sqrt(2))
    # a silent lower end: bisect in log scale
    assert next_scale([Probe(1.0, 0.0), Probe(4.0, 3.0)], PLAN) == pytest.approx(2.0)
    # the nearest bracket ends are used, and the step stays inside the bracket
    s = next_scale([Probe(1.0, 0.1), Probe(1.5, 0.99e-3), Probe(8.0, 50.0), Probe(3.0, 1.1)],
                   PLAN)
    assert 1.5 < s < 3.0
    assert within(1.19, PLAN) and within(0.81, PLAN) and not within(1.25, PLAN)


def _fake_simulate(rate_at_scale: callable) -> callable:
    """A stand-in simulation stage for the search logic: writes the index a real stage
    writes, with spike counts from a known rate curve (Hz as a function of the scale)."""

    def run(spec, data: DataPlan, seed: int, folder: Path, scale: float) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        n = round(rate_at_scale(scale) * data.duration_ms / 1000.0)
        shards.write_index(folder, {"s": {"sim_indices": list(range(data.n_train)),
                                          "n_output_spikes": [n] * data.n_train}})

    return run


def test_search_converges_resumes_and_refuses(tmp_path: Path) -> None:
    spec = registry.get("lif")
    curve = lambda s: 0.05 * s ** 2  # noqa: E731  (1 Hz at scale ~4.47)
    plan = Calibration(n_sims=2, duration_ms=100_000, target_rate_hz=1.0, tolerance=0.05)
    result = calibration.calibrate(spec, plan, 0, tmp_path, _fake_simulate(curve))
    assert result["converged"] and abs(result["achieved_rate_hz"] - 1.0) <= 0.05
    assert result["rate_scale"] == pytest.approx(math.sqrt(20), rel=0.03)
    n_probes = len(result["probes"])
    again = calibration.calibrate(spec, plan, 0, tmp_path, _fake_simulate(lambda s: 1 / 0))
    assert again == result and len(again["probes"]) == n_probes  # nothing rerun
    assert calibration.stored(tmp_path) == result
    silent = tmp_path / "silent"
    with pytest.raises(UserError, match="outside"):
        calibration.calibrate(spec, plan, 0, silent, _fake_simulate(lambda s: 0.0))
    other = Calibration(n_sims=3, duration_ms=100_000)
    with pytest.raises(UserError, match="other settings"):
        calibration.calibrate(spec, other, 0, tmp_path, _fake_simulate(curve))


def test_coarse_probes_steer_and_a_full_probe_ends_the_search(tmp_path: Path) -> None:
    """The first probe is full; while the probes are far from the target the next ones are
    coarse; only a full probe ends the search; a near coarse probe is confirmed at its
    scale; after a full probe only the full probes steer."""
    spec = registry.get("lif")
    sizes: list[int] = []
    fake = _fake_simulate(lambda s: 0.05 * s ** 2)

    def counting(spec, data: DataPlan, seed: int, folder: Path, scale: float) -> None:
        sizes.append(data.n_train)
        fake(spec, data, seed, folder, scale)

    plan = Calibration(n_sims=8, duration_ms=100_000, tolerance=0.05, coarse_n_sims=2)
    result = calibration.calibrate(spec, plan, 0, tmp_path, counting)
    assert result["converged"] and sizes[0] == 8 and sizes[1] == 2 and sizes[-1] == 8
    rates = [p["rate_hz"] for p in result["probes"]]
    # coarse from the second probe until one fired within a factor 2 of the target
    first_near = next(i for i, r in enumerate(rates) if 0.5 <= r <= 2.0)
    assert sizes == [8] + [2] * first_near + [8] * (len(sizes) - first_near - 1)
    assert [p["n_sims"] for p in result["probes"]] == sizes
    assert calibration.stored(tmp_path) == result
    # a cell near the target at its own rates needs one (full) probe
    fake = _fake_simulate(lambda s: 1.04 * s ** 2)
    sizes.clear()
    result = calibration.calibrate(spec, plan, 0, tmp_path / "near", counting)
    assert sizes == [8] and result["rate_scale"] == 1.0
    # a coarse probe within twice the tolerance is repeated at full size at its scale
    far = Probe(1.0, 0.05, 8)
    assert calibration.confirms(Probe(4.0, 1.09, 2), plan)
    assert not calibration.confirms(Probe(4.0, 1.11, 2), plan)
    assert not calibration.confirms(Probe(4.0, 1.01, 8), plan)  # full: nothing to confirm
    assert calibration.choose_scale([far, Probe(4.0, 1.09, 2)], plan) == 4.0
    assert calibration.probe_size([far, Probe(4.0, 1.09, 2)], plan) == 8
    # after a full probe, a biased coarse probe no longer steers
    full = Probe(4.0, 1.5, 8)
    assert calibration.choose_scale([far, Probe(4.0, 0.5, 2), full], plan) == pytest.approx(
        next_scale([far, full], plan))
    assert not calibration.done([far, Probe(4.0, 1.01, 2)], plan)
    assert calibration.done([far, Probe(4.0, 1.01, 2), Probe(4.0, 0.99, 8)], plan)
    assert calibration.done([Probe(1.0, 0.99)], plan)  # stored before coarse probes: full
    assert calibration.probe_size([far, Probe(2.0, 0.0, 2)], plan) == 2  # silent: coarse
    assert calibration.probe_size([], plan) == 8


def test_the_search_starts_at_the_specs_start_rate_scale(tmp_path: Path) -> None:
    lif = registry.get("lif")
    data = {**lif.data, "inputs": {**lif.data["inputs"], "start_rate_scale": 4.5}}
    started = dataclasses.replace(lif, data=data)
    plan = Calibration(n_sims=8, duration_ms=100_000, tolerance=0.05, coarse_n_sims=2)
    curve = _fake_simulate(lambda s: 0.05 * s ** 2)  # 1.01 Hz at 4.5
    result = calibration.calibrate(started, plan, 0, tmp_path / "started", curve)
    assert [p["rate_scale"] for p in result["probes"]] == [4.5] and result["converged"]
    result = calibration.calibrate(lif, plan, 0, tmp_path / "plain", curve)
    assert result["probes"][0]["rate_scale"] == 1.0 and len(result["probes"]) > 1


def test_after_a_full_probe_the_local_slope_steers() -> None:
    """A far first probe gives only a chord of the rate curve; the slope to the nearest
    probe (coarse ones included) steers from the full probe nearest the target."""
    plan = Calibration(n_sims=32, duration_ms=3000, coarse_n_sims=8)
    # allen_mouse_491766131's search (quick v2): x1 fired 38.6 Hz, a steep curve below
    probes = [Probe(1.0, 38.57, 32), Probe(0.25, 3.92, 8), Probe(0.1093, 0.0, 8),
              Probe(0.1653, 0.625, 8), Probe(0.1653, 0.656, 32)]
    chord = next_scale([p for p in probes if p.is_full(plan)], plan)
    slope = math.log(3.92 / 0.656) / math.log(0.25 / 0.1653)  # to the coarse neighbour
    assert calibration.local_exponent(probes, probes[-1], plan) == pytest.approx(slope)
    expected = 0.1653 * (1.0 / 0.656) ** (1.0 / slope)
    assert calibration.choose_scale(probes, plan) == pytest.approx(expected)
    assert chord == pytest.approx(0.1991, rel=1e-3) and expected == pytest.approx(0.182, 1e-2)
    # with both ends of the bracket full and nearest, the slope is the chord: interpolation
    probes.append(Probe(0.1991, 1.78, 32))
    assert calibration.choose_scale(probes, plan) == pytest.approx(
        next_scale([p for p in probes if p.is_full(plan)], plan))
    # a neighbour closer than MIN_SLOPE_SPAN gives no slope; one full probe: exponent 2
    near = [Probe(1.0, 0.5, 32), Probe(1.05, 0.6, 8)]
    assert calibration.local_exponent(near, near[0], plan) is None
    assert calibration.choose_scale(near[:1], plan) == pytest.approx(math.sqrt(2.0))
    # the result stays inside the full probes' bracket, 2% from its ends
    wild = [Probe(1.0, 0.9, 32), Probe(1.2, 50.0, 8), Probe(2.0, 1.5, 32)]
    assert calibration.choose_scale(wild, plan) == pytest.approx(1.02)


def test_a_steep_curve_is_calibrated_in_fewer_full_probes(tmp_path: Path) -> None:
    """A cell far above the target whose rate falls steeply toward threshold: the local
    slope finds the scale in 2 full probes after the first, where the chord needed 3."""
    spec = registry.get("lif")
    curve = lambda s: 40.0 * max(s - 0.15, 0.0) ** 1.5  # noqa: E731
    plan = Calibration(n_sims=8, duration_ms=100_000, tolerance=0.05, coarse_n_sims=2)
    result = calibration.calibrate(spec, plan, 0, tmp_path, _fake_simulate(curve))
    sizes = [p["n_sims"] for p in result["probes"]]
    assert result["converged"] and sizes == [8, 2, 8, 8]
    assert result["rate_scale"] == pytest.approx(0.15 + 0.025 ** (2 / 3), rel=0.02)


@pytest.mark.neuron
def test_lif_calibrates_to_a_higher_target_with_real_simulations(tmp_path: Path) -> None:
    """Real NEURON probes: the LIF (about 1 Hz at scale 1) is driven to 3 Hz +- 35%."""
    from benchmark.simulation.runner import simulate

    spec = registry.get("lif")
    plan = Calibration(n_sims=8, duration_ms=3000, target_rate_hz=3.0, tolerance=0.35)
    result = calibration.calibrate(
        spec, plan, 0, tmp_path,
        lambda s, data, seed, folder, scale: simulate(s, data, seed, folder, rate_scale=scale))
    assert result["converged"] and result["rate_scale"] > 1.0
    assert abs(result["achieved_rate_hz"] / 3.0 - 1.0) <= 0.35
    probes = result["probes"]
    assert probes[0]["rate_scale"] == 1.0 and probes[0]["rate_hz"] < 3.0
    # probes are ordinary simulation folders whose plans carry the scale
    last = json.loads((tmp_path / "calibration" / f"probe-{len(probes) - 1}" / "plan.json")
                      .read_text())
    assert last["protocol"]["rate_scale"] == pytest.approx(result["rate_scale"])
    assert last["seed"] == calibration.SEED_OFFSET
    rates = np.array([p["rate_hz"] for p in probes])
    scales = np.array([p["rate_scale"] for p in probes])
    assert np.all(np.diff(rates[np.argsort(scales)]) >= 0)  # more input, more output


@pytest.mark.neuron
def test_calibrate_command(tmp_path: Path) -> None:
    from conftest import run_cli

    proc = run_cli("calibrate", "--cell", "lif", "--profile", "quick", "--out", str(tmp_path),
                   check=True)
    assert "calibrated: input rates x1 " in proc.stdout  # the lif's own rates: about 1 Hz
    state = json.loads((tmp_path / "lif" / "quick" / "seed-0" / "calibration.json").read_text())
    # the lif's own rates are within the target: one full probe at x1
    assert [(p["rate_scale"], p["n_sims"]) for p in state["probes"]] == [(1.0, 32)]
    assert 0.8 <= state["probes"][-1]["rate_hz"] <= 1.2
    refused = run_cli("calibrate", "--cell", "lif", "--profile", "smoke", "--out", str(tmp_path))
    assert refused.returncode == 2 and "does not calibrate" in refused.stderr


def _noisy_simulate(curve: callable, search_bias: float, seeds: list[int]) -> callable:
    """A stand-in simulation stage whose simulations vary as the L5PC's do (gamma-
    distributed rates, CV about 1.4, then Poisson counts), and whose search draws
    (the calibration's common set) fire ``search_bias`` times the true curve."""

    def run(spec, data: DataPlan, seed: int, folder: Path, scale: float) -> None:
        seeds.append(seed)
        rng = np.random.default_rng(seed)
        bias = search_bias if seed == calibration.probe_seed(0, 0) else 1.0
        mean = curve(scale) * bias * data.duration_ms / 1000.0
        counts = rng.poisson(mean * rng.gamma(0.5, 2.0, size=data.n_train))
        folder.mkdir(parents=True, exist_ok=True)
        shards.write_index(folder, {"s": {"sim_indices": list(range(data.n_train)),
                                          "n_output_spikes": counts.tolist()}})

    return run


def test_a_confirmation_on_fresh_draws_moves_a_scale_its_search_draws_misplaced(
        tmp_path: Path) -> None:
    """The search's common draws fire twice the cell's rate, so the search ends where the
    cell fires half the target; probes of fresh draws find that out, move the scale along
    the search's slope and pool probes until the interval fits."""
    spec = registry.get("lif")
    curve = lambda s: 0.05 * s ** 2  # noqa: E731  (1 Hz at scale ~4.47; biased: ~3.16)
    plan = Calibration(n_sims=32, duration_ms=3000, tolerance=0.2, confirm_width=0.4)
    seeds: list[int] = []
    result = calibration.calibrate(spec, plan, 0, tmp_path, _noisy_simulate(curve, 2.0, seeds))
    fresh = [p for p in result["probes"] if p.get("draws")]
    search = [p for p in result["probes"] if not p.get("draws")]
    assert search and fresh and search[-1]["rate_scale"] < 3.6  # the search was misled
    assert result["rate_scale"] == pytest.approx(math.sqrt(20), rel=0.25)
    lo, hi = result["achieved_rate_ci"]
    assert lo >= 0.6 and hi <= 1.4 and within(result["achieved_rate_hz"], plan)
    group = result["confirmation"]["probes"]
    assert result["confirmation"]["within_width"]
    assert result["n_sims"] == 32 * len(group) == result["confirmation"]["n_sims"]
    assert group == [i for i, p in enumerate(result["probes"]) if p.get("draws")]
    assert 0.5 <= result["confirmation"]["exponent"] <= 6.0  # the search's local slope
    assert len(set(seeds[len(search):])) == len(fresh)  # every fresh probe its own draws
    assert calibration.probe_seed(0, 0) not in seeds[len(search):]
    again = calibration.calibrate(spec, plan, 0, tmp_path, _fake_simulate(lambda s: 1 / 0))
    assert again == result  # resumed: nothing simulated
    assert calibration.stored(tmp_path) == result


def test_without_confirm_width_the_search_decides_and_plans_compare_as_before(
        tmp_path: Path) -> None:
    spec = registry.get("lif")
    curve = lambda s: 0.05 * s ** 2  # noqa: E731
    plan = Calibration(n_sims=32, duration_ms=3000, tolerance=0.2)
    seeds: list[int] = []
    result = calibration.calibrate(spec, plan, 0, tmp_path, _noisy_simulate(curve, 2.0, seeds))
    assert "confirmation" not in result and set(seeds) == {calibration.probe_seed(0, 0)}
    assert "confirm_width" not in result["plan"]
    assert all("draws" not in p for p in result["probes"])
    assert "confirm_width" not in profiles.get("quick").to_dict()["calibration"]


def test_the_confirmation_verdicts() -> None:
    plan = Calibration(n_sims=32, duration_ms=3000, tolerance=0.2, confirm_width=0.4)
    verdict = calibration.confirm_verdict
    assert verdict(1.1, (0.7, 1.35), plan) == "done"
    assert verdict(1.1, (0.5, 1.35), plan) == "more"  # interval too wide
    assert verdict(1.3, (0.7, 2.0), plan) == "more"  # rate outside, target inside, wide
    assert verdict(1.3, (0.9, 1.7), plan) == "move"  # as narrow as a confirmed one
    assert verdict(0.5, (0.3, 0.75), plan) == "move"  # the target outside the interval
    assert verdict(1.7, (1.04, 2.6), plan) == "move"
    full = calibration.MAX_POOLED_PROBES  # then the pooled rate decides alone
    assert verdict(1.1, (0.5, 1.6), plan, full) == "done"
    assert verdict(1.3, (0.7, 2.0), plan, full) == "move"
    assert verdict(1.1, (0.5, 1.6), plan, full - 1) == "more"


@pytest.mark.neuron
def test_lif_confirmation_pools_fresh_real_simulations(tmp_path: Path) -> None:
    """Real NEURON probes: the scale the search ends on is confirmed on fresh draws of the
    lif's inputs, and the block that a record carries passes the record schema's part."""
    import jsonschema

    from benchmark.simulation.runner import simulate

    plan = Calibration(n_sims=8, duration_ms=3000, target_rate_hz=1.0, tolerance=0.35,
                       confirm_width=0.5)
    result = calibration.calibrate(
        registry.get("lif"), plan, 0, tmp_path,
        lambda s, data, seed, folder, scale: simulate(s, data, seed, folder, rate_scale=scale))
    group = result["confirmation"]["probes"]
    assert group and all(result["probes"][i]["draws"] >= 1 for i in group)
    assert len(result["probes"]) > len(group)  # a search came first
    seeds = [json.loads((tmp_path / "calibration" / f"probe-{i}" / "plan.json").read_text())
             ["seed"] for i in range(len(result["probes"]))]
    assert len(set(seeds[-len(group):])) == len(group)
    assert seeds[0] == calibration.SEED_OFFSET
    assert calibration.SEED_OFFSET not in seeds[-len(group):]
    lo, hi = result["achieved_rate_ci"]
    assert lo >= 0.5 and hi <= 1.5 and abs(result["achieved_rate_hz"] - 1.0) <= 0.35
    schema = json.loads((Path(calibration.__file__).parents[1] / "scoring" / "schemas"
                         / "record.schema.json").read_text())
    jsonschema.validate(result, schema["properties"]["calibration"])


def test_a_rate_too_variable_for_the_width_is_placed_by_its_pooled_probes(
        tmp_path: Path) -> None:
    """Simulations whose rates vary about three times their mean: 8 pooled probes cannot
    narrow the interval to +-10%, so from then on the pooled rate decides (moving the
    scale while it is outside the tolerance) and the record says so."""
    spec = registry.get("lif")
    plan = Calibration(n_sims=32, duration_ms=3000, tolerance=0.2, confirm_width=0.1)

    def run(spec, data: DataPlan, seed: int, folder: Path, scale: float) -> None:
        rng = np.random.default_rng(seed)
        mean = 0.05 * scale ** 2 * data.duration_ms / 1000.0
        counts = rng.poisson(mean * rng.gamma(0.1, 10.0, size=data.n_train))
        folder.mkdir(parents=True, exist_ok=True)
        shards.write_index(folder, {"s": {"sim_indices": list(range(data.n_train)),
                                          "n_output_spikes": counts.tolist()}})

    result = calibration.calibrate(spec, plan, 0, tmp_path, run)
    block = result["confirmation"]
    assert not block["within_width"] and len(block["probes"]) >= calibration.MAX_POOLED_PROBES
    assert within(result["achieved_rate_hz"], plan)
    assert calibration.stored(tmp_path) == result
