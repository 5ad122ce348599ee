"""The static site: Jinja2 templates (autoescaped) over the ranked records, seaborn figures.

Layout of the output folder (every link relative, so the site works from ``file://`` and
from any web server)::

    index.html                      overview: one sortable table per (profile, protocol)
    cells/<cell>/index.html         the cell's card and drawing, and per record: curves, the
                                    example simulation, metrics, how it was made
    cells/<cell>/morphology.svg, .png               the cell's shape (from an example)
    cells/<cell>/<profile>/curves.svg, curves.png   per-depth curves (benchmark.scoring.figures)
    cells/<cell>/<profile>/example.svg, .png, .json inputs, soma voltage and prediction
    cells/<cell>/<profile>/record.json              the record, byte for byte
    cells/<cell>/<profile>/physiology.json          the physiology report, where there is one
    static/style.css, static/sort.js                no external downloads
    .neurodepth-site                                marks a folder this builder may replace

Determinism: the output depends only on the records, the registry and this code: no
clock (the only dates are the records' own ``created``), every mapping iterated sorted,
figures drawn by :func:`benchmark.scoring.figures.draw_curves` (fixed SVG ids, no dates in
metadata). The site is built in a sibling temporary folder and then moved into place.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from benchmark.cells import registry
from benchmark.core import profiles
from benchmark.core.atomic import write_bytes, write_text
from benchmark.core.errors import UserError
from benchmark.core.version import __version__
from benchmark.leaderboard import physiology, ranking, resolution
from benchmark.leaderboard.records import Entry, Refusal, load_all
from benchmark.learning import metrics
from benchmark.scoring import comparison, figures
from benchmark.scoring.record import median_of

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
MARKER = ".neurodepth-site"
MARKER_TEXT = "A NeuroDepth leaderboard site (python -m benchmark leaderboard build).\n"
SEED_METRICS = metrics.METRIC_NAMES[1:]  # the spike AUC has a column of its own


@dataclass(frozen=True)
class BuildReport:
    """What a build did: the site folder, the records shown and the ones refused."""

    out: Path
    entries: tuple[Entry, ...]
    refusals: tuple[Refusal, ...]
    resolution_problems: tuple[str, ...] = ()

    @property
    def stale(self) -> tuple[Entry, ...]:
        """The records shown as stale (made with an older version of their cell)."""
        return tuple(e for e in self.entries if e.stale)


def environment() -> jinja2.Environment:
    """The template environment: autoescape on for every template, strict undefined."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = fmt
    env.filters["interval"] = fmt_interval
    env.filters["web_url"] = web_url
    env.filters["revised"] = revised
    env.filters["stale_title"] = stale_title
    return env


def stale_title(row: ranking.Row) -> str:
    """The tooltip of a stale row's badge: which version made it, which is current."""
    return (f"made with cell version {row.made_version}; the cell is now version "
            f"{row.current_version}: rerun to update")


def revised(profile: str) -> str:
    """`` (revised 2026-11-24)`` after a profile's name: the date its definition last
    changed (:attr:`benchmark.core.profiles.Profile.revised`; the builder shows only records of
    the current definition); empty when the profile has no such date."""
    known = profiles.PROFILES.get(profile)
    return f" (revised {known.revised})" if known and known.revised else ""


def fmt(value: Any, digits: int = 4, sign: bool = False) -> str:
    """A number with ``digits`` decimals (and an explicit sign with ``sign``), ``n/a`` for
    None."""
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{value:{'+' if sign else ''}.{digits}f}"


def fmt_interval(ci: Any, digits: int = 4, sign: bool = False) -> str:
    """``[lo, hi]`` (signed with ``sign``), or ``n/a`` when neither end is known."""
    lo, hi = (list(ci) + [None, None])[:2] if ci else (None, None)
    if lo is None and hi is None:
        return "n/a"
    return f"[{fmt(lo, digits, sign)}, {fmt(hi, digits, sign)}]"


def web_url(value: Any) -> str | None:
    """The value if it is an http(s) address (so no ``javascript:`` link), else None."""
    text = str(value or "")
    return text if text.startswith(("https://", "http://")) else None


def sort_value(value: float | None) -> str:
    """A number for the table sorter's ``data-sort-value``; empty when missing (the sorter
    puts those last in either direction)."""
    return "" if value is None else repr(float(value))


def flatten(obj: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Dotted keys and printable values of a JSON object, sorted by key."""
    if isinstance(obj, dict):
        out: list[tuple[str, str]] = []
        for key in sorted(obj):
            out.extend(flatten(obj[key], f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(obj, list):
        text = ", ".join("null" if v is None else str(v) for v in obj)
        return [(prefix, f"[{text}]")]
    return [(prefix, "null" if obj is None else str(obj))]


def depth_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-depth metrics table: summary AUC with interval, the decision's verdict and
    FCI gap to the best depth, medians over seeds."""
    rows = []
    best = record["score"].get("best_depth")
    for row in sorted(record["per_depth"], key=lambda r: r["depth"]):
        seeds = sorted(row["seeds"], key=lambda s: s["seed"])
        decision = row.get("decision") or {}
        rows.append({
            "depth": row["depth"], "parameters": row["parameters"],
            "first_kernel_ms": row.get("first_kernel_ms"), "best": row["depth"] == best,
            "spike_auc": row["spike_auc"], "spike_auc_ci": row["spike_auc_ci"],
            "valid_spike_auc": row.get("valid_spike_auc"),
            "verdict": decision.get("verdict"), "delta_fci": decision.get("delta_fci"),
            "delta_fci_ci": decision.get("delta_fci_ci"),
            **{m: median_of(s.get(m) for s in seeds) for m in SEED_METRICS},
            "steps": median_of(s.get("steps") for s in seeds),
        })
    return rows


SEED_EVIDENCE = ("valid_spike_auc", "spike_auc", "spike_auc_ci", "n_sims_used",
                 "n_test_spikes", "test_rate_hz", "steps", "train_seconds")


def seed_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Every fit's evidence: per depth and seed the validation and test AUC, the kept test
    simulations, test spikes and test-set rate, steps and training time."""
    return [{"depth": row["depth"], "seed": s["seed"], **{k: s.get(k) for k in SEED_EVIDENCE}}
            for row in sorted(record["per_depth"], key=lambda r: r["depth"])
            for s in sorted(row["seeds"], key=lambda s: s["seed"])]


def made(record: dict[str, Any]) -> dict[str, Any]:
    """The "how it was made" block of a cell page."""
    cell = record["cell"]
    hashes = [("cell digest (sha256 of the merged cell.toml)", cell["digest"])]
    if "mechanisms" in cell:
        hashes.append(("mechanisms (sha256 over the NMODL files)", cell["mechanisms"]))
    hashes += [(f"data file {name}", sha) for name, sha in sorted(cell.get("files", {}).items())]
    hashes += [(f"protocol digest (protocol version {record['protocol']['version']})",
                record["protocol"]["digest"])]
    wall = record["wall_time_s"]
    return {
        "created": record["created"], "cell_version": cell["version"],
        "profile": flatten(record["profile"]),
        "seeds": record["seeds"], "versions": flatten(record["versions"]),
        "hardware": flatten(record["hardware"]), "hashes": hashes,
        "protocol": flatten(record["protocol"]["params"]),
        "simulation": record["simulation"], "calibration": record.get("calibration"),
        "wall_time_s": sorted(wall.items()), "wall_total_s": sum(wall.values()),
    }


def _card(entry: Entry) -> dict[str, Any]:
    spec = entry.spec
    source = spec.data["source"]
    card = spec.card
    return {"name": spec.name, "description": spec.description,
            "species": spec.data["species"], "kind": spec.data["kind"],
            "layer": card.get("layer"), "area": card.get("area"),
            "cell_type": card.get("cell_type"), "model_family": card.get("model_family"),
            "version": entry.current_version,
            "citation": source["citation"], "licence": source["licence"],
            "data": source["data"], "url": source.get("url", "")}


def _registered_version(cell: str) -> str | None:
    """The registry's version of ``cell`` (None when it is not registered)."""
    try:
        return str(registry.get(cell).get("version"))
    except UserError:
        return None


def build(records_dir: Path, out: Path, resolution_dir: Path | None = None) -> BuildReport:
    """Check every record under ``records_dir`` and write the site to ``out``, with each
    profile's resolving power from ``resolution_dir`` (default: ``resolution/`` beside
    ``records_dir``; :mod:`benchmark.leaderboard.resolution`)."""
    if out.resolve().is_relative_to(records_dir.resolve()):
        raise UserError(f"{out}: the site folder is inside the records folder {records_dir}; "
                        "fix: give --out a folder outside it")
    entries, refusals = load_all(records_dir)
    power, problems = resolution.load_all(resolution_dir or records_dir.parent / "resolution",
                                          current=_registered_version)
    write_site(entries, refusals, out, power)
    return BuildReport(out=out, entries=tuple(entries), refusals=tuple(refusals),
                       resolution_problems=tuple(problems))


def _claim(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: not a folder; fix: give --out a folder for the site")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UserError(f"{out}: the folder holds files that are not a NeuroDepth site; "
                        "fix: give --out an empty or new folder")


def write_site(entries: list[Entry], refusals: list[Refusal], out: Path,
               power: dict[str, resolution.Power] | None = None) -> None:
    """Render the site into a temporary sibling folder, then replace ``out`` with it."""
    out = out.resolve()
    _claim(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        render(entries, refusals, staging, power or {})
        if out.exists():
            shutil.rmtree(out)
        staging.replace(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def render(entries: list[Entry], refusals: list[Refusal], folder: Path,
           power: dict[str, resolution.Power] | None = None) -> None:
    """Write every file of the site into ``folder`` (which exists)."""
    env = environment()
    by_record = {id(e.record): e for e in entries}
    tables = ranking.rank((e.record for e in entries),
                          current_versions={e.cell: e.current_version for e in entries})
    placed: dict[tuple[str, str], tuple[str, ranking.Row]] = {}
    for table in tables:
        for row in table.rows:
            placed[(row.cell, str(row.record["profile"]["name"]))] = (table.key, row)
    common = {"version": __version__, "n_records": len(entries),
              "n_stale": sum(e.stale for e in entries)}

    overview = [{"table": t, "rows": [{"row": r, "card": _card(by_record[id(r.record)]),
                                       "sort": _sort_values(r)} for r in t.rows],
                 "power": (power or {}).get(t.profile)}
                for t in tables]
    write_text(folder / "index.html", env.get_template("index.html.j2").render(
        root="", tables=overview, refusals=sorted(refusals, key=lambda r: r.rel), **common))

    cells: dict[str, list[Entry]] = {}
    for entry in entries:
        cells.setdefault(entry.cell, []).append(entry)
    order = {name: i for i, name in enumerate(ranking.PROFILE_ORDER)}
    for cell, group in sorted(cells.items()):
        group.sort(key=lambda e: (order.get(e.profile, len(order)), e.profile))
        sections = []
        for entry in group:
            sub = folder / "cells" / cell / entry.profile
            sub.mkdir(parents=True, exist_ok=True)
            rec = entry.record
            title = f"{cell}, {entry.profile} profile, run seed {rec['seeds']['simulation']}"
            figures.draw_curves(rec, sub, title)
            write_bytes(sub / "record.json", entry.raw)
            if entry.physiology is not None:
                write_text(sub / "physiology.json", json.dumps(
                    entry.physiology, indent=1, sort_keys=True) + "\n")
            table_key, row = placed[(cell, entry.profile)]
            sections.append({"profile": entry.profile, "table_key": table_key, "row": row,
                             "record": rec, "depths": depth_rows(rec), "made": made(rec),
                             "seeds": seed_rows(rec), "rate": rec.get("rate_match"),
                             "voltage": rec.get("voltage_target"),
                             "rel": entry.rel, "example": _example(entry, sub, title),
                             "physiology": physiology.rows(entry.physiology),
                             "related": related(entry, cells, sub)})
        # the drawing comes from a current record's example where there is one
        shaped = min((e for e in group if e.example is not None
                      and figures.has_morphology(e.example["shape"])), key=lambda e: e.stale,
                     default=None)
        if shaped is not None:
            figures.draw_shape(shaped.example["shape"], folder / "cells" / cell, cell)
        write_text(folder / "cells" / cell / "index.html",
                   env.get_template("cell.html.j2").render(
                       root="../../", card=_card(group[0]), sections=sections,
                       morphology="morphology" if shaped else None,
                       morphology_profile=shaped.profile if shaped else None,
                       morphology_stale=shaped.made_version if shaped and shaped.stale
                       else None, **common))

    for path in sorted(STATIC.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            write_bytes(folder / "static" / path.name, path.read_bytes())
    write_text(folder / MARKER, MARKER_TEXT)


def _sweep(record: dict[str, Any]) -> dict[str, Any]:
    """What :func:`benchmark.scoring.figures.draw_comparison` and
    :func:`benchmark.scoring.comparison.separated` need of one record."""
    block = record["score"]
    return {**{k: block.get(k) for k in ("outcome", "label", "lower", "upper")},
            "per_depth": [{k: d[k] for k in ("depth", "spike_auc", "spike_auc_ci")}
                          for d in record["per_depth"]]}


def pair_verdict(a: str, b: str, sweeps: dict[str, dict[str, Any]]) -> str:
    """Which of two cells needs the deeper network, or why the scores cannot tell."""
    for deep, shallow in ((a, b), (b, a)):
        if comparison.separated(sweeps[deep], sweeps[shallow]):
            return (f"{deep} needs a deeper network ({sweeps[deep]['label']}) than {shallow} "
                    f"({sweeps[shallow]['label']}).")
    return (f"not separated at this profile: {a} scores {sweeps[a]['label']} and {b} "
            f"{sweeps[b]['label']}, so their depth bounds overlap or are open.")


def same_protocol(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two records were made under one protocol: its version, its generator's
    settings and the same input trees. The trees' rate ranges and the calibrated
    ``rate_scale`` may differ: each cell's inputs are set to drive it to the same output
    rate (the reference study's AMPA-only condition has its own rates), which is what
    makes the cells comparable."""
    pa, pb = a["protocol"], b["protocol"]
    strip = ("rate_scale", "trees")
    return (pa["version"] == pb["version"]
            and sorted(pa["params"].get("trees", {})) == sorted(pb["params"].get("trees", {}))
            and {k: v for k, v in pa["params"].items() if k not in strip}
            == {k: v for k, v in pb["params"].items() if k not in strip})


def related(entry: Entry, cells: dict[str, list[Entry]], sub: Path) -> list[dict[str, Any]]:
    """The cell this one extends (its control's cell) and the cells that extend it, each
    with a record at the same profile and protocol version: a figure of both sweeps drawn
    into ``sub`` (``vs-<other>``) and which one needs the deeper network."""
    out = []
    for other, group in sorted(cells.items()):
        parent, child = entry.spec.parent == other, group[0].spec.parent == entry.cell
        match = next((e for e in group if e.profile == entry.profile
                      and same_protocol(e.record, entry.record)), None)
        if not (parent or child) or match is None:
            continue
        pair = {entry.cell: _sweep(entry.record), other: _sweep(match.record)}
        stem = f"vs-{other}"
        figures.draw_comparison({"profile": entry.profile, "cells": pair}, sub, stem)
        out.append({"cell": other, "relation": "extends" if parent else "is extended by",
                    "figure": stem, "stale": [e.cell for e in (entry, match) if e.stale],
                    "verdict": pair_verdict(entry.cell, other, pair)})
    return out


def _example(entry: Entry, sub: Path, title: str) -> dict[str, Any] | None:
    """Draw the record's example (if it has one) into ``sub`` and copy its JSON; returns
    what the page says about it."""
    if entry.example is None:
        return None
    figures.draw_example(entry.example, sub, title)
    write_text(sub / "example.json", json.dumps(entry.example, separators=(",", ":"),
                                                sort_keys=True) + "\n")
    sim, pred = entry.example["simulation"], entry.example["prediction"]
    return {"sim_index": sim["sim_index"], "window_ms": sim["window_ms"][1] - sim["window_ms"][0],
            "depth": pred["depth"], "seed": pred["seed"]}


def _sort_values(row: ranking.Row) -> dict[str, str]:
    """The overview's sort values; the score column sorts as the ranking does (bounded
    scores by lower then upper bound, then unresolved, then undetermined)."""
    t = ranking.tier(row)
    if t == 0:
        upper = row.upper if row.upper is not None else 99
        depth: float | None = (row.lower or 0) + min(upper - (row.lower or 0), 98) / 100.0
    else:
        depth = 1000.0 * t
    return {"depth": sort_value(depth), "auc": sort_value(row.auc),
            "fci": sort_value(row.fci),
            "rate": sort_value(row.record["simulation"]["mean_output_rate_hz"])}
