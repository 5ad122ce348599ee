"""End to end on the integrate-and-fire cell: real NEURON simulations, real training.

Covers the foundation's guarantees: a run writes a valid record; the same seed gives the
same inputs and voltages; a run killed during simulation or training and then rerun ends
with the same inputs and outputs as an uninterrupted one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from benchmark.core.errors import UserError
from benchmark.scoring import record
from benchmark.simulation import shards
from conftest import DRIVER, REPO, SMOKE_RECORD, assert_same_sims, load_sims, process_running

pytestmark = pytest.mark.neuron


def driver(stage: str, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(DRIVER), stage, str(out)], cwd=REPO,
                            start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen[bytes]) -> None:
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()


def kill_when(proc: subprocess.Popen[bytes], ready: callable, timeout_s: float = 300) -> None:
    """SIGKILL the whole process group as soon as ``ready()`` holds (it must, before the end)."""
    deadline = time.monotonic() + timeout_s
    while not ready():
        assert proc.poll() is None, "the run finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.fixture(scope="session")
def reference_sims(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted simulation stage of the driver's small plan."""
    out = tmp_path_factory.mktemp("reference")
    finish(driver("simulate", out))
    return out


def test_smoke_run_writes_a_valid_record(smoke_run: Path) -> None:
    rec = json.loads((smoke_run / "record.json").read_text())
    record.validate(rec)
    assert rec["cell"]["name"] == "lif" and rec["profile"]["name"] == "smoke"
    assert [row["depth"] for row in rec["per_depth"]] == [1, 2]
    score = rec["score"]
    assert score["outcome"] in ("resolved", "range", "unresolved")
    assert score["best_chosen_on"] == "validation" and score["network_depth"] in (1, 2)
    assert (score["minimal_depth"] is not None) == (score["outcome"] == "resolved")
    for row in rec["per_depth"]:
        assert row["decision"]["verdict"] in ("sufficient", "insufficient", "unresolved")
        for seed in row["seeds"]:
            assert seed["n_sims_used"] + seed["n_sims_excluded"] == 2
            assert seed["n_test_spikes"] >= 0
    assert rec["voltage_target"]["source"] in ("training data", "reference")
    assert set(rec["wall_time_s"]) == {"simulate", "fit", "score"}
    assert rec["simulation"]["n_simulations"] == 7
    assert rec["versions"]["neuron"].startswith("9.")
    for fit_dir in (smoke_run / "fits").glob("depth-*/seed-*"):
        state = torch.load(fit_dir / "model.pt", weights_only=True)
        assert state, fit_dir


def test_run_example_is_the_record_s_and_holds_real_traces(smoke_run: Path) -> None:
    """The smoke run's example: a test simulation of the run, its network, the lif's shape."""
    lif_record = json.loads((smoke_run / "record.json").read_text())
    ex = json.loads((smoke_run / "example.json").read_text())
    assert (ex["cell_digest"], ex["protocol_digest"]) == (lif_record["cell"]["digest"],
                                                          lif_record["protocol"]["digest"])
    sim, pred = ex["simulation"], ex["prediction"]
    assert sim["split"] == "test" and sim["window_ms"] == [0, 2000]
    assert len(sim["soma_mv"]) == len(pred["soma_mv"]) == len(pred["spike_prob"]) == 2000
    assert len(sim["input_channel"]) == len(sim["input_time_ms"]) > 0
    assert max(sim["input_channel"]) < sim["n_inputs"] == len(sim["excitatory"]) == 100
    assert sum(sim["excitatory"]) == 80  # the lif: 80 AMPA + 20 GABA_A inputs
    assert all(0 <= t < 2000 for t in sim["input_time_ms"])
    assert min(pred["soma_mv"]) > -120.0 and max(pred["soma_mv"]) < 0.0  # mV
    assert min(pred["spike_prob"]) >= 0.0 and max(pred["spike_prob"]) <= 1.0
    assert pred["depth"] == lif_record["score"]["network_depth"]
    (soma,) = ex["shape"]["sections"]
    assert soma["region"] == "soma" and soma["points_um"][0][3] > 0


def test_smoke_run_draws_its_curves_deterministically(smoke_run: Path, tmp_path: Path) -> None:
    """The score stage draws the per-depth curves as PNG and SVG; redrawing the same scores
    gives identical files (the site can rebuild without spurious changes)."""
    from benchmark.scoring import figures

    png, svg = smoke_run / "curves.png", smoke_run / "curves.svg"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg.read_text()
    assert text.startswith("<?xml") and "<svg" in text
    scores = json.loads((smoke_run / "scores.json").read_text())
    again = figures.draw_curves(scores, tmp_path, "lif, smoke profile, run seed 0")
    assert again[1].read_bytes() == svg.read_bytes()
    assert again[0].read_bytes() == png.read_bytes()


def test_record_schema_refuses_a_broken_record() -> None:
    rec = json.loads((SMOKE_RECORD / "record.json").read_text())
    rec["score"]["outcome"] = "deep"
    with pytest.raises(UserError, match="score/outcome"):
        record.validate(rec)


def test_same_seed_same_inputs_and_voltages(reference_sims: Path, tmp_path: Path) -> None:
    finish(driver("simulate", tmp_path))
    assert_same_sims(reference_sims / "simulations", tmp_path / "simulations")
    first = load_sims(reference_sims / "simulations")
    assert not np.array_equal(first[0].input_time_ms[:50], first[1].input_time_ms[:50])
    assert np.ptp(first[0].soma_mv) > 5.0  # a real trace, not a constant


def test_killed_simulation_resumes_to_the_same_data(reference_sims: Path, tmp_path: Path) -> None:
    folder = tmp_path / "simulations"
    proc = driver("simulate", tmp_path)
    kill_when(proc, lambda: len(list(folder.glob("shard-*.h5"))) >= 2)
    finished = sorted(folder.glob("shard-*.h5"))
    assert 2 <= len(finished) < 9
    finish(driver("simulate", tmp_path))
    assert_same_sims(reference_sims / "simulations", folder)
    # on the default engine, CoreNEURON, where its mechanisms build (Linux)
    used = json.loads((folder / "engine.json").read_text())
    assert used["engine"] == used["requested"] == "coreneuron", used
    index = json.loads((folder / "index.json").read_text())["shards"]
    assert len(index) == 9
    # each shard keeps its worker's CPU seconds, in its attributes and in the index
    for name, entry in index.items():
        assert entry["cpu_s"] > 0
        assert shards.read_attrs(folder / name)["cpu_s"] == entry["cpu_s"]


def test_killed_training_resumes_to_the_same_network(reference_sims: Path,
                                                     tmp_path: Path) -> None:
    uninterrupted, interrupted = tmp_path / "a", tmp_path / "b"
    for out in (uninterrupted, interrupted):
        shutil.copytree(reference_sims / "simulations", out / "simulations")
    finish(driver("fit", uninterrupted))
    checkpoint = interrupted / "fits" / "depth-2" / "seed-0" / "checkpoint.pt"
    proc = driver("fit", interrupted)
    kill_when(proc, checkpoint.is_file)
    assert not (checkpoint.parent / "fit.json").is_file()
    finish(driver("fit", interrupted))
    fit_a = json.loads((uninterrupted / "fits/depth-2/seed-0/fit.json").read_text())
    fit_b = json.loads((interrupted / "fits/depth-2/seed-0/fit.json").read_text())
    assert fit_a["steps"] == fit_b["steps"]
    assert fit_a["test"] == fit_b["test"]
    assert fit_a["history"] == fit_b["history"]
    state_a = torch.load(uninterrupted / "fits/depth-2/seed-0/model.pt", weights_only=True)
    state_b = torch.load(interrupted / "fits/depth-2/seed-0/model.pt", weights_only=True)
    for key, value in state_a.items():
        torch.testing.assert_close(value, state_b[key], rtol=0, atol=0)


def test_fits_in_the_local_pool_equal_fits_in_process(reference_sims: Path,
                                                     tmp_path: Path) -> None:
    """Two networks trained side by side in a fit pool (one torch thread each) end with the
    weights and test metrics of the same two trained one after the other in one process."""
    here, pool = tmp_path / "here", tmp_path / "pool"
    for out in (here, pool):
        shutil.copytree(reference_sims / "simulations", out / "simulations")
    finish(driver("fit-here", here))
    finish(driver("fit-pool", pool))
    fits = sorted(here.glob("fits/depth-*/seed-*/fit.json"))
    assert [f.parent.parent.name for f in fits] == ["depth-1", "depth-2"]
    for path in fits:
        rel = path.relative_to(here)
        mine, theirs = json.loads(path.read_text()), json.loads((pool / rel).read_text())
        assert mine["torch_threads"] == theirs["torch_threads"] == 1
        assert mine["test"] == theirs["test"] and mine["history"] == theirs["history"]
        state_a = torch.load(path.parent / "model.pt", weights_only=True)
        state_b = torch.load(pool / rel.parent / "model.pt", weights_only=True)
        for key, value in state_a.items():
            torch.testing.assert_close(value, state_b[key], rtol=0, atol=0)


def test_fits_on_the_cpu_share_the_cores_and_a_gpu_trains_in_process() -> None:
    from concurrent.futures import ProcessPoolExecutor

    from benchmark.simulation.executors import Backend

    pool = Backend(n_workers=2).fits("cpu")
    assert isinstance(pool, ProcessPoolExecutor)
    pool.shutdown()
    assert Backend(n_workers=1).fits("cpu") is None
    assert Backend(n_workers=2).fits("cuda:0") is None


def test_replayed_inputs_reproduce_the_simulation(reference_sims: Path, tmp_path: Path) -> None:
    """Inputs given in a file (replay) drive the cell exactly as the generated ones did."""
    from benchmark.simulation import protocol

    original = load_sims(reference_sims / "simulations")
    picked = [original[0], original[3]]
    replay_file = tmp_path / "inputs.npz"
    protocol.save_replay(replay_file, [(s.input_channel, s.input_time_ms, len(s.soma_mv))
                                       for s in picked])
    out = tmp_path / "runs"
    proc = subprocess.run([sys.executable, "-m", "benchmark", "simulate", "--cell", "lif",
                           "--profile", "smoke", "--out", str(out), "--replay", str(replay_file)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    replayed = load_sims(out / "lif" / "smoke" / "seed-0" / "replay" / "inputs")
    for k, sim in enumerate(picked):
        np.testing.assert_array_equal(replayed[k].soma_mv, sim.soma_mv)
        np.testing.assert_array_equal(replayed[k].spike_times_ms, sim.spike_times_ms)


def test_replay_with_a_bad_channel_is_a_one_line_error(tmp_path: Path) -> None:
    from benchmark.simulation import protocol

    replay_file = tmp_path / "bad.npz"
    protocol.save_replay(replay_file, [(np.array([5000], np.int32), np.array([3], np.int32),
                                        1000)])
    proc = subprocess.run([sys.executable, "-m", "benchmark", "simulate", "--cell", "lif",
                           "--profile", "smoke", "--out", str(tmp_path / "runs"),
                           "--replay", str(replay_file)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.npz" in lines[0] and "channel" in lines[0], proc.stderr


def test_width_sweep_reports_the_smallest_network(smoke_run: Path, tmp_path: Path) -> None:
    """`fit --widths` adds networks of other widths; `score --widths` reports every
    (depth, width) network and the smallest reaching the threshold, in a valid record."""
    from benchmark.core import profiles
    from benchmark.learning.model import TCNConfig, expected_parameter_count
    from conftest import run_cli

    out = tmp_path / "runs"
    shutil.copytree(smoke_run.parents[2], out)
    common = ["--cell", "lif", "--profile", "smoke", "--out", str(out), "--widths", "4"]
    run_cli("fit", *common, check=True)
    proc = run_cli("score", *common, check=True)
    assert "width sweep [4, 8]" in proc.stdout
    rec = json.loads((out / "lif" / "smoke" / "seed-0" / "record.json").read_text())
    record.validate(rec)
    sweep = rec["width_sweep"]
    profile = profiles.get("smoke")
    assert {(n["depth"], n["width"]) for n in sweep["networks"]} == {
        (d, w) for d in profile.depths for w in (4, 8)}
    for n in sweep["networks"]:
        config = TCNConfig(n_inputs=100, depth=n["depth"], width=n["width"],
                           first_kernel_ms=profile.first_kernel_ms(n["depth"]),
                           kernel_ms=profile.kernel_ms)
        assert n["parameters"] == expected_parameter_count(config)
    best = next(r for r in rec["per_depth"] if r["depth"] == rec["score"]["best_depth"])
    tolerance = rec["score"]["rule"]["tolerance_fci"]
    assert sweep["threshold"] == pytest.approx(
        1 - (1 - best["spike_auc"]) * 10 ** (2 * tolerance))
    reaching = [n for n in sweep["networks"]
                if n["spike_auc"] is not None and n["spike_auc"] >= sweep["threshold"]]
    if reaching:
        assert sweep["smallest"]["parameters"] == min(n["parameters"] for n in reaching)
    else:
        assert sweep["smallest"] is None
    with pytest.raises(argparse.ArgumentTypeError, match="not a comma-separated list"):
        from benchmark.commands.common import _widths
        _widths("4,x")


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_stopped_coordinator_leaves_no_worker(tmp_path: Path, sig: signal.Signals) -> None:
    """A coordinator stopped by SIGTERM (a batch system's limit) exits like Ctrl-C; one killed
    outright takes its simulation workers with it (they ask Linux for SIGTERM when their
    parent dies): no orphan goes on simulating."""
    proc = subprocess.Popen([sys.executable, "-m", "benchmark", "simulate", "--cell", "lif",
                             "--profile", "quick", "--workers", "2", "--out", str(tmp_path)],
                            cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    workers: list[int] = []
    try:
        kill_ready = lambda: (len(_children(proc.pid)) >= 2  # noqa: E731
                              and any(tmp_path.rglob("shard-*.h5")))
        deadline = time.monotonic() + 300
        while not kill_ready():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        workers = _children(proc.pid)
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=120)
        if sig == signal.SIGTERM:
            assert proc.returncode == 130, err.decode()
            assert "interrupted: finished work is kept" in err.decode()
        deadline = time.monotonic() + 30
        while any(process_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if process_running(pid)], "orphaned workers"
    finally:
        for pid in [proc.pid, *workers]:
            if process_running(pid):
                os.kill(pid, signal.SIGKILL)


def test_costs_script_reads_a_run(smoke_run: Path) -> None:
    """benchmarks/costs.py measures the smoke run from its store (7 simulations x 2 s, no
    calibration, 2 fits) and extrapolates the simulation cost to every profile."""
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "costs.py"),
                           str(smoke_run), "--cores", "2"], capture_output=True, text=True,
                          check=True, timeout=120)
    (report,) = json.loads(proc.stdout)["runs"]
    assert report["simulated_s"] == {"simulate": 14.0, "calibrate": 0.0}
    assert report["fits"]["n_fits"] == 2 and report["fits"]["devices"] == ["cpu"]
    assert report["core_s_per_simulated_s"] > 0 and report["bytes_per_simulated_s"] > 0
    cpu = report["shard_cpu_s"]
    assert cpu["simulate"] > 0 and cpu["calibrate"] == 0 and cpu["shards_without"] == 0
    assert report["cpu_s_per_simulated_s"] == round(cpu["simulate"] / 14.0, 3)
    paper = report["extrapolated"]["paper"]
    assert paper["simulated_s"] == 10200 * 6 + 3 * 128 * 6
    assert paper["simulation_core_hours"] > report["extrapolated"]["quick"][
        "simulation_core_hours"]


def test_costs_script_extrapolates_fits_from_a_train_report(tmp_path: Path) -> None:
    """Given a benchmarks/train.py report, the training hours of the 128-unit profiles are
    the networks' steps times seconds per step interpolated in depth (made-up timings:
    depth d takes 0.1 d s per step on CPU, fp32 sparse, and 0.01 d s on CUDA, bf16)."""
    def device(name: str, mode: str, unit: float) -> dict:
        return {"name": name, "networks": {
            net: {"modes": {mode: {"seconds_per_step": unit * depth},
                            "dense": {"seconds_per_step": 99.0}}}
            for net, depth in (("1x128", 1), ("7x128", 7))}}
    train = {"settings": {"batch_size": 8, "window_ms": 400, "threads": 2},
             "devices": {"cpu": device("EPYC", "sparse", 0.1),
                         "cuda": device("H100", "sparse_amp", 0.01)}}
    (tmp_path / "train.json").write_text(json.dumps(train))
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "costs.py"),
                           "--train-json", str(tmp_path / "train.json")],
                          capture_output=True, text=True, check=True, timeout=120)
    fits = json.loads(proc.stdout)["fits_extrapolated"]
    assert set(fits) == {"standard", "paper"}  # quick's networks are 16 units wide
    # standard: 3 seeds x 20000 steps x (0.1 + 0.2 + ... + 0.7) s = 168000 s
    assert fits["standard"]["cpu_hours_at_most"] == {"device": "EPYC", "hours": 46.7,
                                                      "threads": 2}
    assert fits["standard"]["gpu_hours_at_most"] == {"device": "H100", "hours": 4.7}
    assert fits["standard"]["networks"] == 21
    # paper: 3 x 720000 steps x 2.8 s = 6048000 s = 1680 h on CPU
    assert fits["paper"]["cpu_hours_at_most"]["hours"] == 1680.0


def test_steps_script_refits_a_run_with_another_budget(smoke_run: Path, tmp_path: Path) -> None:
    """benchmarks/steps.py fits the smoke run's sweep again on its simulations (linked) with
    4 steps instead of the profile's 30, and compares the refitted sweep; the run's own
    fits stay as they were."""
    before = {p: p.read_bytes() for p in smoke_run.glob("fits/*/*/fit.json")}
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "steps.py"), str(smoke_run),
                           "--profile", "smoke", "--steps", "4", "--eval-every", "2",
                           "--work", str(tmp_path)],
                          capture_output=True, text=True, check=True, timeout=600)
    report = json.loads(proc.stdout)
    assert report["train"]["max_steps"] == 4 and report["profile"] == "smoke-steps-4"
    (cell,) = report["cells"]
    assert (tmp_path / cell / "simulations").resolve() == (smoke_run / "simulations").resolve()
    fits = sorted((tmp_path / cell).glob("fits/*/*/fit.json"))
    assert len(fits) == len(before) == 2
    assert [json.loads(p.read_text())["steps"] for p in fits] == [4, 4]
    assert [row["depth"] for row in report["cells"][cell]["per_depth"]] == [1, 2]
    assert before == {p: p.read_bytes() for p in smoke_run.glob("fits/*/*/fit.json")}
    # a smaller data plan on the stored simulations, with weight decay
    sub = tmp_path / "subset"
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "steps.py"), str(smoke_run),
                           "--profile", "smoke", "--steps", "4", "--eval-every", "2",
                           "--data", "2,1,1", "--weight-decay", "0.3", "--work", str(sub)],
                          capture_output=True, text=True, check=True, timeout=600)
    report = json.loads(proc.stdout)
    assert report["profile"] == "smoke-steps-4-data-2-1-1-wd-0.3"
    assert report["train"]["weight_decay"] == 0.3
    plan = json.loads((sub / cell / "simulations" / "plan.json").read_text())
    assert (plan["data"]["n_train"], plan["data"]["n_valid"], plan["data"]["n_test"]) == (2, 1, 1)
    fits = sorted((sub / cell).glob("fits/*/*/fit.json"))
    assert len(fits) == 2
    assert before == {p: p.read_bytes() for p in smoke_run.glob("fits/*/*/fit.json")}
