"""Run the whole pipeline on one cell: data, mechanisms, simulate, fit, score, record.

Each stage resumes from what is already stored, so an interrupted run continues where it
stopped when the same command is given again.
"""

from __future__ import annotations

import argparse

from benchmark.commands import common
from benchmark.pipeline import stages

HELP = "the whole pipeline: simulate, fit, score, write a result record"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_run_arguments(parser)


def main(args: argparse.Namespace) -> int:
    common.print_scored(stages.run(common.config(args)))
    return 0
