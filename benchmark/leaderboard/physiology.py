"""The physiology table of a cell page, from the ``physiology.json`` beside a record
(:mod:`benchmark.simulation.report`): quantity, this model's value, the published value and
its source. The builder has checked only that the report is JSON naming the record's cell
and version, so every field is read defensively: a row it cannot read is left out."""

from __future__ import annotations

from typing import Any

NO_PUBLISHED = "no published value here"


def _number(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{value:g}" if isinstance(value, int) else f"{value:.4g}"


def _published(block: Any) -> tuple[str, str]:
    """(value text, source) of a quantity's ``published`` block."""
    if not isinstance(block, dict) or "value" not in block:
        return NO_PUBLISHED, ""
    sd = block.get("sd")
    text = _number(block["value"]) + (f" ± {_number(sd)}" if sd is not None else "")
    return text, str(block.get("source", ""))


def rows(report: dict[str, Any] | None) -> list[dict[str, str]]:
    """The table's rows (empty when there is no report)."""
    if not report:
        return []
    out = []
    for q in report.get("quantities", []):
        if not isinstance(q, dict) or "quantity" not in q:
            continue
        unit = str(q.get("unit") or "")
        published, source = _published(q.get("published"))
        out.append({"quantity": str(q["quantity"]) + (f" ({unit})" if unit else ""),
                    "value": _number(q.get("value")), "published": published,
                    "source": source})
    return out
