"""Simulation shards: the HDF5 files a simulation stage writes, and their index.

One shard holds a few simulations of one cell:

- ``soma_mv``: float32 (n_sims, duration_ms), soma voltage sampled every 1 ms (mV);
- ``spike_times_ms`` / ``spike_offsets``: soma spike times (ms) of all simulations,
  concatenated, with offsets (n_sims + 1);
- ``input_channel`` / ``input_time_ms`` / ``input_offsets``: input spikes as events
  (channel index, 1 ms bin), concatenated per simulation with offsets;
- ``sites/*``: every input's site (section name, x, distance from the soma in um, tree,
  kind, segment length in um), so inputs can be replayed in another simulator;
- attributes: cell name and digest, protocol version and digest, seed, simulation indices,
  dt (ms), duration (ms).

Shards are written atomically; a shard file that exists is complete. ``index.json`` in the
same folder lists the finished shards and is rewritten (atomically) after each one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from benchmark.core import atomic

SITE_STR_FIELDS = ("section", "tree", "kind")
SITE_NUM_FIELDS = ("x", "distance_um", "length_um")
INDEX_FILE = "index.json"


@dataclass
class SimulationData:
    """One simulation's stored outputs and inputs.

    Attributes:
        sim_index: global simulation index within the run.
        soma_mv: soma voltage every 1 ms (mV), float32.
        spike_times_ms: soma spike times (ms).
        input_channel / input_time_ms: input events (channel index, 1 ms bin).
    """

    sim_index: int
    soma_mv: np.ndarray
    spike_times_ms: np.ndarray
    input_channel: np.ndarray
    input_time_ms: np.ndarray


def shard_name(shard_id: int) -> str:
    return f"shard-{shard_id:05d}.h5"


def _concat(arrays: Sequence[np.ndarray], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(a) for a in arrays])
    flat = np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype)
    return flat, offsets


def write_shard(path: Path, sims: Sequence[SimulationData], sites: Mapping[str, Sequence[Any]],
                attrs: Mapping[str, Any]) -> None:
    """Write one shard atomically."""
    with atomic.atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
        f.create_dataset("sim_index", data=np.array([s.sim_index for s in sims], np.int64))
        f.create_dataset("soma_mv", data=np.stack([s.soma_mv for s in sims]).astype(np.float32),
                         compression="gzip", compression_opts=1)
        flat, off = _concat([s.spike_times_ms for s in sims], np.float64)
        f.create_dataset("spike_times_ms", data=flat)
        f.create_dataset("spike_offsets", data=off)
        chan, off = _concat([s.input_channel for s in sims], np.int32)
        f.create_dataset("input_channel", data=chan, compression="gzip", compression_opts=1)
        f.create_dataset("input_offsets", data=off)
        times, _ = _concat([s.input_time_ms for s in sims], np.int32)
        f.create_dataset("input_time_ms", data=times, compression="gzip", compression_opts=1)
        grp = f.create_group("sites")
        for key in SITE_STR_FIELDS:
            grp.create_dataset(key, data=np.array(sites[key], dtype=h5py.string_dtype()))
        for key in SITE_NUM_FIELDS:
            grp.create_dataset(key, data=np.asarray(sites[key], dtype=np.float64))
        for key, value in attrs.items():
            f.attrs[key] = value


def read_shard(path: Path) -> list[SimulationData]:
    """Every simulation of one shard."""
    with h5py.File(path, "r") as f:
        idx = f["sim_index"][:]
        soma = f["soma_mv"][:]
        spikes, s_off = f["spike_times_ms"][:], f["spike_offsets"][:]
        chan, t, i_off = f["input_channel"][:], f["input_time_ms"][:], f["input_offsets"][:]
    return [
        SimulationData(
            sim_index=int(idx[k]),
            soma_mv=soma[k],
            spike_times_ms=spikes[s_off[k]:s_off[k + 1]],
            input_channel=chan[i_off[k]:i_off[k + 1]],
            input_time_ms=t[i_off[k]:i_off[k + 1]],
        )
        for k in range(len(idx))
    ]


def read_sim_indices(path: Path) -> np.ndarray:
    """The global simulation indices a shard holds, in storage order (reads nothing else)."""
    with h5py.File(path, "r") as f:
        return f["sim_index"][:]


def read_simulation(path: Path, k: int) -> SimulationData:
    """The ``k``-th simulation of a shard, reading only its slices of the datasets."""
    with h5py.File(path, "r") as f:
        s_off = f["spike_offsets"][k:k + 2]
        i_off = f["input_offsets"][k:k + 2]
        return SimulationData(
            sim_index=int(f["sim_index"][k]),
            soma_mv=f["soma_mv"][k],
            spike_times_ms=f["spike_times_ms"][s_off[0]:s_off[1]],
            input_channel=f["input_channel"][i_off[0]:i_off[1]],
            input_time_ms=f["input_time_ms"][i_off[0]:i_off[1]],
        )


def read_sites(path: Path) -> dict[str, np.ndarray]:
    """The input sites stored in a shard (one entry per input channel)."""
    with h5py.File(path, "r") as f:
        out = {k: f["sites"][k][:].astype(str) for k in SITE_STR_FIELDS}
        out.update({k: f["sites"][k][:] for k in SITE_NUM_FIELDS})
    return out


def read_attrs(path: Path) -> dict[str, Any]:
    with h5py.File(path, "r") as f:
        return {k: (v.item() if hasattr(v, "item") else v) for k, v in f.attrs.items()}


def is_complete(path: Path) -> bool:
    """True when ``path`` is a readable shard (atomic writes make presence almost enough)."""
    if not path.is_file():
        return False
    try:
        with h5py.File(path, "r") as f:
            return "sim_index" in f and "sites" in f
    except OSError:
        return False


def write_index(folder: Path, entries: Mapping[str, Mapping[str, Any]]) -> None:
    """Rewrite the shard index: shard file name -> {sim_indices, n_output_spikes, cpu_s}
    (``cpu_s``: the worker's CPU seconds, missing in shards written before it existed)."""
    atomic.write_json(folder / INDEX_FILE, {"shards": dict(sorted(entries.items()))})


def read_index(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / INDEX_FILE
    if not path.is_file():
        return {}
    return json.loads(path.read_text())["shards"]


def index_counts(folder: Path) -> tuple[int, int]:
    """(simulations, output spikes) over the shards indexed in ``folder``."""
    index = read_index(folder)
    return (sum(len(e["sim_indices"]) for e in index.values()),
            sum(sum(e["n_output_spikes"]) for e in index.values()))


def spike_counts(folder: Path) -> np.ndarray:
    """Output spikes of every simulation indexed in ``folder``, in simulation-index order."""
    pairs = sorted((int(i), int(n)) for e in read_index(folder).values()
                   for i, n in zip(e["sim_indices"], e["n_output_spikes"], strict=True))
    return np.array([n for _, n in pairs], dtype=np.int64)
