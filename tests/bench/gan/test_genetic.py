"""The generator cluster: batched members, crossover and mutation, selection of the fitter half."""

import numpy as np
import pytest
import torch

from bench.gan.genetic import Architecture, GeneratorPopulation, crossover, mutate


def test_crossover_children_take_one_cut_from_each_parent():
    rng = np.random.default_rng(0)
    a, b = torch.zeros(100), torch.ones(100)
    child_c, child_d = crossover(a, b, rng)
    assert child_c.shape == child_d.shape == (100,)
    cut = int((child_c == 0).sum())
    assert 0 < cut < 100
    assert torch.equal(child_c, torch.cat([a[:cut], b[cut:]])) and torch.equal(child_d, torch.cat([b[:cut], a[cut:]]))
    with pytest.raises(ValueError):
        crossover(torch.zeros(3), torch.zeros(4), rng)


def test_mutation_touches_about_rate_positions_with_the_set_scale():
    rng = np.random.default_rng(0)
    mutated = mutate(torch.zeros(20000), rng, std=0.5, rate=0.1)
    changed = mutated[mutated != 0]
    assert len(changed) == pytest.approx(2000, rel=0.1)
    assert float(changed.std()) == pytest.approx(0.5, rel=0.1)


def test_members_are_independent_and_batched():
    torch.manual_seed(0)
    population = GeneratorPopulation(4, [Architecture(16, 2), Architecture(32, 1)], latent_dim=5, width=7)
    z = torch.randn(4, 10, 5)
    out = population(z)
    assert out.shape == (4, 10, 7)
    # one member's loss moves only that member's slice
    out[2].sum().backward()
    group, slot = population.groups[0], population.slots[0].index(2)
    grads = [p.grad for p in group.member_parameters()]
    assert all(g[slot].abs().sum() > 0 for g in grads)
    assert all(g[1 - slot].abs().sum() == 0 for g in grads)
    assert all(p.grad is None or p.grad.abs().sum() == 0 for p in population.groups[1].member_parameters())


def test_evolve_keeps_the_fitter_half_and_breeds_children_from_both_parents():
    torch.manual_seed(0)
    population = GeneratorPopulation(8, [Architecture(16, 2), Architecture(8, 2)], latent_dim=4, width=3)
    before = {i: population.groups[i % 2].member_vector(population.slots[i % 2].index(i)) for i in range(8)}
    fitness = np.array([0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.4, 0.6])
    event = population.evolve(fitness, np.random.default_rng(0), mutation_std=0.0, mutation_rate=0.0)
    # architecture 0 holds members 0, 2, 4, 6: 0 and 2 survive; 4 and 6 are replaced
    # architecture 1 holds members 1, 3, 5, 7: 5 and 7 survive; 1 and 3 are replaced
    assert sorted(event["replaced"]) == [1, 3, 4, 6]
    after = {i: population.groups[i % 2].member_vector(population.slots[i % 2].index(i)) for i in range(8)}
    for kept in (0, 2, 5, 7):
        assert torch.equal(after[kept], before[kept])
    for child, (a, b) in ((4, (0, 2)), (1, (5, 7))):
        from_a = after[child] == before[a]
        from_b = after[child] == before[b]
        assert bool((from_a | from_b).all()) and from_a.any() and from_b.any()
