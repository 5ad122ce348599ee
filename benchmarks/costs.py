"""What a run cost, measured from its own store, and the simulation cost extrapolated to
every profile. Prints one JSON object.

usage: python benchmarks/costs.py [RUN_FOLDER ...] [--cores N] [--train-json FILE]

A run folder is ``<out>/<cell>/<profile>/seed-<seed>/`` of a finished (or partly finished)
run. Measured per run, from its files:

- wall time per stage (``timings.json``), and core-seconds = wall x ``--cores`` (the cores
  the run had; default this machine's), an upper bound on CPU time;
- the simulation workers' CPU seconds summed over the shards (``shard_cpu_s``; each shard
  records its own, so a killed or resumed run still counts them all), and per simulated
  second (``cpu_s_per_simulated_s``; null when some shards predate the record);
- simulated seconds (the plan's simulations and the calibration's probes), and the
  core-seconds per simulated second of the calibrate + simulate stages;
- fits: how many, their summed training time (s) and device (``fit.json``);
- disk: bytes of ``simulations/``, ``calibration/`` and ``fits/``, and bytes per simulated
  second.

Extrapolated per profile (``profiles.PROFILES``): the simulation core-hours and disk of the
profile's data plan and calibration at the measured rates (core-seconds and bytes per
simulated second scale with simulated time; calibration is counted at 3 probes).

Fits of the profiles with the reference width (128 units), given ``--train-json FILE``
(what ``benchmarks/train.py`` printed): hours of training at most, per device the JSON
measured (``cpu`` with its threads, ``cuda``). A profile trains ``len(depths) x n_seeds``
networks for at most ``max_steps`` steps each (early stopping only shortens this, so these
are upper bounds); a depth-d network's seconds per step are interpolated linearly in depth
between the measured 1 x 128 and 7 x 128 networks, in the mode the fit uses there (sparse
first layer; bfloat16 autocast on CUDA), scaled to the profile's batch and window.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmark.core import profiles

CALIBRATION_PROBES = 3  # probes assumed per calibration when extrapolating


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() \
        else 0


def simulated_seconds(run: Path) -> dict[str, float]:
    """Simulated seconds of the plan's finished shards and of the calibration probes."""
    out = {"simulate": 0.0, "calibrate": 0.0}
    plan_file = run / "simulations" / "plan.json"
    if plan_file.is_file():
        data = json.loads(plan_file.read_text())["data"]
        index = run / "simulations" / "index.json"
        done = (sum(len(e["sim_indices"]) for e in json.loads(index.read_text())["shards"].values())
                if index.is_file() else 0)
        out["simulate"] = done * data["duration_ms"] / 1000
    cal = run / "calibration.json"
    if cal.is_file():
        state = json.loads(cal.read_text())
        out["calibrate"] = (len(state["probes"]) * state["plan"]["n_sims"]
                            * state["plan"]["duration_ms"] / 1000)
    return out


def shard_cpu(run: Path) -> dict[str, Any]:
    """CPU seconds the simulation workers spent, summed from the shard indexes
    (``simulations/`` and the calibration probes); shards written before the workers
    recorded it are counted in ``shards_without``."""
    out: dict[str, Any] = {"simulate": 0.0, "calibrate": 0.0, "shards_without": 0}
    for stage, pattern in (("simulate", "simulations/index.json"),
                           ("calibrate", "calibration/*/index.json")):
        for index in run.glob(pattern):
            for entry in json.loads(index.read_text())["shards"].values():
                if "cpu_s" in entry:
                    out[stage] += entry["cpu_s"]
                else:
                    out["shards_without"] += 1
    out["simulate"], out["calibrate"] = round(out["simulate"], 1), round(out["calibrate"], 1)
    return out


def fits(run: Path) -> dict[str, Any]:
    found = [json.loads(p.read_text()) for p in sorted(run.glob("fits/**/fit.json"))]
    return {"n_fits": len(found), "train_seconds": round(sum(f["train_seconds"] for f in found), 1),
            "devices": sorted({f["device"] for f in found})}


def measure(run: Path, cores: int) -> dict[str, Any]:
    timings = json.loads((run / "timings.json").read_text()) if (run / "timings.json").is_file() \
        else {}
    sim_s = simulated_seconds(run)
    sim_wall = timings.get("simulate", 0.0) + timings.get("calibrate", 0.0)
    total_sim_s = sim_s["simulate"] + sim_s["calibrate"]
    sim_bytes = folder_bytes(run / "simulations") + folder_bytes(run / "calibration")
    cpu = shard_cpu(run)
    return {
        "run": str(run), "cores": cores,
        "wall_s": {k: round(v, 1) for k, v in sorted(timings.items())},
        "simulated_s": sim_s,
        "core_s_per_simulated_s": round(sim_wall * cores / total_sim_s, 3) if total_sim_s else None,
        "shard_cpu_s": cpu,
        "cpu_s_per_simulated_s": (round((cpu["simulate"] + cpu["calibrate"]) / total_sim_s, 3)
                                  if total_sim_s and not cpu["shards_without"] else None),
        "fits": fits(run),
        "disk_bytes": {"simulations": folder_bytes(run / "simulations"),
                       "calibration": folder_bytes(run / "calibration"),
                       "fits": folder_bytes(run / "fits")},
        "bytes_per_simulated_s": round(sim_bytes / total_sim_s) if total_sim_s else None,
    }


def extrapolate(measured: dict[str, Any]) -> dict[str, Any]:
    rate, size = measured["core_s_per_simulated_s"], measured["bytes_per_simulated_s"]
    if not rate:
        return {}
    out = {}
    for name in profiles.PROFILES:
        p = profiles.get(name)
        sim_s = p.data.n_total * p.data.duration_ms / 1000
        cal = p.calibration
        cal_s = CALIBRATION_PROBES * cal.n_sims * cal.duration_ms / 1000 if cal else 0.0
        out[name] = {"simulated_s": sim_s + cal_s,
                     "simulation_core_hours": round((sim_s + cal_s) * rate / 3600, 2),
                     "simulation_disk_gb": round((sim_s + cal_s) * size / 1e9, 3)}
    return out


def step_seconds(train: dict[str, Any], device: str, depth: int, plan: profiles.TrainPlan
                 ) -> float:
    """Seconds per training step of a depth-``depth`` x 128 network on ``device``, from a
    ``benchmarks/train.py`` report, scaled to ``plan``'s batch size and window (ms)."""
    settings = train["settings"]
    mode = "sparse_amp" if device in profiles.TrainPlan.mixed_precision else "sparse"
    nets = train["devices"][device]["networks"]
    s1, s7 = (nets[name]["modes"][mode]["seconds_per_step"] for name in ("1x128", "7x128"))
    per_step = s1 + (s7 - s1) * (depth - 1) / 6
    return per_step * (plan.batch_size * plan.window_ms) / (settings["batch_size"]
                                                            * settings["window_ms"])


def extrapolate_fits(train: dict[str, Any]) -> dict[str, Any]:
    """Upper bounds of the training hours of every 128-unit profile, per measured device."""
    out: dict[str, Any] = {}
    for name in profiles.PROFILES:
        p = profiles.get(name)
        if p.width != 128:
            continue
        out[name] = {"networks": len(p.depths) * p.n_seeds, "max_steps": p.train.max_steps}
        for device, measured in train["devices"].items():
            seconds = sum(p.n_seeds * p.train.max_steps * step_seconds(train, device, d, p.train)
                          for d in p.depths)
            key = "gpu_hours_at_most" if device == "cuda" else "cpu_hours_at_most"
            out[name][key] = {"device": measured["name"], "hours": round(seconds / 3600, 1)}
            if device == "cpu":  # wall hours of one training process with this many threads
                out[name][key]["threads"] = train["settings"].get("threads")
        if "cuda" not in train["devices"]:
            out[name]["gpu_hours_at_most"] = None  # the JSON has no CUDA measurement
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="*", type=Path)
    parser.add_argument("--cores", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--train-json", type=Path,
                        help="a benchmarks/train.py report: extrapolate the fits too")
    args = parser.parse_args()
    report: dict[str, Any] = {"runs": []}
    for run in args.runs:
        measured = measure(run, args.cores)
        report["runs"].append({**measured, "extrapolated": extrapolate(measured)})
    if args.train_json:
        report["fits_extrapolated"] = extrapolate_fits(json.loads(args.train_json.read_text()))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
