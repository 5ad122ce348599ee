"""Fit the depth sweep of TCNs to a cell's stored simulations. Resumes from checkpoints."""

from __future__ import annotations

import argparse

from benchmark.commands import common
from benchmark.pipeline import stages

HELP = "fitting stage: train the depth sweep on the stored simulations"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_run_arguments(parser)


def main(args: argparse.Namespace) -> int:
    config = common.config(args)
    stages.fit(config)
    print(f"fits in {config.store.folder / 'fits'}")
    return 0
