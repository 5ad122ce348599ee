"""What a run cost, measured from its own store, and the simulation cost extrapolated to
every profile. Prints one JSON object.

usage: python benchmarks/costs.py RUN_FOLDER [RUN_FOLDER ...] [--cores N]

A run folder is ``<out>/<cell>/<profile>/seed-<seed>/`` of a finished (or partly finished)
run. Measured per run, from its files:

- wall time per stage (``timings.json``), and core-seconds = wall x ``--cores`` (the cores
  the run had; default this machine's), an upper bound on CPU time;
- simulated seconds (the plan's simulations and the calibration's probes), and the
  core-seconds per simulated second of the calibrate + simulate stages;
- fits: how many, their summed training time (s) and device (``fit.json``);
- disk: bytes of ``simulations/``, ``calibration/`` and ``fits/``, and bytes per simulated
  second.

Extrapolated per profile (``profiles.PROFILES``): the simulation core-hours and disk of the
profile's data plan and calibration at the measured rates (core-seconds and bytes per
simulated second scale with simulated time; calibration is counted at 3 probes). Fits are
not extrapolated across profiles: their networks, steps and devices differ; time them with
``benchmarks/train.py``.
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

from benchmark import profiles  # noqa: E402

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
    return {
        "run": str(run), "cores": cores,
        "wall_s": {k: round(v, 1) for k, v in sorted(timings.items())},
        "simulated_s": sim_s,
        "core_s_per_simulated_s": round(sim_wall * cores / total_sim_s, 3) if total_sim_s else None,
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--cores", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    report = []
    for run in args.runs:
        measured = measure(run, args.cores)
        report.append({**measured, "extrapolated": extrapolate(measured)})
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
