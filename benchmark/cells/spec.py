"""Cell specifications: ``cells/<name>/cell.toml``, schema-checked.

A cell folder holds ``cell.toml`` and a ``README.md``. The spec is data: which builder
makes the cell in NEURON, which mechanism catalogues it needs, its data files (pinned by
sha256), its input-protocol rates per dendritic tree, and builder parameters with units.

A spec may ``extends = "other_cell"``: tables are merged recursively, the child winning.
Every schema error is a :class:`~benchmark.core.errors.SpecError` naming the file, the field
and the fix.

The optional ``[card]`` table holds what the site shows besides the species, citation and
licence: ``layer``, ``area``, ``cell_type``, ``model_family`` (strings).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmark.cells import parameters
from benchmark.core.errors import SpecError

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

SPEC_FILE = "cell.toml"
SCHEMA_VERSION = 1
KINDS = ("detailed", "control", "point")
INTEGRATION_METHODS = ("backward_euler", "crank_nicolson")  # NEURON secondorder 0 or 2
SYNAPSE_MODELS = {"excitatory": ("ampa_nmda", "ampa"), "inhibitory": ("gaba_a",)}


@dataclass(frozen=True)
class Field:
    """One schema entry: a dotted key, its type, whether it is required, and a fix hint."""

    key: str
    kind: type | tuple[type, ...]
    required: bool
    hint: str
    check: Callable[[Any], str | None] | None = None


def _one_of(options: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in options else f"'{value}' is not one of {', '.join(options)}"

    return check


def _positive(value: Any) -> str | None:
    return None if value > 0 else f"{value} is not positive"


def _range_pair(value: Any) -> str | None:
    if len(value) != 2 or not all(isinstance(v, (int, float)) for v in value):
        return "must be a pair of numbers [low, high]"
    return None if value[0] <= value[1] else f"low {value[0]} exceeds high {value[1]}"


NUMBER = (int, float)
FIELDS: tuple[Field, ...] = (
    Field("schema_version", int, True, f"set schema_version = {SCHEMA_VERSION}"),
    Field("name", str, True, "set name to the folder name, e.g. name = \"my_cell\""),
    Field("version", str, True, "set version = \"1\" and bump it when the model changes"),
    Field("description", str, True, "add a one-line description = \"...\""),
    Field("species", str, True, "set species, e.g. \"rat\", \"human\" or \"none\""),
    Field("kind", str, True, f"set kind to one of {KINDS}", _one_of(KINDS)),
    Field("builder", str, True, "name the builder that makes the cell, e.g. \"lif\""),
    Field("mechanisms", list, True,
          "list mechanism catalogues or mod folders, e.g. [\"synapses\"]"),
    Field("source.data", str, True, "say where the cell's data come from"),
    Field("source.licence", str, True, "state the licence of the model and its data"),
    Field("source.citation", str, True, "cite the paper that published the model"),
    Field("source.url", str, False, "give the public address of the data"),
    Field("simulation.dt_ms", NUMBER, True, "set simulation.dt_ms, e.g. 0.025", _positive),
    Field("simulation.v_init_mv", NUMBER, True, "set simulation.v_init_mv, e.g. -70.0"),
    Field("simulation.celsius_degc", NUMBER, True, "set simulation.celsius_degc, e.g. 34.0"),
    Field("simulation.spike_threshold_mv", NUMBER, True, "set spike_threshold_mv = -25.0"),
    Field("simulation.integration", str, False,
          f"set simulation.integration to one of {', '.join(INTEGRATION_METHODS)}",
          _one_of(INTEGRATION_METHODS)),
    Field("synapses.excitatory", str, True, "set synapses.excitatory = \"ampa_nmda\" or \"ampa\"",
          _one_of(SYNAPSE_MODELS["excitatory"])),
    Field("synapses.inhibitory", str, True, "set synapses.inhibitory = \"gaba_a\"",
          _one_of(SYNAPSE_MODELS["inhibitory"])),
    Field("inputs.trees", dict, True, "add an [inputs.trees.<tree>] table per dendritic tree"),
    Field("inputs.start_rate_scale", NUMBER, False,
          "set inputs.start_rate_scale to a positive number: the rate scale the calibration "
          "tries first (1 when absent), e.g. start_rate_scale = 0.2", _positive),
    Field("parameters", dict, False, "put builder parameters under [parameters]"),
    Field("files", dict, False, "list data files under [files.\"name\"] with sha256 and url"),
    Field("card", dict, False, "put the site's card fields under [card]"),
)
# The optional [card]: what the site shows about the cell besides species, citation and
# licence (all strings, e.g. layer = "5", area = "VISp", cell_type = "pyramidal (IT)").
CARD_FIELDS: tuple[Field, ...] = (
    Field("layer", str, False, "give layer as a string, e.g. layer = \"5\""),
    Field("area", str, False, "give area as a string, e.g. area = \"VISp\""),
    Field("cell_type", str, False, "give cell_type as a string, e.g. \"pyramidal\""),
    Field("model_family", str, False,
          "give model_family as a string, e.g. \"Allen all-active (legacy)\""),
)
TREE_FIELDS: tuple[Field, ...] = (
    Field("exc_per_100ms", list, True, "give exc_per_100ms = [low, high] spikes per 100 ms",
          _range_pair),
    Field("inh_minus_exc_per_100ms", list, True,
          "give inh_minus_exc_per_100ms = [low, high] spikes per 100 ms", _range_pair),
)
FILE_FIELDS: tuple[Field, ...] = (
    Field("sha256", str, True, "pin the file with sha256 = \"<64 hex digits>\""),
    Field("mirror_path", str, False, "give mirror_path relative to the mirror folder"),
    Field("path", str, False, "give path relative to the cell's folder (a file shipped with "
                              "the cell)"),
    Field("url", str, False, "give the public download address"),
    Field("archive_member", str, False, "name the file inside the downloaded archive"),
    Field("allen_model_id", int, False,
          "give the Allen neuronal_model_id as an integer, e.g. allen_model_id = 497232312"),
)


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
        """The optional ``[card]`` (layer, area, cell_type, model_family); empty if none."""
        return self.data.get("card", {})

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
        """sha256 of the merged spec (canonical JSON): changes whenever the cell changes."""
        canonical = json.dumps(self.data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


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


def check_fields(path: Path, data: Mapping[str, Any], fields: tuple[Field, ...],
                 prefix: str = "") -> None:
    """Raise SpecError for the first missing, mistyped or invalid field."""
    for f in fields:
        value = _lookup(data, f.key)
        where = prefix + f.key
        if value is None:
            if f.required:
                raise SpecError(path, where, "missing", f.hint)
            continue
        if isinstance(value, bool) or not isinstance(value, f.kind):
            raise SpecError(path, where, f"has the wrong type ({type(value).__name__})", f.hint)
        problem = f.check(value) if f.check else None
        if problem:
            raise SpecError(path, where, problem, f.hint)


def validate(path: Path, data: Mapping[str, Any]) -> None:
    """Check a merged spec against the schema; ``path`` is named in errors."""
    check_fields(path, data, FIELDS)
    if data["schema_version"] != SCHEMA_VERSION:
        raise SpecError(path, "schema_version", f"unsupported version {data['schema_version']}",
                        f"set schema_version = {SCHEMA_VERSION}")
    trees = data["inputs"]["trees"]
    if not trees:
        raise SpecError(path, "inputs.trees", "is empty", "add at least one [inputs.trees.<tree>]")
    for tree, table in trees.items():
        check_fields(path, table, TREE_FIELDS, prefix=f"inputs.trees.{tree}.")
    for name, table in data.get("files", {}).items():
        check_fields(path, table, FILE_FIELDS, prefix=f"files.{name}.")
        if not table.get("mirror_path") and not table.get("path"):
            raise SpecError(path, f"files.{name}", "says neither where a mirror holds the file "
                            "nor where the cell ships it",
                            "give mirror_path (a published file) or path (relative to the "
                            "cell's folder)")
        digest = table["sha256"]
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise SpecError(path, f"files.{name}.sha256", "is not 64 lowercase hex digits",
                            "paste the output of `sha256sum FILE`")
    _check_card(path, data.get("card", {}))
    parameters.check(path, data)


def _check_card(path: Path, card: Mapping[str, Any]) -> None:
    known = [f.key for f in CARD_FIELDS]
    for key in card:
        if key not in known:
            raise SpecError(path, f"card.{key}", "is not a card field",
                            f"use {', '.join(known)}")
    check_fields(path, card, CARD_FIELDS, prefix="card.")


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
