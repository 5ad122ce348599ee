"""CoreNEURON against NEURON, one cell per mechanism family: same inputs, soma voltage within
1e-4 mV at every step and identical spike times (real simulations, one worker process and
one mechanism build per engine; ``benchmark.simulation.engine.compare``).

The families: the integrate-and-fire control (``lif`` catalogue), the L5PC with NMDA
synapses (``hay2011`` + ``synapses``), and the three Allen families of the ``allen``
catalogue (perisomatic, legacy all-active with the NaV Markov scheme, newer all-active
human). Each runs at least 500 ms of the cell's own protocol, with the input rates scaled so
that the soma fires within it (a comparison without spikes would not test spike times).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmark.cells import registry
from benchmark.core.errors import UserError
from benchmark.simulation import engine, mechanisms

TOLERANCE_MV = 1e-4

# cell, input-rate scale, duration (ms): each fires several spikes within this duration at
# this scale (the inputs depend on the cell's digest: a new cell version draws new ones)
FAMILIES = {
    "lif": ("lif", 3.0, 1000),
    "hay2011": ("l5pc_hay2011", 3.0, 1000),
    "allen perisomatic": ("allen_mouse_486556811", 2.0, 1000),
    "allen all-active, legacy (NaV)": ("allen_mouse_491766131", 1.0, 1000),
    "allen all-active, human": ("allen_human_541557114", 1.0, 2500),
}


def _mirror(cell: str) -> Path | None:
    spec = registry.get(cell)
    mirror = Path(os.environ.get("NEURODEPTH_MIRROR") or "neurodepth-mirror-not-set")
    missing = [f.mirror_path for f in spec.files if not (mirror / f.mirror_path).is_file()]
    if missing:
        pytest.skip(f"{missing[0]} is not in the cell-data mirror {mirror}: set "
                    f"NEURODEPTH_MIRROR to a mirror that holds {cell}'s data")
    return mirror if spec.files else None


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def comparison(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    cell, scale, duration_ms = FAMILIES[request.param]
    return cell, engine.compare(registry.get(cell), duration_ms=duration_ms, rate_scale=scale,
                                mirror=_mirror(cell))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="CoreNEURON builds: Linux")
def test_engines_agree(comparison: tuple[str, dict[str, Any]]) -> None:
    cell, result = comparison
    spikes = result["spike_times_ms"]["neuron"]
    assert result["duration_ms"] >= 500
    assert result["same_length"], result["n_steps"]
    assert spikes, f"{cell}: no soma spike in {result['duration_ms']} ms; raise its rate scale"
    assert result["max_abs_dv_mv"] < TOLERANCE_MV, (cell, result["max_abs_dv_mv"])
    assert result["same_spikes"], (cell, result["spike_times_ms"])


def test_a_mod_file_coreneuron_cannot_build_falls_back_to_neuron(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    """A mechanism whose VERBATIM code uses NEURON's own structures (a Section) builds for
    NEURON only: the cell is simulated by NEURON, and the choice says why."""
    monkeypatch.setenv("NEURODEPTH_CACHE", str(tmp_path / "cache"))
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "nd_NeuronOnly.mod").write_text(NEURON_ONLY_MOD)
    spec = registry.get("lif")
    spec = type(spec)(name="neuron_only", folder=tmp_path,
                      data={**spec.data, "mechanisms": ["lif", "synapses", str(mods)]})
    choice = engine.choose(spec)
    assert (choice.engine, choice.requested) == ("neuron", "coreneuron")
    assert "do not build for CoreNEURON" in (choice.fallback_reason or "")
    assert mechanisms.coreneuron_library(choice.library) is None
    assert "coreneuron was asked for" in engine.describe(choice)
    # asked for NEURON, it is NEURON, with no reason to give
    plain = engine.choose(spec, "neuron")
    assert (plain.engine, plain.fallback_reason) == ("neuron", None)


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(UserError, match="unknown simulation engine 'corenrn'.*coreneuron"):
        engine.requested(registry.get("lif"), "corenrn")


NEURON_ONLY_MOD = """
COMMENT
A do-nothing density mechanism whose VERBATIM block reads the accessed NEURON Section: it
compiles for NEURON, not for CoreNEURON (which has no Section). Test fixture only.
ENDCOMMENT
NEURON {
    SUFFIX nd_neuron_only
}
INITIAL {
VERBATIM
    { Section* sec = chk_access(); (void) sec; }
ENDVERBATIM
}
"""


def test_a_build_for_another_cpu_is_never_loaded_here(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A CoreNEURON build (``-march=native``) made on a CPU of another signature, as a
    shared cache on a mixed cluster holds, is replaced by a build for this CPU under this
    CPU's key; a NEURON build is shared as it is."""
    here = mechanisms.cpu_signature()
    assert "flags:" in here or sys.platform != "linux"
    monkeypatch.setattr(mechanisms, "cpu_signature", lambda: "x86_64 OtherVendor 6 1 flags: sse2")
    foreign = mechanisms.compile_mechanisms(["lif"], engine="coreneuron", cache=tmp_path)
    assert mechanisms.manifest_of(mechanisms.library_path(foreign))["cpu_signature"].startswith(
        "x86_64 OtherVendor")
    monkeypatch.setattr(mechanisms, "cpu_signature", lambda: here)
    local = mechanisms.for_this_cpu(mechanisms.library_path(foreign))
    assert local.parents[1] != foreign and local.parents[1].parent == tmp_path
    assert mechanisms.manifest_of(local)["cpu_digest"] == mechanisms.cpu_digest()
    assert mechanisms.coreneuron_library(local) is not None
    assert mechanisms.for_this_cpu(local) == local
    plain = mechanisms.library_path(mechanisms.compile_mechanisms(["lif"], cache=tmp_path))
    assert mechanisms.for_this_cpu(plain) == plain
    assert "cpu_digest" not in mechanisms.manifest_of(plain)


def test_the_engine_is_chosen_by_command_line_then_profile_then_cell() -> None:
    import dataclasses

    from benchmark import RunConfig
    from benchmark.core import profiles

    lif = registry.get("lif")
    assert lif.engine is None and engine.requested(lif) == "coreneuron"
    smoke = profiles.get("smoke")
    assert RunConfig.make("lif", smoke).spec.engine is None
    by_profile = dataclasses.replace(smoke, engine="neuron")
    assert RunConfig.make("lif", by_profile).spec.engine == "neuron"
    assert RunConfig.make("lif", by_profile, engine="coreneuron").spec.engine == "coreneuron"
    asked = RunConfig.make("lif", smoke, engine="neuron").spec
    assert asked.engine == "neuron" and asked.digest() == lif.digest()  # same cell, inputs
    assert "engine" not in smoke.to_dict() and by_profile.to_dict()["engine"] == "neuron"
    with pytest.raises(UserError, match="unknown simulation engine 'gpu'"):
        RunConfig.make("lif", smoke, engine="gpu")


def test_a_resumed_run_keeps_its_engine(tmp_path: Path) -> None:
    """Simulated on NEURON, half lost, resumed with no engine asked for: the folder's own
    engine finishes it, and the lost shard comes back bit for bit."""
    import benchmark
    from benchmark.simulation import shards

    first = benchmark.simulate("lif", profile="smoke", out=tmp_path, engine="neuron",
                               workers=1)
    folder = first.folder
    lost = folder / "shard-00001.h5"
    before = shards.read_shard(lost)
    lost.unlink()
    again = benchmark.simulate("lif", profile="smoke", out=tmp_path, workers=1)
    assert again.plan.engine == "neuron"
    assert engine.read(folder)["engine"] == "neuron"
    for a, b in zip(before, shards.read_shard(lost), strict=True):
        assert a.soma_mv.tobytes() == b.soma_mv.tobytes()
        assert a.spike_times_ms.tobytes() == b.spike_times_ms.tobytes()
