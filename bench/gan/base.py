"""Base class of the GAN synthesizers whose discriminator is trained with DP-SGD.

It holds what DP-GAN and DP-MedGAN share: the schema-only encoding, the
mixed output heads, the DP condition sampler, the privacy plan and ledger,
the training loop (``bench.gan.adversarial``) and sampling. A subclass builds its
two networks and declares its settings per profile; nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bench.api.synthesizer import Budget, PrivacySpent, Synthesizer
from bench.api.tags import SynthesizerTags


@dataclass(frozen=True)
class GANConfig:
    """Settings common to the DP GAN synthesizers.

    Attributes:
        epochs: Passes over the private rows that the schedule plans
            (steps = epochs x rows / batch_size).
        batch_size: Expected batch size of DP-SGD (Poisson sampling).
        latent_dim: Generator noise size.
        generator_lr, discriminator_lr: Adam learning rates.
        max_grad_norm: Per-sample clipping norm C.
        paper_noise_multiplier: Noise multiplier used in the ``paper`` budget mode.
        tau_start, tau_end: Gumbel-softmax temperature schedule.
        encoding: ``binned`` (continuous columns as a one-hot over public bins plus
            the offset inside the bin, ``bench.data.binned_encoding``) or ``minmax``
            (scaled by the public bounds, ``bench.data.encoding``).
        bins: Bins per continuous column of the ``binned`` encoding.
        offsets: ``uniform`` or ``learned`` position inside a bin (``bench.data.binned_encoding``).
        continuous_head: ``linear`` or ``sigmoid`` output for min-max scaled values.
        straight_through: Exact 0/1 and one-hot generator outputs while training
            (straight-through gradients); see ``bench.gan.nn.MixedOutputHeads``.
        conditional: Condition on the schema's non-sensitive attributes.
        condition_on_outcomes: Condition on the schema's outcomes too, drawn jointly
            from their DP histogram (a conditional GAN on the label, as DP-CGAN,
            Torkzadehmahani et al. 2019). Every output head draws its value
            independently given the generator's logits, so an unconditional
            generator could match every marginal with near-constant logits and
            did: on the tuning cohort its releases held mortality independent of
            every feature (AUC 0.39 at epsilon = inf, death rate 15% against 10%).
            Given the outcome, the generator must produce the features that go with it.
        condition_budget_share: Share of epsilon spent (through diffprivlib)
            on the marginals the condition vectors are drawn from.
        generator_ema: Decay of the moving average of the generator's weights that is
            released (0: the last iterate); see ``bench.gan.adversarial``.
        grad_sample_mode: Opacus' engine for the clipped gradients: ``ghost`` (fast gradient
            clipping: per-sample norms from activations and backprops and a second,
            reweighted backward; the same update as ``hooks``, which holds a gradient per
            row, ``tests/bench/gan/test_adversarial.py``, at a fraction of its cost,
            ``results/perf/dp_training.md``), ``hooks`` or ``functorch``.
        accountant: ``rdp`` or ``prv``.
    """

    epochs: float = 10.0
    batch_size: int = 64
    latent_dim: int = 128
    generator_lr: float = 1e-3
    discriminator_lr: float = 1e-3
    max_grad_norm: float = 1.0
    paper_noise_multiplier: float = 1.5
    tau_start: float = 1.0
    tau_end: float = 0.1
    encoding: str = "binned"
    bins: int = 10
    offsets: str = "uniform"
    continuous_head: str = "linear"
    straight_through: bool = True
    conditional: bool = False
    condition_on_outcomes: bool = False
    condition_budget_share: float = 0.05
    generator_ema: float = 0.99
    grad_sample_mode: str = "ghost"
    accountant: str = "rdp"


def make_encoder(schema, config, seed: int = 0):
    """The GANs' encoder: ``config.encoding`` of ``binned`` or ``minmax`` (public schema only)."""
    if config.encoding == "binned":
        from bench.data.binned_encoding import BinnedEncoder

        return BinnedEncoder(schema, bins=config.bins, offsets=config.offsets, seed=seed)
    if config.encoding == "minmax":
        from bench.data.encoding import TableEncoder

        return TableEncoder(schema)
    raise ValueError(f"unknown GAN encoding {config.encoding!r}; expected binned or minmax")


class DPGANSynthesizer(Synthesizer):
    """Template for a GAN with a DP-SGD discriminator. Subclasses implement
    ``build_networks(width, condition_width) -> (generator, discriminator)``
    where ``generator(z, c)`` returns one raw value per encoded feature and
    ``discriminator(x, c)`` one logit per record."""

    tags = SynthesizerTags(is_dp=True, uses_device=True)

    def build_networks(self, width: int, condition_width: int):
        raise NotImplementedError

    # Long on purpose: a DP fit's steps in their order (encoder, charged conditions, plan, training, ledger);
    # each is a short block, and their order is part of the privacy argument.
    def _fit(self, train: pd.DataFrame, *, budget: Budget, public: pd.DataFrame | None) -> PrivacySpent:
        import torch

        from bench.gan.adversarial import GeneratorAverage, train_dp_gan
        from bench.gan.nn import DPConditionSampler, MixedOutputHeads, condition_index
        from bench.privacy.sgd import Ledger, plan_sgd

        config = self.config
        torch.manual_seed(self.seed_)
        device = self._torch_device()
        self.encoder_ = make_encoder(self.schema, config, self.seed_)
        self.heads_ = MixedOutputHeads(
            self.encoder_, continuous=config.continuous_head, straight_through=config.straight_through
        ).to(device)
        groups = self.condition_groups()
        self.condition_index_ = condition_index(self.encoder_, self.schema, tuple(c for g in groups for c in g))
        ledger = Ledger(budget, accountant=config.accountant, max_grad_norm=config.max_grad_norm)
        self.conditions_ = None
        condition_epsilon = 0.0
        if len(self.condition_index_):
            # At epsilon = inf the "DP" marginals are the exact ones (the sampler adds no noise).
            condition_epsilon = config.condition_budget_share * budget.epsilon
            self.conditions_ = DPConditionSampler(self.encoder_, self.schema, condition_epsilon, groups).fit(train, self.rng_)
            if budget.private:
                ledger.spend_outside_sgd("condition histograms (diffprivlib)", condition_epsilon)
        plan = plan_sgd(
            budget,
            rows=len(train),
            batch_size=config.batch_size,
            epochs=config.epochs,
            paper_noise_multiplier=self.paper_noise_multiplier(budget),
            epsilon_outside_sgd=condition_epsilon,
            accountant=config.accountant,
        )
        real = torch.from_numpy(self.encoder_.transform(train)).to(device)
        real_conditions = real[:, torch.as_tensor(self.condition_index_, dtype=torch.long, device=device)]
        self.generator_, discriminator = self.build_networks(self.encoder_.width, len(self.condition_index_))
        self.generator_.to(device)
        discriminator.to(device)
        clip_threshold = self.clipping_schedule(discriminator, public)
        self.generator_average_ = GeneratorAverage(self.generator_, config.generator_ema)
        result = train_dp_gan(
            generator=self.generator_,
            discriminator=discriminator,
            real=real,
            real_conditions=real_conditions,
            fake_records=lambda n, tau: self._generate(n, tau, hard=False),
            plan=plan,
            settings=config,
            seed=self.seed_,
            private=budget.private,
            clip_threshold=clip_threshold if budget.private else None,
            after_step=self.after_step_hook(public),
            average=self.generator_average_,
        )
        notes = dict(
            planned_steps=plan.planned_steps,
            steps=result.steps,
            epochs_run=result.steps * config.batch_size / len(train),
            batch_size=config.batch_size,
            device=str(device),
        )
        self.final_tau_ = result.final_tau
        self.fit_info_ = {"train_seconds": result.seconds, "steps": result.steps, "rows_per_second":
                          result.steps * config.batch_size / max(result.seconds, 1e-9)}
        extra = self.ledger_notes(result)
        if not budget.private:
            return PrivacySpent.no_dp(
                budget, switched_off="per-sample clipping and noise (no Opacus engine)"
                + ("; exact condition histograms" if self.conditions_ is not None else ""),
                **notes, **{k: v for k, v in extra.items() if k not in ("max_grad_norm", "clipping_threshold_from")},
            )
        ledger.sgd_history = result.sgd_history
        ledger.notes.update(
            notes,
            stopped_at_budget=result.steps < plan.planned_steps,
            noise_multiplier=plan.noise_multiplier,
            sample_rate=plan.sample_rate,
            grad_sample_mode=config.grad_sample_mode,
        )
        ledger.notes.update(extra)
        return ledger.spent()

    # -- hooks a subclass may override -------------------------------------------
    def condition_groups(self) -> list[tuple[str, ...]]:
        """The columns the generator is conditioned on, as groups drawn jointly
        (``bench.gan.nn.DPConditionSampler``): each of the schema's conditions alone
        (``config.conditional``), and the outcomes together (``config.condition_on_outcomes``)."""
        config, groups = self.config, []
        if config.conditional:
            groups += [(name,) for name in self.schema.conditions]
        if config.condition_on_outcomes:
            taken = {name for group in groups for name in group}
            outcomes = tuple(dict.fromkeys(c for c in self.schema.outcomes.values() if c not in taken))
            if outcomes:
                groups.append(outcomes)
        return groups

    def paper_noise_multiplier(self, budget: Budget) -> float:
        """The noise multiplier of the ``paper`` budget mode."""
        return self.config.paper_noise_multiplier

    def clipping_schedule(self, discriminator, public: pd.DataFrame | None):
        """``step -> C`` from public data, or None for the fixed ``max_grad_norm``."""
        return None

    def after_step_hook(self, public: pd.DataFrame | None):
        """``(step, generator_optimizer) -> None`` run after every step, or None."""
        return None

    def ledger_notes(self, result) -> dict:
        """Extra entries for the privacy ledger (may also add to ``fit_info_``)."""
        return {}

    def _sample(self, n: int) -> pd.DataFrame:
        import torch

        self.generator_.eval()
        with torch.no_grad():
            records, _ = self._generate(n, self.final_tau_, hard=True)
        self.generator_.train()
        return self.encoder_.inverse_transform(records.cpu().numpy())

    def _generate(self, n: int, tau: float, hard: bool):
        """``n`` generated records (encoded) and their condition vectors."""
        import torch

        device = self._torch_device()
        z = torch.from_numpy(self.rng_.standard_normal((n, self.config.latent_dim)).astype(np.float32)).to(device)
        if self.conditions_ is not None:
            c = torch.from_numpy(self.conditions_.sample(n, self.rng_)).to(device)
        else:
            c = torch.zeros((n, 0), device=device)
        return self._with_conditions(self.heads_(self.generator_(z, c), tau=tau, hard=hard), c), c

    def _with_conditions(self, records, conditions):
        """The records with their condition vector written into the condition columns: a record
        carries the condition it was generated for."""
        import torch

        if not conditions.shape[1]:
            return records
        records = records.clone()
        records[:, torch.as_tensor(self.condition_index_, device=records.device)] = conditions
        return records
