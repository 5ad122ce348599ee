"""Input-rate calibration: scale a cell's input rates until it fires at a target rate.

Output rates under the common protocol differ wildly between cells, and the spike AUC (and
so the score and the FCI) depends on the output rate: cells are compared at a matched rate
(about 1 Hz, as Aizenbud et al. did). Calibration finds one factor ``rate_scale`` that
multiplies every input rate of the cell (excitatory and inhibitory alike, so their balance
is kept) such that the cell's mean output rate over a calibration set is within
``target_rate_hz * (1 +- tolerance)``.

The search (:func:`next_scale`) works on log scale and log rate. Until the target is
bracketed it extrapolates from the probe closest to the target on a power law (exponent 2,
or the one two firing probes measure; steps of at most x4, doubling while every probe is
silent); then it interpolates log-linearly between the bracket's ends (bisecting when a
bracket end fired no spike). The first probe is a full one (``n_sims`` simulations) at the
spec's ``inputs.start_rate_scale`` (default 1: the spec's rates), which a cell's author
sets near the target, so such a cell needs one probe. When it is more than
:data:`COARSE_FACTOR` off the target, the following probes are coarse (the plan's
``coarse_n_sims``, when set) until one fires within that factor: they only steer. Only a
full probe can end the search: a coarse probe within twice the tolerance is repeated at
full size at its own scale (:func:`confirms`), and once the last probe is a full one, the
next scale starts from the full probe nearest the target (a coarse probe's few simulations
can be biased in level: every probe uses the same first input draws, and the L5PC's first
12 calibration simulations fire at half the rate of its 48) and follows the local slope
that all probes measure (:func:`steer_full`). Every probe is a small simulation set
(``probe-<k>/``, ordinary shards, so an interrupted probe resumes) and the search state is
``calibration.json`` in the run folder, rewritten atomically after each probe: a rerun
continues the search where it stopped and reaches the same scale.

Calibration simulations use the run seed + :data:`SEED_OFFSET`, so they never share inputs
with the run's own simulations.

Because every probe of the search draws the same inputs, the search places the rate of
those draws; for a cell whose output varies much from simulation to simulation (the L5PC
with NMDA synapses: half of its simulations silent, a few with 15 spikes in 3 s) one set of
32 draws can fire twice the rate of the next. A plan with ``confirm_width`` then confirms
the scale the search ends on (:func:`confirm_verdict`): probes of fresh draws (each its own
set, seed + ``(k + 1) * SEED_OFFSET`` for the k-th), pooled at one scale, are added until
their pooled rate is within the tolerance and its 95% interval within
``target * (1 +- confirm_width)``; when the pooled rate is clearly outside the band, the
scale moves along the search's local slope, and the probes made at earlier scales stay in
the pool, their counts carried to the new scale along that slope. The search's
own last probe is not pooled: it was kept because its draws landed in the band.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.cells.spec import CellSpec
from benchmark.core import atomic
from benchmark.core.errors import CalibrationError, UserError
from benchmark.core.profiles import Calibration, DataPlan
from benchmark.core.progress import log
from benchmark.simulation import shards

CALIBRATION_FILE = "calibration.json"
SEED_OFFSET = 1_000_000
"""Calibration simulations use seed ``run seed + SEED_OFFSET`` (run seeds stay below it)."""


@dataclass(frozen=True)
class Probe:
    """One point of the search: the scale tried, the mean output rate (Hz) it gave and the
    simulations it averaged (None: the plan's ``n_sims``, as in searches stored before
    coarse probes)."""

    rate_scale: float
    rate_hz: float
    n_sims: int | None = None
    draws: int = 0
    """The input draws: 0, the search's common set (seed + SEED_OFFSET); k >= 1, the k-th
    fresh set of a confirmation (:func:`probe_seed`)."""

    def is_full(self, plan: Calibration) -> bool:
        return self.n_sims is None or self.n_sims >= plan.n_sims


def probe_seed(seed: int, draws: int) -> int:
    """The simulation seed of a probe of draw set ``draws`` for run seed ``seed`` (run seeds
    stay below :data:`SEED_OFFSET`, so no two sets, and no run, share a seed)."""
    return seed + (draws + 1) * SEED_OFFSET


def within(rate_hz: float, plan: Calibration) -> bool:
    """True when ``rate_hz`` is within the target's relative tolerance."""
    return abs(rate_hz / plan.target_rate_hz - 1.0) <= plan.tolerance


COARSE_FACTOR = 2.0
"""A probe is coarse until some probe has fired within this factor of the target rate."""


def probe_size(probes: list[Probe], plan: Calibration) -> int:
    """Simulations of the next probe: the first is full (``n_sims``); after it,
    ``coarse_n_sims`` while every probe so far fired more than :data:`COARSE_FACTOR` away
    from the target (or none fired), else ``n_sims``."""
    if not probes or plan.coarse_n_sims is None or plan.coarse_n_sims >= plan.n_sims:
        return plan.n_sims
    near = any(p.rate_hz > 0 and abs(math.log(p.rate_hz / plan.target_rate_hz))
               <= math.log(COARSE_FACTOR) for p in probes)
    return plan.n_sims if near else plan.coarse_n_sims


def confirms(probe: Probe, plan: Calibration) -> bool:
    """A coarse probe within twice the tolerance is repeated at full size at its own scale:
    its rate is too noisy (about twice the full probe's error) to steer a step that small."""
    return (not probe.is_full(plan)
            and abs(probe.rate_hz / plan.target_rate_hz - 1.0) <= 2.0 * plan.tolerance)


def choose_scale(probes: list[Probe], plan: Calibration) -> float:
    """The next probe's scale: a coarse probe to confirm keeps its scale; after a full
    probe the full probes set the level and every probe the slope (:func:`steer_full`);
    otherwise every probe steers (:func:`next_scale`)."""
    if probes and confirms(probes[-1], plan):
        return probes[-1].rate_scale
    if probes and probes[-1].is_full(plan):
        return steer_full(probes, plan)
    return next_scale(probes, plan)


def local_exponent(probes: list[Probe], anchor: Probe, plan: Calibration) -> float | None:
    """The slope of log rate on log scale at ``anchor``: to the firing probe nearest it in
    scale among those at least :data:`MIN_SLOPE_SPAN` away (at a scale probed both ways,
    the full probe's rate), coarse probes included. None when there is no such probe or the
    rate does not rise with the scale."""
    by_scale: dict[float, Probe] = {}
    for p in probes:
        if p.rate_hz > 0 and (p.rate_scale not in by_scale or p.is_full(plan)):
            by_scale[p.rate_scale] = p
    span = lambda p: abs(math.log(p.rate_scale / anchor.rate_scale))  # noqa: E731
    others = [p for p in by_scale.values() if span(p) >= math.log(MIN_SLOPE_SPAN)]
    if not others:
        return None
    other = min(others, key=span)
    if other.rate_hz == anchor.rate_hz:
        return None
    exponent = (math.log(other.rate_hz / anchor.rate_hz)
                / math.log(other.rate_scale / anchor.rate_scale))
    return min(max(exponent, 0.5), 6.0) if exponent > 0 else None


MIN_SLOPE_SPAN = 1.1
"""A slope is measured between scales at least this factor apart (a full probe's rate is
good to about 10%, so a closer pair's slope would be mostly noise)."""


def steer_full(probes: list[Probe], plan: Calibration) -> float:
    """The next scale once a full probe exists: from the full probe nearest the target,
    along its :func:`local_exponent` (coarse probes included: their level may be biased,
    but a neighbour's slope is the curve's local one, where a far full probe only gives
    a chord), kept inside the full probes' bracket; :func:`next_scale` of the full probes
    when no slope is measured. With the two full ends of a bracket as the only probes this
    is :func:`next_scale`'s log-linear interpolation."""
    full = [p for p in probes if p.is_full(plan)]
    firing = [p for p in full if p.rate_hz > 0]
    target = plan.target_rate_hz
    if not firing:
        return next_scale(full, plan)
    anchor = min(firing, key=lambda p: abs(math.log(p.rate_hz / target)))
    exponent = local_exponent(probes, anchor, plan)
    if exponent is None:
        return next_scale(full, plan)
    step = (target / anchor.rate_hz) ** (1.0 / exponent)
    scale = anchor.rate_scale * min(max(step, 1.0 / MAX_STEP), MAX_STEP)
    below = [p.rate_scale for p in full if p.rate_hz < target]
    above = [p.rate_scale for p in full if p.rate_hz > target]
    if below and above:  # stay inside the bracket, a little away from its ends
        a, b = math.log(max(below)), math.log(min(above))
        margin = min(0.1 * (b - a), BRACKET_MARGIN)
        scale = min(max(scale, math.exp(a + margin)), math.exp(b - margin))
    return scale


BRACKET_MARGIN = math.log(1.02)
""":func:`steer_full` keeps the next scale at least 2% (or a tenth of a narrower bracket)
inside the full probes' bracket."""


def done(probes: list[Probe], plan: Calibration) -> bool:
    """The search is over: the last probe is a full one and within the tolerance."""
    return bool(probes) and probes[-1].is_full(plan) and within(probes[-1].rate_hz, plan)


MAX_CONFIRM_PROBES = 24
"""A confirmation adds at most this many probes of fresh draws."""
MAX_POOLED_PROBES = 8
"""Once a confirmation has pooled this many probes the pooled rate decides alone (``done``
within the tolerance, ``move`` outside it), however wide its interval: a cell whose rate
varies so much that 8 probes cannot narrow it to ``confirm_width`` (the found depth-1
teacher: a per-simulation CV of 2.9 at 3 s; docs/scoring.md, section 9) is placed as well
as that many simulations can place it, and the record says how well."""


def fresh_probes(probes: list[Probe]) -> list[int]:
    """Indices of the confirmation's probes (fresh draws), in order."""
    return [i for i, p in enumerate(probes) if p.draws > 0]


def confirm_exponent(probes: list[Probe], plan: Calibration) -> float:
    """The slope of log rate on log scale that carries confirmation probes to one scale:
    the search's local slope at its last probe (:func:`local_exponent`), else
    :data:`ASSUMED_EXPONENT`."""
    search = [p for p in probes if p.draws == 0]
    return local_exponent(search, search[-1], plan) or ASSUMED_EXPONENT


def pooled_counts(run: Path, probes: list[Probe], plan: Calibration) -> np.ndarray:
    """Spike counts of every confirmation simulation, carried to the last probe's scale:
    a probe at scale ``s_i`` counts ``(s / s_i) ** exponent`` times its spikes
    (:func:`confirm_exponent`; probes at ``s`` itself as they are), so a move keeps the
    simulations already made."""
    scale, exponent = probes[-1].rate_scale, confirm_exponent(probes, plan)
    return np.concatenate([shards.spike_counts(probe_folder(run, i)).astype(float)
                           * (scale / probes[i].rate_scale) ** exponent
                           for i in fresh_probes(probes)])


def confirm_verdict(rate_hz: float, ci: tuple[float, float], plan: Calibration,
                    n_probes: int = 1) -> str:
    """What a confirmation's pooled rate (Hz) and its 95% interval, over ``n_probes``
    probes, say: ``done`` (the rate within the tolerance, the interval within
    ``target * (1 +- confirm_width)``); ``move`` (the rate outside the tolerance, and either
    the interval excludes the target or it is already as narrow as a confirmed one,
    ``rate * (1 +- confirm_width)``: the rate is known well enough to steer by); else
    ``more`` (another probe at this scale), until :data:`MAX_POOLED_PROBES` are pooled."""
    lo, hi = ci
    full = n_probes >= MAX_POOLED_PROBES
    if within(rate_hz, plan):
        return "done" if within_width(ci, plan.target_rate_hz, plan) or full else "more"
    narrow = within_width(ci, rate_hz, plan)
    return "move" if narrow or full or not lo <= plan.target_rate_hz <= hi else "more"


def within_width(ci: tuple[float, float], centre_hz: float, plan: Calibration) -> bool:
    """True when the interval ``ci`` (Hz) lies within ``centre_hz * (1 +- confirm_width)``."""
    width = plan.confirm_width or 0.0
    return centre_hz * (1 - width) <= ci[0] and ci[1] <= centre_hz * (1 + width)


def moved_scale(probes: list[Probe], rate_hz: float, plan: Calibration) -> float:
    """The scale a confirmation moves to from the last probe's, where the pooled rate is
    ``rate_hz``: along :func:`confirm_exponent`, at most :data:`MAX_STEP`; twice the scale
    when the pooled probes fired nothing."""
    scale = probes[-1].rate_scale
    if rate_hz <= 0:
        return scale * 2.0
    step = (plan.target_rate_hz / rate_hz) ** (1.0 / confirm_exponent(probes, plan))
    return scale * min(max(step, 1.0 / MAX_STEP), MAX_STEP)


def probe_folder(run: Path, index: int) -> Path:
    return run / "calibration" / f"probe-{index}"


def next_probe(probes: list[Probe], plan: Calibration, run: Path,
               start_scale: float) -> tuple[float, int] | None:
    """The next probe's (scale, draw set), or None when the calibration is finished: the
    search (:func:`choose_scale`) until :func:`done`, then, with ``confirm_width``, probes
    of fresh draws until :func:`confirm_verdict` on all of them says ``done``."""
    if not probes:
        return start_scale, 0
    fresh = max(p.draws for p in probes)
    if fresh == 0:
        if not done(probes, plan):
            return choose_scale(probes, plan), 0
        return None if plan.confirm_width is None else (probes[-1].rate_scale, 1)
    counts = pooled_counts(run, probes, plan)
    rate = _rate(counts, plan.duration_ms)
    verdict = confirm_verdict(rate, rate_interval(counts, plan.duration_ms), plan, fresh)
    if verdict == "done":
        return None
    scale = probes[-1].rate_scale if verdict == "more" else moved_scale(probes, rate, plan)
    return scale, fresh + 1


def _rate(counts: np.ndarray, duration_ms: int) -> float:
    return float(counts.mean()) * 1000.0 / duration_ms if counts.size else 0.0


ASSUMED_EXPONENT = 2.0
"""Before the target is bracketed, the output rate is taken to grow as scale ** 2 near the
probe closest to the target (a thresholded cell's rate rises faster than its input), unless
two firing probes on the same side measure the exponent."""
MAX_STEP = 4.0
"""No step changes the scale by more than this factor."""


def next_scale(probes: list[Probe], plan: Calibration) -> float:
    """The next scale to try, given the probes so far (the first probe is scale 1)."""
    if not probes:
        return 1.0
    below = [p for p in probes if p.rate_hz < plan.target_rate_hz]
    above = [p for p in probes if p.rate_hz > plan.target_rate_hz]
    if below and above:
        return _inside(max(below, key=lambda p: p.rate_scale),
                       min(above, key=lambda p: p.rate_scale), plan)
    side = above or below
    firing = sorted((p for p in side if p.rate_hz > 0),
                    key=lambda p: abs(math.log(p.rate_hz / plan.target_rate_hz)))
    if not firing:  # every probe silent: no rate to extrapolate from
        return max(p.rate_scale for p in probes) * 2.0
    near, exponent = firing[0], ASSUMED_EXPONENT
    others = [p for p in firing[1:]
              if p.rate_scale != near.rate_scale and p.rate_hz != near.rate_hz]
    if others:
        far = others[0]
        exponent = (math.log(near.rate_hz / far.rate_hz)
                    / math.log(near.rate_scale / far.rate_scale))
        exponent = min(max(exponent, 0.5), 6.0) if exponent > 0 else ASSUMED_EXPONENT
    step = (plan.target_rate_hz / near.rate_hz) ** (1.0 / exponent)
    return near.rate_scale * min(max(step, 1.0 / MAX_STEP), MAX_STEP)


def _inside(lo: Probe, hi: Probe, plan: Calibration) -> float:
    """A scale inside the bracket (lo fires below the target, hi above): log-linear
    interpolation of log rate on log scale, bisection when lo is silent."""
    a, b = math.log(lo.rate_scale), math.log(hi.rate_scale)
    if lo.rate_hz <= 0.0:
        return math.exp((a + b) / 2.0)
    fa, fb = math.log(lo.rate_hz), math.log(hi.rate_hz)
    target = math.log(plan.target_rate_hz)
    frac = (target - fa) / (fb - fa) if fb != fa else 0.5
    frac = min(max(frac, 0.1), 0.9)  # stay inside the bracket, away from its ends
    return math.exp(a + frac * (b - a))


def rate_interval(counts: np.ndarray, duration_ms: int, ci: float = 0.95, n_boot: int = 2000,
                  seed: int = 0) -> tuple[float, float]:
    """Percentile-bootstrap interval (Hz) of the mean output rate of simulations with spike
    ``counts`` of ``duration_ms`` (ms) each, resampling whole simulations. Output rates
    under the protocol vary from simulation to simulation far more than a Poisson count's
    (each draws its own input statistics), so the interval is wide for a few dozen."""
    counts = np.asarray(counts, dtype=float)
    if counts.size == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = counts[rng.integers(0, counts.size, size=(n_boot, counts.size))].mean(axis=1)
    lo, hi = np.quantile(means, [(1.0 - ci) / 2.0, (1.0 + ci) / 2.0])
    return float(lo) * 1000.0 / duration_ms, float(hi) * 1000.0 / duration_ms


def mean_rate_hz(folder: Path, duration_ms: int) -> float:
    """Mean output rate (Hz) of the simulations indexed in ``folder``."""
    n_sims, spikes = shards.index_counts(folder)
    return spikes / (n_sims * duration_ms / 1000.0)


def _read_state(path: Path, plan: Calibration) -> list[Probe]:
    if not path.is_file():
        return []
    state = json.loads(path.read_text())
    if state.get("plan") != plan_dict(plan):
        raise UserError(f"{path}: holds a calibration with other settings; delete the run's "
                        "calibration folder and calibration.json, or use another --out")
    return [Probe(**p) for p in state["probes"]]


def plan_dict(plan: Calibration) -> dict[str, Any]:
    """The plan as stored and recorded (``confirm_width`` only when set, so searches and
    records from before the field compare equal)."""
    out = asdict(plan)
    if out.get("confirm_width") is None:
        out.pop("confirm_width", None)
    return out


def probe_dict(probe: Probe, plan: Calibration) -> dict[str, Any]:
    """A probe as recorded (``draws`` only for a confirmation's fresh draws)."""
    out = asdict(replace(probe, n_sims=probe.n_sims or plan.n_sims))
    if not out["draws"]:
        del out["draws"]
    return out


def result_block(probes: list[Probe], plan: Calibration) -> dict[str, Any]:
    """What the record says about the calibration (the last probe is the chosen one)."""
    last = probes[-1]
    return {"target_rate_hz": plan.target_rate_hz, "tolerance": plan.tolerance,
            "rate_scale": last.rate_scale, "achieved_rate_hz": last.rate_hz,
            "converged": done(probes, plan), "n_sims": plan.n_sims,
            "duration_ms": plan.duration_ms,
            "probes": [probe_dict(p, plan) for p in probes],
            "plan": plan_dict(plan)}


Simulate = Callable[[CellSpec, DataPlan, int, Path, float], Any]


def calibrate(spec: CellSpec, plan: Calibration, seed: int, run: Path,
              simulate: Simulate) -> dict[str, Any]:
    """Search the rate scale (resuming a stored search); returns :func:`result_block`.

    ``simulate(spec, data, seed, folder, rate_scale)`` runs one probe's simulations into
    ``folder`` (the simulation stage, injected so tests and executors can vary).
    Raises CalibrationError (a UserError) when the search ends outside the target.
    """
    state_path = run / CALIBRATION_FILE
    probes = _read_state(state_path, plan)
    while (step := next_probe(probes, plan, run, spec.start_rate_scale)) is not None:
        scale, draws = step
        _check(spec, plan, state_path, probes, scale, draws)
        n_sims = plan.n_sims if draws else probe_size(probes, plan)
        data = DataPlan(n_train=n_sims, n_valid=0, n_test=0, duration_ms=plan.duration_ms,
                        sims_per_shard=max(1, min(n_sims, 4)))
        folder = probe_folder(run, len(probes))
        simulate(spec, data, probe_seed(seed, draws), folder, scale)
        probes.append(Probe(scale, mean_rate_hz(folder, plan.duration_ms), n_sims, draws))
        log(_progress(spec, plan, run, probes))
        atomic.write_json(state_path, {"plan": plan_dict(plan),
                                       "probes": [asdict(p) for p in probes]})
    return finished_block(run, probes, plan)


def _check(spec: CellSpec, plan: Calibration, state_path: Path, probes: list[Probe],
           scale: float, draws: int) -> None:
    """Raise CalibrationError when the next probe would exceed the plan's limits."""
    if draws > MAX_CONFIRM_PROBES:
        raise CalibrationError(
            f"{state_path}: the confirmation of {spec.name}'s rate scale did not place its "
            f"rate within {plan.target_rate_hz} Hz +- {plan.tolerance:.0%} in "
            f"{MAX_CONFIRM_PROBES} probes of fresh inputs; widen the profile's calibration "
            "tolerance")
    if not draws and len(probes) >= plan.max_probes:
        tried = ", ".join(f"x{p.rate_scale:.3g}: {p.rate_hz:.3g} Hz" for p in probes)
        raise CalibrationError(
            f"{state_path}: calibration of {spec.name} did not reach "
            f"{plan.target_rate_hz} Hz +- {plan.tolerance:.0%} in {plan.max_probes} "
            f"probes ({tried}); check that the cell fires under its inputs "
            "([inputs.trees] rates in cell.toml), or run without calibration")
    if not plan.min_scale <= scale <= plan.max_scale:
        raise CalibrationError(
            f"{state_path}: calibration of {spec.name} needs a rate scale of {scale:.3g}, "
            f"outside [{plan.min_scale}, {plan.max_scale}]; fix the cell's input rates "
            "([inputs.trees] in cell.toml) so that it fires near "
            f"{plan.target_rate_hz} Hz at scale 1")


def _progress(spec: CellSpec, plan: Calibration, run: Path, probes: list[Probe]) -> str:
    """The log line of the probe just made (the last of ``probes``)."""
    probe, band = probes[-1], f"target {plan.target_rate_hz} Hz +- {plan.tolerance:.0%}"
    if not probe.draws:
        kind = "" if probe.is_full(plan) else " (coarse probe)"
        return (f"calibration probe {len(probes)} of {spec.name}: rate scale "
                f"{probe.rate_scale:.4g} -> {probe.rate_hz:.3g} Hz on {probe.n_sims} "
                f"simulations{kind} ({band})")
    counts = pooled_counts(run, probes, plan)
    lo, hi = rate_interval(counts, plan.duration_ms)
    return (f"calibration confirmation {probe.draws} of {spec.name}: rate scale "
            f"{probe.rate_scale:.4g} -> {probe.rate_hz:.3g} Hz on {probe.n_sims} fresh "
            f"simulations; pooled {_rate(counts, plan.duration_ms):.3g} Hz "
            f"[{lo:.3g}, {hi:.3g}] on {counts.size} ({band}, interval within "
            f"+- {plan.confirm_width:.0%})")


def stored(run: Path) -> dict[str, Any] | None:
    """The finished calibration of a run folder, if any (for the record)."""
    path = run / CALIBRATION_FILE
    if not path.is_file():
        return None
    state = json.loads(path.read_text())
    plan = Calibration(**state["plan"])
    probes = [Probe(**p) for p in state["probes"]]
    if not probes or next_probe(probes, plan, run, 1.0) is not None:
        return None
    return finished_block(run, probes, plan)


def finished_block(run: Path, probes: list[Probe], plan: Calibration) -> dict[str, Any]:
    """:func:`result_block` with the chosen probe's rate interval (``achieved_rate_ci``, Hz)
    when its simulations are in the run folder."""
    block = result_block(probes, plan)
    group = fresh_probes(probes)
    if group:  # a confirmed scale: the pooled fresh probes
        counts = pooled_counts(run, probes, plan)
        ci = rate_interval(counts, plan.duration_ms)
        block.update(achieved_rate_hz=_rate(counts, plan.duration_ms), converged=True,
                     n_sims=int(counts.size), achieved_rate_ci=list(ci),
                     confirmation={"confirm_width": plan.confirm_width,
                                   "n_sims": int(counts.size), "probes": group,
                                   "exponent": confirm_exponent(probes, plan),
                                   "within_width": within_width(ci, plan.target_rate_hz,
                                                                plan)})
        return block
    last = probe_folder(run, len(probes) - 1)
    if (last / shards.INDEX_FILE).is_file():
        block["achieved_rate_ci"] = list(rate_interval(shards.spike_counts(last),
                                                       plan.duration_ms))
    return block
