"""An example third-party cell package for NeuroDepth (tests/example_package).

It registers its cell folders through the entry-point group ``neurodepth.cells``
(``pyproject.toml``): the entry point loads to :data:`CELLS_DIR`, a folder of cell folders,
each holding a ``cell.toml``.
"""

from pathlib import Path

CELLS_DIR = Path(__file__).resolve().parent / "cells"
