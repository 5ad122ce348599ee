"""``submit`` on records whose score is undetermined (no depth with a finite test AUC)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmark import cli
from benchmark.commands import submit

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "leaderboard" / "records" / "lif" / "quick"


def undetermined(record: dict) -> dict:
    """The committed lif record as a run whose kept test simulations held no spike."""
    record = json.loads(json.dumps(record))
    record["score"].update(outcome="undetermined", label="undetermined", minimal_depth=None,
                           lower=None, upper=None, censored=False, network_depth=None,
                           best_depth=None, best_chosen_on=None,
                           reason="undetermined: no finite test AUC")
    record["fci"].update(value=None, spike_auc=None, ci=[None, None])
    for row in record["per_depth"]:
        row["spike_auc"], row["spike_auc_ci"] = None, [None, None]
        row.pop("decision", None)
        for seed in row["seeds"]:
            seed["spike_auc"] = None
    return record


def test_pull_request_text_of_an_undetermined_record() -> None:
    record = undetermined(json.loads((COMMITTED / "record.json").read_text()))
    text = submit.pull_request_text(record, "leaderboard/records/lif/quick")
    assert "Score: undetermined;" in text
    assert "FCI undetermined at depth 3 (spike AUC undetermined)" in text
    assert "run rate 0.981 Hz [0.884, 1.08], inside the target band 0.8-1.2 Hz" in text


def test_pull_request_text_carries_the_rate_flag() -> None:
    record = json.loads((COMMITTED / "record.json").read_text())
    record["rate_match"] |= {"in_band": False, "flag": "the run's simulations fired 0.5 Hz"}
    text = submit.pull_request_text(record, "leaderboard/records/lif/quick")
    assert "run rate 0.981 Hz [0.884, 1.08], outside the target band" in text
    assert "flagged: the run's simulations fired 0.5 Hz" in text


def test_submit_of_an_undetermined_record_copies_it_and_prints_the_text(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "runs" / "lif" / "quick" / "seed-0"
    run.mkdir(parents=True)
    record = undetermined(json.loads((COMMITTED / "record.json").read_text()))
    (run / "record.json").write_text(json.dumps(record))
    shutil.copy(COMMITTED / "example.json", run / "example.json")
    records = tmp_path / "records"
    code = cli.main(["submit", "--cell", "lif", "--profile", "quick", "--out",
                     str(tmp_path / "runs"), "--records", str(records)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Score: undetermined;" in out
    assert json.loads((records / "lif" / "quick" / "record.json").read_text()) == record
    assert (run / "submission.md").read_text().startswith("# Leaderboard record: lif")
