"""DP-MedGAN: conditional convolutional GAN with a DP-SGD discriminator (dp-medgan.txt)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bench.gan.base import DPGANSynthesizer, GANConfig



@dataclass(frozen=True)
class DPMedGANConfig(GANConfig):
    """Attributes (besides ``GANConfig``'s):
    generator_channels: Channels of the generator's 16x16 seed map and of
        its first transposed convolution's 32x32 output.
    discriminator_channels: Channels of the three 3x3 convolutions.
    joint_hidden: Width of h_joint = LeakyReLU(W_f flatten(h3) + W_c c).
    dropout: Dropout after each convolution.
    """

    conditional: bool = True
    generator_channels: tuple[int, int] = (64, 32)
    discriminator_channels: tuple[int, int, int] = (64, 128, 256)
    joint_hidden: int = 128
    dropout: float = 0.3


class DPMedGAN(DPGANSynthesizer):
    """DP-MedGAN as section 2 of the paper describes it.

    Generator: [z (128) ; c] -> fully connected + ReLU -> a (C0, 16, 16) map ->
    4x4 transposed convolution, stride 2 -> (C1, 32, 32) + ReLU -> 3x3
    transposed convolution, stride 1 -> (1, 32, 32); the first ``width`` cells
    are the encoded record, passed through the mixed heads (linear for
    continuous values, Gumbel-softmax for categoricals with the temperature
    annealed from 1.0 to 0.1 over training, sigmoid for diagnosis codes and
    other binaries). The condition columns of the record are set to c.
    Deviations: binaries are drawn with their sigmoid probability (and
    trained with straight-through 0/1 outputs) rather than thresholded at
    0.5, which would erase every diagnosis code rarer than 50%. Continuous
    columns are not a linear output: each is a one-hot over public bins (a
    Gumbel-softmax head) plus a uniform draw inside the bin
    (``bench.data.binned_encoding``; 15 bins keep the record within the 32x32 map),
    the public-data stand-in for the paper's "adaptive normalization": scaled
    by public bounds, the continuous marginals were never learned (JSD up to
    0.94 per column at epsilon = inf on the tuning cohort). The release is an
    exponential moving average (decay 0.99) of the generator's weights
    (``bench.gan.adversarial.GeneratorAverage``), which stopped the collapse of
    whole columns under DP noise and costs no privacy.

    Discriminator: the encoded record zero-padded to 1,024 values and reshaped
    to 32x32; three 3x3 convolutions (64 and 128 channels at stride 1, 256 at
    stride 2 to 16x16), each with LeakyReLU 0.2 and dropout 0.3; then
    h_joint = LeakyReLU(W_f flatten(h3) + W_c c) and a linear logit (the
    sigmoid is in the loss). No BatchNorm (it would mix samples and break
    per-sample gradients).

    Privacy: DP-SGD on the discriminator through Opacus with C = 1.0 (paper
    mode: sigma 1.5, batch 64, 100 epochs; the RDP accountant reports what
    that really spends). The condition vector c is the schema's non-sensitive
    attributes; for sampling, and for the generator while training, c is
    drawn from DP marginals (diffprivlib, 5% of epsilon, charged). The
    "adaptive normalization" of mixed types is the schema-only encoder.

    Choices the paper leaves open: h0's shape (C0 x 16 x 16), the width of
    h_joint (128), Adam with lr 1e-3 and beta1 0.5 for both networks, one
    discriminator step per generator step.

    Ablations: ``DPMedGANConfig(conditional=False)`` (registered as
    ``dp-medgan-unconditional``) and ``tau_end=1.0`` (no Gumbel annealing,
    ``dp-medgan-no-anneal``).

    Profiles: ``paper`` as above; ``quick`` shrinks the networks to an eighth
    of the channels (generator 8/4, discriminator 8/16/32, h_joint 32), because
    the paper's discriminator costs seconds per DP step on a 2-core CPU
    (``python -m bench perf --dp`` measures it), and trains 30 epochs at batch
    256 with learning rates 2e-3 (DP-GAN's tuned schedule). Training length was
    what kept it from learning the outcome: on the tuning cohort at epsilon =
    inf (split seed 0), 10 epochs (about 200 steps) gave mortality AUC 0.23,
    mean JSD 0.043, with the release's outcome almost independent of every
    other column; 30 epochs gave 0.77, mean JSD 0.007, max 0.028 (README,
    "Tuning"; ``results/tuning/gans.md``).

    Reference: Zou, "Research on Medical Data Privacy Protection and
    Synthetic Data Generation Based on Generative Adversarial Networks"
    (shared/papers/dp-medgan.txt).
    """

    name = "dp-medgan"
    display_name = "DP-MedGAN"
    profiles = {
        "quick": DPMedGANConfig(
            epochs=30.0, batch_size=256, generator_lr=2e-3, discriminator_lr=2e-3, bins=15,
            generator_channels=(8, 4), discriminator_channels=(8, 16, 32), joint_hidden=32,
        ),
        "paper": DPMedGANConfig(epochs=100.0),
    }
    profiles["smoke"] = replace(profiles["quick"], epochs=0.2)  # the contract, not the quality (tests)

    def build_networks(self, width: int, condition_width: int):
        from baselines.dpmedgan_networks import MAP_SIDE, ConvDiscriminator, ConvGenerator

        config = self.config
        if width > MAP_SIDE * MAP_SIDE:
            raise ValueError(f"an encoded record of {width} values does not fit a 32x32 map")
        return (ConvGenerator(config.latent_dim, condition_width, config.generator_channels, width),
                ConvDiscriminator(width, condition_width, config.discriminator_channels, config.joint_hidden,
                                  config.dropout))


class DPMedGANUnconditional(DPMedGAN):
    """Ablation of DP-MedGAN without the condition vector (no c in either network,
    no budget spent on condition marginals)."""

    name = "dp-medgan-unconditional"
    display_name = "DP-MedGAN (unconditional ablation)"
    tags = replace(DPMedGAN.tags, ablation_of="dp-medgan")
    profiles = {key: replace(config, conditional=False) for key, config in DPMedGAN.profiles.items()}


class DPMedGANNoAnnealing(DPMedGAN):
    """Ablation of DP-MedGAN with the Gumbel-softmax temperature held at 1.0."""

    name = "dp-medgan-no-anneal"
    display_name = "DP-MedGAN (no Gumbel annealing ablation)"
    tags = replace(DPMedGAN.tags, ablation_of="dp-medgan")
    profiles = {key: replace(config, tau_end=1.0) for key, config in DPMedGAN.profiles.items()}
