"""The dataset: simulations of one run folder, as network inputs and targets at 1 ms.

Inputs stay sparse in memory (events per simulation) and are made dense one window at a
time, so memory grows with the number of input spikes, not with channels x time.
Simulations are read from the HDF5 shards when first needed, one simulation's slices at a
time, and kept in a least-recently-used cache with a byte budget
(``Dataset(cache_mb=...)``): the whole dataset is never loaded at once, and a dataset
larger than the budget streams from disk.

Targets (the reference protocol):
- spike label per 1 ms bin: a soma spike at time t (ms) falls in bin int(t - 0.5);
- soma target: the soma voltage clipped at -55 mV minus a bias of -67.7 mV
  (:func:`benchmark.learning.metrics.voltage_target`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import numpy as np
import torch

from benchmark.core.errors import UserError
from benchmark.learning.metrics import voltage_target
from benchmark.learning.sparse import SpikeEvents
from benchmark.simulation import shards
from benchmark.simulation.plan import SimulationPlan, read_plan


@dataclass
class Simulation:
    """One simulation as a learning example.

    Attributes:
        sim_index: global simulation index.
        input_channel / input_time_ms: input events, sorted by time (ms bins).
        spike_label: bool per 1 ms bin.
        soma_target_mv: clipped, bias-removed soma voltage per 1 ms bin (mV).
    """

    sim_index: int
    input_channel: np.ndarray
    input_time_ms: np.ndarray
    spike_label: np.ndarray
    soma_target_mv: np.ndarray

    @property
    def duration_ms(self) -> int:
        return len(self.spike_label)

    @property
    def n_output_spikes(self) -> int:
        return int(self.spike_label.sum())

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays (bytes)."""
        return sum(a.nbytes for a in (self.input_channel, self.input_time_ms, self.spike_label,
                                      self.soma_target_mv))

    def dense_inputs(self, n_inputs: int, start_ms: int, stop_ms: int) -> np.ndarray:
        """Binary inputs (n_inputs, stop - start) for bins [start, stop); zeros before 0."""
        lo, hi = np.searchsorted(self.input_time_ms, [max(start_ms, 0), stop_ms])
        out = np.zeros((n_inputs, stop_ms - start_ms), dtype=np.float32)
        out[self.input_channel[lo:hi], self.input_time_ms[lo:hi] - start_ms] = 1.0
        return out

    def window_events(self, start_ms: int, stop_ms: int) -> tuple[np.ndarray, np.ndarray]:
        """The inputs of :meth:`dense_inputs` as events: (channel, bin - start) int64 arrays,
        one per nonzero cell of the dense window (a repeated event counts once)."""
        lo, hi = np.searchsorted(self.input_time_ms, [max(start_ms, 0), stop_ms])
        flat = np.unique(self.input_channel[lo:hi].astype(np.int64) * (stop_ms - start_ms)
                         + (self.input_time_ms[lo:hi] - start_ms))
        return flat // (stop_ms - start_ms), flat % (stop_ms - start_ms)


def batch_events(windows: list[tuple[np.ndarray, np.ndarray]], n_inputs: int,
                 length_ms: int) -> SpikeEvents:
    """One :class:`~benchmark.learning.sparse.SpikeEvents` of per-example (channel, bin) events."""
    batch = np.concatenate([np.full(len(c), i, dtype=np.int64)
                            for i, (c, _) in enumerate(windows)])
    channel = np.concatenate([c for c, _ in windows]).astype(np.int64)
    time = np.concatenate([t for _, t in windows]).astype(np.int64)
    return SpikeEvents(torch.from_numpy(batch), torch.from_numpy(channel),
                       torch.from_numpy(time), len(windows), n_inputs, length_ms)


def spike_labels(spike_times_ms: np.ndarray, duration_ms: int) -> np.ndarray:
    """Bool per 1 ms bin: a spike at t (ms) falls in bin int(t - 0.5)."""
    label = np.zeros(duration_ms, dtype=bool)
    bins = np.clip((np.asarray(spike_times_ms) - 0.5).astype(int), 0, duration_ms - 1)
    label[bins] = True
    return label


def to_simulation(sim: shards.SimulationData) -> Simulation:
    order = np.argsort(sim.input_time_ms, kind="stable")
    return Simulation(
        sim_index=sim.sim_index,
        input_channel=sim.input_channel[order].astype(np.int32),
        input_time_ms=sim.input_time_ms[order].astype(np.int32),
        spike_label=spike_labels(sim.spike_times_ms, len(sim.soma_mv)),
        soma_target_mv=voltage_target(sim.soma_mv.astype(np.float64)).astype(np.float32),
    )


class SimulationCache:
    """Simulations read on demand from their shards, least recently used dropped first once
    the arrays held exceed ``budget_bytes`` (the simulation in use is always kept)."""

    def __init__(self, locations: dict[int, tuple[Path, int]], budget_bytes: int) -> None:
        self.locations, self.budget_bytes = locations, budget_bytes
        self._held: OrderedDict[int, Simulation] = OrderedDict()
        self.held_bytes = 0
        self.reads = 0

    def get(self, sim_index: int) -> Simulation:
        sim = self._held.get(sim_index)
        if sim is not None:
            self._held.move_to_end(sim_index)
            return sim
        path, k = self.locations[sim_index]
        sim = to_simulation(shards.read_simulation(path, k))
        self.reads += 1
        self._held[sim_index] = sim
        self.held_bytes += sim.nbytes
        while self.held_bytes > self.budget_bytes and len(self._held) > 1:
            _, old = self._held.popitem(last=False)
            self.held_bytes -= old.nbytes
        return sim


class SimulationList(Sequence[Simulation]):
    """A split's simulations in order, each read through the cache when accessed."""

    def __init__(self, cache: SimulationCache, indices: list[int]) -> None:
        self.cache, self.indices = cache, indices

    def __len__(self) -> int:
        return len(self.indices)

    @overload
    def __getitem__(self, i: int) -> Simulation: ...
    @overload
    def __getitem__(self, i: slice) -> list[Simulation]: ...
    def __getitem__(self, i: int | slice) -> Simulation | list[Simulation]:
        if isinstance(i, slice):
            return [self.cache.get(j) for j in self.indices[i]]
        return self.cache.get(self.indices[i])

    def __iter__(self) -> Iterator[Simulation]:
        return (self.cache.get(j) for j in self.indices)


class Dataset:
    """The simulations of a run folder, split into train, valid and test.

    Opening a dataset reads only the shards' simulation indices; simulations are read when
    used and cached up to ``cache_mb`` (MB) of arrays (default 2048).
    """

    def __init__(self, folder: Path, cache_mb: float = 2048.0) -> None:
        self.folder = folder
        self.plan: SimulationPlan = read_plan(folder)
        self.splits = self.plan.split_indices()
        wanted = {i for ids in self.splits.values() for i in ids}
        locations: dict[int, tuple[Path, int]] = {}
        paths = sorted(folder.glob("shard-*.h5"))
        for path in paths:
            for k, sim_index in enumerate(shards.read_sim_indices(path)):
                locations[int(sim_index)] = (path, k)
        missing = sorted(wanted - set(locations))
        if missing:
            raise UserError(f"{folder}: {len(missing)} simulations missing (e.g. {missing[:3]}); "
                            "rerun `python -m benchmark simulate` to finish them")
        self.cache = SimulationCache(locations, int(cache_mb * 2**20))
        self.n_inputs = int(len(shards.read_sites(paths[0])["kind"]))

    def split(self, name: str) -> SimulationList:
        return SimulationList(self.cache, list(self.splits[name]))

    def sample_batch(self, rng: np.random.Generator, batch_size: int, window_ms: int,
                     receptive_field_ms: int, as_events: bool = False,
                     ) -> tuple[torch.Tensor | SpikeEvents, torch.Tensor, torch.Tensor]:
        """Random training windows (the same draws whether dense or as events).

        Returns:
            inputs (batch, n_inputs, window + receptive_field - 1), dense or as
            :class:`~benchmark.learning.sparse.SpikeEvents`; spike labels and soma targets
            (batch, window) for the window's last ``window_ms`` bins.
        """
        train = self.split("train")
        picks = rng.integers(0, len(train), size=batch_size)
        duration = train[0].duration_ms
        starts = rng.integers(0, duration - window_ms + 1, size=batch_size)
        history = receptive_field_ms - 1
        xs, spikes, somas = [], [], []
        for p, t0 in zip(picks, starts, strict=True):
            sim = train[int(p)]
            span = (int(t0) - history, int(t0) + window_ms)
            xs.append(sim.window_events(*span) if as_events
                      else sim.dense_inputs(self.n_inputs, *span))
            spikes.append(sim.spike_label[t0:t0 + window_ms])
            somas.append(sim.soma_target_mv[t0:t0 + window_ms])
        inputs = (batch_events(xs, self.n_inputs, window_ms + history) if as_events
                  else torch.from_numpy(np.stack(xs)))
        return (inputs,
                torch.from_numpy(np.stack(spikes).astype(np.float32)),
                torch.from_numpy(np.stack(somas)))
