"""The leaderboard: record validation and refusals, migrations, ranking, the static site.

The site tests build from a real smoke record of the lif cell (the committed
``SMOKE_RECORD``, tests/data/records/lif/smoke) plus bad copies of it; no browser.
"""

from __future__ import annotations

import copy
import dataclasses
import html.parser
import json
import re
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest

from benchmark.cells import registry
from benchmark.core import profiles
from benchmark.leaderboard import ranking, records, site
from benchmark.simulation import engine, protocol
from conftest import SMOKE_RECORD, make_cell, put, run_cli

XSS = "<script>alert(1)</script> & <b>bold</b>"
XSS_CPU = '"><img src=x onerror=alert(2)>'


# --- helpers ----------------------------------------------------------------------------

def site_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class Links(html.parser.HTMLParser):
    """Every href and src of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.targets += [v for k, v in attrs if k in ("href", "src") and v is not None]


# --- the site built from good and bad records -----------------------------------------

@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A records folder with one good lif record, one good test-cell record carrying HTML
    and JS in its strings, and three bad records; built once by the real CLI."""
    tmp = tmp_path_factory.mktemp("board")
    cells = tmp / "cells"
    make_cell(cells, "lif_edited")
    make_cell(cells, "lif_xss", description=XSS, url="javascript:alert(3)")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEURODEPTH_CELLS", str(cells))
        good = json.loads((SMOKE_RECORD / "record.json").read_text())
        recs = tmp / "records"
        paths = {"good": put(recs, "lif/smoke/record.json",
                             (SMOKE_RECORD / "record.json").read_text()),
                 "example": put(recs, "lif/smoke/example.json",
                                (SMOKE_RECORD / "example.json").read_text())}
        paths["malformed"] = put(recs, "broken/smoke/record.json", '{"schema_version": 1, "cell": ')

        stale = copy.deepcopy(good)
        stale["cell"]["name"] = "lif_edited"
        digest = registry.get("lif_edited").digest()
        stale["cell"]["digest"] = ("0" if digest[0] != "0" else "1") + digest[1:]
        paths["digest"] = put(recs, "lif_edited/smoke/record.json", stale)

        unknown = copy.deepcopy(good)
        unknown["cell"]["name"] = "lfi"
        paths["unknown"] = put(recs, "lfi/smoke/record.json", unknown)

        xss = copy.deepcopy(good)
        xss["cell"] |= {"name": "lif_xss", "description": XSS,
                        "digest": registry.get("lif_xss").digest()}
        xss["hardware"]["cpu"] = XSS_CPU
        paths["xss"] = put(recs, "lif_xss/smoke/record.json", xss)
        # an example copied from another record: refused, its record still shown
        paths["foreign_example"] = put(recs, "lif_xss/smoke/example.json",
                                       (SMOKE_RECORD / "example.json").read_text())

        out = tmp / "site"
        proc = run_cli("leaderboard", "build", "--records", str(recs), "--out", str(out),
                       env={"NEURODEPTH_CELLS": str(cells)})
        again = tmp / "site-again"
        site.build(recs, again)  # the same records, a second build (in this process)
    yield {"proc": proc, "paths": paths, "out": out, "again": again, "records": recs,
           "cells": cells}


def test_cli_builds_and_reports_refusals_one_line_each(board: dict[str, Any]) -> None:
    proc, paths = board["proc"], board["paths"]
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 4, proc.stderr
    expected = {
        "malformed": "not valid JSON",
        "digest": "both of cell version 3: the cell changed without a version bump",
        "unknown": "unknown cell 'lfi'",
        "foreign_example": "the example is not of this record (cell, cell_digest differ)",
    }
    for key, reason in expected.items():
        mine = [line for line in lines if line.startswith(f"{paths[key]}: ")]
        assert len(mine) == 1, (key, lines)
        assert reason in mine[0] and "; fix: " in mine[0], mine[0]
    assert "did you mean 'lif'" in next(x for x in lines if "lfi" in x)
    edited = next(x for x in lines if "lif_edited" in x)
    assert "fix: bump `version` in the cell's cell.toml" in edited
    assert "or rerun `python -m benchmark run --cell lif_edited --profile smoke`" in edited
    assert "2 record(s) of 2 cell(s) shown (0 stale), 4 refused" in proc.stdout


def test_good_records_are_ranked_on_the_index(board: dict[str, Any]) -> None:
    index = (board["out"] / "index.html").read_text()
    assert 'href="cells/lif/index.html#smoke"' in index
    assert 'href="cells/lif_xss/index.html#smoke"' in index
    assert 'id="smoke-protocol-1"' in index
    assert "lif_edited/index.html" not in index and "cells/lfi/" not in index
    assert "<code>broken/smoke/record.json</code>: not valid JSON" in index  # listed as refused
    for name in ("lif", "lif_xss"):
        page = board["out"] / "cells" / name
        assert (page / "index.html").is_file()
        for file in ("curves.svg", "curves.png", "record.json"):
            assert (page / "smoke" / file).stat().st_size > 0
    shown = board["out"] / "cells" / "lif" / "smoke" / "record.json"
    assert shown.read_bytes() == board["paths"]["good"].read_bytes()


def test_cell_page_has_card_curves_metrics_and_provenance(board: dict[str, Any]) -> None:
    page = (board["out"] / "cells" / "lif" / "index.html").read_text()
    rec = json.loads(board["paths"]["good"].read_text())
    spec = registry.get("lif")
    assert spec.data["source"]["licence"] in page
    assert "Beniaguev, Segev &amp; London 2021" in page  # the citation, escaped
    for label in ("Species", "Layer", "Area", "Cell type", "Model family", "Citation",
                  "Licence"):
        assert f"<dt>{label}</dt>" in page
    assert '<img src="smoke/curves.svg"' in page
    for row in rec["per_depth"]:
        assert f"<td>{row['parameters']}</td>" in page
    for value in (rec["cell"]["digest"], rec["protocol"]["digest"], rec["versions"]["torch"],
                  rec["hardware"]["cpu"], rec["created"]):
        assert value in page
    # a point neuron has no dendrites to draw: no morphology figure, and the page says why
    assert '<img src="morphology.svg"' not in page and '<img src="smoke/example.svg"' in page
    assert "No drawing: the cell has no dendrites to draw (a point neuron" in page
    assert not (board["out"] / "cells" / "lif" / "morphology.svg").exists()
    example = json.loads(board["paths"]["example"].read_text())
    assert f"Test simulation {example['simulation']['sim_index']}, first 2000 ms" in page
    for name in ("smoke/example.svg", "smoke/example.png"):
        assert (board["out"] / "cells" / "lif" / name).stat().st_size > 1000, name
    # the record whose example was refused is shown without the figures, and says so
    other = (board["out"] / "cells" / "lif_xss" / "index.html").read_text()
    assert "No example: the record has no <code>example.json</code>" in other
    assert "No drawing" in other and not (board["out"] / "cells" / "lif_xss" / "smoke" /
                                          "example.svg").exists()


def test_build_is_deterministic(board: dict[str, Any]) -> None:
    """Every file bit for bit, but the PNG renderings: Agg may antialias a pixel of a line
    differently from one drawing to the next in one process (numpy's vectorised transforms
    depend on the arrays' memory alignment; seen once in ten drawings of the smoke example,
    one pixel of 777600), so those are compared pixel by pixel, up to 4 pixels."""
    import io

    import matplotlib.image as mpimg
    import numpy as np

    first, second = site_files(board["out"]), site_files(board["again"])
    assert sorted(first) == sorted(second)
    for name in first:
        if name.endswith(".png") and first[name] != second[name]:
            a, b = (mpimg.imread(io.BytesIO(x[name])) for x in (first, second))
            assert a.shape == b.shape, name
            assert int(np.sum(np.any(a != b, axis=-1))) <= 4, name
            continue
        assert first[name] == second[name], name


def test_record_strings_are_escaped(board: dict[str, Any]) -> None:
    for page in (board["out"] / "index.html", board["out"] / "cells" / "lif_xss" / "index.html"):
        text = page.read_text()
        assert "<script>alert" not in text and "<img src=x" not in text
        assert text.count("<script") == 1  # only the table sorter
        assert 'href="javascript:' not in text
    page = (board["out"] / "cells" / "lif_xss" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in page


def test_every_relative_link_resolves(board: dict[str, Any]) -> None:
    out = board["out"]
    pages = sorted(out.rglob("*.html"))
    assert len(pages) == 3
    checked = 0
    for page in pages:
        parser = Links()
        parser.feed(page.read_text())
        for target in parser.targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # external addresses and same-page anchors
            resolved = (page.parent / parts.path).resolve()
            assert resolved.is_file(), f"{page.relative_to(out)}: {target}"
            assert resolved.is_relative_to(out.resolve())
            if parts.fragment:
                assert f'id="{parts.fragment}"' in resolved.read_text(), target
            checked += 1
    assert checked > 10


def test_serve_binds_localhost_only(board: dict[str, Any]) -> None:
    from benchmark.commands.leaderboard import make_server

    server = make_server(board["out"], 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10) as r:
            assert r.read() == (board["out"] / "index.html").read_bytes()
    finally:
        server.shutdown()
        server.server_close()


def test_strict_exits_nonzero_and_out_must_be_a_site(board: dict[str, Any],
                                                     tmp_path: Path) -> None:
    from benchmark import cli

    env = {"NEURODEPTH_CELLS": str(board["cells"])}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEURODEPTH_CELLS", env["NEURODEPTH_CELLS"])
        assert cli.main(["leaderboard", "build", "--records", str(board["records"]),
                         "--out", str(tmp_path / "strict"), "--strict"]) == 2
        assert (tmp_path / "strict" / "index.html").is_file()
        (tmp_path / "mine").mkdir()
        (tmp_path / "mine" / "notes.txt").write_text("keep me")
        assert cli.main(["leaderboard", "build", "--records", str(board["records"]),
                         "--out", str(tmp_path / "mine")]) == 2
        assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


# --- one check at a time, in process -----------------------------------------------------

@pytest.fixture()
def lif_record() -> dict[str, Any]:
    return json.loads((SMOKE_RECORD / "record.json").read_text())


def refusals_of(root: Path) -> list[str]:
    entries, refused = records.load_all(root)
    assert not entries
    return [r.line() for r in refused]


def _set(rec: dict[str, Any], dotted: str, value: Any) -> None:
    *path, last = dotted.split(".")
    node = rec
    for part in path:
        node = node[part]
    node[last] = value


@pytest.mark.parametrize(("dotted", "value", "reason"), [
    ("protocol.digest", "ab" * 32, "protocol digest abababababab... is not"),
    ("protocol.params.rate_scale", 2.0, "protocol digest"),
    ("protocol.params.hold_jitter_ms", 99, "protocol parameters differ"),
    ("profile.train.max_steps", 31, "differs from this code's 'smoke' profile at "
                                    "train.max_steps"),
    ("profile.name", "tiny", "breaks the record schema: field 'profile/name'"),
    ("fci", None, "breaks the record schema: field 'fci'"),
    ("schema_version", 7, "schema_version 7 is newer than this code's 2"),
    ("schema_version", 1, "scored by the former margin rule"),
    ("cell.mechanisms", "cd" * 32, "mechanisms (NMODL files) changed"),
])
def test_each_check_refuses_with_one_line(tmp_path: Path, lif_record: dict[str, Any],
                                          dotted: str, value: Any, reason: str) -> None:
    _set(lif_record, dotted, value)
    path = put(tmp_path, "lif/smoke/record.json", lif_record)
    (line,) = refusals_of(tmp_path)
    assert line.startswith(f"{path}: ") and reason in line and "; fix: " in line
    assert "\n" not in line


def test_misfiled_nan_and_stray_files_are_refused(tmp_path: Path,
                                                  lif_record: dict[str, Any]) -> None:
    put(tmp_path, "lif/quick/record.json", lif_record)
    text = json.dumps(lif_record).replace('"value": ', '"value": NaN, "x": ', 1)
    put(tmp_path, "other/smoke/record.json", text)
    put(tmp_path, "lif/notes.json", "{}")
    lines = refusals_of(tmp_path)
    assert any("filed under 'lif/quick'" in x and "move it to lif/smoke/record.json" in x
               for x in lines)
    assert any("NaN is not JSON" in x for x in lines)
    assert any("not at <cell>/<profile>/record.json" in x for x in lines)


def test_good_record_is_accepted(tmp_path: Path, lif_record: dict[str, Any]) -> None:
    put(tmp_path, "lif/smoke/record.json", lif_record)
    entries, refused = records.load_all(tmp_path)
    assert not refused and [e.cell for e in entries] == ["lif"]


def test_a_cell_and_its_control_are_compared_on_both_pages(
        tmp_path: Path, lif_record: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """A control that extends a cell (as l5pc_hay2011_no_nmda extends l5pc_hay2011): with
    records of both at one profile, each page draws both sweeps and says which needs the
    deeper network; a cell with no related record gets no such section."""
    cells = tmp_path / "cells"
    (cells / "lif_control").mkdir(parents=True)
    (cells / "lif_control" / "cell.toml").write_text(
        'schema_version = 1\nname = "lif_control"\nextends = "lif"\nversion = "1"\n'
        'description = "a control of lif"\nkind = "control"\n')
    make_cell(cells, "lif_alone")
    monkeypatch.setenv("NEURODEPTH_CELLS", str(cells))
    recs = tmp_path / "records"
    put(recs, "lif/smoke/record.json", lif_record)
    control = copy.deepcopy(lif_record)
    control["cell"] |= {"name": "lif_control", "digest": registry.get("lif_control").digest()}
    control["score"] |= {"outcome": "range", "label": ">= 2", "lower": 2, "upper": None,
                         "minimal_depth": None}
    # calibrated to another input-rate scale, as the L5PC and its control are: still related
    params = control["protocol"]["params"]
    params["rate_scale"] = 0.9097
    control["protocol"]["digest"] = protocol.digest_of(params, control["protocol"]["version"])
    assert control["protocol"] != lif_record["protocol"]
    put(recs, "lif_control/smoke/record.json", control)
    alone = copy.deepcopy(lif_record)
    alone["cell"] |= {"name": "lif_alone", "digest": registry.get("lif_alone").digest()}
    put(recs, "lif_alone/smoke/record.json", alone)
    report = site.build(recs, tmp_path / "site")
    assert not report.refusals
    verdict = "lif_control needs a deeper network (&gt;= 2) than lif (1)."
    for cell, other, relation in (("lif", "lif_control", "is extended by"),
                                  ("lif_control", "lif", "extends")):
        page = (tmp_path / "site" / "cells" / cell / "index.html").read_text()
        assert f'data-related="{other}"' in page and verdict in page
        assert f'{relation} <a href="../../cells/{other}/index.html#smoke">{other}</a>' in page
        for suffix in ("svg", "png"):
            assert (tmp_path / "site" / "cells" / cell / "smoke" / f"vs-{other}.{suffix}"
                    ).stat().st_size > 0
    assert "Related cells" not in (tmp_path / "site" / "cells" / "lif_alone" /
                                   "index.html").read_text()


@pytest.fixture()
def lif_example() -> dict[str, Any]:
    return json.loads((SMOKE_RECORD / "example.json").read_text())


@pytest.mark.parametrize(("change", "reason"), [
    (lambda ex: ex.update(protocol_digest="ab" * 32),
     "the example is not of this record (protocol_digest differ)"),
    (lambda ex: ex["simulation"].update(soma_mv=[0.0] * 10001),
     "breaks the example schema: field 'simulation/soma_mv'"),
    (lambda ex: ex["shape"]["sections"][0].update(region="<script>"),
     "breaks the example schema: field 'shape/sections/0/region'"),
])
def test_bad_example_is_refused_and_its_record_kept(tmp_path: Path, lif_record: dict[str, Any],
                                                    lif_example: dict[str, Any], change: Any,
                                                    reason: str) -> None:
    put(tmp_path, "lif/smoke/record.json", lif_record)
    change(lif_example)
    path = put(tmp_path, "lif/smoke/example.json", lif_example)
    entries, refused = records.load_all(tmp_path)
    assert [e.cell for e in entries] == ["lif"] and entries[0].example is None
    (line,) = [r.line() for r in refused]
    assert line.startswith(f"{path}: ") and reason in line and "; fix: " in line


def test_example_without_record_is_refused(tmp_path: Path, lif_record: dict[str, Any],
                                           lif_example: dict[str, Any]) -> None:
    put(tmp_path, "lif/smoke/example.json", lif_example)
    lif_record["protocol"]["digest"] = "ab" * 32
    put(tmp_path, "lif/quick/record.json", lif_record)
    put(tmp_path, "lif/quick/example.json", lif_example)
    lines = refusals_of(tmp_path)
    assert sum("no accepted record.json beside this example" in x for x in lines) == 2


def test_good_example_is_attached(tmp_path: Path, lif_record: dict[str, Any],
                                  lif_example: dict[str, Any]) -> None:
    put(tmp_path, "lif/smoke/record.json", lif_record)
    put(tmp_path, "lif/smoke/example.json", lif_example)
    entries, refused = records.load_all(tmp_path)
    assert not refused and entries[0].example == lif_example


def test_protocol_digest_is_recomputed_like_the_run() -> None:
    params = protocol.cell_params(registry.get("lif"), rate_scale=1.7)
    assert protocol.digest_of(params.to_dict(), protocol.PROTOCOL_VERSION) == \
        params.digest()


# --- stale records: made with another version of the cell ----------------------------------

def _older(rec: dict[str, Any], version: str = "1") -> dict[str, Any]:
    """The record as if made with an older version of its cell: another version and another
    cell digest (its digests describe that version)."""
    digest = rec["cell"]["digest"]
    rec["cell"] |= {"version": version,
                    "digest": ("0" if digest[0] != "0" else "1") + digest[1:]}
    return rec


def test_an_older_cell_version_is_stale_not_refused(tmp_path: Path,
                                                    lif_record: dict[str, Any]) -> None:
    put(tmp_path, "lif/smoke/record.json", _older(lif_record))
    entries, refused = records.load_all(tmp_path)
    assert not refused
    (entry,) = entries
    assert entry.stale and (entry.made_version, entry.current_version) == ("1", "3")


def test_a_digest_change_without_a_version_bump_is_refused(tmp_path: Path,
                                                           lif_record: dict[str, Any]) -> None:
    _older(lif_record, version=lif_record["cell"]["version"])
    path = put(tmp_path, "lif/smoke/record.json", lif_record)
    (line,) = refusals_of(tmp_path)
    assert line.startswith(f"{path}: cell digest ")
    assert "both of cell version 3: the cell changed without a version bump; fix: bump " \
        "`version` in the cell's cell.toml" in line
    assert "or rerun `python -m benchmark run --cell lif --profile smoke`" in line


@pytest.mark.parametrize(("dotted", "value", "reason"), [
    ("protocol.digest", "ab" * 32, "protocol digest abababababab... is not"),
    ("protocol.params.hold_jitter_ms", 99, "recomputed from the record's own parameters"),
    ("protocol.params.rate_scale", -1, "protocol.params.rate_scale is -1"),
    ("calibration", {"target_rate_hz": 1.0, "tolerance": 0.1, "rate_scale": 2.0,
                     "achieved_rate_hz": 1.0, "converged": True, "n_sims": 1, "duration_ms": 1,
                     "probes": [{"rate_scale": 2.0, "rate_hz": 1.0}]},
     "calibration.rate_scale 2 is not the protocol's rate scale 1"),
    ("profile.train.max_steps", 31, "differs from this code's 'smoke' profile"),
    ("cell.species", 3, "breaks the record schema: field 'cell/species'"),
])
def test_a_stale_record_is_still_checked_in_every_other_way(
        tmp_path: Path, lif_record: dict[str, Any], dotted: str, value: Any,
        reason: str) -> None:
    _set(_older(lif_record), dotted, value)
    path = put(tmp_path, "lif/smoke/record.json", lif_record)
    (line,) = refusals_of(tmp_path)
    assert line.startswith(f"{path}: ") and reason in line and "; fix: " in line


def _bump(cells: Path, name: str) -> None:
    """The future, in a temporary copy of the registry: the cell's model changes (its input
    rates too) and its version goes from 3 to 4."""
    path = cells / name / "cell.toml"
    text = path.read_text()
    assert 'version = "3"' in text and "exc_per_100ms = [0.0, 15.5]" in text
    path.write_text(text.replace('version = "3"', 'version = "4"', 1)
                    .replace("exc_per_100ms = [0.0, 15.5]", "exc_per_100ms = [0.0, 16.0]"))


@pytest.fixture(scope="module")
def stale_board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Three records built by the real CLI with ``--strict``: the lif (current), lif_old
    (made at version 3 of a cell since bumped to 4, with new input rates) with its example,
    and lif_v1 (a record of version 1 of a cell now at version 3, another digest)."""
    tmp = tmp_path_factory.mktemp("stale-board")
    cells, recs = tmp / "cells", tmp / "records"
    make_cell(cells, "lif_old")
    make_cell(cells, "lif_v1")
    lif = json.loads((SMOKE_RECORD / "record.json").read_text())
    example = json.loads((SMOKE_RECORD / "example.json").read_text())
    put(recs, "lif/smoke/record.json", lif)
    put(recs, "lif/smoke/example.json", example)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEURODEPTH_CELLS", str(cells))
        old = copy.deepcopy(lif)
        old["cell"] |= {"name": "lif_old", "digest": registry.get("lif_old").digest()}
        put(recs, "lif_old/smoke/record.json", old)
        put(recs, "lif_old/smoke/example.json",
            example | {"cell": "lif_old", "cell_digest": old["cell"]["digest"]})
        v1 = _older(copy.deepcopy(lif))
        v1["cell"]["name"] = "lif_v1"
        put(recs, "lif_v1/smoke/record.json", v1)
        _bump(cells, "lif_old")
        assert registry.get("lif_old").digest() != old["cell"]["digest"]
        assert (protocol.cell_params(registry.get("lif_old")).to_dict()
                != old["protocol"]["params"])
    out = tmp / "site"
    proc = run_cli("leaderboard", "build", "--records", str(recs), "--out", str(out),
                   "--strict", env={"NEURODEPTH_CELLS": str(cells)})
    yield {"proc": proc, "out": out, "records": recs, "cells": cells}


def test_strict_build_shows_stale_records_and_counts_them(stale_board: dict[str, Any]) -> None:
    proc = stale_board["proc"]
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == ""
    assert "3 record(s) of 3 cell(s) shown (2 stale), 0 refused" in proc.stdout


def test_overview_marks_stale_rows_and_lists_them_after_the_current_ones(
        stale_board: dict[str, Any]) -> None:
    index = (stale_board["out"] / "index.html").read_text()
    rows = re.findall(r'<tr data-cell="([^"]+)"( class="stale")?', index)
    assert rows == [("lif", ""), ("lif_old", ' class="stale"'), ("lif_v1", ' class="stale"')]
    for cell, made, now in (("lif_old", 3, 4), ("lif_v1", 1, 3)):
        row = index.split(f'<tr data-cell="{cell}"', 1)[1].split("</tr>", 1)[0]
        assert '<td data-sort-value="">&ndash;</td>' in row  # no rank
        assert (f'<span class="badge stale" title="made with cell version {made}; the cell '
                f'is now version {now}: rerun to update">stale</span>') in row
    lif = index.split('<tr data-cell="lif"', 1)[1].split("</tr>", 1)[0]
    assert '<td data-sort-value="1">1</td>' in lif and "badge" not in lif
    assert "listed after the current rows of its table, without a rank" in index
    assert "from 3 validated records (2 stale)." in index


def test_cell_page_says_which_version_made_a_stale_record(stale_board: dict[str, Any]) -> None:
    out = stale_board["out"]
    page = (out / "cells" / "lif_old" / "index.html").read_text()
    note = page.split('<p class="stale-note" id="smoke-stale">', 1)[1].split("</p>", 1)[0]
    assert page.index('class="stale-note"') < page.index('id="card"')  # near the top
    assert ('The <a href="#smoke">smoke record</a> was made with cell version 3; the cell is '
            'now version 4') in note
    assert ("to be remade with <code>python -m benchmark run --cell lif_old --profile "
            "smoke</code>, then <code>python -m benchmark submit --cell lif_old --profile "
            "smoke</code>") in note
    assert "<dt>Version</dt><dd>4</dd>" in page
    assert "cell version 3 (the cell is now version 4)" in page
    assert "No drawing: the cell has no dendrites" in page  # a point neuron: no drawing
    assert (out / "cells" / "lif_old" / "smoke" / "example.svg").is_file()
    v1 = (out / "cells" / "lif_v1" / "index.html").read_text()
    assert "was made with cell version 1; the cell is now version 3" in v1
    current = (out / "cells" / "lif" / "index.html").read_text()
    assert "stale-note" not in current and "badge" not in current and "rank 1 in" in current


def test_submit_refuses_a_stale_run(tmp_path: Path) -> None:
    run = _run_copy(tmp_path / "runs")
    rec = _older(json.loads((run / "record.json").read_text()))
    (run / "record.json").write_text(json.dumps(rec))
    recs = tmp_path / "records"
    proc = run_cli("submit", "--cell", "lif", "--profile", "smoke", "--out",
                   str(tmp_path / "runs"), "--records", str(recs))
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"error: {run / 'record.json'}: a stale record: made with version "
                           "1 of cell lif, which is now version 3")
    assert "; fix: rerun `python -m benchmark run --cell lif --profile smoke` and submit " \
        "that run" in line
    assert not recs.exists() and not (run / "submission.md").exists()


# --- migrations ----------------------------------------------------------------------------

def _v0_to_v1(rec: dict[str, Any]) -> dict[str, Any]:
    """A made-up version 0 that named wall_time_s 'timings'."""
    rec["wall_time_s"] = rec.pop("timings")
    rec["schema_version"] = 1
    return rec


def _v1_to_v2(rec: dict[str, Any]) -> dict[str, Any]:
    """A made-up step from version 1 that changes nothing else."""
    rec["schema_version"] = 2
    return rec


def test_migration_upgrades_a_version_0_record(tmp_path: Path, lif_record: dict[str, Any],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    old = dict(lif_record, schema_version=0)
    old["timings"] = old.pop("wall_time_s")
    path = put(tmp_path, "lif/smoke/record.json", old)
    (line,) = refusals_of(tmp_path)
    assert line.startswith(f"{path}: schema_version 0 has no migration to 2")
    monkeypatch.setitem(records.MIGRATIONS, 0, _v0_to_v1)
    (line,) = refusals_of(tmp_path)  # version 1 is retired: no migration reaches 2
    assert "former margin rule" in line and "rerun the cell" in line
    monkeypatch.setitem(records.MIGRATIONS, 1, _v1_to_v2)
    entries, refused = records.load_all(tmp_path)
    assert not refused
    assert entries[0].record["wall_time_s"] == lif_record["wall_time_s"]
    assert json.loads(path.read_text())["schema_version"] == 0  # upgraded in memory only


def test_migrate_is_pure_and_checks_the_version_step() -> None:
    rec = {"schema_version": 0, "timings": {"fit": 1.0}}
    assert records.migrate(rec, {0: _v0_to_v1, 1: _v1_to_v2}) == {
        "schema_version": 2, "wall_time_s": {"fit": 1.0}}
    assert rec == {"schema_version": 0, "timings": {"fit": 1.0}}
    with pytest.raises(records.Refused, match="did not give version 1"):
        records.migrate(rec, {0: lambda r: r})
    assert records.migrate([1, 2], {}) == [1, 2]  # left for the schema check


# --- ranking (pure logic) ------------------------------------------------------------------

def score(label: str) -> dict[str, Any]:
    """A score block from its label: "2" resolved, "1-2" or ">= 2" a range, "unresolved",
    "undetermined"."""
    if label in ("unresolved", "undetermined"):
        return {"outcome": label, "label": label, "lower": 1 if label == "unresolved" else None,
                "upper": None, "minimal_depth": None}
    if label.startswith(">= "):
        return {"outcome": "range", "label": label, "lower": int(label[3:]), "upper": None,
                "minimal_depth": None}
    if "-" in label:
        lo, hi = (int(x) for x in label.split("-"))
        return {"outcome": "range", "label": label, "lower": lo, "upper": hi,
                "minimal_depth": None}
    return {"outcome": "resolved", "label": label, "lower": int(label), "upper": int(label),
            "minimal_depth": int(label)}


def rec(cell: str, label: str, auc: float | None, *, profile: str = "quick",
        version: str = "1", ref: int = 3, cell_version: str = "1",
        flag: str | None = None) -> dict[str, Any]:
    fci = None if auc is None else float(np.log10(1000 * (1 - auc)) / 2)
    return {"cell": {"name": cell, "version": cell_version}, "profile": {"name": profile},
            "protocol": {"version": version}, "score": score(label),
            "fci": {"reference_depth": ref, "spike_auc": auc, "value": fci,
                    "ci": [None, None] if fci is None else [fci - 0.05, fci + 0.1]},
            "rate_match": {"flag": flag},
            "per_depth": [{"depth": ref, "spike_auc": auc,
                           "spike_auc_ci": [None if auc is None else auc - 0.01,
                                            None if auc is None else min(auc + 0.001, 1.0)]}]}


def test_ranking_orders_bounded_scores_by_bounds_then_unresolved_by_fci() -> None:
    """Resolved depths and ranges by (lower, upper), an open range after every closed one of
    its lower bound; unresolved after them by FCI, unranked; undetermined last."""
    (table,) = ranking.rank([
        rec("deep", "3", 0.99), rec("undet", "undetermined", None),
        rec("unres_hard", "unresolved", 0.90), rec("unres_easy", "unresolved", 0.999),
        rec("one_low", "1", 0.90), rec("one_high", "1", 0.95), rec("open1", ">= 1", 0.99),
        rec("one_two", "1-2", 0.99), rec("one_three", "1-3", 0.999), rec("mid", "2", 0.5),
    ])
    assert [r.cell for r in table.rows] == [
        "one_high", "one_low", "one_two", "one_three", "open1", "mid", "deep",
        "unres_easy", "unres_hard", "undet"]
    assert [r.rank for r in table.rows] == [1, 2, 3, 4, 5, 6, 7, None, None, None]
    assert [r.depth_label for r in table.rows][2:] == [
        "1-2", "1-3", ">= 1", "2", "3", "unresolved", "unresolved", "undetermined"]


def test_ranking_ties_are_broken_by_fci_then_name_and_the_record_fci_interval_is_used() -> None:
    (table,) = ranking.rank([rec("b", "2", 0.99), rec("a", "2", 0.99), rec("c", "2", 0.999)])
    assert [r.cell for r in table.rows] == ["c", "a", "b"]
    row = table.rows[1]
    assert row.fci == pytest.approx(0.5)
    assert row.fci_ci == pytest.approx((0.45, 0.6))


def test_the_fci_interval_falls_back_to_the_auc_interval() -> None:
    record = rec("a", "2", 0.99)
    record["fci"]["ci"] = None
    row = ranking.make_row(record)
    lo, hi = row.fci_ci
    assert lo < row.fci < hi  # the AUC's upper end gives the FCI's lower end


def test_a_rate_flag_reaches_the_row() -> None:
    (table,) = ranking.rank([rec("a", "2", 0.99, flag="fired 0.5 Hz"), rec("b", "2", 0.9)])
    assert [(r.cell, r.rate_flag) for r in table.rows] == [("a", "fired 0.5 Hz"), ("b", None)]


def test_profiles_and_protocol_versions_are_never_ranked_together() -> None:
    tables = ranking.rank([rec("a", "1", 0.9, profile="smoke"), rec("b", "2", 0.9),
                           rec("c", "1", 0.9, version="2"), rec("d", "3", 0.9, profile="paper")])
    assert [(t.profile, t.protocol_version, [r.cell for r in t.rows]) for t in tables] == [
        ("paper", "1", ["d"]), ("quick", "2", ["c"]), ("quick", "1", ["b"]),
        ("smoke", "1", ["a"])]
    assert all(t.rows[0].rank == 1 for t in tables)


def test_stale_rows_come_after_the_current_ones_without_a_rank() -> None:
    records = [rec("old_best", "1", 0.99, cell_version="1"), rec("deep", "3", 0.9),
               rec("none", "unresolved", 0.9), rec("old_worst", "3", 0.5, cell_version="1"),
               rec("shallow", "1", 0.95)]
    (table,) = ranking.rank(records, current_versions={
        "old_best": "2", "old_worst": "2", "deep": "1", "none": "1", "shallow": "1"})
    assert [(r.cell, r.rank, r.stale) for r in table.rows] == [
        ("shallow", 1, False), ("deep", 2, False), ("none", None, False),
        ("old_best", None, True), ("old_worst", None, True)]
    row = table.rows[3]
    assert (row.made_version, row.current_version) == ("1", "2")
    assert site.stale_title(row) == ("made with cell version 1; the cell is now version 2: "
                                     "rerun to update")
    # without the registry's versions nothing is stale: the plain order
    (plain,) = ranking.rank(records)
    assert [r.cell for r in plain.rows][:2] == ["old_best", "shallow"]
    assert not any(r.stale for r in plain.rows)


def test_table_titles_give_the_profiles_revision() -> None:
    """The date a profile's definition last changed labels its tables; it is not part of
    the definition that records hold and the builder compares."""
    quick = profiles.get("quick")
    assert quick.revised and site.revised("quick") == f" (revised {quick.revised})"
    assert site.revised("smoke") == "" and site.revised("nosuch") == ""
    assert "revised" not in quick.to_dict()
    assert dataclasses.replace(quick, revised="1999-01-01") == quick
    page = site.environment().from_string(
        "Profile <code>{{ p }}</code>{{ p|revised }}").render(p="quick")
    assert page == f"Profile <code>quick</code> (revised {quick.revised})"

# --- submit ------------------------------------------------------------------------------

def _run_copy(root: Path, cell: str = "lif") -> Path:
    """A runs folder (``root/<cell>/smoke/seed-0``) faked from a copy of the committed smoke
    record and example: all that ``submit`` reads of a run."""
    folder = root / cell / "smoke" / "seed-0"
    folder.mkdir(parents=True)
    for name in ("record.json", "example.json"):
        shutil.copy(SMOKE_RECORD / name, folder / name)
    return folder


def test_submit_copies_a_checked_record_and_example(tmp_path: Path) -> None:
    run = _run_copy(tmp_path / "runs")
    recs = tmp_path / "records"
    proc = run_cli("submit", "--cell", "lif", "--profile", "smoke", "--out",
                   str(tmp_path / "runs"), "--records", str(recs))
    assert proc.returncode == 0, proc.stderr
    for name in ("record.json", "example.json"):
        assert (recs / "lif" / "smoke" / name).read_bytes() == (run / name).read_bytes()
    text = (run / "submission.md").read_text()
    assert text.startswith("# Leaderboard record: lif at the smoke profile")
    assert "minimal depth" in text and "CPUs" in text
    build = run_cli("leaderboard", "build", "--records", str(recs), "--out",
                    str(tmp_path / "site"), "--strict")
    assert build.returncode == 0, build.stderr


def test_submit_refuses_what_the_builder_would_refuse(tmp_path: Path) -> None:
    run = _run_copy(tmp_path / "runs")
    rec = json.loads((run / "record.json").read_text())
    rec["protocol"]["digest"] = "ab" * 32
    (run / "record.json").write_text(json.dumps(rec))
    recs = tmp_path / "records"
    proc = run_cli("submit", "--cell", "lif", "--profile", "smoke", "--out",
                   str(tmp_path / "runs"), "--records", str(recs))
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert "the leaderboard would refuse it: protocol digest abababababab..." in line
    assert "; fix: rerun" in line and not recs.exists()
    (run / "example.json").unlink()
    rec["protocol"]["digest"] = json.loads((SMOKE_RECORD / "record.json").read_text())[
        "protocol"]["digest"]
    (run / "record.json").write_text(json.dumps(rec))
    proc = run_cli("submit", "--cell", "lif", "--profile", "smoke", "--out",
                   str(tmp_path / "runs"), "--records", str(recs))
    assert proc.returncode == 2 and "no example.json beside the record" in proc.stderr


def test_submit_with_cell_brings_a_third_party_cell(tmp_path: Path) -> None:
    outside, project = tmp_path / "outside", tmp_path / "project-cells"
    make_cell(outside, "lif_third")
    run = _run_copy(tmp_path / "runs", "lif_third")
    env = {"NEURODEPTH_CELLS": str(outside)}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEURODEPTH_CELLS", str(outside))
        digest = registry.get("lif_third").digest()
    for name in ("record.json", "example.json"):
        data = json.loads((run / name).read_text())
        if name == "record.json":
            data["cell"] |= {"name": "lif_third", "digest": digest}
        else:
            data |= {"cell": "lif_third", "cell_digest": digest}
        (run / name).write_text(json.dumps(data))
    args = ["submit", "--cell", "lif_third", "--profile", "smoke", "--out",
            str(tmp_path / "runs"), "--records", str(tmp_path / "records"), "--cells",
            str(project)]
    plain = run_cli(*args, env=env)
    assert plain.returncode == 0 and "add --with-cell" in plain.stdout
    assert not project.exists()
    proc = run_cli(*args, "--with-cell", env=env)
    assert proc.returncode == 0, proc.stderr
    copied = project / "lif_third" / "cell.toml"
    assert copied.read_bytes() == (outside / "lif_third" / "cell.toml").read_bytes()
    again = run_cli(*args, "--with-cell", env=env)
    assert again.returncode == 2 and "a cell folder of that name exists" in again.stderr


def test_ranges_and_unresolved_scores_are_shown_as_such(
        tmp_path: Path, lif_record: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The overview ranks a resolved depth and a range, lists an unresolved score after them
    without a rank and never as a number, and marks a flagged run; the cell pages say the
    same, with each depth's verdict and FCI gap."""
    cells = tmp_path / "cells"
    for name in ("lif_range", "lif_unres"):
        make_cell(cells, name)
    monkeypatch.setenv("NEURODEPTH_CELLS", str(cells))
    recs = tmp_path / "records"
    put(recs, "lif/smoke/record.json", lif_record)
    for name, label in (("lif_range", "1-2"), ("lif_unres", "unresolved")):
        other = copy.deepcopy(lif_record)
        other["cell"] |= {"name": name, "digest": registry.get(name).digest()}
        other["score"] |= score(label)
        if name == "lif_range":
            other["rate_match"] = {
                "target_rate_hz": 1.0, "band_hz": [0.8, 1.2], "run_rate_hz": 0.5,
                "run_rate_ci": [0.4, 0.6], "calibration_rate_hz": 0.9,
                "calibration_rate_ci": [0.7, 1.1], "in_band": False,
                "flag": "fired 0.5 Hz, below the band"}
        put(recs, f"{name}/smoke/record.json", other)
    report = site.build(recs, tmp_path / "site")
    assert not report.refusals
    index = (tmp_path / "site" / "index.html").read_text()
    rows = re.findall(r'<tr data-cell="([^"]+)">\s*<td data-sort-value="([^"]*)">', index)
    assert rows == [("lif", "1"), ("lif_range", "2"), ("lif_unres", "")]
    unres = index.split('<tr data-cell="lif_unres"', 1)[1].split("</tr>", 1)[0]
    assert '<span class="score unresolved">unresolved</span>' in unres
    assert not re.search(r'data-outcome="unresolved"><span class="score unresolved">\d', unres)
    ranged = index.split('<tr data-cell="lif_range"', 1)[1].split("</tr>", 1)[0]
    assert ('<span class="score range">1-2</span> <span class="badge flag" '
            'title="fired 0.5 Hz, below the band">rate</span>') in ranged
    page = (tmp_path / "site" / "cells" / "lif_unres" / "index.html").read_text()
    assert '<strong class="score unresolved">unresolved at this profile</strong>' in page
    assert "listed without a rank" in page and "rate-flag" not in page
    page = (tmp_path / "site" / "cells" / "lif_range" / "index.html").read_text()
    assert 'id="smoke-rate-flag"' in page and "fired 0.5 Hz, below the band" in page
    assert '<strong class="score range">1-2</strong> (a range: not resolved within it)' in page
    page = (tmp_path / "site" / "cells" / "lif" / "index.html").read_text()
    best = lif_record["score"]["best_depth"]
    for row in lif_record["per_depth"]:
        cell = page.split(f'<tr data-depth="{row["depth"]}">', 1)[1].split("</tr>", 1)[0]
        verdict = "best on validation" if row["depth"] == best else row["decision"]["verdict"]
        assert f'{verdict}</td>' in cell
        assert f'{row["decision"]["delta_fci"]:+.3f}' in cell
    assert page.count('<details class="evidence"') == 1


def test_records_share_a_protocol_whatever_their_calibrated_rate_scale() -> None:
    base = {"version": "1", "params": {"rate_scale": 1.0, "trees": {"basal": [0, 800]},
                                       "hold_jitter_ms": 20}}
    other = copy.deepcopy(base)
    other["params"]["rate_scale"] = 0.77
    assert site.same_protocol({"protocol": base}, {"protocol": other})
    newer = copy.deepcopy(other) | {"version": "2"}
    assert not site.same_protocol({"protocol": base}, {"protocol": newer})
    rates = copy.deepcopy(other)
    rates["params"]["trees"] = {"basal": [0, 1900]}  # its own rates, as the AMPA-only L5PC's
    assert site.same_protocol({"protocol": base}, {"protocol": rates})
    layout = copy.deepcopy(other)
    layout["params"]["trees"] = {"soma": [0, 15.5]}
    assert not site.same_protocol({"protocol": base}, {"protocol": layout})
    generator = copy.deepcopy(other)
    generator["params"]["hold_jitter_ms"] = 10
    assert not site.same_protocol({"protocol": base}, {"protocol": generator})


def test_the_committed_l5pc_and_its_control_are_related() -> None:
    """With the real records: calibrated rate scales and the control's own rates differ,
    and the two are still compared on both pages."""
    root = Path(__file__).resolve().parents[1] / "leaderboard" / "records"
    a, b = (root / c / "quick" / "record.json" for c in ("l5pc_hay2011", "l5pc_hay2011_no_nmda"))
    if not (a.is_file() and b.is_file()):
        pytest.skip("the L5PC pair has no committed quick records")
    ra, rb = json.loads(a.read_text()), json.loads(b.read_text())
    assert ra["protocol"]["params"] != rb["protocol"]["params"]
    assert site.same_protocol(ra, rb)


# --- resolving power per profile ---------------------------------------------------------

def _power(profile: str = "smoke") -> dict[str, Any]:
    """A resolving-power file as ``benchmarks/resolution.py --save`` writes it (two runs of
    one teacher: synthetic numbers, the real format)."""
    runs = [{"teacher": "teacher_depth3", "depth": 3, "run_seed": s, "label": label,
             "class": cls} for s, (label, cls) in enumerate([("3", "recovered"),
                                                             ("unresolved", "open")])]
    return {"profile": {"name": profile}, "runs": runs, "command": "python benchmarks/x.py",
            "made_utc": "2026-12-03T10:00:00Z",
            "fractions": {"teacher_depth3": {"recovered": 0.5, "open": 0.5, "wrong": 0.0,
                                             "undetermined": 0.0}}}


def test_the_committed_resolution_tables_are_of_the_current_profiles() -> None:
    """Every committed ``leaderboard/resolution/<profile>.json`` loads without a problem,
    was measured with the profile's current definition and on registered teachers of its
    stated depth, so the table the site shows above a ranking is that ranking's profile."""
    from benchmark.leaderboard import resolution

    folder = Path(__file__).resolve().parents[1] / "leaderboard" / "resolution"
    found, problems = resolution.load_all(
        folder, current=lambda t: str(registry.get(t).get("version")))
    assert not problems
    for name, power in found.items():
        data = json.loads((folder / f"{name}.json").read_text())
        assert data["profile"] == json.loads(json.dumps(profiles.get(name).to_dict())), name
        for row in power.rows:
            spec = registry.get(row.teacher)
            assert spec.get("builder") == "teacher"
            assert engine.teacher_depth(spec) == row.depth
            assert data["teachers"][row.teacher]["weights_sha256"] == \
                engine.teacher_weights_sha256(spec)


def test_a_table_of_teachers_no_longer_registered_is_reported_not_shown(
        tmp_path: Path, lif_record: dict[str, Any]) -> None:
    """A resolving-power table measured on an earlier version of a teacher describes a
    network that is not the registered one: the site refuses it and says how to remake it."""
    recs = tmp_path / "records"
    put(recs, "lif/smoke/record.json", lif_record)
    current = str(registry.get("teacher_depth3").get("version"))
    put(tmp_path, "resolution/smoke.json", {**_power(), "teachers": {
        "teacher_depth3": {"version": current}}})
    assert not site.build(recs, tmp_path / "site").resolution_problems
    put(tmp_path, "resolution/smoke.json", {**_power(), "teachers": {
        "teacher_depth3": {"version": "0"}}})
    report = site.build(recs, tmp_path / "site")
    (problem,) = report.resolution_problems
    assert f"teacher_depth3 version 0 (now {current})" in problem
    assert "--profile smoke --save" in problem
    assert "power-missing" in (tmp_path / "site" / "index.html").read_text()


def test_each_ranking_says_what_its_profile_can_tell_apart(
        tmp_path: Path, lif_record: dict[str, Any]) -> None:
    recs = tmp_path / "records"
    put(recs, "lif/smoke/record.json", lif_record)
    report = site.build(recs, tmp_path / "without")
    assert not report.resolution_problems
    html = (tmp_path / "without" / "index.html").read_text()
    assert "power-missing" in html and "has not been measured" in html
    put(tmp_path, "resolution/smoke.json", _power())
    report = site.build(recs, tmp_path / "site")
    html = (tmp_path / "site" / "index.html").read_text()
    assert "power-missing" not in html and '<tr data-teacher="teacher_depth3">' in html
    row = html.split('<tr data-teacher="teacher_depth3">')[1].split("</tr>")[0]
    assert '<td data-class="recovered">50%</td>' in row and "3, unresolved" in row
    assert "python benchmarks/x.py" in html and not report.resolution_problems
    assert '<td data-class="depth1">not reported</td>' in row  # a file from before the field
    put(tmp_path, "resolution/smoke.json", {**_power(), "depth1_calls": {
        "teacher_depth3": {"right": 0.5, "unresolved": 0.5, "wrong": 0.0, "absent": 0.0}}})
    site.build(recs, tmp_path / "site")
    row = (tmp_path / "site" / "index.html").read_text().split(
        '<tr data-teacher="teacher_depth3">')[1].split("</tr>")[0]
    assert '<td data-class="depth1">50%</td>' in row


@pytest.mark.parametrize(("name", "change", "reason"), [
    ("smoke.json", lambda d: d.pop("command"), "fields ['command'] missing"),
    ("smoke.json", lambda d: d["fractions"]["teacher_depth3"].update(open=0.9),
     "do not sum to 1"),
    ("quick.json", lambda d: None, "holds profile 'smoke'"),
    ("smoke.json", lambda d: d["profile"].update(name="smoke-sized"), "(sized)"),
])
def test_a_bad_resolving_power_file_is_reported_not_shown(
        tmp_path: Path, lif_record: dict[str, Any], name: str, change: Any,
        reason: str) -> None:
    recs = tmp_path / "records"
    put(recs, "lif/smoke/record.json", lif_record)
    data = _power()
    change(data)
    put(tmp_path, f"resolution/{name}", data)
    report = site.build(recs, tmp_path / "site")
    (problem,) = report.resolution_problems
    assert name in problem and reason in problem and "fix" in problem
    assert "power-missing" in (tmp_path / "site" / "index.html").read_text()


def test_every_named_profile_can_hold_a_record_and_a_place_in_the_ranking() -> None:
    """The record schema's profile names and the site's table order are the named
    profiles: a new profile's runs are neither refused nor listed out of order."""
    schema = json.loads((Path(__file__).resolve().parents[1] / "benchmark" / "scoring"
                         / "schemas" / "record.schema.json").read_text())
    names = schema["properties"]["profile"]["properties"]["name"]["enum"]
    assert set(names) == set(profiles.PROFILES) == set(ranking.PROFILE_ORDER)
