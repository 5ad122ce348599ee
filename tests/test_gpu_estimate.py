"""``benchmarks/gpu_estimate.py``: real training steps of a profile's sweep on the smoke
run, counted (operators, FLOPs) and timed, and the GPU estimate made from them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import torch

from benchmark.core import profiles
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from gpu_estimate import OpCounter, gpu_costs  # noqa: E402


def test_the_op_counter_counts_every_dispatched_operator() -> None:
    a = torch.ones(3, requires_grad=True)
    with OpCounter() as ops:
        (a * 2 + 1).sum().backward()
    assert ops.count >= 4  # mul, add, sum and at least one backward kernel
    with OpCounter() as none:
        pass
    assert none.count == 0


def test_the_estimate_is_the_host_cost_or_the_arithmetic_whichever_is_larger() -> None:
    plan = profiles.get("smoke").train  # 30 steps, a check every 10
    m = {"cpu_step_s": 0.1, "sample_s": 0.01, "ops_per_step": 100, "gflop_per_step": 1.0,
         "check_ops": 1000, "check_cpu_s": 1.0, "check_host_s": 0.1}
    out = gpu_costs(m, plan, [10.0], tflops=1000.0)  # 1 GFLOP at 1 PFLOP/s: 1 us
    assert out["cpu_per_fit_s"] == 30 * 0.1 + 3 * 1.0
    assert abs(out["gpu_step_s_at_10us"] - (0.01 + 100 * 10e-6)) < 1e-12
    assert abs(out["gpu_per_fit_s_at_10us"]
               - (30 * out["gpu_step_s_at_10us"] + 3 * (0.1 + 1000 * 10e-6))) < 1e-12
    slow = gpu_costs(m, plan, [10.0], tflops=0.001)  # 1 GFLOP at 1 GFLOP/s: 1 s per step
    assert abs(slow["gpu_step_s_at_10us"] - 1.01) < 1e-12


def test_the_script_measures_every_depth_of_the_sweep(smoke_run: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "gpu_estimate.py"), str(smoke_run),
         "--profile", "smoke", "--steps", "2", "--launch-us", "5,20"],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    depths = [str(d) for d in profiles.get("smoke").depths]
    assert list(out["per_depth"]) == depths
    ops = [out["per_depth"][d]["ops_per_step"] for d in depths]
    assert ops == sorted(ops) and ops[0] < ops[-1]  # a deeper network dispatches more
    for row in out["per_depth"].values():
        assert row["cpu_step_s"] > row["sample_s"] > 0 and row["gflop_per_step"] > 0
        assert row["gpu_per_fit_s_at_20us"] > row["gpu_per_fit_s_at_5us"] > 0
    assert out["n_fits"] == len(depths) * profiles.get("smoke").n_seeds
    assert out["profile_s"]["cpu_per_fit_s"] == sum(
        r["cpu_per_fit_s"] for r in out["per_depth"].values()) * profiles.get("smoke").n_seeds
