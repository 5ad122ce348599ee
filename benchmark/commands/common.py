"""Arguments and helpers shared by the stage subcommands."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from benchmark.cells import registry
from benchmark.cells.spec import CellSpec
from benchmark.core import profiles
from benchmark.core.store import RunStore, default_root
from benchmark.simulation import executors


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """--cell, --profile, --seed, --out, --workers, --device, --mirror, --scheduler,
    --cluster, --widths."""
    parser.add_argument("--cell", required=True, help="registered cell name or cell folder")
    add_run_location(parser)
    parser.add_argument("--workers", type=int, default=None,
                        help="simulation worker processes (default: one per core)")
    parser.add_argument("--device", default=None, help="training device: auto, cpu, cuda")
    parser.add_argument("--mirror", type=Path, default=None,
                        help="local mirror of cell data (default $NEURODEPTH_MIRROR)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run simulations and fits on the Dask cluster of this scheduler "
                             "(tcp://host:8786; needs the extra 'distributed')")
    parser.add_argument("--cluster", default=None, choices=executors.CLUSTERS,
                        help="start a Dask cluster through dask-jobqueue (configured in dask's "
                             "jobqueue settings) and run there")
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


def resolve(args: argparse.Namespace) -> tuple[CellSpec, profiles.Profile, RunStore]:
    """The cell spec, the profile and the run's store named by the arguments."""
    if args.mirror is not None:
        os.environ["NEURODEPTH_MIRROR"] = str(args.mirror)
    spec = registry.get(args.cell)
    widths = getattr(args, "widths", None)
    profile = (profiles.get(args.profile, widths=widths) if widths
               else profiles.get(args.profile))
    store = RunStore(args.out or default_root(), spec.name, profile.name, args.seed)
    return spec, profile, store


def backend(args: argparse.Namespace) -> executors.Backend:
    """Where the run's simulations and fits go (a local pool, or a Dask cluster)."""
    return executors.Backend(scheduler=getattr(args, "scheduler", None),
                             cluster=getattr(args, "cluster", None), n_workers=args.workers)
