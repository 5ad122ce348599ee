"""The fitting stage: train one TCN per (depth, seed) of the sweep; checkpointed, resumable.

Each fit lives in ``<run>/fits/depth-<d>/seed-<s>/``:

- ``checkpoint.pt``: model, optimiser and random-generator states at the last validation
  check (written atomically; a rerun resumes from it and ends with the same weights as an
  uninterrupted run);
- ``model.pt``: the best weights on validation (``torch.load(..., weights_only=True)``);
- ``test_pairs.npz``: the test predictions' Mann-Whitney pair counts per simulation
  (:class:`~benchmark.learning.metrics.PairCounts`), for the decision rule's resamples;
- ``fit.json``: the network config, the training history, the voltage target's levels, the
  validation spike AUC and the test metrics with their bootstrap intervals. Its presence
  marks the fit as done.
"""

from __future__ import annotations

import functools
import io
import json
import time
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from benchmark.core import atomic
from benchmark.core.profiles import Profile, TrainPlan
from benchmark.core.progress import Progress, log
from benchmark.learning import metrics
from benchmark.learning.dataset import Dataset, Simulation, batch_events
from benchmark.learning.model import TCN, TCNConfig, init_seeded
from benchmark.learning.sparse import SpikeEvents
from benchmark.simulation import executors

FIT_FILE = "fit.json"


@dataclass(frozen=True)
class FitJob:
    """One network of the sweep: its shape, its seed and where it is stored."""

    config: TCNConfig
    seed: int
    folder: Path


def pick_device(name: str = "auto") -> torch.device:
    """``auto``: CUDA when present, else CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def fit_folder(run: Path, depth: int, seed: int, width: int | None = None) -> Path:
    """Where one network is stored: ``fits/depth-<d>/seed-<s>`` for the main sweep,
    ``fits/width-<w>/depth-<d>/seed-<s>`` for the width sweep."""
    base = run / "fits" if width is None else run / "fits" / f"width-{width}"
    return base / f"depth-{depth}" / f"seed-{seed}"


def sweep_jobs(run: Path, profile: Profile, n_inputs: int) -> list[FitJob]:
    """Every (depth, seed) network of the profile's sweep, then those of its width sweep."""
    extra = [w for w in profile.widths if w != profile.width]
    return [
        FitJob(TCNConfig(n_inputs=n_inputs, depth=d, width=w or profile.width,
                         first_kernel_ms=profile.first_kernel_ms(d),
                         kernel_ms=profile.kernel_ms, sparse_input=profile.sparse_input,
                         spatial_rank=profile.spatial_rank),
               seed, fit_folder(run, d, seed, w))
        for w in [None, *extra] for d in profile.depths for seed in range(profile.n_seeds)
    ]


def loss_fn(model: TCN, x: torch.Tensor | SpikeEvents, spike: torch.Tensor,
            soma: torch.Tensor, weights: tuple[float, float]) -> torch.Tensor:
    """Weighted spike BCE (on logits) plus weighted soma MSE (mV^2), on the window's valid
    part; ``weights``: (spike, soma), :meth:`TrainPlan.loss_weights_at`."""
    logit, soma_pred = model(x, causal_pad=False)
    return (weights[0] * F.binary_cross_entropy_with_logits(logit, spike)
            + weights[1] * F.mse_loss(soma_pred, soma))


@torch.no_grad()
def predict(model: TCN, sims: list[Simulation], n_inputs: int,
            device: torch.device) -> list[tuple[np.ndarray, np.ndarray]]:
    """Spike probability and soma prediction (mV) per bin for whole simulations."""
    model.eval()
    out = []
    for sim in sims:
        x = (batch_events([sim.window_events(0, sim.duration_ms)], n_inputs,
                          sim.duration_ms) if model.config.sparse_input
             else torch.from_numpy(sim.dense_inputs(n_inputs, 0, sim.duration_ms))[None])
        x = x.to(device)
        logit, soma = model(x, causal_pad=True)
        out.append((torch.sigmoid(logit)[0].cpu().numpy(), soma[0].cpu().numpy()))
    return out


def validation_loss(model: TCN, sims: list[Simulation], n_inputs: int, plan: TrainPlan,
                    device: torch.device, step: int = 0) -> float:
    """What the validation checks compare, lower is better (deterministic): 1 - the pooled
    spike AUC scored as the test set's (``select_on="spike_auc"``; the spike loss when the
    validation set has no spike), the spike BCE over the bins from ``plan.skip_ms`` on
    (``"spike_loss"``), or the training loss at step ``step``'s weights over whole
    simulations (``"loss"``)."""
    if plan.select_on == "spike_auc":
        auc = _spike_auc(model, sims, n_inputs, device)
        if np.isfinite(auc):
            return 1.0 - auc
    spike_only = plan.select_on != "loss"
    skip = plan.skip_ms if spike_only else 0
    w_spike, w_soma = (1.0, 0.0) if spike_only else plan.loss_weights_at(step)
    total = 0.0
    for (prob, soma), sim in zip(predict(model, sims, n_inputs, device), sims, strict=True):
        p = np.clip(prob[skip:], 1e-7, 1 - 1e-7)
        y = sim.spike_label[skip:]
        bce = -np.mean(np.where(y, np.log(p), np.log1p(-p)))
        mse = np.mean((soma - sim.soma_target_mv) ** 2) if w_soma else 0.0
        total += w_spike * bce + w_soma * mse
    return float(total / len(sims))


PAIRS_FILE = "test_pairs.npz"
"""A fit's :class:`~benchmark.learning.metrics.PairCounts` on the test simulations: the
decision rule resamples them (:mod:`benchmark.scoring.decision`)."""


def split_outputs(model: TCN, data: Dataset, split: str,
                  device: torch.device) -> list[metrics.SimulationOutputs]:
    """The network's predictions on a split's whole simulations, with their targets."""
    sims = data.split(split)
    return [
        metrics.SimulationOutputs(spike_label=s.spike_label, spike_prob=prob,
                                  soma_target_mv=s.soma_target_mv.astype(np.float64),
                                  soma_pred=soma.astype(np.float64))
        for s, (prob, soma) in zip(sims, predict(model, sims, data.n_inputs, device), strict=True)
    ]


def test_set_counts(outputs: list[metrics.SimulationOutputs], cap: int) -> dict[str, Any]:
    """The scored part of a test set: simulations kept under the spike cap, their spikes
    after :data:`~benchmark.learning.metrics.SKIP_MS` and that rate (Hz)."""
    kept = [o for o in outputs if int(o.spike_label.sum()) <= cap]
    spikes = sum(int(o.spike_label[metrics.SKIP_MS:].sum()) for o in kept)
    seconds = sum(max(o.spike_label.size - metrics.SKIP_MS, 0) for o in kept) / 1000.0
    return {"n_test_spikes": spikes, "test_rate_hz": spikes / seconds if seconds else None}


def _spike_auc(model: TCN, sims: list[Simulation], n_inputs: int,
               device: torch.device) -> float:
    outputs = [metrics.SimulationOutputs(s.spike_label, prob, np.zeros(prob.size),
                                         np.zeros(prob.size))
               for s, (prob, _) in zip(sims, predict(model, sims, n_inputs, device),
                                       strict=True)]
    cap = metrics.max_output_spikes(outputs[0].spike_label.size)
    return float(metrics.pair_counts(outputs, max_output_spikes=cap).auc())


def test_metrics(model: TCN, data: Dataset, device: torch.device, n_boot: int,
                 pairs_path: Path | None = None) -> dict[str, Any]:
    """Reference-protocol metrics on the test split, with bootstrap intervals; the pair
    counts go to ``pairs_path`` when given."""
    outputs = split_outputs(model, data, "test", device)
    cap = metrics.max_output_spikes(outputs[0].spike_label.size)
    boots = metrics.bootstrap_metrics(outputs, max_output_spikes=cap, n_boot=n_boot, seed=0)
    result: dict[str, Any] = metrics.evaluate(outputs, max_output_spikes=cap, n_boot=n_boot,
                                              seed=0, boots=boots)
    result["spike_auc_boot"] = [None if not np.isfinite(v) else float(v)
                                for v in boots["spike_auc"]]
    result |= test_set_counts(outputs, cap)
    if pairs_path is not None:
        metrics.pair_counts(outputs, max_output_spikes=cap).save(pairs_path)
    return _finite(result)


def valid_auc(model: TCN, data: Dataset, device: torch.device) -> float | None:
    """Pooled spike AUC on the validation simulations, scored as the test set is (None
    without a spike): what the decision rule picks the best depth on."""
    outputs = split_outputs(model, data, "valid", device)
    cap = metrics.max_output_spikes(outputs[0].spike_label.size)
    value = metrics.pair_counts(outputs, max_output_spikes=cap).auc()
    return float(value) if np.isfinite(value) else None


def _finite(obj: Any) -> Any:
    """Replace NaN and infinities by None, so the JSON is strict."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


@torch.no_grad()
def init_output_biases(model: TCN, data: Dataset) -> None:
    """Start the heads at the training data's base rates: the spike head's bias at the
    log-odds of a spike per 1 ms bin, the soma head's at the mean soma target (mV). The
    network then spends its first steps on the inputs, not on learning two constants."""
    train = data.split("train")
    rate = float(np.mean([s.spike_label.mean() for s in train]))
    rate = min(max(rate, 1e-6), 0.5)
    model.spike_head.bias.fill_(float(np.log(rate / (1 - rate))))
    model.soma_head.bias.fill_(float(np.mean([s.soma_target_mv.mean() for s in train])))


def _state_bytes(obj: Any) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


class Trainer:
    """Trains one :class:`FitJob`; resumes from its checkpoint when one exists."""

    def __init__(self, job: FitJob, data: Dataset, plan: TrainPlan, device: torch.device) -> None:
        self.job, self.data, self.plan, self.device = job, data, plan, device
        self.model = init_seeded(job.config, job.seed).to(device)
        self.opt = torch.optim.NAdam(self.model.parameters(), lr=plan.learning_rate,
                                     weight_decay=plan.weight_decay,
                                     decoupled_weight_decay=plan.weight_decay > 0)
        self.rng = np.random.default_rng(np.random.SeedSequence([job.seed, job.config.depth]))
        self.step, self.best_loss, self.bad_checks = 0, float("inf"), 0
        self.best_state: dict[str, torch.Tensor] = {}
        self.history: list[dict[str, float]] = []
        self.elapsed_s = 0.0
        if not self._resume():
            init_output_biases(self.model, data)

    @property
    def _mixed_precision(self) -> bool:
        """bf16 autocast for this step: asked for on this device type, and supported."""
        if self.device.type not in self.plan.mixed_precision:
            return False
        return self.device.type != "cuda" or torch.cuda.is_bf16_supported()

    @property
    def checkpoint(self) -> Path:
        return self.job.folder / "checkpoint.pt"

    def _resume(self) -> bool:
        """Restore the checkpoint if there is one; True when it did."""
        if not self.checkpoint.is_file():
            return False
        state = torch.load(self.checkpoint, weights_only=True, map_location=self.device)
        self.model.load_state_dict(state["model"])
        self.opt.load_state_dict(state["optimizer"])
        self.rng.bit_generator.state = state["rng"]
        self.step, self.best_loss = state["step"], state["best_loss"]
        self.bad_checks, self.best_state = state["bad_checks"], state["best_state"]
        self.history, self.elapsed_s = state["history"], state["elapsed_s"]
        log(f"resume {self.job.folder.name} depth {self.job.config.depth} at step {self.step}")
        return True

    def _save_checkpoint(self) -> None:
        state = {"model": self.model.state_dict(), "optimizer": self.opt.state_dict(),
                 "rng": self.rng.bit_generator.state, "step": self.step,
                 "best_loss": self.best_loss, "bad_checks": self.bad_checks,
                 "best_state": self.best_state, "history": self.history,
                 "elapsed_s": self.elapsed_s}
        atomic.write_bytes(self.checkpoint, _state_bytes(state))

    def _learning_rate(self) -> float:
        return self.plan.learning_rate_at(self.step)

    def _check(self) -> bool:
        """Validate, keep the best weights, checkpoint; False when training should stop."""
        loss = validation_loss(self.model, self.data.split("valid"), self.data.n_inputs,
                               self.plan, self.device, self.step)
        self.history.append({"step": self.step, "valid_loss": loss})
        if loss < self.best_loss:
            self.best_loss, self.bad_checks = loss, 0
            self.best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        else:
            self.bad_checks += 1
        self._save_checkpoint()
        return self.bad_checks < self.plan.patience and self.step < self.plan.max_steps

    def sample_batch(self) -> tuple[torch.Tensor | SpikeEvents, torch.Tensor, torch.Tensor]:
        """The next training batch (inputs, spike labels, soma targets in mV), drawn on the
        host from the trainer's seeded generator."""
        return self.data.sample_batch(self.rng, self.plan.batch_size, self.plan.window_ms,
                                      self.job.config.receptive_field_ms,
                                      as_events=self.job.config.sparse_input,
                                      skip_ms=self.plan.skip_ms)

    def train_step(self, batch: tuple[torch.Tensor | SpikeEvents, torch.Tensor, torch.Tensor],
                   ) -> torch.Tensor:
        """One optimiser step on ``batch`` (forward, loss, backward, NAdam) at the current
        step's learning rate and loss weights; returns the loss."""
        x, spike, soma = batch
        self.model.train()
        for group in self.opt.param_groups:
            group["lr"] = self._learning_rate()
        with torch.autocast(self.device.type, dtype=torch.bfloat16,
                            enabled=self._mixed_precision):
            loss = loss_fn(self.model, x.to(self.device), spike.to(self.device),
                           soma.to(self.device), self.plan.loss_weights_at(self.step))
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.step += 1
        return loss

    def train(self, bar: Progress | None = None) -> None:
        running = self.step < self.plan.max_steps and self.bad_checks < self.plan.patience
        while running:
            start = time.monotonic()
            loss = self.train_step(self.sample_batch())
            self.elapsed_s += time.monotonic() - start
            if bar is not None:
                bar.update(1, loss=f"{loss.item():.4f}")
            if self.step % self.plan.eval_every == 0 or self.step >= self.plan.max_steps:
                running = self._check()

    def finish(self, n_boot: int) -> dict[str, Any]:
        """Test the best weights; write ``model.pt`` and ``fit.json`` (marks the fit done)."""
        self.model.load_state_dict(self.best_state)
        atomic.write_bytes(self.job.folder / "model.pt", _state_bytes(self.best_state))
        result = {"config": self.job.config.to_dict(), "seed": self.job.seed,
                  "steps": self.step, "best_valid_loss": self.best_loss,
                  "history": self.history, "train_seconds": self.elapsed_s,
                  "parameters": self.model.parameter_count(), "device": str(self.device),
                  "torch_threads": torch.get_num_threads(),
                  "selected_on": self.plan.select_on,
                  "voltage_target": self.data.levels.to_dict(),
                  "valid": {"spike_auc": valid_auc(self.model, self.data, self.device)},
                  "test": test_metrics(self.model, self.data, self.device, n_boot,
                                       self.job.folder / PAIRS_FILE)}
        atomic.write_json(self.job.folder / FIT_FILE, result)
        self.checkpoint.unlink(missing_ok=True)
        return result


def run_sweep(run: Path, profile: Profile, *, device: str | None = None,
              executor: Executor | None = None) -> list[dict[str, Any]]:
    """Fit every network of the profile's sweep that is not done yet; returns all results.

    Without ``executor`` the networks train here, one after the other. With one (a local
    fit pool or a Dask cluster's, :mod:`benchmark.simulation.executors`), each network is a
    task of its own (:func:`fit_in_worker`); a lost task resumes from its checkpoint.
    ``run`` may be relative: the tasks get it absolute, since workers start in a folder of
    their own.
    """
    run = run.resolve()
    data = Dataset(run / "simulations", voltage=profile.train.voltage_target,
                   train_sims=profile.train.train_sims)
    dev = pick_device(device or profile.device)
    jobs = sweep_jobs(run, profile, data.n_inputs)
    todo = [j for j in jobs if not (j.folder / FIT_FILE).is_file()]
    where = f"{dev}" if executor is None else f"{dev}, one task per network"
    log(f"fit: {len(todo)} of {len(jobs)} networks to train on {where}")
    if executor is None:
        for job in todo:
            train_job(job, data, profile, dev)
    else:
        futures = {executor.submit(fit_in_worker, run, profile, str(job.folder), device): job
                   for job in todo}
        try:
            for n, future in enumerate(as_completed(futures), 1):
                result = future.result()
                job = futures[future]
                log(f"fit {n}/{len(futures)} done, depth {job.config.depth} seed {job.seed}: "
                    f"test spike AUC {result['test']['spike_auc']} after {result['steps']} steps")
        except BaseException:
            executors.stop_now(executor)
            raise
    return [json.loads((j.folder / FIT_FILE).read_text()) for j in jobs]


def train_job(job: FitJob, data: Dataset, profile: Profile, dev: torch.device) -> dict[str, Any]:
    """Train one network (resuming its checkpoint), test it and write its fit folder."""
    job.folder.mkdir(parents=True, exist_ok=True)
    trainer = Trainer(job, data, profile.train, dev)
    desc = f"fit depth {job.config.depth} seed {job.seed}" + (
        f" width {job.config.width}" if job.config.width != profile.width else "")
    with Progress(profile.train.max_steps, desc, unit="step", initial=trainer.step) as bar:
        trainer.train(bar)
    result = trainer.finish(profile.n_boot)
    log(f"{desc}: test spike AUC {result['test']['spike_auc']} after {result['steps']} steps")
    return result


@functools.lru_cache(maxsize=1)
def _dataset(run: Path, voltage: Any, train_sims: int | None) -> Dataset:
    """The run's dataset, opened once per process (a fit pool's process trains several)."""
    return Dataset(run / "simulations", voltage=voltage, train_sims=train_sims)


def fit_in_worker(run: Path, profile: Profile, folder: str,
                  device: str | None) -> dict[str, Any]:
    """One network of the sweep (named by its fit folder), trained where this runs: the
    task a fit pool's process or a cluster worker is given. Returns the fit's result
    (``fit.json``)."""
    data = _dataset(run, profile.train.voltage_target, profile.train.train_sims)
    job = next((j for j in sweep_jobs(run, profile, data.n_inputs) if str(j.folder) == folder),
               None)
    if job is None:
        raise ValueError(f"{folder} is not a network of the profile's sweep")
    if (job.folder / FIT_FILE).is_file():
        return json.loads((job.folder / FIT_FILE).read_text())
    return train_job(job, data, profile, pick_device(device or profile.device))
