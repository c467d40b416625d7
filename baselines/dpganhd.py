"""DP-GAN-HD: DP discriminator with DBSCAN-adaptive clipping and a generator cluster evolved by a genetic algorithm."""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from bench.errors import BenchInputError
from bench.gan.base import DPGANSynthesizer, GANConfig
from bench.api.synthesizer import Budget


@dataclass(frozen=True)
class DPGANHDConfig(GANConfig):
    """Attributes (besides ``GANConfig``'s):
    generators: m, the size of the generator cluster.
    architectures: (hidden width, depth) of the generator architectures;
        member i gets ``architectures[i % len(architectures)]``.
    genetic: Evolve the cluster (False: the generators only train).
    generation_interval: DP-SGD steps between two generations.
    mutation_std: lambda of the Gaussian mutation N(0, lambda^2).
    mutation_rate: Probability that a parameter position is mutated.
    fitness_samples: Records drawn from each generator to score its fitness.
    fitness_metric: ``balanced_accuracy`` (default) or ``accuracy`` (the paper's word).
    discriminator_hidden: Width of the discriminator's two hidden layers.
    adaptive_clipping: C from public gradients (False: fixed ``max_grad_norm``).
    public_batch_size: Public rows per step for the clipping threshold.
    projection_dims, dbscan_min_samples, dbscan_eps_quantile: see ``bench.gan.clipping``.
    """

    generators: int = 8
    architectures: tuple[tuple[int, int], ...] = ((128, 2), (256, 2))
    genetic: bool = True
    generation_interval: int = 50
    mutation_std: float = 0.02
    mutation_rate: float = 0.05
    fitness_samples: int = 500
    fitness_metric: str = "balanced_accuracy"
    discriminator_hidden: int = 256
    adaptive_clipping: bool = True
    public_batch_size: int = 64
    projection_dims: int = 32
    dbscan_min_samples: int = 5
    dbscan_eps_quantile: float = 0.9
    tau_end: float = 1.0


class DPGANHD(DPGANSynthesizer):
    """DP-GAN-HD (`dp-gan-hd.txt`): a DP discriminator whose clipping threshold adapts to
    public gradients, and a cluster of generators evolved by a genetic algorithm.

    Discriminator (eq. 1-2). An MLP (two hidden layers, LeakyReLU 0.2) trained with
    DP-SGD through Opacus on the real half of the loss (as DP-GAN). Before every
    step, its per-sample gradients on a batch of the cohort's ``public`` split are
    computed (torch.func), DBSCAN drops the noise points, and C is the mean L2 norm
    of the rest (``bench.gan.clipping``). The private per-sample gradients are clipped
    at C and get Gaussian noise of std sigma * C, so the accountant's epsilon is
    that of sigma alone and C costs no privacy: it reads public rows only. The
    public split is disjoint from the private one (on ``eicu-sim`` it is other
    hospitals).

    Noise. ``--budget-mode paper`` uses the paper's sigma = sqrt(2 ln(1.25/delta)) /
    epsilon (the one-step Gaussian mechanism calibration); the accountant composes
    every step and the ledger reports the epsilon that really results (training
    stops at the target unless ``--allow-overspend``). ``calibrated`` (default)
    sets sigma so that the whole schedule spends the target.

    Generator cluster (eq. 3-4). m generators (default 8) over two architectures
    (MLPs of width 128 and 256, two hidden layers, mixed-type heads of DP-GAN),
    batched per architecture (``bench.gan.genetic``): one forward/backward serves all.
    Each generator produces an equal share of every fake batch and is trained
    against the shared discriminator. Every ``generation_interval`` steps, each
    generator's fitness is the balanced accuracy with which a classifier Q
    (XGBoost, trained once on the ``public`` split only) predicts the mortality
    label that the generator's own records carry from their other features.
    Within each architecture the fitter half survive and the rest are replaced by
    children of single-point crossover of two surviving parents' flattened
    parameters, with Gaussian mutation N(0, 0.02^2) at 5% of positions; the
    children's Adam moments are reset. The release is sampled from the generator
    with the best fitness at the end of training; fitness reads no private row,
    so the choice costs no privacy.

    Choices the paper leaves open, made here: the DBSCAN settings (projection to
    32 dimensions, min_samples 5, eps at the 90% quantile of the 5-nearest-
    neighbour distance, re-set every step); balanced accuracy (mean recall over
    both classes, a class never generated counting 0) rather than accuracy as
    fitness, because mortality is about 10% and plain accuracy would favour
    generators that drop the deaths; the architectures, interval, mutation
    settings; selection within each architecture (its slots stay a batch);
    releasing the fittest generator rather than a mixture.

    Encoding, heads, conditioning and release as DP-GAN (``baselines.dpgan``): public
    bins for continuous columns, Gumbel-softmax at temperature 1.0, every generator
    conditioned on the outcomes drawn from their DP histogram (charged; the paper's
    generators are unconditional: unconditional, mortality AUC at epsilon = inf was
    0.65 on the tuning cohort, 0.71 conditioned), and each generator's
    weights released as an exponential moving average (a child of the genetic
    algorithm starts its own average). Profiles: ``quick`` uses DP-GAN's tuned
    schedule (30 epochs, batch 256, learning rates 2e-3, discriminator width
    128, 20 bins; README, "Tuning"); ``paper`` the papers' batch 64 and 100 epochs.

    Ablations (run when named): ``dp-gan-hd-fixed-clip`` (C = 1.0 throughout) and
    ``dp-gan-hd-single-generator`` (m = 1, no genetic algorithm).
    """

    name = "dp-gan-hd"
    display_name = "DP-GAN-HD"
    tags = replace(DPGANSynthesizer.tags, generator_cluster=True)  # bench.perf times it per cluster size
    profiles = {
        "quick": DPGANHDConfig(epochs=30.0, batch_size=256, generator_lr=2e-3, discriminator_lr=2e-3,
                               discriminator_hidden=128, bins=20, condition_on_outcomes=True),
        "paper": DPGANHDConfig(epochs=100.0, condition_on_outcomes=True),
    }
    profiles["smoke"] = replace(profiles["quick"], epochs=0.2)  # the contract, not the quality (tests)

    # -- networks ------------------------------------------------------------------
    def build_networks(self, width: int, condition_width: int):
        from bench.gan.genetic import Architecture, GeneratorPopulation
        from bench.gan.nn import MLPDiscriminator

        config, hidden = self.config, self.config.discriminator_hidden
        population = GeneratorPopulation(
            config.generators, [Architecture(h, d) for h, d in config.architectures], config.latent_dim, width,
            condition_dim=condition_width,
        )

        return population, MLPDiscriminator(width, hidden)

    def _generate(self, n: int, tau: float, hard: bool, members: list[int] | None = None):
        """ceil(n / m) records from each generator (all of them, or ``members``)."""
        import torch

        device = self._torch_device()
        m = self.config.generators
        per = max(1, math.ceil(n / m))
        z = torch.from_numpy(self.rng_.standard_normal((m, per, self.config.latent_dim)).astype(np.float32)).to(device)
        if self.conditions_ is not None:
            c = torch.from_numpy(self.conditions_.sample(m * per, self.rng_)).to(device).view(m, per, -1)
        else:
            c = torch.zeros((m, per, 0), device=device)
        raw = self.generator_(torch.cat([z, c], dim=2))
        if members is not None:
            raw, c = raw[members], c[members]
        records = self.heads_(raw.reshape(-1, raw.shape[-1]), tau=tau, hard=hard)
        c = c.reshape(-1, c.shape[-1])
        return self._with_conditions(records, c), c

    def _sample(self, n: int) -> pd.DataFrame:
        import torch

        self.generator_.eval()
        with torch.no_grad():
            m = self.config.generators
            records, _ = self._generate(n * m, self.final_tau_, hard=True, members=[self.best_generator_])
        self.generator_.train()
        return self.encoder_.inverse_transform(records[:n].cpu().numpy())

    # -- privacy: the paper's sigma, clipping from public data ---------------------------
    def paper_noise_multiplier(self, budget: Budget) -> float:
        return math.sqrt(2.0 * math.log(1.25 / budget.delta)) / budget.epsilon

    def clipping_schedule(self, discriminator, public: pd.DataFrame | None):
        import torch
        from torch.nn import functional as F

        from bench.gan.clipping import projected_gradients, random_projection, threshold_from

        config = self.config
        public = self._require_public(public)
        self.public_rows_ = len(public)
        self.clip_trace_ = []
        if not config.adaptive_clipping:
            return None
        device = self._torch_device()
        clean_copy = copy.deepcopy(discriminator)  # taken before Opacus hooks the original
        public_x = torch.from_numpy(self.encoder_.transform(public)).to(device)
        empty = torch.zeros((len(public_x), 0), device=device)
        parameters = sum(p.numel() for p in discriminator.parameters() if p.requires_grad)
        projection = torch.from_numpy(random_projection(parameters, config.projection_dims, self.rng_)).to(device)

        def real_loss(logits):
            return F.binary_cross_entropy_with_logits(logits.reshape(-1), torch.ones(1, device=logits.device))

        def threshold(step: int) -> float:
            rows = self.rng_.choice(len(public_x), size=min(config.public_batch_size, len(public_x)), replace=False)
            index = torch.from_numpy(rows).to(device)
            norms, points = projected_gradients(clean_copy, real_loss, (public_x[index], empty[index]), projection,
                                                parameters_of=discriminator)
            result = threshold_from(norms, points, min_samples=config.dbscan_min_samples,
                                    eps_quantile=config.dbscan_eps_quantile)
            self.clip_trace_.append(result)
            return result.value

        return threshold

    def _require_public(self, public: pd.DataFrame | None) -> pd.DataFrame:
        if public is None or len(public) == 0:
            raise BenchInputError(f"{self.name} needs the cohort's public split (clipping threshold and fitness)")
        return public

    # -- the genetic algorithm -----------------------------------------------------------
    def after_step_hook(self, public: pd.DataFrame | None):
        config = self.config
        self._fit_fitness_classifier(self._require_public(public))
        self.generations_ = []
        self.fitness_seconds_ = 0.0
        if not config.genetic or config.generators < 2:
            return None

        def evolve(step: int, generator_optimizer) -> None:
            if step % config.generation_interval:
                return
            fitness = self.fitness()
            event = self.generator_.evolve(
                fitness, self.rng_, mutation_std=config.mutation_std, mutation_rate=config.mutation_rate,
                optimizer=generator_optimizer,
            )
            if self.generator_average_.module is not None:  # a child starts its own average
                self.generator_average_.module.copy_members(self.generator_, event["replaced"])
            self.generations_.append({"step": step, "fitness": [round(float(f), 4) for f in fitness]} | event)

        return evolve

    def _fit_fitness_classifier(self, public: pd.DataFrame) -> None:
        """Q: predicts the outcome from the other features; trained on public rows only."""
        from bench.metrics.downstream import outcome_features, train_classifier

        outcome = self.schema.outcomes.get("mortality") or next(iter(self.schema.outcomes.values()), None)
        if outcome is None:
            raise BenchInputError(f"{self.name} needs an outcome column in the schema for its fitness classifier")
        self.fitness_outcome_ = outcome
        self.fitness_features_ = outcome_features(self.schema)
        self.fitness_classifier_ = train_classifier(
            self.fitness_features_.transform(public), public[outcome].to_numpy(), self.seed_,
            f"{self.name} fitness classifier (public split)",
        )

    def fitness(self) -> np.ndarray:
        """F(G_i): how well Q predicts each generator's own labels from its records."""
        import torch

        start = time.perf_counter()
        m, per = self.config.generators, self.config.fitness_samples
        with torch.no_grad():
            records, _ = self._generate(m * per, 1.0, hard=True)  # hard one-hot draws do not depend on tau
        table = self.encoder_.inverse_transform(records.cpu().numpy())
        predicted = self.fitness_classifier_.predict(self.fitness_features_.transform(table))
        labels = table[self.fitness_outcome_].to_numpy()
        score = balanced_accuracy if self.config.fitness_metric == "balanced_accuracy" else plain_accuracy
        values = np.array([score(labels[i * per : (i + 1) * per], predicted[i * per : (i + 1) * per]) for i in range(m)])
        self.fitness_seconds_ += time.perf_counter() - start
        return values

    def ledger_notes(self, result) -> dict:
        final_fitness = self.fitness()
        self.best_generator_ = int(np.argmax(final_fitness))
        self.fit_info_ |= {"final_fitness": [round(float(f), 4) for f in final_fitness],
                          "best_generator": self.best_generator_, "generations": len(self.generations_),
                          "fitness_seconds": self.fitness_seconds_}
        notes = {"generators": self.config.generators, "generations": len(self.generations_)}
        if self.clip_trace_:  # adaptive clipping ran
            clips = np.array([t.value for t in self.clip_trace_])
            notes |= {
                "max_grad_norm": f"adaptive: mean {clips.mean():.3g} (range {clips.min():.3g} to {clips.max():.3g})",
                "clip_mean": float(clips.mean()),
                "clipping_threshold_from": "public split (costs no privacy)",
                "dbscan_noise_share": sum(t.noise_points for t in self.clip_trace_) / sum(t.points for t in self.clip_trace_),
                "public_rows": self.public_rows_,
            }
        return notes


def balanced_accuracy(labels: np.ndarray, predicted: np.ndarray) -> float:
    """Mean recall over both outcome classes; a class the generator never produces has recall 0,
    so a generator that drops the deaths scores at most 0.5, however well Q agrees with it."""
    recalls = [float(np.mean(predicted[labels == c] == c)) if np.any(labels == c) else 0.0 for c in (0, 1)]
    return float(np.mean(recalls))


def plain_accuracy(labels: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(labels == predicted))


class DPGANHDFixedClip(DPGANHD):
    """Ablation of ``dp-gan-hd``: clipping at the fixed ``max_grad_norm`` (1.0) instead
    of the public-gradient threshold; everything else unchanged."""

    name = "dp-gan-hd-fixed-clip"
    display_name = "DP-GAN-HD (fixed clipping)"
    tags = replace(DPGANHD.tags, ablation_of="dp-gan-hd")
    profiles = {k: replace(c, adaptive_clipping=False) for k, c in DPGANHD.profiles.items()}


class DPGANHDSingleGenerator(DPGANHD):
    """Ablation of ``dp-gan-hd``: one generator (the first architecture), no genetic
    algorithm; the adaptive clipping is unchanged."""

    name = "dp-gan-hd-single-generator"
    display_name = "DP-GAN-HD (single generator)"
    tags = replace(DPGANHD.tags, ablation_of="dp-gan-hd")
    profiles = {k: replace(c, generators=1, genetic=False) for k, c in DPGANHD.profiles.items()}
