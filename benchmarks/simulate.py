"""Simulation speed and accuracy: CPU seconds per simulated second, per engine or per
integration setting.

usage: python benchmarks/simulate.py --engines [--cells CELL ...] [--n-sims 8]
           [--duration-ms 6000] [--rate-scale auto]
       python benchmarks/simulate.py [--cells l5pc_hay2011 l5pc_hay2011_no_nmda]
           [--n-sims 2] [--duration-ms 6000] [--settings euler-0.025 cn-0.05 ...]
           [--rate-scale 1.0]

``--engines``: every registered cell (or ``--cells``) at its own integration setting, on
CoreNEURON and on NEURON side by side: one worker process per engine, both running at once
on the same inputs (the cell's protocol, run seed 0, simulation indices 0..n-1), each with
its own mechanism build (CoreNEURON's with the optimisation flags of
``benchmark.simulation.mechanisms.coreneuron_flags``). Reported per engine: the median and
every simulation's CPU seconds per simulated second (the worker's ``time.process_time``
around each simulation; build excluded) and the output rate; per cell: NEURON's cost over
CoreNEURON's, and the largest soma difference (mV, on the 1 ms samples) and spike-time
agreement between them. ``--rate-scale auto`` (the default here) drives each cell at the
input-rate scale of its committed leaderboard record (its calibrated scale), else 1.

Settings mode (without ``--engines``):

For each cell, every setting simulates the same inputs (the cell's common protocol, run
seed 0, simulation indices 0..n-1) in worker processes (``--workers``), so the settings
are measured side by side in one run. Each setting's CPU time is the worker's
``time.process_time`` around each simulation (build excluded). Accuracy is measured
against the first setting (the reference, backward Euler at 0.025 ms): the fraction of reference
soma spikes with a spike of the setting within 1 ms (and the count of extra spikes), and
the RMSE (mV) of the soma voltage sampled every 1 ms, raw and clipped at -55 mV as the
fitted target is.

Settings: ``euler-<dt_ms>`` (fixed step, backward Euler), ``cn-<dt_ms>`` (fixed step,
Crank-Nicolson: ``secondorder = 2``), ``cvode-<atol>`` (variable step, absolute
tolerance in mV-scaled units). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmark.cells import data_files, registry
from benchmark.scoring import record
from benchmark.simulation import executors, mechanisms, protocol, worker

SPIKE_TOLERANCE_MS = 1.0
CLIP_MV = -55.0  # the soma target's clip level (reference protocol): what the networks fit


def _configure(setting: str) -> float:
    """Set NEURON's integrator for ``setting``; returns the dt (ms) to use."""
    from neuron import h

    kind, value = setting.split("-", 1)
    cvode = h.CVode()
    cvode.cache_efficient(1)
    h.secondorder = 2 if kind == "cn" else 0
    cvode.active(1 if kind == "cvode" else 0)
    if kind == "cvode":
        cvode.atol(float(value))
        return 0.025
    return float(value)


def _inputs(digest: str, input_sites: protocol.InputSites, params: protocol.ProtocolParams,
            sim_index: int, duration_ms: int) -> tuple[np.ndarray, np.ndarray]:
    """The input events of simulation ``sim_index`` of run seed 0 (channel, time in ms)."""
    rng = protocol.input_rng(digest, 0, sim_index)
    return protocol.to_events(protocol.generate_inputs(input_sites, params, duration_ms, rng))


def run_setting(spec_data: dict[str, Any], digest: str, files: dict[str, str],
                protocol_params: dict[str, Any], setting: str, n_sims: int,
                duration_ms: int) -> dict[str, Any]:
    """Worker side: simulate ``n_sims`` protocol simulations under ``setting``."""
    from neuron import h

    input_sites = worker._input_sites(worker._cell(spec_data, digest, files).site_table())
    params = protocol.ProtocolParams.from_dict(protocol_params)
    dt = _configure(setting)
    method = "crank_nicolson" if setting.startswith("cn") else "backward_euler"
    data = dict(spec_data, simulation=dict(spec_data["simulation"], dt_ms=dt,
                                           integration=method))
    out: dict[str, Any] = {"cpu_s": [], "soma_mv": [], "spikes_ms": []}
    for k in range(n_sims):
        channel, time_ms = _inputs(digest, input_sites, params, k, duration_ms)
        start = time.process_time()
        soma, spikes = (_simulate_cvode(data, channel, time_ms, duration_ms)
                        if setting.startswith("cvode")
                        else worker.simulate_one(data, channel, time_ms, duration_ms))
        out["cpu_s"].append(time.process_time() - start)
        out["soma_mv"].append(soma.tolist())
        out["spikes_ms"].append(spikes.tolist())
    h.CVode().active(0)
    h.secondorder = 0
    return out


def _simulate_cvode(data: dict[str, Any], channel: np.ndarray, time_ms: np.ndarray,
                    duration_ms: int) -> tuple[np.ndarray, np.ndarray]:
    """Variable step: record at 1 ms and at every step; spikes from the step record."""
    from neuron import h

    cell, player = worker._STATE["cell"], worker._STATE["player"]
    sim = data["simulation"]
    h.tstop, h.celsius = float(duration_ms), float(sim["celsius_degc"])
    v_1ms = h.Vector().record(cell.soma._ref_v, 1.0)
    v_all, t_all = h.Vector().record(cell.soma._ref_v), h.Vector().record(h._ref_t)
    player.set_events(channel, time_ms.astype(np.float64))
    player.run(float(duration_ms), float(sim["v_init_mv"]))
    v, t = v_all.as_numpy().copy(), t_all.as_numpy().copy()
    idx = worker.detect_spikes(v, 1.0, float(sim["spike_threshold_mv"])).astype(int)
    spikes = t[idx]
    return v_1ms.as_numpy()[:duration_ms].astype(np.float32), spikes


def compare(ref: dict[str, Any], got: dict[str, Any]) -> dict[str, Any]:
    """Spike-time agreement and soma RMSE (mV) of ``got`` against ``ref``."""
    matched = total = extra = 0
    sq, sq_clip, n = 0.0, 0.0, 0
    for r_sp, g_sp, r_v, g_v in zip(ref["spikes_ms"], got["spikes_ms"], ref["soma_mv"],
                                    got["soma_mv"], strict=True):
        r_sp, g_sp = np.asarray(r_sp), np.asarray(g_sp)
        total += len(r_sp)
        near = [np.any(np.abs(g_sp - t) <= SPIKE_TOLERANCE_MS) for t in r_sp]
        matched += int(np.sum(near))
        extra += max(0, len(g_sp) - int(np.sum(near)))
        r_v, g_v = np.asarray(r_v, dtype=float), np.asarray(g_v, dtype=float)
        sq, n = sq + float(np.sum((r_v - g_v) ** 2)), n + r_v.size
        clipped = np.minimum(r_v, CLIP_MV) - np.minimum(g_v, CLIP_MV)
        sq_clip += float(np.sum(clipped ** 2))
    return {"reference_spikes": total, "matched_within_1ms": matched,
            "fraction_matched": matched / total if total else None, "extra_spikes": extra,
            "soma_rmse_mv": (sq / n) ** 0.5, "clipped_soma_rmse_mv": (sq_clip / n) ** 0.5}


def bench_cell(name: str, settings: list[str], n_sims: int, duration_ms: int,
               workers: int = 1, rate_scale: float = 1.0) -> dict[str, Any]:
    spec = registry.get(name)
    files = data_files.ensure(spec)
    library = mechanisms.library_path(mechanisms.compile_mechanisms(spec.mechanism_sources()))
    results: dict[str, Any] = {}
    with executors.simulation_pool(library, workers) as pool:
        params = protocol.cell_params(spec, rate_scale=rate_scale).to_dict()
        data = dict(spec.with_engine("neuron").data)  # settings compare NEURON's integrators
        futures = {s: pool.submit(run_setting, data, spec.digest(), files, params, s, n_sims,
                                  duration_ms) for s in settings}
        raw = {s: f.result() for s, f in futures.items()}
    ref = raw[settings[0]]
    for s in settings:
        cpu = float(np.sum(raw[s]["cpu_s"]))
        results[s] = {"cpu_s_per_simulated_s": cpu / (n_sims * duration_ms / 1000.0),
                      "output_rate_hz": sum(map(len, raw[s]["spikes_ms"]))
                      / (n_sims * duration_ms / 1000.0),
                      **({} if s == settings[0] else {"vs_reference": compare(ref, raw[s])})}
        ratio = results[settings[0]]["cpu_s_per_simulated_s"] / results[s]["cpu_s_per_simulated_s"]
        results[s]["speedup_vs_reference"] = ratio
    return results


def run_engine(spec_data: dict[str, Any], digest: str, files: dict[str, str],
               protocol_params: dict[str, Any], n_sims: int, duration_ms: int
               ) -> dict[str, Any]:
    """Worker side: ``n_sims`` protocol simulations with the engine ``spec_data`` names."""
    input_sites = worker._input_sites(worker._cell(spec_data, digest, files).site_table())
    params = protocol.ProtocolParams.from_dict(protocol_params)
    out: dict[str, Any] = {"cpu_s": [], "soma_mv": [], "spikes_ms": []}
    for k in range(n_sims):
        channel, time_ms = _inputs(digest, input_sites, params, k, duration_ms)
        start = time.process_time()
        soma, spikes = worker.simulate_one(spec_data, channel, time_ms, duration_ms)
        out["cpu_s"].append(time.process_time() - start)
        out["soma_mv"].append(soma.astype(np.float64))
        out["spikes_ms"].append(spikes.tolist())
    return out


def record_rate_scale(name: str) -> float:
    """The input-rate scale of the cell's committed leaderboard record, else 1."""
    for path in sorted((REPO / "leaderboard" / "records" / name).glob("*/record.json")):
        scale = json.loads(path.read_text())["protocol"]["params"].get("rate_scale")
        if isinstance(scale, (int, float)):
            return float(scale)
    return 1.0


def bench_engines(name: str, n_sims: int, duration_ms: int, rate_scale: float | None
                  ) -> dict[str, Any]:
    """Both engines on the same inputs, one worker process each, at the same time."""
    from benchmark.simulation import engine as engine_mod

    spec = registry.get(name)
    files = data_files.ensure(spec)
    scale = record_rate_scale(name) if rate_scale is None else rate_scale
    params = protocol.cell_params(spec, rate_scale=scale).to_dict()
    choices = {e: engine_mod.choose(spec, e) for e in ("coreneuron", "neuron")}
    pools = {e: executors.simulation_pool(c.library, 1) for e, c in choices.items()}
    try:
        futures = {e: pools[e].submit(run_engine, dict(spec.with_engine(c.engine).data),
                                      spec.digest(), files, params, n_sims, duration_ms)
                   for e, c in choices.items()}
        raw = {e: f.result() for e, f in futures.items()}
    finally:
        for pool in pools.values():
            pool.shutdown()
    seconds = duration_ms / 1000.0
    out: dict[str, Any] = {"setting": _cell_setting(name), "rate_scale": scale,
                           "fallback_reason": choices["coreneuron"].fallback_reason}
    for e, data in raw.items():
        per_sim = [c / seconds for c in data["cpu_s"]]
        out[e] = {"cpu_s_per_simulated_s": float(np.median(per_sim)),
                  "per_simulation": [round(x, 4) for x in per_sim],
                  "output_rate_hz": sum(map(len, data["spikes_ms"])) / (n_sims * seconds)}
    out["speedup"] = (out["neuron"]["cpu_s_per_simulated_s"]
                      / out["coreneuron"]["cpu_s_per_simulated_s"])
    dv = max(float(np.max(np.abs(a - b))) for a, b in zip(raw["coreneuron"]["soma_mv"],
                                                          raw["neuron"]["soma_mv"], strict=True))
    out["max_abs_dv_mv_1ms_samples"] = dv
    out["same_spikes"] = raw["coreneuron"]["spikes_ms"] == raw["neuron"]["spikes_ms"]
    return out


def _cell_setting(name: str) -> str:
    """The setting a cell's spec asks for, in this script's notation."""
    sim = registry.get(name).data["simulation"]
    prefix = "cn" if sim.get("integration") == "crank_nicolson" else "euler"
    return f"{prefix}-{sim['dt_ms']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", action="store_true",
                        help="CoreNEURON against NEURON, each cell at its own setting")
    parser.add_argument("--cells", nargs="+", default=None,
                        help="cells (default: --engines every registered cell, else the L5PCs)")
    parser.add_argument("--settings", nargs="+",
                        default=["euler-0.025", "euler-0.05", "cn-0.05"])
    parser.add_argument("--n-sims", type=int, default=2)
    parser.add_argument("--duration-ms", type=int, default=6000)
    parser.add_argument("--rate-scale", default=None,
                        help="factor on every input rate (a calibrated run's rate_scale); "
                             "default: 1, or with --engines each cell's record's ('auto')")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes (settings run in parallel; CPU time is per "
                             "process, so the ratios stay comparable)")
    args = parser.parse_args()
    scale = None if args.rate_scale in (None, "auto") else float(args.rate_scale)
    if args.engines:
        cells = args.cells or [s.name for s in registry.all_specs()]
        print(json.dumps({
            "benchmark": "simulate --engines", "n_sims": args.n_sims,
            "duration_ms": args.duration_ms, "cpu": record.cpu_model(),
            "cpu_count": os.cpu_count(), "python": platform.python_version(),
            "neuron": mechanisms.neuron_version(),
            "coreneuron_flags": mechanisms.coreneuron_flags(),
            "cells": {c: bench_engines(c, args.n_sims, args.duration_ms, scale) for c in cells},
        }, indent=2))
        return
    args.cells = args.cells or ["l5pc_hay2011", "l5pc_hay2011_no_nmda"]
    args.rate_scale = 1.0 if scale is None else scale
    report = {
        "benchmark": "simulate",
        "cell_settings": {c: _cell_setting(c) for c in args.cells},
        "n_sims": args.n_sims, "duration_ms": args.duration_ms, "rate_scale": args.rate_scale,
        "reference_setting": args.settings[0], "cpu": record.cpu_model(),
        "cpu_count": os.cpu_count(), "python": platform.python_version(),
        "neuron": mechanisms.neuron_version(),
        "cells": {c: bench_cell(c, args.settings, args.n_sims, args.duration_ms, args.workers,
                                args.rate_scale) for c in args.cells},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
