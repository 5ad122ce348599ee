"""Conformance checks of a cell model, in tiers: may it join the benchmark?

Tiers, in order (each assumes the ones before it passed; the first failure stops):

=========== ==================================================================================
spec        the cell.toml parses and follows the schema; every data file is found (mirror,
            cache or download) and matches its sha256
mechanisms  the cell's mechanism catalogues and mod folders compile with ``nrnivmodl``
build       the cell builds in a worker process and its input sites are on dendrites
            (a point neuron, with no dendritic section, has them on its soma)
rest        with no input it rests between :data:`REST_RANGE_MV`, its voltage is finite and
            it does not fire after the first :data:`REST_SETTLE_MS`
response    it fires under the protocol's input at some rate scale up to the calibration's
            largest (:data:`RESPONSE_SCALES`)
determinism the same seed gives the same soma trace twice
integration the cell's integration setting behaves as its published original's
            (``[simulation.reference]``): somatic steps and a protocol replay at both
            settings give the same spikes (:mod:`benchmark.simulation.integration`)
smoke       ``python -m benchmark run --profile smoke`` end to end (simulate, fit, score)
=========== ==================================================================================

Every failure is one line that says what is wrong and how to fix it. Use it from the
command line (``python -m benchmark validate --cell NAME_OR_PATH``) or from a third party's
own tests, like scikit-learn's ``check_estimator``::

    from benchmark.pipeline.validation import check_cell
    check_cell("path/to/my_cell")          # raises CellCheckError at the first failure

The parent process never imports NEURON: the simulating tiers run in worker processes that
load only this cell's compiled mechanisms (its own mod files included, so their names may
clash with the project's catalogues without harm).
"""

from __future__ import annotations

import contextlib
import math
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.cells import data_files, registry
from benchmark.cells.spec import CellSpec
from benchmark.core import profiles
from benchmark.core.errors import UserError
from benchmark.pipeline import stages
from benchmark.pipeline.config import RunConfig
from benchmark.scoring.record import describe_score
from benchmark.simulation import engine, integration, mechanisms, physiology, shards

TIERS = ("spec", "mechanisms", "build", "rest", "response", "determinism", "integration",
         "smoke")
REST_RANGE_MV = (-100.0, -40.0)   # mV: a plausible resting potential
REST_DURATION_MS = 1000.0         # ms of rest simulated
REST_SETTLE_MS = 200.0            # ms: spikes before this (from v_init) are forgiven
RESPONSE_SCALES = (1.0, 8.0, 64.0)  # input-rate factors tried, up to the calibration's max
MAX_PLAUSIBLE_RATE_HZ = 100.0  # Hz: a response tier rate above this is warned about
RESPONSE_PLAN = profiles.DataPlan(n_train=2, n_valid=0, n_test=0, duration_ms=1000,
                                  sims_per_shard=2)  # 2 simulations of 1 s per scale
DENDRITIC_TREES = ("basal", "apical", "dend", "apic", "oblique", "tuft")


class CellCheckError(UserError):
    """A tier failed: ``tier`` names it; ``str()`` is the one-line message with its fix."""

    def __init__(self, tier: str, message: str) -> None:
        super().__init__(f"{tier}: {message}")
        self.tier = tier


@dataclass
class TierResult:
    """One tier's outcome: passed or not, a one-line message, its wall time (s), and a
    warning (a passed tier whose result is implausible; None when there is none)."""

    tier: str
    passed: bool
    message: str
    seconds: float = 0.0
    warning: str | None = None


@dataclass
class Context:
    """What the tiers share: the cell's argument, then its spec, files and a scratch folder."""

    cell: str
    work: Path
    mirror: Path | None = None
    warning: str | None = None
    spec: CellSpec | None = None
    files: dict[str, str] = field(default_factory=dict)
    coreneuron_crash: str | None = None  # a probe that crashed CoreNEURON but ran on NEURON


def _fail(tier: str, message: str) -> CellCheckError:
    return CellCheckError(tier, message)


def tier_spec(ctx: Context) -> str:
    try:
        ctx.spec = registry.get(ctx.cell)
        ctx.files = data_files.ensure(ctx.spec, mirror=ctx.mirror)
    except UserError as exc:
        raise _fail("spec", str(exc)) from exc
    return (f"{ctx.spec.folder / 'cell.toml'} follows the schema; "
            f"{len(ctx.files)} data file(s) match their sha256")


def _teacher_digest_check(spec: CellSpec) -> str:
    """A teacher's stand-in for the mechanisms tier: its weights match the pinned hash."""
    from benchmark.simulation.teacher import pin

    if spec.get("parameters.found") is not None:  # its weights file is pinned in [files]
        return (f"no mechanisms: a found teacher network of depth "
                f"{engine.teacher_depth(spec)}, its weights file "
                f"{spec.get('parameters.network')} pinned by sha256 under [files]")
    digest, pinned = pin.digest(spec.name), spec.get("parameters.weights_sha256")
    if digest != pinned:
        raise _fail("mechanisms", f"{spec.folder / 'cell.toml'}: the teacher's drawn weights "
                                  f"hash to {digest}, not parameters.weights_sha256 {pinned}; "
                                  "fix: if the construction changed on purpose, pin the new "
                                  "hash and bump the cell's version")
    return (f"no mechanisms: a teacher network of depth {spec.get('parameters.teacher.depth')}"
            f", its weights match the pinned hash {digest[:12]}...")


def tier_mechanisms(ctx: Context) -> str:
    assert ctx.spec is not None
    if engine.is_teacher(ctx.spec):
        return _teacher_digest_check(ctx.spec)
    try:
        choice = engine.choose(ctx.spec)
    except mechanisms.CompileError as exc:
        lines = [line.strip() for line in exc.details.splitlines()
                 if not line.startswith(("make", "subprocess"))]
        first = next((x for x in lines if x.startswith("Error:")), "") or next(
            (x for x in lines if re.search(r"\berror\b", x, re.IGNORECASE)), "")
        where = f" ({first})" if first else ""
        raise _fail("mechanisms", f"{str(exc).split(';')[0]}{where}; fix: correct the mod "
                                  "file (run nrnivmodl on the cell's mod folder to see all "
                                  "of the compiler's output)") from exc
    except UserError as exc:
        raise _fail("mechanisms", str(exc)) from exc
    sources = ", ".join(Path(s).name for s in ctx.spec.mechanism_sources())
    n_mod = len(mechanisms.mod_files(ctx.spec.mechanism_sources()))
    return (f"{n_mod} mod files of {sources} compiled ({choice.library.parent.parent.name}); "
            f"{engine.describe(choice)}")


def _probe(ctx: Context, tier: str, name: str, **kwargs: Any) -> dict[str, Any]:
    assert ctx.spec is not None
    try:
        return physiology.measure(ctx.spec, name, **kwargs)
    except UserError:
        raise
    except Exception as exc:  # the worker's own error: the cell's builder or mechanisms
        text = " ".join(str(exc).split()) or type(exc).__name__
        failed = _fail(tier, f"the cell failed in NEURON ({type(exc).__name__}: {text[:300]}); "
                             f"fix: the cell's [parameters] or its mod files")
        if engine.requested(ctx.spec) != "coreneuron":
            raise failed from exc
        # CoreNEURON stops a process at what NEURON reports (a NaN voltage, ...): ask NEURON
        try:
            result = physiology.measure(ctx.spec.with_engine("neuron"), name, **kwargs)
        except Exception:
            raise failed from exc
        ctx.coreneuron_crash = f"probe '{name}': {type(exc).__name__}"
        return result


def _crash_verdict(ctx: Context, result: TierResult) -> TierResult:
    """A tier whose probe crashed CoreNEURON and ran on NEURON: its own failure (said to be
    NEURON's), else a failure that names the engine and the fix."""
    if ctx.coreneuron_crash is None:
        return result
    crash, ctx.coreneuron_crash = ctx.coreneuron_crash, None
    if not result.passed:
        result.message += f" (CoreNEURON crashed on this cell, {crash}; this is NEURON's result)"
        return result
    return TierResult(result.tier, False, f"the cell crashes CoreNEURON ({crash}) but runs on "
                                          f"NEURON ({result.message}); fix: set "
                                          "simulation.engine = \"neuron\" in its cell.toml")


def _teacher_build(spec: CellSpec, files: dict[str, str]) -> str:
    from benchmark.simulation.teacher.cell import TeacherCell

    cell = TeacherCell(dict(spec.data), files)
    kinds = list(cell.sites["kind"])
    return (f"built: {len(kinds)} inputs ({kinds.count('exc')} excitatory, "
            f"{kinds.count('inh')} inhibitory) on the layout of "
            f"{spec.get('parameters.layout')}, a network of depth {cell.depth}")


def tier_build(ctx: Context) -> str:
    assert ctx.spec is not None
    if engine.is_teacher(ctx.spec):
        return _teacher_build(ctx.spec, ctx.files)
    anatomy = _probe(ctx, "build", "anatomy")
    sites = anatomy["sites"]
    n = len(sites["kind"])
    if n == 0:
        raise _fail("build", f"{ctx.spec.folder / 'cell.toml'}: the built cell has no input "
                             "synapses; fix: [inputs.trees] and the builder's synapse regions")
    # a point neuron (no dendritic sections) takes its inputs on the soma
    point = not any(anatomy["regions"][r]["n_sections"] for r in ("dend", "apic"))
    wrong = [(s, t) for s, t in zip(sites["section"], sites["tree"], strict=True)
             if not point and (t not in DENDRITIC_TREES or s.startswith(("soma", "axon")))]
    if wrong:
        section, tree = wrong[0]
        raise _fail("build", f"{len(wrong)} of {n} input sites are not on dendrites (e.g. "
                             f"section {section}, tree {tree}); fix: the cell's "
                             "parameters.synapse_regions must name dendritic regions")
    kinds = {k: sites["kind"].count(k) for k in ("exc", "inh")}
    return f"built: {n} inputs ({kinds['exc']} excitatory, {kinds['inh']} inhibitory)" + (
        " on the soma of a point neuron" if point else " on dendrites")


def tier_rest(ctx: Context) -> str:
    assert ctx.spec is not None
    if engine.is_teacher(ctx.spec):
        return "not applicable: a teacher network has no membrane to rest"
    rest = _probe(ctx, "rest", "resting", duration_ms=REST_DURATION_MS, window_ms=100.0)
    v = rest["v_rest_mv"]
    values = (v, rest["v_min_last_mv"], rest["v_max_last_mv"], rest["v_steady_mv"])
    if not all(math.isfinite(x) for x in values):
        raise _fail("rest", "the soma voltage is not finite (NaN or infinite) at rest; fix: "
                            "a mechanism divides by zero or its parameters are invalid")
    lo, hi = REST_RANGE_MV
    if not lo <= v <= hi:
        raise _fail("rest", f"rests at {v:.1f} mV, outside the plausible {lo:g} to {hi:g} mV; "
                            "fix: the passive reversal (e_pas) or the channel densities")
    late = [t for t in rest["spike_times_ms"] if t > REST_SETTLE_MS]
    if late:
        raise _fail("rest", f"fires {len(late)} spike(s) with no input after "
                            f"{REST_SETTLE_MS:g} ms (first at {late[0]:.1f} ms); fix: lower "
                            "the excitability (sodium or Ih densities) so the cell is silent "
                            "at rest")
    return f"rests at {v:.1f} mV (drift {rest['drift_mv']:+.3f} mV over 100 ms), silent"


def _simulate(ctx: Context, folder: Path, scale: float, seed: int = 0) -> list[Any]:
    from benchmark.simulation import runner as simulation

    assert ctx.spec is not None
    with open(ctx.work / "simulate.log", "a") as stream, contextlib.redirect_stderr(stream):
        simulation.simulate(ctx.spec, RESPONSE_PLAN, seed, folder, rate_scale=scale,
                            n_workers=1)
    return [s for p in sorted(folder.glob("shard-*.h5")) for s in shards.read_shard(p)]


def tier_response(ctx: Context) -> str:
    for scale in RESPONSE_SCALES:
        sims = _simulate(ctx, ctx.work / f"response-x{scale:g}", scale)
        if any(not np.all(np.isfinite(s.soma_mv)) for s in sims):
            raise _fail("response", f"the soma voltage becomes NaN or infinite under input "
                                    f"(rates x{scale:g}); fix: the synapse or channel "
                                    "mechanisms")
        n = sum(len(s.spike_times_ms) for s in sims)
        if n:
            seconds = len(sims) * RESPONSE_PLAN.duration_ms / 1000
            rate = n / seconds
            text = (f"fires {n} spike(s) in {seconds:g} s of the protocol at rates x{scale:g} "
                    f"({rate:.3g} Hz)")
            if rate > MAX_PLAUSIBLE_RATE_HZ:
                ctx.warning = (f"{rate:.0f} Hz under the protocol's own rates is implausible "
                               f"for a neuron (above {MAX_PLAUSIBLE_RATE_HZ:g} Hz); check the "
                               "spike threshold and the cell's excitability: calibration "
                               "will scale its inputs far down to reach about 1 Hz")
            return text
    raise _fail("response", f"never fires under the protocol's input, even at rates "
                            f"x{RESPONSE_SCALES[-1]:g} (the calibration's largest factor); fix: "
                            "check the spike threshold (simulation.spike_threshold_mv), the "
                            "synapse regions and the cell's excitability")


def tier_determinism(ctx: Context) -> str:
    first = _simulate(ctx, ctx.work / "determinism-a", 1.0, seed=7)
    second = _simulate(ctx, ctx.work / "determinism-b", 1.0, seed=7)
    for a, b in zip(first, second, strict=True):
        same_inputs = (np.array_equal(a.input_channel, b.input_channel)
                       and np.array_equal(a.input_time_ms, b.input_time_ms))
        if not same_inputs or not np.array_equal(a.soma_mv, b.soma_mv, equal_nan=True):
            what = "inputs" if not same_inputs else "soma voltage"
            raise _fail("determinism", f"the same seed gave a different {what} (simulation "
                                       f"{a.sim_index}); fix: no unseeded randomness in the "
                                       "cell (mod files' random calls, Python's random)")
    return f"the same seed gives the same trace ({len(first)} simulations, bit for bit)"


def tier_integration(ctx: Context) -> str:
    assert ctx.spec is not None
    if engine.is_teacher(ctx.spec):
        return "not applicable: a teacher network runs in the data's 1 ms bins exactly"
    try:
        verdict = integration.compare(ctx.spec, mirror=ctx.mirror)
    except UserError:
        raise
    except Exception as exc:  # the worker's own error: the cell's builder or mechanisms
        text = " ".join(str(exc).split()) or type(exc).__name__
        raise _fail("integration", f"the cell failed in NEURON ({type(exc).__name__}: "
                                   f"{text[:300]})") from exc
    if verdict.same_setting:
        return f"simulates at its reference setting ({verdict.own})"
    if not verdict.passed:
        raise _fail("integration", f"at {verdict.own} {verdict.differences[0]} (reference: "
                                   f"{verdict.reference}; {len(verdict.differences)} "
                                   f"difference(s) in all); fix: set simulation.dt_ms and "
                                   "simulation.integration to the reference's")
    return (f"{verdict.own} gives the spikes of the reference {verdict.reference} (steps of "
            f"{', '.join(f'{a:g}' for a in integration.STEP_AMPLITUDES_NA)} nA and a "
            f"{integration.REPLAY_MS} ms protocol replay)")


def tier_smoke(ctx: Context) -> str:
    assert ctx.spec is not None
    out = ctx.work / "smoke"
    config = RunConfig.make(ctx.spec, "smoke", seed=0, out=out, workers=1, device="cpu",
                            mirror=ctx.mirror)
    log = ctx.work / "smoke.log"
    with open(log, "w") as stream, contextlib.redirect_stdout(stream), \
            contextlib.redirect_stderr(stream):
        try:
            scored = stages.run(config)
        except UserError as exc:
            raise _fail("smoke", f"{exc}") from exc
    if not scored.record_path.is_file():
        raise _fail("smoke", f"the smoke run wrote no record; fix: run `python -m benchmark "
                             f"run --cell {ctx.spec.folder} --profile smoke` and read its "
                             "output")
    score = scored.record["score"]
    return (f"smoke run end to end: {describe_score(score)} at the smoke "
            "profile (a plumbing check, not a score)")


CHECKS: dict[str, Callable[[Context], str]] = {
    "spec": tier_spec, "mechanisms": tier_mechanisms, "build": tier_build,
    "rest": tier_rest, "response": tier_response, "determinism": tier_determinism,
    "integration": tier_integration, "smoke": tier_smoke,
}


def validate(cell: str | Path, up_to: str = TIERS[-1], workdir: Path | None = None,
             report: Callable[[TierResult], None] | None = None,
             mirror: Path | None = None, only: str | None = None) -> list[TierResult]:
    """Run the tiers of :data:`TIERS` in order, up to and including ``up_to``, on ``cell``
    (a registered name or a folder), stopping at the first failure; returns each tier's
    result. With ``only``, run the ``spec`` tier and that tier alone. ``report`` is called
    after each tier (the CLI prints it)."""
    for name in (up_to, only):
        if name is not None and name not in CHECKS:
            raise UserError(f"unknown tier '{name}': use one of {', '.join(TIERS)}")
    tiers = (TIERS[:TIERS.index(up_to) + 1] if only is None
             else tuple(dict.fromkeys(("spec", only))))
    results: list[TierResult] = []
    with tempfile.TemporaryDirectory(prefix="neurodepth-validate-") as tmp:
        ctx = Context(cell=str(cell), work=Path(workdir or tmp), mirror=mirror)
        ctx.work.mkdir(parents=True, exist_ok=True)
        for tier in tiers:
            start = time.monotonic()
            try:
                result = TierResult(tier, True, CHECKS[tier](ctx))
                result.warning, ctx.warning = ctx.warning, None
            except CellCheckError as exc:
                result = TierResult(tier, False, str(exc).removeprefix(f"{tier}: "))
            result = _crash_verdict(ctx, result)
            result.seconds = time.monotonic() - start
            results.append(result)
            if report is not None:
                report(result)
            if not result.passed:
                break
    return results


def check_cell(cell: str | Path, up_to: str = TIERS[-1]) -> list[TierResult]:
    """Like :func:`validate`, for a third party's tests: raises :class:`CellCheckError` at
    the first failing tier; returns the results when every tier passes."""
    results = validate(cell, up_to)
    failed = next((r for r in results if not r.passed), None)
    if failed is not None:
        raise CellCheckError(failed.tier, failed.message)
    return results
