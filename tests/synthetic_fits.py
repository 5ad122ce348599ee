"""Synthetic paired fits with known AUC gaps, for tests of the decision rule.

Every fit predicts the same test simulations: the labels are drawn once, and each fit's
scores are ``mu * label + noise`` with a per-simulation shift of ``mu`` shared by every fit
(simulations differ in difficulty), a per-seed shift (seeds differ), and noise partly shared
between fits (paired predictions). A positive bin of a simulation with shift ``mu_s`` beats
a negative bin with probability Phi(mu_s / sqrt(2)), so with shifts N(mu, sim_sd^2) the
population AUC is Phi(mu / sqrt(2 + sim_sd^2)) (:func:`mu_for_auc` inverts it).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from benchmark.learning import metrics
from benchmark.scoring.decision import FitEvidence


def mu_for_auc(auc: float, sim_sd: float) -> float:
    """The mean score separation whose population AUC is ``auc``."""
    return math.sqrt(2.0 + sim_sd**2) * NormalDist().inv_cdf(auc)


def auc_at_fci_gap(auc: float, gap: float) -> float:
    """The AUC whose FCI exceeds that of ``auc`` by ``gap`` (a worse network for gap > 0)."""
    return 1.0 - (1.0 - auc) * 10.0 ** (2.0 * gap)


class Task:
    """One synthetic test (and validation) set shared by every fit."""

    def __init__(self, rng: np.random.Generator, n_sims: int = 32, n_bins: int = 400,
                 spikes_per_sim: float = 3.0, sim_sd: float = 0.3) -> None:
        self.rng, self.sim_sd = rng, sim_sd
        self.labels = [self._labels(n_bins, spikes_per_sim) for _ in range(n_sims)]
        self.valid = [self._labels(n_bins, spikes_per_sim) for _ in range(n_sims // 2)]
        self.sim_shift = rng.normal(0.0, sim_sd, n_sims)
        self.shared = [rng.normal(size=n_bins) for _ in range(n_sims)]

    def _labels(self, n_bins: int, rate: float) -> np.ndarray:
        label = np.zeros(n_bins, dtype=bool)
        label[self.rng.choice(n_bins, size=max(1, self.rng.poisson(rate)), replace=False)] = True
        return label

    def fit(self, depth: int, seed: int, auc: float, seed_sd: float = 0.05,
            shared: float = 0.5) -> FitEvidence:
        """A network of population AUC ``auc`` (before its seed's shift)."""
        mu = mu_for_auc(auc, self.sim_sd) + self.rng.normal(0.0, seed_sd)
        outs = []
        for label, shift, common in zip(self.labels, self.sim_shift, self.shared, strict=True):
            noise = shared * common + math.sqrt(1 - shared**2) * self.rng.normal(size=label.size)
            score = (mu + shift) * label + noise
            outs.append(metrics.SimulationOutputs(label, score, np.zeros(label.size),
                                                  np.zeros(label.size)))
        valid_scores = [(mu + self.rng.normal(0.0, self.sim_sd)) * v
                        + self.rng.normal(size=v.size) for v in self.valid]
        valid_auc = metrics.roc_auc(np.concatenate(self.valid), np.concatenate(valid_scores))
        return FitEvidence(depth, seed, valid_auc,
                           metrics.pair_counts(outs, skip_ms=0, max_output_spikes=None))
