"""A cell's physiology report, ``physiology.json`` (parent side: never imports ``neuron``).

What it measures, with the probes of :mod:`benchmark.simulation.physiology` run in worker
processes (no synaptic input):

- the resting potential (mV; ``resting`` probe, from v_init_mv, mean of the last 100 ms);
- the rheobase on a fixed ladder of somatic step amplitudes (:data:`LADDER_NA`, nA: 1, 1.5,
  2, 3, 5, 7 per decade from 0.01 to 7 nA), 500 ms steps from the settled state: the
  smallest ladder amplitude whose step gives at least one spike. It is found in two
  rounds: the coarse ladder :data:`COARSE_NA` first, then every ladder amplitude between
  the last silent and the first firing coarse amplitude (:func:`refine_amplitudes`);
- an f-I table at the rheobase and the next three ladder amplitudes (:func:`table_amplitudes`;
  ratios 1.4-1.7 a step, so about 1x, 1.5x, 2-2.3x and 3-3.5x the rheobase, rounded by
  construction): spike count, rate (Hz) and first-spike latency from the step onset (ms);
- for a reconstructed cell with an apical tree (``parameters.morphology`` in the spec and
  an ``apic`` region in the built cell, :func:`has_apical_tree`): the bAP amplitude at
  Hay et al. 2011's trunk distances (:data:`BAP_SETTINGS`) and BAC firing
  (:data:`BAC_SETTINGS`), with Hay et al. 2011's published feature values
  (:data:`PUBLISHED`) beside them.

Each quantity of the report's ``quantities`` list carries its published value and source
where one exists, else ``published: null`` ("no published value here"). The Allen models'
fit files hold only passive values, conditions and the genome (no fitted features), so
the Allen cells have no published values here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmark.cells.spec import CellSpec
from benchmark.core import atomic
from benchmark.simulation import physiology

REPORT_FILE = "physiology.json"
FORMAT = "neurodepth-physiology"
FORMAT_VERSION = 1

LADDER_NA = tuple(round(m * 10.0 ** e, 4) for e in (-2, -1, 0)
                  for m in (1.0, 1.5, 2.0, 3.0, 5.0, 7.0))
"""Step amplitudes (nA) the rheobase is looked for on: 0.01 ... 7 nA."""
COARSE_NA = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
"""The first round of the rheobase search (nA; every one is on :data:`LADDER_NA`)."""
N_TABLE = 4          # amplitudes in the f-I table: the rheobase and the next three
STEP_MS = 500.0      # ms: somatic step duration
SETTLE_MS = 2000.0   # ms settled before each stimulus (the probes' default)
RESTING_SETTINGS = {"duration_ms": 1000.0, "window_ms": 100.0}
BAP_SETTINGS = {"distances_um": [100.0, 200.0, 400.0, 620.0, 660.0, 800.0], "amp_na": 1.9,
                "dur_ms": 5.0, "region": "apic", "window_ms": 40.0, "settle_ms": SETTLE_MS}
BAC_SETTINGS = {"distance_um": 620.0, "soma_amp_na": 1.9, "soma_dur_ms": 5.0,
                "epsp_peak_na": 0.5, "epsp_rise_ms": 0.5, "epsp_decay_ms": 5.0,
                "epsp_lag_ms": 5.0, "window_ms": 100.0, "plateau_mv": -40.0,
                "region": "apic"}

HAY2011 = ("Hay E, Hill S, Schuermann F, Markram H, Segev I (2011) PLoS Comput Biol "
           "7:e1002107")
PUBLISHED: dict[str, dict[str, Any]] = {
    "bap_soma_spikes": {
        "value": 1.0, "sd": 0.01,
        "source": f"{HAY2011}: bAP protocol (1.9 nA, 5 ms somatic pulse), feature "
                  "Spikecount (Hay's feature definitions, HAY_BAP)"},
    "bap_amplitude_mv@660um": {
        "value": 45.0, "sd": 10.0,
        "source": f"{HAY2011}: bAP amplitude at the first apical recording site, from "
                  "Larkum et al. 2001 J Physiol 533:447 (HAY_BAP)"},
    "bap_amplitude_mv@800um": {
        "value": 36.0, "sd": 9.33,
        "source": f"{HAY2011}: bAP amplitude at the second apical recording site, from "
                  "Larkum et al. 2001 J Physiol 533:447 (HAY_BAP)"},
    "bac_soma_spikes": {
        "value": 3.0, "sd": None,
        "source": f"{HAY2011}: BAC firing spike count (Hay's feature definitions, HAY_BAC), "
                  "after Larkum et al. 1999 Nature 398:338"},
    "bac_mean_isi_ms": {
        "value": 9.901, "sd": 0.8517,
        "source": f"{HAY2011}, Table 1: BAC firing mean ISI, from Larkum et al. 1999 "
                  "Nature 398:338 (HAY_BAC)"},
}
"""Hay et al. 2011's feature values (mean, SD) for the L5PC, with their sources; the same
numbers tests/test_l5pc_physiology.py asserts against."""


def ladder_index(amplitude_na: float) -> int:
    """Position of an amplitude on :data:`LADDER_NA` (ValueError if it is not on it)."""
    for i, a in enumerate(LADDER_NA):
        if math.isclose(a, amplitude_na, rel_tol=1e-9):
            return i
    raise ValueError(f"{amplitude_na} nA is not on the ladder")


def _fires(rows: Sequence[Mapping[str, Any]]) -> dict[float, bool]:
    return {float(r["amplitude_na"]): int(r["n_spikes"]) > 0 for r in rows}


def refine_amplitudes(coarse_rows: Sequence[Mapping[str, Any]]) -> list[float]:
    """The second round: every ladder amplitude above the last silent coarse amplitude (below
    the first firing one), up to three ladder steps above the first firing one, less those
    measured. Nothing fires: the ladder above the largest coarse amplitude."""
    fires = _fires(coarse_rows)
    measured = sorted(fires)
    firing = [a for a in measured if fires[a]]
    if not firing:
        lo, hi = ladder_index(measured[-1]) + 1, len(LADDER_NA)
    else:
        first = ladder_index(firing[0])
        silent = [a for a in measured if not fires[a] and a < firing[0]]
        lo = ladder_index(silent[-1]) + 1 if silent else first
        hi = min(len(LADDER_NA), first + N_TABLE)
    return [a for a in LADDER_NA[lo:hi] if not any(math.isclose(a, m) for m in measured)]


def rheobase(rows: Sequence[Mapping[str, Any]]) -> float | None:
    """The smallest measured amplitude (nA) whose step gives a spike; None if none does."""
    firing = [a for a, f in _fires(rows).items() if f]
    return min(firing) if firing else None


def table_amplitudes(rheobase_na: float | None) -> list[float]:
    """The f-I table's amplitudes (nA): the rheobase and the next ladder amplitudes, up to
    :data:`N_TABLE` (fewer at the top of the ladder); none without a rheobase."""
    if rheobase_na is None:
        return []
    i = ladder_index(rheobase_na)
    return list(LADDER_NA[i:i + N_TABLE])


def has_apical_tree(spec_data: Mapping[str, Any], anatomy: Mapping[str, Any]) -> bool:
    """Hay's dendritic protocols apply: a reconstruction (``parameters.morphology``) whose
    built cell has an ``apic`` region."""
    regions = anatomy.get("regions", {})
    return ("morphology" in spec_data.get("parameters", {})
            and bool(regions.get("apic", {}).get("n_sections")))


def _round(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(float(x), digits)


def _quantity(key: str, name: str, unit: str, value: Any) -> dict[str, Any]:
    return {"key": key, "quantity": name, "unit": unit, "value": value,
            "published": PUBLISHED.get(key)}


def assemble(cell: Mapping[str, Any], resting: Mapping[str, Any],
             steps: Sequence[Mapping[str, Any]], bap: Mapping[str, Any] | None = None,
             bac: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The report from the probes' results: ``cell`` (name, version, digest), the
    ``resting`` probe's result, every ``fi_curve`` step row measured (both rounds), and the
    ``bap`` and ``bac`` probes' results where they ran."""
    rows = sorted(steps, key=lambda r: float(r["amplitude_na"]))
    rheo = rheobase(rows)
    by_amp = {float(r["amplitude_na"]): r for r in rows}
    fi = [{"amplitude_na": a, "n_spikes": int(by_amp[a]["n_spikes"]),
           "rate_hz": _round(by_amp[a]["rate_hz"]),
           "first_spike_latency_ms": _round(by_amp[a]["first_spike_ms"])}
          for a in table_amplitudes(rheo) if a in by_amp]
    quantities = [
        _quantity("v_rest_mv", "resting potential", "mV", _round(resting["v_rest_mv"])),
        _quantity("rheobase_na", f"rheobase ({STEP_MS:g} ms steps, on the ladder)", "nA",
                  rheo)]
    for row in fi:
        a = row["amplitude_na"]
        quantities += [
            _quantity(f"rate_hz@{a:g}na", f"firing rate at {a:g} nA", "Hz", row["rate_hz"]),
            _quantity(f"first_spike_latency_ms@{a:g}na", f"first-spike latency at {a:g} nA",
                      "ms", row["first_spike_latency_ms"])]
    report: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "cell": {"name": cell["name"], "version": str(cell["version"]),
                 "digest": cell["digest"]},
        "settings": {"resting": RESTING_SETTINGS, "step_ms": STEP_MS, "settle_ms": SETTLE_MS,
                     "ladder_na": list(LADDER_NA), "coarse_na": list(COARSE_NA),
                     "bap": BAP_SETTINGS if bap is not None else None,
                     "bac": BAC_SETTINGS if bac is not None else None},
        "resting": {"v_rest_mv": _round(resting["v_rest_mv"]),
                    "drift_mv": _round(resting["drift_mv"], 4),
                    "n_spikes": int(resting["n_spikes"])},
        "rheobase_na": rheo,
        "steps_measured": [{"amplitude_na": float(r["amplitude_na"]),
                            "n_spikes": int(r["n_spikes"])} for r in rows],
        "fi": fi, "bap": None, "bac": None,
    }
    if bap is not None:
        points = [{"distance_um": p["distance_um"], "amplitude_mv": _round(p["amplitude_mv"]),
                   "max_excursion_mv": _round(p["max_excursion_mv"])} for p in bap["points"]]
        report["bap"] = {"n_soma_spikes": int(bap["n_soma_spikes"]), "points": points}
        quantities.append(_quantity("bap_soma_spikes", "bAP protocol: soma spikes", "",
                                    int(bap["n_soma_spikes"])))
        quantities += [_quantity(f"bap_amplitude_mv@{p['distance_um']:g}um",
                                 f"bAP amplitude at {p['distance_um']:g} um", "mV",
                                 p["amplitude_mv"]) for p in points]
    if bac is not None:
        both = bac["both"]
        times = list(both["soma_spike_ms"])
        isi = (_round(sum(b - a for a, b in zip(times, times[1:], strict=False))
                      / (len(times) - 1)) if len(times) >= 2 else None)
        report["bac"] = {name: {"n_soma_spikes": int(bac[name]["n_soma_spikes"]),
                                "dend_peak_mv": _round(bac[name]["dend_peak_mv"]),
                                "dend_above_ms": _round(bac[name]["dend_above_ms"])}
                         for name in ("soma", "dendrite", "both")}
        report["bac"]["both"]["mean_isi_ms"] = isi
        quantities += [
            _quantity("bac_soma_spikes", "BAC (pulse + EPSP): soma spikes", "",
                      int(both["n_soma_spikes"])),
            _quantity("bac_mean_isi_ms", "BAC burst: mean ISI", "ms", isi),
            _quantity("bac_dend_above_ms", "BAC: dendrite above -40 mV", "ms",
                      _round(both["dend_above_ms"]))]
    report["quantities"] = quantities
    return report


def _chunks(amplitudes: Sequence[float], n: int) -> list[list[float]]:
    """Amplitudes dealt round-robin into at most ``n`` non-empty requests."""
    n = max(1, min(n, len(amplitudes)))
    return [list(amplitudes[i::n]) for i in range(n)]


def _steps(amplitudes: Sequence[float], n: int) -> list[physiology.Request]:
    return [("fi_curve", {"amplitudes_na": c, "step_ms": STEP_MS, "settle_ms": SETTLE_MS})
            for c in _chunks(amplitudes, n) if c]


def measure(spec: CellSpec, n_workers: int = 1, *,
            mirror: Path | None = None) -> dict[str, Any]:
    """Run the probes on ``spec`` in two rounds (two worker pools) and assemble the report."""
    first = physiology.measure_many(
        spec, [("anatomy", {}), ("resting", RESTING_SETTINGS), *_steps(COARSE_NA, n_workers)],
        n_workers, mirror=mirror)
    anatomy, resting = first[0], first[1]
    steps = [row for r in first[2:] for row in r["steps"]]
    dendritic = has_apical_tree(spec.data, anatomy)
    second_requests = _steps(refine_amplitudes(steps), n_workers)
    if dendritic:
        second_requests += [("bap", BAP_SETTINGS), ("bac", BAC_SETTINGS)]
    second = (physiology.measure_many(spec, second_requests, n_workers, mirror=mirror)
              if second_requests else [])
    bap = bac = None
    if dendritic:
        *second, bap, bac = second
    steps += [row for r in second for row in r["steps"]]
    cell = {"name": spec.name, "version": spec.data["version"], "digest": spec.digest()}
    return assemble(cell, resting, steps, bap, bac)


def write(report: Mapping[str, Any], path: Path) -> Path:
    """Write the report as JSON, atomically."""
    atomic.write_json(path, report)
    return path


def published_text(published: Mapping[str, Any] | None) -> str:
    """``45 +- 10`` (with its SD where known), or "no published value here"."""
    if not published:
        return "no published value here"
    sd = published.get("sd")
    return f"{published['value']:g}" + (f" +- {sd:g}" if sd is not None else "")


def summary(report: Mapping[str, Any]) -> str:
    """One line: rest, rheobase, the f-I rates and, for the L5PC, bAP and BAC."""
    rheo = report["rheobase_na"]
    parts = [f"{report['cell']['name']}: rest {report['resting']['v_rest_mv']:.1f} mV",
             f"rheobase {rheo:g} nA" if rheo is not None
             else f"no spike up to {LADDER_NA[-1]:g} nA"]
    if report["fi"]:
        parts.append("f-I " + ", ".join(f"{r['amplitude_na']:g} nA {r['rate_hz']:g} Hz"
                                        for r in report["fi"]))
    if report["bap"] is not None:
        parts.append("bAP " + ", ".join(f"{p['distance_um']:g} um {p['amplitude_mv']:.1f} mV"
                                        for p in report["bap"]["points"]))
    if report["bac"] is not None:
        both = report["bac"]["both"]
        parts.append(f"BAC {both['n_soma_spikes']} spikes, mean ISI "
                     f"{'n/a' if both['mean_isi_ms'] is None else both['mean_isi_ms']} ms")
    return "; ".join(parts)
