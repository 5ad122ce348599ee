"""The library's entry points: one function per stage, and :func:`run` for them all.

Data flows one way: cell spec -> calibration -> simulation shards -> fits -> scores ->
result record. Each function takes a :class:`~benchmark.pipeline.config.RunConfig`
(or, for convenience, a cell name and the keywords of :meth:`RunConfig.make`), resumes
from what the run folder already holds, and returns what it made; nothing is printed
(progress goes to stderr through :mod:`benchmark.core.progress`). The command line
(:mod:`benchmark.commands`) is a thin shell on these functions::

    import benchmark
    result = benchmark.run("lif", profile="smoke", out="runs")
    print(result.record["score"]["label"])
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.cells.spec import CellSpec
from benchmark.core import atomic
from benchmark.learning import fit as fit_mod
from benchmark.pipeline.config import RunConfig
from benchmark.scoring import curves, example, figures, record
from benchmark.simulation import calibration, runner
from benchmark.simulation.plan import SimulationPlan, read_plan


@dataclass(frozen=True)
class Simulated:
    """What :func:`simulate` made: the simulations folder, its plan and the calibration
    (None when the profile does not calibrate)."""

    folder: Path
    plan: SimulationPlan
    calibration: dict[str, Any] | None


@dataclass(frozen=True)
class Scored:
    """What :func:`score` made: the result record, where it and the example are written,
    and the figures drawn (PNG and SVG paths)."""

    record: dict[str, Any]
    record_path: Path
    example_path: Path
    figures: list[Path]


def as_config(config: RunConfig | str | Path | CellSpec, **options: Any) -> RunConfig:
    """``config`` itself, or a configuration made from a cell and keyword options."""
    if isinstance(config, RunConfig):
        if options:
            raise TypeError("give either a RunConfig or a cell with options, not both")
        return config
    return RunConfig.make(config, **options)


def calibrate(config: RunConfig | str, **options: Any) -> dict[str, Any] | None:
    """Search the input-rate scale that makes the cell fire at the profile's target rate
    (resumable: ``calibration.json`` and ``calibration/`` in the run folder).

    Returns:
        the calibration block of the record (scale, achieved rate in Hz, probes), or None
        when the profile does not calibrate.
    """
    cfg = as_config(config, **options)
    if cfg.profile.calibration is None:
        return None
    store = cfg.store
    with store.timed("calibrate"):
        return calibration.calibrate(
            cfg.spec, cfg.profile.calibration, cfg.seed, store.folder,
            lambda spec, data, seed, folder, scale: runner.simulate(
                spec, data, seed, folder, rate_scale=scale, n_workers=cfg.workers,
                executor_factory=cfg.backend.simulations, mirror=cfg.mirror,
                label="calibration probe"))


def simulate(config: RunConfig | str, **options: Any) -> Simulated:
    """Calibrate (when the profile does), then simulate every missing shard of the run."""
    cfg = as_config(config, **options)
    calibrated = calibrate(cfg)
    rate_scale = 1.0 if calibrated is None else calibrated["rate_scale"]
    store = cfg.store
    with store.timed("simulate"):
        plan = runner.simulate(cfg.spec, cfg.profile.data, cfg.seed, store.simulations,
                               rate_scale=rate_scale, n_workers=cfg.workers,
                               executor_factory=cfg.backend.simulations, mirror=cfg.mirror)
    return Simulated(folder=store.simulations, plan=plan, calibration=calibrated)


def replay(config: RunConfig | str, inputs: Path, **options: Any) -> Path:
    """Simulate the cell under the input spike trains of ``inputs`` (``.npz`` or ``.csv``)
    into ``<run>/replay/<inputs stem>/``; returns that folder."""
    cfg = as_config(config, **options)
    folder = cfg.store.folder / "replay" / Path(inputs).stem
    return runner.replay(cfg.spec, Path(inputs), folder, n_workers=cfg.workers,
                         mirror=cfg.mirror)


def fit(config: RunConfig | str, **options: Any) -> list[dict[str, Any]]:
    """Fit every network of the profile's sweep not fitted yet (resuming checkpoints);
    returns every network's ``fit.json`` content."""
    cfg = as_config(config, **options)
    device = str(fit_mod.pick_device(cfg.device or cfg.profile.device))
    store = cfg.store
    executor = cfg.backend.fits(device)
    with store.timed("fit"), executor or contextlib.nullcontext():
        return fit_mod.run_sweep(store.folder, cfg.profile, device=cfg.device,
                                 executor=executor)


def score(config: RunConfig | str, **options: Any) -> Scored:
    """Score the fitted sweep (per-depth curves, minimal depth, FCI), write the validated
    record, the example (one test simulation with the scored network's prediction) and
    the figures into the run folder."""
    cfg = as_config(config, **options)
    store = cfg.store
    with store.timed("score"):
        scores = curves.score_run(store.folder, cfg.profile)
    rec = record.build(cfg.spec, read_plan(store.simulations), cfg.profile, scores,
                       store.timings(), scores["device"])
    record.validate(rec)
    atomic.write_json(store.record, rec)
    title = f"{cfg.spec.name}, {cfg.profile.name} profile, run seed {cfg.seed}"
    drawn = figures.draw_curves(scores, store.folder, title)
    shown = example.build(cfg.spec, store.folder, rec, mirror=cfg.mirror)
    example_path = store.folder / example.EXAMPLE_FILE
    example.write(example_path, shown)
    drawn += figures.draw_example(shown, store.folder, title)
    drawn += figures.draw_shape(shown["shape"], store.folder, cfg.spec.name)
    return Scored(record=rec, record_path=store.record, example_path=example_path,
                  figures=list(drawn))


def run(config: RunConfig | str, **options: Any) -> Scored:
    """The whole pipeline on one cell: calibrate, simulate, fit, score. Every stage resumes
    from what is stored, so an interrupted run continues where it stopped."""
    cfg = as_config(config, **options)
    simulate(cfg)
    fit(cfg)
    return score(cfg)
