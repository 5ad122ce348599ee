"""The dataset: simulations of one run folder, as network inputs and targets at 1 ms.

Inputs stay sparse in memory (events per simulation) and are made dense one window at a
time, so memory grows with the number of input spikes, not with channels x time.
Simulations are read from the HDF5 shards when first needed, one simulation's slices at a
time, and kept in a least-recently-used cache with a byte budget
(``Dataset(cache_mb=...)``): the whole dataset is never loaded at once, and a dataset
larger than the budget streams from disk.

Targets:
- spike label per 1 ms bin: a soma spike at time t (ms) falls in bin int(t - 0.5) (the
  reference protocol);
- soma target: the soma voltage clipped at a level and minus a bias
  (:func:`benchmark.learning.metrics.voltage_target`). The reference protocol used -55 mV and
  -67.7 mV, constants of its L5PC. Here both are the cell's own, measured in its training
  simulations (:func:`measure_levels`): the clip level is the spike threshold (the soma
  voltage in the last 1 ms sample before each spike's upstroke, median over spikes) and the
  bias the mean of the clipped voltage after the initial transient. On the L5PC they come
  out near the reference's constants; on cells that rest at -84 mV or fire from -50 mV the
  reference's constants would cut into the subthreshold range or leave spikes in.
  ``Dataset(voltage="reference")`` keeps the constants.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import torch

from benchmark.core.errors import UserError
from benchmark.learning.metrics import SKIP_MS, SOMA_BIAS_MV, SOMA_CLIP_MV, voltage_target
from benchmark.learning.sparse import SpikeEvents
from benchmark.simulation import engine, shards
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


@dataclass(frozen=True)
class VoltageLevels:
    """How soma voltage becomes the voltage target: clipped above at ``clip_mv`` (mV; None:
    not clipped), minus ``bias_mv`` (mV). ``source``: ``"training data"``
    (:func:`measure_levels`) or ``"reference"`` (the reference protocol's constants);
    ``n_spikes``: training spikes the clip level was measured on."""

    clip_mv: float | None
    bias_mv: float
    source: str
    n_spikes: int = 0

    def target(self, soma_mv: np.ndarray) -> np.ndarray:
        """The voltage target (mV) of a soma voltage trace (mV)."""
        return voltage_target(np.asarray(soma_mv, dtype=np.float64), self.clip_mv, self.bias_mv)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> VoltageLevels:
        """Levels stored by a fit; the reference constants for a fit stored before them."""
        return REFERENCE_LEVELS if data is None else cls(**data)


REFERENCE_LEVELS = VoltageLevels(SOMA_CLIP_MV, SOMA_BIAS_MV, "reference")
LEVEL_SIMS = 64
""":func:`measure_levels` reads at most this many training simulations."""


def spike_onsets_mv(soma_mv: np.ndarray, label: np.ndarray) -> np.ndarray:
    """Per spike (bin b of ``label``), the soma voltage (mV) in the 1 ms sample before its
    upstroke: the sample before the largest one-sample rise between bins b - 3 and b + 1."""
    v = np.asarray(soma_mv, dtype=np.float64)
    out = []
    for b in np.flatnonzero(label):
        lo, hi = max(b - 3, 0), min(b + 2, v.size)
        if hi - lo < 2:
            continue
        rise = np.diff(v[lo:hi])
        out.append(v[lo + int(np.argmax(rise))])
    return np.asarray(out)


def measure_levels(sims: Sequence[tuple[np.ndarray, np.ndarray]],
                   skip_ms: int = SKIP_MS, clip: bool = True) -> VoltageLevels:
    """A cell's voltage-target levels from (soma voltage in mV, spike label) pairs at 1 ms.

    Clip level: the median over spikes of :func:`spike_onsets_mv` (the reference's -55 mV
    when there is no spike); None with ``clip=False``, for a voltage without spike
    waveforms (:func:`benchmark.simulation.engine.voltage_has_spikes`): clipping a
    teacher's voltage, a linear readout of its units, at the level its spikes start from
    would teach a target with one nonlinearity more than the teacher has. Bias: the mean
    of the (clipped) voltage after ``skip_ms`` (ms).
    """
    if clip:
        onsets = [spike_onsets_mv(v, y) for v, y in sims]
        flat = np.concatenate(onsets) if onsets else np.empty(0)
        clip_mv: float | None = float(np.median(flat)) if flat.size else SOMA_CLIP_MV
    else:
        flat, clip_mv = np.empty(0), None
    kept = [voltage_target(np.asarray(v)[skip_ms:], clip_mv, 0.0) for v, _ in sims]
    values = np.concatenate(kept) if kept else np.empty(0)
    bias = float(values.mean()) if values.size else SOMA_BIAS_MV
    return VoltageLevels(None if clip_mv is None else round(clip_mv, 3), round(bias, 3),
                         "training data", int(flat.size))


def to_simulation(sim: shards.SimulationData,
                  levels: VoltageLevels = REFERENCE_LEVELS) -> Simulation:
    order = np.argsort(sim.input_time_ms, kind="stable")
    return Simulation(
        sim_index=sim.sim_index,
        input_channel=sim.input_channel[order].astype(np.int32),
        input_time_ms=sim.input_time_ms[order].astype(np.int32),
        spike_label=spike_labels(sim.spike_times_ms, len(sim.soma_mv)),
        soma_target_mv=levels.target(sim.soma_mv).astype(np.float32),
    )


class SimulationCache:
    """Simulations read on demand from their shards, least recently used dropped first once
    the arrays held exceed ``budget_bytes`` (the simulation in use is always kept)."""

    def __init__(self, locations: dict[int, tuple[Path, int]], budget_bytes: int,
                 levels: VoltageLevels = REFERENCE_LEVELS) -> None:
        self.locations, self.budget_bytes, self.levels = locations, budget_bytes, levels
        self._held: OrderedDict[int, Simulation] = OrderedDict()
        self.held_bytes = 0
        self.reads = 0

    def get(self, sim_index: int) -> Simulation:
        sim = self._held.get(sim_index)
        if sim is not None:
            self._held.move_to_end(sim_index)
            return sim
        path, k = self.locations[sim_index]
        sim = to_simulation(shards.read_simulation(path, k), self.levels)
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

    Opening a dataset reads the shards' simulation indices and, for the voltage target's
    levels (``voltage="cell"``, :func:`measure_levels`), the soma voltage of up to
    :data:`LEVEL_SIMS` training simulations; simulations are read when used and cached up
    to ``cache_mb`` (MB) of arrays (default 2048). ``voltage="reference"``: the reference
    protocol's constant levels. ``train_sims``: only the first that many simulations of the
    training split (learning curves); the validation and test splits are unchanged.
    """

    def __init__(self, folder: Path, cache_mb: float = 2048.0,
                 voltage: Literal["cell", "reference"] = "cell",
                 train_sims: int | None = None) -> None:
        self.folder = folder
        self.plan: SimulationPlan = read_plan(folder)
        self.splits = self.plan.split_indices()
        if train_sims is not None:
            if not 1 <= train_sims <= len(self.splits["train"]):
                raise UserError(f"{folder}: cannot train on {train_sims} simulations; the "
                                f"run has {len(self.splits['train'])} training simulations "
                                "(set train_sims between 1 and that)")
            self.splits["train"] = self.splits["train"][:train_sims]
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
        if voltage not in ("cell", "reference"):
            raise ValueError(f"voltage must be 'cell' or 'reference', got {voltage!r}")
        self.levels = (self._measure(locations) if voltage == "cell" else REFERENCE_LEVELS)
        self.cache = SimulationCache(locations, int(cache_mb * 2**20), self.levels)
        self.n_inputs = int(len(shards.read_sites(paths[0])["kind"]))

    def _measure(self, locations: dict[int, tuple[Path, int]]) -> VoltageLevels:
        pairs = []
        for i in list(self.splits["train"])[:LEVEL_SIMS]:
            raw = shards.read_simulation(*locations[i])
            pairs.append((raw.soma_mv, spike_labels(raw.spike_times_ms, len(raw.soma_mv))))
        return measure_levels(pairs, clip=engine.voltage_has_spikes(self.folder))

    def split(self, name: str) -> SimulationList:
        return SimulationList(self.cache, list(self.splits[name]))

    def sample_batch(self, rng: np.random.Generator, batch_size: int, window_ms: int,
                     receptive_field_ms: int, as_events: bool = False, skip_ms: int = 0,
                     ) -> tuple[torch.Tensor | SpikeEvents, torch.Tensor, torch.Tensor]:
        """Random training windows (the same draws whether dense or as events) whose
        targets start at ``skip_ms`` (ms) or later.

        Returns:
            inputs (batch, n_inputs, window + receptive_field - 1), dense or as
            :class:`~benchmark.learning.sparse.SpikeEvents`; spike labels and soma targets
            (batch, window) for the window's last ``window_ms`` bins.
        """
        train = self.split("train")
        picks = rng.integers(0, len(train), size=batch_size)
        duration = train[0].duration_ms
        if not 0 <= skip_ms <= duration - window_ms:
            raise ValueError(f"cannot skip {skip_ms} ms of {duration} ms simulations with "
                             f"{window_ms} ms windows")
        starts = rng.integers(skip_ms, duration - window_ms + 1, size=batch_size)
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
