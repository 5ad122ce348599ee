"""Score the fitted sweep: per-depth curves, the minimal depth, the FCI; write the record.

Also writes ``example.json`` (:mod:`benchmark.scoring.example`: one test simulation with the scored
network's prediction, and the cell's shape) and draws the per-depth curves
(``curves.png``/``.svg``), the example (``example.png``/``.svg``) and the cell
(``morphology.png``/``.svg``) in the run folder.
"""

from __future__ import annotations

import argparse

from benchmark.commands import common
from benchmark.core import atomic
from benchmark.scoring import curves, example, figures, record
from benchmark.simulation.plan import read_plan

HELP = "scoring stage: minimal depth, FCI and the result record"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_run_arguments(parser)


def main(args: argparse.Namespace) -> int:
    spec, profile, store = common.resolve(args)
    with store.timed("score"):
        scores = curves.score_run(store.folder, profile)
    rec = record.build(spec, read_plan(store.simulations), profile, scores, store.timings(),
                       scores["device"])
    record.validate(rec)
    atomic.write_json(store.record, rec)
    record.print_summary(rec)
    print(f"record written to {store.record}")
    title = f"{spec.name}, {profile.name} profile, run seed {args.seed}"
    drawn = figures.draw_curves(scores, store.folder, title)
    shown = example.build(spec, store.folder, rec)
    example.write(store.folder / example.EXAMPLE_FILE, shown)
    drawn += figures.draw_example(shown, store.folder, title)
    drawn += figures.draw_shape(shown["shape"], store.folder, spec.name)
    print(f"example written to {store.folder / example.EXAMPLE_FILE}; figures drawn to "
          f"{', '.join(str(p) for p in drawn)}")
    return 0
