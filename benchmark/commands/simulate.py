"""Simulate a cell under the common input protocol (or replayed inputs) into HDF5 shards.

When the profile calibrates, the input rates are first scaled so that the cell fires at the
target rate (``calibration.json`` and ``calibration/`` in the run folder). Resumes:
finished probes and shards are kept and skipped.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmark.commands import common
from benchmark.pipeline import stages

HELP = "simulation stage: write the cell's simulation shards"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_run_arguments(parser)
    parser.add_argument("--replay", type=Path, default=None,
                        help="simulate these input spike trains instead (.npz or .csv; the "
                             "format is in docs/protocol.md, 'The replay file format')")


def main(args: argparse.Namespace) -> int:
    config = common.config(args)
    if args.replay is not None:
        folder = stages.replay(config, args.replay)
        print(f"replayed simulations written to {folder}")
        return 0
    simulated = stages.simulate(config)
    if simulated.calibration is not None:
        print(common.calibration_line(simulated.calibration))
    print(f"simulations in {simulated.folder}")
    return 0
