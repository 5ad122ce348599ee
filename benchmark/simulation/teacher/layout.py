"""Input layouts of teacher cells: a real cell's synapse sites, stored as data.

A layout is the site table of a registered NEURON cell (one row per input channel, in
channel order: ``section``, ``x``, ``distance_um``, ``tree``, ``kind``, ``length_um``;
:meth:`benchmark.simulation.nrn.cell.Cell.site_table`), written once to
``layouts/<cell>.json`` by::

    python benchmarks/teacher_layout.py l5pc_hay2011

which builds the cell in a worker process (its data files from ``NEURODEPTH_MIRROR`` or
their source). A teacher cell names its layout (``parameters.layout``); the protocol then
draws its inputs exactly as for that cell: the same trees, kinds and segment lengths. The
file also records the source cell's name, version and digest, so a changed cell is
noticed (:func:`load` compares nothing; ``tests/test_teacher.py`` checks the digest).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "layouts"
COLUMNS = ("section", "x", "distance_um", "tree", "kind", "length_um")


def path_of(name: str) -> Path:
    """The stored layout ``name`` (``layouts/<name>.json``)."""
    return HERE / f"{name}.json"


def load(name: str) -> dict[str, Any]:
    """The stored layout: ``cell``, ``version``, ``digest`` and ``sites`` (columns)."""
    path = path_of(name)
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in HERE.glob("*.json"))) or "none"
        raise FileNotFoundError(f"{path}: no stored input layout '{name}' (stored: {known}); "
                                f"make it with python benchmarks/teacher_layout.py {name}")
    data = json.loads(path.read_text())
    sites = data["sites"]
    n = {len(sites[c]) for c in COLUMNS}
    if len(n) != 1:
        raise ValueError(f"{path}: the site columns differ in length ({sorted(n)})")
    return data
