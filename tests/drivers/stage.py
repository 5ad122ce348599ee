"""Run one stage with a small custom plan, for the interruption and fit-pool tests.

usage: python stage.py simulate|fit|fit-here|fit-pool OUT_FOLDER [DASK_SCHEDULER_ADDRESS]

``fit`` trains depth 2; ``fit-here`` and ``fit-pool`` train depths 1 and 2 with one torch
thread each, in this process one after the other or side by side in a local fit pool.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import torch

from benchmark.cells import registry
from benchmark.core import profiles
from benchmark.learning import fit
from benchmark.simulation import executors
from benchmark.simulation import runner as simulation

DATA = profiles.DataPlan(n_train=6, n_valid=1, n_test=2, duration_ms=2000, sims_per_shard=1)
TRAIN = replace(profiles.get("smoke").train, max_steps=120, eval_every=10, patience=100)
PROFILE = profiles.get("smoke", data=DATA, train=TRAIN, depths=(2,))
TWO_DEPTHS = profiles.get("smoke", data=DATA, train=TRAIN, depths=(1, 2))


def main(stage: str, out: Path, scheduler: str | None = None) -> None:
    spec = registry.get("lif")
    backend = executors.Backend(scheduler=scheduler, n_workers=1)
    if stage == "simulate":
        simulation.simulate(spec, DATA, 0, out / "simulations", n_workers=1,
                            executor_factory=backend.simulations)
    elif stage == "fit-here":
        torch.set_num_threads(1)
        fit.run_sweep(out, TWO_DEPTHS, device="cpu")
    elif stage == "fit-pool":
        with executors.fit_pool(2, threads=1) as pool:
            fit.run_sweep(out, TWO_DEPTHS, device="cpu", executor=pool)
    else:
        fit.run_sweep(out, PROFILE, device="cpu", executor=backend.fits("cpu"))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), *(sys.argv[3:4] or [None]))
