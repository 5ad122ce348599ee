"""The ``hay2011`` catalogue: Hay et al. (2011) L5 pyramidal cell channels and calcium buffer.

Gate steady states, time constants and trajectories are compared with the published equations
written out again here in numpy, independently of the mod files. As everywhere in the tests,
NEURON runs only in fresh worker processes started in an empty folder.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import conftest
from benchmark.simulation import mechanisms

REPO = Path(__file__).resolve().parents[1]
DT = 0.025
QT = 2.3 ** ((34 - 21) / 10)  # published Q10 factor, fixed at 34 degC
FARADAY = 96485.33212  # C/mol
GATES = {"NaTa_t": "mh", "NaTs2_t": "mh", "Nap_Et2": "mh", "K_Pst": "mh", "K_Tst": "mh",
         "SKv3_1": "m", "Ca_HVA": "mh", "Ca_LVAst": "mh", "Ih": "m", "Im": "m"}
CURRENT = {"NaTa_t": "ina", "NaTs2_t": "ina", "Nap_Et2": "ina", "Ca_HVA": "ica",
           "Ca_LVAst": "ica", "Ih": "ihcn"}  # the others: ik
SINGULAR = [-154.9, -66.0, -64.4, -60.0, -38.0, -32.0, -27.0, -17.0]
VOLTAGES = [-90.0, -70.0, -50.0, -30.0, -10.0, 10.0, *SINGULAR]
STEPS = [(-80.0, -30.0), (-30.0, -80.0)]
CAI = [1e-9, 5e-8, 1e-4, 4.3e-4, 1e-3, 1e-2]


# --- the published equations, written out independently of the mod files ----------------


def guard(v: np.ndarray, v_half: float) -> np.ndarray:
    return np.where(np.abs(v - v_half) < 1e-6, v_half + 1e-4, v)


def ab(alpha: np.ndarray, beta: np.ndarray, q: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    return alpha / (alpha + beta), 1.0 / (alpha + beta) / q


def colbert_pan_m(v: np.ndarray, vh: float) -> tuple[np.ndarray, np.ndarray]:
    x = guard(v, vh)
    return (0.182 * (x - vh) / (1 - np.exp(-(x - vh) / 6)),
            0.124 * (vh - x) / (1 - np.exp(-(vh - x) / 6)))


def colbert_pan_h(v: np.ndarray, vh: float) -> tuple[np.ndarray, np.ndarray]:
    x = guard(v, vh)
    return (-0.015 * (x - vh) / (1 - np.exp((x - vh) / 6)),
            -0.015 * (vh - x) / (1 - np.exp((vh - x) / 6)))


def published(name: str, v: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{gate: (inf, tau)} of channel ``name`` at membrane potentials ``v`` (mV)."""
    v = np.asarray(v, dtype=float)
    if name in ("NaTa_t", "NaTs2_t"):
        vm, vh = (-38.0, -66.0) if name == "NaTa_t" else (-32.0, -60.0)
        return {"m": ab(*colbert_pan_m(v, vm), QT), "h": ab(*colbert_pan_h(v, vh), QT)}
    if name == "Nap_Et2":
        a, b = colbert_pan_m(v, -38.0)
        x, y = guard(v, -17.0), guard(v, -64.4)
        ha = -2.88e-6 * (x + 17) / (1 - np.exp((x + 17) / 4.63))
        hb = 6.94e-6 * (y + 64.4) / (1 - np.exp(-(y + 64.4) / 2.63))
        return {"m": (1 / (1 + np.exp((v + 52.6) / -4.6)), 6 / (a + b) / QT),
                "h": (1 / (1 + np.exp((v + 48.8) / 10)), 1 / (ha + hb) / QT)}
    if name == "K_Pst":  # Korngreen & Sakmann written out with the -10 mV shift
        m_tau = np.where(v < -60, 1.25 + 175.03 * np.exp(0.026 * (v + 10)),
                         1.25 + 13 * np.exp(-0.026 * (v + 10)))
        h_tau = 360 + (1010 + 24 * (v + 65)) * np.exp(-(((v + 85) / 48) ** 2))
        return {"m": (1 / (1 + np.exp(-(v + 11) / 12)), m_tau / QT),
                "h": (1 / (1 + np.exp((v + 64) / 11)), h_tau / QT)}
    if name == "K_Tst":
        return {"m": (1 / (1 + np.exp(-(v + 10) / 19)),
                      (0.34 + 0.92 * np.exp(-(((v + 81) / 59) ** 2))) / QT),
                "h": (1 / (1 + np.exp((v + 76) / 10)),
                      (8 + 49 * np.exp(-(((v + 83) / 23) ** 2))) / QT)}
    if name == "SKv3_1":
        return {"m": (1 / (1 + np.exp((v - 18.7) / -9.7)),
                      0.2 * 20 / (1 + np.exp((v + 46.56) / -44.14)))}
    if name == "Ca_HVA":
        x = guard(v, -27.0)
        return {"m": ab(0.055 * (-27 - x) / (np.exp((-27 - x) / 3.8) - 1),
                        0.94 * np.exp((-75 - x) / 17)),
                "h": ab(0.000457 * np.exp((-13 - v) / 50), 0.0065 / (np.exp((-v - 15) / 28) + 1))}
    if name == "Ca_LVAst":
        return {"m": (1 / (1 + np.exp((v + 40) / -6)), (5 + 20 / (1 + np.exp((v + 35) / 5))) / QT),
                "h": (1 / (1 + np.exp((v + 90) / 6.4)),
                      (20 + 50 / (1 + np.exp((v + 50) / 7))) / QT)}
    if name == "Ih":
        x = guard(v, -154.9)
        return {"m": ab(0.00643 * (x + 154.9) / (np.exp((x + 154.9) / 11.9) - 1),
                        0.193 * np.exp(x / 33.1))}
    if name == "Im":
        return {"m": ab(3.3e-3 * np.exp(0.1 * (v + 35)), 3.3e-3 * np.exp(-0.1 * (v + 35)), QT)}
    raise KeyError(name)


def sk_inf(cai: np.ndarray) -> np.ndarray:
    c = np.where(cai < 1e-7, cai + 1e-7, cai)
    return 1 / (1 + (0.00043 / c) ** 4.8)


# --- worker processes -------------------------------------------------------------------

def run_neuron(library: Path, body: str, workdir: Path, arg: Any = None) -> Any:
    return conftest.run_neuron(library, body, workdir, arg, dt_ms=DT)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mechanisms.compile_mechanisms(["hay2011"], cache=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def library(compiled: Path) -> Path:
    return mechanisms.library_path(compiled)


def test_catalogue_files_name_their_sources() -> None:
    files = mechanisms.mod_files(["hay2011"])
    assert {p.stem for p in files} == {*GATES, "SK_E2", "CaDynamics_E2"}
    for path in files:
        text = path.read_text()
        assert text.startswith("COMMENT")
        assert re.search(rf"SUFFIX {re.escape(path.stem)}\n", text)
        assert "Hay E, Hill S, Schuermann F, Markram H, Segev I (2011) PLoS Comput Biol" in text
        assert "Written for NeuroDepth from the published equations" in text
        assert "THREADSAFE" in text
        if path.stem != "CaDynamics_E2":
            current = CURRENT.get(path.stem, "ik")
            assert re.search(rf"RANGE g{path.stem}bar, g{path.stem}, {current}\b", text)
            code = re.sub(r":.*", "", text.split("ENDCOMMENT")[1])
            assert "celsius" not in code  # the Q10 factor is fixed at 34 degC


@pytest.mark.neuron
def test_catalogue_compiles(compiled: Path, library: Path) -> None:
    assert "hay2011" in mechanisms.known_catalogues()
    manifest = json.loads((compiled / mechanisms.MANIFEST).read_text())
    assert len(manifest["files"]) == 12 and library.is_file()


GATE_SIM = """
h.celsius = 6.3  # must not matter: Q10 factors are fixed at 34 degC
sec = h.Section(name="cell")
seg = sec(0.5)
for name in [*arg["gates"], "SK_E2"]:
    sec.insert(name)
    setattr(seg, f"g{name}bar_{name}", 0.0)  # no current: v stays where it is put
keys = [(n, g) for n, gates in arg["gates"].items() for g in gates]
out = dict(steady={}, sk=[], steps=[])
for v in arg["voltages"]:
    h.finitialize(v)
    out["steady"][str(v)] = {f"{n}.{g}": [getattr(seg, f"{g}{s}_{n}") for s in ("Inf", "Tau", "")]
                             for n, g in keys}
for c in arg["cai"]:
    seg.cai = c  # no mechanism here writes cai: it keeps the value set
    h.finitialize(-65)
    out["sk"].append([seg.cai, seg.zInf_SK_E2, seg.z_SK_E2])
for v1, v2 in arg["steps"]:
    recs = {f"{n}.{g}": h.Vector().record(getattr(seg, f"_ref_{g}_{n}")) for n, g in keys}
    recs["SK_E2.z"] = h.Vector().record(seg._ref_z_SK_E2)
    seg.cai = 5e-5
    h.finitialize(v1)
    seg.v, seg.cai = v2, 1e-3
    h.continuerun(2000)
    idx = np.unique(np.geomspace(1, len(recs["SK_E2.z"]) - 1, 80).astype(int))
    out["steps"].append(dict(v=seg.v, idx=idx.tolist(),
                             rec={k: np.array(r)[idx].tolist() for k, r in recs.items()}))
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def gate_data(library: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    arg = dict(gates=GATES, voltages=VOLTAGES, cai=CAI, steps=STEPS)
    return run_neuron(library, GATE_SIM, tmp_path_factory.mktemp("gates"), arg)


@pytest.mark.neuron
@pytest.mark.parametrize("name", sorted(GATES))
def test_steady_state_and_time_constant(name: str, gate_data: dict[str, Any]) -> None:
    expected = published(name, np.array(VOLTAGES))
    for gate, (inf, tau) in expected.items():
        got = np.array([gate_data["steady"][str(v)][f"{name}.{gate}"] for v in VOLTAGES])
        np.testing.assert_allclose(got[:, 0], inf, rtol=1e-9, atol=1e-300)
        np.testing.assert_allclose(got[:, 1], tau, rtol=1e-9)
        np.testing.assert_allclose(got[:, 2], inf, rtol=1e-9, atol=1e-300)  # INITIAL: x = xInf
        assert np.all(np.isfinite(got)) and np.all(got[:, 1] > 0)
        # the guarded singular points lie on the continuous curve
        for vs in [s for s in SINGULAR if s in VOLTAGES]:
            near = published(name, np.array([vs - 0.01, vs + 0.01]))[gate]
            at = gate_data["steady"][str(vs)][f"{name}.{gate}"]
            for k in (0, 1):
                assert at[k] == pytest.approx(near[k].mean(), rel=1e-3, abs=1e-12)


@pytest.mark.neuron
@pytest.mark.parametrize("name", sorted(GATES))
def test_gate_relaxes_with_published_time_constant(name: str, gate_data: dict[str, Any]) -> None:
    conftest.assert_gates_relax(name, GATES[name], STEPS, gate_data["steps"], published, DT,
                                rtol=1e-8, atol_fraction=1e-12)


@pytest.mark.neuron
def test_sk_e2_follows_calcium(gate_data: dict[str, Any]) -> None:
    cai, z_inf, z = np.array(gate_data["sk"]).T
    np.testing.assert_allclose(cai, CAI, rtol=1e-12)
    np.testing.assert_allclose(z_inf, sk_inf(cai), rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(z, z_inf, rtol=1e-12)
    assert sk_inf(np.array([4.3e-4]))[0] == pytest.approx(0.5)
    for step in gate_data["steps"]:  # cai 5e-5 -> 1e-3 mM at t = 0, zTau = 1 ms
        t = np.array(step["idx"]) * DT
        z0, z1 = sk_inf(np.array([5e-5, 1e-3]))
        np.testing.assert_allclose(step["rec"]["SK_E2.z"], z1 + (z0 - z1) * np.exp(-t / 1.0),
                                   rtol=1e-9)


CALCIUM_SIM = """
out = {}
free = h.Section(name="free")  # CaDynamics only: ica = 0, cai decays to minCai
free.insert("CaDynamics_E2")
free(0.5).decay_CaDynamics_E2, free(0.5).minCai_CaDynamics_E2 = arg["decay"], arg["min"]
h.cai0_ca_ion = arg["c0"]
cai = h.Vector().record(free(0.5)._ref_cai)
h.finitialize(-65)
h.continuerun(300)
out["decay"] = list(cai)
h.cai0_ca_ion = 5e-5
soma = h.Section(name="soma")
soma.insert("Ca_HVA")
soma.insert("CaDynamics_E2")
seg = soma(0.5)
seg.gCa_HVAbar_Ca_HVA, seg.gamma_CaDynamics_E2 = 1e-3, arg["gamma"]
clamp = h.SEClamp(seg)
clamp.dur1, clamp.amp1, clamp.rs = 1e9, -10.0, 1e-3
h.finitialize(-10)
h.continuerun(2000)
before = seg.cai
h.continuerun(2001)
out["steady"] = dict(ica=seg.ica, cai=seg.cai, before=before, decay=seg.decay_CaDynamics_E2,
                     depth=seg.depth_CaDynamics_E2, min=seg.minCai_CaDynamics_E2)
print(json.dumps(out))
"""


@pytest.mark.neuron
def test_calcium_buffer_decay_and_steady_state(library: Path, tmp_path: Path) -> None:
    arg = dict(decay=37.5, min=2e-4, c0=3e-3, gamma=0.02)
    out = run_neuron(library, CALCIUM_SIM, tmp_path, arg)
    cai = np.array(out["decay"])
    t = np.arange(len(cai)) * DT
    expected = arg["min"] + (arg["c0"] - arg["min"]) * np.exp(-t / arg["decay"])
    np.testing.assert_allclose(cai, expected, rtol=1e-9)
    s = out["steady"]
    assert (s["decay"], s["depth"], s["min"]) == (80.0, 0.1, 1e-4)  # published defaults
    assert s["ica"] < -1e-3 and s["cai"] == pytest.approx(s["before"], rel=1e-9)
    formula = s["min"] - s["decay"] * 1e4 * arg["gamma"] * s["ica"] / (2 * FARADAY * s["depth"])
    assert s["cai"] == pytest.approx(formula, rel=1e-6)
    assert s["cai"] > 10 * s["min"]


FIRING_SIM = """
h.celsius = 34
soma = h.Section(name="soma")
soma.L = soma.diam = 20
for name in ("pas", "NaTs2_t", "SKv3_1", "K_Pst"):
    soma.insert(name)
seg = soma(0.5)
seg.g_pas, seg.e_pas, seg.ena, seg.ek = 3e-5, -75.0, 50.0, -85.0
seg.gNaTs2_tbar_NaTs2_t, seg.gSKv3_1bar_SKv3_1, seg.gK_Pstbar_K_Pst = 2.04, 0.338, 0.00223
stim = h.IClamp(seg)
stim.delay, stim.dur = 50, 100
v = h.Vector().record(seg._ref_v)
out = {}
for amp in arg:
    stim.amp = amp
    h.finitialize(-75)
    h.continuerun(200)
    out[str(amp)] = list(v)
print(json.dumps(out))
"""


@pytest.mark.neuron
def test_soma_fires_for_current_step_and_rests_without(library: Path, tmp_path: Path) -> None:
    out = run_neuron(library, FIRING_SIM, tmp_path, [1.0, 0.0])
    step, rest = np.array(out["1.0"]), np.array(out["0.0"])
    t = np.arange(len(step)) * DT
    up = np.flatnonzero((step[:-1] < 0) & (step[1:] >= 0))
    assert len(up) >= 1 and step.max() > 10.0
    assert np.all((t[up] > 50) & (t[up] < 151))  # during the step
    assert np.all(step[t < 50] < -60)
    assert rest.max() < -70 and np.ptp(rest[t > 100]) < 0.5  # settles near e_pas, no spike
