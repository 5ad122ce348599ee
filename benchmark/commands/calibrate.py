"""Calibrate a cell's input rates to the profile's target output rate, and stop there.

The same search that ``simulate`` and ``run`` start with (``calibration.json`` and
``calibration/`` in the run folder, resumable); prints the chosen input-rate factor and
the output rate it gave.
"""

from __future__ import annotations

import argparse

from benchmark.commands import common
from benchmark.core.errors import UserError
from benchmark.simulation import calibration
from benchmark.simulation import runner as simulation

HELP = "calibrate the input rates to the profile's target output rate (the start of simulate)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_run_arguments(parser)


def run_calibration(args: argparse.Namespace) -> dict | None:
    """The profile's calibration of the run named by ``args`` (None when it has none)."""
    spec, profile, store = common.resolve(args)
    if profile.calibration is None:
        return None
    with store.timed("calibrate"):
        result = calibration.calibrate(
            spec, profile.calibration, args.seed, store.folder,
            lambda s, data, seed, folder, scale: simulation.simulate(
                s, data, seed, folder, rate_scale=scale, n_workers=args.workers,
                executor_factory=common.backend(args).simulations))
    print(f"calibrated: input rates x{result['rate_scale']:.4g} -> "
          f"{result['achieved_rate_hz']:.3g} Hz on {result['n_sims']} calibration "
          f"simulations (target {result['target_rate_hz']} Hz +- {result['tolerance']:.0%})")
    return result


def main(args: argparse.Namespace) -> int:
    if run_calibration(args) is None:
        raise UserError(f"profile '{args.profile}' does not calibrate; choose quick, standard "
                        "or paper")
    return 0
