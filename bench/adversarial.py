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

import time
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from bench.privacy import SGDPlan


@dataclass(frozen=True)
class TrainingSettings:
    """Attributes:
    batch_size: Expected (Poisson) batch size of private rows.
    latent_dim: Size of the generator's noise vector.
    generator_lr, discriminator_lr: Adam learning rates.
    max_grad_norm: Per-sample clipping norm C of DP-SGD.
    tau_start, tau_end: Gumbel-softmax temperature, annealed geometrically
        from start to end over training (equal values: no annealing).
    grad_sample_mode: Opacus per-sample gradient engine (``hooks`` or ``functorch``).
    """

    batch_size: int = 64
    latent_dim: int = 128
    generator_lr: float = 1e-3
    discriminator_lr: float = 1e-3
    max_grad_norm: float = 1.0
    tau_start: float = 1.0
    tau_end: float = 0.1
    grad_sample_mode: str = "hooks"


@dataclass
class TrainingResult:
    sgd_history: list[tuple[float, float, int]]
    steps: int
    seconds: float
    final_tau: float


def train_dp_gan(
    *,
    generator: nn.Module,
    discriminator: nn.Module,
    real: torch.Tensor,
    real_conditions: torch.Tensor,
    fake_records: Callable[[int, float], tuple[torch.Tensor, torch.Tensor]],
    plan: SGDPlan,
    settings: TrainingSettings,
    seed: int,
    private: bool = True,
) -> TrainingResult:
    """Train ``generator`` against ``discriminator(x, c)`` on the private ``real`` rows.

    ``fake_records(n, tau)`` returns ``n`` generated records and their condition
    vectors (differentiable in the generator's parameters). ``private=False``
    runs the same loop without DP (for the speed benchmark only).
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
    if private:
        with warnings.catch_warnings():
            # Seeded, reproducible noise is deliberate in a benchmark; Opacus warns about it.
            warnings.filterwarnings("ignore", message="Secure RNG turned off")
            engine = PrivacyEngine(accountant="rdp")
            discriminator, opt_d, loader = engine.make_private(
                module=discriminator,
                optimizer=opt_d,
                data_loader=loader,
                noise_multiplier=plan.noise_multiplier,
                max_grad_norm=settings.max_grad_norm,
                poisson_sampling=True,
                grad_sample_mode=settings.grad_sample_mode,
            )
    hooks = _HookSwitch(discriminator if private else None)
    with warnings.catch_warnings():
        # Opacus' hooks fire on the records' tensors, which need no gradient of their own.
        warnings.filterwarnings("ignore", message="Full backward hook is firing")
        step, tau, seconds = _loop(generator, discriminator, loader, opt_d, opt_g, fake_records, plan, settings,
                                   hooks, private)
    history = list(engine.accountant.history) if engine else []
    return TrainingResult(sgd_history=history, steps=step, seconds=seconds, final_tau=tau)


def _loop(generator, discriminator, loader, opt_d, opt_g, fake_records, plan, settings, hooks, private):
    d_params = [p for p in discriminator.parameters() if p.requires_grad]
    start, step, tau = time.perf_counter(), 0, settings.tau_start
    expected = settings.batch_size
    while step < plan.steps:
        for real_x, real_c in loader:
            if step >= plan.steps:
                break
            tau = _temperature(settings, step, plan.steps)
            # 1. discriminator: fake part without per-sample gradients ...
            with torch.no_grad():
                fake_x, fake_c = fake_records(expected, tau)
            with hooks.off():
                fake_loss = F.binary_cross_entropy_with_logits(
                    discriminator(fake_x, fake_c).squeeze(1), torch.zeros(len(fake_x))
                )
                fake_grads = torch.autograd.grad(fake_loss, d_params)
            # ... real part through DP-SGD
            if len(real_x):
                real_loss = F.binary_cross_entropy_with_logits(
                    discriminator(real_x, real_c).squeeze(1), torch.ones(len(real_x))
                )
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
                g_loss = F.binary_cross_entropy_with_logits(
                    discriminator(fake_x, fake_c).squeeze(1), torch.ones(len(fake_x))
                )
                opt_g.zero_grad(set_to_none=True)
                g_loss.backward()
                opt_g.step()
            opt_d.zero_grad(set_to_none=True)
            step += 1
    return step, tau, time.perf_counter() - start


def _temperature(settings: TrainingSettings, step: int, steps: int) -> float:
    if steps <= 1 or settings.tau_start == settings.tau_end:
        return settings.tau_start
    return settings.tau_start * (settings.tau_end / settings.tau_start) ** (step / (steps - 1))


class _HookSwitch:
    """Turns Opacus' per-sample-gradient hooks off for passes that touch no private row."""

    def __init__(self, module) -> None:
        self.module = module

    def off(self):
        module = self.module

        class _Off:
            def __enter__(self_inner):
                if module is not None:
                    module.disable_hooks()

            def __exit__(self_inner, *exc):
                if module is not None:
                    module.enable_hooks()

        return _Off()


def seeded_normal(n: int, dim: int, rng: np.random.Generator) -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal((n, dim)).astype(np.float32))
