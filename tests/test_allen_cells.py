"""The six Allen Institute cells in NEURON: built from the mirror as their family says,
resting, silent without input, firing for a somatic step, one input pair per segment.

Real NEURON in worker processes (one pool of two workers for all six cells; the pytest
process never imports ``neuron``), from the cell-data mirror (``$NEURODEPTH_MIRROR``,
the tests skip without one). Voltages are compared as allensdk reports them: the
model's minus the fit file's junction potential (-14 mV), i.e. 14 mV more depolarised.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from benchmark.cells import allen_fit, registry
from benchmark.simulation import executors, physiology

pytestmark = [pytest.mark.neuron, pytest.mark.slow]

STEP_MS = 500.0      # ms: somatic current step (from the settled state)
REST_MS = 600.0      # ms: no input, from the fit file's v_init
TRANSIENT_MS = 50.0  # ms: spikes before this are the start from v_init, not spontaneous
# Step amplitude (nA) per cell: about 1.5-2x rheobase, measured 2026-11-24 (500 ms steps).
STEP_NA = {
    "allen_mouse_491766131": 0.4,
    "allen_mouse_497232312": 0.4,
    "allen_mouse_486556811": 0.4,
    "allen_human_541557114": 0.4,
    "allen_human_695500665": 0.2,
    "allen_human_h16_1606013050101": 0.2,
}
CELLS = sorted(STEP_NA)


@pytest.fixture(scope="module")
def measured() -> Iterator[dict[str, dict[str, Any]]]:
    """Anatomy, rest and one step of every cell, in one pool of two workers."""
    with pytest.MonkeyPatch.context():
        mirror = os.environ.get("NEURODEPTH_MIRROR")
        specs = {name: registry.get(name) for name in CELLS}
        for spec in specs.values():
            for file in spec.files:
                if not mirror or not (Path(mirror) / file.mirror_path).is_file():
                    pytest.skip(f"{file.mirror_path} is not in the cell-data mirror: set "
                                "NEURODEPTH_MIRROR to run the Allen cell tests")
        jobs = [(specs[name], [("anatomy", {}),
                               ("resting", {"duration_ms": REST_MS, "window_ms": 100.0}),
                               ("fi_curve", {"amplitudes_na": [STEP_NA[name]],
                                             "step_ms": STEP_MS}),
                               ("shape", {})])
                for name in CELLS]
        results = physiology.measure_cells(jobs, n_workers=min(2, executors.default_workers()))
        out = {name: {"anatomy": a, "resting": r, "step": f["steps"][0], "shape": sh,
                      "plan": allen_fit.load(Path(mirror) / _fit_file(specs[name]))}
               for name, (a, r, f, sh) in zip(CELLS, results, strict=True)}
        _print_summary(out)
        yield out


def _fit_file(spec: Any) -> str:
    return next(f.mirror_path for f in spec.files if f.name == spec.get("parameters.fit_file"))


def _print_summary(out: dict[str, dict[str, Any]]) -> None:
    print()
    for name, m in out.items():
        r, s, plan = m["resting"], m["step"], m["plan"]
        print(f"{name}: rest {r['v_rest_mv']:.1f} mV model, "
              f"{plan.reported_mv(r['v_rest_mv']):.1f} mV reported, drift {r['drift_mv']:.3f}, "
              f"spikes from v_init {r['spike_times_ms']}; {s['amplitude_na']} nA step: "
              f"{s['n_spikes']} spikes, {s['rate_hz']:.1f} Hz, first {s['first_spike_ms']} ms")


@pytest.mark.parametrize("name", CELLS)
def test_axon_follows_the_family_rule(measured: dict[str, dict[str, Any]], name: str) -> None:
    """perisomatic: two 30 um x 1 um sections from soma[0](0.5) (allensdk Utils); legacy
    all-active: two 30 um sections from soma[0](1) with the reconstruction's diameters
    (AllActiveUtils, truncated; every legacy reconstruction here has one axon section, so
    both take its diameter); newer all-active: no axon (axon_morph.delete_axon)."""
    axon, rule = measured[name]["anatomy"]["axon"], measured[name]["plan"].axon_rule
    if rule == "delete":
        assert axon == []
        return
    assert [(a["L_um"], a["parent"]) for a in axon] == [(30.0, "soma[0]"), (30.0, "axon[0]")]
    assert axon[1]["parent_x"] == 1.0
    if rule == "stub":
        assert [a["diam_um"] for a in axon] == [1.0, 1.0] and axon[0]["parent_x"] == 0.5
    else:
        assert axon[0]["parent_x"] == 1.0
        assert axon[0]["diam_um"] == axon[1]["diam_um"] and axon[0]["diam_um"] > 0


@pytest.mark.parametrize("name", CELLS)
def test_membrane_is_the_fit_file(measured: dict[str, dict[str, Any]], name: str) -> None:
    """The first section of every region carries the plan's passive values, mechanisms
    (gbar etc.) and, where the ion exists, the file's ena / ek."""
    plan: allen_fit.FitPlan = measured[name]["plan"]
    for region, info in measured[name]["anatomy"]["regions"].items():
        if info["n_sections"] == 0:
            continue
        first, section = info["first"], plan.sections[region]
        assert first["cm_uf_per_cm2"] == pytest.approx(section.passive.cm_uf_per_cm2)
        assert first["ra_ohm_cm"] == pytest.approx(section.passive.ra_ohm_cm)
        assert first["mechanisms"]["pas"]["g"] == pytest.approx(section.passive.g_pas_s_per_cm2)
        assert first["mechanisms"]["pas"]["e"] == pytest.approx(section.passive.e_pas_mv)
        assert set(first["mechanisms"]) == {"pas", *section.mechanisms}
        for mech, values in section.mechanisms.items():
            for full_name, value in values.items():
                param = full_name[: -len(mech) - 1]
                assert first["mechanisms"][mech][param] == pytest.approx(value), full_name
        reversal = plan.reversals.get(region)
        if reversal is not None and "ena_mv" in first:
            assert first["ena_mv"] == reversal.ena_mv
        if reversal is not None and "ek_mv" in first:
            assert first["ek_mv"] == reversal.ek_mv


@pytest.mark.parametrize("name", CELLS)
def test_one_exc_and_one_inh_input_per_dendritic_segment(measured: dict[str, dict[str, Any]],
                                                        name: str) -> None:
    """Basal (SWC type 3, ``dend``) then apical (type 4, ``apic``) segments, excitatory
    inputs first, then the inhibitory ones on the same segments."""
    anatomy = measured[name]["anatomy"]
    n_basal = anatomy["regions"]["dend"]["n_segments"]
    n_apical = anatomy["regions"]["apic"]["n_segments"]
    assert n_basal > 0 and n_apical > 0
    sites, n = anatomy["sites"], n_basal + n_apical
    assert sites["kind"] == ["exc"] * n + ["inh"] * n
    assert sites["tree"] == (["basal"] * n_basal + ["apical"] * n_apical) * 2
    assert all(s.startswith("dend[") for s in sites["section"][:n_basal])
    assert all(s.startswith("apic[") for s in sites["section"][n_basal:n])
    assert sites["section"][n:] == sites["section"][:n]


@pytest.mark.parametrize("name", CELLS)
def test_rests_in_a_plausible_range(measured: dict[str, dict[str, Any]], name: str) -> None:
    """Reported rest (model minus junction potential) between -90 and -50 mV, settled to
    within 0.5 mV per 100 ms. The newer human all-active models rest near -54 mV reported
    (-68 mV in the model, their v_init), the H16 model near -59 mV: above the -60 mV that
    mouse L5 cells usually show, hence the -50 mV bound."""
    r, plan = measured[name]["resting"], measured[name]["plan"]
    assert -90.0 <= plan.reported_mv(r["v_rest_mv"]) <= -50.0
    assert abs(r["drift_mv"]) < 0.5


@pytest.mark.parametrize("name", CELLS)
def test_silent_without_input(measured: dict[str, dict[str, Any]], name: str) -> None:
    """No spike without input once the start from v_init is over (the H16 file's v_init,
    -59 mV, is 14 mV above the model's rest; with NaV's Allen start it does not fire there,
    tests/test_allen_rest.py)."""
    spikes = measured[name]["resting"]["spike_times_ms"]
    assert [t for t in spikes if t >= TRANSIENT_MS] == []


@pytest.mark.parametrize("name", CELLS)
def test_fires_for_a_somatic_step(measured: dict[str, dict[str, Any]], name: str) -> None:
    step = measured[name]["step"]
    assert step["n_spikes"] >= 2, step
    assert step["first_spike_ms"] < 200.0


@pytest.mark.parametrize("name", CELLS)
def test_shape_is_the_built_cell(measured: dict[str, dict[str, Any]], name: str) -> None:
    """The ``shape`` probe (the site's drawing) lists every built section under its region,
    with 3D points; the apical tree reaches further from the soma than the basal tree."""
    sections = measured[name]["shape"]["sections"]
    regions = measured[name]["anatomy"]["regions"]
    for region, info in regions.items():
        assert sum(s["region"] == region for s in sections) == info["n_sections"], region
    assert all(len(s["points_um"]) >= 2 and all(len(p) == 4 for p in s["points_um"])
               for s in sections)
    soma = np.mean([p[:3] for s in sections if s["region"] == "soma" for p in s["points_um"]],
                   axis=0)

    def reach(region: str) -> float:
        pts = np.array([p[:3] for s in sections if s["region"] == region for p in s["points_um"]])
        return float(np.max(np.linalg.norm(pts - soma, axis=1)))

    assert reach("apic") > reach("dend") > 20.0
