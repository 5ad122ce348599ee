"""How a fit slows down when another process shares the CPU, per OpenMP wait policy.

usage: python benchmarks/contention.py [--steps 40] [--threads N]
           [--policies project,libgomp,spin=10000,ACTIVE,PASSIVE]

Times the same training loop (a quick-profile network: depth 3, width 16, the L5PC's 1278
inputs, sparse first layer, batch 8 x 200 ms windows of random input spikes, NAdam) in a
fresh subprocess, alone and beside one competing process that keeps one core busy (a
numpy loop), for each OpenMP wait policy: ``project`` sets nothing, so the project's
default applies (``import benchmark`` sets ``OMP_WAIT_POLICY=PASSIVE`` unless the user set
a policy: waiting threads sleep); ``libgomp`` is libgomp's own default (a waiting thread
spins 300,000 times before it sleeps); ``spin=N`` sets ``GOMP_SPINCOUNT`` to N; ``ACTIVE``
and ``PASSIVE`` set ``OMP_WAIT_POLICY``. Each case runs
once; alone and loaded run one after the other, so compare ratios within one run of this
script. Prints one JSON object: per policy the wall and CPU seconds per step alone and
loaded, and the slowdown (loaded / alone wall time). On a machine of C cores a competitor
that takes one of them should cost at most about C / (C - 1) in wall time (2x on 2 cores);
a much larger slowdown means threads spinning against the competitor.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

TRAIN = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import benchmark  # first, as the command line does: it sets the wait policy before torch loads
import torch
from benchmark.learning.model import TCN, TCNConfig
steps, threads = int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)
net = TCN(TCNConfig(n_inputs=1278, depth=3, width=16, first_kernel_ms=80, kernel_ms=11,
                    sparse_input=True))
opt = torch.optim.NAdam(net.parameters(), lr=3e-3)
x = (torch.rand(8, 1278, 300) < 0.01).float()
y = (torch.rand(8, 300) < 0.01).float()
def step():
    opt.zero_grad()
    logit, soma = net(x)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logit, y) + soma.pow(2).mean()
    loss.backward()
    opt.step()
for _ in range(3):
    step()
wall, cpu = time.perf_counter(), time.process_time()
for _ in range(steps):
    step()
print(json.dumps({"wall_s_per_step": (time.perf_counter() - wall) / steps,
                  "cpu_s_per_step": (time.process_time() - cpu) / steps}))
"""

LIBGOMP_SPINS = 300_000
"""libgomp's spin count when neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT is set (GCC libgomp
manual, "GOMP_SPINCOUNT")."""

BURN = "import numpy as np\na = np.random.rand(200, 200)\nwhile True:\n    a = a @ a / 200.0\n"


def timed(steps: int, threads: int, policy: str) -> dict[str, float]:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    env.pop("OMP_WAIT_POLICY", None)
    env.pop("GOMP_SPINCOUNT", None)
    if policy == "libgomp":
        env["GOMP_SPINCOUNT"] = str(LIBGOMP_SPINS)
    elif policy.startswith("spin="):
        env["GOMP_SPINCOUNT"] = policy.split("=", 1)[1]
    elif policy != "project":
        env["OMP_WAIT_POLICY"] = policy
    proc = subprocess.run([sys.executable, "-c", TRAIN, str(REPO), str(steps), str(threads)],
                          env=env, capture_output=True, text=True, check=True, timeout=1800)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def loaded(steps: int, threads: int, policy: str) -> dict[str, float]:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    burner = subprocess.Popen([sys.executable, "-c", BURN], env=env)
    try:
        time.sleep(1.0)
        return timed(steps, threads, policy)
    finally:
        burner.kill()
        burner.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--policies", default="project,libgomp,spin=10000")
    args = parser.parse_args()
    out = {"cores": len(os.sched_getaffinity(0)), "threads": args.threads,
           "steps": args.steps, "policies": {}}
    for policy in args.policies.split(","):
        alone = timed(args.steps, args.threads, policy)
        busy = loaded(args.steps, args.threads, policy)
        out["policies"][policy] = {
            "alone": alone, "loaded": busy,
            "slowdown": busy["wall_s_per_step"] / alone["wall_s_per_step"]}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
