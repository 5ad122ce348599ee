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


POINT_BUILDERS = ("lif",)  # cells that fire enough at smoke to be scored there (teachers
# fire near 1 Hz, as calibrated cells do: a few test spikes at smoke, "undetermined")
SMOKE_NOTE = ("note: the smoke profile checks that {cell} runs end to end; its {n} test "
              "simulations of {s:g} s are usually too few to score a cell that fires near 1 Hz "
              "(\"undetermined\"): use --profile quick for a score")


def main(args: argparse.Namespace) -> int:
    config = common.config(args)
    if config.profile.name == "smoke" and config.spec.data.get("builder") not in POINT_BUILDERS:
        data = config.profile.data
        print(SMOKE_NOTE.format(cell=config.spec.name, n=data.n_test,
                                s=data.duration_ms / 1000), flush=True)
    common.print_scored(stages.run(config))
    return 0
