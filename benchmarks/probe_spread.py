"""How precisely does a calibration probe place a cell's output rate? Independent probes at
one input scale, side by side.

usage: python benchmarks/probe_spread.py --cell l5pc_hay2011 --scale 0.7689 [--profile resolving]
           [--probes 0 1 2] [--n-sims 32] [--duration-ms 3000] [--work DIR] [--save FILE]

Each probe ``k`` simulates ``--n-sims`` simulations of ``--duration-ms`` (ms) at the input
``--scale`` with the calibration's own seeds for run seed ``k``
(``k + benchmark.simulation.calibration.SEED_OFFSET``): probe 0 draws the inputs that the
calibration of run seed 0 draws, the others fresh ones. Under the common protocol each
simulation draws its own input statistics, so output rates vary far more from simulation
to simulation than a Poisson count; this script measures by how much.

Prints one JSON object: per probe the mean rate (Hz) with its bootstrap 95% interval
(resampling simulations, :func:`benchmark.simulation.calibration.rate_interval`), and over
all simulations the pooled rate, the coefficient of variation of the per-simulation rate,
and how many simulations of this length a probe needs for its 95% interval to span
+- the profile's calibration tolerance (normal approximation: n = (1.96 CV / tol)^2).
Simulations go to ``DIR/probe-<k>/`` (default ``./neurodepth-runs/probe-spread/<cell>``)
and resume like any simulation set.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np

from benchmark.core import atomic, profiles
from benchmark.core.profiles import DataPlan
from benchmark.pipeline.config import RunConfig
from benchmark.simulation import runner, shards
from benchmark.simulation.calibration import SEED_OFFSET, rate_interval


def probe(config: RunConfig, seed: int, scale: float, n_sims: int, duration_ms: int,
          folder: Path) -> np.ndarray:
    """Spike counts of one probe's simulations (simulated into ``folder`` when missing)."""
    data = DataPlan(n_train=n_sims, n_valid=0, n_test=0, duration_ms=duration_ms,
                    sims_per_shard=max(1, min(n_sims, 4)))
    runner.simulate(config.spec, data, seed + SEED_OFFSET, folder, rate_scale=scale,
                    n_workers=config.workers, mirror=config.mirror, label="probe")
    return shards.spike_counts(folder)


def summary(counts: list[np.ndarray], duration_ms: int, tolerance: float) -> dict[str, Any]:
    """Per probe and pooled rates (Hz), the per-simulation CV, the simulations needed."""
    seconds = duration_ms / 1000.0
    pooled = np.concatenate(counts).astype(float)
    cv = float(pooled.std(ddof=1) / pooled.mean()) if pooled.mean() > 0 else None
    return {
        "probes": [{"rate_hz": float(c.mean() / seconds), "n_sims": int(c.size),
                    "rate_ci_hz": list(rate_interval(c, duration_ms))} for c in counts],
        "pooled_rate_hz": float(pooled.mean() / seconds),
        "pooled_rate_ci_hz": list(rate_interval(pooled, duration_ms)),
        "per_sim_cv": cv,
        "sims_for_tolerance": None if cv is None else int(np.ceil((1.96 * cv / tolerance) ** 2)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", required=True)
    parser.add_argument("--scale", type=float, required=True, help="input-rate scale")
    parser.add_argument("--profile", default="resolving", choices=sorted(profiles.PROFILES))
    parser.add_argument("--probes", type=int, nargs="+", default=[0, 1, 2],
                        help="run seeds whose calibration draws each probe uses")
    parser.add_argument("--n-sims", type=int, default=None,
                        help="simulations per probe (default: the profile's calibration)")
    parser.add_argument("--duration-ms", type=int, default=None,
                        help="ms per simulation (default: the profile's calibration)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--save", type=Path, default=None)
    args = parser.parse_args()
    config = RunConfig.make(args.cell, args.profile, workers=args.workers)
    plan = config.profile.calibration
    if plan is None:
        parser.error(f"profile {args.profile} does not calibrate; choose one that does")
    n_sims = args.n_sims or plan.n_sims
    duration_ms = args.duration_ms or plan.duration_ms
    work = args.work or Path("neurodepth-runs") / "probe-spread" / config.spec.name
    counts = [probe(config, k, args.scale, n_sims, duration_ms,
                    work / f"scale-{args.scale:g}-{duration_ms}ms" / f"probe-{k}")
              for k in args.probes]
    result = {"cell": config.spec.name, "rate_scale": args.scale, "duration_ms": duration_ms,
              "seeds": args.probes, "tolerance": plan.tolerance,
              "target_rate_hz": plan.target_rate_hz,
              **summary(counts, duration_ms, plan.tolerance)}
    text = json.dumps(result, indent=1)
    if args.save is not None:
        atomic.write_text(args.save, text + "\n")
    print(text)


if __name__ == "__main__":
    main()
