"""Mechanism compilation cache, the NMODL synapses and LIF reset, and the event player.

The test process never imports ``neuron``: every simulation runs in a fresh Python process
started in an empty folder, which prints its results as one JSON line.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from benchmark.core.errors import UserError
from benchmark.simulation import mechanisms

REPO = Path(__file__).resolve().parents[1]
DT_MS = 0.025

PRELUDE = """
import json, sys
import numpy as np
from neuron import h
h.nrn_load_dll(sys.argv[1])
h.load_file("stdrun.hoc")
h.dt = {dt}
soma = h.Section(name="soma")
soma.L = soma.diam = 20
soma.insert("pas")
soma.g_pas, soma.e_pas = 1e-4, -65.0
keep = []

def events(target, times, weight=1.0):
    nc = h.NetCon(None, target)
    nc.weight[0] = weight
    keep.append(nc)
    keep.append(h.FInitializeHandler(lambda: [nc.event(float(t)) for t in times]))

def rec(ref):
    vec = h.Vector().record(ref)
    keep.append(vec)
    return vec

def arr(vec):
    return np.array(vec).tolist()
"""


def kernel(t_ms: np.ndarray, tau_r: float, tau_d: float, gmax: float) -> np.ndarray:
    """Peak-normalised double exponential (uS), zero before t = 0."""
    t_peak = tau_r * tau_d / (tau_d - tau_r) * np.log(tau_d / tau_r)
    norm = 1.0 / (np.exp(-t_peak / tau_d) - np.exp(-t_peak / tau_r))
    t = np.maximum(t_ms, 0.0)
    return np.where(t_ms >= 0, gmax * norm * (np.exp(-t / tau_d) - np.exp(-t / tau_r)), 0.0)


def peak_time(tau_r: float, tau_d: float) -> float:
    return tau_r * tau_d / (tau_d - tau_r) * np.log(tau_d / tau_r)


def run_neuron(library: Path, body: str, workdir: Path, *args: str) -> Any:
    """Run ``PRELUDE + body`` (which prints one JSON line) in a fresh process in ``workdir``.

    The script gets the library path as ``sys.argv[1]`` and ``args`` after it.
    """
    script = workdir / "sim.py"
    script.write_text(PRELUDE.format(dt=DT_MS) + textwrap.dedent(body))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, str(script), str(library), *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mechanism-cache")


@pytest.fixture(scope="session")
def compiled(cache_dir: Path) -> Path:
    """The synapses and lif catalogues, compiled once for the session."""
    return mechanisms.compile_mechanisms(["synapses", "lif"], cache=cache_dir)


@pytest.fixture(scope="session")
def library(compiled: Path) -> Path:
    return mechanisms.library_path(compiled)


@pytest.fixture()
def neutral(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    return work


# --- cache ----------------------------------------------------------------------------


def test_unknown_catalogue_is_a_one_line_user_error() -> None:
    with pytest.raises(UserError, match="known catalogues: .*synapses") as info:
        mechanisms.catalogue_dir("nope")
    assert "\n" not in str(info.value)
    with pytest.raises(UserError):
        mechanisms.compile_mechanisms(["nope"], cache=Path("/nonexistent"))


def test_mod_files_sorted_and_duplicates_rejected(tmp_path: Path) -> None:
    files = mechanisms.mod_files(["synapses", "lif"])
    assert [p.name for p in files] == sorted(p.name for p in files)
    assert {p.name for p in files} >= {"nd_AmpaNmda.mod", "nd_GabaA.mod", "nd_LifReset.mod"}
    shutil.copy(mechanisms.catalogue_dir("lif") / "nd_LifReset.mod", tmp_path)
    with pytest.raises(UserError, match="nd_LifReset.mod.*twice"):
        mechanisms.mod_files(["lif", tmp_path])


def test_cache_key_follows_content(tmp_path: Path) -> None:
    shutil.copy(mechanisms.catalogue_dir("synapses") / "nd_GabaA.mod", tmp_path)
    first = mechanisms.cache_key(mechanisms.mod_files([tmp_path]))
    assert first == mechanisms.cache_key(mechanisms.mod_files([tmp_path]))
    mod = tmp_path / "nd_GabaA.mod"
    mod.write_text(mod.read_text().replace("tau_d = 8 (ms)", "tau_d = 9 (ms)"))
    second = mechanisms.cache_key(mechanisms.mod_files([tmp_path]))
    assert second != first and len(second) == 16


def test_cache_root_respects_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEURODEPTH_CACHE", "/x/cache")
    assert mechanisms.cache_root() == Path("/x/cache/mechanisms")
    monkeypatch.delenv("NEURODEPTH_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", "/y")
    assert mechanisms.cache_root() == Path("/y/neurodepth/mechanisms")


@pytest.mark.neuron
def test_compile_reuses_cache(compiled: Path, cache_dir: Path) -> None:
    manifest = compiled / mechanisms.MANIFEST
    before = (manifest.stat().st_mtime_ns, mechanisms.library_path(compiled).stat().st_mtime_ns)
    again = mechanisms.compile_mechanisms(["lif", "synapses"], cache=cache_dir)
    assert again == compiled
    after = (manifest.stat().st_mtime_ns, mechanisms.library_path(compiled).stat().st_mtime_ns)
    assert after == before
    data = json.loads(manifest.read_text())
    assert set(data["files"]) == {p.name for p in mechanisms.mod_files(["synapses", "lif"])}
    assert data["neuron_version"] == mechanisms.neuron_version()
    assert not [p for p in cache_dir.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.neuron
def test_concurrent_compile_builds_once(tmp_path: Path) -> None:
    source = tmp_path / "mods"
    source.mkdir()
    shutil.copy(mechanisms.catalogue_dir("synapses") / "nd_GabaA.mod", source)
    cache = tmp_path / "cache"
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        jobs = [
            pool.apply_async(mechanisms.compile_mechanisms, ([source],), {"cache": cache})
            for _ in range(2)
        ]
        results = [job.get(timeout=300) for job in jobs]
    assert results[0] == results[1]
    dirs = [p for p in cache.iterdir() if p.is_dir()]
    assert dirs == [results[0]]
    assert mechanisms.library_path(dirs[0]).is_file()


@pytest.mark.neuron
def test_compile_error_names_the_file(tmp_path: Path) -> None:
    good = mechanisms.catalogue_dir("synapses") / "nd_GabaA.mod"
    (tmp_path / "nd_Broken.mod").write_text(
        good.read_text().replace("GabaA", "Broken").replace("rise = rise + weight", "rise = +")
    )
    with pytest.raises(mechanisms.CompileError, match="nd_Broken.mod") as info:
        mechanisms.compile_mechanisms([tmp_path], cache=tmp_path / "cache")
    assert "\n" not in str(info.value) and info.value.details
    assert not [p for p in (tmp_path / "cache").iterdir() if p.is_dir()]


# --- synapses ---------------------------------------------------------------------------

SINGLE_EVENT = """
syn = h.AmpaNmda(soma(0.5))
events(syn, [0.0])
g_a, g_n, t = rec(syn._ref_g_ampa), rec(syn._ref_g_nmda), rec(h._ref_t)
only = h.AmpaNmda(soma(0.5))
only.gmax_nmda = 0
events(only, [0.0])
only_n, only_i, v = rec(only._ref_g_nmda), rec(only._ref_i), rec(soma(0.5)._ref_v)
only_a = rec(only._ref_g_ampa)
h.finitialize(-65)
h.continuerun(300)
print(json.dumps({k: arr(x) for k, x in dict(g_a=g_a, g_n=g_n, t=t, only_n=only_n,
                  only_i=only_i, only_a=only_a, v=v).items()}))
"""


@pytest.mark.neuron
def test_ampa_nmda_single_event_at_t0(library: Path, neutral: Path) -> None:
    out = {k: np.array(v) for k, v in run_neuron(library, SINGLE_EVENT, neutral).items()}
    t = out["t"]
    for name, (tau_r, tau_d) in {"g_a": (0.3, 3.0), "g_n": (2.0, 70.0)}.items():
        g = out[name]
        assert np.all(np.isfinite(g))
        assert g.max() == pytest.approx(0.0004, rel=0.01)
        # recorded BREAKPOINT values lag the state by one step
        assert abs(t[np.argmax(g)] - (peak_time(tau_r, tau_d) + DT_MS)) <= DT_MS
        np.testing.assert_allclose(g, kernel(t - DT_MS, tau_r, tau_d, 0.0004), atol=1e-12)
    assert np.all(out["only_n"] == 0)
    # BREAKPOINT uses v at the start of the step: the previous recorded sample
    np.testing.assert_allclose(out["only_i"][1:], out["only_a"][1:] * out["v"][:-1], atol=1e-15)


SUPERPOSE = """
times = np.sort(np.random.default_rng(1).integers(0, 4000, 50)) * h.dt
single, many = h.AmpaNmda(soma(0.5)), h.AmpaNmda(soma(0.5))
events(single, [0.0])
events(many, times)
rs = [rec(single._ref_g_ampa), rec(single._ref_g_nmda)]
rm = [rec(many._ref_g_ampa), rec(many._ref_g_nmda)]
h.finitialize(-65)
h.continuerun(200)
print(json.dumps(dict(times=times.tolist(), single=list(map(arr, rs)), many=list(map(arr, rm)))))
"""


@pytest.mark.neuron
def test_fifty_events_superpose_linearly(library: Path, neutral: Path) -> None:
    out = run_neuron(library, SUPERPOSE, neutral)
    shifts = np.round(np.array(out["times"]) / DT_MS).astype(int)
    for single, many in zip(out["single"], out["many"], strict=True):
        single, many = np.array(single), np.array(many)
        expected = np.zeros_like(single)
        for s in shifts:
            expected[s:] += single[: len(single) - s]
        np.testing.assert_allclose(many, expected, rtol=1e-9, atol=1e-15)
        assert many.max() > 3 * single.max()


MG_BLOCK = """
out = {}
for hold in (-70.0, 0.0):
    syn = h.AmpaNmda(soma(0.5))
    events(syn, [0.0])
    clamp = h.SEClamp(soma(0.5))
    clamp.dur1, clamp.amp1, clamp.rs = 1e9, hold, 1e-3
    r = dict(b=rec(syn._ref_mg_block), i=rec(syn._ref_i), ga=rec(syn._ref_g_ampa),
             gn=rec(syn._ref_g_nmda), v=rec(soma(0.5)._ref_v))
    h.finitialize(hold)
    h.continuerun(20)
    out[str(hold)] = {k: arr(x) for k, x in r.items()}
    keep.extend([syn, clamp])
    syn.gmax_ampa = syn.gmax_nmda = 0
    clamp.dur1 = 0
print(json.dumps(out))
"""


@pytest.mark.neuron
def test_mg_block_matches_formula(library: Path, neutral: Path) -> None:
    out = run_neuron(library, MG_BLOCK, neutral)
    for hold in (-70.0, 0.0):
        r = {k: np.array(v) for k, v in out[str(hold)].items()}
        expected = 1.0 / (1.0 + np.exp(-0.08 * hold) * 1.0 / 3.57)
        np.testing.assert_allclose(r["b"][10:], expected, rtol=1e-4)
        at_v = 1.0 / (1.0 + np.exp(-0.08 * r["v"][:-1]) * 1.0 / 3.57)
        np.testing.assert_allclose(r["b"][1:], at_v, rtol=1e-12)
        current = (r["ga"][1:] + r["gn"][1:] * r["b"][1:]) * r["v"][:-1]
        np.testing.assert_allclose(r["i"][1:], current, rtol=1e-9, atol=1e-15)
    assert expected == pytest.approx(1 / (1 + 1 / 3.57))


GABA = """
syn = h.GabaA(soma(0.5))
events(syn, [0.0])
g, i, v = rec(syn._ref_g), rec(syn._ref_i), rec(soma(0.5)._ref_v)
h.finitialize(-65)
h.continuerun(60)
print(json.dumps(dict(g=arr(g), i=arr(i), v=arr(v))))
"""


@pytest.mark.neuron
def test_gaba_a_peak(library: Path, neutral: Path) -> None:
    out = {k: np.array(v) for k, v in run_neuron(library, GABA, neutral).items()}
    assert out["g"].max() == pytest.approx(0.001, rel=0.01)
    t_max = np.argmax(out["g"]) * DT_MS
    assert abs(t_max - (peak_time(0.2, 8.0) + DT_MS)) <= DT_MS
    np.testing.assert_allclose(out["i"][1:], out["g"][1:] * (out["v"][:-1] + 80.0), atol=1e-15)


# --- LIF --------------------------------------------------------------------------------

STRONG, WEAK = 1.0, 0.02  # gmax_ampa scale; 1000 AMPA events on 20 somatic synapses

LIF = """
out = {}
for scale in sys.argv[2:]:
    cell = h.LifReset(soma(0.5))
    syns = [h.AmpaNmda(soma(0.5)) for _ in range(20)]
    rng = np.random.default_rng(2)
    for syn in syns:
        syn.gmax_nmda, syn.gmax_ampa = 0, 0.0004 * float(scale)
        events(syn, np.sort(rng.uniform(5, 195, 50)))
    spikes = h.Vector()
    nc = h.NetCon(cell, None)
    nc.record(spikes)
    v, phase = rec(soma(0.5)._ref_v), rec(cell._ref_phase)
    h.finitialize(-65)
    h.continuerun(200)
    out[scale] = dict(v=arr(v), phase=arr(phase), spikes=arr(spikes))
    for syn in syns:
        syn.gmax_ampa = 0
    keep.extend([cell, syns, nc])
    cell.g_clamp = 0
    cell.v_thresh = 1e9
print(json.dumps(out))
"""


@pytest.mark.neuron
def test_lif_spikes_and_resets(library: Path, neutral: Path) -> None:
    out = run_neuron(library, LIF, neutral, str(STRONG), str(WEAK))
    strong = {k: np.array(v) for k, v in out[str(STRONG)].items()}
    assert len(strong["spikes"]) >= 3
    v, t = strong["v"], np.arange(len(strong["v"])) * DT_MS
    assert v.max() > 15.0
    for spike in strong["spikes"]:
        peak = (t > spike + 0.1) & (t < spike + 1.0)
        reset = (t > spike + 1.1) & (t < spike + 3.0)
        assert np.all(np.abs(v[peak] - 20.0) < 0.5)
        assert np.all(np.abs(v[reset] + 65.0) < 0.5)
    free = (strong["phase"] == 0) & (v > -50.0)
    near_spike = np.min(np.abs(t[free][:, None] - strong["spikes"][None, :]), axis=1)
    assert np.all(near_spike <= 2 * DT_MS)
    weak = {k: np.array(v) for k, v in out[str(WEAK)].items()}
    assert len(weak["spikes"]) == 0 and weak["v"].max() < -50.0
    assert weak["v"].max() > -64.0


# --- event player -----------------------------------------------------------------------

PLAYER = """
from benchmark.simulation.nrn.events import EventPlayer
n = 30
played = [h.AmpaNmda(soma(0.5)) for _ in range(n)]
direct = [h.AmpaNmda(soma(0.5)) for _ in range(n)]
ref = []
for syn in direct:
    nc = h.NetCon(None, syn)
    nc.weight[0] = 1
    ref.append(nc)
todo = []
keep.append(h.FInitializeHandler(lambda: [ref[c].event(float(t)) for c, t in todo]))
player = EventPlayer(played)
rp = [rec(s._ref_g_nmda) for s in played]
rd = [rec(s._ref_g_nmda) for s in direct]
rng = np.random.default_rng(3)
pc = h.ParallelContext()
out = []
for trial in range(3):
    size = (0, 2000, 500)[trial]
    channel = rng.integers(0, n, size)
    time = np.round(rng.uniform(0, 300, size), 3)
    time[:3] = 0.0
    todo[:] = list(zip(channel.tolist(), time.tolist()))
    player.set_events(channel, time)
    if trial == 1:
        h.finitialize(-65)
        pc.set_maxstep(10)
        pc.psolve(300)
    else:
        player.run(300, -65)
    p, d = np.array([arr(x) for x in rp]), np.array([arr(x) for x in rd])
    out.append(dict(diff=float(np.abs(p - d).max()), total=float(p.sum()), n=player.n_events,
                    t=h.t, has_events=bool(size)))
try:
    player.set_events(np.array([n]), np.array([1.0]))
    out.append("accepted")
except ValueError:
    out.append("rejected")
print(json.dumps(out))
"""


@pytest.mark.neuron
def test_event_player_matches_netcon_events(library: Path, neutral: Path) -> None:
    out = run_neuron(library, PLAYER, neutral)
    assert out[-1] == "rejected"
    for trial, expected_n in zip(out[:-1], (0, 2000, 500), strict=True):
        assert trial["n"] == expected_n
        assert trial["t"] == pytest.approx(300.0)
        assert trial["diff"] < 1e-15
        assert (trial["total"] > 0) == trial["has_events"]
