"""Fit the depth sweep of TCNs to a cell's stored simulations. Resumes from checkpoints."""

from __future__ import annotations

import argparse

from benchmark.commands import common
from benchmark.learning import fit

HELP = "fitting stage: train the depth sweep on the stored simulations"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_run_arguments(parser)


def main(args: argparse.Namespace) -> int:
    spec, profile, store = common.resolve(args)
    device = str(fit.pick_device(args.device or profile.device))
    with store.timed("fit"):
        fit.run_sweep(store.folder, profile, device=args.device,
                      executor=common.backend(args).fits(device))
    print(f"fits in {store.folder / 'fits'}")
    return 0
