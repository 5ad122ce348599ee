"""Cell specifications: ``cells/<name>/cell.toml``, schema-checked.

A cell folder holds ``cell.toml`` and a ``README.md``. The spec is data: which builder
makes the cell in NEURON, which mechanism catalogues it needs, its data files (pinned by
sha256), its input-protocol rates per dendritic tree, and builder parameters with units.

A spec may ``extends = "other_cell"``: tables are merged recursively, the child winning.
The merged spec is checked against the JSON Schema ``schemas/cell.schema.json``
(:mod:`benchmark.cells.schema`: unknown keys are refused in every table), then by the few
checks a schema cannot express (here and in :mod:`benchmark.cells.parameters`). Every error
is a :class:`~benchmark.core.errors.SpecError` naming the file, the field and the fix.

The optional ``[card]`` table holds what the site shows besides the species, citation and
licence: ``layer``, ``area``, ``cell_type``, ``model_family`` (strings). The same fields may
instead sit in a ``card.toml`` beside ``cell.toml`` (:data:`CARD_FILE`; its fields win):
the card describes the cell for readers and is not part of the model, so ``card.toml``
stays out of the spec's digest and a card can be completed without a new cell version.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmark.cells import parameters, schema
from benchmark.core.errors import SpecError

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

SPEC_FILE = "cell.toml"
SCHEMA_VERSION = 1
_TOP = schema.schema()["properties"]
KINDS: tuple[str, ...] = tuple(_TOP["kind"]["enum"])
INTEGRATION_METHODS: tuple[str, ...] = tuple(  # NEURON secondorder 0 or 2
    _TOP["simulation"]["properties"]["integration"]["enum"])
SYNAPSE_MODELS: dict[str, tuple[str, ...]] = {
    kind: tuple(node["enum"]) for kind, node in _TOP["synapses"]["properties"].items()}
RANGE_PAIRS = ("exc_per_100ms", "inh_minus_exc_per_100ms")  # [low, high] spikes per 100 ms


@dataclass(frozen=True)
class DataFile:
    """A data file the cell needs, pinned by sha256."""

    name: str
    sha256: str
    mirror_path: str = ""
    path: str = ""  # shipped in the cell's folder, relative to it
    url: str = ""
    archive_member: str = ""
    allen_model_id: int = 0  # download from the Allen API (benchmark.cells.allen_download)


@dataclass(frozen=True)
class CellSpec:
    """A validated cell specification.

    Attributes:
        name: registry name.
        folder: folder holding the (child-most) ``cell.toml``.
        data: the merged table, as validated.
        chain: spec files from the child to the root of its ``extends`` chain.
    """

    name: str
    folder: Path
    data: Mapping[str, Any]
    chain: tuple[Path, ...] = field(default=())

    def get(self, dotted: str, default: Any = None) -> Any:
        """Value of a dotted key (``simulation.dt_ms``), or ``default``."""
        return _lookup(self.data, dotted, default)

    @property
    def description(self) -> str:
        return str(self.data["description"])

    @property
    def parent(self) -> str | None:
        """Name of the cell this spec ``extends`` (a control's cell), or None."""
        return self.chain[1].parent.name if len(self.chain) > 1 else None

    @property
    def parameters(self) -> Mapping[str, Any]:
        return self.data.get("parameters", {})

    @property
    def card(self) -> Mapping[str, str]:
        """The card (layer, area, cell_type, model_family): ``[card]`` of the spec, then the
        fields of ``card.toml`` in the cell's folder (:func:`read_card`); empty if none."""
        return {**self.data.get("card", {}), **read_card(self.folder / CARD_FILE)}

    @property
    def files(self) -> tuple[DataFile, ...]:
        return tuple(DataFile(name=k, **v) for k, v in sorted(self.data.get("files", {}).items()))

    def mechanism_sources(self) -> list[str]:
        """Catalogue names, or mod folders resolved against the spec's folder."""
        out = []
        for item in self.data["mechanisms"]:
            local = self.folder / item
            out.append(str(local.resolve()) if local.is_dir() else item)
        return out

    @property
    def start_rate_scale(self) -> float:
        """The rate scale (dimensionless) the calibration tries first: the author's estimate
        of the scale that makes the cell fire at the target rate (``inputs.start_rate_scale``,
        default 1)."""
        return float(self.get("inputs.start_rate_scale", 1.0))

    def digest(self) -> str:
        """sha256 of the merged spec (canonical JSON): changes whenever the cell changes.

        ``simulation.engine`` is left out: the engine computes the same cell (the engines
        agree to 1e-4 mV, tested), and the inputs, which the digest seeds, must not
        depend on it."""
        data = dict(self.data)
        sim = data.get("simulation")
        if isinstance(sim, Mapping) and ENGINE_KEY in sim:
            data["simulation"] = {k: v for k, v in sim.items() if k != ENGINE_KEY}
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def engine(self) -> str | None:
        """The simulation engine the spec asks for (``simulation.engine``), or None."""
        value = self.get(f"simulation.{ENGINE_KEY}")
        return None if value is None else str(value)

    def with_engine(self, engine: str | None) -> CellSpec:
        """This spec asking for ``engine`` (``"coreneuron"`` or ``"neuron"``); the same spec
        for None. Its digest is unchanged (:meth:`digest`)."""
        if engine is None or engine == self.engine:
            return self
        data = dict(self.data)
        data["simulation"] = {**dict(self.data.get("simulation", {})), ENGINE_KEY: engine}
        return dataclasses.replace(self, data=data)


CARD_FILE = "card.toml"
CARD_FIELDS = ("layer", "area", "cell_type", "model_family")


def read_card(path: Path) -> dict[str, str]:
    """The fields of a ``card.toml`` (none when there is no such file); a SpecError for an
    unknown field or a value that is not a string."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(path, "card", f"not valid TOML ({exc})", "fix the TOML syntax") from exc
    for key, value in data.items():
        if key not in CARD_FIELDS:
            raise SpecError(path, key, "is not a card field",
                            f"use {', '.join(CARD_FIELDS)}")
        if not isinstance(value, str):
            raise SpecError(path, key, f"has the wrong type ({type(value).__name__})",
                            f'give {key} as a string, e.g. {key} = "..."')
    return dict(data)


ENGINE_KEY = "engine"  # simulation.engine: which simulator runs the cell (not in the digest)


def _lookup(data: Mapping[str, Any], dotted: str, default: Any = None) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; syntax errors become a one-line SpecError."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise SpecError(path, "-", "file not found",
                        f"create {path.name} in {path.parent}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(path, "-", f"not valid TOML ({exc})", "fix the TOML syntax") from exc


def merge(base: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """Recursive table merge: child values win; ``extends`` is not inherited."""
    out = {k: v for k, v in base.items() if k != "extends"}
    for key, value in child.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def validate(path: Path, data: Mapping[str, Any]) -> None:
    """Check a merged spec against the schema, then the checks a schema cannot express;
    ``path`` is named in errors. ``data`` is not changed (no defaults are filled in)."""
    schema.check(path, data)
    if data["schema_version"] != SCHEMA_VERSION:
        raise SpecError(path, "schema_version", f"unsupported version {data['schema_version']}",
                        f"set schema_version = {SCHEMA_VERSION}")
    for tree, table in data["inputs"]["trees"].items():
        for key in RANGE_PAIRS:
            low, high = table[key]
            if low > high:
                raise SpecError(path, f"inputs.trees.{tree}.{key}",
                                f"low {low} exceeds high {high}",
                                f"give {key} = [low, high] spikes per 100 ms")
    for name, table in data.get("files", {}).items():
        if not table.get("mirror_path") and not table.get("path"):
            raise SpecError(path, f"files.{name}", "says neither where a mirror holds the file "
                            "nor where the cell ships it",
                            "give mirror_path (a published file) or path (relative to the "
                            "cell's folder)")
    parameters.check(path, data)


def load(folder: Path, resolve: Callable[[str], Path] | None = None) -> CellSpec:
    """Load and validate ``folder/cell.toml``, following ``extends`` through ``resolve``.

    Args:
        folder: the cell's folder.
        resolve: maps a cell name to its folder (the registry's lookup); needed only when
            the spec extends another.
    """
    path = folder / SPEC_FILE
    own = read_toml(path)
    chain = [path]
    merged: dict[str, Any] = dict(own)
    parent_name = own.get("extends")
    seen = {own.get("name")}
    while parent_name is not None:
        if not isinstance(parent_name, str) or resolve is None:
            raise SpecError(path, "extends", "must name a registered cell",
                            "set extends = \"<cell name>\"")
        if parent_name in seen:
            raise SpecError(path, "extends", f"cycle through '{parent_name}'",
                            "remove the circular extends")
        seen.add(parent_name)
        parent_path = resolve(parent_name) / SPEC_FILE
        parent = read_toml(parent_path)
        chain.append(parent_path)
        merged = merge(parent, merged)
        parent_name = parent.get("extends")
    merged.pop("extends", None)
    validate(path, merged)
    if merged["name"] != folder.name:
        raise SpecError(path, "name", f"'{merged['name']}' differs from the folder name",
                        f"set name = \"{folder.name}\" or rename the folder")
    return CellSpec(name=merged["name"], folder=folder, data=merged, chain=tuple(chain))
