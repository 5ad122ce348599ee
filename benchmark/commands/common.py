"""Arguments and helpers shared by the stage subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from benchmark.core import profiles
from benchmark.pipeline.config import RunConfig
from benchmark.pipeline.stages import Scored
from benchmark.scoring import record
from benchmark.simulation import executors
from benchmark.simulation.nrn.simulator import ENGINES


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """--cell, --profile, --seed, --out, --workers, --device, --mirror, --scheduler,
    --cluster, --engine, --widths."""
    parser.add_argument("--cell", required=True, help="registered cell name or cell folder")
    add_run_location(parser)
    parser.add_argument("--workers", type=int, default=None,
                        help="simulation worker processes, and networks trained side by side on "
                             "the CPU (default: one per core)")
    parser.add_argument("--device", default=None, help="training device: auto, cpu, cuda")
    parser.add_argument("--mirror", type=Path, default=None,
                        help="local mirror of cell data (default $NEURODEPTH_MIRROR)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run simulations and fits on the Dask cluster of this scheduler "
                             "(tcp://host:8786; needs the extra 'distributed')")
    parser.add_argument("--cluster", default=None, choices=executors.CLUSTERS,
                        help="start a Dask cluster through dask-jobqueue (configured in dask's "
                             "jobqueue settings) and run there")
    parser.add_argument("--engine", default=None, choices=ENGINES,
                        help="simulation engine (default: the cell's simulation.engine, "
                             "else coreneuron; a run folder with simulations keeps its own)")
    parser.add_argument("--widths", type=_widths, default=None,
                        help="optional width sweep: also fit every depth at these widths, "
                             "e.g. 4,8,32 (give the same list to fit and score)")


def add_run_location(parser: argparse.ArgumentParser) -> None:
    """--profile, --seed, --out: which run folder (``<out>/<cell>/<profile>/seed-<seed>``)."""
    parser.add_argument("--profile", default=profiles.DEFAULT_PROFILE, choices=profiles.PROFILES,
                        help=f"run profile (default {profiles.DEFAULT_PROFILE})")
    parser.add_argument("--seed", type=int, default=0, help="run seed (default 0)")
    parser.add_argument("--out", type=Path, default=None,
                        help="runs folder (default $NEURODEPTH_RUNS or ./neurodepth-runs)")


def _widths(text: str) -> tuple[int, ...]:
    try:
        widths = tuple(int(w) for w in text.split(",") if w.strip())
    except ValueError:
        widths = ()
    if not widths or min(widths) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of positive "
                                         "integers (e.g. 4,8,32)")
    return widths


def config(args: argparse.Namespace) -> RunConfig:
    """The run configuration named by the arguments (the cell's spec is read once, here)."""
    return RunConfig.make(args.cell, args.profile, seed=args.seed, out=args.out,
                          workers=getattr(args, "workers", None),
                          device=getattr(args, "device", None),
                          mirror=getattr(args, "mirror", None),
                          scheduler=getattr(args, "scheduler", None),
                          cluster=getattr(args, "cluster", None),
                          widths=getattr(args, "widths", None),
                          engine=getattr(args, "engine", None))


def calibration_line(result: dict[str, Any]) -> str:
    """What a finished calibration found, in one line."""
    return (f"calibrated: input rates x{result['rate_scale']:.4g} -> "
            f"{result['achieved_rate_hz']:.3g} Hz on {result['n_sims']} calibration "
            f"simulations (target {result['target_rate_hz']} Hz +- {result['tolerance']:.0%})")


def print_scored(scored: Scored) -> None:
    """The record's summary and where the record, the example and the figures are."""
    record.print_summary(scored.record)
    print(f"record written to {scored.record_path}")
    print(f"example written to {scored.example_path}; figures drawn to "
          f"{', '.join(str(p) for p in scored.figures)}")
