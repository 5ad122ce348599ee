"""Simulations and fits on a real Dask cluster: a scheduler and two workers started as
separate processes on 127.0.0.1 (``python -m distributed.cli.dask_scheduler`` /
``dask_worker``), driven through ``--scheduler``.

- a smoke run on the cluster gives the local pool's results (simulations bit for bit; the
  fits too, run with the same number of torch threads);
- killing one worker mid-run still completes, with the same simulations;
- killing the coordinator mid-run and rerunning resumes, with the same simulations;
- a fit on CUDA waits for a worker that offers the resource ``GPU``.

Needs the extra ``distributed`` (tox installs it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import DRIVER, REPO, assert_same_sims, run_cli

pytest.importorskip("distributed", reason="needs the extra 'distributed'")
pytestmark = [pytest.mark.neuron, pytest.mark.slow]

# Dask's nanny would set these for its workers; our workers run without one (so that a
# killed worker stays dead), and the local runs compared with them use the same.
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


class Cluster:
    """A Dask scheduler and workers, each a process of its own, on loopback."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.file = folder / "scheduler.json"
        self.procs: list[subprocess.Popen[bytes]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        self.start("dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                   "--scheduler-file", str(self.file))
        _wait_for(lambda: self.file.is_file(), 60, "the scheduler did not start")
        self.address = json.loads(self.file.read_text())["address"]

    def start(self, cli: str, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.folder / f"{cli}-{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen([sys.executable, "-m", f"distributed.cli.{cli}", *args],
                                cwd=self.folder, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, **ONE_THREAD}, start_new_session=True)
        self.procs.append(proc)
        return proc

    def add_worker(self, *extra: str) -> subprocess.Popen[bytes]:
        n = len(self.workers)
        worker = self.start("dask_worker", "--scheduler-file", str(self.file), "--nthreads",
                            "1", "--no-nanny", "--no-dashboard", "--name", f"w{n}", *extra)
        self.workers.append(worker)
        return worker

    def wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(n, timeout=60)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _wait_for(ready: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not ready():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.fixture()
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A fresh scheduler with two workers."""
    c = Cluster(tmp_path / "dask")
    try:
        c.add_worker()
        c.add_worker()
        c.wait_for_workers(2)
        yield c
    finally:
        c.stop()


def _no_times(obj: Any) -> Any:
    """``obj`` without its wall times (train_seconds), which differ from run to run."""
    if isinstance(obj, dict):
        return {k: _no_times(v) for k, v in obj.items() if k != "train_seconds"}
    if isinstance(obj, list):
        return [_no_times(v) for v in obj]
    return obj


def _driver(out: Path, scheduler: str | None = None) -> subprocess.Popen[bytes]:
    args = [sys.executable, str(DRIVER), "simulate", str(out), *([scheduler] if scheduler else [])]
    return subprocess.Popen(args, cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def _finish(proc: subprocess.Popen[bytes]) -> None:
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The driver's small simulation plan on the local pool."""
    out = tmp_path_factory.mktemp("local-reference")
    _finish(_driver(out))
    return out / "simulations"


def test_smoke_run_on_the_cluster_equals_the_local_pool(cluster: Cluster, tmp_path: Path) -> None:
    local, remote = tmp_path / "local", tmp_path / "remote"
    run_cli("run", "--cell", "lif", "--profile", "smoke", "--out", str(local), check=True,
            env=ONE_THREAD)
    run_cli("run", "--cell", "lif", "--profile", "smoke", "--out", str(remote), "--scheduler",
            cluster.address, check=True, env=ONE_THREAD)
    a, b = local / "lif" / "smoke" / "seed-0", remote / "lif" / "smoke" / "seed-0"
    assert_same_sims(a / "simulations", b / "simulations")
    rec_a, rec_b = (json.loads((x / "record.json").read_text()) for x in (a, b))
    assert _no_times(rec_a["per_depth"]) == _no_times(rec_b["per_depth"])
    assert rec_a["score"] == rec_b["score"]
    for fit in sorted(a.glob("fits/depth-*/seed-*/fit.json")):
        mine, theirs = json.loads(fit.read_text()), json.loads((b / fit.relative_to(a)).read_text())
        assert mine["test"] == theirs["test"] and mine["torch_threads"] == 1
    from distributed import Client

    with Client(cluster.address, timeout="30s") as client:  # the cluster ran the tasks
        prefixes = client.run_on_scheduler(lambda dask_scheduler: list(
            dask_scheduler.task_prefixes))
    assert "run_isolated" in prefixes, prefixes


def test_a_killed_worker_costs_only_its_task(cluster: Cluster, reference: Path,
                                             tmp_path: Path) -> None:
    folder = tmp_path / "simulations"
    proc = _driver(tmp_path, cluster.address)
    _wait_for(lambda: len(list(folder.glob("shard-*.h5"))) >= 2, 300, "no shard appeared")
    assert proc.poll() is None, "the run finished before a worker could be killed"
    victim = cluster.workers[0]
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    _finish(proc)
    assert_same_sims(reference, folder)
    assert len(json.loads((folder / "index.json").read_text())["shards"]) == 9


def test_a_killed_coordinator_resumes(cluster: Cluster, reference: Path, tmp_path: Path) -> None:
    folder = tmp_path / "simulations"
    proc = _driver(tmp_path, cluster.address)
    _wait_for(lambda: len(list(folder.glob("shard-*.h5"))) >= 2, 300, "no shard appeared")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(folder.glob("shard-*.h5")))
    assert 2 <= done < 9, done
    _finish(_driver(tmp_path, cluster.address))
    assert_same_sims(reference, folder)


def test_a_cuda_fit_asks_for_a_gpu_worker(cluster: Cluster) -> None:
    """``Backend.fits('cuda')`` submits with the resource GPU: no worker of the cluster has
    one, so the task waits; a worker started with ``--resources GPU=1`` runs it."""
    from benchmark.simulation.executors import Backend, close_clients

    executor = Backend(scheduler=cluster.address).fits("cuda:0")
    future = executor.submit(os.getpid)
    time.sleep(3.0)
    assert not future.done()
    gpu = cluster.add_worker("--resources", "GPU=1")
    pid: Any = future.result(timeout=120)
    assert isinstance(pid, int) and pid not in {w.pid for w in cluster.workers}
    assert gpu.poll() is None
    executor.shutdown()
    close_clients()
