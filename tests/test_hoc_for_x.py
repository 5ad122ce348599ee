"""Distributions sampled as the published hoc ``for (x)`` loop (``sample = "hoc_for_x"``).

The Hay et al. 2011 template (ModelDB 139653, ``L5PCtemplate_2.hoc``,
``distribute_channels``) assigns the apical Ih gradient and the Ca_LVAst hot zone in a hoc
``for (x)`` loop: x = 0, every segment centre, x = 1, the last write winning, so each
section's last segment takes the value at the section's 1 end. ``l5pc_hay2011`` (version
3) sets this rule on both apical distributions; here it is compared, segment by segment,
with the default rule (each segment at its centre) on the built cell.

The rule itself is also checked over plain numbers (no cell, no simulation). The test
process never imports ``neuron``: the cells are built in worker processes, and the
helpers of :mod:`benchmark.simulation.nrn.biophysics` (whose module imports NEURON) are
called in a fresh Python process.
"""

from __future__ import annotations

import copy
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmark.cells import data_files, registry
from benchmark.simulation import executors, physiology
from benchmark.simulation.isolated import neutral_dir
from conftest import REPO, l5pc_mirror_or_skip

CELL = "l5pc_hay2011"
N_APICAL = 377              # apical segments, nseg = 1 + 2 int(L / 40) (test_l5pc.py)
N_IH_DIFFERENT = 68         # measured against the published code (see README.md of the cell)
NEXUS = ("apic[50]", 0.8333)


# --- the rule over plain numbers -------------------------------------------------------------

HELPERS = """
import json, sys
from benchmark.simulation.nrn import biophysics as b
out = {}
for nseg in (1, 3, 5, 9):
    for sample in ("centre", "hoc_for_x"):
        out[f"{sample}-{nseg}"] = {"writes": b.assignments(nseg, sample),
                                   "final": b.final_positions(nseg, sample)}
try:
    b.assignments(3, "ends")
except ValueError as error:
    out["error"] = str(error)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def helpers() -> dict[str, Any]:
    """``assignments`` and ``final_positions`` for a few nseg, from a fresh process."""
    proc = subprocess.run([sys.executable, "-c", HELPERS], cwd=neutral_dir(),
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


@pytest.mark.parametrize("nseg", [1, 3, 5, 9])
def test_centre_writes_each_segment_once_at_its_centre(helpers: dict[str, Any],
                                                       nseg: int) -> None:
    centres = [(i + 0.5) / nseg for i in range(nseg)]
    assert helpers[f"centre-{nseg}"]["writes"] == [[i, x] for i, x in enumerate(centres)]
    assert helpers[f"centre-{nseg}"]["final"] == centres


@pytest.mark.parametrize("nseg", [1, 3, 5, 9])
def test_hoc_for_x_writes_the_ends_onto_the_end_segments(helpers: dict[str, Any],
                                                         nseg: int) -> None:
    """hoc's ``for (x)``: x = 0 (on the first segment), each centre, x = 1 (on the last)."""
    centres = [(i + 0.5) / nseg for i in range(nseg)]
    writes = helpers[f"hoc_for_x-{nseg}"]["writes"]
    assert writes == [[0, 0.0], *([i, x] for i, x in enumerate(centres)), [nseg - 1, 1.0]]
    # The last write wins: x = 0 is overwritten by the first centre, the last segment
    # keeps the section's 1 end (one segment alone: its 1 end too).
    assert helpers[f"hoc_for_x-{nseg}"]["final"] == [*centres[:-1], 1.0]


def test_an_unknown_sample_is_refused(helpers: dict[str, Any]) -> None:
    assert helpers["error"] == "unknown distribution sample 'ends': use centre or hoc_for_x"


def test_the_schema_refuses_an_unknown_sample(tmp_path: Path) -> None:
    from benchmark.cells import spec
    from benchmark.core.errors import SpecError

    folder = tmp_path / CELL
    folder.mkdir()
    text = (REPO / "cells" / CELL / spec.SPEC_FILE).read_text()
    line = '\nsample = "hoc_for_x"\n'
    assert text.count(line) == 2
    (folder / spec.SPEC_FILE).write_text(text.replace(line, '\nsample = "ends"\n', 1))
    with pytest.raises(SpecError) as info:
        spec.load(folder)
    message = str(info.value)
    assert "field 'parameters.distributions[0].sample'" in message
    assert '"centre"' in message and '"hoc_for_x"' in message


def test_l5pc_and_its_control_sample_both_apical_distributions_as_the_template() -> None:
    for name in (CELL, f"{CELL}_no_nmda"):
        cell = registry.get(name)
        assert cell.data["version"] == "4"
        dists = cell.data["parameters"]["distributions"]
        assert [(d["mechanism"], d.get("sample")) for d in dists] == [
            ("Ih", "hoc_for_x"), ("Ca_LVAst", "hoc_for_x")]


# --- the built L5PC, under both rules --------------------------------------------------------


def apical_table(spec_data: dict[str, Any], files: dict[str, str]) -> list[dict[str, Any]]:
    """Worker side: build the cell and list every apical segment (section, x, gIhbar_Ih,
    gCa_LVAstbar_Ca_LVAst, its centre's and its section's 1-end path distance from
    apic[0](0), the distribution's origin), then free the cell."""
    from neuron import h

    from benchmark.simulation.nrn import builders
    from benchmark.simulation.nrn.morphology import short_name

    cell = builders.get(spec_data["builder"])(spec_data, files)
    try:
        apic = cell.keep[0].apic
        origin = apic[0](0.0)
        rows = []
        for sec in apic:
            end_um = float(h.distance(origin, sec(1.0)))
            for i, seg in enumerate(sec):
                rows.append({"section": short_name(sec), "x": float(seg.x),
                             "last": i == sec.nseg - 1,
                             "gIhbar": float(seg.gIhbar_Ih),
                             "gCa": float(seg.gCa_LVAstbar_Ca_LVAst),
                             "d_um": float(h.distance(origin, seg)), "end_um": end_um})
        return rows
    finally:
        cell.teardown()


@pytest.fixture(scope="module")
def tables() -> dict[str, list[dict[str, Any]]]:
    """The apical segments of the L5PC as specified (``hoc_for_x``) and with ``sample``
    removed from its distributions (the default, ``centre``), built in two workers."""
    mirror = l5pc_mirror_or_skip()
    spec = registry.get(CELL)
    files = data_files.ensure(spec, mirror=mirror)
    as_published = copy.deepcopy(dict(spec.data))
    at_centres = copy.deepcopy(as_published)
    for dist in at_centres["parameters"]["distributions"]:
        assert dist.pop("sample") == "hoc_for_x"
    with executors.simulation_pool(physiology.library_for(spec), 2) as pool:
        futures = {name: pool.submit(apical_table, data, files)
                   for name, data in (("hoc_for_x", as_published), ("centre", at_centres))}
        return {name: future.result() for name, future in futures.items()}


def _differences(tables: dict[str, list[dict[str, Any]]], key: str
                 ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(hoc, centre) for hoc, centre in zip(tables["hoc_for_x"], tables["centre"],
                                                 strict=True)
            if hoc[key] != centre[key]]


def _where(row: dict[str, Any]) -> str:
    return f"{row['section']}({row['x']:.4f})"


@pytest.mark.neuron
def test_both_builds_list_the_same_segments(tables: dict[str, list[dict[str, Any]]]) -> None:
    hoc, centre = tables["hoc_for_x"], tables["centre"]
    assert len(hoc) == len(centre) == N_APICAL
    assert [(r["section"], r["x"]) for r in hoc] == [(r["section"], r["x"]) for r in centre]


@pytest.mark.neuron
def test_ih_differs_on_the_last_segments_only(tables: dict[str, list[dict[str, Any]]]) -> None:
    """68 of the 377 apical segments change gIhbar, by up to about 7%, each the last segment
    of its section (valued at its section's 1 end)."""
    differ = _differences(tables, "gIhbar")
    print(f"\n{len(differ)} apical segments differ in gIhbar:")
    for hoc, centre in differ:
        print(f"  {_where(hoc)}: {centre['gIhbar']:.6e} -> {hoc['gIhbar']:.6e} S/cm2 "
              f"(centre {hoc['d_um']:.1f} um, 1 end {hoc['end_um']:.1f} um)")
    assert len(differ) == N_IH_DIFFERENT, [_where(h) for h, _ in differ]
    assert all(hoc["last"] for hoc, _ in differ), [_where(h) for h, _ in differ if not h["last"]]
    relative = max(abs(hoc["gIhbar"] - centre["gIhbar"]) / centre["gIhbar"]
                   for hoc, centre in differ)
    print(f"largest relative difference {relative:.4f}")
    assert 0.05 < relative < 0.08


@pytest.mark.neuron
def test_every_last_segment_takes_its_section_end_value(
        tables: dict[str, list[dict[str, Any]]]) -> None:
    """Recomputed here from the spec's numbers: the last segment of each section holds the
    Ih gradient at the section's 1 end, every other segment the gradient at its centre."""
    ih = registry.get(CELL).data["parameters"]["distributions"][0]
    longest = max(r["end_um"] for r in tables["hoc_for_x"])

    def gradient(d_um: float) -> float:
        d = min(d_um / longest, ih["cap"])
        return float(ih["scale"] * (ih["offset"] + ih["amplitude"] * math.exp(ih["rate"] * d)))

    for hoc, centre in zip(tables["hoc_for_x"], tables["centre"], strict=True):
        assert centre["gIhbar"] == pytest.approx(gradient(centre["d_um"]), rel=1e-12)
        sampled_at = hoc["end_um"] if hoc["last"] else hoc["d_um"]
        assert hoc["gIhbar"] == pytest.approx(gradient(sampled_at), rel=1e-12), _where(hoc)


@pytest.mark.neuron
def test_ca_hot_zone_gains_the_nexus_segment(tables: dict[str, list[dict[str, Any]]]) -> None:
    """One segment changes gCa_LVAstbar: apic[50](0.8333), outside the 685-885 um hot zone
    by its centre but inside it by its section's 1 end, so 100x more Ca_LVAst."""
    differ = _differences(tables, "gCa")
    for hoc, centre in differ:
        print(f"\n{_where(hoc)}: gCa_LVAstbar {centre['gCa']:.6e} -> {hoc['gCa']:.6e} S/cm2 "
              f"(centre {hoc['d_um']:.2f} um, 1 end {hoc['end_um']:.2f} um)")
    assert [(h["section"], round(h["x"], 4)) for h, _ in differ] == [NEXUS], \
        f"expected only {NEXUS[0]}({NEXUS[1]}) to differ, got {[_where(h) for h, _ in differ]}"
    hoc, centre = differ[0]
    assert hoc["last"]
    assert not 685.0 < hoc["d_um"] < 885.0 and 685.0 < hoc["end_um"] < 885.0
    assert hoc["gCa"] / centre["gCa"] == pytest.approx(100.0, rel=1e-9)
