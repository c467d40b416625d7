"""DP-GAN: an MLP GAN whose discriminator is trained with DP-SGD."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bench.gan.base import DPGANSynthesizer, GANConfig


@dataclass(frozen=True)
class DPGANConfig(GANConfig):
    """Attributes (besides ``GANConfig``'s):
    hidden: Width of the generator's two hidden layers.
    discriminator_hidden: Width of the discriminator's two hidden layers.
    """

    hidden: int = 256
    discriminator_hidden: int = 256
    tau_end: float = 1.0


class DPGAN(DPGANSynthesizer):
    """GAN with multilayer-perceptron generator and discriminator
    (two hidden layers each; ReLU in the generator, LeakyReLU 0.2 in the
    discriminator). Only the discriminator touches private rows, through
    DP-SGD (per-sample clipping and Gaussian noise via Opacus, RDP
    accountant); the generator is updated only through the discriminator, so
    its parameters are post-processing. Adam, beta1 0.5.

    Differences from the reference, each a cause of the rows that did not learn
    (found at epsilon = inf on the tuning cohort; README, "Tuning"):

    * Loss: Xie et al. train a Wasserstein GAN with weight clipping and add
      noise to clipped batch gradients; here the discriminator uses the
      non-saturating GAN loss with per-sample clipping (DP-SGD, Abadi et al.
      2016), which is what Opacus accounts exactly.
    * Encoding: each continuous column is a one-hot over public bins plus a
      uniform draw inside the bin (``bench.data.binned_encoding``), not a value
      scaled by its public bounds: scaled, the skewed laboratory values
      occupied a sliver of [0, 1] and the generator got every continuous
      marginal wrong (JSD up to 0.94 per column at epsilon = inf).
    * Conditioned on the outcomes: the generator takes [z ; c], where c is the
      record's outcome combination (mortality, readmission) drawn from their joint
      histogram, released with diffprivlib at 5% of epsilon and charged
      (``GANConfig.condition_on_outcomes``; the conditional GAN of DP-CGAN,
      Torkzadehmahani et al. 2019). Xie et al.'s generator is unconditional;
      unconditional, this one matched every marginal and left mortality
      independent of every feature (AUC 0.39 at epsilon = inf on the tuning
      cohort, death rate 15% against 10%), because each head draws its value
      independently given near-constant logits. The discriminator sees c as a
      column of the record, as it sees the real outcome.
    * Heads: Gumbel-softmax for bins and categoricals (temperature held at 1.0),
      Bernoulli draws with straight-through gradients for missing indicators
      and binary / multi-label columns (``bench.gan.nn.MixedOutputHeads``).
    * Release: an exponential moving average (decay 0.99) of the generator's
      weights (``bench.gan.adversarial.GeneratorAverage``), not the last iterate:
      without it the mortality AUC at epsilon = inf swung between 0.43 and 0.85
      across settings and seeds, and at epsilon = 1 whole columns collapsed
      (JSD max 1.0). The average is post-processing of DP outputs: free.

    Profiles: ``quick`` runs 30 epochs at batch 256 with learning rates 2e-3,
    20 bins per continuous column and a discriminator of width 128 (fewer
    noised parameters than 256; 64 was unstable at epsilon = inf), chosen on the
    tuning cohort (README, "Tuning");
    ``paper`` the DP-MedGAN paper's unified settings (batch 64, 100 epochs,
    sigma 1.5 in the paper budget mode; learning rates 1e-3, width 256).

    Reference: Xie, Lin, Wang, Wang & Zhou, "Differentially Private Generative
    Adversarial Network", arXiv:1802.06739 (2018).
    """

    name = "dp-gan"
    display_name = "DP-GAN"
    profiles = {
        "quick": DPGANConfig(epochs=30.0, batch_size=256, generator_lr=2e-3, discriminator_lr=2e-3,
                             discriminator_hidden=128, bins=20, condition_on_outcomes=True),
        "paper": DPGANConfig(epochs=100.0, condition_on_outcomes=True),
    }
    profiles["smoke"] = replace(profiles["quick"], epochs=0.2)  # the contract, not the quality (tests)

    def build_networks(self, width: int, condition_width: int):
        from bench.gan.nn import MLPDiscriminator, MLPGenerator

        config = self.config
        return (MLPGenerator(config.latent_dim, condition_width, config.hidden, width),
                MLPDiscriminator(width, config.discriminator_hidden))
