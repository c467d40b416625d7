"""The adaptive clipping threshold: mean norm of the public gradients DBSCAN keeps."""

import numpy as np
import pytest
import torch

from bench.gan.clipping import projected_gradients, random_projection, threshold_from


def _planted(rng, inliers=60, outliers=4, dims=20):
    cluster = 1.0 + 0.05 * rng.standard_normal((inliers, dims))  # norms near sqrt(20) = 4.47
    far = 40.0 * rng.standard_normal((outliers, dims))  # norms near 180, far from the cluster and each other
    return np.vstack([cluster, far]), cluster


def _threshold(gradients, projection=None):
    points = gradients if projection is None else gradients @ projection
    return threshold_from(np.linalg.norm(gradients, axis=1), points)


def test_threshold_is_the_mean_norm_after_dropping_planted_outliers():
    gradients, cluster = _planted(np.random.default_rng(0))
    result = _threshold(gradients)
    assert result.noise_points >= 4  # the planted outliers at least
    assert result.value == pytest.approx(np.linalg.norm(cluster, axis=1).mean(), rel=0.01)
    # the outliers would have dragged the plain mean far up
    assert np.linalg.norm(gradients, axis=1).mean() > 2 * result.value


def test_threshold_survives_a_random_projection():
    rng = np.random.default_rng(1)
    gradients, cluster = _planted(rng, dims=2000)
    result = _threshold(gradients, random_projection(2000, 32, rng))
    assert result.value == pytest.approx(np.linalg.norm(cluster, axis=1).mean(), rel=0.01)


def test_identical_gradients_keep_their_norm():
    result = _threshold(np.ones((30, 4)))
    assert result.value == pytest.approx(2.0) and result.noise_points == 0


def test_projected_gradients_equal_one_backward_per_sample_then_projected():
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    x = torch.randn(12, 6)
    parameters = sum(p.numel() for p in module.parameters())
    projection = torch.from_numpy(random_projection(parameters, 8, np.random.default_rng(0)))
    norms, points = projected_gradients(module, lambda out: out.sum() ** 2, (x,), projection)
    for i in range(len(x)):
        module.zero_grad()
        (module(x[i : i + 1]).sum() ** 2).backward()
        expected = torch.cat([p.grad.reshape(-1) for p in module.parameters()])
        assert torch.allclose(norms[i], expected.norm(), rtol=1e-5, atol=1e-6)
        assert torch.allclose(points[i], expected @ projection, rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="rows"):
        projected_gradients(module, lambda out: out.sum() ** 2, (x,), projection[:-1])
