"""List the registered cells: name, species, kind, description, data source, licence
(``--json`` adds each cell's ``[card]``)."""

from __future__ import annotations

import argparse
import json

from benchmark.cells import registry

HELP = "show the cell registry"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def main(args: argparse.Namespace) -> int:
    specs = registry.all_specs()
    rows = [{"name": s.name, "species": s.data["species"], "kind": s.data["kind"],
             "description": s.description, "data": s.data["source"]["data"],
             "licence": s.data["source"]["licence"]} for s in specs]
    if args.json:
        print(json.dumps([{**r, "card": dict(s.card)} for r, s in zip(rows, specs, strict=True)],
                         indent=2))
        return 0
    cols = ("name", "species", "kind", "description", "data", "licence")
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) if rows else len(c) for c in cols}
    print("  ".join(c.upper().ljust(widths[c]) for c in cols).rstrip())
    for r in rows:
        print("  ".join(r[c].ljust(widths[c]) for c in cols).rstrip())
    return 0
