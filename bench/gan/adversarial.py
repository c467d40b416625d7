"""Adversarial training with a differentially private discriminator (DP-SGD via Opacus).

One loop serves every GAN synthesizer whose privacy comes from its
discriminator. Per step:

1. Discriminator. The real part of the loss is computed on a Poisson-sampled
   batch of private rows through Opacus (per-sample clipping at
   ``max_grad_norm``, Gaussian noise ``noise_multiplier * max_grad_norm``, the
   accountant notified). The fake part is computed with Opacus' hooks off and
   added to the privatised gradient: it depends only on the generator, which
   is itself a function of earlier noisy updates, so it costs no privacy and
   needs no per-sample gradients (half the DP work of a joint real+fake batch).
2. Generator. Updated only through the discriminator's output on generated
   records (post-processing), with Opacus' hooks off.

The generator never sees a private row, and conditions come from a
``DPConditionSampler`` (charged to the ledger), so everything the fitted
generator holds is covered by the ledger. Nothing is selected or stopped
early on private data: the number of steps is fixed by the ``SGDPlan``.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import torch
from torch import nn
from torch.nn import functional as F

from bench.privacy.sgd import SGDPlan

if TYPE_CHECKING:
    from bench.gan.base import GANConfig


@dataclass
class TrainingResult:
    sgd_history: list[tuple[float, float, int]]
    steps: int
    seconds: float
    final_tau: float


# Long on purpose: Opacus is set up in this one place (engine, accountant, clipping mode), so what
# the accountant composes is visible beside what the loop runs.
def train_dp_gan(
    *,
    generator: nn.Module,
    discriminator: nn.Module,
    real: torch.Tensor,
    real_conditions: torch.Tensor,
    fake_records: Callable[[int, float], tuple[torch.Tensor, torch.Tensor]],
    plan: SGDPlan,
    settings: "GANConfig",
    seed: int,
    private: bool = True,
    clip_threshold: Callable[[int], float] | None = None,
    after_step: Callable[[int, torch.optim.Optimizer], None] | None = None,
    average: "GeneratorAverage | None" = None,
) -> TrainingResult:
    """Train ``generator`` against ``discriminator(x, c)`` on the private ``real`` rows.

    ``settings`` is the synthesizer's ``bench.gan.base.GANConfig`` (batch size, learning
    rates, clipping norm, temperature schedule, Opacus engine).

    ``fake_records(n, tau)`` returns ``n`` generated records and their condition
    vectors (differentiable in the generator's parameters). ``private=False``
    runs the same loop without DP (for the speed benchmark only).

    ``clip_threshold(step)``, when given, returns the clipping norm C of that
    step (it must be computed from public data only); DP-SGD then clips at C
    and adds noise ``noise_multiplier * C``, so the privacy spent per step is
    unchanged. It runs with Opacus' hooks off. ``after_step(step, generator_optimizer)``
    runs after each step (DP-GAN-HD evolves its generators there). ``average``, when
    given, is updated after every step and copied into the generator at the end.
    """
    from opacus import PrivacyEngine
    from torch.utils.data import DataLoader, TensorDataset

    generator_rng = torch.Generator().manual_seed(seed)
    loader = DataLoader(
        TensorDataset(real, real_conditions), batch_size=settings.batch_size, shuffle=True, generator=generator_rng
    )
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=settings.discriminator_lr, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(generator.parameters(), lr=settings.generator_lr, betas=(0.5, 0.999))
    engine = None
    real_criterion = nn.BCEWithLogitsLoss()
    if private:
        with warnings.catch_warnings():
            # Seeded, reproducible noise is deliberate in a benchmark; Opacus warns about it.
            warnings.filterwarnings("ignore", message="Secure RNG turned off")
            engine = PrivacyEngine(accountant="rdp")
            made = engine.make_private(
                module=discriminator,
                optimizer=opt_d,
                data_loader=loader,
                noise_multiplier=plan.noise_multiplier,
                max_grad_norm=settings.max_grad_norm,
                poisson_sampling=True,
                grad_sample_mode=settings.grad_sample_mode,
                **({"criterion": real_criterion} if settings.grad_sample_mode == "ghost" else {}),
            )
            if settings.grad_sample_mode == "ghost":
                # Fast gradient clipping: per-sample norms from activations and backprops, then a
                # second backward of the loss reweighted by each row's clipping factor; no per-sample
                # gradient is ever held. The same noise, sampling and accountant as the other engines.
                discriminator, opt_d, real_criterion, loader = made
            else:
                discriminator, opt_d, loader = made
    hooks = _HookSwitch(discriminator if private else None)
    with warnings.catch_warnings():
        # Opacus' hooks fire on the records' tensors, which need no gradient of their own.
        warnings.filterwarnings("ignore", message="Full backward hook is firing")
        step, tau, seconds = _loop(
            _Players(generator, discriminator, opt_d, opt_g, fake_records, real_criterion),
            loader=loader, plan=plan, settings=settings, hooks=hooks, private=private, clip_threshold=clip_threshold,
            after_step=_chain(average.update if average else None, after_step),
        )
    if average is not None:
        average.copy_into(generator)
    history = list(engine.accountant.history) if engine else []
    return TrainingResult(sgd_history=history, steps=step, seconds=seconds, final_tau=tau)


@dataclass(frozen=True)
class _Players:
    """The two networks of the game, their optimizers, where fake records come from, and the loss
    of the discriminator's real part (Opacus' own criterion under ghost clipping)."""

    generator: nn.Module
    discriminator: nn.Module
    opt_d: torch.optim.Optimizer
    opt_g: torch.optim.Optimizer
    fake_records: Callable[[int, float], tuple[torch.Tensor, torch.Tensor]]
    real_criterion: Callable


def _loop(players: _Players, *, loader, plan, settings, hooks, private, clip_threshold, after_step):
    generator, discriminator, opt_d, opt_g = players.generator, players.discriminator, players.opt_d, players.opt_g
    fake_records, real_criterion = players.fake_records, players.real_criterion
    d_params = [p for p in discriminator.parameters() if p.requires_grad]
    start, step, tau = time.perf_counter(), 0, settings.tau_start
    expected = settings.batch_size
    while step < plan.steps:
        for real_x, real_c in loader:
            if step >= plan.steps:
                break
            tau = _temperature(settings, step, plan.steps)
            if clip_threshold is not None:
                with hooks.off():
                    clip = float(clip_threshold(step))
                if private:
                    opt_d.max_grad_norm = clip  # Opacus clips at it and scales the noise by it
                    if settings.grad_sample_mode == "ghost":
                        discriminator.max_grad_norm = clip  # fast gradient clipping reads it from the module
            # 1. discriminator: fake part without per-sample gradients ...
            with torch.no_grad():
                fake_x, fake_c = fake_records(expected, tau)
            with hooks.off():
                fake_logits = discriminator(fake_x, fake_c).squeeze(1)
                # targets on the logits' device: a CPU target beside CUDA logits fails every GAN cell
                fake_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
                fake_grads = torch.autograd.grad(fake_loss, d_params)
            # ... real part through DP-SGD
            if len(real_x):
                real_logits = discriminator(real_x, real_c).squeeze(1)
                real_loss = real_criterion(real_logits, torch.ones_like(real_logits))
                real_loss.backward()
            if not private:
                for p, g in zip(d_params, fake_grads):
                    p.grad = g if p.grad is None else p.grad + g
                opt_d.step()
            elif opt_d.pre_step():  # clip, noise, scale, tell the accountant
                for p, g in zip(d_params, fake_grads):
                    p.grad = p.grad + g
                opt_d.original_optimizer.step()
            opt_d.zero_grad(set_to_none=True)
            # 2. generator, through the (frozen) discriminator
            with hooks.off():
                fake_x, fake_c = fake_records(expected, tau)
                fake_logits = discriminator(fake_x, fake_c).squeeze(1)
                g_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
                opt_g.zero_grad(set_to_none=True)
                g_loss.backward()
                opt_g.step()
            opt_d.zero_grad(set_to_none=True)
            step += 1
            if after_step is not None:
                after_step(step, opt_g)
    return step, tau, time.perf_counter() - start


def _chain(*hooks):
    hooks = [h for h in hooks if h is not None]
    if not hooks:
        return None

    def run(step, optimizer):
        for hook in hooks:
            hook(step, optimizer)

    return run


class GeneratorAverage:
    """An exponential moving average of the generator's weights (Yazici et al., ICLR 2019),
    released instead of the last iterate: the last iterate of an adversarial game
    oscillates, and on the tuning cohort its mortality AUC swung by 0.2 between seeds.
    The average is a function of the generator's iterates only, which are themselves
    post-processing of the DP discriminator, so it costs no privacy. ``decay`` 0: off."""

    def __init__(self, generator: nn.Module, decay: float) -> None:
        self.generator, self.average = generator, None
        if decay > 0:
            from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

            self.average = AveragedModel(generator, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True)

    @property
    def module(self) -> nn.Module | None:
        """The averaged copy (None when off)."""
        return self.average.module if self.average is not None else None

    def update(self, step: int, optimizer) -> None:
        if self.average is not None:
            self.average.update_parameters(self.generator)

    def copy_into(self, generator: nn.Module) -> None:
        if self.average is not None:
            generator.load_state_dict(self.average.module.state_dict())


def _temperature(settings: "GANConfig", step: int, steps: int) -> float:
    if steps <= 1 or settings.tau_start == settings.tau_end:
        return settings.tau_start
    return settings.tau_start * (settings.tau_end / settings.tau_start) ** (step / (steps - 1))


class _HookSwitch:
    """Turns Opacus' per-sample-gradient hooks off for passes that touch no private row."""

    def __init__(self, module) -> None:
        self.module = module

    @contextlib.contextmanager
    def off(self):
        if self.module is not None:
            self.module.disable_hooks()
        try:
            yield
        finally:
            if self.module is not None:
                self.module.enable_hooks()
