"""The Allen fit-file loader (benchmark/allen_fit.py) and the six Allen cell specs, no NEURON.

Expected values are literals read by eye from the published json files (each comment names
the json entry). The files come from the cell-data mirror: ``$NEURODEPTH_MIRROR``; the tests
that need them skip when it is not set or lacks the files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from benchmark.cells import allen_fit, data_files, registry, spec
from benchmark.core.errors import SpecError, UserError
from conftest import REPO, run_cli

MIRROR = Path(os.environ.get("NEURODEPTH_MIRROR") or "neurodepth-mirror-not-set")
PERISOMATIC = "allen_mouse_486556811_perisomatic/486111903_fit.json"
LEGACY_491 = "allen_mouse_491766131/fit_parameters.json"
LEGACY_497 = "allen_mouse_497232312/497232312_fit.json"
LEGACY_H16 = "allen_human_h16_1606013050101/1606013050101.json"
NEWER_L3 = "allen_human_541557114/ITL23__541557114_stage_1_seed_1_hof_0_fit.json"
NEWER_L5 = "allen_human_695500665/ITL46__695500665_stage_1_seed_1_hof_0_fit.json"
CELLS = {  # registry name -> (fit file in the mirror, family)
    "allen_mouse_491766131": (LEGACY_491, "legacy_all_active"),
    "allen_mouse_497232312": (LEGACY_497, "legacy_all_active"),
    "allen_mouse_486556811": (PERISOMATIC, "perisomatic"),
    "allen_human_541557114": (NEWER_L3, "newer_all_active"),
    "allen_human_695500665": (NEWER_L5, "newer_all_active"),
    "allen_human_h16_1606013050101": (LEGACY_H16, "legacy_all_active"),
}
# sha256 of every pinned file, as listed in the mirror's README.md.
README_SHA256 = {
    "allen_mouse_491766131/reconstruction.swc":
        "fd5e9099a24ba910d0ec426ca8f51a918bc6065bfc173edd0c4b624afffeb784",
    LEGACY_491: "8e76a569aeccb36b99d669382f42dd90740f6096e36b0ce03218eb8d4a1a38c9",
    "allen_mouse_497232312/Rbp4-Cre_KL100_Ai14-203498.04.02.01_496001061_m.swc":
        "52b009b7739570033a0772855a86159398168b3d98b33d69dc5421ac4b11c78e",
    LEGACY_497: "4fb1c8b6bc9e1c2e5f3bb1904868805c8a60e9c28410da0a05688f9014183503",
    "allen_mouse_486556811_perisomatic/Rbp4-Cre_KL100_Ai14-205727.03.02.01_500961607_m.swc":
        "4d78e96623789d33bf70c7a8ff9fd54a5819c970de06ea78041b34f8d2b6d6c0",
    PERISOMATIC: "54ac8d4bf994e9029a30ef43efa44c5a479e6f574afb65ac653727a59c6a6dd2",
    "allen_human_541557114/ITL23__541557114_transformed.swc":
        "9353f916605d79f40b58bd89d1130b120eaca839e01caaf64bb7bd09d02c09a2",
    NEWER_L3: "6b7a56521a485efef6861bbc8e8c1294f7c706d33d3b097f9222be5ce4a3dc61",
    "allen_human_695500665/ITL46__695500665_transformed.swc":
        "67427f1459a5e6edff424a72f1e5bbbb7bc3e039ef8f0c81742d41474b35c9ff",
    NEWER_L5: "6ce4d6a725421ec87fc7b77ebdc8218fb6b3e2ad0a6a2807a633288360ce164d",
    "allen_human_h16_1606013050101/1606013050101.swc":
        "65b62e7aad7e1ec90973a214c6667861fa39a6a9deda557812a92f92113c875e",
    LEGACY_H16: "a1ed1f748d9489a44e77158c51762050d11ba3a9bbe368d814b4f438c94d8e29",
}


def _file(relative: str) -> Path:
    path = MIRROR / relative
    if not path.is_file():
        pytest.skip(f"{path} is missing: set NEURODEPTH_MIRROR to the cell-data mirror "
                    "to run the Allen fit-file tests")
    return path


def _plan(relative: str, family: str | None = None) -> allen_fit.FitPlan:
    return allen_fit.load(_file(relative), family)


def _mech(plan: allen_fit.FitPlan, section: str, name: str) -> float:
    """A mechanism parameter by its NEURON name (gbar_NaV -> mechanism NaV)."""
    for values in plan.sections[section].mechanisms.values():
        if name in values:
            return values[name]
    raise KeyError(f"{section}: {name}")


# --- the three families, against values read from the files ------------------------------


def test_perisomatic_plan() -> None:
    plan = _plan(PERISOMATIC)
    assert plan.family == "perisomatic" and plan.axon_rule == "stub"
    assert set(plan.sections) == {"soma", "axon", "dend", "apic"}
    ra = 62.9840527316                   # passive[0].ra: every section
    e_pas = -84.25226783752441           # passive[0].e_pas: every section
    cm = {"soma": 1.0, "axon": 1.0,      # passive[0].cm[*]
          "dend": 2.621448263075259, "apic": 2.621448263075259}
    g_pas = {"soma": 0.00023233034042048858,  # genome {section, name: g_pas, mechanism: ""}
             "axon": 0.0009017675508236813,
             "dend": 1.0166696299648586e-05,
             "apic": 9.3652865370580841e-06}
    for section, sp in plan.sections.items():
        assert sp.passive == allen_fit.Passive(cm[section], ra, g_pas[section], e_pas)
    assert _mech(plan, "soma", "gbar_NaTs") == 0.89733180959414183   # genome soma gbar_NaTs
    assert _mech(plan, "soma", "gbar_Ih") == 0.0016048012879071663   # genome soma gbar_Ih
    assert plan.sections["soma"].mechanisms["CaDynamics"] == {
        "gamma_CaDynamics": 0.00011630595964028934,                  # genome soma gamma_...
        "decay_CaDynamics": 300.62733932558592}                      # genome soma decay_...
    # Active channels at the soma only (Gouwens et al. 2018's perisomatic models).
    assert len(plan.sections["soma"].mechanisms) == 11
    assert all(not plan.sections[s].mechanisms for s in ("axon", "dend", "apic"))
    # conditions[0]: erev at the soma only; celsius, v_init; fitting[0].junction_potential.
    assert plan.reversals == {"soma": allen_fit.Reversal(ena_mv=53.0, ek_mv=-107.0)}
    assert (plan.celsius_degc, plan.v_init_mv) == (34.0, -84.25226783752441)
    assert plan.junction_potential_mv == -14.0
    assert plan.reported_mv(-84.0) == -70.0  # allensdk reports v - junction_potential


def test_legacy_all_active_plan() -> None:
    plan = _plan(LEGACY_491)
    assert plan.family == "legacy_all_active" and plan.axon_rule == "truncated"
    # Genome strings, per section; the genome's Ra wins over passive[0].ra (100).
    assert plan.sections["soma"].passive == allen_fit.Passive(
        cm_uf_per_cm2=4.21567,        # genome soma cm "4.21567"
        ra_ohm_cm=133.577,            # genome soma Ra "133.577"
        g_pas_s_per_cm2=0.000119174,  # genome soma g_pas "0.000119174"
        e_pas_mv=-76.4024)            # genome soma e_pas "-76.4024"
    assert plan.sections["axon"].passive == allen_fit.Passive(9.0228, 80.3823, 0.00147346,
                                                              -64.8595)  # genome axon *
    assert plan.sections["dend"].passive.e_pas_mv == -88.2554      # genome dend e_pas
    assert plan.sections["apic"].passive.cm_uf_per_cm2 == 8.34542  # genome apic cm
    assert _mech(plan, "axon", "gbar_NaV") == 0.035766             # genome axon gbar_NaV
    assert _mech(plan, "axon", "gbar_Kd") == 0.00700751            # genome axon gbar_Kd
    assert _mech(plan, "apic", "gbar_Im_v2") == 0.00854163         # genome apic gbar_Im_v2
    assert _mech(plan, "dend", "gbar_Ih") == 9.18815e-06           # genome dend gbar_Ih
    assert sorted(plan.sections["dend"].mechanisms) == ["Ih", "Im_v2", "Kv3_1", "NaV"]
    assert set(plan.reversals) == {"soma", "axon", "dend", "apic"}   # conditions[0].erev
    assert (plan.celsius_degc, plan.v_init_mv) == (34.0, -90.0)     # conditions[0]

    other = _plan(LEGACY_497)
    assert other.sections["soma"].passive == allen_fit.Passive(
        8.51603, 93.2936, 2.22118e-06, -85.7726)  # genome soma cm, Ra, g_pas, e_pas

    h16 = _plan(LEGACY_H16)
    assert h16.family == "legacy_all_active"
    assert h16.sections["soma"].passive.ra_ohm_cm == 8245.5         # genome soma Ra
    assert h16.sections["dend"].passive.e_pas_mv == -96.5393        # genome dend e_pas
    assert _mech(h16, "axon", "gbar_Kv2like") == 0.0886339          # genome axon gbar_Kv2like
    assert h16.v_init_mv == -59.0                                   # conditions[0].v_init


def test_newer_all_active_plan() -> None:
    plan = _plan(NEWER_L3)
    assert plan.family == "newer_all_active" and plan.axon_rule == "delete"
    assert set(plan.sections) == {"soma", "dend", "apic"}  # no axon entries: the axon goes
    ra = 129.917394255954                                  # passive[0].ra: every section
    assert plan.sections["soma"].passive == allen_fit.Passive(
        1.1625574158599,       # genome soma cm
        ra,
        2.31614138381677e-05,  # genome soma g_pas
        -62.6786426841745)     # genome soma e_pas
    assert plan.sections["dend"].passive.cm_uf_per_cm2 == 2.49584832496341  # genome dend cm
    assert _mech(plan, "soma", "gbar_NaTs2_t") == 6.71361211981853          # genome soma
    assert _mech(plan, "apic", "gbar_NaTs2_t") == 0.0346960281924255        # genome apic
    assert _mech(plan, "soma", "decay_CaDynamics") == 466.759060837677      # genome soma
    assert set(plan.reversals) == {"soma", "dend", "apic"}                  # conditions.erev
    assert (plan.celsius_degc, plan.v_init_mv, plan.junction_potential_mv) == (34.0, -68.0,
                                                                                -14.0)
    l5 = _plan(NEWER_L5)
    assert l5.sections["apic"].passive.ra_ohm_cm == 194.592623908562         # passive[0].ra
    assert l5.sections["soma"].passive.cm_uf_per_cm2 == 3.58414408926372     # genome soma cm
    assert _mech(l5, "soma", "gbar_Nap_Et2") == 0.0044298340202172           # genome soma
    assert _mech(l5, "apic", "gbar_Im") == 0.0004726387901818                # genome apic


def test_family_is_detected_and_can_be_stated() -> None:
    for relative, family in ((PERISOMATIC, "perisomatic"), (LEGACY_491, "legacy_all_active"),
                             (LEGACY_H16, "legacy_all_active"), (NEWER_L5, "newer_all_active")):
        data = json.loads(_file(relative).read_text())
        assert allen_fit.detect_family(data) == family
    # Stated explicitly, the family decides how the file is read: the legacy rules on a
    # perisomatic file ignore passive.cm / passive.e_pas (as allensdk's all-active code
    # does), so the sections lack cm and e_pas.
    with pytest.raises(SpecError, match=r"field 'genome'.*no 'cm' for section 'soma'"):
        _plan(PERISOMATIC, "legacy_all_active")
    with pytest.raises(SpecError, match=r"field 'axon_morph'.*missing"):
        _plan(LEGACY_491, "newer_all_active")
    with pytest.raises(SpecError, match=r"field 'family'.*unknown family 'allactive'"):
        _plan(LEGACY_491, "allactive")


# --- malformed files: one line naming the file, the field and the fix ---------------------


def _broken(tmp_path: Path, relative: str, edit: Any) -> Path:
    data = json.loads(_file(relative).read_text())
    edit(data)
    path = tmp_path / Path(relative).name
    path.write_text(json.dumps(data))
    return path


def _genome_entry(data: dict[str, Any], i: int, key: str, value: Any) -> None:
    data["genome"][i][key] = value


@pytest.mark.parametrize(
    ("relative", "edit", "field", "problem"),
    [
        (LEGACY_491, lambda d: d.pop("genome"), "genome", "missing"),
        (PERISOMATIC, lambda d: d.update(genome=[]), "genome", "is not a non-empty list"),
        (LEGACY_491, lambda d: _genome_entry(d, 3, "value", "-64.8x"), "genome[3].value",
         "is not a number ('-64.8x')"),
        (PERISOMATIC, lambda d: _genome_entry(d, 2, "value", None), "genome[2].value",
         "missing"),
        (NEWER_L3, lambda d: _genome_entry(d, 5, "value", True), "genome[5].value",
         "is not a number (True)"),
        (LEGACY_H16, lambda d: _genome_entry(d, 0, "section", "somma"), "genome[0].section",
         "unknown section 'somma'"),
        (NEWER_L5, lambda d: _genome_entry(d, 12, "section", "glob"), "genome[12].section",
         "unknown section 'glob'"),
        (PERISOMATIC, lambda d: _genome_entry(d, 0, "mechanism", "Ih"), "genome[0].name",
         "'gbar_Im' is not a parameter of mechanism 'Ih'"),
        (LEGACY_491, lambda d: d["genome"].pop(0), "genome",
         "no 'g_pas' for section 'soma'"),
        (LEGACY_491, lambda d: d["passive"][0].pop("ra"), "passive[0].ra", "missing"),
        (PERISOMATIC, lambda d: d["passive"][0]["cm"][1].update(section="axn"),
         "passive[0].cm[1].section", "unknown section 'axn'"),
        (NEWER_L3, lambda d: d["conditions"][0].pop("v_init"), "conditions[0].v_init",
         "missing"),
        (LEGACY_491, lambda d: d["conditions"][0]["erev"][2].update(ek="minus 107"),
         "conditions[0].erev[2].ek", "is not a number"),
        (NEWER_L5, lambda d: d.update(conditions=[{}, {}]), "conditions", "has 2 items"),
        (NEWER_L3, lambda d: d["axon_morph"][0].update(delete_axon=["forsec axonal{}"]),
         "axon_morph[0].delete_axon", "unsupported axon rule"),
    ],
)
def test_malformed_files_give_one_line_errors(tmp_path: Path, relative: str, edit: Any,
                                              field: str, problem: str) -> None:
    path = _broken(tmp_path, relative, edit)
    with pytest.raises(SpecError) as info:
        allen_fit.load(path)
    message = str(info.value)
    assert message.startswith(f"{path}: field '{field}': ")
    assert problem in message and "; fix: " in message
    assert "\n" not in message


def test_unreadable_files_give_one_line_errors(tmp_path: Path) -> None:
    bad = tmp_path / "fit.json"
    bad.write_text('{"genome": [')
    with pytest.raises(SpecError, match=r"fit\.json: field '-': not valid JSON .*fix: "):
        allen_fit.load(bad)
    with pytest.raises(SpecError, match=r"nothere\.json: field '-': file not found"):
        allen_fit.load(tmp_path / "nothere.json")


# --- the six registered cells --------------------------------------------------------------


# Cells that integrate otherwise than the Allen default (backward Euler, 0.025 ms), each with
# the measurement in its cell.toml: Crank-Nicolson at 0.05 ms is closer to a 0.005 ms
# reference than backward Euler at 0.025 ms, at half the cost.
INTEGRATION: dict[str, tuple[float, str]] = {}  # every Allen cell: the original's setting


@pytest.mark.parametrize("name", sorted(CELLS))
def test_registered_cell_matches_its_fit_file(name: str) -> None:
    """Each spec: the Allen builder and catalogue, the family stated, every file pinned by
    the mirror README's sha256, and the simulation settings of the fit file's conditions."""
    cell = registry.get(name)
    relative, family = CELLS[name]
    assert cell.data["builder"] == "allen" and cell.data["kind"] == "detailed"
    assert cell.data["mechanisms"] == ["synapses", "allen"]
    assert cell.get("parameters.family") == family
    assert set(cell.card) == {"layer", "area", "cell_type", "model_family"}
    assert cell.get("synapses.excitatory") == "ampa_nmda"
    assert cell.get("inputs.trees") == registry.get("l5pc_hay2011").get("inputs.trees")
    pinned = {f.mirror_path: f.sha256 for f in cell.files}
    assert len(pinned) == 2 and all(README_SHA256[p] == d for p, d in pinned.items())
    assert pinned.keys() >= {relative}
    fit = next(f for f in cell.files if f.mirror_path == relative)
    assert cell.get("parameters.fit_file") == fit.name
    plan = _plan(relative)
    assert plan.family == family
    assert cell.get("simulation.v_init_mv") == plan.v_init_mv
    assert cell.get("simulation.celsius_degc") == plan.celsius_degc
    dt_ms, method = INTEGRATION.get(name, (0.025, "backward_euler"))
    assert cell.get("simulation.dt_ms") == dt_ms
    assert cell.get("simulation.integration") == method
    for file in cell.files:  # the mirror's bytes are the pinned ones
        assert data_files.sha256_of(_file(file.mirror_path)) == file.sha256


def test_builder_refuses_a_spec_whose_simulation_differs_from_the_fit_file() -> None:
    """The builder's first check (benchmark/nrn/allen.py calls it in the worker)."""
    cell = registry.get("allen_mouse_491766131")
    plan = _plan(LEGACY_491)
    allen_fit.check_simulation(cell.data, plan)  # the registered spec agrees
    data = {**cell.data, "simulation": {**cell.data["simulation"], "v_init_mv": -70.0}}
    with pytest.raises(UserError, match=r"simulation\.v_init_mv = -70\.0 differs from -90\.0 "
                       r"in .*fit_parameters\.json \(conditions\); fix: set v_init_mv = -90"):
        allen_fit.check_simulation(data, plan)


def test_cli_list_shows_the_six_cells() -> None:
    proc = run_cli("list", "--json", check=True)
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    assert set(CELLS) <= set(rows)
    assert rows["allen_human_541557114"]["card"]["layer"] == "3"
    assert rows["allen_human_541557114"]["species"] == "human"
    assert rows["allen_mouse_486556811"]["card"]["model_family"].endswith("perisomatic")


def _copy(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(REPO / "cells" / name, folder)
    return folder / "cell.toml"


@pytest.mark.parametrize(
    ("old", "new", "field", "fix"),
    [
        ('family = "legacy_all_active"', 'family = "legacy"', "parameters.family",
         "use one of perisomatic, legacy_all_active, newer_all_active"),
        ('fit_file = "fit_parameters.json"', 'fit_file = "fit.json"', "parameters.fit_file",
         "add a [files.\"fit.json\"] table"),
        ('layer = "5"', "layer = 5", "card.layer", "give layer as a string"),
        ('layer = "5"', 'laminar = "5"', "card.laminar", "use layer, area, cell_type"),
        ("synapse_regions = { basal = \"dend\", apical = \"apic\" }",
         "synapse_regions = { basal = \"dend\", apical = \"tuft\" }",
         "parameters.synapse_regions.apical", "use one of soma, dend, apic, axon"),
    ],
)
def test_allen_spec_errors_name_file_field_and_fix(tmp_path: Path, old: str, new: str,
                                                   field: str, fix: str) -> None:
    path = _copy(tmp_path, "allen_mouse_491766131")
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(SpecError) as info:
        spec.load(path.parent)
    message = str(info.value)
    assert str(path) in message and f"field '{field}'" in message and fix in message
    assert "\n" not in message


def test_loader_never_imports_neuron() -> None:
    """benchmark/cells/allen_fit.py is parent-side: no neuron, no allensdk."""
    source = (REPO / "benchmark" / "cells" / "allen_fit.py").read_text()
    assert not re.search(r"^\s*(import|from)\s+(neuron|allensdk)\b", source, re.M)
