"""Ranking: one table per (profile, protocol version); cells by what their score resolves.

Pure logic over record dicts (no files, no registry), so it is testable with small
synthetic records holding only the keys read here: ``cell.name`` (and ``cell.version``),
``profile.name``, ``protocol.version``, the ``score`` block (``outcome``, ``label``,
``lower``, ``upper``), ``fci`` (``value``, ``ci``, ``reference_depth``, ``spike_auc``),
``per_depth`` and ``rate_match``. The registry's cell versions come in as a mapping,
``current_versions``.

A score is one of four outcomes (:mod:`benchmark.scoring.decision`): a resolved minimal
depth ("2"), a range ("1-2", or ">= 2" when open above), unresolved at this profile, or
undetermined (no decision could be made: too few test spikes). Order within a table
(``docs/leaderboard.md``):

1. resolved depths and ranges, by their bounds: lower bound first, then upper bound (an
   open range counts as unbounded), so "1" < "1-2" < "1-3" < ">= 1" < "2" < "2-3";
2. ties by the FCI at the reference depth, lower first (a missing FCI last);
3. then by cell name, so the order is total and the output deterministic;
4. unresolved cells after every cell with bounds, by their FCI (lower first) with its
   interval, without a rank: the sweep says nothing about their depth, so a rank would
   claim what the score does not;
5. undetermined cells after those, without a rank;
6. stale records (made with another version of the cell than the registry's, which has
   changed since) after every current one, without a rank: their score describes a model
   the registry no longer holds. Among themselves they follow the same order.

Records of different profiles or protocol versions are never ranked together: their data,
networks and inputs differ, so neither depth nor FCI is comparable across them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from benchmark.scoring import rule as score

# Tables are listed from the most to the least thorough profile.
PROFILE_ORDER = ("paper", "standard", "resolving", "resolving-small", "quick", "smoke")
BOUNDED = ("resolved", "range")
"""Outcomes whose score bounds the minimal depth: these rows are ranked."""


@dataclass(frozen=True)
class Row:
    """One cell in one table.

    Attributes:
        rank: 1-based position in its table (only resolved and range scores have one).
        cell: cell name; record: the record the row was made from.
        outcome: ``resolved``, ``range``, ``unresolved`` or ``undetermined``.
        label: the score as shown: ``"2"``, ``"1-2"``, ``">= 2"``, ``"unresolved"`` or
            ``"undetermined"``; an unresolved depth is never shown as a number.
        lower / upper: bounds of the minimal depth (layers); upper None: open above.
        reference_depth: the depth whose AUC gives the FCI (docs/scoring.md, section 4).
        auc / auc_ci: summary spike ROC AUC at the reference depth and its interval.
        fci / fci_ci: the Functional Complexity Index there and its interval (over test
            simulations and seeds).
        rate_flag: the record's rate flag (the run's output rate left the calibration's
            target band), None when in band.
        made_version: the cell version the record was made with (``cell.version``);
        current_version: the registry cell's version now (None when not known).
    """

    rank: int | None
    cell: str
    outcome: str
    label: str
    lower: int | None
    upper: int | None
    reference_depth: int
    auc: float | None
    auc_ci: tuple[float | None, float | None]
    fci: float | None
    fci_ci: tuple[float | None, float | None]
    record: dict[str, Any]
    rate_flag: str | None = None
    made_version: str | None = None
    current_version: str | None = None

    @property
    def stale(self) -> bool:
        """Made with another version of the cell than the registry's: shown, marked, not
        ranked."""
        return self.current_version is not None and self.made_version != self.current_version

    @property
    def bounded(self) -> bool:
        """Whether the score bounds the minimal depth (a resolved depth or a range)."""
        return self.outcome in BOUNDED and self.lower is not None

    @property
    def depth_label(self) -> str:
        """The score as shown (the record's ``score.label``)."""
        return self.label


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


def _interval(ci: Any) -> tuple[float | None, float | None]:
    lo, hi = (list(ci or []) + [None, None])[:2]
    return _finite(lo), _finite(hi)


def make_row(record: dict[str, Any], rank: int | None = None,
             current_version: str | None = None) -> Row:
    """A row (unranked unless ``rank`` is given) from one record; ``current_version`` is the
    registry cell's version (None: not known, the row is not stale)."""
    depth, auc, (lo, hi) = reference_auc(record)
    block = record["score"]
    fci = _finite(record["fci"].get("value"))
    fci_ci = _interval(record["fci"].get("ci"))
    if fci_ci == (None, None):
        # FCI falls as the AUC rises: the AUC interval's upper end gives the FCI's lower end.
        fci_ci = (_fci(hi), _fci(lo))
    made = record["cell"].get("version")
    flag = (record.get("rate_match") or {}).get("flag")
    return Row(rank=rank, cell=str(record["cell"]["name"]),
               outcome=str(block.get("outcome", "undetermined")),
               label=str(block.get("label", "undetermined")),
               lower=block.get("lower"), upper=block.get("upper"),
               reference_depth=depth, auc=auc, auc_ci=(lo, hi),
               fci=fci if fci is not None else _fci(auc), fci_ci=fci_ci,
               record=record, rate_flag=None if flag is None else str(flag),
               made_version=None if made is None else str(made),
               current_version=current_version)


def tier(row: Row) -> int:
    """0: bounded (resolved or range); 1: unresolved; 2: undetermined."""
    if row.bounded:
        return 0
    return 1 if row.outcome == "unresolved" else 2


def sort_key(row: Row) -> tuple[Any, ...]:
    """Stale after current; then bounded scores by (lower, upper; open = infinite), then
    unresolved, then undetermined; ties by FCI ascending (missing last); then name."""
    t = tier(row)
    lower = row.lower if t == 0 and row.lower is not None else 0
    upper = (row.upper if row.upper is not None else math.inf) if t == 0 else 0
    return (row.stale, t, lower, upper, row.fci is None, row.fci or 0.0, row.cell)


def ranked(row: Row) -> bool:
    """Whether a row gets a rank: a current record whose score bounds the minimal depth."""
    return row.bounded and not row.stale


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
