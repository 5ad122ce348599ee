"""Score the fitted sweep: per-depth curves, the minimal depth, the FCI; write the record.

Also draws the per-depth curves as ``curves.png`` and ``curves.svg`` in the run folder.
"""

from __future__ import annotations

import argparse

from benchmark import curves, figures, record
from benchmark.commands import common
from benchmark.simulation import read_plan

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
    from benchmark import atomic

    atomic.write_json(store.record, rec)
    record.print_summary(rec)
    print(f"record written to {store.record}")
    title = f"{spec.name}, {profile.name} profile, run seed {args.seed}"
    drawn = figures.draw_curves(scores, store.folder, title)
    print(f"curves drawn to {', '.join(str(p) for p in drawn)}")
    return 0
