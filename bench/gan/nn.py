"""Neural-network parts shared by the GAN synthesizers: mixed-type output heads and
the condition vector (with its differentially private sampler).

All layouts come from the GAN encoder (``bench.gan.base.make_encoder``), which is built from the
public schema only (the "adaptive normalization" of mixed types costs no budget).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F

from bench.errors import BenchInputError
from bench.data.schema import Schema


class MixedOutputHeads(nn.Module):
    """Turns a generator's raw output (one value per encoded feature) into a record.

    * continuous values: linear (the decoder clips them to the public bounds),
      or a sigmoid onto the encoded [0, 1] range (``continuous="sigmoid"``);
      a position inside a bin (``offset`` blocks of ``bench.data.binned_encoding``): sigmoid;
    * missing indicators and binary / multi-label columns: sigmoid; when
      sampling, a Bernoulli draw with that probability (straight-through mode)
      or a threshold at 0.5 (soft mode, where training drives outputs to 0/1);
    * categoricals: Gumbel-softmax with temperature ``tau``; a hard one-hot
      draw when sampling.

    With ``straight_through`` (the default) the training outputs are exact 0/1
    and one-hot values too, with the soft values' gradients (straight-through
    estimators): otherwise the discriminator separates real from generated
    records by their soft values alone, and a noisy (DP) discriminator then
    drives the generator to saturate every binary at 0 or 1.
    """

    def __init__(self, encoder, continuous: str = "linear", straight_through: bool = True) -> None:
        super().__init__()
        if continuous not in ("linear", "sigmoid"):
            raise ValueError(f"continuous head must be linear or sigmoid, got {continuous!r}")
        self.continuous = continuous
        self.straight_through = straight_through
        sigmoid, linear, bounded, blocks = [], [], [], []
        for block in encoder.blocks:
            if block.kind == "continuous":
                linear.append(block.start)
                sigmoid.extend(range(block.start + 1, block.start + block.width))  # missing indicator
            elif block.kind == "offset":  # a position inside a bin (bench.data.binned_encoding)
                bounded.append(block.start)
            elif block.kind == "categorical":
                blocks.append((block.start, block.width))
            else:
                sigmoid.append(block.start)
        self.register_buffer("sigmoid_index", torch.tensor(sigmoid, dtype=torch.long))
        self.register_buffer("linear_index", torch.tensor(linear, dtype=torch.long))
        self.register_buffer("bounded_index", torch.tensor(bounded, dtype=torch.long))
        self.categorical_blocks = blocks
        self.width = encoder.width
        # All categorical blocks at once: a (blocks, widest) gather index, padding masked out.
        widest = max((width for _, width in blocks), default=0)
        gather = torch.zeros((len(blocks), widest), dtype=torch.long)
        valid = torch.zeros((len(blocks), widest), dtype=torch.bool)
        for b, (start, width) in enumerate(blocks):
            gather[b, :width] = torch.arange(start, start + width)
            valid[b, :width] = True
        self.register_buffer("gather_index", gather)
        self.register_buffer("gather_valid", valid)

    def forward(self, raw: torch.Tensor, tau: float = 1.0, hard: bool = False) -> torch.Tensor:
        out = torch.zeros_like(raw)
        values = raw[:, self.linear_index]
        out[:, self.linear_index] = torch.sigmoid(values) if self.continuous == "sigmoid" else values
        out[:, self.bounded_index] = torch.sigmoid(raw[:, self.bounded_index])
        probabilities = torch.sigmoid(raw[:, self.sigmoid_index])
        if self.straight_through:  # a 0/1 draw forward, the probability's gradient backward
            draw = (torch.rand_like(probabilities) < probabilities).to(raw.dtype)
            binary = draw if hard else draw + probabilities - probabilities.detach()
        else:
            binary = (probabilities > 0.5).to(raw.dtype) if hard else probabilities
        out[:, self.sigmoid_index] = binary
        if len(self.categorical_blocks):
            out[:, self.gather_index[self.gather_valid]] = self._gumbel_softmax(raw, tau, hard or self.straight_through)
        return out

    def _gumbel_softmax(self, raw: torch.Tensor, tau: float, hard: bool) -> torch.Tensor:
        """``F.gumbel_softmax`` of every categorical block in one pass; returns the valid
        entries in block order (the layout of ``gather_index[gather_valid]``)."""
        logits = raw[:, self.gather_index].masked_fill(~self.gather_valid, float("-inf"))
        gumbels = -torch.empty_like(logits).exponential_().log()
        soft = ((logits + gumbels) / tau).softmax(dim=-1)
        if hard:
            one_hot = torch.zeros_like(soft).scatter_(-1, soft.argmax(dim=-1, keepdim=True), 1.0)
            soft = one_hot - soft.detach() + soft
        return soft[:, self.gather_valid]


def condition_index(encoder, schema: Schema, columns: tuple[str, ...] | None = None) -> np.ndarray:
    """Positions of the condition columns' features (``columns``, by default the
    schema's ``conditions``) in the encoded record."""
    columns = schema.conditions if columns is None else columns
    index = []
    for block in encoder.blocks:
        if block.column in columns:
            if schema.column(block.column).kind == "continuous":
                raise BenchInputError(f"condition column {block.column!r} must be categorical or binary")
            index.extend(range(block.start, block.start + block.width))
    return np.asarray(index, dtype=np.int64)


class DPConditionSampler:
    """Draws condition vectors from differentially private histograms of the training rows.

    The condition columns form ``groups``: by default every column is a group of its
    own (the schema's non-sensitive attributes, drawn independently as DP-MedGAN
    does); a group of several columns (the outcomes, whose combinations are
    constrained: no patient dies and is readmitted) is drawn from its joint
    histogram. Each group's histogram is released once with diffprivlib's
    histogram (geometric mechanism) at ``epsilon / n_groups`` (sequential
    composition: a patient appears in every histogram), negative counts are set
    to 0, and groups are drawn independently from the normalised counts. The
    generator is conditioned on these draws both while training and when
    sampling, so no private condition vector leaves the DP-SGD step. At
    ``epsilon = inf`` (training without privacy) the histograms are exact.
    """

    def __init__(self, encoder, schema: Schema, epsilon: float,
                 groups: list[tuple[str, ...]] | None = None) -> None:
        self.encoder = encoder
        self.schema = schema
        self.epsilon = epsilon
        self.groups = [(name,) for name in schema.conditions] if groups is None else [tuple(g) for g in groups]
        wanted = {name for group in self.groups for name in group}
        self.columns = [b for b in encoder.blocks if b.column in wanted]  # encoded order, as condition_index

    def _levels(self, name: str) -> int:
        col = self.schema.column(name)
        return len(col.categories) if col.kind == "categorical" else 2

    def _codes(self, train, name: str) -> np.ndarray:
        col = self.schema.column(name)
        if col.kind == "categorical":
            return pd.Categorical(train[name].astype(str), categories=list(col.categories)).codes.astype(np.int64)
        return train[name].to_numpy(dtype=np.int64)

    def fit(self, train, rng: np.random.Generator) -> "DPConditionSampler":
        per_group = self.epsilon / max(len(self.groups), 1)
        self.probabilities_ = []
        for group in self.groups:
            shape = tuple(self._levels(name) for name in group)
            codes = np.stack([self._codes(train, name) for name in group])
            present = (codes >= 0).all(axis=0)
            joint = np.ravel_multi_index(codes[:, present], shape)
            k = int(np.prod(shape))
            if np.isinf(per_group):
                counts = np.bincount(joint, minlength=k)
            else:
                from diffprivlib.tools import histogram

                counts, _ = histogram(
                    joint, epsilon=per_group, bins=k, range=(-0.5, k - 0.5), random_state=int(rng.integers(2**31))
                )
            counts = np.clip(np.asarray(counts, dtype=np.float64), 0.0, None)
            self.probabilities_.append(counts / counts.sum() if counts.sum() > 0 else np.full(k, 1.0 / k))
        return self

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` condition vectors laid out like ``condition_index`` (concatenated one-hots)."""
        codes: dict[str, np.ndarray] = {}
        for group, probabilities in zip(self.groups, self.probabilities_):
            draws = rng.choice(len(probabilities), size=n, p=probabilities)
            shape = tuple(self._levels(name) for name in group)
            for name, column_codes in zip(group, np.unravel_index(draws, shape)):
                codes[name] = column_codes
        parts = []
        for block in self.columns:
            if block.kind == "categorical":
                parts.append(np.eye(self._levels(block.column), dtype=np.float32)[codes[block.column]])
            else:
                parts.append(codes[block.column][:, None].astype(np.float32))
        return np.concatenate(parts, axis=1) if parts else np.zeros((n, 0), dtype=np.float32)


class MLPGenerator(nn.Module):
    """``generator(z, c)``: two hidden layers of ``hidden`` ReLU units on the latent draw joined with
    the condition vector, one raw value per encoded feature (``MixedOutputHeads`` turns them into a record)."""

    def __init__(self, latent: int, condition_width: int, hidden: int, width: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(latent + condition_width, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, width)
        )

    def forward(self, z: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([z, c], dim=1))


class MLPDiscriminator(nn.Module):
    """``discriminator(x, c)``: two hidden layers of ``hidden`` units, LeakyReLU 0.2,
    one logit per record; ignores the condition ``c`` (unconditional GANs)."""

    def __init__(self, width: int, hidden: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(width, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1),
        )

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class StackedMLP(nn.Module):
    """``members`` independent multilayer perceptrons of one architecture, evaluated
    together with batched matrix products (one forward / backward serves them all).

    ``forward(x)`` takes ``x`` of shape (members, rows, sizes[0]), row block i going
    to member i, and returns (members, rows, sizes[-1]). Each member owns slice
    ``[i]`` of every parameter, so a loss summed over members trains each one only
    on its own block, and ``member_vector`` / ``set_member_vector`` read and write
    one member's parameters as a flat vector.
    """

    def __init__(self, members: int, sizes: list[int], activation: str = "relu") -> None:
        super().__init__()
        if activation not in ("relu", "leaky_relu"):
            raise ValueError(f"activation must be relu or leaky_relu, got {activation!r}")
        self.members, self.sizes, self.activation = members, list(sizes), activation
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            weight = nn.Parameter(torch.empty(members, fan_in, fan_out))
            nn.init.uniform_(weight, -fan_in**-0.5, fan_in**-0.5)  # nn.Linear's default scale
            self.weights.append(weight)
            self.biases.append(nn.Parameter(torch.zeros(members, 1, fan_out)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self.weights) - 1
        for i, (weight, bias) in enumerate(zip(self.weights, self.biases)):
            x = torch.baddbmm(bias, x, weight)
            if i < last:
                x = F.relu(x) if self.activation == "relu" else F.leaky_relu(x, 0.2)
        return x

    def member_parameters(self) -> list[nn.Parameter]:
        return [p for pair in zip(self.weights, self.biases) for p in pair]

    def member_vector(self, member: int) -> torch.Tensor:
        return torch.cat([p[member].reshape(-1) for p in self.member_parameters()]).detach().clone()

    @torch.no_grad()
    def set_member_vector(self, member: int, vector: torch.Tensor) -> None:
        offset = 0
        for p in self.member_parameters():
            size = p[member].numel()
            p[member].copy_(vector[offset : offset + size].reshape(p[member].shape))
            offset += size


class TeacherEnsemble(StackedMLP):
    """``teachers`` independent MLP discriminators (one hidden layer, LeakyReLU 0.2),
    or logistic regressions when ``hidden`` is 0.

    ``forward(x)`` takes (teachers, rows, width), row block t going to teacher t,
    and returns logits (teachers, rows).
    """

    def __init__(self, teachers: int, width: int, hidden: int) -> None:
        super().__init__(teachers, [width, hidden, 1] if hidden else [width, 1], activation="leaky_relu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x).squeeze(-1)
