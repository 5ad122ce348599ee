"""The simulator seam: integration settings, one simulation, 1 ms sampling and spike times.

In the spirit of BluePyOpt's ``NrnSimulator``, this is the one module that sets NEURON's
integrator and runs it. The benchmark's simulations
(:func:`benchmark.simulation.worker.simulate_one`) and the physiology probes
(:mod:`benchmark.simulation.nrn.probes`) both go through it; another engine (CoreNEURON)
belongs behind the same interface: :class:`Settings` in, :func:`run` out.

The module has two halves:

- parent-safe (numpy only; ``neuron`` is never imported): :class:`Settings` (the spec's
  ``[simulation]`` table, checked), :func:`dt_problem`, :func:`check_spec`,
  :func:`sample_every_ms` and :func:`detect_spikes`. The parent calls :func:`check_spec` to
  refuse settings that cannot work before it starts a worker.
- NEURON side (imports ``neuron`` inside the functions; worker processes only):
  :func:`apply` and :func:`run`.

Sampling: the soma voltage is recorded at every step of ``dt_ms`` (steps at ``k * dt_ms``,
the time 0 included) and spikes are detected on that full trace. The output sample ``m`` is
the soma voltage at exactly ``t = m`` ms:

- when ``dt_ms`` divides 1 ms (``1 / dt_ms`` is an integer ``n`` up to a relative 1e-9:
  0.1, 0.05, 0.025, 0.01, ...), it is the recorded step ``m * n`` itself, no arithmetic
  (the values are bit for bit those of the benchmark before this module existed);
- otherwise (0.03 ms, 0.3 ms, ...), it is the linear interpolation between the two
  recorded steps around ``t = m`` ms (the step itself when one lies within 1e-6 steps of
  it). Every ``dt_ms <= 1`` is therefore sampled without drift.

``dt_ms`` above 1 ms is refused (:func:`dt_problem`): a step longer than the sampling
interval has no voltage to give between its samples.

Engines (:data:`ENGINES`): ``"neuron"`` advances with ``stdrun``'s ``continuerun``;
``"coreneuron"`` hands the initialised model to CoreNEURON in the same process
(``coreneuron.enable``, ``pc.psolve``), which runs the same equations with vectorised
kernels and returns the recorded vectors and the final state to NEURON. The worker must
have loaded a library built with ``nrnivmodl -coreneuron`` and have set ``CORENEURONLIB``
to its CoreNEURON half (:func:`benchmark.simulation.worker.initialize` does both). Both
engines record the soma voltage at every step (CoreNEURON does not honour a recording
interval) and sample it here, in numpy: no Python runs per step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING, Any

import numpy as np

from benchmark.cells.spec import SPEC_FILE, CellSpec
from benchmark.core.errors import SpecError

if TYPE_CHECKING:
    from benchmark.simulation.nrn.cell import BuiltCell
    from benchmark.simulation.nrn.events import EventPlayer

SAMPLE_MS = 1.0
"""Interval (ms) of the soma voltage samples a simulation returns."""

SECOND_ORDER = {"backward_euler": 0, "crank_nicolson": 2}
"""NEURON's ``h.secondorder`` for each ``simulation.integration`` of a cell spec."""

ENGINES = ("coreneuron", "neuron")
"""``simulation.engine`` values: which simulator advances the model."""
DEFAULT_ENGINE = "coreneuron"
"""The engine of a spec that names none."""
MAX_STEP_MS = 10.0  # ms: pc.set_maxstep, the longest interval between spike exchanges

DIVIDES_RTOL = 1e-9   # relative: dt_ms * round(1 / dt_ms) == 1 ms within this
SNAP_STEPS = 1e-6     # steps: a sample this close to a recorded step takes that step's value
DT_FIX = "set simulation.dt_ms to a positive value of at most 1 ms, e.g. 0.025"


def dt_problem(dt_ms: Any) -> str | None:
    """What is wrong with ``dt_ms`` as this simulator's time step (ms), or None.

    Any positive, finite step of at most :data:`SAMPLE_MS` (1 ms) is accepted, whether or
    not it divides 1 ms (see the module docstring). The signature fits a cell-spec field
    check (``value -> problem or None``).
    """
    if isinstance(dt_ms, bool) or not isinstance(dt_ms, (int, float)):
        return f"{dt_ms!r} is not a number"
    if not math.isfinite(dt_ms) or dt_ms <= 0:
        return f"{dt_ms} is not a positive number of ms"
    if dt_ms > SAMPLE_MS:
        return (f"{dt_ms:g} ms is longer than the {SAMPLE_MS:g} ms interval at which the "
                "soma voltage is sampled")
    return None


def steps_per_sample(dt_ms: float) -> int | None:
    """``1 / dt_ms`` when ``dt_ms`` divides the 1 ms sampling interval (relative
    tolerance :data:`DIVIDES_RTOL`), else None."""
    n = round(SAMPLE_MS / dt_ms)
    return n if n >= 1 and abs(n * dt_ms - SAMPLE_MS) <= DIVIDES_RTOL * SAMPLE_MS else None


@dataclass(frozen=True)
class Settings:
    """A cell's integration settings: the spec's ``[simulation]`` table.

    Attributes:
        dt_ms: fixed time step (ms), at most 1 ms (:func:`dt_problem`).
        celsius_degc: temperature (degC).
        v_init_mv: initial membrane potential (mV).
        spike_threshold_mv: a soma spike is each excursion above this (mV).
        integration: ``"backward_euler"`` or ``"crank_nicolson"`` (:data:`SECOND_ORDER`).
        engine: ``"coreneuron"`` or ``"neuron"`` (:data:`ENGINES`).
    """

    dt_ms: float
    celsius_degc: float
    v_init_mv: float
    spike_threshold_mv: float
    integration: str = "backward_euler"
    engine: str = "neuron"

    @classmethod
    def from_spec(cls, spec_data: Mapping[str, Any],
                  source: str | PathLike[str] | None = None) -> Settings:
        """The checked settings of a merged spec table.

        Args:
            spec_data: the merged cell spec (its ``simulation`` table is read).
            source: named in errors (default: the cell.toml of the spec's ``name``).

        Raises:
            SpecError: one line naming ``simulation.dt_ms`` (or ``simulation.integration``)
                and the fix, for settings this simulator cannot run.
        """
        sim = spec_data["simulation"]
        where = source if source is not None else f"cell.toml of cell '{spec_data.get('name')}'"
        problem = dt_problem(sim["dt_ms"])
        if problem is not None:
            raise SpecError(where, "simulation.dt_ms", problem, DT_FIX)
        integration = sim.get("integration", "backward_euler")
        if integration not in SECOND_ORDER:
            raise SpecError(where, "simulation.integration",
                            f"'{integration}' is not supported",
                              f"use one of {', '.join(SECOND_ORDER)}")
        engine = sim.get("engine", DEFAULT_ENGINE)
        if engine not in ENGINES:
            raise SpecError(where, "simulation.engine", f"'{engine}' is not an engine",
                            f"use one of {', '.join(ENGINES)}")
        return cls(dt_ms=float(sim["dt_ms"]), celsius_degc=float(sim["celsius_degc"]),
                   v_init_mv=float(sim["v_init_mv"]),
                   spike_threshold_mv=float(sim["spike_threshold_mv"]),
                   integration=str(integration), engine=str(engine))

    @property
    def second_order(self) -> int:
        """NEURON's ``h.secondorder`` (0: backward Euler, 2: Crank-Nicolson)."""
        return SECOND_ORDER[self.integration]


def check_spec(spec: CellSpec) -> Settings:
    """Parent-side check before any worker starts (never imports ``neuron``): the cell's
    settings, or a one-line SpecError naming its cell.toml, the field and the fix."""
    return Settings.from_spec(spec.data, spec.folder / SPEC_FILE)


def sample_every_ms(v_mv: np.ndarray, dt_ms: float, duration_ms: int) -> np.ndarray:
    """The soma voltage at t = 0, 1, ..., ``duration_ms - 1`` ms (mV, float32).

    Args:
        v_mv: the voltage recorded at every step, ``v_mv[k]`` at ``t = k * dt_ms``.
        dt_ms: the time step (ms), at most 1 ms.
        duration_ms: number of 1 ms samples.

    See the module docstring: a recorded step when ``dt_ms`` divides 1 ms, else linear
    interpolation between the two steps around each whole ms.
    """
    problem = dt_problem(dt_ms)
    if problem is not None:
        raise ValueError(f"dt_ms: {problem}")
    v_mv = np.asarray(v_mv)
    if duration_ms > 0 and (duration_ms - 1) * SAMPLE_MS > (len(v_mv) - 1) * dt_ms * (1 + 1e-9):
        raise ValueError(f"{len(v_mv)} steps of {dt_ms} ms do not reach "
                         f"{duration_ms - 1} ms")
    stride = steps_per_sample(dt_ms)
    if stride is not None:
        return v_mv[: duration_ms * stride : stride].astype(np.float32)
    position = np.arange(duration_ms) * (SAMPLE_MS / dt_ms)   # in steps
    nearest = np.rint(position)
    on_step = np.abs(position - nearest) <= SNAP_STEPS
    lower = np.where(on_step, nearest, np.floor(position)).astype(np.int64)
    lower = np.minimum(lower, len(v_mv) - 1)
    upper = np.minimum(lower + 1, len(v_mv) - 1)
    weight = np.where(on_step, 0.0, position - lower)
    v = v_mv.astype(np.float64)
    return (v[lower] + weight * (v[upper] - v[lower])).astype(np.float32)


def detect_spikes(v_mv: np.ndarray, dt_ms: float, threshold_mv: float) -> np.ndarray:
    """Spike times (ms): the maximum of each excursion of ``v_mv`` (sampled every ``dt_ms``,
    from t = 0) above ``threshold_mv``."""
    above = np.concatenate(([False], v_mv > threshold_mv, [False]))
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    starts, stops = edges[::2], edges[1::2]
    peaks = [s + int(np.argmax(v_mv[s:e])) for s, e in zip(starts, stops, strict=True)]
    return np.asarray(peaks, dtype=np.float64) * dt_ms


# --- NEURON side: worker processes only ----------------------------------------------------

CORENEURON_LIBRARY_ENV = "CORENEURONLIB"
"""Where NEURON's ``psolve`` finds CoreNEURON's half of a mechanism build."""


def load_mechanisms(library: str | PathLike[str]) -> None:
    """Load a compiled mechanism library into this process (``h.nrn_load_dll``), and point
    CoreNEURON at the CoreNEURON half of the build when one lies beside it (a build of
    ``nrnivmodl -coreneuron``). Load one library per process, from a folder without an
    ``x86_64/`` of its own."""
    import os
    from pathlib import Path

    from neuron import h

    from benchmark.simulation.mechanisms import coreneuron_library

    beside = coreneuron_library(Path(library))
    if beside is not None:
        os.environ[CORENEURON_LIBRARY_ENV] = str(beside)
    h.nrn_load_dll(str(library))


def apply(settings: Settings) -> None:
    """Set NEURON's fixed-step integrator: ``h.dt`` (ms), ``h.steps_per_ms`` (so that
    ``stdrun.hoc`` keeps that dt), ``h.celsius`` (degC) and ``h.secondorder``."""
    from neuron import h

    h.dt, h.celsius = settings.dt_ms, settings.celsius_degc
    h.steps_per_ms = 1.0 / settings.dt_ms
    h.secondorder = settings.second_order


def advance(settings: Settings, tstop_ms: float) -> None:
    """Advance the initialised model (after ``h.finitialize``) to ``tstop_ms`` (ms) with
    ``settings.engine``. CoreNEURON is switched off again afterwards, so later NEURON calls
    (a probe's settling steps) run in NEURON."""
    from neuron import h

    if settings.engine == "neuron":
        h.continuerun(tstop_ms)
        return
    import os

    from neuron import coreneuron

    if not os.environ.get(CORENEURON_LIBRARY_ENV):
        raise RuntimeError("engine 'coreneuron' needs a mechanism build for CoreNEURON, "
                           "loaded with simulator.load_mechanisms (none is loaded); build "
                           "the cell's mechanisms with engine='coreneuron', or set "
                           "simulation.engine = 'neuron'")
    pc = h.ParallelContext()
    coreneuron.enable, coreneuron.verbose = True, 0
    try:
        pc.set_maxstep(MAX_STEP_MS)
        pc.psolve(tstop_ms)
    finally:
        coreneuron.enable = False


def record_soma(cell: BuiltCell, duration_ms: int, settings: Settings) -> np.ndarray:
    """Simulate ``cell`` for ``duration_ms`` ms under the events already set on its player
    (:meth:`EventPlayer.set_events`), from ``settings.v_init_mv``, with ``settings.engine``
    (:func:`advance`); returns the soma voltage at every step (mV, float64; ``[k]`` at
    ``t = k * dt_ms``)."""
    from neuron import h

    apply(settings)
    h.tstop = float(duration_ms)
    v_rec = h.Vector().record(cell.soma._ref_v)
    h.finitialize(settings.v_init_mv)
    advance(settings, float(duration_ms))
    return v_rec.as_numpy().copy()


def run(cell: BuiltCell, player: EventPlayer, duration_ms: int,
        settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Simulate ``cell`` for ``duration_ms`` ms under the events already set on ``player``
    (:meth:`EventPlayer.set_events`; the player must stay alive), from
    ``settings.v_init_mv``, with ``settings.engine`` (:func:`advance`).

    Returns:
        the soma voltage at t = 0, 1, ..., duration_ms - 1 ms (mV, float32;
        :func:`sample_every_ms`) and the soma spike times (ms; :func:`detect_spikes` on
        the voltage of every step).
    """
    del player  # the events are set on it; it only has to outlive the run
    v = record_soma(cell, duration_ms, settings)
    soma = sample_every_ms(v, settings.dt_ms, duration_ms)
    return soma, detect_spikes(v, settings.dt_ms, settings.spike_threshold_mv)
