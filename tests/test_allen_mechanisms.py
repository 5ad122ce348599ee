"""The ``allen`` catalogue: the ion channels named by Allen Cell Types Database fit files.

Gate steady states, time constants, conductances and trajectories are compared with the
published equations written out again here in numpy, independently of the mod files; the
parameter names of every Allen fit file in the data mirror (``$NEURODEPTH_MIRROR``; skipped
without one) must exist in the catalogue. As everywhere in the tests, NEURON
runs only in fresh worker processes started in an empty folder.

Run as a script (``python tests/test_allen_mechanisms.py``) to list every (mechanism, name)
pair the mirrored Allen fit files set, and whether the catalogue declares it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import conftest
from benchmark.simulation import mechanisms

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "benchmark" / "mod" / "allen"
DT = 0.025
FARADAY = 96485.33212  # C/mol
PERISOMATIC_FIT = "allen_mouse_486556811_perisomatic/486111903_fit.json"

SUFFIXES = ["NaV", "NaTs", "Nap", "K_P", "K_T", "Kd", "Kv2like", "Kv3_1", "Im", "Im_v2", "Ih",
            "SK", "Ca_HVA", "Ca_LVA", "CaDynamics", "NaTs2_t", "Nap_Et2", "K_Pst", "K_Tst"]
NEWER = {"NaTs2_t", "Nap_Et2", "K_Pst", "K_Tst"}  # Nandi et al. 2022 all-active versions
GATES = {"NaTs": "mh", "NaTs2_t": "mh", "Nap": ["h"], "Nap_Et2": "mh", "K_P": "mh",
         "K_T": "mh", "K_Pst": "mh", "K_Tst": "mh", "Kd": "mh", "Kv2like": ["m", "h1", "h2"],
         "Kv3_1": "m", "Im": "m", "Im_v2": "m", "Ih": "m", "Ca_HVA": "mh", "Ca_LVA": "mh"}
CHANNELS = [*GATES, "SK", "NaV"]  # everything with a gbar
NAV_STATES = ["C1", "C2", "C3", "C4", "C5", "O", "I1", "I2", "I3", "I4", "I5", "I6"]

# Q10 = 2.3 factors: reference temperature of each celsius-dependent file; the four newer
# all-active files fix the factor at 34 degC; the rest have none.
Q10_REFERENCE = {"NaTs": 23.0, "Nap": 21.0, "K_P": 21.0, "K_T": 21.0, "Im": 21.0,
                 "Kv2like": 21.0, "Ca_LVA": 21.0, "Im_v2": 30.0, "NaV": 37.0}
TEMPERATURES = [34.0, 25.0]  # the models run at 34; 25 checks the temperature factors

SINGULAR = [-154.9, -66.0, -64.4, -60.0, -40.0, -38.0, -32.0, -27.0, -17.0, 43.0]
VOLTAGES = [-110.0, -90.0, -80.0, -70.0, -50.0, -30.0, -10.0, 10.0, 30.0, 50.0, *SINGULAR]
STEPS = [(-80.0, -30.0), (-30.0, -80.0)]
CAI = [1e-9, 5e-8, 1e-4, 4.3e-4, 1e-3, 1e-2]


def qt(name: str, celsius: float) -> float:
    if name in Q10_REFERENCE:
        return 2.3 ** ((celsius - Q10_REFERENCE[name]) / 10)
    if name in NEWER:
        return 2.3 ** ((34.0 - 21.0) / 10)
    return 1.0


# --- the published equations, written out independently of the mod files ----------------


def guard(v: np.ndarray, v_half: float) -> np.ndarray:
    """The removable singularity at ``v_half`` is evaluated at ``v_half + 1e-4`` mV."""
    return np.where(np.abs(v - v_half) < 1e-6, v_half + 1e-4, v)


def vtrap(x: np.ndarray, y: float) -> np.ndarray:
    """x / (exp(x/y) - 1), the Allen form of a linear-exponential rate."""
    return x / np.expm1(x / y)


def ab(alpha: np.ndarray, beta: np.ndarray, q: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    return alpha / (alpha + beta), 1.0 / (alpha + beta) / q


def boltzmann(v: np.ndarray, v_half: float, slope: float) -> np.ndarray:
    """1 / (1 + exp(-(v - v_half)/slope)): rising with v for slope > 0."""
    return 1.0 / (1.0 + np.exp(-(v - v_half) / slope))


def colbert_pan(v: np.ndarray, vm: float, vh: float, q: float) -> dict[str, tuple]:
    x, y = guard(v, vm), guard(v, vh)
    m = ab(0.182 * vtrap(vm - x, 6.0), 0.124 * vtrap(x - vm, 6.0), q)
    h = ab(0.015 * vtrap(y - vh, 6.0), 0.015 * vtrap(vh - y, 6.0), q)
    return {"m": m, "h": h}


def magistretti_h(v: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
    a = 2.88e-6 * vtrap(guard(v, -17.0) + 17.0, 4.63)
    b = 6.94e-6 * vtrap(-(guard(v, -64.4) + 64.4), 2.63)
    return boltzmann(v, -48.8, -10.0), 1.0 / (a + b) / q


def published(name: str, v: Any, celsius: float = 34.0) -> dict[str, tuple]:
    """{gate: (inf, tau)} of channel ``name`` at membrane potentials ``v`` (mV), ``celsius``."""
    v = np.asarray(v, dtype=float)
    q = qt(name, celsius)
    if name == "NaTs":
        return colbert_pan(v, -40.0, -66.0, q)
    if name == "NaTs2_t":
        return colbert_pan(v, -32.0, -60.0, q)
    if name == "Nap":
        return {"h": magistretti_h(v, q)}
    if name == "Nap_Et2":
        tau = 6.0 * colbert_pan(v, -38.0, -38.0, q)["m"][1]
        return {"m": (boltzmann(v, -52.6, 4.6), tau), "h": magistretti_h(v, q)}
    if name == "K_P":
        m_tau = np.where(v < -50, 1.25 + 175.03 * np.exp(0.026 * v),
                         1.25 + 13.0 * np.exp(-0.026 * v))
        h_tau = 360 + (1010 + 24 * (v + 55)) * np.exp(-(((v + 75) / 48) ** 2))
        return {"m": (boltzmann(v, -14.3, 14.6), m_tau / q),
                "h": (boltzmann(v, -54.0, -11.0), h_tau / q)}
    if name == "K_T":
        m_tau = 0.34 + 0.92 * np.exp(-(((v + 71) / 59) ** 2))
        h_tau = 8 + 49 * np.exp(-(((v + 73) / 23) ** 2))
        return {"m": (boltzmann(v, -47.0, 29.0), m_tau / q),
                "h": (boltzmann(v, -66.0, -10.0), h_tau / q)}
    if name == "K_Pst":  # Korngreen & Sakmann at v + 10 mV (junction potential)
        m_tau = np.where(v < -60, 1.25 + 175.03 * np.exp(0.026 * (v + 10)),
                         1.25 + 13.0 * np.exp(-0.026 * (v + 10)))
        h_tau = 360 + (1010 + 24 * (v + 65)) * np.exp(-(((v + 85) / 48) ** 2))
        return {"m": (boltzmann(v, -11.0, 12.0), m_tau / q),
                "h": (boltzmann(v, -64.0, -11.0), h_tau / q)}
    if name == "K_Tst":
        m_tau = 0.34 + 0.92 * np.exp(-(((v + 81) / 59) ** 2))
        h_tau = 8 + 49 * np.exp(-(((v + 83) / 23) ** 2))
        return {"m": (boltzmann(v, -10.0, 19.0), m_tau / q),
                "h": (boltzmann(v, -76.0, -10.0), h_tau / q)}
    if name == "Kd":
        return {"m": (boltzmann(v, -43.0, 8.0), np.ones_like(v)),
                "h": (boltzmann(v, -67.0, -7.3), np.full_like(v, 1500.0))}
    if name == "Kv2like":
        x = guard(v, 43.0)
        a, b = 0.12 * vtrap(43.0 - x, 11.0), 0.02 * np.exp(-(x + 1.27) / 120)
        h_inf = boltzmann(v, -58.0, -11.0)
        h1 = 360 + (1010 + 23.7 * (v + 54)) * np.exp(-(((v + 75) / 48) ** 2))
        h2 = 2350 + 1380 * np.exp(-0.011 * v) - 210 * np.exp(-0.03 * v)
        return {"m": (a / (a + b), 2.5 / (a + b) / q), "h1": (h_inf, h1 / q),
                "h2": (h_inf, h2 / q)}
    if name == "Kv3_1":
        return {"m": (boltzmann(v, 18.7, 9.7), 4.0 / (1 + np.exp(-(v + 46.56) / 44.14)))}
    if name == "Im":
        return {"m": ab(3.3e-3 * np.exp(0.1 * (v + 35)), 3.3e-3 * np.exp(-0.1 * (v + 35)), q)}
    if name == "Im_v2":
        a = 0.007 * np.exp(2.4 * (v + 48) / 26.12)
        b = 0.007 * np.exp(-3.6 * (v + 48) / 26.12)
        return {"m": (a / (a + b), (15 + 1 / (a + b)) / q)}
    if name == "Ih":
        x = guard(v, -154.9)
        return {"m": ab(6.43e-3 * vtrap(x + 154.9, 11.9), 0.193 * np.exp(x / 33.1))}
    if name == "Ca_HVA":
        x = guard(v, -27.0)
        return {"m": ab(0.055 * vtrap(-27.0 - x, 3.8), 0.94 * np.exp((-75 - x) / 17)),
                "h": ab(4.57e-4 * np.exp((-13 - v) / 50), 0.0065 / (np.exp((-v - 15) / 28) + 1))}
    if name == "Ca_LVA":
        return {"m": (boltzmann(v, -40.0, 6.0), (5 + 20 / (1 + np.exp((v + 35) / 5))) / q),
                "h": (boltzmann(v, -90.0, -6.4), (20 + 50 / (1 + np.exp((v + 50) / 7))) / q)}
    raise KeyError(name)


def conductance(name: str, gate: dict[str, float], v: float) -> float:
    """Open fraction gbar-normalised, from gate values (``gate`` holds x for x in the file)."""
    m = gate.get("m", 0.0)
    h = gate.get("h", 0.0)
    return {"NaTs": m**3 * h, "NaTs2_t": m**3 * h, "Nap_Et2": m**3 * h, "K_P": m**2 * h,
            "K_Pst": m**2 * h, "K_T": m**4 * h, "K_Tst": m**4 * h, "Kd": m * h,
            "Kv2like": m**2 * (gate.get("h1", 0.0) + gate.get("h2", 0.0)) / 2,
            "Kv3_1": m, "Im": m, "Im_v2": m, "Ih": m, "Ca_HVA": m**2 * h, "Ca_LVA": m**2 * h,
            "Nap": float(boltzmann(np.array(v), -52.6, 4.6)) * h}[name]


def sk_inf(cai: np.ndarray) -> np.ndarray:
    c = np.where(cai < 1e-7, cai + 1e-7, cai)
    return 1 / (1 + (0.00043 / c) ** 4.8)


def nav_generator(v: float, celsius: float = 34.0) -> np.ndarray:
    """Transition-rate matrix Q (1/ms) of the Carter et al. 2012 scheme: dp/dt = Q.T @ p."""
    q = qt("NaV", celsius)
    a, b = q * 400 * np.exp(v / 24), q * 12 * np.exp(-v / 24)
    alfac, btfac = 2.51, 5.32
    index = {s: i for i, s in enumerate(NAV_STATES)}
    rates = np.zeros((12, 12))

    def link(x: str, y: str, forward: float, backward: float) -> None:
        rates[index[x], index[y]] = forward
        rates[index[y], index[x]] = backward

    for k in range(1, 5):  # k gates activated going from C_k to C_k+1
        link(f"C{k}", f"C{k + 1}", (5 - k) * a, k * b)
        link(f"I{k}", f"I{k + 1}", (5 - k) * a * alfac, k * b / btfac)
    for k in range(1, 6):
        link(f"C{k}", f"I{k}", q * 0.01 * alfac ** (k - 1), q * 40 / btfac ** (k - 1))
    link("C5", "O", q * 250, q * 60)
    link("I5", "I6", q * 250, q * 60)
    link("O", "I6", q * 8, q * 0.05)
    np.fill_diagonal(rates, -rates.sum(axis=1))
    return rates


def nav_equilibrium(v: float) -> np.ndarray:
    """The exact equilibrium of the scheme (NaV with exact_start = 1)."""
    system = nav_generator(v).T.copy()
    system[-1, :] = 1.0  # replace one balance by the sum = 1
    rhs = np.zeros(12)
    rhs[-1] = 1.0
    return np.linalg.solve(system, rhs)


def nav_distribution_start(v: float, celsius: float = 34.0) -> np.ndarray:
    """The initial state of the Allen distribution's NaV.mod (NaV's default, exact_start = 0):
    its INITIAL solves the balance equations (inflow = outflow) of every state but I6, and
    the sum of the states = 1, with one coefficient as that file has it: the I3 balance takes
    the inflow from I4 at the I3 -> C3 rate where the I4 -> I3 rate belongs."""
    rates = nav_generator(v, celsius)
    system = rates.T.copy()  # row s: the balance of state s
    i3, i4, c3 = (NAV_STATES.index(s) for s in ("I3", "I4", "C3"))
    system[i3, i4] = rates[i3, c3]
    system[NAV_STATES.index("I6"), :] = 1.0  # no balance of I6: the sum = 1
    rhs = np.zeros(12)
    rhs[NAV_STATES.index("I6")] = 1.0
    return np.linalg.solve(system, rhs)


# --- the Allen fit files of the mirror ------------------------------------------------------


def mirror() -> Path:
    return Path(os.environ.get("NEURODEPTH_MIRROR") or "neurodepth-mirror-not-set")


def fit_files(root: Path) -> list[Path]:
    """Every json under ``root/allen_*/`` that has a ``genome`` (the fit parameter files)."""
    found = []
    for path in sorted(root.glob("allen_*/*.json")):
        data = json.loads(path.read_text())
        if isinstance(data, dict) and "genome" in data:
            found.append(path)
    return found


def genome_pairs(paths: list[Path]) -> list[tuple[str, str]]:
    """Sorted (mechanism, name) pairs the fit files set; mechanism '' is a built-in."""
    pairs = set()
    for path in paths:
        for entry in json.loads(path.read_text())["genome"]:
            pairs.add((entry["mechanism"], entry["name"]))
    return sorted(pairs)


def declared(mechanism: str) -> dict[str, set[str]]:
    """Names the catalogue's ``mechanism.mod`` declares, by block (PARAMETER, RANGE, GLOBAL)."""
    text = (CATALOGUE / f"{mechanism}.mod").read_text().split("ENDCOMMENT", 1)[1]
    code = re.sub(r":.*", "", text)
    parameter = re.search(r"PARAMETER\s*{(.*?)}", code, re.S)
    names: dict[str, set[str]] = {"PARAMETER": set(), "RANGE": set(), "GLOBAL": set()}
    if parameter:
        names["PARAMETER"] = set(re.findall(r"^\s*(\w+)\s*=", parameter.group(1), re.M))
    for kind in ("RANGE", "GLOBAL"):
        for line in re.findall(rf"^\s*{kind}\s+(.*)$", code, re.M):
            names[kind] |= {n.strip() for n in line.split(",")}
    return names


def missing_pairs(pairs: list[tuple[str, str]]) -> list[str]:
    """Pairs whose parameter the catalogue does not declare (PARAMETER and RANGE or GLOBAL)."""
    missing = []
    for mechanism, name in pairs:
        if not mechanism:
            continue
        stem = name.removesuffix(f"_{mechanism}")
        if stem == name or not (CATALOGUE / f"{mechanism}.mod").is_file():
            missing.append(f"{mechanism}: {name}")
            continue
        names = declared(mechanism)
        if stem not in names["PARAMETER"] or stem not in names["RANGE"] | names["GLOBAL"]:
            missing.append(f"{mechanism}: {name}")
    return missing


@pytest.fixture(scope="module")
def allen_fits() -> list[Path]:
    root = mirror()
    paths = fit_files(root) if root.is_dir() else []
    if not paths:
        pytest.skip(f"no Allen fit files (allen_*/*.json with a genome) under {root}; "
                    "set NEURODEPTH_MIRROR to the cell-data mirror")
    return paths


# --- worker processes -------------------------------------------------------------------

def run_neuron(library: Path, body: str, workdir: Path, arg: Any = None) -> Any:
    return conftest.run_neuron(library, body, workdir, arg, dt_ms=DT)


@pytest.fixture(scope="module")
def compiled() -> Path:
    return mechanisms.compile_mechanisms(["allen"])


@pytest.fixture(scope="module")
def library(compiled: Path) -> Path:
    return mechanisms.library_path(compiled)


# --- the files themselves (no NEURON) -----------------------------------------------------


def test_catalogue_files_name_their_sources() -> None:
    files = mechanisms.mod_files(["allen"])
    assert sorted(p.stem for p in files) == sorted(SUFFIXES)
    readme = (CATALOGUE / "README.md").read_text()
    for path in files:
        text = path.read_text()
        assert text.startswith("COMMENT")
        assert re.search(rf"SUFFIX {re.escape(path.stem)}\n", text)
        assert "Written for NeuroDepth from the published equations" in text
        assert "Gouwens NW" in text and "Nat Commun 9:710" in text
        if path.stem in NEWER:
            assert "Nandi A" in text and "Cell" in text and "40:111176" in text
        assert "THREADSAFE" in text and "Units:" in text
        assert path.stem == "CaDynamics" or "Temperature:" in text
        assert f"| {path.stem} |" in readme
        code = re.sub(r":.*", "", text.split("ENDCOMMENT")[1])
        if path.stem in NEWER or path.stem not in Q10_REFERENCE:
            assert "celsius" not in code  # fixed at 34 degC, or no temperature factor
        else:
            assert f"celsius - {Q10_REFERENCE[path.stem]:g}" in code


def test_ions_read_and_written() -> None:
    uses = {p.stem: re.findall(r"USEION (\w+) (.*)", p.read_text())
            for p in mechanisms.mod_files(["allen"])}
    for name, ions in uses.items():
        ions = {ion: how.strip() for ion, how in ions}
        if name in ("NaV", "NaTs", "Nap", "NaTs2_t", "Nap_Et2"):
            assert ions == {"na": "READ ena WRITE ina"}
        elif name in ("Ca_HVA", "Ca_LVA"):
            assert ions == {"ca": "READ eca WRITE ica"}
        elif name == "SK":
            assert ions == {"k": "READ ek WRITE ik", "ca": "READ cai"}
        elif name == "CaDynamics":
            assert ions == {"ca": "READ ica WRITE cai"}
        elif name == "Ih":
            assert ions == {} and "NONSPECIFIC_CURRENT ihcn" in (CATALOGUE / "Ih.mod").read_text()
        else:
            assert ions == {"k": "READ ek WRITE ik"}, name


def test_genome_parameters_are_declared(allen_fits: list[Path]) -> None:
    pairs = genome_pairs(allen_fits)
    assert {m for m, _ in pairs if m} <= set(SUFFIXES)
    assert len(pairs) >= 20
    assert missing_pairs(pairs) == []


# --- NEURON ----------------------------------------------------------------------------------


@pytest.mark.neuron
def test_catalogue_compiles(compiled: Path, library: Path, tmp_path: Path) -> None:
    assert "allen" in mechanisms.known_catalogues()
    manifest = json.loads((compiled / mechanisms.MANIFEST).read_text())
    assert len(manifest["files"]) == len(SUFFIXES) and library.is_file()
    body = """
    sec = h.Section(name="all")
    for name in arg:
        sec.insert(name)
    print(json.dumps({name: bool(h.ismembrane(name, sec=sec)) for name in arg}))
    """
    assert run_neuron(library, body, tmp_path, SUFFIXES) == dict.fromkeys(SUFFIXES, True)


THREADS_SIM = """
h.celsius = 34
cells = [h.Section(name=f"cell{i}") for i in range(2)]
for sec in cells:
    for name in arg:
        sec.insert(name)
    sec(0.5).gbar_NaV = 0.05
stim = h.IClamp(cells[0](0.5))
stim.delay, stim.dur, stim.amp = 1, 5, 0.5
pc = h.ParallelContext()
out = []
for n in (1, 2):  # NEURON refuses to run a mechanism that is not thread safe on 2 threads
    pc.nthread(n)
    v = h.Vector().record(cells[0](0.5)._ref_v)
    h.finitialize(-70)
    h.continuerun(20)
    out.append(list(v))
pc.nthread(1)
print(json.dumps(out))
"""


@pytest.mark.neuron
def test_catalogue_is_thread_safe(library: Path, tmp_path: Path) -> None:
    one, two = run_neuron(library, THREADS_SIM, tmp_path, SUFFIXES)
    assert np.ptp(one) > 1.0  # the stimulus moves v
    np.testing.assert_allclose(two, one, rtol=1e-12, atol=1e-12)


GENOME_SIM = """
out = []
for fit in arg:
    cond = fit["conditions"]
    h.celsius = cond["celsius"]
    sec = h.Section(name="fit")
    sec.insert("pas")
    for name in fit["mechanisms"]:
        sec.insert(name)
    seg = sec(0.5)
    got = {}
    for mechanism, name, value in fit["genome"]:
        if name == "Ra":
            sec.Ra = value
            got[name] = sec.Ra
        else:
            setattr(seg, name, value)
            got[name] = getattr(seg, name)
    for erev in cond.get("erev", []):
        for key in ("ena", "ek"):
            setattr(seg, key, erev[key])
            got[key] = getattr(seg, key)
    passive = fit["passive"]
    sec.Ra = passive["ra"]
    got["ra"] = sec.Ra
    if "e_pas" in passive:
        seg.e_pas = passive["e_pas"]
        got["e_pas_passive"] = seg.e_pas
    h.finitialize(cond["v_init"])
    got["v_init"] = seg.v
    out.append(got)
print(json.dumps(out))
"""


@pytest.mark.neuron
def test_every_fit_file_applies_unchanged(allen_fits: list[Path], library: Path,
                                          tmp_path: Path) -> None:
    fits = []
    for path in allen_fits:
        data = json.loads(path.read_text())
        genome = [(e["mechanism"], e["name"], float(e["value"])) for e in data["genome"]]
        fits.append(dict(genome=genome, mechanisms=sorted({m for m, _, _ in genome if m}),
                         conditions=data["conditions"][0], passive=data["passive"][0]))
    out = run_neuron(library, GENOME_SIM, tmp_path, fits)
    for fit, got in zip(fits, out, strict=True):
        last = {name: value for _, name, value in fit["genome"]}  # the last value set stays
        for name, value in last.items():
            assert got[name] == pytest.approx(value, rel=1e-12), name
        assert got["ra"] == fit["passive"]["ra"]
        assert got["v_init"] == pytest.approx(fit["conditions"]["v_init"])
        erev = fit["conditions"]["erev"][-1]
        assert (got["ena"], got["ek"]) == (erev["ena"], erev["ek"])


GATE_SIM = """
sec = h.Section(name="cell")
seg = sec(0.5)
for name in arg["channels"]:
    sec.insert(name)
keys = [(n, g) for n, gates in arg["gates"].items() for g in gates]
def var(g, kind):
    return ("hInf" if g in ("h1", "h2") else g + "Inf") if kind == "inf" else g + "Tau"
out = dict(steady={}, sk=[], steps=[])
for celsius in arg["temperatures"]:
    h.celsius = celsius
    for name in arg["channels"]:
        setattr(seg, f"gbar_{name}", 1.0)  # finitialize only: v is not integrated
    for v in arg["voltages"]:
        h.finitialize(v)
        row = {f"{n}.{g}": [getattr(seg, f"{var(g, 'inf')}_{n}"),
                            getattr(seg, f"{var(g, 'tau')}_{n}"),
                            getattr(seg, f"{g}_{n}")] for n, g in keys}
        row["Nap.mInf"] = seg.mInf_Nap
        row["g"] = {n: getattr(seg, f"g_{n}") for n in arg["channels"]}
        row["nav"] = [getattr(seg, f"{s}_NaV") for s in arg["nav"]]
        row["v"] = seg.v
        h.exact_start_NaV = 1
        h.finitialize(v)
        row["nav_exact"] = [getattr(seg, f"{s}_NaV") for s in arg["nav"]]
        h.exact_start_NaV = 0
        out["steady"][f"{celsius:g}/{v:g}"] = row
h.celsius = 34
for name in arg["channels"]:
    setattr(seg, f"gbar_{name}", 0.0)  # no current: v stays where it is put
for c in arg["cai"]:
    seg.cai = c  # no mechanism here writes cai: it keeps the value set
    h.finitialize(-65)
    out["sk"].append([seg.cai, seg.zInf_SK, seg.z_SK])
for v1, v2 in arg["steps"]:
    recs = {f"{n}.{g}": h.Vector().record(getattr(seg, f"_ref_{g}_{n}")) for n, g in keys}
    recs["SK.z"] = h.Vector().record(seg._ref_z_SK)
    for s in arg["nav"]:
        recs[f"NaV.{s}"] = h.Vector().record(getattr(seg, f"_ref_{s}_NaV"))
    seg.cai = 5e-5
    h.finitialize(v1)
    seg.v, seg.cai = v2, 1e-3
    h.continuerun(2000)
    idx = np.unique(np.geomspace(1, len(recs["SK.z"]) - 1, 80).astype(int))
    out["steps"].append(dict(v=seg.v, idx=idx.tolist(),
                             rec={k: np.array(r)[idx].tolist() for k, r in recs.items()}))
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def gate_data(library: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    arg = dict(channels=CHANNELS, gates={n: list(g) for n, g in GATES.items()}, nav=NAV_STATES,
               voltages=VOLTAGES, temperatures=TEMPERATURES, cai=CAI, steps=STEPS)
    return run_neuron(library, GATE_SIM, tmp_path_factory.mktemp("gates"), arg)


def steady_rows(gate_data: dict[str, Any], celsius: float) -> list[dict[str, Any]]:
    return [gate_data["steady"][f"{celsius:g}/{v:g}"] for v in VOLTAGES]


@pytest.mark.neuron
@pytest.mark.parametrize("celsius", TEMPERATURES)
@pytest.mark.parametrize("name", sorted(GATES))
def test_steady_state_and_time_constant(name: str, celsius: float,
                                        gate_data: dict[str, Any]) -> None:
    rows = steady_rows(gate_data, celsius)
    assert [r["v"] for r in rows] == pytest.approx(VOLTAGES, abs=1e-9)
    expected = published(name, np.array(VOLTAGES), celsius)
    assert set(expected) == set(GATES[name])
    for gate, (inf, tau) in expected.items():
        got = np.array([r[f"{name}.{gate}"] for r in rows])
        np.testing.assert_allclose(got[:, 0], inf, rtol=1e-6, atol=1e-300)
        np.testing.assert_allclose(got[:, 1], tau, rtol=1e-6)
        np.testing.assert_allclose(got[:, 2], got[:, 0], rtol=1e-12, atol=1e-300)  # x = xInf
        assert np.all(np.isfinite(got))
        usable = np.array(VOLTAGES) > -118 if (name, gate) == ("Kv2like", "h2") else True
        assert np.all(got[:, 1][usable] > 0)
        for vs in SINGULAR:  # the guarded singular points lie on the continuous curve
            near = published(name, np.array([vs - 0.01, vs + 0.01]), celsius)[gate]
            at = rows[VOLTAGES.index(vs)][f"{name}.{gate}"]
            for k in (0, 1):
                assert at[k] == pytest.approx(near[k].mean(), rel=1e-3, abs=1e-12)
    if name == "Nap":  # instantaneous activation
        m_inf = np.array([r["Nap.mInf"] for r in rows])
        np.testing.assert_allclose(m_inf, boltzmann(np.array(VOLTAGES), -52.6, 4.6), rtol=1e-9)


@pytest.mark.neuron
@pytest.mark.parametrize("name", sorted(GATES))
def test_conductance_is_the_published_product(name: str, gate_data: dict[str, Any]) -> None:
    for v, row in zip(VOLTAGES, steady_rows(gate_data, 34.0), strict=True):
        gates = {g: row[f"{name}.{g}"][2] for g in GATES[name]}
        assert row["g"][name] == pytest.approx(conductance(name, gates, v), rel=1e-9, abs=1e-300)


@pytest.mark.neuron
def test_temperature_factors(gate_data: dict[str, Any]) -> None:
    warm, cool = steady_rows(gate_data, 34.0), steady_rows(gate_data, 25.0)
    for name, gates in GATES.items():
        ratio = warm[1][f"{name}.{gates[0]}"][1] / cool[1][f"{name}.{gates[0]}"][1]
        assert ratio == pytest.approx(qt(name, 25.0) / qt(name, 34.0), rel=1e-9), name
    assert qt("NaTs", 34.0) == pytest.approx(2.3**1.1)
    assert qt("Im_v2", 34.0) == pytest.approx(2.3**0.4)


@pytest.mark.neuron
@pytest.mark.parametrize("name", sorted(GATES))
def test_gate_relaxes_with_published_time_constant(name: str, gate_data: dict[str, Any]) -> None:
    conftest.assert_gates_relax(name, GATES[name], STEPS, gate_data["steps"], published, DT,
                                rtol=1e-6, atol_fraction=1e-9)


@pytest.mark.neuron
def test_nav_markov_scheme(gate_data: dict[str, Any]) -> None:
    """finitialize sets the Allen distribution's initial state (default), or the exact
    equilibrium with exact_start = 1; every coefficient of either carries qt, so neither
    depends on the temperature."""
    for celsius in TEMPERATURES:
        for v, row in zip(VOLTAGES, steady_rows(gate_data, celsius), strict=True):
            p, exact = np.array(row["nav"]), np.array(row["nav_exact"])
            assert p.sum() == pytest.approx(1.0, abs=1e-12)
            assert exact.sum() == pytest.approx(1.0, abs=1e-12)
            assert np.all(p > 0) and np.all(exact > 0)
            np.testing.assert_allclose(p, nav_distribution_start(v, celsius), rtol=1e-6,
                                       atol=1e-15)
            np.testing.assert_allclose(exact, nav_equilibrium(v), rtol=1e-6, atol=1e-15)
            assert row["g"]["NaV"] == pytest.approx(p[NAV_STATES.index("O")], rel=1e-12)
    open_at = {v: nav_equilibrium(v)[5] for v in (-90.0, -60.0, -40.0)}
    assert open_at[-90.0] < 1e-5 < open_at[-60.0] < open_at[-40.0]  # activates with v
    # the numbers of NaV.mod's header: the distribution's start is off equilibrium, at
    # -90 mV more open, at -59 mV (the H16 cell's v_init) far more inactivated
    o, i6 = NAV_STATES.index("O"), NAV_STATES.index("I6")
    start, equilibrium = nav_distribution_start(-90.0), nav_equilibrium(-90.0)
    assert (start[o], equilibrium[o]) == (pytest.approx(1.08e-5, rel=0.01),
                                          pytest.approx(3.92e-7, rel=0.01))
    start, equilibrium = nav_distribution_start(-59.0), nav_equilibrium(-59.0)
    assert (start[i6], equilibrium[i6]) == (pytest.approx(0.378, rel=0.01),
                                            pytest.approx(0.0977, rel=0.01))
    assert (start[:o + 1].sum(), equilibrium[:o + 1].sum()) == (pytest.approx(0.497, rel=0.01),
                                                                pytest.approx(0.835, rel=0.01))
    for (_, v2), step in zip(STEPS, gate_data["steps"], strict=True):
        states = np.array([step["rec"][f"NaV.{s}"] for s in NAV_STATES])
        np.testing.assert_allclose(states.sum(axis=0), 1.0, atol=1e-10)
        assert np.all(states > -1e-12)
        np.testing.assert_allclose(states[:, -1], nav_equilibrium(v2), rtol=1e-6, atol=1e-12)
    # after the step to -30 mV the channel opens, then inactivates
    opened = np.array(gate_data["steps"][0]["rec"]["NaV.O"])
    assert opened.max() > 10 * opened[-1]


# --- NaV's block-tridiagonal backward Euler against NEURON's METHOD sparse ---------------------
# tests/data/nav_kinetic/NaV_kinetic.mod is NaV as a KINETIC block solved by `METHOD sparse` (the
# form NaV.mod had before its hand-written solver), with NaV's INITIAL: both start from the same
# states (the Allen distribution's, by default). Both take the same backward Euler step, so
# they differ by rounding only, and v, ina and the states must agree to rounding. States are
# compared relatively wherever they differ by more than NAV_STATE_ATOL: METHOD sparse's CONSERVE
# row computes I6 as 1 - (the others), with absolute errors ~2e-16 on an I6 down to ~1e-8.
# Measured (NEURON 9.0.2, x86_64), largest over the cases, against the tolerances below:
#   clamps: |dv| 1.7e-10 mV, |d ina| 2.8e-12 of the peak |ina|, states 1.9e-11 relative;
#   spikes: |dv| 5.4e-9 mV, |d ina| 9.9e-11, states 1.0e-9 (spike trains amplify rounding).
# Changing any one parameter of the reference by a factor 1 + 1e-6 moves the states under the
# clamp by 9e-7 .. 3e-5 relative: over 100 times the tolerance.

NAV_KINETIC = REPO / "tests" / "data" / "nav_kinetic"
NAV_GLOBALS = ["Con", "Coff", "Oon", "Ooff", "alpha", "beta", "gamma", "delta", "alfac",
               "btfac", "x1", "x2"]
NAV_CLAMP_STEPS = [-60.0, -40.0, -20.0, 0.0, 20.0, 40.0]  # from -90 mV, for 10 ms, then back
NAV_TEMPERATURES = [6.3, 34.0]
NAV_GEOMETRIES = [1, 25]  # nseg: one 20 x 20 um compartment; a 500 x 2 um cable
NAV_STATE_ATOL = 1e-15  # the states sum to 1: rounding of the sum
NAV_TOLERANCE = {  # dv (mV); dina (of the peak |ina|); dstate (relative, beyond NAV_STATE_ATOL)
    "clamp": dict(dv=1e-9, dina=1e-10, dstate=1e-9),
    "spikes": dict(dv=1e-8, dina=1e-9, dstate=3e-9),
}
NAV_PERTURBATION = 1e-6

NAV_SOLVER_SIM = """
STATES = arg["states"]


def build(name, case):
    sec = h.Section(name=name)
    sec.nseg = case["nseg"]
    sec.L, sec.diam = (20.0, 20.0) if case["nseg"] == 1 else (500.0, 2.0)
    sec.Ra = 150.0
    for mech in ("pas", name, "Kv3_1"):  # Kv3_1 repolarises the spikes
        sec.insert(mech)
    for seg in sec:
        seg.e_pas, seg.g_pas = -80.0, 1e-4
        setattr(seg, f"gbar_{name}", 0.05)
        seg.gbar_Kv3_1 = case["gk"]
        seg.ena, seg.ek = 53.0, -107.0
    if case["kind"] != "spikes":  # a voltage clamp
        stim = h.SEClamp(sec(0.5))
        stim.rs = 1e-3
        stim.dur1, stim.amp1 = 5.0, -90.0
        stim.dur2, stim.amp2 = 10.0, case["step"]
        stim.dur3, stim.amp3 = 10.0, -90.0
    else:
        stim = h.IClamp(sec(0.5))
        stim.delay, stim.dur, stim.amp = 5.0, case["dur"] - 10.0, case["amp"]
    recs = []
    for seg in sec:
        rec = {s: h.Vector().record(getattr(seg, f"_ref_{s}_{name}")) for s in STATES}
        rec["v"] = h.Vector().record(seg._ref_v)
        rec["ina"] = h.Vector().record(seg._ref_ina)
        recs.append(rec)
    return sec, stim, recs


def arrays(recs):  # {variable: (segment, time)}
    return {key: np.array([np.array(rec[key]) for rec in recs]) for key in recs[0]}


out = []
for case in arg["cases"]:
    h.celsius = case["celsius"]
    defaults = {}
    for name, factor in case["scale"].items():  # change one parameter of the reference only
        key = f"{name}_NaV_kinetic"
        defaults[key] = getattr(h, key)
        setattr(h, key, defaults[key] * factor)
    fast, ref = build("NaV", case), build("NaV_kinetic", case)
    h.finitialize(case["v_init"])
    h.continuerun(case["dur"])
    for key, value in defaults.items():
        setattr(h, key, value)
    a, b = arrays(fast[2]), arrays(ref[2])
    xa, xb = np.array([a[s] for s in STATES]), np.array([b[s] for s in STATES])
    v = a["v"][case["nseg"] // 2]  # where the stimulus is
    row = dict(dv=np.abs(a["v"] - b["v"]).max(),
               dina=np.abs(a["ina"] - b["ina"]).max() / np.abs(b["ina"]).max(),
               dstate=np.max(np.where(np.abs(xa - xb) > arg["atol"],
                                      np.abs(xa - xb) / np.abs(xb), 0.0)),
               sum=np.abs(xa.sum(axis=0) - 1).max(),
               moved=np.ptp(xa, axis=2).max(),
               spikes=int(np.sum((v[:-1] < 0) & (v[1:] >= 0))), vmax=v.max(),
               v=v[::40].tolist())
    if case.get("trace"):  # one compartment: v and the states of NaV at every step
        row["trace"] = dict(v=a["v"][0].tolist(), states=xa[:, 0].tolist())
    out.append({k: (float(x) if isinstance(x, np.floating) else x) for k, x in row.items()})
print(json.dumps(out))
"""


def nav_cases() -> list[dict[str, Any]]:
    cases = []
    for celsius in NAV_TEMPERATURES:
        for nseg in NAV_GEOMETRIES:
            for step in NAV_CLAMP_STEPS:
                cases.append(dict(kind="clamp", celsius=celsius, nseg=nseg, step=step, gk=0.05,
                                  v_init=-90.0, dur=25.0, scale={},
                                  trace=(celsius, nseg, step) == (34.0, 1, 0.0)))
            cases.append(dict(kind="spikes", celsius=celsius, nseg=nseg, gk=0.1, v_init=-80.0,
                              amp=0.2 if nseg == 1 else 0.1, dur=100.0, scale={}))
    for name in NAV_GLOBALS:  # the same clamp with one reference parameter changed a little
        cases.append(dict(kind="changed", celsius=34.0, nseg=1, step=-20.0, gk=0.05,
                          v_init=-90.0, dur=25.0, scale={name: 1 + NAV_PERTURBATION}))
    return cases


@pytest.fixture(scope="module")
def nav_solver_data(tmp_path_factory: pytest.TempPathFactory
                    ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    reference = mechanisms.library_path(mechanisms.compile_mechanisms(["allen", NAV_KINETIC]))
    cases = nav_cases()
    arg = dict(states=NAV_STATES, cases=cases, atol=NAV_STATE_ATOL)
    out = run_neuron(reference, NAV_SOLVER_SIM, tmp_path_factory.mktemp("nav-solver"), arg)
    return list(zip(cases, out, strict=True))


@pytest.mark.neuron
@pytest.mark.parametrize("kind", ["clamp", "spikes"])
def test_nav_block_solver_matches_kinetic_scheme(
        kind: str, nav_solver_data: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    rows = [(case, row) for case, row in nav_solver_data if case["kind"] == kind]
    assert len(rows) == len(NAV_TEMPERATURES) * len(NAV_GEOMETRIES) * (
        len(NAV_CLAMP_STEPS) if kind == "clamp" else 1)
    for case, row in rows:
        label = f"{kind} {case.get('step', '')}, {case['celsius']} degC, nseg {case['nseg']}"
        for key, tolerance in NAV_TOLERANCE[kind].items():
            assert row[key] < tolerance, f"{label}: {key} {row[key]:.2g}"
        assert row["sum"] < 1e-12, label  # backward Euler conserves the sum of the states
        assert row["moved"] > 0.1, label  # the channel opens or inactivates
        v = np.array(row["v"])  # every 1 ms where the stimulus is
        if kind == "clamp" and case["nseg"] == 1:
            assert v[10] == pytest.approx(case["step"], abs=0.5), label
        if kind == "spikes":  # fires and repolarises
            assert row["spikes"] >= 3, label
            assert row["vmax"] > 20.0 and v[-1] < -60.0, label


@pytest.mark.neuron
def test_nav_block_solver_comparison_detects_a_changed_rate(
        nav_solver_data: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    changed = {next(iter(case["scale"])): row for case, row in nav_solver_data
               if case["kind"] == "changed"}
    assert sorted(changed) == sorted(NAV_GLOBALS)
    for name, row in changed.items():  # any parameter off by 1e-6 fails the comparison
        assert row["dstate"] > 100 * NAV_TOLERANCE["clamp"]["dstate"], name


@pytest.mark.neuron
def test_nav_block_solver_is_backward_euler(
        nav_solver_data: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """Independent of NEURON's solvers: (I - dt Q(v).T) p(t + dt) = p(t) in numpy, with the
    v that nrn_state sees in that step (the one recorded at t + dt). Every state, however
    small, to rounding: the block solver is subtraction-free."""
    [(case, row)] = [(c, r) for c, r in nav_solver_data if c.get("trace")]
    v, got = np.array(row["trace"]["v"]), np.array(row["trace"]["states"]).T
    p = got[0].copy()  # the start (default: the Allen distribution's)
    np.testing.assert_allclose(p, nav_distribution_start(v[0], case["celsius"]), rtol=1e-9,
                               atol=1e-15)
    expected = [p]
    for vk in v[1:]:
        p = np.linalg.solve(np.eye(12) - DT * nav_generator(vk, case["celsius"]).T, p)
        expected.append(p)
    expected = np.array(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-11, atol=0)  # measured: 1.2e-13


@pytest.mark.neuron
def test_sk_follows_calcium(gate_data: dict[str, Any]) -> None:
    cai, z_inf, z = np.array(gate_data["sk"]).T
    np.testing.assert_allclose(cai, CAI, rtol=1e-12)
    np.testing.assert_allclose(z_inf, sk_inf(cai), rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(z, z_inf, rtol=1e-12)
    assert sk_inf(np.array([4.3e-4]))[0] == pytest.approx(0.5)
    for step in gate_data["steps"]:  # cai 5e-5 -> 1e-3 mM at t = 0, zTau = 1 ms
        t = np.array(step["idx"]) * DT
        z0, z1 = sk_inf(np.array([5e-5, 1e-3]))
        np.testing.assert_allclose(step["rec"]["SK.z"], z1 + (z0 - z1) * np.exp(-t / 1.0),
                                   rtol=1e-9)


CALCIUM_SIM = """
h.celsius = 34
out = {}
free = h.Section(name="free")  # CaDynamics only: ica = 0, cai decays to minCai
free.insert("CaDynamics")
seg = free(0.5)
seg.decay_CaDynamics, seg.minCai_CaDynamics = arg["decay"], arg["min"]
cai = h.Vector().record(seg._ref_cai)
h.finitialize(-65)
out["initial"] = seg.cai
seg.cai = arg["c0"]
h.continuerun(300)
out["decay"] = list(cai)[1:]  # from t = dt on (index 0 was recorded before cai was set)
soma = h.Section(name="soma")
soma.L = soma.diam = 20
soma.insert("Ca_HVA")
soma.insert("CaDynamics")
h.ion_style("ca_ion", 3, 2, 0, 0, 1, sec=soma)  # cai a state, eca a fixed number
seg = soma(0.5)
seg.eca = 120.0
out["defaults"] = [seg.gamma_CaDynamics, seg.decay_CaDynamics, seg.depth_CaDynamics,
                   seg.minCai_CaDynamics]
seg.gbar_Ca_HVA, seg.gamma_CaDynamics = 1e-3, arg["gamma"]
clamp = h.SEClamp(seg)
clamp.dur1, clamp.amp1, clamp.rs = 1e9, -10.0, 1e-3
ica = h.Vector().record(seg._ref_ica)
cai = h.Vector().record(seg._ref_cai)
h.finitialize(-10)
h.continuerun(1000)
out["rise"] = dict(ica=list(ica), cai=list(cai), eca=seg.eca)
print(json.dumps(out))
"""


@pytest.mark.neuron
def test_calcium_buffer_decay_and_rise(library: Path, tmp_path: Path) -> None:
    arg = dict(decay=37.5, min=2e-4, c0=3e-3, gamma=0.02)
    out = run_neuron(library, CALCIUM_SIM, tmp_path, arg)
    assert out["initial"] == pytest.approx(arg["min"], rel=1e-12)  # INITIAL: cai = minCai
    cai = np.array(out["decay"])
    t = np.arange(1, len(cai) + 1) * DT
    expected = arg["min"] + (arg["c0"] - arg["min"]) * np.exp(-t / arg["decay"])
    np.testing.assert_allclose(cai, expected, rtol=1e-9)
    gamma, decay, depth, min_cai = out["defaults"]
    assert (gamma, decay, depth, min_cai) == (0.05, 80.0, 0.1, 1e-4)  # published defaults
    rise = out["rise"]
    ica, cai = np.array(rise["ica"]), np.array(rise["cai"])
    assert rise["eca"] == 120.0 and ica.max() < -1e-3  # steady inward current under the clamp
    np.testing.assert_allclose(ica, ica.mean(), rtol=1e-5)
    # dcai/dt = -1e4 gamma ica / (2 F depth) - (cai - minCai)/decay, with a constant ica:
    target = min_cai - decay * 1e4 * arg["gamma"] * ica.mean() / (2 * FARADAY * depth)
    t = np.arange(len(cai)) * DT
    expected = target + (min_cai - target) * np.exp(-t / decay)
    np.testing.assert_allclose(cai, expected, rtol=1e-4)
    assert cai[-1] > 10 * min_cai


FIRING_SIM = """
fit = arg["fit"]
cond = fit["conditions"][0]
h.celsius = cond["celsius"]
soma = h.Section(name="soma")
soma.L = soma.diam = 20
soma.insert("pas")
seg = soma(0.5)
for entry in fit["genome"]:
    if entry["section"] != "soma":
        continue
    if entry["mechanism"]:
        soma.insert(entry["mechanism"])
    setattr(seg, entry["name"], float(entry["value"]))
passive = fit["passive"][0]
soma.Ra = passive["ra"]
seg.cm = [c["cm"] for c in passive["cm"] if c["section"] == "soma"][0]
seg.e_pas = passive["e_pas"]
erev = [e for e in cond["erev"] if e["section"] == "soma"][0]
seg.ena, seg.ek = erev["ena"], erev["ek"]
stim = h.IClamp(seg)
stim.delay, stim.dur = 100, 400
v = h.Vector().record(seg._ref_v)
out = {"mechanisms": sorted(n for n in arg["suffixes"] if h.ismembrane(n, sec=soma))}
for amp in arg["amps"]:
    stim.amp = amp
    h.finitialize(cond["v_init"])
    h.continuerun(600)
    out[str(amp)] = list(v)
print(json.dumps(out))
"""


@pytest.mark.neuron
def test_perisomatic_soma_fires_for_current_step_and_rests_without(
        allen_fits: list[Path], library: Path, tmp_path: Path) -> None:
    path = mirror() / PERISOMATIC_FIT
    if path not in allen_fits:
        pytest.skip(f"{PERISOMATIC_FIT} is not in the mirror {mirror()}")
    fit = json.loads(path.read_text())
    amps = [0.0, 0.3, 0.4, 0.5]
    out = run_neuron(library, FIRING_SIM, tmp_path, dict(fit=fit, amps=amps, suffixes=SUFFIXES))
    assert out["mechanisms"] == sorted(["NaTs", "Nap", "K_P", "K_T", "SK", "Kv3_1", "Ca_HVA",
                                        "Ca_LVA", "CaDynamics", "Ih", "Im"])
    rest = np.array(out["0.0"])
    t = np.arange(len(rest)) * DT
    assert rest[t > 50].min() > -90 and rest[t > 50].max() < -60  # rests, no spike
    assert np.ptp(rest[t > 300]) < 0.5
    counts = []
    for amp in amps[1:]:
        trace = np.array(out[str(amp)])
        up = np.flatnonzero((trace[:-1] < 0) & (trace[1:] >= 0))
        assert len(up) >= 2 and trace.max() > 20.0, amp  # action potentials overshoot 0 mV
        assert np.all((t[up] > 100) & (t[up] < 501))  # only during the step
        assert -90 < trace[(t > 50) & (t < 100)].mean() < -60
        counts.append(len(up))
    assert counts == sorted(counts)  # more current, no fewer spikes


if __name__ == "__main__":
    root = mirror()
    paths = fit_files(root) if root.is_dir() else []
    print(f"{len(paths)} Allen fit files under {root}")
    pairs = genome_pairs(paths)
    absent = set(missing_pairs(pairs))
    for mechanism, name in pairs:
        status = "built-in" if not mechanism else (
            "MISSING" if f"{mechanism}: {name}" in absent else "ok")
        print(f"{mechanism or '-':12s} {name:20s} {status}")
    sys.exit(1 if absent else 0)
