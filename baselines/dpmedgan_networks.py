"""DP-MedGAN's convolutional networks (`dp-medgan.txt`): the encoded record is laid out as a 32 x 32
map; the generator up-samples a 16 x 16 map, the discriminator convolves the map and joins its
features with the condition vector before the logit."""

from __future__ import annotations

import torch
from torch import nn

MAP_SIDE = 32  # the discriminator sees the encoded record as a 32 x 32 map


class ConvGenerator(nn.Module):
    """``generator(z, c)``: a linear layer onto ``channels[0]`` maps of 16 x 16, a transposed
    convolution to 32 x 32 with ``channels[1]`` maps, one more to a single map, cut to ``width``."""

    def __init__(self, latent: int, condition_width: int, channels: tuple[int, int], width: int) -> None:
        super().__init__()
        first, second = channels
        self.first_channels, self.width = first, width
        self.fc = nn.Linear(latent + condition_width, first * 16 * 16)
        self.up1 = nn.ConvTranspose2d(first, second, kernel_size=4, stride=2, padding=1)
        self.up2 = nn.ConvTranspose2d(second, 1, kernel_size=3, stride=1, padding=1)

    def forward(self, z: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        h0 = torch.relu(self.fc(torch.cat([z, c], dim=1))).view(-1, self.first_channels, 16, 16)
        h1 = torch.relu(self.up1(h0))
        return self.up2(h1).flatten(1)[:, :self.width]


class ConvDiscriminator(nn.Module):
    """``discriminator(x, c)``: three convolutions (LeakyReLU 0.2, dropout) over the record's map,
    a linear layer of ``joint_hidden`` units to which the condition vector's own linear map is
    added, one logit."""

    def __init__(self, width: int, condition_width: int, channels: tuple[int, int, int], joint_hidden: int,
                 dropout: float) -> None:
        super().__init__()
        first, second, third = channels
        self.width = width
        self.features = nn.Sequential(
            nn.Conv2d(1, first, 3, stride=1, padding=1), nn.LeakyReLU(0.2), nn.Dropout(dropout),
            nn.Conv2d(first, second, 3, stride=1, padding=1), nn.LeakyReLU(0.2), nn.Dropout(dropout),
            nn.Conv2d(second, third, 3, stride=2, padding=1), nn.LeakyReLU(0.2), nn.Dropout(dropout),
        )
        self.w_f = nn.Linear(third * 16 * 16, joint_hidden)
        self.w_c = nn.Linear(condition_width, joint_hidden, bias=False) if condition_width else None
        self.out = nn.Linear(joint_hidden, 1)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        padded = nn.functional.pad(x, (0, MAP_SIDE * MAP_SIDE - self.width)).view(-1, 1, MAP_SIDE, MAP_SIDE)
        joint = self.w_f(self.features(padded).flatten(1))
        if self.w_c is not None:
            joint = joint + self.w_c(c)
        return self.out(nn.functional.leaky_relu(joint, 0.2))
