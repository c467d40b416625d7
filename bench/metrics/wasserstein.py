"""Wasserstein-1 distance per standardised continuous column, averaged."""

from __future__ import annotations

import numpy as np
from scipy.stats import wasserstein_distance

from bench.api.metric import Metric


class MeanWasserstein(Metric):
    """Mean over continuous columns of W1 between real and synthetic values,
    both standardised by the real column's mean and standard deviation so
    columns in different units weigh the same. Missing values are dropped;
    a column missing entirely on one side counts as the largest distance
    seen on the others (it cannot be compared, and must not look perfect).
    """

    name = "wasserstein"
    display_name = "Wasserstein"
    goal = "minimize"
    report_rank = 40

    def _compute(self, real, synthetic, schema, rng) -> float:
        distances, incomparable = [], 0
        for col in schema.of_kind("continuous"):
            r = real[col.name].to_numpy(dtype=np.float64)
            s = synthetic[col.name].to_numpy(dtype=np.float64)
            r, s = r[~np.isnan(r)], s[~np.isnan(s)]
            if len(r) == 0 or len(s) == 0:
                incomparable += 1
                continue
            scale = r.std() or 1.0
            distances.append(wasserstein_distance((r - r.mean()) / scale, (s - r.mean()) / scale))
        if not distances:
            return float("nan")
        distances += [max(distances)] * incomparable
        return float(np.mean(distances))
