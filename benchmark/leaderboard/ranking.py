"""Ranking: one table per (profile, protocol version); cells by minimal depth.

Pure logic over record dicts (no files, no registry), so it is testable with small
synthetic records holding only the keys read here: ``cell.name`` (and ``cell.version``),
``profile.name``, ``protocol.version``, ``score.minimal_depth`` / ``censored``, ``fci`` and
``per_depth``. The registry's cell versions come in as a mapping, ``current_versions``.

Order within a table (``docs/leaderboard.md``):

1. cells whose rule found a minimal depth, shallower first; a censored depth (">= d": the
   deepest depth tried still helped) after an uncensored one of the same d, since it is
   at least d;
2. ties by the spike ROC AUC at the reference depth, higher first (a missing AUC last);
3. then by cell name, so the order is total and the output deterministic;
4. cells with no minimal depth ("none") after those with one, without a rank;
5. stale records (made with another version of the cell than the registry's, which has
   changed since) after every current one, without a rank: their score describes a model
   the registry no longer holds. Among themselves they follow the same order.

Records of different profiles or protocol versions are never ranked together: their data,
networks and inputs differ, so neither depth nor AUC is comparable across them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from benchmark.scoring import rule as score

# Tables are listed from the most to the least thorough profile.
PROFILE_ORDER = ("paper", "standard", "quick", "smoke")


@dataclass(frozen=True)
class Row:
    """One cell in one table.

    Attributes:
        rank: 1-based position in its table (cells with no minimal depth have none).
        cell: cell name; record: the record the row was made from.
        minimal_depth: the score (layers), None when the rule found none; censored: ">=".
        reference_depth: the depth whose AUC is the tie-break and the FCI's (layers).
        auc / auc_ci: summary spike ROC AUC at the reference depth and its bootstrap
            interval (95% by default; None where undefined).
        fci / fci_ci: the Functional Complexity Index and the interval the AUC's gives it.
        made_version: the cell version the record was made with (``cell.version``);
        current_version: the registry cell's version now (None when not known).
    """

    rank: int | None
    cell: str
    minimal_depth: int | None
    censored: bool
    reference_depth: int
    auc: float | None
    auc_ci: tuple[float | None, float | None]
    fci: float | None
    fci_ci: tuple[float | None, float | None]
    record: dict[str, Any]
    made_version: str | None = None
    current_version: str | None = None

    @property
    def stale(self) -> bool:
        """Made with another version of the cell than the registry's: shown, marked, not
        ranked."""
        return self.current_version is not None and self.made_version != self.current_version

    @property
    def depth_label(self) -> str:
        """``"2"``, ``">= 3"`` (censored) or ``"none"``."""
        if self.minimal_depth is None:
            return "none"
        return f">= {self.minimal_depth}" if self.censored else str(self.minimal_depth)


@dataclass(frozen=True)
class Table:
    """The ranked rows of one (profile, protocol version) group."""

    profile: str
    protocol_version: str
    rows: tuple[Row, ...]

    @property
    def key(self) -> str:
        """A stable id for links and HTML ids: ``<profile>-protocol-<version>``."""
        return f"{self.profile}-protocol-{self.protocol_version}"


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _fci(auc: float | None) -> float | None:
    if auc is None or not 0.0 <= auc <= 1.0:
        return None
    return _finite(score.fci(auc))


def reference_auc(record: dict[str, Any]) -> tuple[int, float | None,
                                                    tuple[float | None, float | None]]:
    """The reference depth, the summary AUC there and its interval (from ``per_depth``)."""
    depth = int(record["fci"]["reference_depth"])
    auc = _finite(record["fci"].get("spike_auc"))
    ci: tuple[float | None, float | None] = (None, None)
    for row in record.get("per_depth", []):
        if row.get("depth") == depth:
            lo, hi = (row.get("spike_auc_ci") or [None, None])[:2]
            ci = (_finite(lo), _finite(hi))
            if auc is None:
                auc = _finite(row.get("spike_auc"))
    return depth, auc, ci


def make_row(record: dict[str, Any], rank: int | None = None,
             current_version: str | None = None) -> Row:
    """A row (unranked unless ``rank`` is given) from one record; ``current_version`` is the
    registry cell's version (None: not known, the row is not stale)."""
    depth, auc, (lo, hi) = reference_auc(record)
    block = record["score"]
    fci = _finite(record["fci"].get("value"))
    made = record["cell"].get("version")
    # FCI falls as the AUC rises: the AUC interval's upper end gives the FCI's lower end.
    return Row(rank=rank, cell=str(record["cell"]["name"]),
               minimal_depth=block.get("minimal_depth"), censored=bool(block.get("censored")),
               reference_depth=depth, auc=auc, auc_ci=(lo, hi),
               fci=fci if fci is not None else _fci(auc), fci_ci=(_fci(hi), _fci(lo)),
               record=record, made_version=None if made is None else str(made),
               current_version=current_version)


def sort_key(row: Row) -> tuple[Any, ...]:
    """Stale after current; then minimal depth (none last), censored after uncensored, AUC
    descending, name."""
    none = row.minimal_depth is None
    return (row.stale, none, row.minimal_depth or 0, row.censored,
            row.auc is None, -(row.auc or 0.0), row.cell)


def ranked(row: Row) -> bool:
    """Whether a row gets a rank: a current record with a minimal depth."""
    return row.minimal_depth is not None and not row.stale


def group_key(record: dict[str, Any]) -> tuple[str, str]:
    """(profile name, protocol version): records ranked together share both."""
    return str(record["profile"]["name"]), str(record["protocol"]["version"])


def _table_order(key: tuple[str, str]) -> tuple[Any, ...]:
    profile, version = key
    where = PROFILE_ORDER.index(profile) if profile in PROFILE_ORDER else len(PROFILE_ORDER)
    # newest protocol version first; numeric versions compare as numbers
    vkey = (0, -int(version), "") if version.isdigit() else (1, 0, version)
    return (where, profile, vkey)


def rank(records: Iterable[dict[str, Any]],
         current_versions: Mapping[str, str] | None = None) -> list[Table]:
    """Group records by (profile, protocol version) and rank each group.
    ``current_versions`` (cell name -> the registry's version) marks the stale records;
    without it no record is stale."""
    versions = current_versions or {}
    groups: dict[tuple[str, str], list[Row]] = {}
    for rec in records:
        row = make_row(rec, current_version=versions.get(str(rec["cell"]["name"])))
        groups.setdefault(group_key(rec), []).append(row)
    tables = []
    for key in sorted(groups, key=_table_order):
        ordered = sorted(groups[key], key=sort_key)
        rows = tuple(replace(r, rank=i if ranked(r) else None)
                     for i, r in enumerate(ordered, start=1))
        tables.append(Table(profile=key[0], protocol_version=key[1], rows=rows))
    return tables
