"""Allen Cell Types Database models, downloaded by ``neuronal_model_id``.

A data file of a cell spec with ``allen_model_id`` comes from the Allen Brain Map API
(https://api.brain-map.org), by one of two routes, each verified against the pinned sha256:

1. **allensdk's API client** (the optional extra ``allen``), when it is installed:
   ``BiophysicalApi(base).get_well_known_file_ids(id)`` lists the model's well-known files
   (fit parameters, reconstruction, ...); the file named ``archive_member`` (or, when the
   published name is unknown, each candidate of that kind in turn) is fetched with the
   client's ``retrieve_file_over_http`` until one matches the sha256.
2. **the model's zip**, ``<base>/neuronal_model/download/<id>`` (no extra needed): the
   member named ``archive_member``, else the member whose sha256 matches.

``base`` is ``$NEURODEPTH_ALLEN_API`` (default ``http://api.brain-map.org``); the tests
point it at an HTTP server on loopback that serves recorded API responses. The core package
never imports allensdk at module level.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from benchmark.cells.spec import DataFile
from benchmark.core.errors import DataUnavailableError

DEFAULT_API = "http://api.brain-map.org"
API_ENV = "NEURODEPTH_ALLEN_API"
TIMEOUT_S = 120
# allensdk's names for the groups of a model's well-known files, by file suffix
KIND_BY_SUFFIX = {".json": "fit", ".swc": "morphology"}


def api_base() -> str:
    """The API's base address (no trailing slash)."""
    return os.environ.get(API_ENV, DEFAULT_API).rstrip("/")


def zip_url(model_id: int, base: str | None = None) -> str:
    """The model's zip download address."""
    return f"{base or api_base()}/neuronal_model/download/{model_id}"


def sha256_hex(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def allensdk_available() -> bool:
    try:
        import allensdk.api.queries.biophysical_api  # noqa: F401
    except ImportError:
        return False
    return True


def fetch(file: DataFile, *, base: str | None = None, use_allensdk: bool | None = None) -> bytes:
    """The verified bytes of ``file`` (a spec data file with ``allen_model_id``).

    Tries allensdk's API client first when it is installed (``use_allensdk`` forces the
    choice), then the model's zip. Raises :class:`DataUnavailableError` naming what failed.
    """
    if not file.allen_model_id:
        raise DataUnavailableError(f"data file {file.name} has no allen_model_id")
    base = base or api_base()
    routes: list[tuple[str, Callable[[], bytes]]] = []
    if use_allensdk or (use_allensdk is None and allensdk_available()):
        routes.append(("allensdk API client", lambda: _via_allensdk(file, base)))
    routes.append((zip_url(file.allen_model_id, base), lambda: _via_zip(file, base)))
    problems = []
    for where, route in routes:
        try:
            return route()
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, DataUnavailableError) as exc:
            problems.append(f"{where}: {exc}")
    raise DataUnavailableError(f"Allen model {file.allen_model_id}, file {file.name}: "
                               + "; ".join(problems))


def _matching(file: DataFile, candidates: Iterable[tuple[str, Callable[[], bytes]]]) -> bytes:
    """The first candidate (name, loader) whose bytes match the pinned sha256; the one named
    like the file is tried first."""
    wanted = file.archive_member or file.name
    ordered = sorted(candidates, key=lambda c: Path(c[0]).name != Path(wanted).name)
    for _name, load in ordered:
        payload = load()
        if sha256_hex(payload) == file.sha256:
            return payload
    names = ", ".join(name for name, _ in ordered) or "none"
    raise DataUnavailableError(f"no file matches the pinned sha256 of {file.name} "
                               f"(candidates: {names}); the source changed: report it")


def _via_zip(file: DataFile, base: str) -> bytes:
    with urllib.request.urlopen(zip_url(file.allen_model_id, base),  # noqa: S310
                                timeout=TIMEOUT_S) as response:
        payload = response.read()
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        members = [m for m in archive.namelist() if not m.endswith("/")]
        return _matching(file, [(m, lambda m=m: archive.read(m)) for m in members])


def _via_allensdk(file: DataFile, base: str) -> bytes:
    from allensdk.api.queries.biophysical_api import BiophysicalApi

    api = BiophysicalApi(base_uri=base)
    ids = api.get_well_known_file_ids(int(file.allen_model_id))
    kind = KIND_BY_SUFFIX.get(Path(file.archive_member or file.name).suffix.lower())
    groups = [ids.get(kind, {})] if kind else list(ids.values())
    candidates = [(name, wkf_id) for group in groups for wkf_id, name in group.items()]
    with tempfile.TemporaryDirectory(prefix="neurodepth-allen-") as tmp:
        def loader(wkf_id: str) -> Callable[[], bytes]:
            def load() -> bytes:
                target = Path(tmp) / f"wkf-{wkf_id}"
                api.retrieve_file_over_http(api.construct_well_known_file_download_url(wkf_id),
                                            str(target))
                return target.read_bytes()
            return load

        return _matching(file, [(name, loader(wkf_id)) for name, wkf_id in candidates])
