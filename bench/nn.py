"""Neural-network parts shared by the GAN synthesizers: mixed-type output heads and
the condition vector (with its differentially private sampler).

All layouts come from ``bench.encoding.TableEncoder``, which is built from the
public schema only (the "adaptive normalization" of mixed types costs no budget).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F

from bench.encoding import TableEncoder
from bench.errors import BenchInputError
from bench.schema import Schema


class MixedOutputHeads(nn.Module):
    """Turns a generator's raw output (one value per encoded feature) into a record.

    * continuous values: linear (the decoder clips them to the public bounds),
      or a sigmoid onto the encoded [0, 1] range (``continuous="sigmoid"``);
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

    def __init__(self, encoder: TableEncoder, continuous: str = "linear", straight_through: bool = True) -> None:
        super().__init__()
        if continuous not in ("linear", "sigmoid"):
            raise ValueError(f"continuous head must be linear or sigmoid, got {continuous!r}")
        self.continuous = continuous
        self.straight_through = straight_through
        sigmoid, linear, blocks = [], [], []
        for block in encoder.blocks:
            if block.kind == "continuous":
                linear.append(block.start)
                sigmoid.extend(range(block.start + 1, block.start + block.width))  # missing indicator
            elif block.kind == "categorical":
                blocks.append((block.start, block.width))
            else:
                sigmoid.append(block.start)
        self.register_buffer("sigmoid_index", torch.tensor(sigmoid, dtype=torch.long))
        self.register_buffer("linear_index", torch.tensor(linear, dtype=torch.long))
        self.categorical_blocks = blocks
        self.width = encoder.width

    def forward(self, raw: torch.Tensor, tau: float = 1.0, hard: bool = False) -> torch.Tensor:
        out = torch.zeros_like(raw)
        values = raw[:, self.linear_index]
        out[:, self.linear_index] = torch.sigmoid(values) if self.continuous == "sigmoid" else values
        probabilities = torch.sigmoid(raw[:, self.sigmoid_index])
        if self.straight_through:  # a 0/1 draw forward, the probability's gradient backward
            draw = (torch.rand_like(probabilities) < probabilities).to(raw.dtype)
            binary = draw if hard else draw + probabilities - probabilities.detach()
        else:
            binary = (probabilities > 0.5).to(raw.dtype) if hard else probabilities
        out[:, self.sigmoid_index] = binary
        for start, width in self.categorical_blocks:
            out[:, start : start + width] = F.gumbel_softmax(
                raw[:, start : start + width], tau=tau, hard=hard or self.straight_through
            )
        return out


def condition_index(encoder: TableEncoder, schema: Schema) -> np.ndarray:
    """Positions of the condition columns' features in the encoded record."""
    index = []
    for block in encoder.blocks:
        if block.column in schema.conditions:
            if block.kind == "continuous":
                raise BenchInputError(f"condition column {block.column!r} must be categorical or binary")
            index.extend(range(block.start, block.start + block.width))
    return np.asarray(index, dtype=np.int64)


class DPConditionSampler:
    """Draws condition vectors from differentially private marginals of the training rows.

    Each condition column's histogram is released once with diffprivlib's
    histogram (geometric mechanism) at ``epsilon / n_columns`` (sequential
    composition: a patient appears in every histogram), negative counts are
    set to 0, and columns are drawn independently from the normalised counts.
    The generator is conditioned on these draws both while training and when
    sampling, so no private condition vector leaves the DP-SGD step.
    """

    def __init__(self, encoder: TableEncoder, schema: Schema, epsilon: float) -> None:
        self.encoder = encoder
        self.schema = schema
        self.epsilon = epsilon
        self.columns = [b for b in encoder.blocks if b.column in schema.conditions]

    def fit(self, train, rng: np.random.Generator) -> "DPConditionSampler":
        from diffprivlib.tools import histogram

        per_column = self.epsilon / max(len(self.columns), 1)
        self.probabilities_ = []
        for block in self.columns:
            col = self.schema.column(block.column)
            if col.kind == "categorical":
                codes = np.asarray(pd.Categorical(train[col.name].astype(str), categories=list(col.categories)).codes)
                k = len(col.categories)
            else:
                codes, k = train[col.name].to_numpy(dtype=np.int64), 2
            counts, _ = histogram(
                codes, epsilon=per_column, bins=k, range=(-0.5, k - 0.5), random_state=int(rng.integers(2**31))
            )
            counts = np.clip(np.asarray(counts, dtype=np.float64), 0.0, None)
            self.probabilities_.append(counts / counts.sum() if counts.sum() > 0 else np.full(k, 1.0 / k))
        return self

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` condition vectors laid out like ``condition_index`` (concatenated one-hots)."""
        parts = []
        for block, probabilities in zip(self.columns, self.probabilities_):
            draws = rng.choice(len(probabilities), size=n, p=probabilities)
            if block.kind == "categorical":
                parts.append(np.eye(len(probabilities), dtype=np.float32)[draws])
            else:
                parts.append(draws[:, None].astype(np.float32))
        return np.concatenate(parts, axis=1) if parts else np.zeros((n, 0), dtype=np.float32)


class TeacherEnsemble(nn.Module):
    """``teachers`` independent MLP discriminators (one hidden layer, LeakyReLU 0.2)
    evaluated together with batched matrix products.

    ``forward(x)`` takes ``x`` of shape (teachers, rows, width), row block t going
    to teacher t, and returns logits (teachers, rows). Each teacher has its own
    parameter slice, so a loss summed over teachers trains each one only on
    the rows of its own block.
    """

    def __init__(self, teachers: int, width: int, hidden: int) -> None:
        super().__init__()
        self.hidden_weight = nn.Parameter(torch.empty(teachers, width, hidden))
        self.hidden_bias = nn.Parameter(torch.zeros(teachers, 1, hidden))
        self.out_weight = nn.Parameter(torch.empty(teachers, hidden, 1))
        self.out_bias = nn.Parameter(torch.zeros(teachers, 1, 1))
        for weight, fan_in in ((self.hidden_weight, width), (self.out_weight, hidden)):
            nn.init.uniform_(weight, -fan_in**-0.5, fan_in**-0.5)  # nn.Linear's default scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = F.leaky_relu(torch.baddbmm(self.hidden_bias, x, self.hidden_weight), 0.2)
        return torch.baddbmm(self.out_bias, hidden, self.out_weight).squeeze(-1)
