"""Score the fitted sweep: per-depth curves, the minimal depth, the FCI; write the record.

Also writes ``example.json`` (:mod:`benchmark.scoring.example`: one test simulation with the scored
network's prediction, and the cell's shape) and draws the per-depth curves
(``curves.png``/``.svg``), the example (``example.png``/``.svg``) and the cell
(``morphology.png``/``.svg``) in the run folder.
"""

from __future__ import annotations

import argparse

from benchmark.commands import common
from benchmark.pipeline import stages

HELP = "scoring stage: minimal depth, FCI and the result record"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_run_arguments(parser)


def main(args: argparse.Namespace) -> int:
    common.print_scored(stages.score(common.config(args)))
    return 0
