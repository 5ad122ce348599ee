"""Pure logic of the stages, on small synthetic data: atomic writes, shards, labels,
windows, spike detection, profiles."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from benchmark.core import atomic, profiles, store
from benchmark.core.errors import UserError
from benchmark.learning.dataset import Dataset, Simulation, batch_events, spike_labels
from benchmark.simulation import shards
from benchmark.simulation.worker import detect_spikes
from conftest import REPO, process_running


def test_atomic_write_leaves_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    atomic.write_json(target, {"a": 1})
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash")
    assert target.read_text().strip().startswith("{")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_atomic_write_gives_the_mode_of_a_plain_write(tmp_path: Path) -> None:
    """Files are readable as a plain open() would make them (the umask's mode), not
    mkstemp's 0600: a built site is served by web servers running as other users."""
    import os
    import stat

    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    atomic.write_text(tmp_path / "atomic.txt", "x")
    mode = stat.S_IMODE((tmp_path / "atomic.txt").stat().st_mode)
    assert mode == stat.S_IMODE(plain.stat().st_mode)
    old = os.umask(0o077)
    try:
        atomic.write_text(tmp_path / "private.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "private.txt").stat().st_mode) == 0o600


def test_shard_roundtrip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    sims = [shards.SimulationData(sim_index=i, soma_mv=rng.normal(-70, 3, 50).astype(np.float32),
                                  spike_times_ms=np.array([10.2, 30.7][:i + 1]),
                                  input_channel=np.array([0, 2, 1][: 3 - i], np.int32),
                                  input_time_ms=np.array([1, 5, 9][: 3 - i], np.int32))
            for i in range(2)]
    sites = {"section": ["soma"] * 3, "tree": ["soma"] * 3, "kind": ["exc", "exc", "inh"],
             "x": [0.5] * 3, "distance_um": [0.0] * 3, "length_um": [20.0] * 3}
    path = tmp_path / shards.shard_name(3)
    shards.write_shard(path, sims, sites, {"cell": "x", "seed": 1})
    assert path.name == "shard-00003.h5" and shards.is_complete(path)
    back = shards.read_shard(path)
    for a, b in zip(sims, back, strict=True):
        assert a.sim_index == b.sim_index
        np.testing.assert_array_equal(a.soma_mv, b.soma_mv)
        np.testing.assert_array_equal(a.spike_times_ms, b.spike_times_ms)
        np.testing.assert_array_equal(a.input_channel, b.input_channel)
        np.testing.assert_array_equal(a.input_time_ms, b.input_time_ms)
    assert list(shards.read_sites(path)["kind"]) == ["exc", "exc", "inh"]
    assert shards.read_attrs(path)["seed"] == 1
    assert not shards.is_complete(tmp_path / "missing.h5")


def test_spike_label_bin_rule() -> None:
    # a spike at t falls in bin int(t - 0.5) (reference protocol, Recording and targets)
    label = spike_labels(np.array([0.2, 10.4, 10.6, 99.9]), 100)
    assert list(np.flatnonzero(label)) == [0, 9, 10, 99]


def test_detect_spikes_takes_each_excursion_maximum() -> None:
    dt = 0.025
    v = np.full(400, -70.0)
    v[100:140] = np.linspace(-30, 20, 40)  # one excursion peaking at index 139
    v[200:210] = [-20, 10, 15, 12, 15.5, 0, -10, -24, -30, -60]  # two bumps, one excursion
    times = detect_spikes(v, dt, -25.0)
    np.testing.assert_allclose(times, [139 * dt, 204 * dt])


def test_dense_window_pads_before_the_start() -> None:
    sim = Simulation(sim_index=0, input_channel=np.array([1, 0, 2]),
                     input_time_ms=np.array([0, 3, 7]),
                     spike_label=np.zeros(10, bool), soma_target_mv=np.zeros(10, np.float32))
    window = sim.dense_inputs(3, -2, 4)
    assert window.shape == (3, 6)
    assert window[1, 2] == 1 and window[0, 5] == 1 and window.sum() == 2


def test_window_events_are_the_dense_window() -> None:
    """Events of a window (repeats counted once, as the dense window does) equal the dense
    window, history before t = 0 included."""
    sim = Simulation(sim_index=0, input_channel=np.array([1, 0, 2, 2, 0]),
                     input_time_ms=np.array([0, 3, 3, 3, 7]),
                     spike_label=np.zeros(10, bool), soma_target_mv=np.zeros(10, np.float32))
    for start, stop in ((-2, 4), (0, 10), (3, 8), (8, 10)):
        dense = sim.dense_inputs(3, start, stop)
        events = batch_events([sim.window_events(start, stop)], 3, stop - start)
        np.testing.assert_array_equal(events.to_dense()[0].numpy(), dense)


def test_sampled_batches_are_the_same_dense_or_as_events(smoke_run: Path) -> None:
    """The training batches of a sparse network are the dense ones, drawn identically."""
    data = Dataset(smoke_run / "simulations")
    draws = [data.sample_batch(np.random.default_rng(7), 4, 50, 30, as_events=flag)
             for flag in (False, True)]
    (dense, spike_a, soma_a), (events, spike_b, soma_b) = draws
    assert events.time.numel() > 0
    np.testing.assert_array_equal(events.to_dense().numpy(), dense.numpy())
    np.testing.assert_array_equal(spike_a.numpy(), spike_b.numpy())
    np.testing.assert_array_equal(soma_a.numpy(), soma_b.numpy())


def test_dataset_streams_from_the_shards_within_its_budget(smoke_run: Path) -> None:
    """A dataset whose cache holds one simulation reads the shards again and again, and
    gives the same simulations and batches as one that holds everything."""
    roomy = Dataset(smoke_run / "simulations")
    tight = Dataset(smoke_run / "simulations", cache_mb=1e-6)
    for name in ("train", "valid", "test"):
        for a, b in zip(roomy.split(name), tight.split(name), strict=True):
            assert a.sim_index == b.sim_index
            np.testing.assert_array_equal(a.input_time_ms, b.input_time_ms)
            np.testing.assert_array_equal(a.input_channel, b.input_channel)
            np.testing.assert_array_equal(a.soma_target_mv, b.soma_target_mv)
    batches = [d.sample_batch(np.random.default_rng(3), 4, 50, 30, as_events=True)
               for d in (roomy, tight)]
    np.testing.assert_array_equal(batches[0][0].to_dense().numpy(),
                                  batches[1][0].to_dense().numpy())
    assert len(tight.cache._held) == 1
    assert tight.cache.reads > len(roomy.cache._held) == roomy.plan.data_plan.n_total


def test_every_depth_sees_the_profile_receptive_field() -> None:
    for profile in profiles.PROFILES.values():
        for depth in profile.depths:
            k1 = profile.first_kernel_ms(depth)
            assert k1 >= 1
            assert k1 + (depth - 1) * (profile.kernel_ms - 1) == profile.receptive_field_ms
    assert profiles.get("paper").first_kernel_ms(7) == 39  # reference: 35-54 ms


def test_sweep_networks_follow_the_profile_input_layer(tmp_path: Path) -> None:
    """Every profile trains with the sparse first layer unless told otherwise."""
    from benchmark.learning import fit

    jobs = fit.sweep_jobs(tmp_path, profiles.get("smoke"), n_inputs=100)
    assert jobs and all(j.config.sparse_input for j in jobs)
    dense = fit.sweep_jobs(tmp_path, profiles.get("smoke", sparse_input=False), n_inputs=100)
    assert not any(j.config.sparse_input for j in dense)


def test_unknown_profile_is_a_user_error() -> None:
    with pytest.raises(UserError, match="choose one of smoke, quick, resolving, "
                                        "resolving-small, standard, paper"):
        profiles.get("huge")
    with pytest.raises(UserError, match="did you mean 'resolving-small'"):
        profiles.get("resolving_small")


@pytest.mark.parametrize("mixed", [(), ("cpu",)])
def test_training_steps_run_in_the_precision_asked_for(smoke_run: Path, tmp_path: Path,
                                                       mixed: tuple[str, ...]) -> None:
    """bf16 autocast covers the training step's convolutions when the plan asks for it on
    the device; the test metrics are computed in float32 either way."""
    import dataclasses

    import torch

    from benchmark.learning import fit

    profile = profiles.get("smoke")
    plan = dataclasses.replace(profile.train, max_steps=3, eval_every=3, mixed_precision=mixed)
    data = Dataset(smoke_run / "simulations")
    job = fit.sweep_jobs(tmp_path, profile, data.n_inputs)[0]
    job.folder.mkdir(parents=True)
    trainer = fit.Trainer(job, data, plan, torch.device("cpu"))
    seen: list[torch.dtype] = []
    hook = trainer.model.spike_head.register_forward_hook(lambda m, i, o: seen.append(o.dtype))
    trainer.train()
    hook.remove()
    expected = torch.bfloat16 if mixed else torch.float32
    assert seen[0] == expected  # the first call is a training step
    assert seen[-1] == torch.float32  # the last is the validation pass
    result = trainer.finish(n_boot=5)
    assert result["steps"] == 3 and np.isfinite(result["best_valid_loss"])


@pytest.mark.neuron
def test_relative_out_and_mirror_are_taken_from_the_callers_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers simulate in a neutral folder of their own: a relative ``--out`` (and mirror or
    cache) must still mean the caller's folder, where the later stages look."""
    from benchmark.cells import data_files
    from conftest import run_cli

    run_cli("simulate", "--cell", "lif", "--profile", "smoke", "--out", "runs", cwd=tmp_path,
            check=True)
    folder = tmp_path / "runs" / "lif" / "smoke" / "seed-0" / "simulations"
    assert len(list(folder.glob("shard-*.h5"))) == len(json.loads(
        (folder / "index.json").read_text())["shards"]) > 0
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEURODEPTH_MIRROR", "mirror")
    monkeypatch.setenv("NEURODEPTH_CACHE", "cache")
    assert data_files.mirror_root() == tmp_path / "mirror"
    assert data_files.cache_root() == tmp_path / "cache" / "data"


def test_stop_now_ends_running_and_queued_tasks_at_once() -> None:
    """A pool stopped by Ctrl-C or SIGTERM ends its running tasks (their shards are
    discarded whole and redone) instead of finishing them and the queued ones first."""
    import multiprocessing
    import time
    from concurrent.futures import ProcessPoolExecutor

    from benchmark.simulation import executors

    pool = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn"))
    futures = [pool.submit(time.sleep, 60) for _ in range(6)]
    deadline = time.monotonic() + 60
    while sum(f.running() for f in futures) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(3.0)  # the spawned workers have started their tasks
    processes = list(pool._processes.values())
    assert len(processes) == 2 and all(p.is_alive() for p in processes)
    pids = [p.pid for p in processes]
    start = time.monotonic()
    executors.stop_now(pool)
    # Asked of the kernel, not of Process.is_alive(): the pool's own thread reaps the workers
    # too, and a Process whose child another thread reaped can report alive forever.
    while any(process_running(pid) for pid in pids) and time.monotonic() - start < 10:
        time.sleep(0.05)
    assert not any(process_running(pid) for pid in pids)
    assert sum(f.cancelled() for f in futures) >= 1



def test_stage_time_is_counted_once_and_survives_a_kill(tmp_path: Path) -> None:
    """timings.json gets the body's wall time once (periodic flushes are not double
    counted), and a process killed by SIGKILL inside a stage leaves what it had flushed."""
    run = store.RunStore(tmp_path, "lif", "quick", 0)
    start = time.monotonic()
    with run.timed("simulate", flush_s=0.05):
        time.sleep(0.5)
    took = time.monotonic() - start
    assert 0.5 <= run.timings()["simulate"] <= took + 1e-6
    killed = store.RunStore(tmp_path, "lif", "smoke", 0)
    code = ("import os, signal, sys, time\n"
            "from pathlib import Path\n"
            "from benchmark.core import store\n"
            f"run = store.RunStore(Path({str(tmp_path)!r}), 'lif', 'smoke', 0)\n"
            "with run.timed('simulate', flush_s=0.05):\n"
            "    time.sleep(0.6)\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, timeout=60)
    assert proc.returncode == -9
    assert 0.4 <= killed.timings()["simulate"] <= 0.8


def test_simulation_workers_print_to_stderr_not_stdout(tmp_path: Path) -> None:
    """What a worker process prints (NEURON's C-level warnings among it) reaches stderr, so
    a command's stdout (JSON of benchmarks/) stays parseable."""
    code = ("import os\n"
            "from benchmark.cells import registry\n"
            "from benchmark.simulation import executors, mechanisms\n"
            "lib = mechanisms.library_path(mechanisms.compile_mechanisms("
            "registry.get('lif').mechanism_sources()))\n"
            "with executors.simulation_pool(lib, 1) as pool:\n"
            "    pool.submit(os.write, 1, b'from-the-worker\\n').result()\n"
            "print('from-the-parent')\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "from-the-parent\n"
    assert "from-the-worker" in proc.stderr
