"""PATE-GAN: a generator trained against a student discriminator that learns only from noisy teacher votes."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bench.api.synthesizer import Budget, PrivacySpent, Synthesizer
from bench.api.tags import SynthesizerTags


@dataclass(frozen=True)
class PATEGANConfig:
    """Settings of PATE-GAN.

    Attributes:
        teachers: Number k of teacher discriminators (disjoint partitions).
        lam: lambda of the ``paper`` budget mode; each vote count gets Laplace
            noise of scale 1 / lambda. In the ``calibrated`` mode lambda is
            instead the largest whose guarantee for the whole schedule's queries
            stays within the target (``bench.privacy.pate.calibrate_lambda``).
        batch_size: Generated records per student step (= teacher queries).
        teacher_batch_size: Private rows per teacher step (each from its own
            partition), matched by as many generated records.
        teacher_steps: n_T, teacher updates per iteration.
        teacher_warmup_steps: Teacher updates before the first query, so the
            first votes come from trained teachers (untrained ones split their
            votes, and split votes are the expensive ones).
        student_steps: n_S, student updates per iteration.
        max_iterations: Iterations of the schedule; ``max_iterations x
            student_steps x batch_size`` queries. In the ``paper`` budget mode
            training ends earlier when the guarantee of the next query would
            pass the target (a data-independent count, fixed before training).
        latent_dim, generator_hidden, student_hidden, teacher_hidden: Widths
            (``teacher_hidden=0``: logistic-regression teachers, as in the authors' 2020 code).
        learning_rate: Adam learning rate of the generator and the student.
        teacher_learning_rate: Adam learning rate of the teachers.
        encoding, bins, offsets: The GAN encoding (``bench.gan.base.make_encoder``).
        continuous_head: Output of min-max scaled values (``encoding="minmax"``).
        generator_ema: Decay of the released moving average of the generator's
            weights (0: the last iterate; ``bench.gan.adversarial.GeneratorAverage``).
        orders: Number L of moments tracked (l = 1..L).
    """

    teachers: int = 50
    lam: float = 1.0
    batch_size: int = 64
    teacher_batch_size: int = 32
    teacher_steps: int = 1
    teacher_warmup_steps: int = 100
    student_steps: int = 5
    max_iterations: int = 2000
    latent_dim: int = 64
    generator_hidden: int = 256
    student_hidden: int = 128
    teacher_hidden: int = 64
    learning_rate: float = 1e-3
    teacher_learning_rate: float = 1e-3
    encoding: str = "binned"
    bins: int = 10
    offsets: str = "uniform"
    continuous_head: str = "sigmoid"
    generator_ema: float = 0.99
    orders: int = 128


class PATEGAN(Synthesizer):
    """PATE-GAN (Jordon, Yoon & van der Schaar, ICLR 2019), Algorithm 1.

    * The training rows are split ONCE into ``teachers`` disjoint partitions:
      each row is assigned to a teacher independently and uniformly at random
      (seeded), so adding or removing a row (a stay) changes one partition only.
      Each teacher is an MLP trained, every iteration, on rows of its own
      partition against generated records; it never sees another partition.
    * The student discriminator never sees a private row: it is trained on
      generated records, labelled by PATE_lambda (noisy plurality of the
      teachers' real/generated votes, ``bench.privacy.pate.noisy_votes``).
    * The generator is trained against the student only (post-processing).
    * The reported epsilon is a guarantee: the Renyi-DP of the answered
      noisy votes (two Laplace counts each), composed and converted by
      dp-accounting (``bench.privacy.pate.guaranteed_epsilon``). It depends on lambda
      and the number of queries only, and so does every training decision:
      the ``calibrated`` mode answers the whole schedule with the largest
      lambda whose guarantee meets the target; the ``paper`` mode keeps the
      paper's lambda and stops after the number of queries that guarantee
      affords. The paper's data-dependent moments bound (Algorithm 1) stays
      in the ledger as ``epsilon_data_dependent``, labelled "not a DP
      guarantee": it reads the private vote margins and is released without
      protection.
    * Encoding and output heads are DP-GAN's (schema bounds and categories
      only; nothing is derived from the data).

    Deviations from the paper, stated: teachers and student use the
    non-saturating GAN (cross-entropy) loss with Adam; the generator has
    DP-GAN's mixed-type heads and encoding (public bins for continuous
    columns, ``bench.data.binned_encoding``) and is released as an exponential
    moving average of its weights (``bench.gan.adversarial.GeneratorAverage``,
    post-processing); the partition assignment is random per row rather than
    a split into equal blocks; the privacy accounting and the stopping rule
    are data-independent (the paper stops on its data-dependent bound, which
    is not a DP guarantee: Ganev, Annamalai & De Cristofaro 2024 found the
    same); in the ``calibrated`` mode lambda is set by the budget.

    At ``epsilon = inf`` the votes are the exact plurality and nothing is
    accounted (the calibration point). Profiles: ``quick`` at most 300
    iterations, ``paper`` 10,000; the networks are the same.
    """

    name = "pate-gan"
    display_name = "PATE-GAN"
    tags = SynthesizerTags(is_dp=True, uses_device=True)
    profiles = {
        "quick": PATEGANConfig(max_iterations=300, bins=20),
        "paper": PATEGANConfig(max_iterations=10000),
        "smoke": PATEGANConfig(max_iterations=10, bins=20),  # the contract, not the quality (tests)
    }

    def build_networks(self, width: int):
        """(generator, student, teacher ensemble)."""
        from torch import nn

        from bench.gan.nn import TeacherEnsemble

        config = self.config
        generator = nn.Sequential(
            nn.Linear(config.latent_dim, config.generator_hidden), nn.ReLU(),
            nn.Linear(config.generator_hidden, config.generator_hidden), nn.ReLU(),
            nn.Linear(config.generator_hidden, width),
        )
        student = nn.Sequential(
            nn.Linear(width, config.student_hidden), nn.LeakyReLU(0.2),
            nn.Linear(config.student_hidden, config.student_hidden), nn.LeakyReLU(0.2),
            nn.Linear(config.student_hidden, 1),
        )
        return generator, student, TeacherEnsemble(config.teachers, width, config.teacher_hidden)

    def _fit(self, train: pd.DataFrame, *, budget: Budget, public: pd.DataFrame | None) -> PrivacySpent:
        import torch

        from bench.gan.adversarial import GeneratorAverage
        from bench.gan.base import make_encoder
        from bench.gan.nn import MixedOutputHeads
        from bench.privacy.pate import PATEAccountant, VoteAccountant

        config = self.config
        torch.manual_seed(self.seed_)
        device = self._torch_device()
        self.encoder_ = make_encoder(self.schema, config, self.seed_)
        self.heads_ = MixedOutputHeads(self.encoder_, continuous=config.continuous_head).to(device)
        self.generator_, student, teachers = self.build_networks(self.encoder_.width)
        for module in (self.generator_, student, teachers):
            module.to(device)
        real = torch.from_numpy(self.encoder_.transform(train)).to(device)
        self.partition_ = self.rng_.integers(config.teachers, size=len(train))
        self.partition_.setflags(write=False)
        members = [np.flatnonzero(self.partition_ == t) for t in range(config.teachers)]
        if min(len(m) for m in members) == 0:
            raise ValueError(f"a teacher's partition is empty ({len(train)} rows over {config.teachers} teachers); "
                             "use fewer teachers")

        optimizer = lambda params, lr: torch.optim.Adam(params, lr=lr, betas=(0.5, 0.999))  # noqa: E731
        planned_queries = config.max_iterations * config.student_steps * config.batch_size
        lam, query_cap = self._vote_schedule(budget, planned_queries)
        game = _Game(
            teachers=teachers, student=student, real=real, members=members, device=device, lam=lam,
            private=budget.private, query_cap=query_cap,
            teacher_optimizer=optimizer(teachers.parameters(), config.teacher_learning_rate),
            student_optimizer=optimizer(student.parameters(), config.learning_rate),
            generator_optimizer=optimizer(self.generator_.parameters(), config.learning_rate),
            margins=PATEAccountant(lam, budget.delta, orders=tuple(range(1, config.orders + 1))),
            votes=VoteAccountant(lam),  # the guarantee: a function of lambda and the count only
        )
        average = GeneratorAverage(self.generator_, config.generator_ema)
        start = time.perf_counter()
        while game.iterations < config.max_iterations and game.queries < query_cap:
            game.iterations += 1
            self._train_teachers(game)
            self._train_student(game)
            self._train_generator(game)
            average.update(game.iterations, game.generator_optimizer)
        average.copy_into(self.generator_)
        seconds = time.perf_counter() - start
        del real
        game.real = None  # the private rows leave with the fit
        self.fit_info_ = {"train_seconds": seconds, "iterations": game.iterations, "queries": game.queries}
        return self._privacy_spent(game, budget, planned_queries)

    def _train_teachers(self, game: "_Game") -> None:
        """Each teacher on a batch of its own partition against generated records."""
        import torch
        from torch.nn import functional as F

        config, k = self.config, self.config.teachers
        for _ in range(config.teacher_steps + (config.teacher_warmup_steps if game.iterations == 1 else 0)):
            index = torch.from_numpy(self._teacher_batch(game.members, config.teacher_batch_size)).to(game.device)
            with torch.no_grad():
                fake = self._generate(k * config.teacher_batch_size, hard=False)
            fake = fake.reshape(k, config.teacher_batch_size, -1)
            logits_real, logits_fake = game.teachers(game.real[index]), game.teachers(fake)
            loss = F.binary_cross_entropy_with_logits(logits_real, torch.ones_like(logits_real)) + \
                F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))
            game.teacher_optimizer.zero_grad()
            (loss * k).backward()  # per teacher: its own mean loss
            game.teacher_optimizer.step()

    def _train_student(self, game: "_Game") -> None:
        """The student on generated records labelled by the noisy teacher vote."""
        import torch
        from torch.nn import functional as F

        from bench.privacy.pate import noisy_votes

        config, k = self.config, self.config.teachers
        for _ in range(config.student_steps):
            answered = min(config.batch_size, game.query_cap - game.queries)
            if answered <= 0:
                break
            with torch.no_grad():
                fake = self._generate(config.batch_size, hard=False)[:answered]
                real_votes = (game.teachers(fake.unsqueeze(0).expand(k, -1, -1)) > 0).sum(dim=0).cpu().numpy()
            if game.private:
                game.margins.record(np.abs(2 * real_votes - k))
                votes = noisy_votes(real_votes, k, game.lam, self.rng_)
                game.votes.step(answered)
            else:
                votes = (2 * real_votes > k).astype(np.float32)  # the exact plurality
            game.queries += answered
            labels = torch.from_numpy(votes).to(game.device)
            game.answered_real += float(labels.sum())
            logits = game.student(fake).squeeze(1)
            loss = F.binary_cross_entropy_with_logits(logits, labels)
            game.student_optimizer.zero_grad()
            loss.backward()
            game.student_optimizer.step()

    def _train_generator(self, game: "_Game") -> None:
        """The generator against the student only."""
        import torch
        from torch.nn import functional as F

        logits = game.student(self._generate(self.config.batch_size, hard=False)).squeeze(1)
        loss = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
        game.generator_optimizer.zero_grad()
        loss.backward()
        game.generator_optimizer.step()

    def _privacy_spent(self, game: "_Game", budget: Budget, planned_queries: int) -> PrivacySpent:
        config, queries = self.config, game.queries
        if not budget.private:
            return PrivacySpent.no_dp(
                budget, switched_off="Laplace noise on the votes and the privacy accounting (exact plurality)",
                teachers=config.teachers, queries=queries, answers_real_share=game.answered_real / max(queries, 1),
                iterations=game.iterations, max_iterations=config.max_iterations, device=str(game.device),
            )
        epsilon = game.votes.get_epsilon(budget.delta)
        return PrivacySpent(
            epsilon=epsilon,
            delta=budget.delta,
            accountant=game.votes.mechanism(),
            details={
                "mode": budget.mode,
                "target_epsilon": budget.epsilon,
                "target_delta": budget.delta,
                "teachers": config.teachers,
                "lambda": game.lam,
                "lambda_calibrated": budget.mode == "calibrated",
                "laplace_scale": 1.0 / game.lam,
                "queries": queries,
                "queries_planned": planned_queries,
                "answers_real_share": game.answered_real / max(queries, 1),
                "iterations": game.iterations,
                "max_iterations": config.max_iterations,
                "stopped_at_budget": queries < planned_queries,
                "epsilon_data_dependent": game.margins.epsilon(),
                "epsilon_data_dependent_note": "not a DP guarantee: PATE-GAN's moments bound of the private vote margins",
                "moments": config.orders,
                "overspent": epsilon > budget.epsilon * (1 + 1e-9),
                "device": str(game.device),
            },
        )

    def _vote_schedule(self, budget: Budget, planned_queries: int) -> tuple[float, int]:
        """(lambda, how many queries to answer), from the budget and the schedule alone."""
        from bench.privacy.pate import affordable_queries, calibrate_lambda

        if not budget.private:
            return math.inf, planned_queries
        if budget.mode == "calibrated":
            return calibrate_lambda(budget.epsilon, budget.delta, planned_queries), planned_queries
        if budget.allow_overspend:
            return self.config.lam, planned_queries
        return self.config.lam, affordable_queries(self.config.lam, budget.epsilon, budget.delta, planned_queries)

    def _teacher_batch(self, members: list[np.ndarray], size: int) -> np.ndarray:
        """Row indices (teachers x size): teacher t's row drawn from its own partition only."""
        return np.stack([self.rng_.choice(m, size=size, replace=len(m) < size) for m in members])

    def _generate(self, n: int, hard: bool):
        import torch

        z = torch.from_numpy(self.rng_.standard_normal((n, self.config.latent_dim)).astype(np.float32))
        return self.heads_(self.generator_(z.to(self._torch_device())), hard=hard)

    def _sample(self, n: int) -> pd.DataFrame:
        import torch

        self.generator_.eval()
        with torch.no_grad():
            records = self._generate(n, hard=True)
        self.generator_.train()
        return self.encoder_.inverse_transform(records.cpu().numpy())


@dataclass
class _Game:
    """One PATE-GAN fit's moving parts: the networks' optimizers, the private rows and their
    partition, the vote schedule, both accountants and the counters of the loop."""

    teachers: Any
    student: Any
    real: Any
    members: list
    device: Any
    lam: float
    private: bool
    query_cap: int
    teacher_optimizer: Any
    student_optimizer: Any
    generator_optimizer: Any
    margins: Any
    votes: Any
    iterations: int = 0
    queries: int = 0
    answered_real: float = 0.0
