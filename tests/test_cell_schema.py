"""The JSON Schema of cell.toml: unknown keys refused at every level, one-line errors with
the file, the dotted field and the fix, and docs/cell-toml.md checked against the schema."""

from __future__ import annotations

import copy
import glob
import re
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from benchmark.cells import registry, schema, spec
from benchmark.core.errors import SpecError
from conftest import REPO

CELLS = REPO / "cells"
DOC = REPO / "docs" / "cell-toml.md"


def copy_cell(tmp_path: Path, cell: str, old: str = "", new: str = "") -> Path:
    """Copy ``cells/<cell>`` into ``tmp_path`` and replace ``old`` by ``new`` in its spec."""
    folder = tmp_path / cell
    shutil.copytree(CELLS / cell, folder)
    path = folder / spec.SPEC_FILE
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    return folder


def load_error(folder: Path) -> str:
    with pytest.raises(SpecError) as info:
        spec.load(folder, resolve=registry.folder_of)
    message = str(info.value)
    assert "\n" not in message
    return message


# --- the known bug: a typo'd key under [files."name"] ---------------------------------------


def test_typo_in_a_data_file_table_is_a_spec_error_not_a_type_error(tmp_path: Path) -> None:
    """It used to reach ``DataFile(name=k, **v)`` and raise TypeError from there."""
    folder = copy_cell(tmp_path, "l5pc_hay2011", 'archive_member = "morphologies/cell1.asc"',
                       'archive_member = "morphologies/cell1.asc"\nsha265 = "0"')
    path = folder / spec.SPEC_FILE
    with pytest.raises(SpecError, match=re.escape(f"{path}: field 'files.cell1.asc.sha265'")):
        registry.get(str(folder))
    message = load_error(folder)
    assert "fix: did you mean 'sha256'?" in message
    assert "sha256, mirror_path, path, url, archive_member, allen_model_id" in message


# --- a misspelt key at each level ------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "old", "new", "field", "close", "allowed"),
    [
        ("lif", 'species = "none"', 'speceis = "none"', "speceis", "species",
         "schema_version, name, extends, version"),
        ("lif", "dt_ms = 0.1", "dt_msx = 0.1", "simulation.dt_msx", "dt_ms",
         "dt_ms, engine, integration, v_init_mv, celsius_degc, spike_threshold_mv"),
        ("lif", "t_refrac_ms = 2.0", "t_refact_ms = 2.0", "parameters.t_refact_ms",
         "t_refrac_ms", "n_excitatory, n_inhibitory, soma_diam_um"),
        ("lif", "[inputs.trees.soma]", "[inputs]\nstart_rate_scal = 0.5\n[inputs.trees.soma]",
         "inputs.start_rate_scal", "start_rate_scale", "start_rate_scale, trees"),
        ("lif", "[source]", '[card]\ncel_type = "point"\n[source]', "card.cel_type",
         "cell_type", "layer, area, cell_type, model_family"),
        ("lif", "exc_per_100ms = [0.0, 15.5]", "exc_per_100ms = [0.0, 15.5]\nexc_100ms = [1, 2]",
         "inputs.trees.soma.exc_100ms", "exc_per_100ms",
         "exc_per_100ms, inh_minus_exc_per_100ms"),
        ("lif", 'citation = "', 'citaton = "x"\ncitation = "', "source.citaton", "citation",
         "data, licence, citation, url"),
        ("l5pc_hay2011", "segment_length_um = 40.0", "segment_length_um = 40.0\nsegment_um = 4",
         "parameters.morphology.segment_um", "segment_length_um", "file, format"),
        ("l5pc_hay2011", "axon = { sections = 2,", "axon = { section = 2,",
         "parameters.morphology.axon.section", "sections", "sections, length_um, diam_um"),
        ("l5pc_hay2011", "ra_ohm_cm = 100.0", "ra_ohm_cn = 100.0",
         "parameters.passive.ra_ohm_cn", "ra_ohm_cm", "ra_ohm_cm, e_pas_mv"),
        ("l5pc_hay2011", "ek_mv = -85.0", "ek_mV = -85.0", "parameters.regions.soma.ek_mV",
         "ek_mv", "cm_uf_per_cm2, g_pas_s_per_cm2, ena_mv, ek_mv, mechanisms"),
        ("l5pc_hay2011", "cap = 0.65", "capp = 0.65", "parameters.distributions[0].capp",
         "cap", "region, mechanism, parameter, form"),
        ("l5pc_hay2011", "distance_origin = 0.5", "distance_orign = 0.5",
         "parameters.distance_orign", "distance_origin", "distance_origin, synapse_regions"),
        ("allen_mouse_491766131", 'family = "legacy_all_active"',
         'famiy = "legacy_all_active"', "parameters.famiy", "family",
         "fit_file, morphology_file, family"),
    ],
)
def test_misspelt_key_names_file_field_and_fix(tmp_path: Path, cell: str, old: str, new: str,
                                                field: str, close: str, allowed: str) -> None:
    folder = copy_cell(tmp_path, cell, old, new)
    message = load_error(folder)
    assert message.startswith(f"{folder / spec.SPEC_FILE}: field '{field}': ")
    assert f"did you mean '{close}'?" in message
    assert f"use {allowed}" in message


def test_typo_in_a_child_spec_is_reported_on_the_merged_spec(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``l5pc_hay2011_no_nmda`` extends ``l5pc_hay2011``: the merged spec is validated and
    the error names the child's file; a typo in the parent breaks the child too."""
    copy_cell(tmp_path, "l5pc_hay2011")
    child = copy_cell(tmp_path, "l5pc_hay2011_no_nmda", 'excitatory = "ampa"',
                      'excitatory = "ampa"\nexcitatroy = "ampa"')
    monkeypatch.setenv("NEURODEPTH_CELLS", str(tmp_path))
    with pytest.raises(SpecError, match=re.escape(
            f"{child / spec.SPEC_FILE}: field 'synapses.excitatroy': ")):
        registry.get("l5pc_hay2011_no_nmda")
    parent = tmp_path / "l5pc_hay2011" / spec.SPEC_FILE
    parent.write_text(parent.read_text().replace("e_pas_mv = -90.0", "e_pas = -90.0"))
    (child / spec.SPEC_FILE).write_text(
        (child / spec.SPEC_FILE).read_text().replace('excitatroy = "ampa"\n', ""))
    with pytest.raises(SpecError, match=r"field 'parameters\.passive\.e_pas': .*did you mean "
                                        r"'e_pas_mv'\?"):
        registry.get("l5pc_hay2011_no_nmda")


# --- other schema errors, and the checks after the schema ------------------------------------


@pytest.mark.parametrize(
    ("cell", "old", "new", "field", "text"),
    [
        ("lif", 'citation = "Beniaguev, Segev & London 2021, Neuron 109:2727 (the I&F warm-up '
         'of the study)"\n', "", "source.citation",
         "missing; fix: cite the paper that published the model"),
        ("lif", "n_excitatory = 80 ", "n_excitatory = 80.0 ", "parameters.n_excitatory",
         "has the wrong type (float); fix: give n_excitatory a whole number"),
        ("lif", "v_init_mv = -70.0", "v_init_mv = true", "simulation.v_init_mv",
         "has the wrong type (bool); fix: set simulation.v_init_mv"),
        ("lif", "exc_per_100ms = [0.0, 15.5]", 'exc_per_100ms = [0.0, "15"]',
         "inputs.trees.soma.exc_per_100ms[1]", "give exc_per_100ms = [low, high]"),
        ("lif", "exc_per_100ms = [0.0, 15.5]", "exc_per_100ms = [0.0]",
         "inputs.trees.soma.exc_per_100ms", "has 1 item, fewer than 2"),
        ("l5pc_hay2011", 'sha256 = "a8af', 'sha256 = "A8af', "files.cell1.asc.sha256",
         "fix: pin the file with sha256"),
        ("l5pc_hay2011", "diam_um = 1.0", 'diam_um = "thick"',
         "parameters.morphology.axon.diam_um", 'give a diameter in um or "reconstruction"'),
        ("l5pc_hay2011", "[parameters.regions.dend]\n", "[parameters.regions.dendrite]\n",
         "parameters.regions.dendrite", "use one of soma, dend, apic, axon"),
        ("l5pc_hay2011", "Ih = { gIhbar = 5e-5 }", 'Ih = { gIhbar = "5e-5" }',
         "parameters.regions.axon.mechanisms.Ih.gIhbar", "has the wrong type (str)"),
        ("l5pc_hay2011", "rate = 3.6161", "", "parameters.distributions[0].rate",
         "missing; fix: add rate under [parameters.distributions[0]]"),
        ("l5pc_hay2011", "apical = \"apic\" }", "apex = \"apic\" }",
         "parameters.synapse_regions.apex", "names no input tree"),
        ("l5pc_hay2011", 'mirror_path = "hay2011_l5pc/cell1.asc"\n', "", "files.cell1.asc",
         "give mirror_path (a published file) or path"),
        # physically invalid values: negative conductances, capacitances and lengths
        ("lif", "g_pas_s_per_cm2 = 3.0e-4", "g_pas_s_per_cm2 = -3.0e-4",
         "parameters.g_pas_s_per_cm2", "-0.0003 is below 0; fix: give g_pas_s_per_cm2 a "
         "conductance density >= 0 (S/cm2)"),
        ("lif", "cm_uf_per_cm2 = 1.0", "cm_uf_per_cm2 = 0.0", "parameters.cm_uf_per_cm2",
         "0.0 is not positive; fix: give cm_uf_per_cm2 a positive capacitance"),
        ("lif", "soma_diam_um = 15.0", "soma_diam_um = -15.0", "parameters.soma_diam_um",
         "-15.0 is not positive; fix: give soma_diam_um a positive length (um)"),
        ("l5pc_hay2011", "Ih = { gIhbar = 5e-5 }", "Ih = { gIhbar = -5e-5 }",
         "parameters.regions.axon.mechanisms.Ih.gIhbar", "is below 0; fix: give a conductance "
         "density (a parameter named g...bar) a value >= 0"),
        ("l5pc_hay2011", "ra_ohm_cm = 100.0", "ra_ohm_cm = -100.0",
         "parameters.passive.ra_ohm_cm", "is not positive; fix: give ra_ohm_cm a positive"),
        ("allen_mouse_491766131", "distance_origin = 0.5", "distance_origin = 2",
         "parameters.distance_origin", "2 is not in [0, 1]; fix: give a position along soma"),
    ],
)
def test_schema_and_cross_checks_name_file_field_and_fix(tmp_path: Path, cell: str, old: str,
                                                         new: str, field: str,
                                                         text: str) -> None:
    folder = copy_cell(tmp_path, cell, old, new)
    message = load_error(folder)
    assert message.startswith(f"{folder / spec.SPEC_FILE}: field '{field}': ")
    assert text in message


def test_own_builder_parameters_are_free(tmp_path: Path) -> None:
    folder = copy_cell(tmp_path, "lif", 'builder = "lif"', 'builder = "my_pkg.cells:build"')
    path = folder / spec.SPEC_FILE
    path.write_text(path.read_text() + "anything = { nested = [1, 2] }\n")
    assert spec.load(folder).parameters["anything"] == {"nested": [1, 2]}


# --- every existing cell validates, unchanged --------------------------------------------------


def _extra_cell_folders() -> list[Path]:
    found = glob.glob(str(REPO / "tests" / "data" / "**" / spec.SPEC_FILE), recursive=True)
    found += glob.glob(str(REPO / "tests" / "example_package" / "**" / spec.SPEC_FILE),
                       recursive=True)
    return sorted(Path(p).parent for p in found if "bad_toml" not in p)


def _raw_merge(folder: Path) -> dict[str, Any]:
    own = spec.read_toml(folder / spec.SPEC_FILE)
    if "extends" in own:
        own = spec.merge(_raw_merge(registry.folder_of(own["extends"])), own)
    own.pop("extends", None)
    return own


def test_every_cell_validates_and_its_data_is_the_merged_toml() -> None:
    """No defaults are injected: ``data`` (and so the digest) is the merged TOML."""
    folders = [CELLS / name for name in sorted(registry.discover())
               if (CELLS / name).is_dir()] + _extra_cell_folders()
    assert len(folders) >= 10
    for folder in folders:
        cell = spec.load(folder, resolve=registry.folder_of)
        assert cell.data == _raw_merge(folder), folder
        before = copy.deepcopy(cell.data)
        spec.validate(folder / spec.SPEC_FILE, cell.data)
        assert cell.data == before
        assert all(f.sha256 for f in cell.files)


# --- the schema itself --------------------------------------------------------------------


def _objects(node: Any, where: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(node, Mapping):
        if node.get("type") == "object":
            yield where, node
        for key, sub in node.items():
            yield from _objects(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _objects(sub, f"{where}/{i}")


def test_schema_is_draft_2020_12_and_every_table_is_closed() -> None:
    """Every table with named keys refuses others; a map (names free, values checked, e.g.
    ``files``, ``inputs.trees``) has a schema for its values. Only the top-level
    ``parameters`` is open (a ``package.module:function`` builder's own)."""
    document = schema.schema()
    jsonschema.Draft202012Validator.check_schema(document)
    open_tables = []
    for where, node in _objects(document, "#"):
        if "properties" in node:
            if node.get("additionalProperties") is not False:
                open_tables.append(where)
        elif not isinstance(node.get("additionalProperties"), Mapping):
            open_tables.append(where)
    assert open_tables == ["#/properties/parameters"]
    assert set(schema.builder_parameters()) == {"lif", "detailed", "allen", "teacher"}


def test_schema_enums_are_the_public_constants() -> None:
    assert spec.KINDS == ("detailed", "control", "point")
    assert spec.INTEGRATION_METHODS == ("backward_euler", "crank_nicolson")
    assert spec.SYNAPSE_MODELS == {"excitatory": ("ampa_nmda", "ampa"),
                                   "inhibitory": ("gaba_a",)}


# --- docs/cell-toml.md against the schema ------------------------------------------------------


def _normalise(dotted: str) -> str:
    """``files."NAME"`` -> ``files.*``; upper-case parts stand for any name."""
    parts = [p.strip('"') for p in dotted.split(".")]
    return ".".join("*" if p.isupper() else p for p in parts)


def _named_ancestors(dotted: str) -> set[str]:
    """``inputs.trees.*`` -> {inputs, inputs.trees}; ``a.b[]`` -> {a, a.b}."""
    out, parts = set(), dotted.split(".")
    for i in range(1, len(parts) + 1):
        name = ".".join(parts[:i]).removesuffix("[]")
        if not name.endswith("*"):
            out.add(name)
    return out


def doc_fields(text: str) -> dict[str | None, set[str]]:
    """The keys docs/cell-toml.md lists, per scope: None for the spec's own tables, else a
    builder's name. A ``## [table]`` heading (``[[table]]`` for a list of tables, ``of the
    builder `b``` for a builder's parameters) names the table; the first cell of each row
    of its table lists its keys."""
    fields: dict[str | None, set[str]] = {}
    scope: str | None = None
    prefix: str | None = None
    for line in text.splitlines():
        heading = re.match(r"^## (.*)$", line)
        if heading:
            title = heading.group(1)
            builder = re.search(r" of the builder `([^`]+)`$", title)
            scope = builder.group(1) if builder else None
            table = re.match(r"^(\[\[?)([^\]]+)\]", title)
            prefix = ("" if title == "Top level" else None if table is None
                      else _normalise(table.group(2)) + ("[]" if table.group(1) == "[[" else ""))
            if prefix:
                fields.setdefault(scope, set()).update(_named_ancestors(prefix))
            continue
        if prefix is not None and line.startswith("| `"):
            for key in re.findall(r"`([^`]+)`", line.split("|")[1]):
                name = f"{prefix}.{_normalise(key)}" if prefix else _normalise(key)
                fields.setdefault(scope, set()).update(_named_ancestors(name))
    return fields


def test_reference_documents_exactly_the_schema() -> None:
    """Every key of the schema, dotted, is in docs/cell-toml.md, and every key the doc
    lists is in the schema: the spec's own tables, then each built-in builder's."""
    text = DOC.read_text()
    assert "benchmark/cells/schemas/cell.schema.json" in text
    documented = doc_fields(text)
    for scope in (None, *schema.builder_parameters()):
        keys = set(schema.field_names(scope))
        listed = documented.get(scope, set())
        assert len(keys) > 5, scope
        assert not keys - listed, f"docs/cell-toml.md does not list {sorted(keys - listed)}"
        assert not listed - keys, f"docs/cell-toml.md lists unknown keys {sorted(listed - keys)}"
