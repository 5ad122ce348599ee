"""Compile NMODL catalogues into a per-user cache, keyed by content.

Parent-side module: it never imports ``neuron``. A worker process loads the result with
``h.nrn_load_dll(str(library_path(compile_mechanisms(...))))``, from a working directory
that holds no ``x86_64/`` folder (NEURON auto-loads one from the cwd, and loading the
same mechanism names twice is an error).

Two engines (:data:`ENGINES`): ``"neuron"`` builds with ``nrnivmodl`` at NEURON's default
flags, portable across CPUs of the same architecture; ``"coreneuron"`` builds with
``nrnivmodl -coreneuron`` and optimisation flags for this machine's CPU
(:func:`coreneuron_flags`; ``-march=native``), which makes CoreNEURON's vectorised
mechanism kernels about three times faster than at the default flags. Such a library may
use instructions another CPU lacks, so its cache key includes the flags and this CPU's
signature (:func:`cpu_signature`), its manifest records them, and a worker given a build
for another CPU compiles its own (:func:`for_this_cpu`): a shared cache holds one build per
CPU kind, and no process loads a library built for another.

Cache layout: ``<root>/<key>/`` holds the copied ``.mod`` files, the ``nrnivmodl`` output
(``<arch>/libnrnmech.so``, or ``<arch>/.libs/libnrnmech.so`` on older layouts; with
CoreNEURON also ``<arch>/libcorenrnmech.so``) and ``manifest.json``. A directory is built
in a temporary sibling and renamed into place, so a ``<root>/<key>/`` that exists is
complete; a file lock makes concurrent callers (threads or
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
CORENRN_LIBRARY_NAMES = ("libcorenrnmech.so", "libcorenrnmech.dylib")
ENGINES = ("coreneuron", "neuron")
"""Simulation engines a mechanism set can be built for."""
FLAGS_ENV = "NEURODEPTH_CORENEURON_FLAGS"
"""Environment variable that replaces :func:`coreneuron_flags`' choice of compiler flags."""


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


def cpu_signature() -> str:
    """What this CPU is to a compiler told ``-march=native``: vendor, family, model and the
    sorted instruction-set flags (Linux ``/proc/cpuinfo``), else the platform's processor
    string. Two machines with the same signature can share a ``-march=native`` build."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return f"{platform.machine()} {platform.processor()}".strip()
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break  # the first processor is enough
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    flags = " ".join(sorted(fields.get("flags", fields.get("Features", "")).split()))
    parts = [fields.get(k, "") for k in ("vendor_id", "cpu family", "model", "CPU implementer",
                                         "CPU part")]
    return f"{platform.machine()} {' '.join(p for p in parts if p)} flags: {flags}"


def cpu_digest() -> str:
    """Short sha256 hex of :func:`cpu_signature`."""
    return hashlib.sha256(cpu_signature().encode()).hexdigest()[:KEY_LENGTH]


def coreneuron_flags() -> str:
    """Compiler flags of CoreNEURON builds: ``$NEURODEPTH_CORENEURON_FLAGS`` when set, else
    ``-O3 -march=native -ffast-math``, plus ``-mprefer-vector-width=512`` on x86 CPUs with
    AVX-512 (GCC otherwise keeps 256-bit vectors there; measured by
    ``benchmarks/simulate.py``, the wider vectors cut the L5PC's cost by a sixth)."""
    chosen = os.environ.get(FLAGS_ENV)
    if chosen is not None:
        return " ".join(chosen.split())
    flags = "-O3 -march=native -ffast-math"
    if platform.machine() in ("x86_64", "AMD64") and " avx512f " in f" {cpu_signature()} ":
        flags += " -mprefer-vector-width=512"
    return flags


def check_engine(engine: str) -> str:
    """``engine`` if it is one of :data:`ENGINES`, else a :class:`UserError` naming them."""
    if engine not in ENGINES:
        raise UserError(f"unknown simulation engine '{engine}'; use one of {', '.join(ENGINES)}")
    return engine


def cache_key(mod_paths: Sequence[Path], engine: str = "neuron") -> str:
    """Short sha256 hex over the mod files (:func:`mod_digest`), NEURON version and
    platform; for CoreNEURON also the engine, :func:`coreneuron_flags` and
    :func:`cpu_signature` (a NEURON build's key is what it was before CoreNEURON builds
    existed, so its cache stays valid)."""
    digest = mod_digest(mod_paths)
    for part in (neuron_version(), platform.machine(), sys.platform):
        digest.update(part.encode() + b"\0")
    if check_engine(engine) == "coreneuron":
        for part in (engine, coreneuron_flags(), cpu_signature()):
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


def coreneuron_library(library: Path) -> Path | None:
    """The CoreNEURON mechanism library beside a NEURON one (``libnrnmech.so``), if any."""
    for name in CORENRN_LIBRARY_NAMES:
        if (Path(library).parent / name).is_file():
            return Path(library).parent / name
    return None


def manifest_of(library: Path) -> dict[str, Any]:
    """The ``manifest.json`` of the cache folder that holds ``library`` ({} if none)."""
    for folder in Path(library).parents:
        if (folder / MANIFEST).is_file():
            return json.loads((folder / MANIFEST).read_text())
    return {}


def for_this_cpu(library: Path) -> Path:
    """``library``, or the same mechanisms built for this CPU when ``library`` is a
    CoreNEURON build for another (a shared cache seen from a cluster node of another kind):
    the copied mod files of its cache folder are compiled again, under this CPU's key,
    beside it. A library built for another CPU is never loaded."""
    manifest = manifest_of(library)
    if manifest.get("engine") != "coreneuron" or manifest.get("cpu_digest") == cpu_digest():
        return Path(library)
    folder = next(p for p in Path(library).parents if (p / MANIFEST).is_file())
    return library_path(compile_mechanisms([folder], engine="coreneuron", cache=folder.parent))


def _is_complete(directory: Path, engine: str) -> bool:
    if not (directory / MANIFEST).is_file():
        return False
    try:
        library = library_path(directory)
    except (UserError, OSError):
        return False
    return engine != "coreneuron" or coreneuron_library(library) is not None


def compile_mechanisms(sources: Sequence[str | Path], *, engine: str = "neuron",
                       cache: Path | None = None) -> Path:
    """Compile the mod files of ``sources`` once for ``engine`` (:data:`ENGINES`); return
    the cached ``<root>/<key>/`` folder.

    Raises:
        CompileError: ``nrnivmodl`` failed (for CoreNEURON: a mod file CoreNEURON cannot
            run, such as one whose VERBATIM code calls NEURON-only functions).
    """
    paths = mod_files(sources)
    if not paths:
        raise UserError(f"no .mod files in {list(sources)}; give a catalogue or mod folder")
    root = Path(cache) if cache is not None else cache_root()
    key = cache_key(paths, engine)
    final = root / key
    if _is_complete(final, engine):
        return final
    root.mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(str(root / f"{key}.lock")):
        if _is_complete(final, engine):
            return final
        if final.exists():  # incomplete: removed by hand or damaged; rebuild it
            shutil.rmtree(final)
        _build(paths, root, key, engine)
    return final


def _build(paths: Sequence[Path], root: Path, key: str, engine: str) -> None:
    """Compile ``paths`` in a temporary folder under ``root`` and rename it to ``root/key``."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", suffix=".tmp", dir=root))
    try:
        for path in paths:
            shutil.copy2(path, tmp / path.name)
        _run_nrnivmodl(tmp, paths, engine)
        _write_manifest(tmp, paths, engine)
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


def nrnivmodl_command(engine: str) -> list[str]:
    """The ``nrnivmodl`` command line for ``engine`` (run in the folder of the mod files)."""
    if check_engine(engine) == "neuron":
        return [nrnivmodl_executable()]
    return [nrnivmodl_executable(), "-coreneuron", "-incflags", coreneuron_flags(), "."]


def _run_nrnivmodl(workdir: Path, paths: Sequence[Path], engine: str = "neuron") -> None:
    """Run ``nrnivmodl`` in ``workdir``; :class:`CompileError` naming the failing file."""
    proc = subprocess.run(
        nrnivmodl_command(engine),
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
    engine_note = " for CoreNEURON" if engine == "coreneuron" else ""
    raise CompileError(
        f"nrnivmodl failed{engine_note} {where}; see the error's details for compiler output",
        details)


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


def _write_manifest(directory: Path, paths: Sequence[Path], engine: str = "neuron") -> None:
    manifest: dict[str, Any] = {
        "files": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths},
        "neuron_version": neuron_version(),
        "machine": platform.machine(),
        "platform": sys.platform,
        "library": str(library_path(directory).relative_to(directory)),
        "engine": engine,
    }
    if engine == "coreneuron":
        manifest.update(flags=coreneuron_flags(), cpu_signature=cpu_signature(),
                        cpu_digest=cpu_digest())
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
