"""A cluster of generators evolved by a genetic algorithm (DP-GAN-HD, eq. 3-4).

The population holds ``m`` generators over a small set of architectures. The
generators of one architecture are one ``bench.gan.nn.StackedMLP``, so one
forward / backward pass serves all of them. Evolution:

* selection (eq. 4): generators are ranked by fitness; within each
  architecture the fitter half are parents and the rest are replaced;
* crossover: two parents of the same architecture, flattened to parameter
  vectors, are cut at one random point and recombined into two children;
* mutation: Gaussian noise N(0, lambda^2) is added at randomly chosen
  positions (each position with probability ``mutation_rate``).

Fitness is computed by the caller (DP-GAN-HD uses a classifier trained on
public data); this module never sees data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from bench.gan.nn import StackedMLP


@dataclass(frozen=True)
class Architecture:
    """A generator shape: ``depth`` hidden layers of ``hidden`` units."""

    hidden: int
    depth: int


def crossover(parent_a: torch.Tensor, parent_b: torch.Tensor, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Single-point crossover of two flat parameter vectors: (a[:cut] + b[cut:], b[:cut] + a[cut:])."""
    if parent_a.shape != parent_b.shape:
        raise ValueError("crossover needs parents of the same architecture")
    cut = int(rng.integers(1, len(parent_a)))
    return torch.cat([parent_a[:cut], parent_b[cut:]]), torch.cat([parent_b[:cut], parent_a[cut:]])


def mutate(vector: torch.Tensor, rng: np.random.Generator, *, std: float, rate: float) -> torch.Tensor:
    """Add N(0, std^2) at each position chosen with probability ``rate``."""
    chosen = torch.from_numpy(rng.random(len(vector)) < rate)
    noise = torch.from_numpy(rng.normal(0.0, std, len(vector)).astype(np.float32)).to(vector.dtype)
    return vector + noise * chosen.to(vector.dtype).to(vector.device)


class GeneratorPopulation(torch.nn.Module):
    """``members`` generators laid out over ``architectures`` in turn (member i has
    architecture ``architectures[i % len(architectures)]``), each mapping a latent
    vector (followed by a condition vector of ``condition_dim`` values, if any) to one
    raw value per encoded feature."""

    def __init__(self, members: int, architectures: list[Architecture], latent_dim: int, width: int,
                 condition_dim: int = 0) -> None:
        super().__init__()
        self.members, self.latent_dim = members, latent_dim
        self.architecture_of = [i % len(architectures) for i in range(members)]
        self.groups = torch.nn.ModuleList()
        self.slots: list[list[int]] = []  # population index of each group's members
        for a, arch in enumerate(architectures):
            slots = [i for i in range(members) if self.architecture_of[i] == a]
            if not slots:
                continue
            self.slots.append(slots)
            self.groups.append(StackedMLP(len(slots), [latent_dim + condition_dim] + [arch.hidden] * arch.depth + [width]))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """z of shape (members, rows, latent_dim + condition_dim) -> (members, rows, width),
        in population order."""
        out = [None] * self.members
        for slots, group in zip(self.slots, self.groups):
            raw = group(z[slots])
            for j, member in enumerate(slots):
                out[member] = raw[j]
        return torch.stack(out)

    def evolve(
        self,
        fitness: np.ndarray,
        rng: np.random.Generator,
        *,
        mutation_std: float,
        mutation_rate: float,
        optimizer: torch.optim.Optimizer | None = None,
    ) -> dict:
        """One generation: keep the fitter half of each architecture, refill the rest with
        mutated crossover children of those parents. Resets the optimizer's moment
        estimates of the replaced members. Returns what happened (for the fit record)."""
        replaced, parents_used = [], []
        for slots, group in zip(self.slots, self.groups):
            if len(slots) < 2:
                continue  # a lone generator of its architecture has no one to breed with or replace
            order = sorted(range(len(slots)), key=lambda j: -fitness[slots[j]])
            keep = order[: (len(slots) + 1) // 2]
            losers = order[(len(slots) + 1) // 2 :]
            vectors = {j: group.member_vector(j) for j in keep}
            children: list[torch.Tensor] = []
            while len(children) < len(losers):
                if len(keep) >= 2:
                    a, b = rng.choice(keep, size=2, replace=False)
                    children.extend(crossover(vectors[int(a)], vectors[int(b)], rng))
                    parents_used.append((slots[int(a)], slots[int(b)]))
                else:
                    children.append(vectors[keep[0]].clone())
                    parents_used.append((slots[keep[0]],))
            for j, child in zip(losers, children):
                group.set_member_vector(j, mutate(child, rng, std=mutation_std, rate=mutation_rate))
                replaced.append(slots[j])
                if optimizer is not None:
                    _reset_member_state(optimizer, group, j)
        return {"replaced": replaced, "parents": parents_used}

    @torch.no_grad()
    def copy_members(self, other: "GeneratorPopulation", members: list[int]) -> None:
        """Set these members' parameters to ``other``'s (same layout)."""
        for slots, group, other_group in zip(self.slots, self.groups, other.groups):
            for j, member in enumerate(slots):
                if member in members:
                    group.set_member_vector(j, other_group.member_vector(j))


def _reset_member_state(optimizer: torch.optim.Optimizer, group: StackedMLP, member: int) -> None:
    """A child starts with fresh Adam moments (its parents' would not describe it)."""
    for p in group.member_parameters():
        state = optimizer.state.get(p)
        if state:
            for key in ("exp_avg", "exp_avg_sq"):
                if key in state:
                    state[key][member].zero_()
