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


def threshold_from(norms, points, *, min_samples: int = 5, eps_quantile: float = 0.9) -> ClippingThreshold:
    """C = mean L2 norm of the gradients that DBSCAN does not mark as noise, from the gradients' full
    L2 ``norms`` and the ``points`` DBSCAN clusters (the gradients, or their projection by
    ``random_projection``), tensors or arrays."""
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
    """The L2 norms of the per-sample gradients of ``loss_of_one(module_output)`` w.r.t. the trainable
    parameters, and their projection ``gradients @ projection``, computed parameter by parameter: the
    flattened gradient matrix (samples x every parameter) is never built, which made up a third of
    DP-GAN-HD's threshold cost. ``module`` must carry no Opacus hooks (torch.func cannot trace them);
    pass a clean copy as ``module`` and the trained one as ``parameters_of``."""
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


def _per_sample_gradient_blocks(module, loss_of_one, inputs: tuple, parameters_of=None) -> dict:
    """Per-sample gradients via torch.func (``vmap`` over ``grad``), one tensor (samples x parameter
    shape) per trainable parameter, in ``named_parameters`` order."""
    from torch.func import functional_call, grad, vmap

    source = module if parameters_of is None else parameters_of
    params = {name: p.detach() for name, p in source.named_parameters() if p.requires_grad}

    def loss(params, *one):
        batch = tuple(x.unsqueeze(0) for x in one)
        return loss_of_one(functional_call(module, params, batch))

    return vmap(grad(loss), in_dims=(None,) + (0,) * len(inputs))(params, *inputs)
