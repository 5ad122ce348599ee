"""Replay input spike trains onto synapses without a Python call per spike.

Runs only inside worker processes that have imported ``neuron`` and loaded the mechanisms.

NEURON 9 wheels ship no ``VecStim``, but they do ship ``PatternStim``: an artificial cell that
replays ``(time, gid)`` pairs through ``ParallelContext``. Every target gets a gid of its own,
unowned by this process, connected with ``pc.gid_connect(gid, target)``; ``PatternStim``
"fires" that gid and NEURON fans the event out to the NetCon, which delivers it at the
spike time plus the NetCon delay. Events are handed over in batches inside compiled code.

Delay: the NetCons use :data:`DELAY_MS` (1 ms, not 0, because ``pc.psolve`` refuses a minimum
delay below ``dt``), and the player plays ``time - DELAY_MS``, so an event given at ``time``
reaches its target at exactly ``time`` (an event at t = 0 arrives at t = 0). Results are
identical to ``NetCon.event(time)``.

Use, for each simulation in the same process::

    player = EventPlayer(synapses)          # once, after building the cell
    player.set_events(channel, time_ms)     # before h.finitialize
    h.finitialize(v_init)                   # PatternStim rewinds in its INITIAL block
    h.continuerun(tstop)                    # or pc.set_maxstep(10); pc.psolve(tstop)

or ``player.run(tstop, v_init)``, which does the last two steps (``h.dt`` as set by the caller;
load ``stdrun.hoc`` first).

``set_events`` may be called again for the next simulation; keep the player alive while
simulating (it owns the NetCons and the vectors ``PatternStim`` reads from).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from neuron import h

DELAY_MS = 1.0
"""NetCon delay (ms); compensated, so events arrive at the requested times."""

GID_BASE = 1_000_000_000
"""First input gid; players take consecutive blocks above it (never owned by a cell)."""

_next_gid: Iterator[int] = itertools.count(GID_BASE)

HocObject = Any


class EventPlayer:
    """Deliver input events to point processes (``channel`` k -> ``targets[k]``).

    Args:
        targets: point processes with a NET_RECEIVE block (synapses).
        weight: NetCon weight of every event (1 gives each synapse's gmax).
    """

    def __init__(self, targets: Sequence[HocObject], weight: float = 1.0) -> None:
        self._pc = h.ParallelContext()
        self._gids = np.array([next(_next_gid) for _ in targets], dtype=np.int64)
        pairs = zip(self._gids, targets, strict=True)
        self._netcons = [self._connect(int(gid), target, weight) for gid, target in pairs]
        self._stim = h.PatternStim()
        self._tvec = h.Vector()
        self._gidvec = h.Vector()
        self.n_events = 0

    @property
    def n_targets(self) -> int:
        """Number of channels."""
        return len(self._netcons)

    def _connect(self, gid: int, target: HocObject, weight: float) -> HocObject:
        netcon = self._pc.gid_connect(gid, target)
        netcon.weight[0] = weight
        netcon.delay = DELAY_MS
        return netcon

    def set_events(self, channel: np.ndarray, time_ms: np.ndarray) -> None:
        """Events for the next simulation: ``channel[i]`` receives one at ``time_ms[i]`` (ms).

        Times need not be sorted; they must be finite and >= 0. Call before ``h.finitialize``.
        """
        channel, time_ms = self._checked(channel, time_ms)
        order = np.argsort(time_ms, kind="stable")
        self._tvec = h.Vector(time_ms[order] - DELAY_MS)
        self._gidvec = h.Vector(self._gids[channel[order]].astype(np.float64))
        self._stim.play(self._tvec, self._gidvec)
        self.n_events = len(order)

    def run(self, tstop_ms: float, v_init_mv: float = -65.0) -> None:
        """Initialise to ``v_init_mv`` (mV) and run to ``tstop_ms`` (ms) with the events set."""
        h.finitialize(v_init_mv)
        h.continuerun(tstop_ms)

    def _checked(self, channel: np.ndarray, time_ms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        channel = np.asarray(channel).reshape(-1)
        time_ms = np.asarray(time_ms, dtype=np.float64).reshape(-1)
        if channel.shape != time_ms.shape:
            raise ValueError(f"{channel.size} channels but {time_ms.size} times")
        if channel.size and not np.issubdtype(channel.dtype, np.integer):
            raise ValueError(f"channels must be integers, got {channel.dtype}")
        if channel.size and (channel.min() < 0 or channel.max() >= self.n_targets):
            raise ValueError(f"channels must lie in [0, {self.n_targets})")
        if not np.all(np.isfinite(time_ms)) or (time_ms.size and time_ms.min() < 0):
            raise ValueError("event times must be finite and >= 0 ms")
        return channel.astype(np.int64), time_ms
