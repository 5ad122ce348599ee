"""The run configuration: which cell, profile and seed, where the run is stored, and where
its simulations and fits go. Built once per run (the cell's ``cell.toml`` is read and
validated here, once) and handed to every stage of :mod:`benchmark.pipeline.stages`.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from benchmark.cells import registry
from benchmark.cells.spec import CellSpec
from benchmark.core import profiles
from benchmark.core.errors import UserError
from benchmark.core.profiles import Profile
from benchmark.core.store import RunStore, default_root
from benchmark.simulation.executors import Backend
from benchmark.simulation.nrn.simulator import ENGINES


@dataclass(frozen=True)
class RunConfig:
    """One run of the pipeline: ``<root>/<cell>/<profile>/seed-<seed>/``.

    Attributes:
        spec: the cell's validated specification.
        profile: the run profile (data plan, sweep, training, calibration).
        seed: the run seed (inputs and calibration draws depend on it).
        root: the runs folder (absolute).
        workers: local simulation processes (None: one per core).
        device: training device (``auto``, ``cpu``, ``cuda``; None: the profile's).
        mirror: local mirror of cell data files (None: no mirror).
        scheduler: address of a Dask scheduler (``tcp://host:8786``), or None.
        cluster: ``"slurm"`` to start a Dask cluster through dask-jobqueue, or None.
    """

    spec: CellSpec
    profile: Profile
    seed: int = 0
    root: Path = Path("neurodepth-runs")
    workers: int | None = None
    device: str | None = None
    mirror: Path | None = None
    scheduler: str | None = None
    cluster: str | None = None

    def __post_init__(self) -> None:
        # Absolute: simulation workers run in a neutral folder of their own.
        object.__setattr__(self, "root", Path(self.root).resolve())
        if self.mirror is not None:
            object.__setattr__(self, "mirror", Path(self.mirror).resolve())

    @classmethod
    def make(cls, cell: str | Path | CellSpec, profile: str | Profile = profiles.DEFAULT_PROFILE,
             *, seed: int = 0, out: Path | str | None = None, workers: int | None = None,
             device: str | None = None, mirror: Path | str | None = None,
             scheduler: str | None = None, cluster: str | None = None,
             widths: tuple[int, ...] | None = None, engine: str | None = None) -> RunConfig:
        """A configuration from plain values, as a user or the command line gives them.

        Args:
            cell: a registered cell name, a cell folder, or a loaded spec.
            profile: a profile name (``smoke``, ``quick``, ``resolving``, ``resolving-small``,
                ``standard``, ``paper``) or one.
            out: the runs folder (default ``$NEURODEPTH_RUNS`` or ``./neurodepth-runs``).
            mirror: local mirror of cell data (default ``$NEURODEPTH_MIRROR``).
            widths: an optional width sweep added to the profile.
            engine: the simulation engine (``"coreneuron"`` or ``"neuron"``), overriding
                the profile's and the cell's (a run folder that holds simulations keeps
                its own).
        """
        spec = cell if isinstance(cell, CellSpec) else registry.get(str(cell))
        if isinstance(profile, str):
            profile = (profiles.get(profile, widths=widths) if widths
                       else profiles.get(profile))
        elif widths:
            profile = dataclasses.replace(profile, widths=widths)
        if mirror is None and os.environ.get("NEURODEPTH_MIRROR"):
            mirror = os.environ["NEURODEPTH_MIRROR"]
        if engine is not None and engine not in ENGINES:
            raise UserError(f"unknown simulation engine '{engine}'; use one of "
                            f"{', '.join(ENGINES)}")
        spec = spec.with_engine(engine or profile.engine)
        return cls(spec=spec, profile=profile, seed=seed,
                   root=Path(out) if out is not None else default_root(), workers=workers,
                   device=device, mirror=Path(mirror) if mirror else None,
                   scheduler=scheduler, cluster=cluster)

    @property
    def store(self) -> RunStore:
        """The run's folder and its files."""
        return RunStore(self.root, self.spec.name, self.profile.name, self.seed)

    @property
    def backend(self) -> Backend:
        """Where the run's simulations and fits go (a local pool, or a Dask cluster)."""
        return Backend(scheduler=self.scheduler, cluster=self.cluster, n_workers=self.workers)
