"""Compare cells' depth sweeps at one profile: which needs a deeper network, and if none
does, whether the test set resolves any depth's gain (``benchmark.scoring.comparison``).

Reads each cell's finished fits in ``<out>/<cell>/<profile>/seed-<seed>/``; prints a table
and a verdict; writes ``comparison.json`` and the figure ``comparison.png``/``.svg`` into
``--save`` (default: the runs folder's ``comparisons/<cells>-<profile>/``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmark.cells import registry
from benchmark.commands import common
from benchmark.core import atomic, profiles
from benchmark.core.errors import UserError
from benchmark.core.store import RunStore, default_root
from benchmark.scoring import comparison, figures

HELP = "compare cells' depth sweeps (e.g. a cell and its control) at one profile"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cells", nargs="+", required=True, metavar="CELL",
                        help="two or more registered cells with finished fits")
    common.add_run_location(parser)
    parser.add_argument("--save", type=Path, default=None,
                        help="folder for comparison.json and the figure")


def main(args: argparse.Namespace) -> int:
    names = [registry.get(c).name for c in args.cells]
    if len(set(names)) < 2:
        raise UserError(f"--cells: give at least two different cells, got {' '.join(args.cells)}")
    profile = profiles.get(args.profile)
    root = args.out or default_root()
    runs = {n: RunStore(root, n, profile.name, args.seed).folder for n in names}
    result = comparison.compare(runs, profile)
    print(comparison.table(result))
    save = args.save or (Path(root).resolve() / "comparisons"
                         / f"{'-vs-'.join(names)}-{profile.name}")
    save.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2, sort_keys=True) + "\n"
    atomic.write_text(save / "comparison.json", text)
    drawn = figures.draw_comparison(result, save)
    print(f"written: {save / 'comparison.json'}, {', '.join(str(p) for p in drawn)}")
    return 0
