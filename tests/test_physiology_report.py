"""The physiology report (benchmark.simulation.report): the amplitude rule, the report's
assembly from probe results (synthetic dicts, no NEURON), one real run on the lif cell,
and the report beside a record: submit copies it, the site shows it, a foreign one is
refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from benchmark.cells import registry
from benchmark.leaderboard import physiology as page_rows
from benchmark.leaderboard import records
from benchmark.simulation import report
from conftest import SMOKE_RECORD, put, run_cli

# --- the amplitude rule ------------------------------------------------------------------


def _rows(rheobase_na: float, amplitudes: tuple[float, ...] = report.COARSE_NA) -> list[dict]:
    return [{"amplitude_na": a, "n_spikes": int(a >= rheobase_na)} for a in amplitudes]


def test_ladder_is_rounded_and_holds_the_coarse_round() -> None:
    assert report.LADDER_NA[:7] == (0.01, 0.015, 0.02, 0.03, 0.05, 0.07, 0.1)
    assert report.LADDER_NA[-1] == 7.0
    assert all(report.ladder_index(a) >= 0 for a in report.COARSE_NA)
    with pytest.raises(ValueError):
        report.ladder_index(0.04)


@pytest.mark.parametrize(("rheobase_na", "second_round", "table"), [
    # silent at 0.03, fires at 0.1: the ladder between, and up to 3 steps above 0.1
    (0.05, [0.05, 0.07, 0.15, 0.2], [0.05, 0.07, 0.1, 0.15]),
    (0.1, [0.05, 0.07, 0.15, 0.2], [0.1, 0.15, 0.2, 0.3]),
    (0.4, [0.5, 0.7, 1.5, 2.0], [0.5, 0.7, 1.0, 1.5]),
    (0.005, [0.015, 0.02], [0.01, 0.015, 0.02, 0.03]),   # fires at the smallest step
    (5.0, [5.0, 7.0], [5.0, 7.0]),                       # top of the ladder: fewer rows
])
def test_rheobase_and_table_amplitudes(rheobase_na: float, second_round: list[float],
                                       table: list[float]) -> None:
    second = report.refine_amplitudes(_rows(rheobase_na))
    assert second == second_round
    rows = _rows(rheobase_na, report.COARSE_NA + tuple(second))
    assert report.table_amplitudes(report.rheobase(rows)) == table


def test_no_spike_on_the_ladder_gives_no_table() -> None:
    rows = _rows(99.0, report.LADDER_NA)
    assert report.rheobase(rows) is None and report.table_amplitudes(None) == []


def test_hay_protocols_need_a_reconstruction_with_an_apical_tree() -> None:
    apic = {"regions": {"apic": {"n_sections": 109}}}
    none = {"regions": {"apic": {"n_sections": 0}}}
    assert report.has_apical_tree({"parameters": {"morphology": {"file": "x.asc"}}}, apic)
    assert not report.has_apical_tree({"parameters": {"morphology": {}}}, none)
    assert not report.has_apical_tree({"parameters": {}}, apic)   # an Allen cell


# --- assembly from probe results ---------------------------------------------------------

CELL = {"name": "l5pc_x", "version": "3", "digest": "ab" * 32}
RESTING = {"v_rest_mv": -76.123456, "drift_mv": 0.00012, "n_spikes": 0}


def _step(a: float, n: int, first: float | None) -> dict[str, Any]:
    return {"amplitude_na": a, "n_spikes": n, "rate_hz": 2.0 * n, "first_spike_ms": first}


STEPS = [_step(a, n, f) for a, n, f in [(0.01, 0, None), (0.03, 0, None), (0.1, 0, None),
                                        (0.3, 0, None), (0.5, 3, 120.0), (0.7, 6, 40.5),
                                        (1.0, 9, 20.25), (1.5, 14, 9.0), (2.0, 18, 6.0),
                                        (3.0, 25, 3.0)]]
BAP = {"n_soma_spikes": 1, "points": [
    {"distance_um": d, "amplitude_mv": amp, "max_excursion_mv": amp + 1.0, "section": "apic[1]"}
    for d, amp in ((660.0, 44.0), (800.0, 35.5))]}
BAC = {name: {"n_soma_spikes": n, "soma_spike_ms": t, "dend_peak_mv": p, "dend_above_ms": a}
       for name, n, t, p, a in (("soma", 1, [3.7], -50.0, 2.0),
                                ("dendrite", 0, [], -55.0, 0.0),
                                ("both", 3, [3.7, 13.5, 23.9], 10.0, 30.0))}


def _by_key(rep: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["key"]: q for q in rep["quantities"]}


def test_assemble_a_point_neuron_has_no_published_values() -> None:
    rep = report.assemble(CELL, RESTING, STEPS)
    assert rep["cell"] == CELL and rep["format"] == report.FORMAT
    assert rep["rheobase_na"] == 0.5
    assert [r["amplitude_na"] for r in rep["fi"]] == [0.5, 0.7, 1.0, 1.5]
    assert rep["fi"][0] == {"amplitude_na": 0.5, "n_spikes": 3, "rate_hz": 6.0,
                            "first_spike_latency_ms": 120.0}
    assert rep["bap"] is None and rep["bac"] is None and rep["settings"]["bap"] is None
    q = _by_key(rep)
    assert q["v_rest_mv"]["value"] == -76.123 and q["rheobase_na"]["value"] == 0.5
    assert q["first_spike_latency_ms@0.7na"]["value"] == 40.5
    assert all(x["published"] is None for x in rep["quantities"])
    json.dumps(rep, allow_nan=False)   # plain JSON


def test_assemble_the_l5pc_quotes_hay_2011() -> None:
    rep = report.assemble(CELL, RESTING, STEPS, BAP, BAC)
    q = _by_key(rep)
    assert q["bap_amplitude_mv@660um"]["value"] == 44.0
    assert q["bap_amplitude_mv@660um"]["published"]["value"] == 45.0
    assert q["bap_amplitude_mv@800um"]["published"]["sd"] == 9.33
    assert q["bap_soma_spikes"]["published"]["value"] == 1.0
    assert q["bac_soma_spikes"]["value"] == 3
    assert q["bac_mean_isi_ms"]["value"] == pytest.approx(10.1)
    assert q["bac_mean_isi_ms"]["published"]["value"] == 9.901
    assert "Hay" in q["bac_mean_isi_ms"]["published"]["source"]
    assert rep["settings"]["bap"]["amp_na"] == 1.9 and rep["bac"]["dendrite"]["n_soma_spikes"] == 0
    assert "BAC 3 spikes" in report.summary(rep)


def test_page_rows_give_published_values_with_their_source() -> None:
    rows = {r["quantity"]: r for r in page_rows.rows(report.assemble(CELL, RESTING, STEPS,
                                                                       BAP, BAC))}
    assert rows["resting potential (mV)"]["published"] == "no published value here"
    bap = rows["bAP amplitude at 800 um (mV)"]
    assert bap["value"] == "35.5" and bap["published"] == "36 ± 9.33" and "Larkum" in bap["source"]
    assert page_rows.rows(None) == []


# --- a real run, on the lif ----------------------------------------------------------------


@pytest.mark.neuron
def test_lif_report_from_the_command(tmp_path: Path) -> None:
    out = tmp_path / "lif-physiology.json"
    proc = run_cli("physiology", "--cell", "lif", "--file", str(out), "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("lif: rest ")
    rep = json.loads(out.read_text())
    spec = registry.get("lif")
    assert rep["cell"] == {"name": "lif", "version": spec.data["version"],
                           "digest": spec.digest()}
    assert set(rep) >= {"format", "format_version", "cell", "settings", "resting",
                        "rheobase_na", "steps_measured", "fi", "bap", "bac", "quantities"}
    e_pas = spec.parameters["e_pas_mv"]
    assert rep["resting"]["v_rest_mv"] == pytest.approx(e_pas, abs=0.5)
    assert rep["rheobase_na"] is not None and 1 <= len(rep["fi"]) <= 4
    assert all(r["first_spike_latency_ms"] is not None for r in rep["fi"])
    rates = [r["rate_hz"] for r in rep["fi"]]
    assert rates == sorted(rates) and rep["bap"] is None


# --- beside a record: submit, build, refuse ------------------------------------------------


def _lif_report(**cell: str) -> dict[str, Any]:
    rec = json.loads((SMOKE_RECORD / "record.json").read_text())
    named = {k: rec["cell"][k] for k in ("name", "version", "digest")} | cell
    return report.assemble(named, {"v_rest_mv": -70.0, "drift_mv": 0.0, "n_spikes": 0},
                           [_step(a, int(a >= 0.05), 4.3 if a >= 0.05 else None)
                            for a in (0.01, 0.03, 0.05, 0.07, 0.1, 0.15)])


def test_submit_copies_the_report_and_the_page_shows_it(tmp_path: Path) -> None:
    run = tmp_path / "runs" / "lif" / "smoke" / "seed-0"
    run.mkdir(parents=True)
    for name in ("record.json", "example.json"):
        shutil.copy(SMOKE_RECORD / name, run / name)
    put(run, report.REPORT_FILE, _lif_report())
    recs = tmp_path / "records"
    proc = run_cli("submit", "--cell", "lif", "--profile", "smoke", "--out",
                   str(tmp_path / "runs"), "--records", str(recs))
    assert proc.returncode == 0, proc.stderr
    filed = recs / "lif" / "smoke" / report.REPORT_FILE
    assert filed.read_bytes() == (run / report.REPORT_FILE).read_bytes()
    assert f"lif/smoke/{report.REPORT_FILE}" in (run / "submission.md").read_text()
    build = run_cli("leaderboard", "build", "--records", str(recs), "--out",
                    str(tmp_path / "site"), "--strict")
    assert build.returncode == 0, build.stderr
    page = (tmp_path / "site" / "cells" / "lif" / "index.html").read_text()
    assert 'id="smoke-physiology"' in page
    assert '<th scope="row">resting potential (mV)</th>' in page
    assert "<td>-70</td><td>no published value here</td>" in page
    assert (tmp_path / "site" / "cells" / "lif" / "smoke" / report.REPORT_FILE).is_file()


def test_a_page_without_a_report_says_nothing_of_it(tmp_path: Path) -> None:
    recs = tmp_path / "records"
    put(recs, "lif/smoke/record.json", (SMOKE_RECORD / "record.json").read_text())
    from benchmark.leaderboard import site

    site.build(recs, tmp_path / "site")
    page = (tmp_path / "site" / "cells" / "lif" / "index.html").read_text()
    assert "physiology" not in page.lower()


@pytest.mark.parametrize(("cell", "reason"), [
    ({"name": "l5pc_hay2011"}, "a physiology report of cell 'l5pc_hay2011' version"),
    ({"version": "0"}, "a physiology report of cell 'lif' version 0, beside a record of 'lif'"),
])
def test_a_report_of_another_cell_is_refused_and_its_record_kept(
        tmp_path: Path, cell: dict[str, str], reason: str) -> None:
    put(tmp_path, "lif/smoke/record.json", (SMOKE_RECORD / "record.json").read_text())
    path = put(tmp_path, f"lif/smoke/{report.REPORT_FILE}", _lif_report(**cell))
    entries, refused = records.load_all(tmp_path)
    assert [e.cell for e in entries] == ["lif"] and entries[0].physiology is None
    (line,) = [r.line() for r in refused]
    assert line.startswith(f"{path}: ") and reason in line and "; fix: rerun" in line
    assert "\n" not in line


def test_a_report_that_is_not_json_or_alone_is_refused(tmp_path: Path) -> None:
    put(tmp_path, "lif/smoke/record.json", (SMOKE_RECORD / "record.json").read_text())
    put(tmp_path, f"lif/smoke/{report.REPORT_FILE}", '{"cell": ')
    put(tmp_path, f"lif/quick/{report.REPORT_FILE}", _lif_report())
    entries, refused = records.load_all(tmp_path)
    assert len(entries) == 1
    lines = sorted(r.line() for r in refused)
    assert "no accepted record.json beside this report" in lines[0]
    assert "not valid JSON" in lines[1]
