"""Result records: one JSON per run saying what was scored and exactly how it was made.

The schema is ``schemas/record.schema.json`` (``schema_version`` 1). A record holds the
cell's and the protocol's digests, the profile, the seeds, package versions, hardware,
the per-depth curves with intervals, the score, the FCI, and the wall time per stage (s).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import sys
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import jsonschema

from benchmark.cells.spec import CellSpec
from benchmark.core.errors import UserError
from benchmark.core.profiles import Profile
from benchmark.simulation.mechanisms import mechanisms_digest
from benchmark.simulation.plan import SimulationPlan

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "schemas" / "record.schema.json"
PACKAGES = ("neurodepth", "neuron", "torch", "numpy", "h5py", "pandas")


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


def versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape a result."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def cpu_model() -> str:
    """The CPU model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def hardware(device: str) -> dict[str, Any]:
    """The machine a run used (CPU model and count, the training device, the GPU if any)."""
    import torch

    info: dict[str, Any] = {"platform": platform.platform(), "cpu": cpu_model(),
                            "cpu_count": os.cpu_count() or 1, "device": device,
                            "torch_threads": torch.get_num_threads()}
    if device.startswith("cuda") and torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


def build(spec: CellSpec, plan: SimulationPlan, profile: Profile, scores: dict[str, Any],
          timings: dict[str, float], device: str) -> dict[str, Any]:
    """Assemble a record from the stored outputs of a run."""
    return {
        "schema_version": SCHEMA_VERSION,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "cell": {"name": spec.name, "version": spec.data["version"], "digest": spec.digest(),
                 "species": spec.data["species"], "kind": spec.data["kind"],
                 "description": spec.description, "source": dict(spec.data["source"]),
                 "files": {f.name: f.sha256 for f in spec.files},
                 "mechanisms": mechanisms_digest(spec)},
        "protocol": {"version": plan.protocol_version, "digest": plan.protocol_digest,
                     "params": plan.protocol},
        "profile": profile.to_dict(),
        "seeds": {"simulation": plan.seed, "fits": list(range(profile.n_seeds))},
        "versions": versions(),
        "hardware": hardware(device),
        "simulation": scores["simulation"],
        "per_depth": scores["per_depth"],
        "score": scores["score"],
        "fci": scores["fci"],
        "wall_time_s": {k: round(v, 3) for k, v in timings.items()},
    } | {key: scores[key] for key in ("width_sweep", "calibration") if key in scores}


def validate(record: Any, source: str = "record") -> None:
    """Raise UserError (one line: where and what) if ``record`` breaks the schema."""
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema()).iter_errors(record))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise UserError(f"{source}: field '{where}': {error.message}; "
                        f"fix: regenerate the record with `python -m benchmark run`")


def load(path: Path) -> dict[str, Any]:
    """Read and validate a record file (plain JSON: nothing is executed or unpickled)."""
    try:
        record = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: not a readable JSON record ({exc})") from exc
    validate(record, str(path))
    return record


def print_summary(record: dict[str, Any], stream: Any = None) -> None:
    """The score and the per-depth curve, as a short table (on ``stream``, default the
    current ``sys.stdout``)."""
    stream = stream or sys.stdout
    s, f = record["score"], record["fci"]
    more = "+ (censored: deeper networks might still help)" if s["censored"] else ""
    depth = s["minimal_depth"] if s["minimal_depth"] is not None else "undetermined"
    print(f"cell {record['cell']['name']} ({record['profile']['name']} profile): "
          f"functional complexity = minimal depth {depth}{more}", file=stream)
    print(f"  FCI {_fmt(f['value'], 3)} at depth {f['reference_depth']} "
          f"(spike AUC {_fmt(f['spike_auc'])})", file=stream)
    print("  depth  params     spike AUC [95% CI]          TPR@0.25%  RMSE mV  EV", file=stream)
    for row in record["per_depth"]:
        lo, hi = row["spike_auc_ci"]
        seeds = row["seeds"]
        tpr = median_of([x["tpr_at_0.25pct_fpr"] for x in seeds])
        rmse = median_of([x["soma_rmse_mv"] for x in seeds])
        ev = median_of([x["soma_explained_variance"] for x in seeds])
        print(f"  {row['depth']:>5}  {row['parameters']:>7}  {_fmt(row['spike_auc'])} "
              f"[{_fmt(lo)}, {_fmt(hi)}]  {_fmt(tpr)}     {_fmt(rmse, 2)}     {_fmt(ev, 3)}",
              file=stream)
    print(f"  {s['reason']}", file=stream)
    cal = record.get("calibration")
    if cal:
        print(f"  input rates x{cal['rate_scale']:.4g} (calibrated to {cal['achieved_rate_hz']:.3g}"
              f" Hz on {cal['n_sims']} simulations; the run's simulations fired "
              f"{record['simulation']['mean_output_rate_hz']:.3g} Hz)", file=stream)
    sweep = record.get("width_sweep")
    if sweep:
        best = sweep["smallest"]
        what = ("no network of the width sweep reaches the threshold" if best is None else
                f"smallest network reaching the threshold: depth {best['depth']} x width "
                f"{best['width']}, {best['parameters']} parameters, AUC {_fmt(best['spike_auc'])}")
        print(f"  width sweep {sweep['widths']}: {what}", file=stream)


def median_of(values: Iterable[Any]) -> float | None:
    """Median of the numbers among ``values`` (None, NaN-as-None and non-numbers skipped);
    None when there is none. The per-seed summaries of the record's table and the site's."""
    kept = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return statistics.median(kept) if kept else None


def _fmt(value: float | None, digits: int = 4) -> str:
    return "   n/a" if value is None else f"{value:.{digits}f}"
