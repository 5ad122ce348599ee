"""Check that a cell model conforms to the benchmark, tier by tier
(``benchmark.pipeline.validation``):
spec and file hashes, mechanisms compile, the cell builds with inputs on dendrites, it rests
and is silent, it fires under the protocol's input, the same seed gives the same trace, a
smoke run end to end. Stops at the first failing tier with a one-line message and its fix.

Exit code 0 when every tier run passed, 1 when one failed, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmark.pipeline import validation

HELP = "conformance checks of a cell model, in tiers (spec ... smoke run)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cell", required=True,
                        help="registered cell name or a cell folder (holding cell.toml)")
    parser.add_argument("--up-to", default=validation.TIERS[-1], choices=validation.TIERS,
                        help="run the tiers up to this one (default: all, ending with the "
                             "smoke run)")
    parser.add_argument("--tier", default=None, choices=validation.TIERS,
                        help="run this tier alone (after the spec tier)")
    parser.add_argument("--mirror", type=Path, default=None,
                        help="local mirror of cell data (default $NEURODEPTH_MIRROR)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the tiers' simulations and smoke run in this folder")


def _print(result: validation.TierResult) -> None:
    mark = "ok  " if result.passed else "FAIL"
    stream = sys.stdout if result.passed else sys.stderr
    print(f"{mark} {result.tier:<11} {result.message} ({result.seconds:.1f} s)", file=stream,
          flush=True)
    if result.warning:
        print(f"WARN {result.tier:<11} {result.warning}", file=sys.stderr, flush=True)


def main(args: argparse.Namespace) -> int:
    results = validation.validate(args.cell, args.up_to, workdir=args.keep, report=_print,
                                  mirror=args.mirror, only=args.tier)
    if all(r.passed for r in results):
        print(f"{args.cell}: passed {len(results)} tier(s), up to {results[-1].tier}")
        return 0
    return 1
