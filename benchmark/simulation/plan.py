"""The simulation plan: what a simulation folder holds (``plan.json``), checked on resume.

Every later stage reads the plan (the dataset its splits, the record its protocol and
seeds) without importing the simulation runner.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.cells.spec import CellSpec
from benchmark.core import atomic
from benchmark.core.errors import UserError
from benchmark.core.profiles import DataPlan
from benchmark.simulation import protocol

PLAN_FILE = "plan.json"


@dataclass(frozen=True)
class SimulationPlan:
    """What a simulation folder holds; stored as ``plan.json`` and checked on resume.

    Attributes:
        cell: cell name; cell_digest: sha256 of its spec.
        protocol_version / protocol_digest: the input generator and its parameters.
        protocol: the parameters themselves (rates per tree, rate scale).
        seed: the run seed (inputs depend on cell, protocol version, seed, sim index).
        data: the profile's data plan (splits, duration in ms, shard size).
        engine: the simulator (``"coreneuron"`` or ``"neuron"``; a plan stored before
            engines existed reads as ``"neuron"``, which simulated it).
    """

    cell: str
    cell_digest: str
    protocol_version: str
    protocol_digest: str
    protocol: dict[str, Any]
    seed: int
    data: dict[str, Any]
    engine: str = "neuron"

    @classmethod
    def make(cls, spec: CellSpec, data: DataPlan, seed: int, rate_scale: float = 1.0,
             engine: str = "neuron") -> SimulationPlan:
        params = protocol.cell_params(spec, rate_scale=rate_scale)
        return cls(cell=spec.name, cell_digest=spec.digest(),
                   protocol_version=protocol.PROTOCOL_VERSION, protocol_digest=params.digest(),
                   protocol=params.to_dict(), seed=seed, data=asdict(data),
                   engine=engine)

    @property
    def data_plan(self) -> DataPlan:
        return DataPlan(**self.data)

    def split_indices(self) -> dict[str, list[int]]:
        """Simulation indices of the train, valid and test splits."""
        d = self.data_plan
        cuts = np.cumsum([0, d.n_train, d.n_valid, d.n_test])
        return {name: list(range(cuts[i], cuts[i + 1]))
                for i, name in enumerate(("train", "valid", "test"))}


def check_or_write_plan(folder: Path, plan: SimulationPlan) -> None:
    """Store the plan, or refuse a folder that holds a different one."""
    path = folder / PLAN_FILE
    if path.is_file():
        stored = json.loads(path.read_text())
        stored.setdefault("engine", "neuron")  # stored before engines existed
        if stored != json.loads(json.dumps(asdict(plan))):
            diff = sorted(k for k in stored if stored[k] != asdict(plan).get(k))
            raise UserError(f"{path}: holds simulations of another plan (differs in "
                            f"{', '.join(diff)}); use another --out folder or delete it")
        return
    atomic.write_json(path, asdict(plan))


def read_plan(folder: Path) -> SimulationPlan:
    path = folder / PLAN_FILE
    if not path.is_file():
        raise UserError(f"{path}: no simulations here; run `python -m benchmark simulate` first")
    return SimulationPlan(**json.loads(path.read_text()))
