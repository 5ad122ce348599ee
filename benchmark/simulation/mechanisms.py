"""Compile NMODL catalogues into a per-user cache, keyed by content.

Parent-side module: it never imports ``neuron``. A worker process loads the result with
``h.nrn_load_dll(str(library_path(compile_mechanisms(...))))``, from a working directory
that holds no ``x86_64/`` folder (NEURON auto-loads one from the cwd, and loading the
same mechanism names twice is an error).

Cache layout: ``<root>/<key>/`` holds the copied ``.mod`` files, the ``nrnivmodl`` output
(``<arch>/libnrnmech.so``, or ``<arch>/.libs/libnrnmech.so`` on older layouts) and
``manifest.json``. A directory is built in a temporary sibling and renamed into place, so a
``<root>/<key>/`` that exists is complete; a file lock makes concurrent callers (threads or
processes) end with one build.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import filelock

from benchmark.cells.spec import CellSpec
from benchmark.core import paths
from benchmark.core.errors import UserError

CATALOGUE_ROOT = Path(__file__).resolve().parents[1] / "mod"
MANIFEST = "manifest.json"
KEY_LENGTH = 16
DETAIL_LINES = 40
_LIBRARY_NAMES = ("libnrnmech.so", "libnrnmech.dylib", "nrnmech.dll")


class CompileError(UserError):
    """``nrnivmodl`` failed: ``str()`` is one line; ``details`` holds the compiler's last lines."""

    def __init__(self, message: str, details: str) -> None:
        super().__init__(message)
        self.details = details


def known_catalogues() -> list[str]:
    """Names of the catalogues shipped under :data:`CATALOGUE_ROOT`."""
    return sorted(p.name for p in CATALOGUE_ROOT.iterdir() if p.is_dir() and any(p.glob("*.mod")))


def catalogue_dir(name: str) -> Path:
    """The folder of catalogue ``name``; :class:`UserError` listing the known ones if unknown."""
    path = CATALOGUE_ROOT / name
    if name in known_catalogues():
        return path
    known = ", ".join(known_catalogues())
    raise UserError(f"unknown mechanism catalogue '{name}'; known catalogues: {known}")


def _source_dir(source: str | Path) -> Path:
    """A plain name is a catalogue; a :class:`Path` or a string with a separator, a folder."""
    if isinstance(source, str) and "/" not in source and os.sep not in source:
        return catalogue_dir(source)
    path = Path(source)
    if not path.is_dir():
        raise UserError(f"mechanism source '{path}' is not a folder; give a catalogue or folder")
    return path


def mod_files(sources: Sequence[str | Path]) -> list[Path]:
    """Sorted ``.mod`` paths from catalogue names or directories; duplicate names are an error."""
    if isinstance(sources, (str, Path)):
        sources = [sources]
    by_name: dict[str, Path] = {}
    for source in sources:
        for path in sorted(_source_dir(source).glob("*.mod")):
            if path.name in by_name:
                raise UserError(
                    f"mod file name '{path.name}' appears twice: {by_name[path.name]} and {path}; "
                    "rename one of them"
                )
            by_name[path.name] = path
    return sorted(by_name.values(), key=lambda p: p.name)


def neuron_version() -> str:
    """The installed NEURON distribution's version, read without importing ``neuron``."""
    return importlib.metadata.version("neuron")


def mod_digest(mod_paths: Sequence[Path]) -> Any:
    """A sha256 object fed with every mod file's name and content hash, in name order: what
    a set of mechanisms is (the cache key and the record's ``mechanisms`` digest)."""
    digest = hashlib.sha256()
    for path in sorted((Path(p) for p in mod_paths), key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest


def mechanisms_digest(spec: CellSpec) -> str:
    """sha256 hex over the cell's mod files (names and bytes): what the cell's channels are."""
    return mod_digest(mod_files(spec.mechanism_sources())).hexdigest()


def cache_key(mod_paths: Sequence[Path]) -> str:
    """Short sha256 hex over the mod files (:func:`mod_digest`), NEURON version and platform."""
    digest = mod_digest(mod_paths)
    for part in (neuron_version(), platform.machine(), sys.platform):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()[:KEY_LENGTH]


def cache_root() -> Path:
    """Where compiled mechanisms are cached: ``<cache>/mechanisms``
    (:func:`benchmark.core.paths.cache_dir`; absolute)."""
    return paths.cache_dir(paths.MECHANISMS)


def library_path(directory: Path) -> Path:
    """The compiled mechanism library inside a ``nrnivmodl`` output directory."""
    directory = Path(directory)
    for arch in sorted(p for p in directory.iterdir() if p.is_dir()):
        for sub in (arch, arch / ".libs"):
            for name in _LIBRARY_NAMES:
                if (sub / name).is_file():
                    return sub / name
    raise UserError(f"no compiled mechanism library in {directory}; delete it and compile again")


def _is_complete(directory: Path) -> bool:
    if not (directory / MANIFEST).is_file():
        return False
    try:
        library_path(directory)
    except (UserError, OSError):
        return False
    return True


def compile_mechanisms(sources: Sequence[str | Path], *, cache: Path | None = None) -> Path:
    """Compile the mod files of ``sources`` once; return the cached ``<root>/<key>/`` folder."""
    paths = mod_files(sources)
    if not paths:
        raise UserError(f"no .mod files in {list(sources)}; give a catalogue or mod folder")
    root = Path(cache) if cache is not None else cache_root()
    key = cache_key(paths)
    final = root / key
    if _is_complete(final):
        return final
    root.mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(str(root / f"{key}.lock")):
        if _is_complete(final):
            return final
        if final.exists():  # incomplete: removed by hand or damaged; rebuild it
            shutil.rmtree(final)
        _build(paths, root, key)
    return final


def _build(paths: Sequence[Path], root: Path, key: str) -> None:
    """Compile ``paths`` in a temporary folder under ``root`` and rename it to ``root/key``."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", suffix=".tmp", dir=root))
    try:
        for path in paths:
            shutil.copy2(path, tmp / path.name)
        _run_nrnivmodl(tmp, paths)
        _write_manifest(tmp, paths)
        os.rename(tmp, root / key)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def nrnivmodl_executable() -> str:
    """``nrnivmodl`` beside the running interpreter, else on ``PATH``."""
    beside = Path(sys.executable).parent / "nrnivmodl"
    if beside.is_file():
        return str(beside)
    found = shutil.which("nrnivmodl")
    if found is None:
        raise UserError("nrnivmodl not found beside python or on PATH; install NEURON (pip)")
    return found


def _run_nrnivmodl(workdir: Path, paths: Sequence[Path]) -> None:
    """Run ``nrnivmodl`` in ``workdir``; :class:`CompileError` naming the failing file."""
    proc = subprocess.run(
        [nrnivmodl_executable()],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    if proc.returncode == 0:
        return
    lines = proc.stdout.splitlines()
    details = "\n".join(lines[-DETAIL_LINES:])
    culprit = failing_mod(proc.stdout, [p.name for p in paths])
    where = f"in {culprit}" if culprit else f"in one of {', '.join(p.name for p in paths)}"
    raise CompileError(
        f"nrnivmodl failed {where}; see the error's details for compiler output", details
    )


def failing_mod(output: str, names: Sequence[str]) -> str | None:
    """The first mod file (of ``names``) named on an error line of ``nrnivmodl`` output."""
    stems = {Path(n).stem: n for n in names}
    pattern = re.compile(r"([\w.-]+)\.(?:mod|cpp|c|o)\b")
    for line in output.splitlines():
        if "error" not in line.lower():
            continue
        for match in pattern.finditer(line):
            stem = Path(match.group(1)).name
            if stem in stems:
                return stems[stem]
    return None


def _write_manifest(directory: Path, paths: Sequence[Path]) -> None:
    manifest = {
        "files": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths},
        "neuron_version": neuron_version(),
        "machine": platform.machine(),
        "platform": sys.platform,
        "library": str(library_path(directory).relative_to(directory)),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
