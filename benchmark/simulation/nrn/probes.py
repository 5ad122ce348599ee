"""Physiology probes of a built cell, without synaptic input (worker processes only).

Each probe takes the merged spec table and the cell's data files (name -> local path),
builds the cell once per process (:func:`cell_for`), and simulates at the spec's
``simulation`` dt_ms, integration, celsius_degc and v_init_mv
(:class:`benchmark.simulation.nrn.simulator.Settings`, set by
:func:`benchmark.simulation.nrn.simulator.apply`). The synapses exist but
receive no events. Every result is a JSON-able dict; units are in the keys (mV, ms, nA, um, Hz).

Initial state: ``resting`` starts at v_init_mv, as the benchmark's simulations do. The
stimulus probes start from the cell's steady state instead: after ``finitialize`` the cell
is advanced ``settle_ms`` through negative time in backward-Euler steps of ``settle_dt_ms``
(the fixed point of these steps is the steady state of the equations), then t is reset to
0, the spec's integration method is restored and recording starts (the custom
initialisation idiom of the NEURON documentation).

Locations: a dendritic site "at distance d" is the thickest point of the region at path
distance d (um) from the soma origin (``parameters.distance_origin``), as in the simulation
code of Hay et al. 2011 (ModelDB 139653): along the apical tree this follows the main trunk.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from neuron import h

from benchmark.simulation.nrn import builders, simulator
from benchmark.simulation.nrn.cell import BuiltCell
from benchmark.simulation.nrn.morphology import short_name
from benchmark.simulation.nrn.simulator import Settings

_CELLS: dict[str, BuiltCell] = {}
SETTLE_MS = 2000.0      # ms of settling before a stimulus probe
SETTLE_DT_MS = 10.0     # ms: backward-Euler step while settling
BASELINE_MS = 20.0      # ms of recorded baseline before a stimulus


def cell_for(spec: Mapping[str, Any], files: Mapping[str, str]) -> BuiltCell:
    """The cell of ``spec`` in this process, built on first use (one cell at a time)."""
    key = json.dumps(spec, sort_keys=True, default=str)
    if key not in _CELLS:
        for old in _CELLS.values():
            old.teardown()
        _CELLS.clear()
        _CELLS[key] = builders.get(spec["builder"])(spec, files)
    return _CELLS[key]


def run_sim(sim: Settings, tstop_ms: float, settle_ms: float = 0.0,
            settle_dt_ms: float = SETTLE_DT_MS) -> None:
    """Initialise at v_init_mv, settle ``settle_ms`` (see module docstring), run to tstop_ms."""
    simulator.apply(sim)
    h.finitialize(sim.v_init_mv)
    if settle_ms > 0:
        h.t, h.dt, h.secondorder = -settle_ms, settle_dt_ms, 0
        while h.t < -0.5 * settle_dt_ms:
            h.fadvance()
        h.t = 0.0
        simulator.apply(sim)
        h.fcurrent()
        h.frecord_init()
    simulator.advance(sim, tstop_ms)


def record(ref: Any) -> Any:
    """A Vector recording ``ref`` at every time step."""
    return h.Vector().record(ref)


def spike_times(v: Any, sim: Settings) -> np.ndarray:
    """Spike times (ms) in a recorded soma voltage (maxima above the spike threshold)."""
    return simulator.detect_spikes(v.as_numpy(), sim.dt_ms, sim.spike_threshold_mv)


def _origin(cell: BuiltCell, spec: Mapping[str, Any]) -> Any:
    x = float(spec.get("parameters", {}).get("distance_origin", 0.5))
    return cell.soma.sec(x)


def region_sections(cell: BuiltCell, region: str, probe: str) -> list[Any]:
    """Sections of a named region of a reconstructed cell; ValueError if it has none."""
    morph = next((k for k in cell.keep if hasattr(k, "region")), None)
    sections = morph.region(region) if morph is not None and hasattr(morph, region) else []
    if not sections:
        raise ValueError(f"probe '{probe}' needs a dendritic region '{region}', which this "
                         "cell does not have; use it on a reconstructed cell")
    return list(sections)


def locate(sections: Iterable[Any], distance_um: float, origin: Any) -> tuple[Any, float]:
    """The thickest point (section, x) of ``sections`` at path distance ``distance_um``."""
    best: tuple[float, Any, float] | None = None
    for sec in sections:
        d0, d1 = h.distance(origin, sec(0.0)), h.distance(origin, sec(1.0))
        if min(d0, d1) <= distance_um <= max(d0, d1) and d0 != d1:
            x = (distance_um - d0) / (d1 - d0)
            if best is None or sec(x).diam > best[0]:
                best = (sec(x).diam, sec, x)
    if best is None:
        raise ValueError(f"no point of the region lies {distance_um} um from the soma")
    return best[1], best[2]


def iclamp(segment: Any, amp_na: float, delay_ms: float, dur_ms: float) -> Any:
    """A current clamp (nA) on ``segment`` from ``delay_ms`` for ``dur_ms``."""
    stim = h.IClamp(segment)
    stim.amp, stim.delay, stim.dur = amp_na, delay_ms, dur_ms
    return stim


def resting(spec: Mapping[str, Any], files: Mapping[str, str], duration_ms: float = 1000.0,
            window_ms: float = 100.0) -> dict[str, Any]:
    """Soma voltage with no input, from v_init_mv for ``duration_ms``.

    Returns v_rest_mv (mean of the last ``window_ms``), drift_mv (that mean minus the mean
    of the window before), the range over the last window, the soma spike count and times
    (ms) over the whole run and ``fires_spontaneously``; v_steady_mv is the settled steady
    state.
    """
    if duration_ms < 2 * window_ms:
        raise ValueError(f"duration_ms ({duration_ms}) must be at least 2 x window_ms")
    sim, cell = Settings.from_spec(spec), cell_for(spec, files)
    v = record(cell.soma._ref_v)
    run_sim(sim, duration_ms)
    trace, n = v.as_numpy().copy(), round(window_ms / sim.dt_ms)
    spikes = spike_times(v, sim)
    del v
    run_sim(sim, 0.0, settle_ms=SETTLE_MS)
    last, before = trace[-n:], trace[-2 * n:-n]
    return {"duration_ms": duration_ms, "v_rest_mv": float(last.mean()),
            "drift_mv": float(last.mean() - before.mean()),
            "v_min_last_mv": float(last.min()), "v_max_last_mv": float(last.max()),
            "n_spikes": int(spikes.size), "fires_spontaneously": bool(spikes.size),
            "spike_times_ms": [float(t) for t in spikes],
            "v_steady_mv": float(cell.soma.v)}


def fi_curve(spec: Mapping[str, Any], files: Mapping[str, str], amplitudes_na: Sequence[float],
             step_ms: float = 500.0, settle_ms: float = SETTLE_MS) -> dict[str, Any]:
    """Soma spikes during a ``step_ms`` somatic current step of each amplitude (nA).

    The step starts after a BASELINE_MS baseline, from the settled state; the rate (Hz) is
    the number of spikes in the step over its duration; first_spike_ms is the latency;
    spike_times_ms are every spike's time from the step's start; zero_crossings counts
    upward crossings of 0 mV over the whole trace and v_max_mv is its maximum (mV).
    """
    sim, cell = Settings.from_spec(spec), cell_for(spec, files)
    rows = []
    for amp in amplitudes_na:
        stim = iclamp(cell.soma, float(amp), BASELINE_MS, step_ms)
        v = record(cell.soma._ref_v)
        run_sim(sim, BASELINE_MS + step_ms, settle_ms)
        t = spike_times(v, sim) - BASELINE_MS
        t = t[t >= 0]
        trace = v.as_numpy()
        rows.append({"amplitude_na": float(amp), "n_spikes": int(t.size),
                     "rate_hz": 1000.0 * t.size / step_ms,
                     "first_spike_ms": float(t[0]) if t.size else None,
                     "spike_times_ms": [round(float(x), 4) for x in t],
                     "zero_crossings": zero_crossings(trace),
                     "v_max_mv": float(trace.max())})
        del stim
    return {"step_ms": step_ms, "steps": rows}


def zero_crossings(v_mv: np.ndarray, level_mv: float = 0.0) -> int:
    """Upward crossings of ``level_mv`` (mV) in a voltage trace: a spike that rings around
    0 mV counts several times, where the spike detector sees one excursion."""
    above = np.asarray(v_mv) > level_mv
    return int(np.count_nonzero(above[1:] & ~above[:-1]))


def _first_peak(v: Any, i0: int, dt_ms: float) -> dict[str, float]:
    """From sample i0 on: baseline (mV), the first local maximum (amplitude over baseline,
    mV, and time from i0, ms) and the largest excursion over baseline (mV)."""
    trace = v.as_numpy()[i0:]
    d = np.diff(trace)
    turns = np.flatnonzero((d[:-1] > 0) & (d[1:] <= 0)) + 1
    k = int(turns[0]) if turns.size else int(np.argmax(trace))
    return {"baseline_mv": float(trace[0]), "amplitude_mv": float(trace[k] - trace[0]),
            "peak_ms": k * dt_ms, "max_excursion_mv": float(trace.max() - trace[0])}


def bap(spec: Mapping[str, Any], files: Mapping[str, str], distances_um: Sequence[float],
        amp_na: float = 1.9, dur_ms: float = 5.0, region: str = "apic",
        window_ms: float = 40.0, settle_ms: float = SETTLE_MS) -> dict[str, Any]:
    """Back-propagating AP: a brief somatic pulse (Hay et al. 2011: 1.9 nA, 5 ms).

    At the thickest point of ``region`` at each path distance (um), from the pulse onset:
    the bAP amplitude (first peak minus the voltage at onset, mV), its time (ms), and the
    largest excursion within ``window_ms`` (mV; bigger than the bAP when the bAP sets off
    a dendritic spike). Soma spikes are counted over ``window_ms``.
    """
    sim, cell = Settings.from_spec(spec), cell_for(spec, files)
    origin, secs = _origin(cell, spec), region_sections(cell, region, "bap")
    sites = [locate(secs, float(d), origin) for d in distances_um]
    stim = iclamp(cell.soma, amp_na, BASELINE_MS, dur_ms)
    vs = [record(cell.soma._ref_v)] + [record(sec(x)._ref_v) for sec, x in sites]
    run_sim(sim, BASELINE_MS + window_ms, settle_ms)
    i0 = round(BASELINE_MS / sim.dt_ms)
    peaks = [_first_peak(v, i0, sim.dt_ms) for v in vs]
    points = [{"distance_um": float(d), "section": short_name(sec), "x": float(x),
               "diam_um": float(sec(x).diam), **pk}
              for d, (sec, x), pk in zip(distances_um, sites, peaks[1:], strict=True)]
    spikes = spike_times(vs[0], sim) - BASELINE_MS
    del stim
    return {"amp_na": amp_na, "dur_ms": dur_ms, "n_soma_spikes": int(spikes.size),
            "soma_spike_ms": [float(t) for t in spikes], "soma": peaks[0], "points": points}


def epsp_waveform(peak_na: float, onset_ms: float, rise_ms: float, decay_ms: float,
                  dt_ms: float) -> tuple[np.ndarray, np.ndarray]:
    """Times (ms) and values (nA) of a double-exponential current peaking at ``peak_na``."""
    t_peak = rise_ms * decay_ms * math.log(decay_ms / rise_ms) / (decay_ms - rise_ms)
    norm = math.exp(-t_peak / decay_ms) - math.exp(-t_peak / rise_ms)
    s = np.arange(0.0, 10.0 * decay_ms, dt_ms)
    i = peak_na * (np.exp(-s / decay_ms) - np.exp(-s / rise_ms)) / norm
    return (np.concatenate(([0.0], onset_ms + s, [onset_ms + s[-1] + dt_ms])),
            np.concatenate(([0.0], i, [0.0])))


HAY_BAC_DELAY_MS = 295.0
"""Hay et al. 2011's BAC protocol starts the somatic pulse 295 ms after ``finitialize``
(their simulation code, ModelDB 139653), with no settling before."""


def bac(spec: Mapping[str, Any], files: Mapping[str, str], distance_um: float = 620.0,
        soma_amp_na: float = 1.9, soma_dur_ms: float = 5.0, epsp_peak_na: float = 0.5,
        epsp_rise_ms: float = 0.5, epsp_decay_ms: float = 5.0, epsp_lag_ms: float = 5.0,
        window_ms: float = 100.0, plateau_mv: float = -40.0, region: str = "apic",
        delay_ms: float = HAY_BAC_DELAY_MS, settle_ms: float = 0.0) -> dict[str, Any]:
    """BAC firing (Larkum et al. 1999; protocol of Hay et al. 2011): a somatic pulse, an
    EPSP-shaped current at the thickest point of ``region`` at ``distance_um`` starting
    ``epsp_lag_ms`` after the pulse onset, and both. By default as Hay's code runs it:
    from ``finitialize`` at v_init_mv, the pulse at ``delay_ms`` (295 ms), no settling
    (``settle_ms`` > 0 settles first, as the other stimulus probes do). Per condition:
    soma spikes (count, times from the pulse onset, ms), and at the dendritic site the
    peak (mV) and the time above ``plateau_mv`` (ms), which a calcium spike makes tens of
    ms long."""
    sim, cell = Settings.from_spec(spec), cell_for(spec, files)
    sec, x = locate(region_sections(cell, region, "bac"), distance_um, _origin(cell, spec))
    wave = epsp_waveform(epsp_peak_na, delay_ms + epsp_lag_ms, epsp_rise_ms, epsp_decay_ms,
                         sim.dt_ms)
    out: dict[str, Any] = {"site": {"distance_um": distance_um, "section": short_name(sec),
                                    "x": float(x), "diam_um": float(sec(x).diam)}}
    for name, soma_on, dend_on in (("soma", 1, 0), ("dendrite", 0, 1), ("both", 1, 1)):
        out[name] = _bac_condition(sim, cell.soma, sec(x), soma_on * soma_amp_na, soma_dur_ms,
                                   wave if dend_on else None, window_ms, plateau_mv, settle_ms,
                                   delay_ms)
    return out


def _bac_condition(sim: Settings, soma: Any, site: Any, soma_amp_na: float, soma_dur_ms: float,
                   wave: tuple[np.ndarray, np.ndarray] | None, window_ms: float,
                   plateau_mv: float, settle_ms: float, delay_ms: float) -> dict[str, Any]:
    stims = [iclamp(soma, soma_amp_na, delay_ms, soma_dur_ms)]
    if wave is not None:
        dend = iclamp(site, 0.0, 0.0, 1e9)
        tvec, ivec = h.Vector(wave[0]), h.Vector(wave[1])
        ivec.play(dend._ref_amp, tvec, 1)
        stims += [dend, tvec, ivec]
    v_soma, v_dend = record(soma._ref_v), record(site._ref_v)
    run_sim(sim, delay_ms + window_ms, settle_ms)
    i0 = round(delay_ms / sim.dt_ms)
    vd = v_dend.as_numpy()[i0:]
    spikes = spike_times(v_soma, sim) - delay_ms
    spikes = spikes[spikes >= 0]
    stims.clear()
    return {"n_soma_spikes": int(spikes.size), "soma_spike_ms": [float(t) for t in spikes],
            "dend_baseline_mv": float(vd[0]), "dend_peak_mv": float(vd.max()),
            "dend_above_ms": float((vd > plateau_mv).sum() * sim.dt_ms),
            "plateau_mv": plateau_mv}


def anatomy(spec: Mapping[str, Any], files: Mapping[str, str]) -> dict[str, Any]:
    """The built cell's structure, without simulating.

    Per region (soma, dend, apic, axon): sections, segments, and the membrane of its first
    section at x = 0.5 (cm uF/cm2, Ra ohm cm, every density mechanism's range variables,
    ena / ek mV where the ion exists). The axon's sections (L um, diam um, parent
    segment). Every input's kind, tree and section, in channel order.
    """
    cell = cell_for(spec, files)
    morph = next((k for k in cell.keep if hasattr(k, "region")), None)
    regions: dict[str, Any] = {}
    for name in ("soma", "dend", "apic", "axon"):
        sections = list(morph.region(name)) if morph is not None else []
        regions[name] = {"n_sections": len(sections),
                         "n_segments": sum(sec.nseg for sec in sections),
                         "first": _membrane(sections[0]) if sections else None}
    axon = [{"L_um": float(sec.L), "diam_um": float(sec(0.5).diam),
             "parent": short_name(sec.parentseg().sec), "parent_x": float(sec.parentseg().x)}
            for sec in (morph.region("axon") if morph is not None else [])]
    sites = cell.site_table()
    return {"regions": regions, "axon": axon,
            "sites": {k: list(sites[k]) for k in ("kind", "tree", "section")}}


def _membrane(sec: Any) -> dict[str, Any]:
    """cm, Ra, density mechanisms' range variables and ena / ek at ``sec(0.5)``."""
    seg = sec(0.5)
    info = sec.psection()
    mechanisms = {mech: {name: float(values[len(values) // 2]) for name, values in params.items()}
                  for mech, params in info["density_mechs"].items()}
    ions = {f"e{ion}_mv": float(getattr(seg, f"e{ion}")) for ion in ("na", "k")
            if h.ismembrane(f"{ion}_ion", sec=sec)}
    return {"cm_uf_per_cm2": float(seg.cm), "ra_ohm_cm": float(sec.Ra),
            "mechanisms": mechanisms, **ions}


def shape(spec: Mapping[str, Any], files: Mapping[str, str],
          decimals: int = 1) -> dict[str, Any]:
    """The built cell's 3D shape, for drawing (:func:`shape_of`)."""
    return shape_of(cell_for(spec, files), decimals)


def shape_of(cell: BuiltCell, decimals: int = 1) -> dict[str, Any]:
    """The 3D shape of ``cell``, the process's only cell: per section its region and its 3D
    points (x, y, z, diam in um, rounded to ``decimals``), in the reconstruction's frame.
    Sections without 3D points (a point neuron) get NEURON's default shape
    (``define_shape``, which may change their geometry in its last bits: simulate a fresh
    build afterwards). The simulation stage stores it as ``shape.json``
    (:func:`benchmark.simulation.worker.write_shape`)."""
    h.define_shape()
    morph = next((k for k in cell.keep if hasattr(k, "region")), None)
    region_of = ({sec: name for name in ("soma", "dend", "apic", "axon")
                  for sec in morph.region(name)} if morph is not None else {})
    sections = []
    for sec in h.allsec():
        points = [[round(float(f(i)), decimals) for f in (sec.x3d, sec.y3d, sec.z3d, sec.diam3d)]
                  for i in range(sec.n3d())]
        sections.append({"name": short_name(sec), "region": region_of.get(sec, "soma"),
                         "points_um": points})
    return {"sections": sections}


PROBES: dict[str, Callable[..., dict[str, Any]]] = {
    "resting": resting, "fi_curve": fi_curve, "bap": bap, "bac": bac, "anatomy": anatomy,
    "shape": shape}


def run(name: str, spec: Mapping[str, Any], files: Mapping[str, str],
        kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Run the probe called ``name`` with keyword arguments ``kwargs``."""
    if name not in PROBES:
        raise ValueError(f"unknown probe '{name}': use one of {', '.join(PROBES)}")
    return PROBES[name](spec, files, **kwargs)
