"""Result records: one JSON per run saying what was scored and exactly how it was made.

The schema is ``schemas/record.schema.json`` (``schema_version`` 2). A record holds the
cell's and the protocol's digests, the profile, the seeds, package versions, hardware,
the per-depth curves with the decision's verdicts and intervals, the evidence per seed
(test simulations kept, test spikes, test-set rate, validation and test AUC), the score,
the FCI, the run's output rate against the calibration's target, and the wall time per
stage (s).
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

SCHEMA_VERSION = 2
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
    } | {key: scores[key] for key in ("width_sweep", "calibration", "rate_match",
                                       "voltage_target") if key in scores}


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
    print(f"cell {record['cell']['name']} ({record['profile']['name']} profile): "
          f"functional complexity = {describe_score(s)}", file=stream)
    lo, hi = f.get("ci") or (None, None)
    print(f"  FCI {_fmt(f['value'], 3)} [{_fmt(lo, 3)}, {_fmt(hi, 3)}] at depth "
          f"{f['reference_depth']} (spike AUC {_fmt(f['spike_auc'])})", file=stream)
    print("  depth  params  test spike AUC [95% CI]     valid AUC  FCI gap [95% CI]"
          "          verdict", file=stream)
    for row in record["per_depth"]:
        lo, hi = row["spike_auc_ci"]
        d = row.get("decision") or {}
        g_lo, g_hi = d.get("delta_fci_ci") or (None, None)
        print(f"  {row['depth']:>5}  {row['parameters']:>6}  {_fmt(row['spike_auc'])} "
              f"[{_fmt(lo)}, {_fmt(hi)}]  {_fmt(row.get('valid_spike_auc'))}     "
              f"{_fmt(d.get('delta_fci'), 3)} [{_fmt(g_lo, 3)}, {_fmt(g_hi, 3)}]  "
              f"{d.get('verdict', '')}", file=stream)
    print(f"  {s['reason']}", file=stream)
    cal, match = record.get("calibration"), record.get("rate_match")
    if cal and match:
        print(f"  input rates x{cal['rate_scale']:.4g} (calibrated to {cal['achieved_rate_hz']:.3g}"
              f" Hz {_ci(cal.get('achieved_rate_ci'))} on {cal['n_sims']} simulations; the "
              f"run's simulations fired {match['run_rate_hz']:.3g} Hz "
              f"{_ci(match.get('run_rate_ci'))})", file=stream)
        if match["flag"]:
            print(f"  FLAG: {match['flag']}", file=stream)
    sweep = record.get("width_sweep")
    if sweep:
        best = sweep["smallest"]
        what = ("no network of the width sweep reaches the threshold" if best is None else
                f"smallest network reaching the threshold: depth {best['depth']} x width "
                f"{best['width']}, {best['parameters']} parameters, AUC {_fmt(best['spike_auc'])}")
        print(f"  width sweep {sweep['widths']}: {what}", file=stream)


def describe_score(score: dict[str, Any]) -> str:
    """The score in words: "minimal depth 2", "minimal depth 1-2 (range)", ">= 3 (open
    above)", "unresolved at this profile" or "undetermined"."""
    outcome, label = score["outcome"], score["label"]
    if outcome == "resolved":
        return f"minimal depth {label}"
    if outcome == "range":
        return (f"minimal depth {label} (a deeper network than the sweep's might still help)"
                if score["upper"] is None else f"minimal depth {label} (range: not resolved "
                "within it)")
    return "unresolved at this profile" if outcome == "unresolved" else "undetermined"


def _ci(ci: list[float | None] | None) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return ""
    return f"[{ci[0]:.3g}, {ci[1]:.3g}]"


def median_of(values: Iterable[Any]) -> float | None:
    """Median of the numbers among ``values`` (None, NaN-as-None and non-numbers skipped);
    None when there is none. The per-seed summaries of the record's table and the site's."""
    kept = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return statistics.median(kept) if kept else None


def _fmt(value: float | None, digits: int = 4) -> str:
    return "   n/a" if value is None else f"{value:.{digits}f}"
