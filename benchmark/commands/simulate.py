"""Simulate a cell under the common input protocol (or replayed inputs) into HDF5 shards.

When the profile calibrates, the input rates are first scaled so that the cell fires at the
target rate (``calibration.json`` and ``calibration/`` in the run folder). Resumes:
finished probes and shards are kept and skipped.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmark.commands import calibrate as calibrate_cmd
from benchmark.commands import common
from benchmark.simulation import runner as simulation

HELP = "simulation stage: write the cell's simulation shards"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_run_arguments(parser)
    parser.add_argument("--replay", type=Path, default=None,
                        help="simulate these input spike trains (.npz or .csv) instead")


def main(args: argparse.Namespace) -> int:
    spec, profile, store = common.resolve(args)
    if args.replay is not None:
        folder = simulation.replay(spec, args.replay, store.folder / "replay" / args.replay.stem,
                                   n_workers=args.workers)
        print(f"replayed simulations written to {folder}")
        return 0
    result = calibrate_cmd.run_calibration(args)
    rate_scale = 1.0 if result is None else result["rate_scale"]
    with store.timed("simulate"):
        simulation.simulate(spec, profile.data, args.seed, store.simulations,
                            rate_scale=rate_scale, n_workers=args.workers,
                            executor_factory=common.backend(args).simulations)
    print(f"simulations in {store.simulations}")
    return 0
