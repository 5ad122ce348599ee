"""Store a registered NEURON cell's synapse sites as a teacher input layout.

usage: python benchmarks/teacher_layout.py CELL [--mirror DIR]

Builds CELL in a worker process (its data files from the mirror, ``NEURODEPTH_MIRROR`` or
their source) and writes its site table, with the cell's name, version and digest, to
``benchmark/simulation/teacher/layouts/CELL.json`` (atomically). Prints one JSON object: the
file, the number of inputs and the digest.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmark.cells import data_files, registry
from benchmark.core import atomic
from benchmark.simulation import engine, executors, worker
from benchmark.simulation.teacher import layout


def export(cell: str, mirror: Path | None = None) -> dict[str, object]:
    """Build ``cell`` with NEURON in a worker and store its site table as a layout."""
    spec = registry.get(cell).with_engine("neuron")
    choice = engine.choose(spec, "neuron")
    files = data_files.ensure(spec, mirror=mirror)
    with executors.simulation_pool(choice.library, 1) as pool:
        sites = pool.submit(worker.site_table, dict(spec.data), spec.digest(), files).result()
    data = {"cell": spec.name, "version": str(spec.get("version")), "digest": spec.digest(),
            "sites": {c: sites[c] for c in layout.COLUMNS}}
    target = layout.path_of(cell)
    atomic.write_text(target, json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")
    return {"file": str(target.relative_to(REPO)), "n_inputs": len(sites["kind"]),
            "digest": data["digest"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cell")
    parser.add_argument("--mirror", type=Path, default=os.environ.get("NEURODEPTH_MIRROR"))
    args = parser.parse_args()
    print(json.dumps(export(args.cell, args.mirror)))


if __name__ == "__main__":
    main()
