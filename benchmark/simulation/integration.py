"""Is a cell's integration setting as good as its published original's? (parent side)

A cell may simulate at a cheaper setting (a longer time step, Crank-Nicolson) than the
published original code did (``[simulation.reference]`` in its ``cell.toml``) only when it
behaves the same at both. This module runs the same stimuli at both settings and lists the
differences:

- somatic current steps (the ``fi_curve`` probe, :data:`STEP_AMPLITUDES_NA`): the number of
  spikes, the number of upward 0 mV crossings (a spike that rings around 0 mV counts
  several times), every spike time (within :data:`SPIKE_TOLERANCE_MS`) and the step's peak
  voltage (within :data:`PEAK_TOLERANCE_MV`);
- a replay: one simulation of :data:`REPLAY_MS` of the common input protocol, at the cell's
  start rate scale, simulated at the reference setting and its inputs replayed at the
  cell's (the spike counts and every spike time, within :data:`SPIKE_TOLERANCE_MS`).

The validate tier ``integration`` (:mod:`benchmark.pipeline.validation`) refuses a setting
with any difference (the replay runs only when the steps agree). A cell without
``[simulation.reference]`` is its own reference.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.cells.spec import CellSpec
from benchmark.core.profiles import DataPlan
from benchmark.simulation import physiology, protocol, runner, shards

STEP_AMPLITUDES_NA = (0.2, 0.4, 0.8, 2.0)
"""Somatic current steps (nA), 500 ms each from the settled state: from below threshold to
a strong drive, where a too-long step first shows (ringing spikes, extra spikes)."""
SPIKE_TOLERANCE_MS = 1.0
"""A spike time may differ by at most this (ms) between the two settings."""
PEAK_TOLERANCE_MV = 5.0
"""A step's peak soma voltage may differ by at most this (mV)."""
REPLAY_MS = 2000
"""Length (ms) of the replayed protocol simulation."""


@dataclass(frozen=True)
class Setting:
    """A fixed-step integration setting: time step (ms) and method."""

    dt_ms: float
    integration: str = "backward_euler"

    def __str__(self) -> str:
        return f"{self.integration.replace('_', ' ')} at {self.dt_ms:g} ms"


def settings_of(spec: CellSpec) -> tuple[Setting, Setting]:
    """The cell's own setting and its reference (the own one when none is given)."""
    sim = spec.data["simulation"]
    own = Setting(float(sim["dt_ms"]), str(sim.get("integration", "backward_euler")))
    ref = sim.get("reference")
    return own, (own if ref is None else Setting(float(ref["dt_ms"]), str(ref["integration"])))


def at_setting(spec: CellSpec, setting: Setting) -> CellSpec:
    """``spec`` simulated at ``setting`` (a copy; the registry's spec is not changed)."""
    data = json.loads(json.dumps(spec.data))
    data["simulation"].update(dt_ms=setting.dt_ms, integration=setting.integration)
    return dataclasses.replace(spec, data=data)


def spike_differences(reference_ms: list[float], own_ms: list[float],
                      tolerance_ms: float = SPIKE_TOLERANCE_MS) -> str | None:
    """What differs between two spike trains (ms), or None: the counts, else the first
    spike more than ``tolerance_ms`` away from its partner (in order)."""
    if len(reference_ms) != len(own_ms):
        return f"{len(own_ms)} spikes where the reference fires {len(reference_ms)}"
    for k, (a, b) in enumerate(zip(reference_ms, own_ms, strict=True)):
        if abs(a - b) > tolerance_ms:
            return (f"spike {k + 1} at {b:.2f} ms where the reference's is at {a:.2f} ms "
                    f"(more than {tolerance_ms:g} ms apart)")
    return None


def step_differences(reference: list[dict[str, Any]], own: list[dict[str, Any]]) -> list[str]:
    """Every difference between two ``fi_curve`` step tables of the same amplitudes."""
    out = []
    for ref, row in zip(reference, own, strict=True):
        amp = f"the {row['amplitude_na']:g} nA step"
        if row["zero_crossings"] != ref["zero_crossings"]:
            out.append(f"{amp} crosses 0 mV {row['zero_crossings']} times where the "
                       f"reference crosses it {ref['zero_crossings']} times")
        problem = spike_differences(ref["spike_times_ms"], row["spike_times_ms"])
        if problem:
            out.append(f"{amp}: {problem}")
        if abs(row["v_max_mv"] - ref["v_max_mv"]) > PEAK_TOLERANCE_MV:
            out.append(f"{amp} peaks at {row['v_max_mv']:.1f} mV where the reference peaks "
                       f"at {ref['v_max_mv']:.1f} mV")
    return out


def replay_spikes(spec: CellSpec, own: Setting, reference: Setting, work: Path,
                  mirror: Path | None = None) -> tuple[list[float], list[float]]:
    """Spike times (ms) of one protocol simulation at the reference setting and of the
    same inputs replayed at the cell's own setting."""
    plan = DataPlan(n_train=1, n_valid=0, n_test=0, duration_ms=REPLAY_MS, sims_per_shard=1)
    ref_folder = work / "reference"
    runner.simulate(at_setting(spec, reference), plan, 0, ref_folder,
                    rate_scale=spec.start_rate_scale, n_workers=1, mirror=mirror)
    (sim,) = [s for p in sorted(ref_folder.glob("shard-*.h5")) for s in shards.read_shard(p)]
    inputs = work / "inputs.npz"
    protocol.save_replay(inputs, [(sim.input_channel, sim.input_time_ms, REPLAY_MS)])
    own_folder = runner.replay(at_setting(spec, own), inputs, work / "own", n_workers=1,
                               mirror=mirror)
    (mine,) = [s for p in sorted(own_folder.glob("shard-*.h5")) for s in shards.read_shard(p)]
    return ([float(t) for t in sim.spike_times_ms], [float(t) for t in mine.spike_times_ms])


@dataclass(frozen=True)
class Verdict:
    """The comparison of a cell's setting with its reference: the two settings and every
    difference found (none: the setting may be used)."""

    own: Setting
    reference: Setting
    differences: tuple[str, ...]

    @property
    def same_setting(self) -> bool:
        return self.own == self.reference

    @property
    def passed(self) -> bool:
        return not self.differences


def compare(spec: CellSpec, mirror: Path | None = None,
            amplitudes_na: tuple[float, ...] = STEP_AMPLITUDES_NA) -> Verdict:
    """Run the steps and the replay at both settings (nothing when they are the same)."""
    own, reference = settings_of(spec)
    if own == reference:
        return Verdict(own, reference, ())
    steps = physiology.measure_cells(
        [(at_setting(spec, reference), [("fi_curve", {"amplitudes_na": list(amplitudes_na)})]),
         (at_setting(spec, own), [("fi_curve", {"amplitudes_na": list(amplitudes_na)})])],
        n_workers=2, mirror=mirror)
    differences = step_differences(steps[0][0]["steps"], steps[1][0]["steps"])
    if differences:  # refused already: the replay would only cost time
        return Verdict(own, reference, tuple(differences))
    with tempfile.TemporaryDirectory(prefix="neurodepth-integration-") as tmp:
        ref_spikes, own_spikes = replay_spikes(spec, own, reference, Path(tmp), mirror)
    problem = spike_differences(ref_spikes, own_spikes)
    if problem:
        differences.append(f"the {REPLAY_MS} ms protocol replay: {problem}")
    return Verdict(own, reference, tuple(differences))

