"""Executors: where simulations and fits run. Parallelism is injected, never global.

One seam, the ``concurrent.futures`` interface, for both stages (:class:`Backend`):

- default: a local pool of worker processes started with the ``spawn`` method from a
  neutral working directory, each loading one cell's compiled mechanisms; fits on the CPU
  train in a local pool as well (:func:`fit_pool`: the cores shared out between its
  processes, each fit seeded, so a fit's weights do not depend on where it ran), fits on
  a GPU in the calling process, one after the other;
- ``--scheduler ADDRESS``: a running Dask scheduler; ``--cluster slurm``: a Dask cluster
  started through dask-jobqueue (optional extra ``distributed``). Dask workers cannot fork
  process pools, so every task (one shard, or one fit) runs in a fresh subprocess of its
  worker (:mod:`benchmark.simulation.isolated`). Shards and fits are written atomically and the
  coordinator reads what is done from the store, so a lost worker costs only its
  unfinished task (retried elsewhere) and a killed coordinator only what was in flight.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.core.errors import UserError
from benchmark.simulation import worker
from benchmark.simulation.isolated import neutral_dir, run_isolated


def default_workers() -> int:
    """One worker per available core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def simulation_pool(library: Path | None, n_workers: int | None = None) -> Executor:
    """A process pool whose workers have loaded ``library`` (a compiled mechanism set; None
    for a teacher cell, which needs no NEURON)."""
    return ProcessPoolExecutor(
        max_workers=n_workers or default_workers(),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=worker.initialize,
        initargs=(None if library is None else str(library), str(neutral_dir())),
    )


def stop_now(executor: Executor) -> None:
    """Stop an executor at once (Ctrl-C, SIGTERM, an error): cancel the queued tasks and end
    the running ones. A local pool's worker processes are terminated, so the shards they
    were writing are discarded whole (writes are atomic) and redone by the next run,
    instead of the interrupted command waiting for them and for the tasks already handed
    to the pool's call queue (up to ``max_workers + 1`` more)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)  # forgets its processes: take them first
    for process in processes:
        process.terminate()


def fit_pool(n_workers: int, threads: int) -> Executor:
    """A local pool of ``n_workers`` processes (``spawn``, neutral working directory) that
    train fits on the CPU with ``threads`` torch threads each.

    ``benchmarks/fit_pool.py`` measures its wall time against fits trained one after the
    other in one process."""
    return ProcessPoolExecutor(
        max_workers=n_workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_fit_worker,
        initargs=(threads, str(neutral_dir())),
    )


def _start_fit_worker(threads: int, cwd: str) -> None:
    """Initializer of a :func:`fit_pool` process: die with the parent (a killed run leaves
    no orphan training), standard output to standard error (a command's stdout stays what
    it prints), a neutral folder, ``threads`` torch threads."""
    import torch

    worker.die_with_parent()
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    os.chdir(cwd)
    torch.set_num_threads(threads)


# --- Dask: one run across many machines ---------------------------------------------------

RETRIES = 3  # times a task lost with its worker is run again elsewhere
CLUSTERS = ("slurm",)


class DaskExecutor(Executor):
    """A concurrent.futures Executor over a Dask cluster whose every task runs in a fresh
    subprocess of its worker (:func:`benchmark.simulation.isolated.run_isolated`), with ``library``
    (a compiled mechanism library, or None) loaded there first.

    Extra keyword arguments go to each submit (``retries``, ``resources``, ...).
    """

    def __init__(self, client: Any, library: str | None = None, **submit_kwargs: Any) -> None:
        self._inner = client.get_executor(pure=False, **submit_kwargs)
        self._library = library

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self._inner.submit(run_isolated, self._library, fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait and not cancel_futures)


@dataclass(frozen=True)
class Backend:
    """Where simulations and fits run (injected by the commands; nothing global).

    Attributes:
        scheduler: address of a running Dask scheduler (``tcp://host:8786``), or None.
        cluster: ``"slurm"``: start a Dask cluster through dask-jobqueue (configured in
            dask's ``jobqueue.slurm`` settings), or None.
        n_workers: local simulation processes, and local processes for fits on the CPU
            (default one per core); for ``slurm``, the most jobs the cluster scales to.

    Without a scheduler or cluster, simulations run in a local process pool
    (:func:`simulation_pool`), fits on the CPU in another (:func:`fit_pool`, the cores
    shared out between its processes) and fits on a GPU one after the other in this
    process.
    """

    scheduler: str | None = None
    cluster: str | None = None
    n_workers: int | None = None

    @property
    def distributed(self) -> bool:
        return bool(self.scheduler or self.cluster)

    def simulations(self, library: Path) -> Executor:
        """The executor of simulation shards for a cell whose mechanisms are ``library``."""
        if not self.distributed:
            return simulation_pool(library, self.n_workers)
        return DaskExecutor(self.client(), library=str(library), retries=RETRIES)

    def fits(self, device: str) -> Executor | None:
        """The executor of fits (None: train here, in order). Locally, fits on the CPU
        train in :func:`fit_pool` when there are at least two processes to run; a GPU
        trains one fit at a time, here. On a cluster, a fit on CUDA asks for a worker with
        the resource ``GPU`` (start such workers with ``--resources GPU=1``)."""
        if not self.distributed:
            n = self.n_workers or default_workers()
            if not device.startswith("cpu") or n < 2:
                return None
            return fit_pool(n, max(1, default_workers() // n))
        extra = {"resources": {"GPU": 1}} if device.startswith("cuda") else {}
        return DaskExecutor(self.client(), library=None, retries=RETRIES, **extra)

    def client(self) -> Any:
        return _client(self.scheduler, self.cluster, self.n_workers)


_CLIENTS: dict[tuple[Any, ...], Any] = {}


def _client(scheduler: str | None, cluster: str | None, n_workers: int | None) -> Any:
    """One Dask client per process and target (needs the extra ``distributed``)."""
    key = (scheduler, cluster, n_workers)
    if key not in _CLIENTS:
        _CLIENTS[key] = _connect(scheduler, cluster, n_workers)
    return _CLIENTS[key]


def _connect(scheduler: str | None, cluster: str | None, n_workers: int | None) -> Any:
    try:
        from distributed import Client
    except ImportError as exc:
        raise UserError("--scheduler and --cluster need Dask: pip install -e "
                        "'.[distributed]'") from exc
    if scheduler:
        try:
            return Client(scheduler, timeout="30s")
        except OSError as exc:
            raise UserError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); fix: "
                            "start it (`dask scheduler`) or correct --scheduler") from exc
    if cluster == "slurm":
        try:
            from dask_jobqueue import SLURMCluster
        except ImportError as exc:
            raise UserError("--cluster slurm needs dask-jobqueue: pip install -e "
                            "'.[distributed]'") from exc
        slurm = SLURMCluster()
        slurm.adapt(minimum=0, maximum=n_workers or 16)
        return Client(slurm)
    raise UserError(f"unknown cluster '{cluster}': use one of {', '.join(CLUSTERS)}")


def close_clients() -> None:
    """Close every Dask client this process opened (and the clusters it started)."""
    for args in list(_CLIENTS):
        client = _CLIENTS.pop(args)
        cluster = getattr(client, "cluster", None)
        client.close()
        if cluster is not None:
            cluster.close()
