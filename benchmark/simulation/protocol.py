"""The common random synaptic-input protocol (pure numpy, 1 ms bins).

Written from the reference study's description of its input statistics (Beniaguev, Segev &
London 2021, Neuron 109:2727, and its published simulation code). Per simulation: one
rate-hold interval and one smoothing sigma (a choice plus uniform integer jitter, >= 1 ms).
Per tree and hold interval: excitatory total spikes per 100 ms ~ U[lo, hi], inhibitory ~
U[max(0, exc + lo_i), exc + hi_i]. A channel's share of its (tree, kind) total is
proportional to (length_um + length_offset_um) times a U[0.5, 1.5] factor per channel and
hold interval; rate per ms = total / 100 * share * rate_scale, expanded to 1 ms bins,
smoothed by a Gaussian 'same' convolution; then per bin p ~ Exponential(scale = rate) and
spike = uniform < p (at most one spike per channel per ms).

The order of random draws (hold, sigma, per-tree totals in sorted tree-name order with
excitatory before inhibitory, per-channel factors, then exponentials, then uniforms) is part
of the protocol: any change of the generated inputs must bump PROTOCOL_VERSION.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from benchmark.cells.spec import CellSpec
from benchmark.core.atomic import atomic_path
from benchmark.core.errors import UserError

PROTOCOL_VERSION = "1"
HOLD_MS_CHOICES = (25, 30, 35, 40, 45, 55, 60, 65, 70, 75, 80, 85, 90, 100, 150, 200, 300, 450)
SIGMA_MS_CHOICES = (25, 30, 35, 40, 50, 60, 80, 100, 150, 200, 300, 400, 500, 600)
KINDS = ("exc", "inh")
ReplaySim = tuple[np.ndarray, np.ndarray, int]


def _pair(value: Sequence[float], name: str) -> tuple[float, float]:
    lo, hi = (float(v) for v in value)
    if not lo <= hi:
        raise ValueError(f"{name}: lower bound {lo} exceeds upper bound {hi}")
    return lo, hi


@dataclass(frozen=True)
class TreeRates:
    """Input totals of one dendritic tree, in spikes per 100 ms over the whole tree.

    Attributes:
        exc_per_100ms: (lo, hi) of the excitatory total, drawn U[lo, hi] per hold interval.
        inh_minus_exc_per_100ms: (lo, hi); inhibitory total ~ U[max(0, exc + lo), exc + hi].
    """

    exc_per_100ms: tuple[float, float]
    inh_minus_exc_per_100ms: tuple[float, float]

    def __post_init__(self) -> None:
        exc = _pair(self.exc_per_100ms, "exc_per_100ms")
        if exc[0] < 0:
            raise ValueError(f"exc_per_100ms: lower bound {exc[0]} is negative")
        object.__setattr__(self, "exc_per_100ms", exc)
        inh = _pair(self.inh_minus_exc_per_100ms, "inh_minus_exc_per_100ms")
        object.__setattr__(self, "inh_minus_exc_per_100ms", inh)


@dataclass(frozen=True)
class ProtocolParams:
    """All parameters of the input generator (times in ms, lengths in um)."""

    trees: Mapping[str, TreeRates]
    hold_ms_choices: tuple[int, ...] = HOLD_MS_CHOICES
    hold_jitter_ms: int = 20
    sigma_ms_choices: tuple[int, ...] = SIGMA_MS_CHOICES
    sigma_jitter_ms: int = 20
    length_offset_um: float = 10.0
    segment_factor_range: tuple[float, float] = (0.5, 1.5)
    rate_scale: float = 1.0

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "trees", MappingProxyType(dict(self.trees)))
        put(self, "hold_ms_choices", tuple(int(v) for v in self.hold_ms_choices))
        put(self, "sigma_ms_choices", tuple(int(v) for v in self.sigma_ms_choices))
        put(self, "segment_factor_range", _pair(self.segment_factor_range, "factor"))
        put(self, "hold_jitter_ms", int(self.hold_jitter_ms))
        put(self, "sigma_jitter_ms", int(self.sigma_jitter_ms))
        put(self, "length_offset_um", float(self.length_offset_um))
        put(self, "rate_scale", float(self.rate_scale))
        if not self.trees or not self.hold_ms_choices or not self.sigma_ms_choices:
            raise ValueError("trees, hold_ms_choices and sigma_ms_choices must be non-empty")
        if min(self.hold_jitter_ms, self.sigma_jitter_ms, self.segment_factor_range[0]) < 0:
            raise ValueError("jitters and segment factors must be >= 0")
        if self.rate_scale < 0 or self.length_offset_um < 0:
            raise ValueError("rate_scale and length_offset_um must be >= 0")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (tuples as lists, trees sorted by name), for result records."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "trees"}
        data["trees"] = {name: asdict(rates) for name, rates in sorted(self.trees.items())}
        return json.loads(json.dumps(data))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProtocolParams:
        """Inverse of :meth:`to_dict`; a missing or malformed field raises UserError."""
        try:
            trees = {
                str(name): TreeRates(tuple(t["exc_per_100ms"]), tuple(t["inh_minus_exc_per_100ms"]))
                for name, t in data["trees"].items()
            }
            rest = {k: v for k, v in data.items() if k != "trees"}
            return cls(trees=trees, **rest)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problem = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
            raise UserError(f"protocol parameters: {problem}; fix: store to_dict()") from exc

    def digest(self) -> str:
        """sha256 hex of the canonical JSON of :meth:`to_dict` plus PROTOCOL_VERSION
        (:func:`digest_of`)."""
        return digest_of(self.to_dict(), PROTOCOL_VERSION)


def digest_of(params: Mapping[str, Any], version: str) -> str:
    """sha256 hex of the canonical JSON of protocol parameters (:meth:`ProtocolParams.to_dict`)
    and a protocol version: the protocol digest of plans and records, for any version."""
    blob = {"protocol_version": version, "params": params}
    text = json.dumps(blob, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cell_params(spec: CellSpec, rate_scale: float = 1.0) -> ProtocolParams:
    """The input-protocol parameters of a cell (its ``[inputs.trees]`` rates per tree, in
    spikes per 100 ms), with every rate multiplied by ``rate_scale``."""
    trees = {
        name: TreeRates(
            exc_per_100ms=tuple(t["exc_per_100ms"]),
            inh_minus_exc_per_100ms=tuple(t["inh_minus_exc_per_100ms"]),
        )
        for name, t in spec.data["inputs"]["trees"].items()
    }
    return ProtocolParams(trees=trees, rate_scale=rate_scale)


def reference_params(condition: str, rate_scale: float = 1.0) -> ProtocolParams:
    """The reference study's rates for trees 'basal' and 'apical' ('nmda' or 'ampa')."""
    if condition == "nmda":
        rates = {t: TreeRates((0, 800), (-600, 200)) for t in ("basal", "apical")}
    elif condition == "ampa":
        rates = {
            "basal": TreeRates((0, 1900), (-1650, 150)),
            "apical": TreeRates((0, 2000), (-1650, 150)),
        }
    else:
        raise ValueError(f"unknown condition {condition!r}; expected 'nmda' or 'ampa'")
    return ProtocolParams(trees=rates, rate_scale=rate_scale)


@dataclass(frozen=True, eq=False)
class InputSites:
    """Where each input channel sits, in channel order (one entry per channel).

    Attributes:
        kind: str array of "exc" / "inh".
        tree: str array of tree names (keys of ProtocolParams.trees).
        length_um: float array, the length (um) of the segment the synapse sits on.
    """

    kind: np.ndarray
    tree: np.ndarray
    length_um: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        kind, tree = np.asarray(self.kind, dtype=str), np.asarray(self.tree, dtype=str)
        length = np.asarray(self.length_um, dtype=np.float64)
        if kind.ndim != 1 or not kind.shape == tree.shape == length.shape:
            raise ValueError("kind, tree and length_um must be 1-D arrays of equal length")
        if not np.isin(kind, KINDS).all():
            raise ValueError(f"kind must be one of {KINDS}")
        if not (np.isfinite(length).all() and (length >= 0).all()):
            raise ValueError("length_um must be finite and >= 0")
        for name, arr in (("kind", kind), ("tree", tree), ("length_um", length)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def n_inputs(self) -> int:
        """Number of input channels."""
        return int(self.kind.shape[0])

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, Any]]) -> InputSites:
        """Build from dicts with keys 'kind', 'tree', 'length_um' (one per channel)."""
        return cls(*(np.array([r[key] for r in records]) for key in ("kind", "tree", "length_um")))


def input_rng(
    cell_digest: str, seed: int, sim_index: int, protocol_version: str = PROTOCOL_VERSION
) -> np.random.Generator:
    """The random stream of one simulation's inputs.

    The entropy of a ``np.random.SeedSequence`` is the sha256 (as one 256-bit integer) of the
    canonical JSON ``[cell_digest, protocol_version, seed]``; its spawn key is
    ``(sim_index,)``. So (cell, protocol version, seed, simulation index) always gives the
    same PCG64 stream, and different simulation indexes are independent children of one
    SeedSequence (identical to ``SeedSequence(entropy).spawn(n)[sim_index]``).
    """
    if seed < 0 or sim_index < 0:
        raise ValueError(f"seed ({seed}) and sim_index ({sim_index}) must be >= 0")
    text = json.dumps([cell_digest, protocol_version, int(seed)], separators=(",", ":"))
    entropy = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big")
    sequence = np.random.SeedSequence(entropy, spawn_key=(int(sim_index),))
    return np.random.Generator(np.random.PCG64(sequence))


def _draw_ms(choices: tuple[int, ...], jitter_ms: int, rng: np.random.Generator) -> int:
    value = choices[int(rng.integers(len(choices)))]
    return max(1, value + int(rng.integers(-jitter_ms, jitter_ms + 1)))


def _draw_totals(
    params: ProtocolParams, n_holds: int, rng: np.random.Generator
) -> dict[tuple[str, str], np.ndarray]:
    """Spikes per ms over each (tree, kind), shape (n_holds,), trees in sorted order."""
    totals: dict[tuple[str, str], np.ndarray] = {}
    for name in sorted(params.trees):
        rates = params.trees[name]
        exc = rng.uniform(*rates.exc_per_100ms, size=n_holds)
        low = np.maximum(0.0, exc + rates.inh_minus_exc_per_100ms[0])
        high = np.maximum(low, exc + rates.inh_minus_exc_per_100ms[1])
        inh = rng.uniform(low, high)
        totals[(name, "exc")], totals[(name, "inh")] = exc / 100.0, inh / 100.0
    return totals


def _hold_rates(
    sites: InputSites, params: ProtocolParams, n_holds: int, rng: np.random.Generator
) -> np.ndarray:
    """Rate per channel and hold interval (spikes per ms), shape (n_inputs, n_holds)."""
    missing = sorted(set(sites.tree.tolist()) - set(params.trees))
    if missing:
        raise UserError(f"protocol parameters: field 'trees' lacks {missing}; fix: add them")
    totals = _draw_totals(params, n_holds, rng)
    factor = rng.uniform(*params.segment_factor_range, size=(sites.n_inputs, n_holds))
    weight = (sites.length_um + params.length_offset_um)[:, None] * factor
    names, tree_of = np.unique(sites.tree, return_inverse=True)
    group_of = 2 * tree_of.reshape(-1) + (sites.kind == "inh")  # group = (tree, kind)
    sums = np.zeros((2 * names.size, n_holds))
    np.add.at(sums, group_of, weight)
    group_totals = np.array([totals[(str(t), k)] for t in names for k in KINDS])
    share = weight / np.where(sums > 0, sums, 1.0)[group_of]
    return share * group_totals[group_of] * params.rate_scale


def gaussian_window(sigma_ms: int) -> np.ndarray:
    """Normalised Gaussian window of length M = 1 + 7 * sigma_ms samples (1 ms apart).

    It is centred at (M - 1) / 2, like scipy.signal.windows.gaussian(M, sigma). For odd
    sigma, M is even and the centre falls between two samples; the 'same' convolution of
    :func:`smooth_rates` then centres the smoothing half a ms late (numpy.convolve behaves
    identically); we keep it rather than change the window length.
    """
    length = 1 + 7 * int(sigma_ms)
    lags = np.arange(length) - (length - 1) / 2.0
    window = np.exp(-0.5 * (lags / float(sigma_ms)) ** 2)
    return window / window.sum()


def _fast_fft_length(n: int) -> int:
    """Smallest 2^a 3^b 5^c >= n (pocketfft is fastest on such lengths)."""
    powers = [k ** np.arange(int(np.log(n) / np.log(k)) + 2) for k in (2, 3, 5)]
    sizes = np.multiply.outer(np.multiply.outer(powers[0], powers[1]), powers[2]).ravel()
    return int(sizes[sizes >= n].min())


def smooth_rates(rates: np.ndarray, sigma_ms: int) -> np.ndarray:
    """Smooth each row (1 ms bins) with :func:`gaussian_window`: a 'same' convolution.

    Equal to ``numpy.convolve(row, window, mode='same')`` (zero outside the simulation) for
    every row, computed for all rows at once by FFT. Output keeps the input's length even
    when the window is longer (numpy.convolve would return the window's length then).
    Values are clipped at 0 against FFT round-off.
    """
    window, n_bins = gaussian_window(sigma_ms), rates.shape[-1]
    n_fft = _fast_fft_length(n_bins + window.size - 1)
    spectrum = np.fft.rfft(rates, n_fft, axis=-1) * np.fft.rfft(window, n_fft)
    start = (window.size - 1) // 2
    return np.maximum(np.fft.irfft(spectrum, n_fft, axis=-1)[..., start : start + n_bins], 0.0)


def generate_rates(
    sites: InputSites, params: ProtocolParams, duration_ms: int, rng: np.random.Generator
) -> np.ndarray:
    """Smoothed input rates (spikes per ms per channel), shape (n_inputs, duration_ms)."""
    if duration_ms < 1:
        raise ValueError(f"duration_ms must be >= 1, got {duration_ms}")
    hold_ms = _draw_ms(params.hold_ms_choices, params.hold_jitter_ms, rng)
    sigma_ms = _draw_ms(params.sigma_ms_choices, params.sigma_jitter_ms, rng)
    n_holds = -(-duration_ms // hold_ms)
    per_hold = _hold_rates(sites, params, n_holds, rng)
    per_ms = np.repeat(per_hold, hold_ms, axis=1)[:, :duration_ms]
    return smooth_rates(per_ms, sigma_ms)


def sample_spikes(rates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per bin p ~ Exponential(scale=rate), spike = uniform < p (bool, same shape)."""
    p = rng.standard_exponential(rates.shape) * rates  # = Exponential(scale=rates) draws
    return rng.random(rates.shape) < p


def generate_inputs(
    sites: InputSites, params: ProtocolParams, duration_ms: int, rng: np.random.Generator
) -> np.ndarray:
    """Input spikes of one simulation: bool array (n_inputs, duration_ms), 1 ms bins."""
    return sample_spikes(generate_rates(sites, params, duration_ms, rng), rng)


def to_events(spikes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(channel, time_ms) int32 arrays of a bool spike array, sorted by time then channel."""
    time_ms, channel = np.nonzero(np.asarray(spikes, dtype=bool).T)
    return channel.astype(np.int32), time_ms.astype(np.int32)


def to_dense(
    channel: np.ndarray, time_ms: np.ndarray, n_inputs: int, duration_ms: int
) -> np.ndarray:
    """Bool array (n_inputs, duration_ms) with True at each (channel, time_ms) event."""
    channel, time_ms = np.asarray(channel, np.int64), np.asarray(time_ms, np.int64)
    if np.any((channel < 0) | (channel >= n_inputs) | (time_ms < 0) | (time_ms >= duration_ms)):
        raise ValueError(f"events outside {n_inputs} channels x {duration_ms} ms")
    dense = np.zeros((n_inputs, duration_ms), dtype=bool)
    dense[channel, time_ms] = True
    return dense


def _fail(path: Path, name: str, problem: str, fix: str) -> UserError:
    return UserError(f"{path}: field '{name}': {problem}; fix: {fix}")


def _as_int(path: Path, name: str, values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if (
        arr.ndim > 1
        or arr.dtype.kind not in "iuf"
        or (arr.dtype.kind == "f" and not (np.isfinite(arr) & (arr == np.round(arr))).all())
    ):
        raise _fail(path, name, "not a 1-D array of integers", "store whole numbers (ms, index)")
    return arr.astype(np.int64).reshape(-1)


def _read_npz(path: Path) -> dict[str, Any]:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: not a readable .npz (a zip archive of numeric arrays, as "
                        "numpy.savez writes); fix: write it with "
                        "benchmark.simulation.protocol.save_replay, or as the CSV of "
                        "docs/protocol.md") from exc


def _read_csv(path: Path) -> dict[str, Any]:
    lines = path.read_text(encoding="utf-8").splitlines()
    comments = [line.lstrip("#").split("=", 1) for line in lines if line.startswith("#")]
    meta = {key.strip(): value for key, value in (c for c in comments if len(c) == 2)}
    rows = [line for line in lines if line.strip() and not line.startswith("#")]
    if not rows:
        raise _fail(path, "header", "missing", "start with the line 'sim,channel,time_ms'")
    header = [name.strip() for name in rows[0].split(",")]
    try:
        table = np.loadtxt(rows[1:], delimiter=",", dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise _fail(path, "rows", f"unreadable ({exc})", "write integers only") from exc
    if len(rows) == 1:
        table = np.zeros((0, len(header)))
    if table.shape[1] != len(header):
        raise _fail(path, "header", f"{len(header)} columns, rows have {table.shape[1]}", "match")
    data: dict[str, Any] = {name: table[:, i] for i, name in enumerate(header)}
    if "duration_ms" in meta:
        try:
            data["duration_ms"] = np.array([int(v) for v in meta["duration_ms"].split(",")])
        except ValueError as exc:
            raise _fail(path, "duration_ms", "not integers", "write '# duration_ms=6000'") from exc
    return data


def _check_columns(path: Path, data: Mapping[str, Any], n_inputs: int) -> dict[str, np.ndarray]:
    for name in ("channel", "time_ms"):
        if name not in data:
            raise _fail(path, name, "missing", f"add '{name}' (integer per spike)")
    cols = {name: _as_int(path, name, data[name]) for name in ("channel", "time_ms")}
    cols["sim"] = _as_int(path, "sim", data.get("sim", np.zeros(cols["channel"].size)))
    if not cols["channel"].size == cols["time_ms"].size == cols["sim"].size:
        raise _fail(path, "channel", "channel, time_ms, sim differ in length", "one per spike")
    bad = cols["channel"][(cols["channel"] < 0) | (cols["channel"] >= n_inputs)]
    if bad.size:
        raise _fail(path, "channel", f"{bad[0]} outside [0, {n_inputs})", "use this cell's inputs")
    for name in ("time_ms", "sim"):
        if cols[name].size and cols[name].min() < 0:
            raise _fail(path, name, f"negative value {cols[name].min()}", "use values >= 0")
    return cols


def _durations(path: Path, data: Mapping[str, Any], cols: Mapping[str, np.ndarray]) -> np.ndarray:
    n_sims = int(cols["sim"].max(initial=0)) + 1
    default = [int(cols["time_ms"].max(initial=0)) + 1]
    durations = _as_int(path, "duration_ms", data.get("duration_ms", default))
    if durations.size == 1:
        durations = np.repeat(durations, n_sims)
    if durations.size < n_sims or durations.min() < 1:
        raise _fail(path, "duration_ms", "wrong count or < 1", "one value >= 1 per simulation")
    late = cols["time_ms"] >= durations[cols["sim"]]
    if late.any():
        raise _fail(path, "time_ms", "spike at or after duration_ms", "raise duration_ms")
    return durations


def load_replay(path: Path, n_inputs: int) -> list[ReplaySim]:
    """Read recorded input spike trains: a list of (channel, time_ms, duration_ms) per sim.

    Formats: ``.npz`` with integer arrays ``channel`` and ``time_ms`` (one entry per spike),
    optional ``sim`` (simulation index per spike, default 0) and ``duration_ms`` (one value,
    or one per simulation); ``.csv`` with header ``sim,channel,time_ms`` (``sim`` optional)
    and an optional leading comment ``# duration_ms=6000`` (or ``=6000,5000,...``, one per
    simulation). Without a duration it is the largest time + 1. Simulations are
    0 .. max(max(sim), number of durations - 1) (some may be empty); events come sorted by
    time then channel. Problems raise a one-line UserError naming file, field and fix.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: replay file not found; fix: give an existing .npz or .csv")
    suffix = path.suffix.lower()
    if suffix not in (".npz", ".csv"):
        raise UserError(f"{path}: unknown replay format '{suffix}'; fix: use .npz or .csv")
    data = _read_npz(path) if suffix == ".npz" else _read_csv(path)
    cols = _check_columns(path, data, n_inputs)
    durations = _durations(path, data, cols)
    order = np.lexsort((cols["channel"], cols["time_ms"], cols["sim"]))
    sim, channel, time_ms = (cols[k][order] for k in ("sim", "channel", "time_ms"))
    same = (np.diff(sim) == 0) & (np.diff(channel) == 0) & (np.diff(time_ms) == 0)
    if same.any():
        raise _fail(path, "time_ms", "two spikes of one channel in one ms", "at most one per ms")
    bounds = np.searchsorted(sim, np.arange(durations.size + 1))
    return [
        (channel[a:b].astype(np.int32), time_ms[a:b].astype(np.int32), int(durations[i]))
        for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))
    ]


def save_replay(path: Path, sims: Sequence[ReplaySim]) -> None:
    """Write simulations' (channel, time_ms, duration_ms) atomically: .npz (or .csv)."""
    if not sims:
        raise ValueError("save_replay needs at least one simulation")
    path, empty = Path(path), [np.zeros(0, np.int32)]
    sim = np.concatenate([np.full(len(c), i, np.int32) for i, (c, _, _) in enumerate(sims)] + empty)
    channel = np.concatenate([np.asarray(c, np.int32) for c, _, _ in sims] + empty)
    time_ms = np.concatenate([np.asarray(t, np.int32) for _, t, _ in sims] + empty)
    durations = np.array([int(d) for _, _, d in sims], dtype=np.int32)
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        if path.suffix.lower() == ".csv":
            head = "# duration_ms=" + ",".join(map(str, durations)) + "\nsim,channel,time_ms\n"
            handle.write(head.encode("utf-8"))
            np.savetxt(handle, np.column_stack([sim, channel, time_ms]), fmt="%d", delimiter=",")
        else:
            np.savez_compressed(
                handle, sim=sim, channel=channel, time_ms=time_ms, duration_ms=durations
            )
