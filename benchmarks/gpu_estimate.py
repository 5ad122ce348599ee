"""What a profile's fits would cost on one GPU, estimated on a CPU where no GPU is at hand.

usage: python benchmarks/gpu_estimate.py RUN_FOLDER [--profile resolving] [--steps 20]
           [--launch-us 5,20] [--gpu-tflops 50] [--threads 1]

RUN_FOLDER is ``<out>/<cell>/<profile>/seed-<seed>/`` of a run whose simulations are done;
its training data feed real training steps of every depth of the profile's sweep, made by
the fit code itself (:meth:`benchmark.learning.fit.Trainer.train_step`, the profile's
network, batch and window, the optimiser with ``foreach`` as on CUDA). Measured per depth:

- ``cpu_step_s``: seconds per training step on this CPU (median of ``--steps``), and
  ``sample_s``: of which drawing the batch on the host (a GPU fit draws it there too);
- ``ops_per_step``: the tensor operators one step dispatches (forward, loss, backward,
  optimiser; counted with a ``TorchDispatchMode``), each at least one kernel on a GPU, and
  ``gflop_per_step`` (``torch.utils.flop_counter``);
- the same for one validation check (the network over every validation simulation, then
  the pooled AUC on the host): ``check_ops``, ``check_cpu_s`` and ``check_host_s`` (the
  part that stays on the host).

Small networks leave a GPU idle between kernels: eager PyTorch spends several microseconds
on the host per operator, so a step costs about ``sample_s + ops_per_step x t_op`` unless
its arithmetic at ``--gpu-tflops`` takes longer. ``gpu_step_s`` gives that for each
``t_op`` in ``--launch-us`` (a low and a high end), and ``per_fit_s`` / ``profile_s`` the
profile's fits (``max_steps`` steps and ``max_steps / eval_every`` checks each; a GPU trains
one network at a time) next to the CPU's. These are estimates, not measurements: replace
them with ``python benchmarks/train.py`` and a fit's ``train_seconds`` on a GPU when one is
available. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmark.core import profiles  # noqa: E402
from benchmark.learning import fit  # noqa: E402
from benchmark.learning.dataset import Dataset  # noqa: E402


class OpCounter(TorchDispatchMode):
    """Counts the tensor operators dispatched while active."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None):
        self.count += 1
        return func(*args, **(kwargs or {}))


def _trainer(job: fit.FitJob, data: Dataset, plan: profiles.TrainPlan) -> fit.Trainer:
    trainer = fit.Trainer(job, data, plan, torch.device("cpu"))
    for group in trainer.opt.param_groups:  # the multi-tensor optimiser CUDA defaults to
        group["foreach"] = True
    return trainer


def measure_depth(job: fit.FitJob, data: Dataset, profile: profiles.Profile,
                  steps: int) -> dict[str, Any]:
    """Step and check costs of one network of the sweep (see the module docstring)."""
    trainer = _trainer(job, data, profile.train)
    trainer.train_step(trainer.sample_batch())  # warm-up
    samples, totals = [], []
    for _ in range(steps):
        start = time.perf_counter()
        batch = trainer.sample_batch()
        mid = time.perf_counter()
        trainer.train_step(batch)
        samples.append(mid - start)
        totals.append(time.perf_counter() - start)
    batch = trainer.sample_batch()
    with OpCounter() as ops, FlopCounterMode(display=False) as flops:
        trainer.train_step(batch)
    valid = data.split("valid")
    check_s, forward_s = [], []
    for _ in range(2):  # the first reads the validation simulations from disk
        start = time.perf_counter()
        fit.validation_loss(trainer.model, valid, data.n_inputs, profile.train, trainer.device)
        mid = time.perf_counter()
        fit.predict(trainer.model, valid, data.n_inputs, trainer.device)
        check_s.append(mid - start)
        forward_s.append(time.perf_counter() - mid)
    with OpCounter() as check_ops:
        fit.predict(trainer.model, valid, data.n_inputs, trainer.device)
    return {"cpu_step_s": statistics.median(totals), "sample_s": statistics.median(samples),
            "ops_per_step": ops.count, "gflop_per_step": flops.get_total_flops() / 1e9,
            "check_ops": check_ops.count, "check_cpu_s": check_s[-1],
            "check_host_s": max(check_s[-1] - forward_s[-1], 0.0)}


def gpu_costs(m: dict[str, Any], plan: profiles.TrainPlan, launch_us: list[float],
              tflops: float) -> dict[str, Any]:
    """Estimated GPU seconds per step and per fit at each per-operator cost."""
    checks = plan.max_steps / plan.eval_every
    out: dict[str, Any] = {"cpu_per_fit_s": plan.max_steps * m["cpu_step_s"]
                           + checks * m["check_cpu_s"]}
    arith = m["gflop_per_step"] / (tflops * 1e3)  # s per step at the GPU's arithmetic rate
    for t_op in launch_us:
        step = m["sample_s"] + max(m["ops_per_step"] * t_op * 1e-6, arith)
        check = m["check_host_s"] + m["check_ops"] * t_op * 1e-6
        out[f"gpu_step_s_at_{t_op:g}us"] = step
        out[f"gpu_per_fit_s_at_{t_op:g}us"] = plan.max_steps * step + checks * check
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--profile", default="resolving", choices=sorted(profiles.PROFILES))
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--launch-us", default="5,20",
                        help="host cost per operator on a GPU (microseconds), comma-separated")
    parser.add_argument("--gpu-tflops", type=float, default=50.0,
                        help="float32 arithmetic a GPU sustains (TFLOP/s)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    profile = profiles.get(args.profile)
    launch = [float(v) for v in args.launch_us.split(",")]
    data = Dataset(args.run / "simulations", voltage=profile.train.voltage_target)
    per_depth: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for depth in profile.depths:
            job = next(j for j in fit.sweep_jobs(Path(tmp), profile, data.n_inputs)
                       if j.config.depth == depth and j.seed == 0)
            m = measure_depth(job, data, profile, args.steps)
            per_depth[str(depth)] = m | gpu_costs(m, profile.train, launch, args.gpu_tflops)
    n_seeds = profile.n_seeds
    total = {key: n_seeds * sum(d[key] for d in per_depth.values())
             for key in per_depth[str(profile.depths[0])] if "per_fit" in key}
    print(json.dumps({"profile": profile.name, "run": str(args.run), "threads": args.threads,
                      "torch": torch.__version__, "launch_us": launch,
                      "gpu_tflops": args.gpu_tflops, "n_fits": n_seeds * len(profile.depths),
                      "per_depth": per_depth, "profile_s": total}, indent=1))


if __name__ == "__main__":
    main()
