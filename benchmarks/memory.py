"""Peak memory of a fit at a profile's data scale, measured in a fresh process.

usage: python benchmarks/memory.py [--profile standard] [--depth 7] [--steps 40]
           [--n-inputs 1278] [--density 0.011] [--cache-mb 2048] [--threads 2] [--keep DIR]

Writes synthetic simulation shards with the profile's data plan (train/valid/test
simulations of its duration) and the L5PC's input count and density (1278 inputs, about
1.1% of the 1 ms bins, i.e. ~12 Hz per input; soma voltage and ~1 Hz output spikes random),
then runs one fit of the profile's network at ``--depth`` in a child process:
``--steps`` training steps of the profile's recipe, one validation pass over the whole
validation split, and the test pass of ``Trainer.finish`` (predictions and bootstrap
metrics on the whole test split). The child reports its peak resident memory
(``ru_maxrss``), the bytes of simulations the dataset cache held at the end, and the
shard bytes on disk. Training memory does not grow with the number of steps (one batch at
a time), so a short fit measures the peak of a long one. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmark.core import atomic, profiles
from benchmark.simulation import shards
from benchmark.simulation.plan import PLAN_FILE, SimulationPlan


def write_synthetic_run(folder: Path, data: profiles.DataPlan, n_inputs: int,
                        density: float, seed: int = 0) -> int:
    """Shards of random simulations following ``data``; returns their bytes on disk."""
    sims_dir = folder / "simulations"
    sims_dir.mkdir(parents=True, exist_ok=True)
    plan = SimulationPlan(cell="synthetic", cell_digest="0" * 64, protocol_version="synthetic",
                          protocol_digest="0" * 64, protocol={}, seed=seed,
                          data=dataclasses.asdict(data))
    atomic.write_json(sims_dir / PLAN_FILE, dataclasses.asdict(plan))
    sites = {"section": ["dend"] * n_inputs, "tree": ["basal"] * n_inputs,
             "kind": ["exc"] * (n_inputs // 2) + ["inh"] * (n_inputs - n_inputs // 2),
             "x": [0.5] * n_inputs, "distance_um": [100.0] * n_inputs,
             "length_um": [20.0] * n_inputs}
    rng = np.random.default_rng(seed)
    duration = data.duration_ms
    for shard_id, first in enumerate(range(0, data.n_total, data.sims_per_shard)):
        sims = []
        for index in range(first, min(first + data.sims_per_shard, data.n_total)):
            n_events = rng.binomial(n_inputs * duration, density)
            flat = rng.choice(n_inputs * duration, size=n_events, replace=False)
            n_spikes = rng.poisson(duration / 1000.0)
            sims.append(shards.SimulationData(
                sim_index=index,
                soma_mv=(-70.0 + 3.0 * rng.standard_normal(duration)).astype(np.float32),
                spike_times_ms=np.sort(rng.uniform(1.0, duration - 1.0, n_spikes)),
                input_channel=(flat // duration).astype(np.int32),
                input_time_ms=(flat % duration).astype(np.int32)))
        shards.write_shard(sims_dir / shards.shard_name(shard_id), sims, sites,
                           {"cell": "synthetic", "duration_ms": duration})
    return sum(p.stat().st_size for p in sims_dir.glob("shard-*.h5"))


def child(args: argparse.Namespace) -> None:
    """Run the fit and print what it measured (JSON on the last line)."""
    import torch

    from benchmark.learning import fit
    from benchmark.learning.dataset import Dataset
    from benchmark.learning.model import TCNConfig

    torch.set_num_threads(args.threads)
    profile = profiles.get(args.profile)
    plan = dataclasses.replace(profile.train, max_steps=args.steps, eval_every=args.steps)
    run = Path(args.run)
    start = time.perf_counter()
    data = Dataset(run / "simulations", cache_mb=args.cache_mb)
    config = TCNConfig(n_inputs=data.n_inputs, depth=args.depth, width=profile.width,
                       first_kernel_ms=profile.first_kernel_ms(args.depth),
                       kernel_ms=profile.kernel_ms, sparse_input=profile.sparse_input)
    job = fit.FitJob(config, 0, run / "fits" / f"depth-{args.depth}" / "seed-0")
    job.folder.mkdir(parents=True, exist_ok=True)
    trainer = fit.Trainer(job, data, plan, torch.device("cpu"))
    trainer.train()
    result = trainer.finish(profile.n_boot)
    print(json.dumps({
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "dataset_cache_mb": data.cache.held_bytes / 2**20,
        "dataset_reads": data.cache.reads,
        "parameters": result["parameters"], "steps": result["steps"],
        "seconds": time.perf_counter() - start,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="standard", choices=list(profiles.PROFILES))
    parser.add_argument("--depth", type=int, default=7)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--n-inputs", type=int, default=1278)
    parser.add_argument("--density", type=float, default=0.011)
    parser.add_argument("--cache-mb", type=float, default=2048.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", default=None, help="write the synthetic run here and keep it")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.run = args.child
        child(args)
        return
    profile = profiles.get(args.profile)
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(args.keep or tmp)
        t0 = time.perf_counter()
        disk = write_synthetic_run(run, profile.data, args.n_inputs, args.density)
        write_s = time.perf_counter() - t0
        cmd = [sys.executable, __file__, "--child", str(run)] + [
            f"--{k.replace('_', '-')}={v}" for k, v in vars(args).items()
            if k in ("profile", "depth", "steps", "cache_mb", "threads")]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        measured = json.loads(out.stdout.strip().splitlines()[-1])
    report: dict[str, Any] = {
        "benchmark": "memory", "profile": args.profile, "depth": args.depth,
        "settings": {k: v for k, v in vars(args).items() if k not in ("child", "keep")},
        "data_plan": dataclasses.asdict(profile.data), "shards_on_disk_mb": disk / 2**20,
        "write_shards_s": write_s, "fit": measured, "cpu_count": os.cpu_count(),
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
