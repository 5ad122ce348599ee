"""Run profiles: how much data, which depth sweep, and how long to train.

``smoke`` runs in seconds (CI); ``quick`` in minutes on a laptop; ``resolving`` (sized on
teachers of known depth to tell depth 1 from depth 3) in hours on 2 cores, and
``resolving-small`` (the cheapest plan measured to do so) in about an hour; ``standard`` in
hours on a workstation; ``paper`` at the reference study's scale (a cluster and a GPU).
Every number here is recorded in each result record, so a score always says how it was made.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from benchmark.core.errors import UserError


@dataclass(frozen=True)
class DataPlan:
    """How many simulations, and how long.

    Attributes:
        n_train / n_valid / n_test: simulations per split.
        duration_ms: length of one simulation (ms).
        sims_per_shard: simulations per HDF5 shard (the unit of loss on a crash).
    """

    n_train: int
    n_valid: int
    n_test: int
    duration_ms: int
    sims_per_shard: int

    @property
    def n_total(self) -> int:
        return self.n_train + self.n_valid + self.n_test


@dataclass(frozen=True)
class TrainPlan:
    """The training recipe of one fit.

    Attributes:
        max_steps: optimiser steps at most.
        batch_size: windows per step.
        window_ms: output length of a training window (ms); the network also reads its
            receptive field before the window.
        learning_rate: NAdam learning rate at the start; multiplied by ``lr_step_factor``
            at each fraction of ``max_steps`` in ``lr_step_at`` (default: divided by 10 at
            50% and 80%; :meth:`learning_rate_at`).
        spike_weight / soma_weight: weights of the spike BCE and soma MSE (mV^2) losses at
            the start of training.
        spike_weight_end / soma_weight_end: their values in the last of ``loss_stages``
            equal stages of ``max_steps``; in between they move geometrically, one step per
            stage (:meth:`loss_weights_at`). None: constant. The reference study's spike
            weight rose 1 -> 9 while its voltage weight fell 0.02 -> 0.003.
        loss_stages: stages of the loss-weight schedule.
        select_on: what the validation checks compare, for the kept weights and early
            stopping: ``"spike_auc"`` (the pooled spike AUC on the validation simulations,
            scored as the test set is), ``"spike_loss"`` (the spike BCE on the validation
            simulations after ``skip_ms``) or ``"loss"`` (the whole training loss at the
            current weights).
        skip_ms: training windows' targets, and the validation spike loss, start at this
            time (ms) or later: the initial transient of a simulation (its cell starting
            from rest as the inputs begin) is not learned.
        voltage_target: ``"cell"`` (clip and bias measured in the cell's training data,
            :func:`benchmark.learning.dataset.measure_levels`) or ``"reference"`` (the
            reference protocol's -55 mV and -67.7 mV).
        eval_every: steps between validation checks (and checkpoints).
        patience: validation checks without improvement before early stopping.
        weight_decay: decoupled weight decay (per unit learning rate, as AdamW's; NAdam's
            ``decoupled_weight_decay``) on every parameter; 0 for none.
        mixed_precision: device types ("cuda", "cpu") whose training steps run under
            bfloat16 autocast (convolutions in bf16, losses in float32). Validation, test
            and prediction always run in float32: test AUCs near 0.997 need the logits'
            full resolution to rank bins.
        train_sims: train on the first ``train_sims`` simulations of the run's training
            split only (learning curves, ``benchmarks/learning_curve.py``); None: all of
            them. Validation and test sets are the run's, whatever this is.
    """

    max_steps: int
    batch_size: int
    window_ms: int
    learning_rate: float
    spike_weight: float = 1.0
    soma_weight: float = 0.02
    eval_every: int = 100
    patience: int = 5
    mixed_precision: tuple[str, ...] = ("cuda",)
    weight_decay: float = 0.0
    lr_step_at: tuple[float, ...] = (0.5, 0.8)
    lr_step_factor: float = 0.1
    spike_weight_end: float | None = 9.0
    soma_weight_end: float | None = 0.003
    loss_stages: int = 5
    select_on: str = "spike_auc"
    skip_ms: int = 500
    voltage_target: str = "cell"
    train_sims: int | None = None

    def __post_init__(self) -> None:
        if self.train_sims is not None and (isinstance(self.train_sims, bool)
                                            or not isinstance(self.train_sims, int)
                                            or self.train_sims < 1):
            raise ValueError(f"train_sims must be a positive integer or None, got "
                             f"{self.train_sims!r}")
        if self.select_on not in ("spike_auc", "spike_loss", "loss"):
            raise ValueError(f"select_on must be 'spike_auc', 'spike_loss' or 'loss', got "
                             f"{self.select_on!r}")
        if self.voltage_target not in ("cell", "reference"):
            raise ValueError(f"voltage_target must be 'cell' or 'reference', got "
                             f"{self.voltage_target!r}")
        if self.loss_stages < 1 or self.skip_ms < 0:
            raise ValueError("need loss_stages >= 1 and skip_ms >= 0")

    def loss_weights_at(self, step: int) -> tuple[float, float]:
        """(spike weight, soma weight) of optimiser step ``step``: stage
        k = floor(``loss_stages`` x step / ``max_steps``) of the geometric path from the
        start weights to the end weights (the end weights in the last stage)."""
        stage = min(int(self.loss_stages * step / self.max_steps), self.loss_stages - 1)
        frac = stage / (self.loss_stages - 1) if self.loss_stages > 1 else 1.0

        def path(start: float, end: float | None) -> float:
            return start if end is None else start * (end / start) ** frac

        return path(self.spike_weight, self.spike_weight_end), path(self.soma_weight,
                                                                    self.soma_weight_end)

    def learning_rate_at(self, step: int) -> float:
        """The learning rate of optimiser step ``step``: ``learning_rate`` times
        ``lr_step_factor`` for each fraction of ``max_steps`` in ``lr_step_at`` reached."""
        frac = step / self.max_steps
        return self.learning_rate * self.lr_step_factor ** sum(frac >= at for at in
                                                                self.lr_step_at)


LR_STEP_DEFAULTS = {"lr_step_at": (0.5, 0.8), "lr_step_factor": 0.1}
"""The learning-rate steps every profile used before they were fields: a record leaves them
out at these values (:meth:`Profile.to_dict`), so records made before and after compare
equal."""


@dataclass(frozen=True)
class Calibration:
    """Input-rate calibration (:mod:`benchmark.simulation.calibration`): the factor on every input
    rate that makes the cell fire at ``target_rate_hz`` (Hz) within ``tolerance`` (relative),
    measured on probes of ``n_sims`` simulations of ``duration_ms`` (ms) each; at most
    ``max_probes`` probes, scales within [``min_scale``, ``max_scale``]. Probes far from the
    target (none so far within a factor 2) use ``coarse_n_sims`` simulations when set: they
    only steer the search, which ends on a full probe of ``n_sims``. With ``confirm_width``
    (relative) the scale the search ends on is then confirmed on probes of fresh inputs
    until their pooled rate is within ``tolerance`` and its 95% interval within
    ``target_rate_hz * (1 +- confirm_width)``; None: the search's last probe decides.
    """

    n_sims: int
    duration_ms: int
    coarse_n_sims: int | None = None
    target_rate_hz: float = 1.0
    tolerance: float = 0.2
    max_probes: int = 8
    min_scale: float = 1.0 / 64.0
    max_scale: float = 64.0
    confirm_width: float | None = None


@dataclass(frozen=True)
class Profile:
    """A complete run recipe: data, depth sweep, training and evaluation.

    ``widths``: an optional width sweep: every depth is also fitted at these widths (same
    seeds and recipe), and the score reports the smallest network, by parameter count, that
    reaches the main sweep's threshold (``--widths`` on the command line; default none).

    ``calibration``: scale the cell's input rates to a target output rate before simulating
    (:class:`Calibration`); None leaves the rates of the cell's spec as they are.

    ``sparse_input``: the networks' first layer is computed from the input spike events
    (:mod:`benchmark.learning.sparse`; the same parameters and, within float tolerance, the same
    outputs as the dense layer; 2.8-8x faster per training step on 2 CPU cores for 1278
    inputs, see ``benchmarks/train.py``).
    """

    name: str
    description: str
    data: DataPlan
    train: TrainPlan
    depths: tuple[int, ...]
    width: int
    receptive_field_ms: int
    kernel_ms: int
    n_seeds: int
    reference_depth: int
    n_boot: int = 200
    score_tolerance_fci: float = 0.05
    """The decision rule's tolerance (FCI units; :mod:`benchmark.scoring.decision`)."""
    device: str = "auto"
    sparse_input: bool = True
    spatial_rank: int | None = None
    """None: the networks' first layer is the reference protocol's full convolution; R: it is
    factorised into R spatial patterns of the inputs, each filtered in time
    (:class:`benchmark.learning.model.FactorisedConv1d`)."""
    widths: tuple[int, ...] = ()
    calibration: Calibration | None = None
    engine: str | None = None
    """Simulation engine for every cell of a run with this profile (``"coreneuron"`` or
    ``"neuron"``), overriding the cells' own ``simulation.engine``; None: each cell's."""
    revised: str = field(default="", compare=False)
    """Date (ISO) the definition last changed: a label for readers (the site's table titles,
    docs' "quick v2"), not part of the definition (:meth:`to_dict` leaves it out, so the
    records' profile blocks do not hold it; the builder refuses a record of another
    definition, so every shown record is of this revision)."""

    def __post_init__(self) -> None:
        if self.engine not in (None, "coreneuron", "neuron"):
            raise ValueError(f"profile {self.name}: engine {self.engine!r} is not "
                             "coreneuron, neuron or None")
        deepest = max(self.depths)
        if self.first_kernel_ms(deepest) < 1:
            raise ValueError(f"profile {self.name}: receptive field {self.receptive_field_ms} ms "
                             f"is too short for depth {deepest} with {self.kernel_ms} ms kernels")

    def first_kernel_ms(self, depth: int) -> int:
        """First-layer kernel (ms) of a network of ``depth`` layers.

        Every depth of the sweep sees the same receptive field (ms): the first kernel takes
        what the deeper layers' kernels leave, ``T - (depth - 1) (kernel_ms - 1)``. Depth then
        measures how much nonlinear processing a cell needs, not how far back a network can
        look (the reference 7-layer network: T = 153 ms, kernels 20 ms, first kernel 39 ms).
        """
        return self.receptive_field_ms - (depth - 1) * (self.kernel_ms - 1)

    def to_dict(self) -> dict[str, Any]:
        """The definition (every field but :attr:`revised`; the learning-rate steps only
        where they differ from :data:`LR_STEP_DEFAULTS`, ``train_sims`` only when set):
        what records hold and the builder compares."""
        out = asdict(self)
        del out["revised"]
        for key in ("engine", "spatial_rank"):  # unset: compare equal to records from before
            if out[key] is None:                # the field existed
                del out[key]
        if all(getattr(self.train, k) == v for k, v in LR_STEP_DEFAULTS.items()):
            for key in LR_STEP_DEFAULTS:
                del out["train"][key]
        if self.train.train_sims is None:  # every training simulation, as before the field
            del out["train"]["train_sims"]
        if out["calibration"] is not None and self.calibration.confirm_width is None:
            del out["calibration"]["confirm_width"]  # as before the field
        return out


# resolving: the plan sized on teachers of known depth (docs/teachers.md, "Balanced
# kernels"): quick's networks with a factorised first layer (32 spatial patterns: the
# full 1278 x 100 ms layer of depth 1 overfits where a teacher's units are filters of
# 8 input stretches), 10x quick's training simulations, batches of 32, 3000 steps
# without decay or early stop (patience 60 checks: the loss still falls at 3000). With
# one seed per depth, a run of this plan on the depth-1 teacher called ">= 3" (its
# interval resamples test simulations only, missing the spread between training runs,
# about 0.1 FCI there), so every depth has two seeds.
_RESOLVING = Profile(
    name="resolving",
    description="sized to tell depth 1 from depth 3 on teachers of known depth: "
                "quick's networks, 10x its training data, factorised first layer",
    data=DataPlan(n_train=480, n_valid=32, n_test=96, duration_ms=6000, sims_per_shard=8),
    train=TrainPlan(max_steps=3000, batch_size=32, window_ms=200, learning_rate=3e-3,
                    soma_weight=2.0, spike_weight_end=None, soma_weight_end=None,
                    eval_every=100, patience=60, weight_decay=0.0),
    depths=(1, 2, 3), width=16, receptive_field_ms=100, kernel_ms=11, n_seeds=2,
    reference_depth=3, spatial_rank=32,
    calibration=Calibration(n_sims=32, duration_ms=3000, coarse_n_sims=8),
    revised="2026-12-04",
)


PROFILES: dict[str, Profile] = {
    "smoke": Profile(
        name="smoke",
        description="CI check of the whole pipeline: seconds, scores mean nothing",
        data=DataPlan(n_train=4, n_valid=1, n_test=2, duration_ms=2000, sims_per_shard=2),
        train=TrainPlan(max_steps=30, batch_size=8, window_ms=200, learning_rate=3e-3,
                        soma_weight=2.0, spike_weight_end=None, soma_weight_end=None,
                        eval_every=10, patience=3, skip_ms=0),
        depths=(1, 2), width=8, receptive_field_ms=30, kernel_ms=5, n_seeds=1,
        reference_depth=2, n_boot=50,
    ),
    # Every profile keeps the weights of the highest validation spike AUC (the score's own
    # metric), skips the first 500 ms of each simulation in training and centres the
    # voltage target on the cell's own levels (TrainPlan defaults). standard and paper use
    # the reference study's loss weights (spike 1 -> 9, soma 0.02 -> 0.003). smoke and
    # quick keep spike 1 and soma 2.0 throughout: at 48 training simulations and 1500 steps
    # the reference's weights cut the lif's depth-1 test AUC from 0.9966 to 0.989 and make
    # its depth 1 "insufficient", inventing depth for a control (refits of one quick run,
    # benchmarks/recipe.py; docs/scoring.md, "The training recipe").
    # smoke: its simulations last 2 s, so its windows start at 0.
    # quick: under 30 minutes on 2 cores for every registered cell: 112 simulations of 6 s
    # (48 train / 16 valid / 48 test) and 3 seeds since 2026-12-02 (72 simulations, 2 seeds
    # before; CoreNEURON made room: the L5PC simulates at 1.5 CPU-s per simulated s), and a
    # calibration of one or more full probes (32 x 3 s; coarse probes of 8 x 3 s steer a
    # search that starts far off); docs/cluster.md has the measured costs.
    # weight_decay 0.3: with 48 training simulations the depth-1 network (a linear filter of
    # every input over 100 ms) overfits. Refits of stored simulations at this data plan
    # (docs/scoring.md, "The quick profile"): the lif's depth-1 test AUC 0.9957
    # without decay (depth 2 scored, 0.0007 under the threshold) and 0.9968 with 0.3 (depth 1
    # scored); the L5PC's AUCs fall by 0.004-0.007 at depths 1-2 and not at depth 3.
    "quick": Profile(
        name="quick",
        description="laptop: under 30 minutes on 2 cores for any registered cell; small "
                    "data, small networks, wide intervals",
        # 4 simulations per shard: 28 shards keep 2 workers busy to the end
        data=DataPlan(n_train=48, n_valid=16, n_test=48, duration_ms=6000, sims_per_shard=4),
        train=TrainPlan(max_steps=1500, batch_size=8, window_ms=200, learning_rate=3e-3,
                        soma_weight=2.0, spike_weight_end=None, soma_weight_end=None,
                        eval_every=100, patience=5, weight_decay=0.3),
        depths=(1, 2, 3), width=16, receptive_field_ms=100, kernel_ms=11, n_seeds=3,
        reference_depth=3,
        # 32 x 3 s ends the search: the mean rate to about +-14% (1 SE) for the lif's spread
        # of counts (+-11% at 48 x 3 s, quick v1's probe; 24 x 3 s measured 1.19 Hz where a
        # run's 72 simulations fired 0.87 Hz). The L5PC needs two full probes (x1: 1.29 Hz,
        # x0.88: 0.84 Hz at 48 x 3 s), which at 48 x 3 s took a third of its 30 minutes.
        # After a first probe more than 2x off the target, 8 x 3 s probes steer the search.
        calibration=Calibration(n_sims=32, duration_ms=3000, coarse_n_sims=8),
        revised="2026-12-02",
    ),
    "resolving": _RESOLVING,
    # resolving-small: resolving with a quarter of its training simulations (120), the
    # cheapest plan measured that tells depth 1 from depth 3 on the found teachers: over
    # three run seeds per teacher, depth 1 told right in all six runs and wrong in none, as
    # resolving (benchmarks/results/resolution_resolving_train120_found.json; docs/scoring.md,
    # "Sizing a profile on the found teachers"). Its depth-3 students explain less of the
    # teacher's soma voltage (EV 0.87-0.89 against 0.91-0.94), so it bounds the minimal
    # depth from below more often than it settles it. Unlike resolving it confirms the
    # calibrated scale on fresh input draws (as standard and paper do, below).
    "resolving-small": replace(
        _RESOLVING, name="resolving-small",
        description="the cheapest plan measured to tell depth 1 from depth 3 on teachers "
                    "of known depth: resolving with 120 training simulations",
        data=replace(_RESOLVING.data, n_train=120),
        calibration=replace(_RESOLVING.calibration, confirm_width=0.4),
        revised="2026-12-05",
    ),
    # standard and paper confirm the calibrated scale on fresh input draws until the
    # pooled rate's 95% interval lies within 1 +- 0.4 of the target (twice the tolerance):
    # the L5PC's calibration probe of 32 x 3 s fired 1.05 Hz where its run at the same
    # scale fired 0.56 Hz, and three fresh sets of 32 x 3 s at that scale 0.36-0.72 Hz
    # (benchmarks/results/probe_spread_l5pc_hay2011.json; docs/scoring.md, section 9).
    "standard": Profile(
        name="standard",
        description="workstation: hours; the reference network width and depths 1-7",
        data=DataPlan(n_train=400, n_valid=40, n_test=80, duration_ms=6000, sims_per_shard=8),
        train=TrainPlan(max_steps=20000, batch_size=8, window_ms=400, learning_rate=1e-3,
                        eval_every=500, patience=6),
        depths=(1, 2, 3, 4, 5, 6, 7), width=128, receptive_field_ms=153, kernel_ms=20,
        n_seeds=3, reference_depth=3,
        calibration=Calibration(n_sims=64, duration_ms=6000, coarse_n_sims=16,
                                confirm_width=0.4),
        revised="2026-12-05",  # the scale confirmed on fresh draws
    ),
    "paper": Profile(
        name="paper",
        description="the reference study's scale: a cluster for simulation and a GPU",
        data=DataPlan(n_train=9000, n_valid=300, n_test=900, duration_ms=6000,
                      sims_per_shard=16),
        train=TrainPlan(max_steps=720000, batch_size=8, window_ms=400, learning_rate=1e-4,
                        eval_every=5000, patience=10),
        depths=(1, 2, 3, 4, 5, 6, 7), width=128, receptive_field_ms=153, kernel_ms=20,
        n_seeds=3, reference_depth=3, n_boot=1000,
        calibration=Calibration(n_sims=128, duration_ms=6000, coarse_n_sims=32,
                                confirm_width=0.4),
        revised="2026-12-05",  # the scale confirmed on fresh draws
    ),
}
DEFAULT_PROFILE = "quick"


def get(name: str, **overrides: Any) -> Profile:
    """The named profile; ``overrides`` replace top-level fields (tests use this)."""
    if name not in PROFILES:
        near = difflib.get_close_matches(name, PROFILES, n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        raise UserError(f"unknown profile '{name}'{hint}: choose one of {', '.join(PROFILES)}")
    return replace(PROFILES[name], **overrides) if overrides else PROFILES[name]
