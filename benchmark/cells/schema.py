"""The JSON Schema of ``cell.toml`` and its one-line errors.

``schemas/cell.schema.json`` (Draft 2020-12) describes a merged spec: every table refuses
unknown keys (``additionalProperties: false``), and the built-in builders' ``[parameters]``
(``lif``, ``detailed``, ``allen``) are ``$defs`` chosen by ``builder`` through ``if``/``then``;
a ``package.module:function`` builder's ``[parameters]`` are free. A schema node may carry the
annotation ``x-fix``: the hint printed when the value it describes is missing or wrong.

:func:`check` turns the first schema error into a :class:`~benchmark.core.errors.SpecError`
naming the file, the dotted field (``simulation.dt_ms``, ``files.cell1.asc.sha256``,
``parameters.distributions[1].form``) and the fix; an unknown key's fix lists the table's
keys and the closest one ("did you mean 'dt_ms'?"). Checks the schema cannot express live in
:mod:`benchmark.cells.spec` and :mod:`benchmark.cells.parameters`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from benchmark.core.errors import SpecError

SCHEMA_PATH = Path(__file__).parent / "schemas" / "cell.schema.json"
FIX = "x-fix"  # the annotation keyword holding a field's fix hint
TYPE_NAMES = {"integer": "whole number", "number": "number", "string": "string",
              "object": "table", "array": "list", "boolean": "boolean"}
# Keywords that step from a table to one of its values (or names): a fix hint found above
# such a step belongs to the table, not to the value.
_CHILD_STEPS = ("additionalProperties", "propertyNames")
_NAMED = ("properties", "patternProperties")  # a map from key names to their schemas
_CONTAINERS = (*_NAMED, "$defs", "allOf", "anyOf", "oneOf", "prefixItems")


def _is_integer(_checker: Any, instance: Any) -> bool:
    """A TOML integer: ``1.0`` is a float, and booleans are not numbers."""
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer))


@cache
def schema() -> dict[str, Any]:
    """The cell schema (parsed once)."""
    return json.loads(SCHEMA_PATH.read_text())


@cache
def _validator() -> Any:
    return _Validator(schema())


def resolve(node: Any) -> Any:
    """Follow local ``$ref`` (``#/$defs/name``) links until a node without one."""
    while isinstance(node, Mapping) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"{SCHEMA_PATH.name}: only local $ref is supported, not {ref}")
        node = schema()
        for part in ref[2:].split("/"):
            node = node[part]
    return node


def builder_parameters() -> dict[str, Mapping[str, Any]]:
    """The built-in builders' names and the schemas of their ``[parameters]``."""
    out = {}
    for branch in schema().get("allOf", []):
        name = branch["if"]["properties"]["builder"]["const"]
        out[name] = resolve(branch["then"]["properties"]["parameters"])
    return out


def field_names(builder: str | None = None) -> list[str]:
    """Every key the schema names, dotted (a map's entry is ``*``, a list's item ``[]``).

    Args:
        builder: None for the spec's own keys (``[parameters]`` as one free table), or a
            built-in builder's name for ``parameters`` and its keys.
    """
    if builder is None:
        return list(_walk(schema(), ""))
    return ["parameters", *_walk(builder_parameters()[builder], "parameters")]


def _walk(node: Any, prefix: str) -> Iterator[str]:
    node = resolve(node)
    if not isinstance(node, Mapping):
        return
    for key, sub in node.get("properties", {}).items():
        name = f"{prefix}.{key}" if prefix else key
        yield name
        yield from _walk(sub, name)
    if isinstance(node.get("additionalProperties"), Mapping):
        yield from _walk(node["additionalProperties"], f"{prefix}.*")
    if isinstance(node.get("items"), Mapping):
        yield from _walk(node["items"], f"{prefix}[]")


def dotted(path: Sequence[Any]) -> str:
    """``("files", "a.swc", "sha256")`` -> ``files.a.swc.sha256``; list indices as ``[i]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def check(path: Path, data: Mapping[str, Any]) -> None:
    """Raise SpecError for the first schema error of the merged spec ``data``.

    The first error is the shallowest one, ties in schema order (an unknown key of a table
    before the keys it lacks, so a misspelt key is reported as such).
    """
    errors = list(_validator().iter_errors(data))
    if errors:
        error = min(errors, key=lambda e: len(e.absolute_path))
        raise _spec_error(path, error)


def _spec_error(path: Path, error: Any) -> SpecError:
    where = list(error.absolute_path)
    node, fix = _locate(error.absolute_schema_path)
    if error.validator == "additionalProperties":
        allowed = list(node.get("properties", {}))
        key = next(k for k in error.instance if k not in allowed)
        table = f"is not a key of [{dotted(where)}]" if where else "is not a top-level key"
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f"remove it or use {', '.join(allowed)}"
        return SpecError(path, dotted([*where, key]), table,
                         f"did you mean '{close[0]}'? {hint}" if close else hint)
    if error.validator == "required":
        key = next(k for k in error.validator_value if k not in error.instance)
        fix = _own_fix(node.get("properties", {}).get(key))
        sub = resolve(node.get("properties", {}).get(key, {}))
        where_name = dotted(where)
        if fix is None:
            fix = (f"add a [{dotted([*where, key])}] table" if sub.get("type") == "object"
                   else f"add {key} under [{where_name}]" if where
                   else f"add {key} = ... at the top of the file")
        return SpecError(path, dotted([*where, key]), "missing", fix)
    if "propertyNames" in error.absolute_schema_path:
        where.append(error.instance)  # the name itself is the offending field
    key = str(where[-1]) if where and not isinstance(where[-1], int) else dotted(where)
    return SpecError(path, dotted(where), _problem(error),
                     fix or _default_fix(key, error.validator, error.validator_value))


def _own_fix(node: Any) -> str | None:
    """A node's ``x-fix``, or that of the schema it refers to."""
    while isinstance(node, Mapping):
        if FIX in node:
            return str(node[FIX])
        if "$ref" not in node:
            return None
        node = resolve({"$ref": node["$ref"]})
    return None


def _locate(schema_path: Sequence[Any]) -> tuple[Mapping[str, Any], str | None]:
    """The schema node at ``schema_path`` (less its last keyword), ``$ref`` resolved, and the
    fix hint in force there: the nearest ``x-fix`` at or above it that describes the same
    value (a table's hint does not pass to its keys; a list's passes to its items)."""
    node: Any = schema()
    fix: str | None = None
    keys = list(schema_path)[:-1]
    for i, key in enumerate(keys):
        if isinstance(node, Mapping) and key not in node and "$ref" in node:
            node = resolve(node)
            fix = fix or node.get(FIX)
        node = node[key]
        if isinstance(key, str) and key in _CONTAINERS:
            continue  # a map of names (or a list) of schemas, not a schema
        if key in _CHILD_STEPS or (i and keys[i - 1] in _NAMED):
            fix = None  # a new value: the hints above it are its table's
        fix = fix or node.get(FIX)
    if isinstance(node, Mapping) and "$ref" in node:
        node = resolve(node)
        fix = fix or node.get(FIX)
    return node, fix


def _show(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _problem(error: Any) -> str:
    """What is wrong, in the words of the old hand-written checks."""
    value, limit, kind = error.instance, error.validator_value, error.validator
    if kind == "type":
        return f"has the wrong type ({type(value).__name__})"
    if kind in ("enum", "const"):
        options = limit if kind == "enum" else [limit]
        return f"{_show(value)} is not one of {', '.join(str(o) for o in options)}"
    if kind == "exclusiveMinimum":
        return f"{value} is not positive" if limit == 0 else f"{value} is not above {limit}"
    if kind in ("minimum", "maximum"):
        low, high = error.schema.get("minimum"), error.schema.get("maximum")
        if low is not None and high is not None:
            return f"{value!r} is not in [{low}, {high}]"
        return f"{value} is {'below' if kind == 'minimum' else 'above'} {limit}"
    if kind in ("minItems", "maxItems"):
        return (f"has {len(value)} item{'' if len(value) == 1 else 's'}, "
                f"{'fewer' if kind == 'minItems' else 'more'} than {limit}")
    if kind == "minProperties":
        return "is empty" if limit == 1 else f"has fewer than {limit} entries"
    if kind == "pattern":
        return f"{_show(value)} does not match the pattern {limit}"
    if kind in ("anyOf", "oneOf"):
        return f"{_show(value)} matches none of the allowed forms"
    return str(error.message)


def _default_fix(key: str, kind: str, limit: Any) -> str:
    """The hint for a schema node without ``x-fix``."""
    if kind == "type":
        names = limit if isinstance(limit, list) else [limit]
        return f"give {key} a {' or '.join(TYPE_NAMES.get(n, n) for n in names)}"
    if kind == "enum":
        return f"use one of {', '.join(str(o) for o in limit)}"
    bounds = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=",
              "exclusiveMaximum": "<"}
    if kind in bounds:
        return f"give {key} a value {bounds[kind]} {limit}"
    if kind in ("minItems", "maxItems"):
        return f"give {key} {'at least' if kind == 'minItems' else 'at most'} {limit} items"
    return f"correct {key} (see docs/cell-toml.md)"
