"""Where NeuroDepth keeps what it can rebuild: the per-user cache of compiled mechanisms and
downloaded cell data.

``$NEURODEPTH_CACHE`` when set, else the platform's user cache folder for ``neurodepth``
(platformdirs: ``$XDG_CACHE_HOME/neurodepth`` or ``~/.cache/neurodepth`` on Linux). Always
absolute: simulation workers run in a neutral folder of their own, so a relative path
would point somewhere else there.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "neurodepth"
MECHANISMS = "mechanisms"  # compiled NMODL libraries, by content hash and NEURON version
DATA = "data"  # downloaded cell data files, by cell and file name


def cache_root() -> Path:
    """The cache folder (absolute)."""
    value = os.environ.get("NEURODEPTH_CACHE")
    base = Path(value) if value else Path(platformdirs.user_cache_dir(APP, appauthor=False))
    return base.expanduser().resolve()


def cache_dir(kind: str) -> Path:
    """One part of the cache: :data:`MECHANISMS` or :data:`DATA`."""
    return cache_root() / kind


def mirror_root() -> Path | None:
    """The local mirror of cell data named by ``$NEURODEPTH_MIRROR`` (absolute), if any."""
    value = os.environ.get("NEURODEPTH_MIRROR")
    return Path(value).expanduser().resolve() if value else None
