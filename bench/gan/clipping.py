"""Adaptive clipping threshold from public gradients (DP-GAN-HD, eq. 2).

Each step, DP-GAN-HD computes the discriminator's per-sample gradients on a
batch of *public* rows, removes the points DBSCAN marks as noise, and clips the
private per-sample gradients at the mean L2 norm of the rest. Nothing here
reads a private row, so the threshold costs no privacy. DP-SGD's noise is
``noise_multiplier * C`` for whatever C is used, so the accountant's epsilon
does not depend on C.

Choices the paper leaves open (also in ``DPGANHD``'s docstring):

* DBSCAN runs on a seeded Gaussian random projection of the gradients to
  ``projection_dims`` dimensions (distances are preserved up to small
  distortion, Johnson-Lindenstrauss) rather than on the raw gradients, which
  have as many dimensions as the discriminator has parameters.
* ``min_samples`` is fixed (default 5); ``eps`` adapts every step to the
  scale of the gradients: it is the ``eps_quantile`` quantile (default 0.9)
  of each point's distance to its ``min_samples``-th nearest neighbour (the
  k-distance heuristic of Ester et al. 1996). Gradients shrink and grow
  during training; a fixed eps would mark everything or nothing as noise.
* If DBSCAN marks every point as noise, the threshold is the median norm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ClippingThreshold:
    """One step's threshold: ``value`` (C), and how many public gradients DBSCAN dropped."""

    value: float
    noise_points: int
    points: int


def random_projection(dims: int, projection_dims: int, rng: np.random.Generator) -> np.ndarray:
    """A Gaussian (Johnson-Lindenstrauss) projection matrix, drawn once per fit."""
    return (rng.standard_normal((dims, projection_dims)) / np.sqrt(projection_dims)).astype(np.float32)


def adaptive_threshold(
    per_sample_gradients,
    *,
    projection=None,
    min_samples: int = 5,
    eps_quantile: float = 0.9,
) -> ClippingThreshold:
    """C = mean L2 norm of the gradients (rows) that DBSCAN does not mark as noise.

    DBSCAN runs on ``gradients @ projection`` when a projection is given (see
    ``random_projection``); the norms are always those of the full gradients.
    """
    import torch

    gradients = torch.as_tensor(per_sample_gradients, dtype=torch.float32)
    norms = gradients.norm(dim=1)
    if projection is not None and gradients.shape[0] > min_samples:
        gradients = gradients @ torch.as_tensor(projection, dtype=torch.float32, device=gradients.device)
    return threshold_from(norms, gradients, min_samples=min_samples, eps_quantile=eps_quantile)


def threshold_from(norms, points, *, min_samples: int = 5, eps_quantile: float = 0.9) -> ClippingThreshold:
    """``adaptive_threshold`` from the gradients' full L2 ``norms`` and the ``points`` DBSCAN clusters
    (the gradients, or their projection)."""
    from sklearn.cluster import DBSCAN
    from sklearn.neighbors import NearestNeighbors

    norms = norms.detach().cpu().numpy().astype(np.float64) if hasattr(norms, "detach") else np.asarray(norms, np.float64)
    n = len(norms)
    if n <= min_samples:
        return ClippingThreshold(float(np.mean(norms)), 0, n)
    points = points.detach().cpu().numpy() if hasattr(points, "detach") else np.asarray(points)
    points = points.astype(np.float64)
    # distance to the min_samples-th neighbour (the point itself counts as the first, as in DBSCAN)
    distances, _ = NearestNeighbors(n_neighbors=min_samples).fit(points).kneighbors(points)
    eps = float(np.quantile(distances[:, -1], eps_quantile))
    if eps <= 0:  # identical gradients: nothing is an outlier
        return ClippingThreshold(float(np.mean(norms)), 0, n)
    labels = DBSCAN(eps=eps, min_samples=min_samples).fit(points).labels_
    kept = labels != -1
    if not kept.any():
        return ClippingThreshold(float(np.median(norms)), n, n)
    return ClippingThreshold(float(np.mean(norms[kept])), int((~kept).sum()), n)


def projected_gradients(module, loss_of_one, inputs: tuple, projection, parameters_of=None):
    """The per-sample gradients' L2 norms and their projection ``gradients @ projection``, as
    ``per_sample_gradients`` would give them, computed parameter by parameter: the flattened
    gradient matrix (samples x every parameter) is never built, which made up a third of
    DP-GAN-HD's threshold cost."""
    import torch

    grads = _per_sample_gradient_blocks(module, loss_of_one, inputs, parameters_of)
    flats = [block.reshape(block.shape[0], -1) for block in grads.values()]
    parameters = sum(flat.shape[1] for flat in flats)
    if parameters != projection.shape[0]:
        raise ValueError(f"projection has {projection.shape[0]} rows for {parameters} parameters")
    squared, projected, offset = 0.0, 0.0, 0
    for flat in flats:
        squared = squared + torch.linalg.vector_norm(flat, dim=1) ** 2
        projected = projected + flat @ projection[offset:offset + flat.shape[1]]
        offset += flat.shape[1]
    return squared.sqrt(), projected


def per_sample_gradients(module, loss_of_one, inputs: tuple, parameters_of=None):
    """Flattened per-sample gradients (a tensor, one row per sample) of ``loss_of_one(module_output)`` w.r.t. the
    trainable parameters, via torch.func (``vmap`` over ``grad``).

    ``module`` must carry no Opacus hooks (torch.func cannot trace them); pass a
    clean copy as ``module`` and the trained one as ``parameters_of``.
    """
    import torch

    grads = _per_sample_gradient_blocks(module, loss_of_one, inputs, parameters_of)
    return torch.cat([g.reshape(g.shape[0], -1) for g in grads.values()], dim=1)


def _per_sample_gradient_blocks(module, loss_of_one, inputs: tuple, parameters_of=None) -> dict:
    """Per-sample gradients, one tensor (samples x parameter shape) per trainable parameter, in
    ``named_parameters`` order."""
    from torch.func import functional_call, grad, vmap

    source = module if parameters_of is None else parameters_of
    params = {name: p.detach() for name, p in source.named_parameters() if p.requires_grad}

    def loss(params, *one):
        batch = tuple(x.unsqueeze(0) for x in one)
        return loss_of_one(functional_call(module, params, batch))

    return vmap(grad(loss), in_dims=(None,) + (0,) * len(inputs))(params, *inputs)
