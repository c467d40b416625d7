"""The DP discriminator step: fast gradient clipping (ghost) gives the per-sample-hook engine's update, for the MLP
discriminator of DP-GAN and DP-GAN-HD and the convolutional one of DP-MedGAN."""

import dataclasses

import numpy as np
import pytest
import torch
from torch import nn

from baselines.dpgan import DPGAN
from baselines.dpmedgan import DPMedGAN
from bench.gan.adversarial import train_dp_gan
from bench.data.cohort import CohortOptions
from bench.gan.nn import MLPDiscriminator
from bench.privacy.sgd import SGDPlan
from bench.data.simulate import mimic3_sim


def _discriminator(kind, width):
    if kind == "mlp":
        return MLPDiscriminator(width, 32)
    config = dataclasses.replace(DPMedGAN.config_for("quick"), bins=2)
    return DPMedGAN(mimic3_sim(CohortOptions(n_patients=200)).schema, config).build_networks(width, 0)[1]


def _one_step(mode, noise, clip, real, kind="mlp", clip_threshold=None):
    torch.manual_seed(0)
    generator, discriminator = nn.Linear(8, real.shape[1]), _discriminator(kind, real.shape[1])
    rng = np.random.default_rng(0)

    def fake(n, tau):
        z = torch.from_numpy(rng.standard_normal((n, 8)).astype(np.float32))
        return torch.sigmoid(generator(z)), torch.zeros(n, 0)

    settings = dataclasses.replace(DPGAN.config_for("quick"), grad_sample_mode=mode, batch_size=64, max_grad_norm=clip,
                                   generator_ema=0.0)
    plan = SGDPlan(noise, 64 / len(real), 3, 3, 1.0)
    result = train_dp_gan(generator=generator, discriminator=discriminator, real=real,
                          real_conditions=torch.zeros(len(real), 0), fake_records=fake, plan=plan, settings=settings,
                          seed=0, private=True, clip_threshold=clip_threshold)
    return [p.detach().clone() for p in discriminator.parameters()], result


@pytest.mark.parametrize("kind", ["mlp", "dp-medgan"])
@pytest.mark.parametrize("clip", [0.05, 5.0])
def test_ghost_clipping_gives_the_hooks_update(clip, kind):
    real = torch.rand(640, 20)
    ghost, ghost_result = _one_step("ghost", 0.0, clip, real, kind)
    hooks, hooks_result = _one_step("hooks", 0.0, clip, real, kind)
    for a, b in zip(ghost, hooks):
        assert torch.allclose(a, b, atol=1e-5), (a - b).abs().max()
    assert ghost_result.sgd_history == hooks_result.sgd_history  # the same steps reach the accountant


def test_clipping_binds_at_a_small_threshold():
    """The comparison above is not vacuous: a small clip changes the update."""
    real = torch.rand(640, 20)
    tight, _ = _one_step("ghost", 0.0, 0.05, real)
    loose, _ = _one_step("ghost", 0.0, 5.0, real)
    assert any(not torch.allclose(a, b, atol=1e-4) for a, b in zip(tight, loose))


def test_a_threshold_that_changes_every_step_clips_alike():
    """DP-GAN-HD sets the clipping threshold per step; fast gradient clipping reads it from the module, per-sample
    hooks from the optimizer: both must clip at the step's threshold."""
    real = torch.rand(640, 20)
    schedule = lambda step: [0.02, 3.0, 0.05][step]  # noqa: E731
    ghost, _ = _one_step("ghost", 0.0, 1.0, real, clip_threshold=schedule)
    hooks, _ = _one_step("hooks", 0.0, 1.0, real, clip_threshold=schedule)
    fixed, _ = _one_step("ghost", 0.0, 1.0, real)
    for a, b in zip(ghost, hooks):
        assert torch.allclose(a, b, atol=1e-5), (a - b).abs().max()
    assert any(not torch.allclose(a, b, atol=1e-4) for a, b in zip(ghost, fixed))
