"""Run one stage with a small custom plan, for the interruption tests.

usage: python stage.py simulate|fit OUT_FOLDER [DASK_SCHEDULER_ADDRESS]
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from benchmark.cells import registry
from benchmark.core import profiles
from benchmark.learning import fit
from benchmark.simulation import executors
from benchmark.simulation import runner as simulation

DATA = profiles.DataPlan(n_train=6, n_valid=1, n_test=2, duration_ms=2000, sims_per_shard=1)
TRAIN = replace(profiles.get("smoke").train, max_steps=120, eval_every=10, patience=100)
PROFILE = profiles.get("smoke", data=DATA, train=TRAIN, depths=(2,))


def main(stage: str, out: Path, scheduler: str | None = None) -> None:
    spec = registry.get("lif")
    backend = executors.Backend(scheduler=scheduler, n_workers=1)
    if stage == "simulate":
        simulation.simulate(spec, DATA, 0, out / "simulations", n_workers=1,
                            executor_factory=backend.simulations)
    else:
        fit.run_sweep(out, PROFILE, device="cpu", executor=backend.fits("cpu"))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), *(sys.argv[3:4] or [None]))
