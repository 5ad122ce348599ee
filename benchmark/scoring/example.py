"""The example of a scored run: one test simulation, the fitted network's prediction of it,
and the cell's shape; stored as ``example.json`` beside the record, for the site's figures.

The example is plain JSON (schema ``schemas/example.schema.json``), small (a window of
:data:`WINDOW_MS` of one simulation, the shape rounded to 0.1 um) and tied to its record by
the cell and protocol digests, which the leaderboard builder compares. It holds:

- ``simulation``: which test simulation and window (ms); the input events in the window
  (channel index, 1 ms bin relative to the window start); which channels are excitatory;
  every input's path distance from the soma (um); the soma voltage every 1 ms (mV,
  unclipped) and the soma spike times (ms, relative to the window start);
- ``prediction``: which network (depth, seed, its test spike AUC), its spike probability
  per 1 ms bin and its soma voltage (mV; clipped at -55 mV like the training target);
- ``shape``: per section its region and 3D points (x, y, z, diam in um): the content of
  the ``shape`` probe of :mod:`benchmark.simulation.physiology`, which the simulation
  stage stores as ``simulations/shape.json`` (:func:`benchmark.simulation.runner.read_shape`);
  for a run simulated before it did, the probe is run here (a NEURON worker process).

The simulation shown is the test simulation with the most soma spikes in its first
:data:`WINDOW_MS` (the lowest index on ties): deterministic, and never a silent one when
the test set has spikes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.cells.spec import CellSpec
from benchmark.core import atomic
from benchmark.core.errors import UserError
from benchmark.learning.dataset import Dataset
from benchmark.simulation import physiology, runner, shards

SCHEMA_VERSION = 1
EXAMPLE_FILE = "example.json"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "example.schema.json"
WINDOW_MS = 2000  # ms of the example simulation that is stored and drawn


def pick_simulation(dataset: Dataset, window_ms: int = WINDOW_MS) -> int:
    """The test simulation index with the most soma spikes in its first ``window_ms``."""
    best, best_count = None, -1
    for sim in dataset.split("test"):
        count = int(sim.spike_label[:window_ms].sum())
        if count > best_count:
            best, best_count = sim.sim_index, count
    if best is None:
        raise UserError(f"{dataset.folder}: the run has no test simulations to show")
    return best


def raw_simulation(folder: Path, sim_index: int) -> shards.SimulationData:
    """The stored (unclipped) simulation ``sim_index`` of a simulations folder."""
    for path in sorted(folder.glob("shard-*.h5")):
        indices = shards.read_sim_indices(path)
        hits = np.flatnonzero(indices == sim_index)
        if len(hits):
            return shards.read_simulation(path, int(hits[0]))
    raise UserError(f"{folder}: simulation {sim_index} is not stored; rerun `simulate`")


def simulation_block(folder: Path, sim: shards.SimulationData,
                     window_ms: int) -> dict[str, Any]:
    """The window [0, window_ms) of one stored simulation, as JSON-able lists."""
    window_ms = min(window_ms, len(sim.soma_mv))
    keep = sim.input_time_ms < window_ms
    order = np.lexsort((sim.input_channel[keep], sim.input_time_ms[keep]))
    first = sorted(folder.glob("shard-*.h5"))[0]
    sites = shards.read_sites(first)
    return {
        "sim_index": int(sim.sim_index), "split": "test", "window_ms": [0, int(window_ms)],
        "n_inputs": int(len(sites["kind"])),
        "excitatory": [str(k) == "exc" for k in sites["kind"]],
        "distance_um": [round(float(d), 1) for d in sites["distance_um"]],
        "input_channel": sim.input_channel[keep][order].astype(int).tolist(),
        "input_time_ms": sim.input_time_ms[keep][order].astype(int).tolist(),
        "soma_mv": _rounded(sim.soma_mv[:window_ms], 2),
        "spike_times_ms": _rounded(sim.spike_times_ms[sim.spike_times_ms < window_ms], 2),
    }


def prediction_block(run: Path, sim: shards.SimulationData, window_ms: int) -> dict[str, Any]:
    """The scored network's prediction of the whole simulation, cut to the window."""
    from benchmark.learning import prediction

    net = prediction.load_network(_fit_folder(run))
    out = prediction.predict_inputs(net, [(sim.input_channel, sim.input_time_ms.astype(float),
                                           len(sim.soma_mv))])[0]
    return {"depth": net.depth, "seed": net.seed, "test_spike_auc": net.test_spike_auc,
            "spike_prob": _rounded(out["spike_prob"][:window_ms], 4),
            "soma_mv": _rounded(out["soma_mv"][:window_ms], 2)}


def _fit_folder(run: Path) -> Path:
    """The network the score points at (its ``network_depth``: the minimal depth, else the
    shallowest sufficient, else the best); the deepest fitted depth when undetermined."""
    from benchmark.learning import prediction

    scores = json.loads((run / "scores.json").read_text())
    depth = scores["score"].get("network_depth")
    if depth is None:
        depth = max(row["depth"] for row in scores["per_depth"])
    return prediction.choose_fit(run, depth=depth)


def build(spec: CellSpec, run: Path, record: dict[str, Any], window_ms: int = WINDOW_MS, *,
          mirror: Path | None = None) -> dict[str, Any]:
    """The example of the scored run in ``run`` (a run folder with ``record.json``);
    ``mirror``: where to read the cell's data files first, when the shape must be probed."""
    sim_index = pick_simulation(Dataset(run / "simulations", cache_mb=256), window_ms)
    sim = raw_simulation(run / "simulations", sim_index)
    return {
        "schema_version": SCHEMA_VERSION,
        "cell": record["cell"]["name"], "profile": record["profile"]["name"],
        "cell_digest": record["cell"]["digest"],
        "protocol_digest": record["protocol"]["digest"],
        "simulation": simulation_block(run / "simulations", sim, window_ms),
        "prediction": prediction_block(run, sim, window_ms),
        "shape": shape(spec, run / "simulations", mirror=mirror),
    }


def shape(spec: CellSpec, folder: Path, *, mirror: Path | None = None) -> dict[str, Any]:
    """The cell's shape stored by the simulation stage in ``folder``, else (a folder
    simulated before the stage stored it) the ``shape`` probe's, run in a NEURON worker."""
    stored = runner.read_shape(folder)
    return stored if stored is not None else physiology.measure(spec, "shape", mirror=mirror)


def write(path: Path, example: dict[str, Any]) -> None:
    """Validate and write ``example`` atomically (compact JSON: it holds long arrays)."""
    validate(example, str(path))
    atomic.write_text(path, json.dumps(example, separators=(",", ":"), sort_keys=True) + "\n")


def validate(example: Any, source: str = "example") -> None:
    """Raise UserError (one line: where and what) if ``example`` breaks the schema."""
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text())
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(example))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise UserError(f"{source}: field '{where}': {error.message}; "
                        "fix: regenerate it with `python -m benchmark score`")


def _rounded(values: np.ndarray, decimals: int) -> list[float]:
    return [round(float(v), decimals) for v in np.asarray(values)]
