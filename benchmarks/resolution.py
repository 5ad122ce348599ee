"""What a profile can tell apart: its whole sweep and decision on teachers of known depth.

usage: python benchmarks/resolution.py [--profile quick] [--teachers teacher_depth1 ...]
           [--run-seeds 0 1 2] [--work DIR] [--n-train N --n-valid N --n-test N
           --duration-ms MS --max-steps S --patience P --weight-decay WD --width W
           --batch-size B --spatial-rank R --select-on loss --voltage-target reference
           --depths 1,2,3 --n-seeds K]
           [--save FILE]
       python benchmarks/resolution.py --rescore FILE
       python benchmarks/resolution.py --merge FILE FILE ... [--save FILE]

For each teacher (a registered cell with ``builder = "teacher"``, whose depth k is known)
and each run seed, runs the profile end to end (calibration, simulation, fits, decision;
:func:`benchmark.pipeline.stages.run`) into ``DIR/<profile>/`` (resumable, like any run),
and classifies the score (each run also reports the teacher's own spike AUC on its test
simulations, the ceiling its students are judged against, and per student depth the FCI
gap to it with the rule's paired interval: does depth k reach the teacher, does depth
k - 1 fall short):

- ``recovered``: resolved at depth k;
- ``open``: unresolved, or a range that contains k (an open range ">= d" contains every
  depth from d up);
- ``wrong``: a resolved depth other than k, or a range that excludes k;
- ``undetermined``: no decision (too few test spikes).

The overrides make a sized variant of the profile (its name gets a ``-sized`` suffix and
the run folders are its own); the teachers are cheap to simulate, so a variant with far
more data than any profile is how the depth-k-is-needed evidence is made (``--depths k-1,k``
with 20x the paper profile's training set). Prints one JSON object: the profile's
settings, per teacher the fractions and every run's score, the fractions the same runs
would give at other tolerances of the rule (``fractions_by_tolerance``: each run's
per-depth intervals rescored, :func:`benchmark.scoring.decision.at_tolerance`; what
``--rescore FILE`` prints for a saved result), the command, the time it
was made (UTC), versions and the wall time; ``--save FILE`` also writes it, and
``leaderboard/resolution/<profile>.json`` is where the site reads a profile's table
(:mod:`benchmark.leaderboard.resolution`; sized variants are not shown there).

Per teacher it also reports ``depth1_calls``: the share of runs whose verdict on depth 1
is right (sufficient for a depth-1 teacher, insufficient for a deeper one), unresolved,
wrong, or absent (no decision): whether the profile tells depth 1 from deeper, whatever
it says about the depths between.

``--merge`` combines saved results of one profile and the same teachers (runs of other
run seeds, made in separate processes or sessions) into one table: the runs are kept as
they are, the fractions recomputed, and each source's provenance kept under ``sources``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np
import torch

from benchmark.cells import data_files, registry
from benchmark.core import atomic, profiles
from benchmark.core.errors import CalibrationError, UserError
from benchmark.core.profiles import Profile
from benchmark.core.version import __version__
from benchmark.learning import metrics
from benchmark.learning.dataset import Dataset, Simulation
from benchmark.pipeline import stages
from benchmark.pipeline.config import RunConfig
from benchmark.scoring import curves, decision
from benchmark.simulation import engine
from benchmark.simulation.teacher import network
from benchmark.simulation.teacher.cell import TeacherCell

TEACHERS = ("teacher_depth1", "teacher_depth3", "teacher_depth5")
CLASSES = ("recovered", "open", "wrong", "undetermined")
TOLERANCES = (0.05, 0.075, 0.1, 0.15, 0.2, 0.3)
"""Tolerances (FCI) at which every run is also rescored (:func:`by_tolerance`)."""


def classify(score: dict[str, Any], depth: int) -> str:
    """Which of :data:`CLASSES` a record's score block is, for a teacher of ``depth``."""
    outcome = score["outcome"]
    if outcome == "undetermined":
        return "undetermined"
    if outcome == "resolved":
        return "recovered" if score["minimal_depth"] == depth else "wrong"
    lower, upper = score["lower"], score["upper"]
    contains = lower <= depth and (upper is None or depth <= upper)
    return "open" if outcome == "unresolved" or contains else "wrong"


def class_at(run: dict[str, Any], tolerance: float) -> str:
    """The class of a run (an entry of the JSON's ``runs``) had the rule's tolerance been
    ``tolerance``: its per-depth intervals rescored (:func:`decision.at_tolerance`)."""
    if run["class"] == "undetermined":
        return "undetermined"
    intervals = {int(d): tuple(row["delta_fci_ci"]) for d, row in run["per_depth"].items()}
    if any(None in ci for ci in intervals.values()):
        return "undetermined"
    rescored = decision.at_tolerance(intervals, tolerance)
    return classify({"outcome": rescored.outcome, "minimal_depth": rescored.minimal_depth,
                     "lower": rescored.lower, "upper": rescored.upper}, run["depth"])


def fractions(runs: list[dict[str, Any]], key: Any = None) -> dict[str, float]:
    """The share of ``runs`` in each class (``key(run)`` gives a run's class; default its
    ``class``)."""
    key = key or (lambda r: r["class"])
    return {c: sum(key(r) == c for r in runs) / len(runs) for c in CLASSES}


def by_tolerance(runs: list[dict[str, Any]], tolerances: tuple[float, ...] = TOLERANCES
                 ) -> dict[str, dict[str, dict[str, float]]]:
    """Per teacher and tolerance (FCI, as text), the class fractions of its runs had the
    rule used that tolerance: which tolerances a profile's sweeps could use without wrong
    calls on the teachers, and which would recover them. The intervals come from the runs'
    own bootstraps, so a tolerance chosen here on some run seeds must be checked on others
    (held back) before a profile adopts it."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for teacher in dict.fromkeys(r["teacher"] for r in runs):
        mine = [r for r in runs if r["teacher"] == teacher]
        out[teacher] = {f"{t:g}": fractions(mine, lambda r, t=t: class_at(r, t))
                        for t in tolerances}
    return out


DEPTH1_CALLS = ("right", "unresolved", "wrong", "absent")


def depth1_call(run: dict[str, Any]) -> str:
    """Which of :data:`DEPTH1_CALLS` a run's verdict on depth 1 is, for its teacher's depth:
    ``right`` when a depth-1 teacher's depth 1 is sufficient or a deeper teacher's is
    insufficient, ``wrong`` the other way round, ``absent`` without a verdict."""
    per_depth = {str(d): row for d, row in (run.get("per_depth") or {}).items()}
    verdict = per_depth.get("1", {}).get("verdict")  # int keys in a run, str in its JSON
    if verdict not in ("sufficient", "insufficient", "unresolved"):
        return "absent"
    if verdict == "unresolved":
        return "unresolved"
    return "right" if (verdict == "sufficient") == (run["depth"] == 1) else "wrong"


def depth1_calls(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per teacher, the share of its runs in each of :data:`DEPTH1_CALLS`."""
    out = {}
    for teacher in dict.fromkeys(r["teacher"] for r in runs):
        mine = [depth1_call(r) for r in runs if r["teacher"] == teacher]
        out[teacher] = {c: mine.count(c) / len(mine) for c in DEPTH1_CALLS}
    return out


def tables(runs: list[dict[str, Any]], teachers: list[str]) -> dict[str, Any]:
    """What a result says of ``runs``: per teacher the class fractions, the fractions at
    other tolerances and the depth-1 calls."""
    return {"fractions": {t: fractions([r for r in runs if r["teacher"] == t])
                          for t in teachers},
            "fractions_by_tolerance": by_tolerance(runs), "depth1_calls": depth1_calls(runs)}


PROVENANCE = ("command", "made_utc", "versions", "wall_s")


def merge(results: list[dict[str, Any]], names: list[str]) -> dict[str, Any]:
    """One result from saved ones (``names``: where each came from, for errors): the same
    profile definition and the same teacher identities in all, each (teacher, run seed)
    once. The runs are kept, the tables recomputed, each source's provenance kept under
    ``sources``; ``wall_s`` is their sum."""
    first = results[0]
    runs: dict[tuple[str, int], dict[str, Any]] = {}
    teachers: dict[str, Any] = {}
    sources = []
    for result, name in zip(results, names, strict=True):
        if result["profile"] != first["profile"]:
            raise UserError(f"{name}: field 'profile' differs from {names[0]}'s (profile "
                            f"{result['profile'].get('name')!r}, another definition); fix: "
                            "merge results of one profile definition only")
        for teacher, ident in result["teachers"].items():
            if teachers.setdefault(teacher, ident) != ident:
                raise UserError(f"{name}: field 'teachers.{teacher}' is another version of "
                                f"the teacher than an earlier file's; fix: rerun it")
        for run in result["runs"]:
            key = (run["teacher"], int(run["run_seed"]))
            if key in runs:
                raise UserError(f"{name}: run seed {key[1]} of {key[0]} is also in an "
                                "earlier file; fix: merge each run once")
            runs[key] = run
        sources.extend(result.get("sources") or [{k: result.get(k) for k in PROVENANCE}])
    kept = [runs[k] for k in sorted(runs, key=lambda k: (list(teachers).index(k[0]), k[1]))]
    return {"profile": first["profile"],
            "run_seeds": sorted({int(r["run_seed"]) for r in kept}),
            "teachers": teachers, **tables(kept, list(teachers)), "runs": kept,
            "command": "python benchmarks/resolution.py " + " ".join(sys.argv[1:]),
            "made_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "versions": first.get("versions"),
            "wall_s": round(sum(float(s.get("wall_s") or 0.0) for s in sources), 1),
            "sources": sources}


def sized(profile: Profile, args: argparse.Namespace) -> Profile:
    """The profile with the command line's overrides (unchanged when there are none)."""
    data = {k: getattr(args, k) for k in ("n_train", "n_valid", "n_test", "duration_ms")
            if getattr(args, k) is not None}
    changes: dict[str, Any] = {}
    if data:
        changes["data"] = dataclasses.replace(profile.data, **data)
    train = {k: getattr(args, k) for k in ("max_steps", "patience", "weight_decay",
                                           "batch_size", "select_on", "voltage_target")
             if getattr(args, k) is not None}
    if train:
        changes["train"] = dataclasses.replace(profile.train, **train)
    for key in ("width", "spatial_rank"):
        if getattr(args, key) is not None:
            changes[key] = getattr(args, key)
    if args.n_seeds is not None:
        changes["n_seeds"] = args.n_seeds
    if args.depths is not None:
        changes["depths"] = tuple(int(d) for d in args.depths.split(","))
    if not changes:
        return profile
    return dataclasses.replace(profile, name=f"{profile.name}-sized", **changes)


def add_overrides(parser: argparse.ArgumentParser) -> None:
    """The options :func:`sized` reads."""
    for name in ("n-train", "n-valid", "n-test", "duration-ms", "max-steps", "patience",
                 "width", "n-seeds", "spatial-rank", "batch-size"):
        parser.add_argument(f"--{name}", type=int, default=None)
    parser.add_argument("--weight-decay", type=float, default=None,
                        help="decoupled weight decay of the training plan")
    parser.add_argument("--depths", default=None, help="comma-separated depths")
    parser.add_argument("--select-on", default=None, choices=("spike_auc", "spike_loss", "loss"),
                        help="what the validation checks compare (TrainPlan.select_on)")
    parser.add_argument("--voltage-target", default=None, choices=("cell", "reference"),
                        help="how the voltage target is clipped (TrainPlan.voltage_target)")


def run_one(teacher: str, profile: Profile, seed: int, work: Path) -> dict[str, Any]:
    """One end-to-end run of ``teacher``: its score, class, FCI and wall time."""
    depth = engine.teacher_depth(registry.get(teacher))
    start = time.monotonic()
    config = RunConfig.make(teacher, profile, seed=seed, out=work / profile.name, workers=2)
    stages.simulate(config)
    stages.fit(config)
    record = curves.score_run(config.store.folder, profile)  # no record: sized profiles
    cell = teacher_cell(teacher)
    own = teacher_pairs(cell, config.store.simulations)
    floor = linear_floor(cell, config.store.simulations, profile.train.voltage_target)
    fits = curves.load_fits(config.store.folder, profile)
    score = record["score"]
    gaps = {row["depth"]: (row.get("decision") or {}) for row in record["per_depth"]}
    return {"teacher": teacher, "depth": depth, "run_seed": seed, "label": score["label"],
            "class": classify(score, depth), "fci": record["fci"]["value"],
            "run_rate_hz": record["simulation"]["mean_output_rate_hz"],
            "teacher_spike_auc": teacher_auc(own),
            "to_teacher": against_teacher(own, config.store.folder, profile, fits),
            "linear_floor": floor,
            "per_depth": {d: {"spike_auc": row["spike_auc"], **{
                k: gaps[row["depth"]].get(k) for k in ("verdict", "delta_fci", "delta_fci_ci")},
                **beyond_linear(fits[d], floor)}
                for d, row in ((r["depth"], r) for r in record["per_depth"])},
            "wall_s": round(time.monotonic() - start, 1)}


CALIBRATION_FAILED = "calibration failed"
"""The label of a run whose input rates could not be calibrated to the profile's target."""


def attempt(teacher: str, profile: Profile, seed: int, work: Path) -> dict[str, Any]:
    """:func:`run_one`, or, when the calibration cannot reach the profile's target rate
    (a teacher whose rate a few simulations carry), an ``undetermined`` run that says so:
    a table keeps the runs it could make."""
    try:
        return run_one(teacher, profile, seed, work)
    except CalibrationError as exc:
        print(f"resolution: {teacher} run seed {seed}: {exc}", file=sys.stderr, flush=True)
        depth = engine.teacher_depth(registry.get(teacher))
        return {"teacher": teacher, "depth": depth, "run_seed": seed,
                "label": CALIBRATION_FAILED, "class": "undetermined", "error": str(exc)}


TEACHER_AS_DEPTH = 0
"""The depth the teacher itself takes in :func:`against_teacher`'s decision."""


def teacher_cell(teacher: str) -> TeacherCell:
    """The registered teacher ``teacher``, built (its weights drawn or read, and measured)."""
    spec = registry.get(teacher)
    return TeacherCell(dict(spec.data), data_files.ensure(spec))


def teacher_pairs(cell: TeacherCell, simulations: Path) -> metrics.PairCounts:
    """The teacher's own spike probability on a run's test simulations, as the pair counts
    a student's test predictions are kept as (the same scored bins and spike cap)."""
    outputs = []
    for sim in Dataset(simulations, cache_mb=256).split("test"):
        drive = cell.drive(sim.input_channel, sim.input_time_ms, sim.duration_ms)
        with torch.no_grad():
            prob, _ = cell.outputs(drive[None])
        zeros = np.zeros(sim.duration_ms)
        outputs.append(metrics.SimulationOutputs(sim.spike_label, prob[0].double().numpy(),
                                                 zeros, zeros))
    cap = metrics.max_output_spikes(outputs[0].spike_label.size)
    return metrics.pair_counts(outputs, max_output_spikes=cap)


FLOOR_TRAIN_SIMS = 64
"""Training simulations the linear floor's readout is fitted on (it has width + 1 weights)."""


def unit_drives(cell: TeacherCell, sim: Simulation) -> np.ndarray:
    """The teacher's first-layer units before their threshold, standardised: (time, width)."""
    t = cell.teacher
    drive = network.drive_of(t.weights, sim.input_channel, sim.input_time_ms, sim.duration_ms)
    with torch.no_grad():
        return t.standardise(t.layer_input(drive[None], 0)[0], 0).T.double().numpy()


def linear_floor(cell: TeacherCell, simulations: Path,
                 voltage: str = "cell") -> dict[str, float] | None:
    """What a student that learns no nonlinearity reaches: the soma target (mV, as students
    are trained on it) predicted by the best linear readout of the teacher's standardised
    first-layer units (least squares on the first :data:`FLOOR_TRAIN_SIMS` training
    simulations after :data:`~benchmark.learning.metrics.SKIP_MS`), scored on the test
    simulations as students are (``soma_rmse_mv``, ``soma_explained_variance``). Each unit
    is a linear filter of the inputs that a student's first layer can learn, so a student
    whose voltage error is not below this floor has learnt at most a linear function of
    them: the threshold units of even a depth-1 teacher are beyond it. ``voltage``: the
    students' voltage target (:attr:`~benchmark.core.profiles.TrainPlan.voltage_target`).
    None for a found teacher, whose units are a trained network's channels."""
    if not isinstance(cell.teacher, network.Teacher):
        return None
    data = Dataset(simulations, cache_mb=256, voltage=voltage)  # type: ignore[arg-type]
    skip = metrics.SKIP_MS
    train = data.split("train")[:FLOOR_TRAIN_SIMS]
    design = np.concatenate([unit_drives(cell, s)[skip:] for s in train])
    design = np.c_[design, np.ones(len(design))]
    target = np.concatenate([s.soma_target_mv[skip:] for s in train]).astype(np.float64)
    coef = np.linalg.lstsq(design, target, rcond=None)[0]
    outputs = []
    for sim in data.split("test"):
        pred = unit_drives(cell, sim) @ coef[:-1] + coef[-1]
        outputs.append(metrics.SimulationOutputs(sim.spike_label, np.zeros(pred.size),
                                                 sim.soma_target_mv.astype(np.float64), pred))
    cap = metrics.max_output_spikes(outputs[0].spike_label.size)
    found = metrics.evaluate(outputs, max_output_spikes=cap, n_boot=0)
    return {k: round(float(found[k]), 4) for k in ("soma_rmse_mv", "soma_explained_variance")}


def beyond_linear(fits: list[dict[str, Any]], floor: dict[str, float] | None
                  ) -> dict[str, Any]:
    """A student depth's test voltage error (median over seeds, mV) and the share of the
    :func:`linear_floor`'s error variance its seeds explain (median): 0 for a student that
    learnt a linear function of the teacher's units only, 1 for one that reproduces the
    teacher's voltage (negative when worse than the floor)."""
    rmse = np.array([f["test"]["soma_rmse_mv"] for f in fits], dtype=float)
    ev = np.array([f["test"]["soma_explained_variance"] for f in fits], dtype=float)
    if floor is None:
        return {"soma_rmse_mv": round(float(np.median(rmse)), 4),
                "soma_explained_variance": round(float(np.median(ev)), 4)}
    return {"soma_rmse_mv": round(float(np.median(rmse)), 4),
            "nonlinear_explained": round(float(np.median(
                1.0 - (rmse / floor["soma_rmse_mv"]) ** 2)), 3)}


def teacher_auc(own: metrics.PairCounts) -> float | None:
    """The teacher's own spike AUC (``own``: :func:`teacher_pairs` of a run), scored as the
    students are: the ceiling that "a student of depth k reaches the teacher" is judged
    against, on the same simulations and at the run's calibrated rate. None when the test
    set has no spikes."""
    auc = own.auc()
    return float(auc) if np.isfinite(auc) else None


def against_teacher(own: metrics.PairCounts, run: Path, profile: Profile,
                    fits: dict[int, list[dict[str, Any]]]) -> dict[int, dict[str, Any]]:
    """Each student depth's FCI gap to the teacher itself, with the decision rule's paired
    interval (the same resamples of test simulations for students and teacher, and of the
    students' seeds): ``reaches`` when the interval lies below the profile's tolerance,
    ``short`` when above it, else ``unresolved``. The teacher enters the decision as depth
    :data:`TEACHER_AS_DEPTH` with a validation AUC of 1, so it is the reference every gap
    is measured from (``own``: :func:`teacher_pairs` on the run's simulations; ``fits``:
    :func:`benchmark.scoring.curves.load_fits` of the run)."""
    found = curves.evidence(run, profile, fits)
    teacher = decision.FitEvidence(TEACHER_AS_DEPTH, 0, 1.0, own)
    outcome = decision.decide([*found, teacher], curves.decision_rule(profile))
    names = {"sufficient": "reaches", "insufficient": "short", "unresolved": "unresolved"}
    return {row.depth: {"delta_fci": row.delta_fci, "delta_fci_ci": list(row.delta_fci_ci),
                        "verdict": names[row.verdict]}
            for row in outcome.per_depth if row.depth != TEACHER_AS_DEPTH}


def provenance(script: str, start: float) -> dict[str, Any]:
    """How a benchmark's JSON was made: the command, the time (UTC), versions, wall time
    since ``start`` (``time.monotonic()``)."""
    return {"command": f"python benchmarks/{script} " + " ".join(sys.argv[1:]),
            "made_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "versions": {"benchmark": __version__, "torch": torch.__version__},
            "wall_s": round(time.monotonic() - start, 1)}


def emit(result: dict[str, Any], save: Path | None) -> None:
    """Print ``result`` as JSON; also write it (atomically) to ``save`` when given."""
    text = json.dumps(result, indent=1)
    if save is not None:
        save.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(save, text + "\n")
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="quick", choices=sorted(profiles.PROFILES))
    parser.add_argument("--teachers", nargs="+", default=list(TEACHERS))
    parser.add_argument("--run-seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--work", type=Path, default=Path("neurodepth-runs") / "resolution")
    add_overrides(parser)
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--rescore", type=Path, default=None, metavar="JSON",
                        help="run nothing: print the class fractions per tolerance of a "
                             "saved result's runs")
    parser.add_argument("--merge", type=Path, nargs="+", default=None, metavar="JSON",
                        help="run nothing: combine saved results of one profile into one")
    parser.add_argument("--save", type=Path, default=None,
                        help="also write the JSON here (atomically), e.g. "
                             "leaderboard/resolution/quick.json for the site")
    args = parser.parse_args()
    if args.rescore is not None:
        print(json.dumps(by_tolerance(json.loads(args.rescore.read_text())["runs"]), indent=1))
        return
    if args.merge is not None:
        emit(merge([json.loads(f.read_text()) for f in args.merge],
                   [str(f) for f in args.merge]), args.save)
        return
    if args.threads:
        torch.set_num_threads(args.threads)
    profile = sized(profiles.get(args.profile), args)
    start = time.monotonic()
    runs = [attempt(t, profile, s, args.work) for t in args.teachers for s in args.run_seeds]
    emit({"profile": profile.to_dict(), "run_seeds": args.run_seeds,
          "teachers": {t: identity(t) for t in args.teachers},
          **tables(runs, args.teachers), "runs": runs}
         | provenance("resolution.py", start), args.save)


def identity(cell: str) -> dict[str, Any]:
    """Which teacher a result is of: its version, its spec's digest and its pinned weights
    hash."""
    spec = registry.get(cell)
    return {"version": spec.get("version"), "spec_sha256": spec.digest(),
            "weights_sha256": engine.teacher_weights_sha256(spec)}


if __name__ == "__main__":
    main()
