"""The machinery the DP-SGD GAN baselines share: networks, the training loop, the synthesizer base,
the generator cluster and the adaptive clipping threshold."""
