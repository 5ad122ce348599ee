"""List the registered cells: name, species, kind and description in at most
:data:`WIDTH` columns (``--long`` adds the data source and licence, one cell per block;
``--json`` everything, each cell's ``[card]`` included)."""

from __future__ import annotations

import argparse
import json
import textwrap

from benchmark.cells import registry

HELP = "show the cell registry"
WIDTH = 100  # columns of the table


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--long", action="store_true",
                        help="one block per cell: description, data source and licence")


def main(args: argparse.Namespace) -> int:
    specs = registry.all_specs()
    rows = [{"name": s.name, "species": s.data["species"], "kind": s.data["kind"],
             "description": s.description, "data": s.data["source"]["data"],
             "licence": s.data["source"]["licence"]} for s in specs]
    if args.json:
        print(json.dumps([{**r, "card": dict(s.card)} for r, s in zip(rows, specs, strict=True)],
                         indent=2))
        return 0
    if args.long:
        for r in rows:
            print(r["name"])
            for key in ("species", "kind", "description", "data", "licence"):
                print(textwrap.fill(r[key], WIDTH, initial_indent=f"  {key + ':':<13}",
                                    subsequent_indent=" " * 15))
        return 0
    print(table(rows))
    return 0


def table(rows: list[dict[str, str]]) -> str:
    """Name, species, kind and the description cut to fit :data:`WIDTH` columns."""
    cols = ("name", "species", "kind")
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) if rows else len(c) for c in cols}
    room = max(20, WIDTH - sum(widths.values()) - 2 * len(cols))
    def cut(text: str) -> str:
        return text if len(text) <= room else text[:room - 3].rstrip() + "..."
    lines = ["  ".join([*(c.upper().ljust(widths[c]) for c in cols), "DESCRIPTION"])]
    lines += ["  ".join([*(r[c].ljust(widths[c]) for c in cols), cut(r["description"])])
              for r in rows]
    return "\n".join(line.rstrip() for line in lines) + (
        "\n(python -m benchmark list --long: data sources and licences)")
