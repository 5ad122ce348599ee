"""Training throughput of the TCN: dense first layer vs the sparse-input first layer.

usage: python benchmarks/train.py [--density 0.015] [--batch-size 8] [--window-ms 400]
           [--steps 3] [--warmup 1] [--threads 2] [--n-inputs 1278] [--no-amp]

Networks: the reference 7 x 128 (first kernel 39 ms, later kernels 20 ms, receptive field
153 ms) and a 1 x 128 with the same receptive field (first kernel 153 ms). Inputs are
synthetic: independent binary spikes in 1 ms bins at ``--density`` of the bins, windows of
``window + receptive field - 1`` bins, as ``Dataset.sample_batch`` makes them.

One training step is what ``fit.Trainer`` does: forward, ``fit.loss_fn`` (spike BCE + soma
MSE), backward, NAdam step. Modes, measured side by side (one step of each in turn):

- ``dense``: the dense model on the dense batch (the baseline);
- ``sparse``: ``sparse_input=True`` on the dense batch (events made inside, torch.nonzero);
- ``sparse_events``: ``sparse_input=True`` fed :class:`SpikeEvents` made before the timer,
  what a data path that never builds dense windows would see;
- ``dense_amp`` / ``sparse_amp``: the same under bfloat16 autocast (skipped with --no-amp).

Also timed alone: the first layer's forward + weight backward (dense on the dense batch,
sparse on the events), and what a free first layer would give (``ceiling_ratio``: dense
step over dense step minus dense first layer). ``flops`` counts the convolutions' floating
point operations per step (multiply-add = 2; the first layer's forward and weight gradient,
the later layers' forward, input and weight gradients) and bounds what any first-layer
method can reach: ``bound_ratio_*`` is the dense step over the time the later layers alone
would take at the rate of a large matrix product measured on the same device
(``matmul_gflops``: float32, and bfloat16 unless --no-amp), i.e. a free first layer and
perfectly efficient later layers. Throughput is simulated ms of data per wall second:
``batch_size * window_ms * steps / seconds``. Runs on CPU (``--threads``) and on CUDA when
available. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmark.core.profiles import TrainPlan
from benchmark.learning.fit import loss_fn
from benchmark.learning.model import TCNConfig, init_seeded
from benchmark.learning.sparse import SpikeEvents, events_from_dense

NETWORKS = {"7x128": (7, 39, 20), "1x128": (1, 153, 20)}  # depth, first kernel, kernel (ms)
N_BATCHES = 2  # distinct synthetic batches, used in turn


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _batches(config: TCNConfig, args: argparse.Namespace, device: torch.device,
             ) -> list[tuple[torch.Tensor, SpikeEvents, torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(0)
    length = args.window_ms + config.receptive_field_ms - 1
    out = []
    for _ in range(N_BATCHES):
        x = (torch.rand(args.batch_size, config.n_inputs, length, generator=generator)
             < args.density).float().to(device)
        spike = (torch.rand(args.batch_size, args.window_ms, generator=generator)
                 < 0.01).float().to(device)
        soma = (3.0 * torch.randn(args.batch_size, args.window_ms, generator=generator)
                ).to(device)
        out.append((x, events_from_dense(x), spike, soma))
    return out


def _timed(fn: Any, device: torch.device) -> float:
    _sync(device)
    start = time.perf_counter()
    fn()
    _sync(device)
    return time.perf_counter() - start


def conv_gflop(config: TCNConfig, batch_size: int, window_ms: int) -> dict[str, float]:
    """Convolution GFLOP of one training step (valid convolutions: each layer's output is
    its input shortened by kernel - 1 bins, the last one ``window_ms`` long)."""
    length = window_ms + config.receptive_field_ms - 1 - (config.first_kernel_ms - 1)
    first = 2.0 * config.n_inputs * config.width * config.first_kernel_ms * batch_size * length
    later = 0.0
    for _ in range(config.depth - 1):
        length -= config.kernel_ms - 1
        later += 2.0 * config.width * config.width * config.kernel_ms * batch_size * length
    # first layer: forward + weight gradient (its input needs none); later: x3
    return {"first_layer": 2 * first / 1e9, "later_layers": 3 * later / 1e9}


def matmul_gflops(device: torch.device, dtype: torch.dtype, n: int = 2048,
                  repeats: int = 5) -> float:
    """GFLOP/s of an n x n matrix product on ``device`` (best of ``repeats``)."""
    a = torch.randn(n, n, device=device).to(dtype)
    b = torch.randn(n, n, device=device).to(dtype)
    torch.matmul(a, b)
    best = min(_timed(lambda: torch.matmul(a, b), device) for _ in range(repeats))
    return 2.0 * n ** 3 / best / 1e9


def bench_network(name: str, args: argparse.Namespace, device: torch.device) -> dict[str, Any]:
    depth, first_kernel, kernel = NETWORKS[name]
    dense_config = TCNConfig(n_inputs=args.n_inputs, depth=depth, width=args.width,
                             first_kernel_ms=first_kernel, kernel_ms=kernel)
    sparse_config = dataclasses.replace(dense_config, sparse_input=True)
    plan = TrainPlan(max_steps=1, batch_size=args.batch_size, window_ms=args.window_ms,
                     learning_rate=1e-3)
    modes = {"dense": (dense_config, False, False), "sparse": (sparse_config, False, False),
             "sparse_events": (sparse_config, True, False)}
    if args.amp:
        modes |= {"dense_amp": (dense_config, False, True),
                  "sparse_amp": (sparse_config, False, True)}
    batches = _batches(dense_config, args, device)
    runs = {}
    for mode, (config, use_events, amp) in modes.items():
        model = init_seeded(config, 0).to(device).train()
        runs[mode] = (model, torch.optim.NAdam(model.parameters(), lr=plan.learning_rate),
                      use_events, amp)

    def step(mode: str, i: int) -> None:
        model, opt, use_events, amp = runs[mode]
        x, events, spike, soma = batches[i % N_BATCHES]
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            loss = loss_fn(model, events if use_events else x, spike, soma,
                           plan.loss_weights_at(0))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    def first_layer(mode: str, i: int) -> None:
        layer = runs[mode][0].body[0]
        x, events = batches[i % N_BATCHES][:2]
        out = layer(events if mode == "sparse" else x)
        grad = torch.ones_like(out)
        weight_grad = torch.autograd.grad(out, [layer.weight, layer.bias], grad)
        del weight_grad

    times: dict[str, list[float]] = {m: [] for m in modes}
    layer_times: dict[str, list[float]] = {"dense": [], "sparse": []}
    for i in range(args.warmup + args.steps):
        for mode in modes:
            seconds = _timed(lambda mode=mode, i=i: step(mode, i), device)
            if i >= args.warmup:
                times[mode].append(seconds)
        for mode in layer_times:
            seconds = _timed(lambda mode=mode, i=i: first_layer(mode, i), device)
            if i >= args.warmup:
                layer_times[mode].append(seconds)
        print(f"{device} {name} step {i + 1}/{args.warmup + args.steps}", file=sys.stderr)

    simulated_ms = args.batch_size * args.window_ms * args.steps
    result: dict[str, Any] = {
        "config": dense_config.to_dict(), "receptive_field_ms": dense_config.receptive_field_ms,
        "parameters": runs["dense"][0].parameter_count(),
        "input_density": sum(float(b[0].mean()) for b in batches) / N_BATCHES,
        "events_per_batch": sum(int(b[1].time.numel()) for b in batches) // N_BATCHES,
        "modes": {m: {"throughput_ms_per_s": simulated_ms / sum(t),
                      "seconds_per_step": sum(t) / len(t),
                      "step_s": [round(s, 4) for s in t]} for m, t in times.items()},
    }
    dense_s = result["modes"]["dense"]["seconds_per_step"]
    result["ratio_vs_dense"] = {m: dense_s / r["seconds_per_step"]
                                for m, r in result["modes"].items() if m != "dense"}
    if args.amp:
        result["ratio_sparse_amp_vs_dense_amp"] = (
            result["modes"]["dense_amp"]["seconds_per_step"]
            / result["modes"]["sparse_amp"]["seconds_per_step"])
    layer = {m: sum(t) / len(t) for m, t in layer_times.items()}
    rest = dense_s - layer["dense"]
    result["first_layer"] = {
        "dense_s": layer["dense"], "sparse_from_events_s": layer["sparse"],
        "ratio": layer["dense"] / layer["sparse"], "rest_of_dense_step_s": rest,
        # what a free first layer would give; None when the first layer is ~all of the step
        "ceiling_ratio": dense_s / rest if rest > 0.05 * dense_s else None,
    }
    gflop = conv_gflop(dense_config, args.batch_size, args.window_ms)
    result["flops"] = {"gflop_per_step": gflop,
                       "dense_step_gflops": (gflop["first_layer"] + gflop["later_layers"])
                       / dense_s}
    for label, rate in args.matmul_gflops.items():
        # None for a 1-layer network: with no later layers the FLOPs set no bound
        result["flops"][f"bound_ratio_{label}"] = (dense_s / (gflop["later_layers"] / rate)
                                                   if gflop["later_layers"] > 0 else None)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--density", type=float, default=0.015,
                        help="fraction of (input, 1 ms bin) cells holding a spike")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--window-ms", type=int, default=400)
    parser.add_argument("--steps", type=int, default=3, help="timed steps per mode")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps per mode first")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (torch)")
    parser.add_argument("--n-inputs", type=int, default=1278)
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--networks", nargs="+", default=list(NETWORKS), choices=list(NETWORKS))
    parser.add_argument("--no-amp", dest="amp", action="store_false",
                        help="skip the bfloat16 autocast modes")
    parser.add_argument("--no-cuda", dest="cuda", action="store_true",
                        help="CPU only, even when CUDA is available")
    args = parser.parse_args()
    args.cuda = not args.cuda and torch.cuda.is_available()
    torch.set_num_threads(args.threads)
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if args.cuda else [])
    report: dict[str, Any] = {
        "benchmark": "train", "torch": torch.__version__, "python": platform.python_version(),
        "threads": torch.get_num_threads(), "load_average_start": os.getloadavg(),
        "settings": {k: v for k, v in vars(args).items() if k not in ("cuda", "matmul_gflops")},
        "devices": {},
    }
    for device in devices:
        # bfloat16 is measured only when the autocast modes run: on a CPU without bfloat16
        # units a 2048^3 product takes about a minute
        dtypes = (("float32", torch.float32),) + ((("bfloat16", torch.bfloat16),)
                                                   if args.amp else ())
        args.matmul_gflops = {label: matmul_gflops(device, dtype) for label, dtype in dtypes}
        report["devices"][device.type] = {
            "name": _device_name(device), "matmul_gflops": args.matmul_gflops,
            "networks": {name: bench_network(name, args, device) for name in args.networks},
        }
    report["load_average_end"] = os.getloadavg()
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
