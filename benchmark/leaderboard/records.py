"""Committed result records: find, parse, migrate and validate them against the registry.

Records live at ``<records>/<cell>/<profile>/record.json``. Each file is checked on its own;
a bad one is refused with one line, ``<path>: <reason>; fix: <fix>``, and the others still
build. The checks, in order:

1. the file is strict JSON (``json.loads`` only: nothing from a record is unpickled,
   evaluated or executed; ``NaN`` / ``Infinity`` are refused);
2. an older ``schema_version`` is upgraded in memory by :data:`MIGRATIONS`;
3. the record schema (:func:`benchmark.scoring.record.validate`);
4. the cell is registered (with a did-you-mean otherwise) and the file sits in its own
   ``<cell>/<profile>/`` folder;
5. the profile block is the named profile of this code (``profiles.get(name).to_dict()``;
   a width sweep's ``widths`` is the one override allowed);
6. the cell: a record made with another ``version`` of the cell than the registry's is
   *stale* (shown, marked, not ranked with the current records; its digests describe the
   older version and are not compared); a record of the registry's version must have the
   registry's cell digest (and NMODL digest, where the record has one): otherwise the cell
   changed without a version bump, and the record is refused;
7. the protocol: the parameters the registry spec gives at the record's rate scale equal
   the record's, and the digest recomputed from them (as ``ProtocolParams.digest`` does,
   with the record's protocol version) equals the record's digest. For a stale record the
   registry's inputs may have changed with the cell, so only the record's own consistency
   is checked: its digest recomputed from its own parameters.

Beside a record may sit ``example.json`` (:mod:`benchmark.scoring.example`: one test simulation, the
network's prediction and the cell's shape, for the figures). It is checked after its record:
strict JSON, the example schema, and the same cell, profile and digests as the record. A bad
example is refused on its own line; its record is still shown, without the figures.

Beside a record may also sit ``physiology.json`` (:mod:`benchmark.simulation.report`: the
cell's resting potential, f-I table, bAP and BAC beside published values). It is checked
only as strict JSON naming the record's cell and cell version; a bad one is refused on its
own line and the record is shown without it.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.cells import registry
from benchmark.cells import spec as spec_mod
from benchmark.core import profiles
from benchmark.core.errors import UserError
from benchmark.scoring import example as example_mod
from benchmark.scoring import record as record_mod
from benchmark.simulation import protocol

RECORD_FILE = "record.json"
EXAMPLE_FILE = example_mod.EXAMPLE_FILE
PHYSIOLOGY_FILE = "physiology.json"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
RERUN = "rerun `python -m benchmark run --cell {cell} --profile {profile}` and commit its record"

Migration = Callable[[dict[str, Any]], dict[str, Any]]
# from_version -> function that returns the record at from_version + 1 (a new dict).
# Add an entry here when a schema change can be made from what an older record holds.
MIGRATIONS: dict[int, Migration] = {}
RETIRED: dict[int, str] = {
    1: ("schema_version 1 records were scored by the former margin rule and lack the "
        "evidence the three-outcome decision is made from (each fit's validation AUC and "
        "test predictions), so they cannot be converted"),
}
"""Schema versions that no migration can reach the current one from, and why."""


class Refused(Exception):
    """A record the leaderboard will not show: why, and what to do about it."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fix = fix


@dataclass(frozen=True)
class Refusal:
    """One refused record file.

    Attributes:
        path: the file as found (under the records folder given to the builder).
        rel: its path relative to that folder, with ``/`` separators (shown on the site).
        reason / fix: what is wrong, and what to do.
    """

    path: Path
    rel: str
    reason: str
    fix: str

    def line(self) -> str:
        """The one-line report: ``<path>: <reason>; fix: <fix>``."""
        return f"{self.path}: {self.reason}; fix: {self.fix}"


@dataclass(frozen=True)
class Entry:
    """A record that passed every check, with the registry spec of its cell.

    Attributes:
        path: the record file; rel: its path relative to the records folder.
        raw: the file's bytes (the site offers them for download unchanged).
        record: the parsed (and, if it was old, migrated) record.
        spec: the registry's spec of the record's cell.
        example: the checked ``example.json`` beside the record, or None.
        physiology: the checked ``physiology.json`` beside the record, or None.
    """

    path: Path
    rel: str
    raw: bytes
    record: dict[str, Any]
    spec: spec_mod.CellSpec
    example: dict[str, Any] | None = None
    physiology: dict[str, Any] | None = None

    @property
    def cell(self) -> str:
        return str(self.record["cell"]["name"])

    @property
    def made_version(self) -> str:
        """The cell version the record was made with (``cell.version``)."""
        return str(self.record["cell"]["version"])

    @property
    def current_version(self) -> str:
        """The registry cell's version now."""
        return current_version(self.spec)

    @property
    def stale(self) -> bool:
        """Made with another version of the cell than the registry's: shown, marked, and
        to be remade."""
        return self.made_version != self.current_version

    @property
    def profile(self) -> str:
        return str(self.record["profile"]["name"])


def find(root: Path) -> Iterator[Path]:
    """Every ``*.json`` under ``root``, sorted (files off the layout are refused, not
    skipped silently)."""
    yield from sorted(p for p in root.rglob("*.json") if p.is_file())


def load_all(root: Path) -> tuple[list[Entry], list[Refusal]]:
    """Check every record under ``root``; returns the accepted entries and the refusals,
    both sorted by path. UserError if ``root`` is not a folder."""
    if not root.is_dir():
        raise UserError(f"{root}: no records folder; fix: give --records DIR holding "
                        f"<cell>/<profile>/{RECORD_FILE} files")
    cells = registry.discover()
    entries: list[Entry] = []
    refusals: list[Refusal] = []
    examples: list[Path] = []
    for path in find(root):
        rel = path.relative_to(root).as_posix()
        if _is_example(rel) or _is_beside(rel, PHYSIOLOGY_FILE):
            examples.append(path)
            continue
        try:
            entries.append(check_file(path, rel, cells))
        except Refused as exc:
            refusals.append(Refusal(path, rel, exc.reason, exc.fix))
    by_folder = {e.path.parent: i for i, e in enumerate(entries)}
    for path in examples:
        rel = path.relative_to(root).as_posix()
        try:
            if path.parent not in by_folder:
                raise Refused(f"no accepted {RECORD_FILE} beside this "
                              f"{'example' if path.name == EXAMPLE_FILE else 'report'}",
                              f"commit the run's {RECORD_FILE} with it, or remove it")
            i = by_folder[path.parent]
            if path.name == PHYSIOLOGY_FILE:
                entries[i] = dataclasses.replace(
                    entries[i], physiology=check_physiology(path, entries[i].record))
            else:
                entries[i] = dataclasses.replace(
                    entries[i], example=check_example(path, entries[i].record))
        except Refused as exc:
            refusals.append(Refusal(path, rel, exc.reason, exc.fix))
    refusals.sort(key=lambda r: r.rel)
    return entries, refusals


def _is_example(rel: str) -> bool:
    return _is_beside(rel, EXAMPLE_FILE)


def _is_beside(rel: str, name: str) -> bool:
    parts = rel.split("/")
    return len(parts) == 3 and parts[2] == name


def check_physiology(path: Path, record: dict[str, Any]) -> dict[str, Any]:
    """Parse a physiology report and check that it names its record's cell and cell
    version; raises :class:`Refused`."""
    data = parse(path.read_bytes())
    cell = record["cell"]
    fix = (f"rerun `python -m benchmark physiology --cell {cell['name']}` for version "
           f"{cell['version']} and copy its {PHYSIOLOGY_FILE} with the record")
    named = data.get("cell") if isinstance(data, dict) else None
    if not isinstance(named, dict) or not isinstance(data.get("quantities"), list):
        raise Refused("not a physiology report (no cell block or quantities list)", fix)
    got = (named.get("name"), str(named.get("version")))
    if got != (cell["name"], str(cell["version"])):
        raise Refused(f"a physiology report of cell '{got[0]}' version {got[1]}, beside a "
                      f"record of '{cell['name']}' version {cell['version']}", fix)
    return data


def check_example(path: Path, record: dict[str, Any]) -> dict[str, Any]:
    """Parse and check an example against its (accepted) record; raises :class:`Refused`."""
    data = parse(path.read_bytes())
    fix = (f"copy the run's {EXAMPLE_FILE} together with its {RECORD_FILE}, unchanged "
           "(`python -m benchmark score` writes both)")
    try:
        example_mod.validate(data, "example")
    except UserError as exc:
        reason = str(exc).removeprefix("example: ").rpartition("; fix: ")[0]
        raise Refused(f"breaks the example schema: {reason}", fix) from exc
    want = {"cell": record["cell"]["name"], "profile": record["profile"]["name"],
            "cell_digest": record["cell"]["digest"],
            "protocol_digest": record["protocol"]["digest"]}
    wrong = [key for key, value in want.items() if data[key] != value]
    if wrong:
        raise Refused(f"the example is not of this record ({', '.join(wrong)} differ)", fix)
    return data


def check_file(path: Path, rel: str, cells: Mapping[str, Path]) -> Entry:
    """Parse and check one record file; raises :class:`Refused`."""
    parts = rel.split("/")
    if len(parts) != 3 or parts[2] != RECORD_FILE:
        raise Refused(f"not at <cell>/<profile>/{RECORD_FILE}",
                      "move it to <records>/<cell>/<profile>/record.json or remove it")
    raw = path.read_bytes()
    data = parse(raw)
    data = migrate(data)
    try:
        record_mod.validate(data, "record")
    except UserError as exc:
        reason, _, fix = str(exc).removeprefix("record: ").rpartition("; fix: ")
        raise Refused(f"breaks the record schema: {reason}", fix) from exc
    spec = _registered_spec(data["cell"]["name"], cells)
    cell, profile = spec.name, data["profile"]["name"]
    if parts[:2] != [cell, profile]:
        raise Refused(f"a record of cell '{cell}' at profile '{profile}' filed under "
                      f"'{parts[0]}/{parts[1]}'", f"move it to {cell}/{profile}/{RECORD_FILE}")
    rerun = RERUN.format(cell=cell, profile=profile)
    check_profile(data["profile"], rerun)
    stale = is_stale(data["cell"], spec)
    if not stale:
        check_cell(data["cell"], spec, rerun)
    check_protocol(data, None if stale else spec, rerun)
    return Entry(path=path, rel=rel, raw=raw, record=data, spec=spec)


def parse(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN or Infinity; raises :class:`Refused`."""
    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    fix = "restore the file from the run's record.json (it must be plain JSON)"
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=no_constants)
    except UnicodeDecodeError as exc:
        raise Refused(f"not UTF-8 text ({exc.reason} at byte {exc.start})", fix) from exc
    except json.JSONDecodeError as exc:
        raise Refused(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
                      fix) from exc
    except ValueError as exc:
        raise Refused(f"not valid JSON ({exc})", fix) from exc


def migrate(data: Any, migrations: Mapping[int, Migration] | None = None) -> Any:
    """Upgrade a record of an older ``schema_version`` in memory, one version at a time.

    Anything that is not an object with an integer ``schema_version`` is returned as it
    is, for the schema check to report. Raises :class:`Refused` for a version with no
    migration path or one newer than this code.
    """
    table = MIGRATIONS if migrations is None else migrations
    current = record_mod.SCHEMA_VERSION
    if not isinstance(data, dict):
        return data
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        return data
    if version > current:
        raise Refused(f"schema_version {version} is newer than this code's {current}",
                      "upgrade neurodepth to build the leaderboard")
    out = data
    while version < current:
        if version in RETIRED and version not in table:
            raise Refused(RETIRED[version], "rerun the cell (python -m benchmark run --cell "
                          "CELL --profile PROFILE) and submit the new record")
        if version not in table:
            raise Refused(f"schema_version {version} has no migration to {current}",
                          f"add MIGRATIONS[{version}] in benchmark/leaderboard/records.py "
                          "or rerun the cell")
        out = table[version](copy.deepcopy(out))
        if out.get("schema_version") != version + 1:
            raise Refused(f"the migration from schema_version {version} did not give "
                          f"version {version + 1}", "fix the migration")
        version += 1
    return out


def _registered_spec(name: str, cells: Mapping[str, Path]) -> spec_mod.CellSpec:
    if not SAFE_NAME.match(name) or name not in cells:
        hint = registry.suggest(name, sorted(cells))
        raise Refused(f"unknown cell '{name}'",
                      f"{hint} (a record's cell must be registered before it is shown)")
    try:
        return spec_mod.load(cells[name], resolve=registry.folder_of)
    except UserError as exc:
        raise Refused(f"the registered cell '{name}' has a broken spec ({exc})",
                      "fix the cell's cell.toml") from exc


def _plain(obj: Any) -> Any:
    """JSON round trip: tuples become lists, as in a stored record."""
    return json.loads(json.dumps(obj))


def differences(got: Any, want: Any, prefix: str = "") -> list[str]:
    """Dotted keys at which two JSON values differ (sorted)."""
    if isinstance(got, dict) and isinstance(want, dict):
        out: list[str] = []
        for key in sorted(set(got) | set(want)):
            where = f"{prefix}.{key}" if prefix else str(key)
            if key not in got or key not in want:
                out.append(where)
            else:
                out.extend(differences(got[key], want[key], where))
        return out
    return [] if _same(got, want) else [prefix or "(value)"]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def _listed(keys: list[str], most: int = 4) -> str:
    more = f" and {len(keys) - most} more" if len(keys) > most else ""
    return ", ".join(keys[:most]) + more


def check_profile(block: dict[str, Any], rerun: str) -> None:
    """The record's profile block must be this code's profile of that name (a width sweep's
    ``widths`` may differ); raises :class:`Refused`."""
    name = block["name"]
    widths = block.get("widths")
    try:
        if isinstance(widths, list) and widths:
            expected = profiles.get(name, widths=tuple(widths))
        else:
            expected = profiles.get(name)
    except (UserError, TypeError, ValueError) as exc:
        raise Refused(f"unknown profile '{name}' ({exc})", rerun) from exc
    diff = differences(block, _plain(expected.to_dict()))
    if diff:
        raise Refused(f"the profile block differs from this code's '{name}' profile at "
                      f"{_listed(diff)}", rerun)


def current_version(spec: spec_mod.CellSpec) -> str:
    """The version of a registry cell (``version`` of its ``cell.toml``)."""
    return str(spec.data["version"])


def is_stale(block: dict[str, Any], spec: spec_mod.CellSpec) -> bool:
    """Whether a record's cell block (``cell``) was made with another version of the cell
    than the registry's."""
    return str(block["version"]) != current_version(spec)


def check_cell(block: dict[str, Any], spec: spec_mod.CellSpec, rerun: str) -> None:
    """Cell digest (and NMODL digest, if recorded) against the registry, for a record of
    the registry's version of the cell: a difference means the cell changed without a
    version bump."""
    version = current_version(spec)
    fix = (f"bump `version` in the cell's cell.toml (the record is then shown as stale "
           f"until it is remade), or {rerun}")
    if block["digest"] != spec.digest():
        raise Refused(f"cell digest {block['digest'][:12]}... is not the registry's "
                      f"{spec.digest()[:12]}..., both of cell version {version}: the cell "
                      "changed without a version bump", fix)
    if "mechanisms" in block:
        now = record_mod.mechanisms_digest(spec)
        if block["mechanisms"] != now:
            raise Refused("the cell's mechanisms (NMODL files) changed since this record "
                          f"was made, both of cell version {version}: the cell changed "
                          "without a version bump", fix)


def check_protocol(data: dict[str, Any], spec: spec_mod.CellSpec | None, rerun: str) -> None:
    """Recompute the protocol from the registry spec at the record's rate scale; with no
    spec (a stale record: the registry's inputs may have changed with the cell), recompute
    only the digest from the record's own parameters."""
    block = data["protocol"]
    scale = block["params"].get("rate_scale")
    if (isinstance(scale, bool) or not isinstance(scale, (int, float))
            or not math.isfinite(scale) or scale < 0):
        raise Refused(f"protocol.params.rate_scale is {scale!r}, not a number >= 0", rerun)
    if spec is None:
        version = str(block["version"])
        want = protocol.digest_of(block["params"], version)
        if block["digest"] != want:
            raise Refused(f"protocol digest {block['digest'][:12]}... is not {want[:12]}..., "
                          f"recomputed from the record's own parameters (protocol version "
                          f"{version})", rerun)
        _check_calibration(data, scale, rerun)
        return
    try:
        params = protocol.cell_params(spec, rate_scale=float(scale))
    except (ValueError, TypeError) as exc:
        raise Refused(f"the registry's protocol for this cell is invalid ({exc})",
                      "fix the cell's inputs") from exc
    expected = params.to_dict()
    diff = differences(block["params"], expected)
    if diff:
        raise Refused("protocol parameters differ from those the registry gives this cell "
                      f"at rate scale {scale:g} (at {_listed(diff)})", rerun)
    version = str(block["version"])
    want = params.digest() if version == protocol.PROTOCOL_VERSION else protocol.digest_of(
        expected, version)
    if block["digest"] != want:
        raise Refused(f"protocol digest {block['digest'][:12]}... is not {want[:12]}..., "
                      f"recomputed from the registry (protocol version {version}, rate "
                      f"scale {scale:g})", rerun)
    _check_calibration(data, scale, rerun)


def _check_calibration(data: dict[str, Any], scale: float, rerun: str) -> None:
    cal = data.get("calibration")
    if cal is not None and cal["rate_scale"] != scale:
        raise Refused(f"calibration.rate_scale {cal['rate_scale']:g} is not the protocol's "
                      f"rate scale {scale:g}", rerun)
