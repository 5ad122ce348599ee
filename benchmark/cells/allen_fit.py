"""Allen Institute model fit files (json) as a plain, typed plan. Never imports ``neuron``.

A fit file of the Allen Cell Types Database (or of the Allen all-active pipeline) holds
one-item lists at its top level: ``passive``, ``fitting`` (the junction potential),
``conditions`` (celsius, v_init, ``erev``: ena and ek per section type) and ``genome`` (a list
of ``{section, name, value, mechanism}``). Three families differ in where the passive
values live and in what happens to the reconstructed axon; :func:`load` detects the family
from the file's structure (or takes it from the cell's spec) and returns a :class:`FitPlan`
that :mod:`benchmark.simulation.nrn.allen` applies in a worker process.

Families, as allensdk 2.16 (``allensdk.model.biophysical.utils``) and bmtk apply them:

- ``perisomatic`` (Gouwens et al. 2018; allensdk ``Utils``): genome values are numbers;
  ``passive`` holds ``ra`` and ``e_pas`` for every section and ``cm`` per section type;
  genome entries with an empty mechanism (``g_pas``) set a section variable; active
  channels sit at the soma only. Axon rule ``stub``: the reconstructed axon is replaced by
  two 30 um x 1 um sections, the first attached to the soma's middle (x = 0.5).
- ``legacy_all_active`` (allensdk ``AllActiveUtils``, axon type ``truncated``): genome
  values are strings; ``passive`` holds ``ra`` only (applied to every section first);
  ``cm``, ``Ra``, ``g_pas`` and ``e_pas`` per section type come from the genome (the genome's
  ``Ra`` wins); ``passive.cm`` / ``passive.e_pas`` are ignored, as allensdk ignores them.
  Axon rule ``truncated``: two 30 um sections keeping the reconstruction's diameters (the
  first axon section's, and that of the first axon section whose middle lies more than
  60 um from ``soma[0](0)``), the first attached to the soma's 1 end.
- ``newer_all_active`` (Nandi et al. 2022 style; bmtk ``set_params_allactive``): genome
  values are numbers; ``passive`` holds ``ra``; ``cm``, ``g_pas``, ``e_pas`` per section type
  come from the genome; the file's ``axon_morph.delete_axon`` says
  ``forsec axonal{delete_section()}``: axon rule ``delete``, the axon is removed and
  nothing replaces it.

Every family: ``nseg = 1 + 2 int(L / 40 um)`` on every section; ``ena`` / ``ek`` are set on
the sections of a type where the ion exists; reported voltages are the model's minus the
junction potential (allensdk: ``v_reported = v_model - junction_potential``, i.e. +14 mV for
the usual -14 mV).

Units: cm in uF/cm2, Ra in ohm cm, g_pas and channel ``gbar`` in S/cm2, potentials in mV,
CaDynamics ``decay`` in ms and ``gamma`` a fraction, celsius in degC. Mechanism parameters
keep their NEURON range-variable names (``gbar_NaV``, ``decay_CaDynamics``).

Errors are one-line :class:`~benchmark.core.errors.SpecError` messages naming the file, the
field and the fix.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmark.core.errors import SpecError, UserError

FAMILIES = ("perisomatic", "legacy_all_active", "newer_all_active")
AXON_RULES = {"perisomatic": "stub", "legacy_all_active": "truncated",
              "newer_all_active": "delete"}
SECTIONS = ("soma", "axon", "dend", "apic")
SEGMENT_LENGTH_UM = 40.0
# Genome names with an empty mechanism: section variables, as the plan's passive fields.
PASSIVE_NAMES = {"cm": "cm_uf_per_cm2", "Ra": "ra_ohm_cm", "g_pas": "g_pas_s_per_cm2",
                 "e_pas": "e_pas_mv"}
DELETE_AXON = "forsec axonal{delete_section()}"
REFETCH = "replace it with the published file"


@dataclass(frozen=True)
class Passive:
    """Passive membrane of one section type (units in the names)."""

    cm_uf_per_cm2: float
    ra_ohm_cm: float
    g_pas_s_per_cm2: float
    e_pas_mv: float


@dataclass(frozen=True)
class SectionPlan:
    """What one section type (soma, axon, dend, apic) gets.

    Attributes:
        passive: the ``pas`` mechanism, cm and Ra.
        mechanisms: mechanism name -> {NEURON range-variable name: value}, in file order
            (``{"NaV": {"gbar_NaV": 0.05}}``; gbar in S/cm2).
    """

    passive: Passive
    mechanisms: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Reversal:
    """Sodium and potassium reversal potentials of one section type (mV)."""

    ena_mv: float
    ek_mv: float


@dataclass(frozen=True)
class FitPlan:
    """Everything a builder applies from one fit file.

    Attributes:
        source: the file the plan was read from.
        family: one of :data:`FAMILIES`.
        axon_rule: ``stub``, ``truncated`` or ``delete`` (see the module docstring).
        sections: section type -> :class:`SectionPlan` (only the types the file names).
        reversals: section type -> :class:`Reversal`, as ``conditions.erev`` gives them.
        celsius_degc, v_init_mv: the file's ``conditions``.
        junction_potential_mv: the file's ``fitting.junction_potential`` (mV).
        segment_length_um: the segment rule's length (nseg = 1 + 2 int(L / length)).
    """

    source: str
    family: str
    axon_rule: str
    sections: Mapping[str, SectionPlan]
    reversals: Mapping[str, Reversal]
    celsius_degc: float
    v_init_mv: float
    junction_potential_mv: float
    segment_length_um: float = SEGMENT_LENGTH_UM

    def mechanism_names(self) -> list[str]:
        """Every mechanism the plan inserts (besides ``pas``), sorted."""
        return sorted({m for s in self.sections.values() for m in s.mechanisms})

    def reported_mv(self, v_model_mv: float) -> float:
        """A model voltage as allensdk reports it: minus the junction potential (mV)."""
        return v_model_mv - self.junction_potential_mv


def check_simulation(spec: Mapping[str, Any], plan: FitPlan) -> None:
    """UserError unless the spec's ``simulation.v_init_mv`` and ``celsius_degc`` are the fit
    file's ``conditions`` (the spec repeats them; this catches a copy error)."""
    sim = spec["simulation"]
    for key, value in (("v_init_mv", plan.v_init_mv), ("celsius_degc", plan.celsius_degc)):
        if abs(float(sim[key]) - value) > 1e-9:
            raise UserError(f"cell {spec.get('name')}: simulation.{key} = {sim[key]} differs "
                            f"from {value} in {plan.source} (conditions); fix: set "
                            f"{key} = {value} in the cell's [simulation]")


def load(path: Path | str, family: str | None = None) -> FitPlan:
    """Read the fit file at ``path`` into a :class:`FitPlan`.

    Args:
        path: the json file.
        family: one of :data:`FAMILIES`, or None to detect it from the file's structure.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise SpecError(path, "-", "file not found", "give the path of the model's fit "
                        "json") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SpecError(path, "-", f"not valid JSON ({exc})", REFETCH) from exc
    return parse(data, path, family)


def detect_family(data: Mapping[str, Any], path: Path | str = "<fit>") -> str:
    """The family of a fit file, from its structure (see the module docstring).

    ``axon_morph`` present: ``newer_all_active``; a per-section ``passive.cm`` list:
    ``perisomatic``; otherwise ``legacy_all_active``.
    """
    if not isinstance(data, Mapping):
        raise SpecError(path, "-", "is not a json object", REFETCH)
    if "axon_morph" in data:
        return "newer_all_active"
    passive = data.get("passive")
    first = passive[0] if isinstance(passive, list) and passive else passive
    if isinstance(first, Mapping) and "cm" in first:
        return "perisomatic"
    return "legacy_all_active"


def parse(data: Any, path: Path | str = "<fit>", family: str | None = None) -> FitPlan:
    """The plan of an already-decoded fit file (``path`` is named in errors)."""
    if family is None:
        family = detect_family(data, path)
    elif family not in FAMILIES:
        raise SpecError(path, "family", f"unknown family '{family}'",
                        f"use one of {', '.join(FAMILIES)}")
    if not isinstance(data, Mapping):
        raise SpecError(path, "-", "is not a json object", REFETCH)
    passive = _unary(data, "passive", path)
    conditions = _unary(data, "conditions", path)
    fitting = _unary(data, "fitting", path)
    if family == "newer_all_active":
        _check_delete_axon(data, path)
    base = _base_passive(passive, family, path)
    section_values, mechanisms = _genome(data, path)
    sections = {}
    for name in SECTIONS:
        if name not in section_values and name not in mechanisms and name not in base["cm"]:
            continue
        values = {**{k: v for k, v in base.items() if k != "cm"},
                  **({"cm": base["cm"][name]} if name in base["cm"] else {}),
                  **section_values.get(name, {})}
        sections[name] = SectionPlan(_passive(values, name, family, path),
                                     mechanisms.get(name, {}))
    if not sections:
        raise SpecError(path, "genome", "names no section", REFETCH)
    return FitPlan(
        source=str(path), family=family, axon_rule=AXON_RULES[family], sections=sections,
        reversals=_reversals(conditions, path),
        celsius_degc=_number(conditions.get("celsius"), path, "conditions[0].celsius"),
        v_init_mv=_number(conditions.get("v_init"), path, "conditions[0].v_init"),
        junction_potential_mv=_number(fitting.get("junction_potential"), path,
                                      "fitting[0].junction_potential"))


def _unary(data: Mapping[str, Any], key: str, path: Path | str) -> Mapping[str, Any]:
    """A top-level one-item list (allensdk's "unary section"), or an object."""
    value = data.get(key)
    if value is None:
        raise SpecError(path, key, "missing", f"{REFETCH} (every Allen fit file has '{key}')")
    if isinstance(value, list):
        if len(value) != 1:
            raise SpecError(path, key, f"has {len(value)} items, not 1", REFETCH)
        value = value[0]
    if not isinstance(value, Mapping):
        raise SpecError(path, f"{key}[0]", "is not an object", REFETCH)
    return value


def _number(value: Any, path: Path | str, where: str) -> float:
    """A finite float from a json number or a numeric string (legacy genomes use strings)."""
    if value is None:
        raise SpecError(path, where, "missing", REFETCH)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise SpecError(path, where, f"is not a number ({value!r})", REFETCH)
    try:
        number = float(value)
    except ValueError as exc:
        raise SpecError(path, where, f"is not a number ({value!r})", REFETCH) from exc
    if not math.isfinite(number):
        raise SpecError(path, where, f"is not finite ({value!r})", REFETCH)
    return number


def _section(value: Any, path: Path | str, where: str) -> str:
    if value not in SECTIONS:
        raise SpecError(path, where, f"unknown section {value!r}",
                        f"use one of {', '.join(SECTIONS)}")
    return str(value)


def _check_delete_axon(data: Mapping[str, Any], path: Path | str) -> None:
    morph = _unary(data, "axon_morph", path)
    lines = morph.get("delete_axon")
    if not isinstance(lines, list) or not lines:
        raise SpecError(path, "axon_morph[0].delete_axon", "missing",
                        "the newer all-active family states its axon rule there; "
                        "choose another family")
    normal = ["".join(str(line).split()) for line in lines]
    if normal != ["".join(DELETE_AXON.split())]:
        raise SpecError(path, "axon_morph[0].delete_axon", f"unsupported axon rule {lines!r}",
                        f"only [\"{DELETE_AXON}\"] (delete the axon) is implemented")


def _base_passive(passive: Mapping[str, Any], family: str,
                  path: Path | str) -> dict[str, Any]:
    """Values every section starts from: Ra (all families), and per family e_pas and cm."""
    base: dict[str, Any] = {"Ra": _number(passive.get("ra"), path, "passive[0].ra"), "cm": {}}
    if family == "legacy_all_active":
        return base  # allensdk AllActiveUtils applies passive.ra only
    if family == "perisomatic" or "e_pas" in passive:
        base["e_pas"] = _number(passive.get("e_pas"), path, "passive[0].e_pas")
    if family == "perisomatic" or "cm" in passive:
        items = passive.get("cm")
        if not isinstance(items, list) or not items:
            raise SpecError(path, "passive[0].cm", "missing or not a list of "
                            "{section, cm}", REFETCH)
        for i, item in enumerate(items):
            where = f"passive[0].cm[{i}]"
            if not isinstance(item, Mapping):
                raise SpecError(path, where, "is not an object", REFETCH)
            section = _section(item.get("section"), path, f"{where}.section")
            base["cm"][section] = _number(item.get("cm"), path, f"{where}.cm")
    return base


def _genome(data: Mapping[str, Any], path: Path | str
            ) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, dict[str, float]]]]:
    """Section variables and mechanism parameters per section type, in file order."""
    genome = data.get("genome")
    if genome is None:
        raise SpecError(path, "genome", "missing", f"{REFETCH} (every Allen fit file has "
                        "a genome)")
    if not isinstance(genome, list) or not genome:
        raise SpecError(path, "genome", "is not a non-empty list", REFETCH)
    values: dict[str, dict[str, float]] = {}
    mechanisms: dict[str, dict[str, dict[str, float]]] = {}
    seen: set[tuple[str, str]] = set()
    for i, entry in enumerate(genome):
        where = f"genome[{i}]"
        if not isinstance(entry, Mapping):
            raise SpecError(path, where, "is not an object", REFETCH)
        section = _section(entry.get("section"), path, f"{where}.section")
        name, mech = entry.get("name"), entry.get("mechanism", "")
        if not isinstance(name, str) or not name.isidentifier():
            raise SpecError(path, f"{where}.name", f"is not a parameter name ({name!r})",
                            REFETCH)
        if not isinstance(mech, str) or (mech and not mech.isidentifier()):
            raise SpecError(path, f"{where}.mechanism", f"is not a mechanism name ({mech!r})",
                            REFETCH)
        value = _number(entry.get("value"), path, f"{where}.value")
        if (section, name) in seen:
            raise SpecError(path, f"{where}.name", f"'{name}' is given twice for section "
                            f"'{section}'", "keep one entry")
        seen.add((section, name))
        if not mech:
            if name not in PASSIVE_NAMES:
                raise SpecError(path, f"{where}.name", f"'{name}' names no mechanism and is "
                                f"not one of {', '.join(PASSIVE_NAMES)}",
                                "set mechanism to the mechanism that owns it")
            values.setdefault(section, {})[name] = value
        elif not name.endswith(f"_{mech}"):
            raise SpecError(path, f"{where}.name", f"'{name}' is not a parameter of "
                            f"mechanism '{mech}'", f"name it <parameter>_{mech}")
        else:
            mechanisms.setdefault(section, {}).setdefault(mech, {})[name] = value
    return values, mechanisms


def _passive(values: Mapping[str, float], section: str, family: str,
             path: Path | str) -> Passive:
    for name in PASSIVE_NAMES:
        if name not in values:
            raise SpecError(path, "genome", f"no '{name}' for section '{section}' "
                            f"({family.replace('_', ' ')} family)",
                            f"add {{\"section\": \"{section}\", \"name\": \"{name}\", "
                            "\"value\": ..., \"mechanism\": \"\"}")
    return Passive(cm_uf_per_cm2=values["cm"], ra_ohm_cm=values["Ra"],
                   g_pas_s_per_cm2=values["g_pas"], e_pas_mv=values["e_pas"])


def _reversals(conditions: Mapping[str, Any], path: Path | str) -> dict[str, Reversal]:
    erev = conditions.get("erev", [])
    if not isinstance(erev, list):
        raise SpecError(path, "conditions[0].erev", "is not a list of {section, ena, ek}",
                        REFETCH)
    out: dict[str, Reversal] = {}
    for i, item in enumerate(erev):
        where = f"conditions[0].erev[{i}]"
        if not isinstance(item, Mapping):
            raise SpecError(path, where, "is not an object", REFETCH)
        section = _section(item.get("section"), path, f"{where}.section")
        out[section] = Reversal(ena_mv=_number(item.get("ena"), path, f"{where}.ena"),
                                ek_mv=_number(item.get("ek"), path, f"{where}.ek"))
    return out
