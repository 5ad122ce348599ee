"""Package a run's result record for the leaderboard, checked as the builder will check it.

Takes ``<out>/<cell>/<profile>/seed-<seed>/record.json`` and its ``example.json``, runs the
leaderboard builder's checks on them (schema, the cell and protocol hashes against the
registry, the profile, the example against its record; a record made with an older version
of the cell, which the site would show as stale, is refused), and only then copies them,
byte for byte, to ``<records>/<cell>/<profile>/`` (default ``leaderboard/records``). It
prints the text for the pull request (the score, how the record was made, what to attach)
and writes it as ``submission.md`` in the run folder. A physiology report
(``physiology.json``, ``python -m benchmark physiology``) in the run folder is checked as the
builder checks it (valid JSON naming the record's cell and version) and copied with them.

A cell that is not in this project's ``cells/`` folder (a package's, or one under
``NEURODEPTH_CELLS``) must be registered for the leaderboard to check its record:
``--with-cell`` also copies the cell's folder to ``cells/<cell>/`` for the pull request.
Nothing is written when a check fails.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path
from typing import Any

from benchmark.cells import registry
from benchmark.commands import common
from benchmark.core import atomic
from benchmark.core.errors import UserError
from benchmark.core.store import RunStore, default_root
from benchmark.leaderboard import DEFAULT_RECORDS, records
from benchmark.leaderboard.records import RECORD_FILE, Refused, check_example, check_file
from benchmark.scoring.example import EXAMPLE_FILE
from benchmark.scoring.record import describe_score

HELP = "check a run's record as the leaderboard does and copy it into the records folder"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cell", required=True, help="registered cell name or cell folder")
    common.add_run_location(parser)
    parser.add_argument("--records", type=Path, default=DEFAULT_RECORDS,
                        help=f"leaderboard records folder (default {DEFAULT_RECORDS})")
    parser.add_argument("--with-cell", action="store_true",
                        help="also copy the cell's folder to <cells>/<cell>/ (a cell that is "
                             "not in this project yet)")
    parser.add_argument("--cells", type=Path, default=registry.PROJECT_CELLS,
                        help="the project's cells folder, for --with-cell (default: this "
                             "checkout's cells/)")


def check_run(folder: Path, cell: str, profile: str) -> dict[str, Any]:
    """The builder's checks on a run folder's record and example (as they would be filed);
    raises UserError with the builder's reason and fix."""
    record_path = folder / RECORD_FILE
    if not record_path.is_file():
        raise UserError(f"{record_path}: no record; fix: finish the run with "
                        f"`python -m benchmark run --cell {cell} --profile {profile}`")
    rel = f"{cell}/{profile}/{RECORD_FILE}"
    try:
        entry = check_file(record_path, rel, registry.discover())
        if entry.stale:
            raise UserError(f"{record_path}: a stale record: made with version "
                            f"{entry.made_version} of cell {cell}, which is now version "
                            f"{entry.current_version} (the site would show it as stale, not "
                            f"ranked); fix: rerun `python -m benchmark run --cell {cell} "
                            f"--profile {profile}` and submit that run")
        example = folder / EXAMPLE_FILE
        if not example.is_file():
            raise Refused(f"no {EXAMPLE_FILE} beside the record (the site's figures)",
                          f"rerun `python -m benchmark score --cell {cell} --profile "
                          f"{profile}`, which writes it")
        check_example(example, entry.record)
        if (folder / records.PHYSIOLOGY_FILE).is_file():
            records.check_physiology(folder / records.PHYSIOLOGY_FILE, entry.record)
    except Refused as exc:
        raise UserError(f"{record_path}: the leaderboard would refuse it: {exc.reason}; "
                        f"fix: {exc.fix}") from exc
    return entry.record


def pull_request_text(record: dict[str, Any], rel: str, physiology: bool = False) -> str:
    """The pull request's description: what is submitted and how it was made."""
    score, fci, hw = record["score"], record["fci"], record["hardware"]
    versions = ", ".join(f"{k} {v}" for k, v in sorted(record["versions"].items()))
    wall = sum(record["wall_time_s"].values())
    cell = record["cell"]
    return "\n".join([
        f"# Leaderboard record: {cell['name']} at the {record['profile']['name']} profile",
        "",
        f"- Files: `{rel}/record.json`, `{rel}/example.json`"
        + (f", `{rel}/{records.PHYSIOLOGY_FILE}`" if physiology else "")
        + " (copied unchanged from the run).",
        f"- Score: {describe_score(score)}; FCI {_number(fci['value'], 3)} at depth "
        f"{fci['reference_depth']} (spike AUC {_number(fci['spike_auc'], 4)}).",
        f"- Rate: {rate_text(record)}.",
        f"- Made {record['created']} on {hw['cpu']} ({hw['cpu_count']} CPUs, training on "
        f"{hw['device']}) in {wall / 60:.1f} min; seeds: simulation "
        f"{record['seeds']['simulation']}, fits {record['seeds']['fits']}.",
        f"- Cell {cell['name']} version {cell['version']}, digest `{cell['digest'][:16]}...`; "
        f"protocol version {record['protocol']['version']}, digest "
        f"`{record['protocol']['digest'][:16]}...`.",
        f"- Versions: {versions}.",
        "",
        "Checked with `python -m benchmark submit` (the leaderboard builder's checks). "
        "Reviewers: see leaderboard/README.md, \"How a submission is reviewed\".",
        "",
    ])


def rate_text(record: dict[str, Any]) -> str:
    """The run's output rate against the calibration's target band, and its flag."""
    match = record.get("rate_match")
    if not match:
        return "no rate check in this record"
    lo, hi = match["band_hz"]
    ci = match.get("run_rate_ci") or [None, None]
    interval = "" if None in ci else f" [{ci[0]:.3g}, {ci[1]:.3g}]"
    where = "inside" if match["in_band"] else "outside"
    text = (f"run rate {match['run_rate_hz']:.3g} Hz{interval}, {where} the target band "
            f"{lo:.3g}-{hi:.3g} Hz")
    return text + (f"; flagged: {match['flag']}" if match.get("flag") else "")


def _number(value: float | None, digits: int) -> str:
    """A number of the record, or "undetermined" where the record holds none."""
    return "undetermined" if value is None else f"{value:.{digits}f}"


def main(args: argparse.Namespace) -> int:
    spec, profile_name = registry.get(args.cell), args.profile
    store = RunStore(args.out or default_root(), spec.name, profile_name, args.seed)
    record = check_run(store.folder, spec.name, profile_name)
    target = args.records / spec.name / profile_name
    copies = [(store.folder / RECORD_FILE, target / RECORD_FILE),
              (store.folder / EXAMPLE_FILE, target / EXAMPLE_FILE)]
    report = records.PHYSIOLOGY_FILE
    if (store.folder / report).is_file():
        copies.append((store.folder / report, target / report))
    project_cell = spec.folder.resolve().parent == args.cells.resolve()
    if not project_cell and not args.with_cell:
        print(f"note: {spec.name} is not in this project's cells/ folder ({spec.folder}); the "
              "leaderboard can check its record only once the cell is registered: add "
              "--with-cell to copy the cell into cells/ for the pull request")
    if args.with_cell and not project_cell:
        _copy_cell(spec.folder, args.cells / spec.name)
    text = pull_request_text(record, (args.records / spec.name / profile_name).as_posix(),
                             physiology=len(copies) > 2)
    for source, dest in copies:
        atomic.write_bytes(dest, source.read_bytes())
    atomic.write_text(store.folder / "submission.md", text)
    print(text)
    print(f"copied to {target}; the pull request text is in {store.folder / 'submission.md'}")
    return 0


def _copy_cell(source: Path, dest: Path) -> None:
    """Copy a cell folder into place through a temporary sibling (all or nothing)."""
    if dest.exists():
        raise UserError(f"{dest}: a cell folder of that name exists; fix: remove it or submit "
                        "without --with-cell")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        shutil.copytree(source, staging, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "x86_64", "*.pyc"))
        staging.replace(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

