"""The cell registry: lazy lookup of cell folders, with did-you-mean errors.

Cells come from three places, searched in this order:

1. folders listed in the environment variable ``NEURODEPTH_CELLS`` (``os.pathsep``-separated),
   each either a cell folder (holding ``cell.toml``) or a folder of cell folders;
2. the project's own ``cells/`` folder;
3. installed packages that register through the entry-point group ``neurodepth.cells``:
   each entry point loads to a path (or a callable returning one) of a cell folder or a
   folder of cell folders.

Only folder names are listed up front; a spec is parsed when it is asked for.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path

from benchmark.cells import spec as spec_mod
from benchmark.core.errors import UnknownCellError, UserError

ENTRY_POINT_GROUP = "neurodepth.cells"
PROJECT_CELLS = Path(__file__).resolve().parents[2] / "cells"


def _cell_folders(root: Path) -> Iterator[Path]:
    if (root / spec_mod.SPEC_FILE).is_file():
        yield root
    elif root.is_dir():
        for child in sorted(root.iterdir()):
            if (child / spec_mod.SPEC_FILE).is_file():
                yield child


def _entry_point_roots() -> Iterator[Path]:
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            target = ep.load()
            yield Path(target() if callable(target) else target)
        except Exception as exc:  # a broken plug-in must not hide the others
            raise UserError(
                f"entry point '{ep.name}' in group {ENTRY_POINT_GROUP} ({ep.value}) failed to "
                f"load: {exc}; fix or uninstall the package that provides it"
            ) from exc


def search_roots() -> list[Path]:
    """Where cells are looked for, in priority order."""
    env = [Path(p) for p in os.environ.get("NEURODEPTH_CELLS", "").split(os.pathsep) if p]
    return [*env, PROJECT_CELLS, *_entry_point_roots()]


def discover() -> dict[str, Path]:
    """Map every registered cell name to its folder (first occurrence wins)."""
    found: dict[str, Path] = {}
    for root in search_roots():
        for folder in _cell_folders(root):
            found.setdefault(folder.name, folder)
    return found


def suggest(name: str, names: list[str]) -> str:
    """A did-you-mean hint for an unknown cell name."""
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    return "run `python -m benchmark list` to see the registered cells"


def folder_of(name: str) -> Path:
    """The folder of a registered cell, or a path given directly; UnknownCellError if none."""
    direct = Path(name)
    if (direct / spec_mod.SPEC_FILE).is_file():
        return direct.resolve()
    cells = discover()
    if name not in cells:
        raise UnknownCellError(f"unknown cell '{name}': {suggest(name, sorted(cells))}")
    return cells[name]


def get(name: str) -> spec_mod.CellSpec:
    """Load and validate the spec of a registered cell (or of a cell folder path)."""
    resolve: Callable[[str], Path] = folder_of
    return spec_mod.load(folder_of(name), resolve=resolve)


def all_specs() -> list[spec_mod.CellSpec]:
    """Every registered cell's validated spec, sorted by name."""
    return [get(str(folder)) for _, folder in sorted(discover().items())]
