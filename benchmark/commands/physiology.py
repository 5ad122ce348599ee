"""Measure a cell's physiology and write its report, ``physiology.json``
(``benchmark.simulation.report``): the resting potential, the rheobase, an f-I table with
first-spike latencies at the rheobase and the next three ladder amplitudes and, for a
reconstruction with an apical tree, the bAP and BAC features of Hay et al. 2011 beside
their published values.

The report goes to the run folder, ``<out>/<cell>/<profile>/seed-<seed>/physiology.json``,
where ``python -m benchmark submit`` picks it up and files it beside the record; ``--file``
writes it elsewhere. Prints a one-line summary.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmark.cells import registry
from benchmark.commands import common
from benchmark.core.store import RunStore, default_root
from benchmark.simulation import executors, report

HELP = "measure a cell's physiology (rest, f-I, bAP, BAC) and write physiology.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cell", required=True, help="registered cell name or cell folder")
    common.add_run_location(parser)
    parser.add_argument("--file", type=Path, default=None,
                        help=f"write the report here instead of the run folder's "
                             f"{report.REPORT_FILE}")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes (default: one per core, at most 4)")
    parser.add_argument("--mirror", type=Path, default=None,
                        help="local mirror of cell data (default $NEURODEPTH_MIRROR)")


def main(args: argparse.Namespace) -> int:
    spec = registry.get(args.cell)
    path = args.file or (RunStore(args.out or default_root(), spec.name, args.profile,
                                  args.seed).folder / report.REPORT_FILE)
    workers = args.workers or min(4, executors.default_workers())
    start = time.monotonic()
    result = report.measure(spec, workers, mirror=args.mirror)
    report.write(result, path)
    print(report.summary(result))
    print(f"report written to {path} ({time.monotonic() - start:.1f} s)")
    return 0
