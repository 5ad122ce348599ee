"""Cell registry and spec schema: lookup, did-you-mean, extends, one-line errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark.cells import registry, spec
from benchmark.core.errors import SpecError, UnknownCellError
from conftest import REPO, run_cli

LIF = REPO / "cells" / "lif"


def copy_lif(tmp_path: Path, name: str = "mycell") -> Path:
    folder = tmp_path / name
    shutil.copytree(LIF, folder)
    path = folder / "cell.toml"
    path.write_text(path.read_text().replace('name = "lif"', f'name = "{name}"'))
    return folder


def test_lif_is_registered_with_its_card() -> None:
    lif = registry.get("lif")
    assert lif.name == "lif"
    assert lif.data["kind"] == "control"
    assert lif.get("simulation.dt_ms") > 0
    assert lif.get("parameters.n_excitatory") + lif.get("parameters.n_inhibitory") == 100
    assert len(lif.digest()) == 64


def test_unknown_cell_suggests_close_names() -> None:
    with pytest.raises(UnknownCellError, match="did you mean 'lif'"):
        registry.get("lfi")


def test_env_cells_folder_is_searched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy_lif(tmp_path, "extra_cell")
    monkeypatch.setenv("NEURODEPTH_CELLS", str(tmp_path))
    assert "extra_cell" in registry.discover()
    assert registry.get("extra_cell").name == "extra_cell"


def test_extends_merges_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    child = tmp_path / "lif_ampa"
    child.mkdir()
    (child / "cell.toml").write_text(
        'extends = "lif"\nname = "lif_ampa"\ndescription = "LIF with AMPA only"\n'
        '[synapses]\nexcitatory = "ampa"\n')
    monkeypatch.setenv("NEURODEPTH_CELLS", str(tmp_path))
    merged = registry.get("lif_ampa")
    assert merged.get("synapses.excitatory") == "ampa"
    assert merged.get("synapses.inhibitory") == "gaba_a"  # inherited
    assert merged.get("parameters.n_excitatory") == 80  # inherited
    assert merged.digest() != registry.get("lif").digest()
    assert merged.chain[-1] == LIF / "cell.toml"


@pytest.mark.parametrize(
    ("key", "new", "field", "fix"),
    [
        ("kind", 'kind = "banana"', "kind", "set kind to one of"),
        ("dt_ms", "dt_ms = -1.0", "simulation.dt_ms", "set simulation.dt_ms"),
        ("dt_ms", 'dt_ms = "fast"', "simulation.dt_ms", "wrong type"),
        ("excitatory", 'excitatory = "nmda"', "synapses.excitatory", "ampa_nmda"),
        ("exc_per_100ms", "exc_per_100ms = [90.0, 0.0]", "inputs.trees.soma.exc_per_100ms",
         "low 90.0 exceeds high"),
        ("species", "", "species", "missing"),
    ],
)
def test_schema_errors_name_file_field_and_fix(tmp_path: Path, key: str, new: str, field: str,
                                               fix: str) -> None:
    folder = copy_lif(tmp_path)
    path = folder / "cell.toml"
    text, n = re.subn(rf"(?m)^{key} = .*$", new, path.read_text(), count=1)
    assert n == 1
    path.write_text(text)
    with pytest.raises(SpecError) as info:
        spec.load(folder)
    message = str(info.value)
    assert str(path) in message and f"field '{field}'" in message and "fix:" in message
    assert fix in message
    assert "\n" not in message


def test_start_rate_scale_is_optional_and_checked(tmp_path: Path) -> None:
    folder = copy_lif(tmp_path)
    path = folder / "cell.toml"
    original = path.read_text()
    assert spec.load(folder).start_rate_scale == 1.0  # absent: the spec's own rates
    path.write_text(original + "\n[inputs]\nstart_rate_scale = 0.25\n")
    assert spec.load(folder).start_rate_scale == 0.25
    path.write_text(original + "\n[inputs]\nstart_rate_scale = -0.25\n")
    with pytest.raises(SpecError) as info:
        spec.load(folder)
    message = str(info.value)
    assert str(path) in message and "field 'inputs.start_rate_scale'" in message
    assert "fix: set inputs.start_rate_scale to a positive number" in message


def test_folder_name_must_match(tmp_path: Path) -> None:
    folder = copy_lif(tmp_path)
    (folder / "cell.toml").write_text((folder / "cell.toml").read_text().replace(
        'name = "mycell"', 'name = "other"'))
    with pytest.raises(SpecError, match="field 'name'"):
        spec.load(folder)


def test_cli_unknown_cell_is_one_line_exit_2() -> None:
    proc = run_cli("run", "--cell", "nosuchcell", "--profile", "smoke")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "unknown cell 'nosuchcell'" in lines[0]
    assert "benchmark list" in lines[0] or "did you mean" in lines[0]


def test_cli_malformed_toml_is_one_line_exit_2(tmp_path: Path) -> None:
    folder = copy_lif(tmp_path)
    (folder / "cell.toml").write_text("name = [unclosed\n")
    proc = run_cli("run", "--cell", str(folder), "--profile", "smoke")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "cell.toml" in lines[0] and "not valid TOML" in lines[0] and "fix:" in lines[0]


def test_cli_list_shows_registry_columns_in_100_columns() -> None:
    proc = run_cli("list", check=True)
    header, *rows = proc.stdout.splitlines()
    for column in ("NAME", "SPECIES", "KIND", "DESCRIPTION"):
        assert column in header
    assert any(row.startswith("lif ") for row in rows)
    assert max(len(line) for line in proc.stdout.splitlines()) <= 100
    long = run_cli("list", "--long", check=True).stdout
    assert "  licence:     MIT (this project)" in long and "  data:" in long
    assert max(len(line) for line in long.splitlines()) <= 100


def test_cli_output_into_a_closed_pipe_is_quiet() -> None:
    proc = subprocess.run(f"{sys.executable} -m benchmark list | head -1", shell=True,
                          capture_output=True, text=True, timeout=120)
    assert proc.stdout.startswith("NAME") and "Traceback" not in proc.stderr


L5PC = REPO / "cells" / "l5pc_hay2011"


@pytest.mark.parametrize(
    ("old", "new", "field", "fix"),
    [
        ('file = "cell1.asc"', 'file = "cell2.asc"', "parameters.morphology.file",
         "add a [files.\"cell2.asc\"] table"),
        ("segment_length_um = 40.0", "", "parameters.morphology.segment_length_um",
         "add segment_length_um under [parameters.morphology]"),
        ('form = "window"', 'form = "step"', "parameters.distributions[1].form",
         "use one of exponential, window"),
        ("synapse_regions = { basal = \"dend\", apical = \"apic\" }",
         "synapse_regions = { basal = \"dend\", apical = \"tuft\" }",
         "parameters.synapse_regions.apical", "use one of soma, dend, apic, axon"),
        ("[parameters.regions.dend]\ncm_uf_per_cm2 = 2.0", "[parameters.regions.dend]\n"
         "cm_uf_per_cm2 = \"two\"", "parameters.regions.dend.cm_uf_per_cm2", "give"),
    ],
)
def test_detailed_parameters_are_checked_when_loaded(tmp_path: Path, old: str, new: str,
                                                     field: str, fix: str) -> None:
    """A broken [parameters] table of a detailed cell fails at load, in the parent, with
    one line naming the file, the field and the fix (not a traceback from a worker)."""
    folder = tmp_path / "l5pc_hay2011"
    shutil.copytree(L5PC, folder)
    path = folder / "cell.toml"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(SpecError) as info:
        spec.load(folder)
    message = str(info.value)
    assert str(path) in message and f"field '{field}'" in message and fix in message
    assert "\n" not in message


def test_every_spec_field_is_in_the_reference() -> None:
    """docs/cell-toml.md names every field the spec schema and the builders check."""
    from benchmark.cells import parameters, schema

    text = (Path(__file__).resolve().parent.parent / "docs" / "cell-toml.md").read_text()
    keys = [re.split(r"[.\]]", k)[-1] for builder in (None, *schema.builder_parameters())
            for k in schema.field_names(builder)]
    keys += [k for form in parameters.FORMS.values() for k in form]
    spans = " ".join(re.findall(r"`([^`]*)`", text) + re.findall(r"^#+ (.*)$", text, re.M))
    missing = sorted({k for k in keys if not re.search(rf"\b{re.escape(k)}\b", spans)})
    assert not missing, f"docs/cell-toml.md does not mention {missing}"


def test_a_card_file_completes_the_card_outside_the_digest(tmp_path: Path) -> None:
    from conftest import make_cell

    make_cell(tmp_path, "carded")
    folder = tmp_path / "carded"
    (folder / spec.CARD_FILE).unlink(missing_ok=True)
    before = spec.load(folder)
    (folder / spec.CARD_FILE).write_text('layer = "5b"\ncell_type = "pyramidal"\n')
    after = spec.load(folder)
    assert after.card["layer"] == "5b" and after.card["cell_type"] == "pyramidal"
    assert after.digest() == before.digest()
    (folder / spec.CARD_FILE).write_text('layr = "5b"\n')
    with pytest.raises(SpecError, match="layr.*is not a card field.*fix: use layer"):
        dict(spec.load(folder).card)


@pytest.mark.parametrize("name", ["lif", "l5pc_hay2011", "l5pc_hay2011_no_nmda",
                                  "allen_mouse_486556811", "teacher_depth3"])
def test_every_card_field_is_stated(name: str) -> None:
    card = registry.get(name).card
    assert all(card.get(key) for key in spec.CARD_FIELDS), (name, dict(card))
