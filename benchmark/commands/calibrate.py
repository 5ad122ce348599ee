"""Calibrate a cell's input rates to the profile's target output rate, and stop there.

The same search that ``simulate`` and ``run`` start with (``calibration.json`` and
``calibration/`` in the run folder, resumable); prints the chosen input-rate factor and
the output rate it gave.
"""

from __future__ import annotations

import argparse

from benchmark.commands import common
from benchmark.core.errors import UserError
from benchmark.pipeline import stages

HELP = "calibrate the input rates to the profile's target output rate (the start of simulate)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_run_arguments(parser)


def main(args: argparse.Namespace) -> int:
    result = stages.calibrate(common.config(args))
    if result is None:
        raise UserError(f"profile '{args.profile}' does not calibrate; choose quick, standard "
                        "or paper")
    print(common.calibration_line(result))
    return 0
