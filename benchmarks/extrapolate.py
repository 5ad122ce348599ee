"""Extrapolate a learning curve: how much training data would resolve depth 1 as insufficient.

usage: python benchmarks/extrapolate.py CURVE.json [--depth 1] [--against D] [--draws 2000]
           [--seed 0] [--tolerance 0.05] [--save FILE]

Reads a ``benchmarks/learning_curve.py`` report. For each cell's curve it takes, at every
training-set size n (simulations), the FCI gap of ``--depth`` to ``--against`` (default: the
deepest depth of the sweep) and its 95% interval (:func:`pair_gap`, from each depth's gap
to the best depth; docs/scoring.md, section 3), and asks at what n that interval would clear
the tolerance: the decision rule calls a depth insufficient when the lower end of its gap's
interval exceeds the tolerance (0.05 FCI). A gap to a fixed deeper depth is the
conservative reading: the best depth's gap can only be larger.

The model, and what it assumes:

- The gap grows linearly in log n: ``gap(n) = a + b ln n``, fitted by weighted least squares
  with weights 1/se^2, se being each point's interval width / (2 x 1.96). On a log-log
  learning curve (test error against n) two depths whose errors fall as different powers of
  n have exactly such a gap in FCI, which is a log of the error.
- The interval's lower half-width stays what it is at the largest n measured: the test set
  is fixed, so the interval shrinks little with training data (the teachers' curves in
  docs/scoring.md, section 11, show it shrinking by a third from 120 to 480 simulations:
  assuming it constant errs toward more data).
- The resolving size is ``n* = exp((tolerance + h - a) / b)`` with ``h`` that half-width,
  when the slope ``b`` is positive; "never" when it is not (the curves do not separate) or
  when n* exceeds 1e9 simulations. A curve already resolved at its largest size
  (``resolved_at_largest``) extrapolates backwards: its n* says little.

Uncertainty: the points' gaps are drawn again from normals of their own standard errors
(``--draws`` times, seeded) and refitted; the report gives the median n*, its 2.5-97.5%
range over the draws that resolve, and the share of draws that never do. This covers the
points' noise, not the choice of model: with 3-4 points per curve a straight line in log n
cannot be told from a curve, so an n* far beyond the largest size measured is an order of
magnitude, not a plan (docs/scoring.md, "Learning curves").

Prints one JSON object (``--save FILE`` also writes it).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmark.core import atomic  # noqa: E402
from benchmark.scoring.decision import TOLERANCE_FCI  # noqa: E402

Z95 = 1.959963984540054
MIN_SE = 1e-6
"""A point whose interval has no width gets this standard error (FCI)."""


def pair_gap(rows: dict[int, dict[str, Any]], depth: int,
             against: int) -> tuple[float, float, float]:
    """FCI gap of ``depth`` to ``against`` and its 95% interval ``(gap, lo, hi)``, from one
    sweep's rows (each depth's ``delta_fci`` to the sweep's best depth with its paired 95%
    interval ``delta_fci_ci``).

    When one of the two is the best depth the interval is the paired one (negated when
    ``depth`` is the best); when a third depth is best, the difference of the two gaps with
    their standard errors added in quadrature (ignoring their correlation, which widens
    it)."""
    mine, theirs = rows[depth], rows[against]
    gap = float(mine["delta_fci"]) - float(theirs["delta_fci"])
    (lo1, hi1), (lo2, hi2) = mine["delta_fci_ci"], theirs["delta_fci_ci"]
    if lo2 == hi2 == float(theirs["delta_fci"]) == 0.0:  # against is the best depth
        return gap, float(lo1), float(hi1)
    if lo1 == hi1 == float(mine["delta_fci"]) == 0.0:  # depth itself is the best
        return gap, -float(hi2), -float(lo2)
    se = math.hypot(float(hi1) - float(lo1), float(hi2) - float(lo2)) / (2 * Z95)
    return gap, gap - Z95 * se, gap + Z95 * se


def curve_points(points: list[dict[str, Any]], depth: int,
                 against: int | None = None) -> list[dict[str, float]]:
    """Per training-set size (ascending): ``n`` (simulations), ``gap`` (FCI) of ``depth`` to
    ``against`` (default: the deepest depth of the sweep) and its 95% interval ``lo``,
    ``hi``, from a learning-curve cell's ``points``.

    Raises:
        ValueError: when a point's sweep lacks either depth.
    """
    out = []
    for point in sorted(points, key=lambda p: p["train_sims"]):
        rows = {int(d["depth"]): d for d in point["per_depth"]}
        other = max(rows) if against is None else against
        for d in (depth, other):
            if d not in rows:
                raise ValueError(f"depth {d} is not in the sweep at {point['train_sims']} "
                                 f"training simulations; fix: --depth/--against one of "
                                 f"{sorted(rows)}")
        if other == depth:
            raise ValueError(f"--depth {depth} is the deepest of the sweep; fix: --against "
                             "a deeper depth of the learning curve")
        gap, lo, hi = pair_gap(rows, depth, other)
        out.append({"n": float(point["train_sims"]), "against": float(other), "gap": gap,
                    "lo": lo, "hi": hi})
    return out


def fit_line(n: np.ndarray, gap: np.ndarray, se: np.ndarray) -> tuple[float, float]:
    """Weighted least squares of ``gap = a + b ln n`` (weights 1/se^2): ``(a, b)``."""
    w = 1.0 / np.maximum(se, MIN_SE) ** 2
    x = np.log(n)
    design = np.stack([np.ones_like(x), x], axis=1) * np.sqrt(w)[:, None]
    (a, b), *_ = np.linalg.lstsq(design, gap * np.sqrt(w), rcond=None)
    return float(a), float(b)


N_MAX = 1e9
"""Resolving sizes beyond this many simulations count as never (no budget reaches them)."""


def resolving_n(a: float, b: float, half_width: float, tolerance: float) -> float:
    """The n (simulations, at least 1) where ``a + b ln n - half_width`` reaches
    ``tolerance``; ``inf`` when the slope ``b`` is not positive or n exceeds :data:`N_MAX`."""
    if b <= 0:
        return math.inf
    log_n = (tolerance + half_width - a) / b
    return math.inf if log_n > math.log(N_MAX) else math.exp(max(log_n, 0.0))


def extrapolate(points: list[dict[str, float]], tolerance: float = TOLERANCE_FCI,
                draws: int = 2000, seed: int = 0) -> dict[str, Any]:
    """The resolving size of one curve (see the module docstring) and its uncertainty.

    Raises:
        ValueError: with fewer than two training-set sizes (no slope).
    """
    if len({p["n"] for p in points}) < 2:
        raise ValueError("a learning curve needs at least two training-set sizes to "
                         "extrapolate; fix: run benchmarks/learning_curve.py with --fractions "
                         "of two or more values")
    n = np.array([p["n"] for p in points])
    gap = np.array([p["gap"] for p in points])
    se = np.array([(p["hi"] - p["lo"]) / (2 * Z95) for p in points])
    half = points[-1]["gap"] - points[-1]["lo"]
    a, b = fit_line(n, gap, se)
    rng = np.random.default_rng(seed)
    sampled = np.array([resolving_n(*fit_line(n, rng.normal(gap, np.maximum(se, MIN_SE)), se),
                                    half, tolerance) for _ in range(draws)])
    finite = sampled[np.isfinite(sampled)]
    return {
        "points": points,
        "intercept_fci": a,
        "slope_fci_per_ln_n": b,
        "lower_half_width_fci": half,
        "tolerance_fci": tolerance,
        "resolved_at_largest": points[-1]["lo"] > tolerance,
        "n_star": resolving_n(a, b, half, tolerance),
        "n_star_median": float(np.median(sampled)) if finite.size > draws / 2 else math.inf,
        "n_star_range_95": ([float(np.percentile(finite, 2.5)),
                             float(np.percentile(finite, 97.5))] if finite.size else None),
        "share_never": float(1 - finite.size / draws),
        "draws": draws,
    }


def report(curve: dict[str, Any], depth: int, against: int | None, tolerance: float,
           draws: int, seed: int) -> dict[str, Any]:
    """Every cell's and run's extrapolation in a ``benchmarks/learning_curve.py`` report."""
    out: dict[str, Any] = {"depth": depth, "source_command": curve.get("command"),
                           "cells": {}}
    for cell, runs in curve["cells"].items():
        out["cells"][cell] = [
            {"run": r.get("run"), **extrapolate(curve_points(r["points"], depth, against),
                                               tolerance, draws, seed)} for r in runs]
    return out


def jsonable(value: Any) -> Any:
    """``inf`` as the string "never" (JSON has no infinity)."""
    if isinstance(value, float) and math.isinf(value):
        return "never"
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("curve", type=Path, help="a benchmarks/learning_curve.py report")
    parser.add_argument("--depth", type=int, default=1, help="the depth whose gap is "
                        "extrapolated (default 1)")
    parser.add_argument("--against", type=int, help="the deeper depth it is compared with "
                        "(default: the deepest of the sweep)")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE_FCI,
                        help="FCI tolerance of the decision rule (default 0.05)")
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", type=Path)
    args = parser.parse_args()
    try:
        curve = json.loads(args.curve.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise SystemExit(f"{args.curve}: {err}; fix: give a benchmarks/learning_curve.py "
                         "report") from err
    if "cells" not in curve:
        raise SystemExit(f"{args.curve}: field 'cells' missing; fix: give a "
                         "benchmarks/learning_curve.py report")
    try:
        made = report(curve, args.depth, args.against, args.tolerance, args.draws, args.seed)
    except (KeyError, ValueError) as err:
        raise SystemExit(f"{args.curve}: {err}") from err
    out = jsonable({**made,
                    "command": " ".join(["python", "benchmarks/extrapolate.py",
                                         *sys.argv[1:]])})
    text = json.dumps(out, indent=1)
    print(text)
    if args.save:
        atomic.write_text(args.save, text + "\n")


if __name__ == "__main__":
    main()
