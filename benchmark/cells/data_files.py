"""Cell data files: read from a local mirror, else from the download cache, else downloaded.

Every file is pinned by sha256 in the cell's spec (``[files."name"]``) and refused when its
hash differs. A file with ``path`` ships in the cell's folder and is read from there. Order
of lookup for the others:

1. the mirror folder (``--mirror DIR`` or ``$NEURODEPTH_MIRROR``) at ``mirror_path``;
2. the download cache, ``$NEURODEPTH_CACHE/data/<cell>/<name>`` (default
   ``~/.cache/neurodepth/data/...``);
3. a download from the file's public ``url`` by pooch, against the pinned hash (a zip
   archive when ``archive_member`` is set),
   or, for ``allen_model_id``, from the Allen API (:mod:`benchmark.cells.allen_download`), stored
   atomically in the download cache.

When none works, the error says where to put the file. Files are never committed.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Any

from benchmark.cells.spec import CellSpec, DataFile
from benchmark.core import atomic, paths
from benchmark.core.errors import DataUnavailableError

TIMEOUT_S = 60


def cache_root() -> Path:
    """Where downloaded files are cached: ``<cache>/data`` (:func:`benchmark.core.paths.cache_dir`;
    absolute)."""
    return paths.cache_dir(paths.DATA)


def mirror_root() -> Path | None:
    """The mirror named by ``$NEURODEPTH_MIRROR``, if any (absolute)."""
    return paths.mirror_root()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked(path: Path, file: DataFile, where: str) -> Path | None:
    if not path.is_file():
        return None
    actual = sha256_of(path)
    if actual != file.sha256:
        raise DataUnavailableError(
            f"{path}: sha256 {actual[:12]}... differs from the pinned {file.sha256[:12]}... "
            f"({where}); replace it with the published file")
    return path


def _downloader() -> Any:
    """pooch's HTTP downloader with this module's timeout (s), quiet."""
    import pooch

    pooch.get_logger().setLevel("WARNING")
    return pooch.HTTPDownloader(timeout=TIMEOUT_S, progressbar=False)


def _download(file: DataFile, target: Path) -> Path:
    """Download ``file`` into ``target`` (the download cache), checked against its pin.

    Plain files are fetched by pooch against their pinned sha256 (written atomically; a
    wrong hash is refused). An ``archive_member`` is read out of the downloaded zip, which
    pooch keeps beside it (``.archives/``; the archive itself is not pinned, its member is).
    """
    if file.allen_model_id:
        from benchmark.cells import allen_download

        atomic.write_bytes(target, allen_download.fetch(file))
        return target
    import pooch

    if not file.archive_member:
        try:
            pooch.retrieve(file.url, known_hash=f"sha256:{file.sha256}", fname=target.name,
                           path=target.parent, downloader=_downloader())
        except ValueError as exc:  # pooch's hash mismatch
            raise DataUnavailableError(f"{file.url}: downloaded {file.name} has the wrong "
                                       "sha256; the source changed: report it") from exc
        return target
    archive = Path(pooch.retrieve(file.url, known_hash=None, path=target.parent / ".archives",
                                  downloader=_downloader()))
    with zipfile.ZipFile(archive) as zipped:
        members = [m for m in zipped.namelist() if m.endswith(file.archive_member)]
        if not members:
            raise DataUnavailableError(f"{file.url}: archive has no member "
                                       f"'{file.archive_member}'")
        payload = zipped.read(members[0])
    if hashlib.sha256(payload).hexdigest() != file.sha256:
        raise DataUnavailableError(f"{file.url}: downloaded {file.name} has the wrong sha256; "
                                   "the source changed: report it")
    atomic.write_bytes(target, payload)
    return target


def locate(spec: CellSpec, file: DataFile, *, download: bool = True,
           mirror: Path | None = None) -> Path:
    """The local path of one verified data file of ``spec``.

    Args:
        mirror: the local mirror to read first (default: ``$NEURODEPTH_MIRROR``, if set).
    """
    if file.path:
        shipped = spec.folder / file.path
        if _checked(shipped, file, f"shipped with cell {spec.name}"):
            return shipped.resolve()
        raise DataUnavailableError(
            f"{spec.folder / 'cell.toml'}: files.\"{file.name}\".path: {shipped} does not "
            "exist; fix: ship the file in the cell's folder or correct the path")
    mirror = Path(mirror).resolve() if mirror is not None else mirror_root()
    if mirror is not None:
        found = _checked(mirror / file.mirror_path, file, f"mirror {mirror}")
        if found:
            return found
    cached = cache_root() / spec.name / file.name
    if _checked(cached, file, "download cache"):
        return cached
    problem = "not in the mirror" if mirror else "no mirror given"
    if download and (file.url or file.allen_model_id):
        source = f"Allen model {file.allen_model_id}" if file.allen_model_id else file.url
        try:
            return _download(file, cached)
        except (OSError, DataUnavailableError) as exc:
            problem += f" and the download from {source} failed ({exc})"
    raise DataUnavailableError(
        f"cell {spec.name}: data file {file.name} unavailable ({problem}); fix: put it at "
        f"<mirror>/{file.mirror_path} and pass --mirror <mirror> (or set NEURODEPTH_MIRROR), "
        f"or place it at {cached}")


def ensure(spec: CellSpec, *, download: bool = True,
           mirror: Path | None = None) -> dict[str, str]:
    """Every data file of ``spec`` as a verified local path (name -> path); ``mirror`` as in
    :func:`locate`."""
    return {f.name: str(locate(spec, f, download=download, mirror=mirror)) for f in spec.files}
