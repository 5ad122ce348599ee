"""Manage the compiled-mechanism cache: ``cache build`` prebuilds a cell's mechanisms for
its engine on this machine's CPU (for cluster nodes without compilers; run it on a node of
each CPU kind), ``cache path`` prints where they are."""

from __future__ import annotations

import argparse

from benchmark.cells import registry
from benchmark.simulation import engine, mechanisms

HELP = "compiled-mechanism cache: build, path"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("build", "path"))
    parser.add_argument("--cell", action="append", default=None,
                        help="cell whose mechanisms to build (repeatable; default: all cells)")


def main(args: argparse.Namespace) -> int:
    if args.action == "path":
        print(mechanisms.cache_root())
        return 0
    specs = [registry.get(c) for c in args.cell] if args.cell else registry.all_specs()
    for spec in specs:
        choice = engine.choose(spec)
        print(f"{spec.name}: {choice.library} ({engine.describe(choice)})")
    return 0
