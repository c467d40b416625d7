"""DP-GAN: an MLP GAN whose discriminator is trained with DP-SGD."""

from __future__ import annotations

from dataclasses import dataclass

from bench.gan import DPGANSynthesizer, GANConfig


@dataclass(frozen=True)
class DPGANConfig(GANConfig):
    """Attributes (besides ``GANConfig``'s):
    hidden: Width of the generator's two hidden layers.
    discriminator_hidden: Width of the discriminator's two hidden layers.
    """

    hidden: int = 256
    discriminator_hidden: int = 256


class DPGAN(DPGANSynthesizer):
    """Unconditional GAN with multilayer-perceptron generator and discriminator
    (two hidden layers each; ReLU in the generator, LeakyReLU 0.2 in the
    discriminator). Only the discriminator touches private rows, through
    DP-SGD (per-sample clipping and Gaussian noise via Opacus, RDP
    accountant); the generator is updated only through the discriminator, so
    its parameters are post-processing. Mixed-type output heads: linear for
    continuous values, sigmoid for missing indicators and binary / multi-label
    columns, Gumbel-softmax for categoricals (temperature 1.0 to 0.1), with
    straight-through 0/1 and one-hot outputs while training (see
    ``bench.nn.MixedOutputHeads``). Adam, learning rate 1e-3, beta1 0.5.

    Difference from the reference: Xie et al. train a Wasserstein GAN with
    weight clipping and add noise to clipped batch gradients; here the
    discriminator uses the non-saturating GAN loss with per-sample clipping
    (DP-SGD, Abadi et al. 2016), which is what Opacus accounts exactly.

    Profiles: ``quick`` runs 8 epochs; ``paper`` the DP-MedGAN paper's unified
    settings (batch 64, 100 epochs, sigma 1.5 in the paper budget mode).

    Reference: Xie, Lin, Wang, Wang & Zhou, "Differentially Private Generative
    Adversarial Network", arXiv:1802.06739 (2018).
    """

    name = "dp-gan"
    display_name = "DP-GAN"
    profiles = {"quick": DPGANConfig(epochs=8.0), "paper": DPGANConfig(epochs=100.0)}

    def build_networks(self, width: int, condition_width: int):
        from torch import nn

        from bench.nn import MLPDiscriminator

        hidden, latent = self.config.hidden, self.config.latent_dim

        class Generator(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.net = nn.Sequential(
                    nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, width)
                )

            def forward(self, z, c):
                return self.net(z)

        return Generator(), MLPDiscriminator(width, self.config.discriminator_hidden)
