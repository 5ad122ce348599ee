"""Run the whole pipeline on one cell: data, mechanisms, simulate, fit, score, record.

Each stage resumes from what is already stored, so an interrupted run continues where it
stopped when the same command is given again.
"""

from __future__ import annotations

import argparse

from benchmark.commands import common
from benchmark.commands import fit as fit_cmd
from benchmark.commands import score as score_cmd
from benchmark.commands import simulate as simulate_cmd

HELP = "the whole pipeline: simulate, fit, score, write a result record"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_run_arguments(parser)


def main(args: argparse.Namespace) -> int:
    args.replay = None
    for stage in (simulate_cmd, fit_cmd, score_cmd):
        code = stage.main(args)
        if code:
            return code
    return 0
