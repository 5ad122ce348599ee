"""What each profile can tell apart: its resolving power on teachers of known depth.

``benchmarks/resolution.py --save FOLDER/<profile>.json`` runs a profile's whole sweep and
decision on the teacher cells (``docs/teachers.md``) over several run seeds and stores, per
teacher, the fraction of runs that recover its depth, stay open (unresolved, or a range
that contains it), call a wrong depth, or cannot decide. The site shows that table above
each ranking of the same profile, so every ranking says what its profile can resolve.
This module reads and checks those files; a file that fails is reported, never shown.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CLASSES = ("recovered", "open", "wrong", "undetermined")
REQUIRED = ("profile", "fractions", "runs", "command", "made_utc")


@dataclass(frozen=True)
class TeacherRow:
    """One teacher's outcome fractions (0-1) over ``n_runs`` runs, and its run labels;
    ``depth1_right``: the share of runs whose verdict on depth 1 is right for the teacher's
    depth (sufficient at depth 1, insufficient deeper; None in files made before it was
    reported)."""

    teacher: str
    depth: int
    n_runs: int
    fractions: dict[str, float]
    labels: tuple[str, ...]
    depth1_right: float | None = None


@dataclass(frozen=True)
class Power:
    """A profile's resolving-power table, as measured (see the module docstring)."""

    profile: str
    rows: tuple[TeacherRow, ...]
    command: str
    made_utc: str
    sized: bool


def parse(data: dict[str, Any], source: str) -> Power:
    """A :class:`Power` from a ``benchmarks/resolution.py`` JSON object.

    Raises:
        ValueError: naming ``source`` and the field, when the object is not such a file.
    """
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise ValueError(f"{source}: fields {missing} missing; fix: remake it with "
                         "python benchmarks/resolution.py --save")
    name = str(data["profile"].get("name", ""))
    rows = []
    for teacher, fractions in sorted(data["fractions"].items()):
        runs = [r for r in data["runs"] if r.get("teacher") == teacher]
        if not runs or set(fractions) != set(CLASSES):
            raise ValueError(f"{source}: fractions.{teacher} needs runs and the classes "
                             f"{list(CLASSES)}; fix: remake it with python "
                             "benchmarks/resolution.py")
        if abs(sum(fractions.values()) - 1.0) > 1e-6:
            raise ValueError(f"{source}: fractions.{teacher} do not sum to 1; fix: remake it "
                             "with python benchmarks/resolution.py")
        right = (data.get("depth1_calls") or {}).get(teacher, {}).get("right")
        rows.append(TeacherRow(teacher, int(runs[0]["depth"]), len(runs),
                               {c: float(fractions[c]) for c in CLASSES},
                               tuple(str(r["label"]) for r in runs),
                               None if right is None else float(right)))
    return Power(profile=name.removesuffix("-sized"), rows=tuple(rows),
                 command=str(data["command"]), made_utc=str(data["made_utc"]),
                 sized=name.endswith("-sized"))


def outdated(data: dict[str, Any], current: Callable[[str], str | None]) -> list[str]:
    """The teachers of a resolution file measured at another version than ``current``
    gives (the registry's; None: not registered), as ``"name version X (now Y)"``."""
    out = []
    for teacher, ident in sorted((data.get("teachers") or {}).items()):
        measured, now = str(ident.get("version")), current(teacher)
        if now is None or measured != str(now):
            out.append(f"{teacher} version {measured} (now {now or 'not registered'})")
    return out


def load_all(folder: Path, current: Callable[[str], str | None] | None = None
             ) -> tuple[dict[str, Power], list[str]]:
    """Every ``<profile>.json`` of ``folder`` whose file name is its profile (sized
    variants are kept out: they describe no ranking), and the problems of the others. With
    ``current`` (a teacher's registered version), a table measured on other versions of
    its teachers is a problem too: it describes teachers that are no longer registered."""
    found: dict[str, Power] = {}
    problems: list[str] = []
    if not folder.is_dir():
        return found, problems
    for path in sorted(folder.glob("*.json")):
        try:
            power = parse(json.loads(path.read_text()), str(path))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            problems.append(str(exc) if str(path) in str(exc) else f"{path}: {exc}")
            continue
        stale = outdated(json.loads(path.read_text()), current) if current else []
        if stale:
            problems.append(f"{path}: measured on {', '.join(stale)}; fix: remake it with "
                            f"python benchmarks/resolution.py --profile {power.profile} "
                            f"--save {path}")
            continue
        if power.sized or power.profile != path.stem:
            problems.append(f"{path}: holds profile {power.profile!r}"
                            f"{' (sized)' if power.sized else ''}; fix: name it "
                            "<profile>.json and keep sized variants elsewhere")
            continue
        found[power.profile] = power
    return found, problems
