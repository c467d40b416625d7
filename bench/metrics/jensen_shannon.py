"""Jensen-Shannon divergence per column, on fixed public bins (base 2, so in [0, 1])."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon

from bench.api.metric import Metric
from bench.data.schema import Column, Schema

CONTINUOUS_BINS = 20


@dataclass(frozen=True)
class JSDConfig:
    """Equal-width bins over a continuous column's public bounds."""

    continuous_bins: int = CONTINUOUS_BINS


def column_histogram(col: Column, values: pd.Series, continuous_bins: int = CONTINUOUS_BINS) -> np.ndarray:
    """Counts on bins fixed by the schema: equal bins over the public bounds
    (plus a missing bin for nullable columns), one bin per category, or 0/1."""
    if col.kind == "continuous":
        raw = values.to_numpy(dtype=np.float64)
        present = raw[~np.isnan(raw)]
        counts, _ = np.histogram(np.clip(present, col.low, col.high), bins=continuous_bins, range=(col.low, col.high))
        return np.r_[counts, np.isnan(raw).sum()] if col.nullable else counts
    if col.kind == "categorical":
        codes = pd.Categorical(values.astype(str), categories=list(col.categories)).codes
        return np.bincount(codes[codes >= 0], minlength=len(col.categories))
    return np.bincount(values.to_numpy(dtype=np.int64), minlength=2)


def per_column_jsd(real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema,
                   continuous_bins: int = CONTINUOUS_BINS) -> np.ndarray:
    out = []
    for col in schema.columns:
        p = column_histogram(col, real[col.name], continuous_bins).astype(np.float64)
        q = column_histogram(col, synthetic[col.name], continuous_bins).astype(np.float64)
        out.append(jensenshannon(p, q, base=2) ** 2)  # scipy returns the distance (square root)
    return np.asarray(out)


class _JensenShannon(Metric):
    goal = "minimize"
    max_value = 1.0
    profiles = {"quick": JSDConfig(), "paper": JSDConfig(), "smoke": JSDConfig()}

    def _compute_breakdown(self, real, synthetic, schema, rng) -> dict[str, float]:
        per_column = per_column_jsd(real, synthetic, schema, self.config.continuous_bins)  # one pass serves the mean and the max
        return {"jsd_mean": float(per_column.mean()), "jsd_max": float(per_column.max())}


class MeanJensenShannon(_JensenShannon):
    """Mean over columns of the Jensen-Shannon divergence of the marginal histograms."""

    name = "jsd_mean"
    display_name = "JSD mean"
    report_rank = 20


class MaxJensenShannon(_JensenShannon):
    """Worst column's Jensen-Shannon divergence."""

    name = "jsd_max"
    display_name = "JSD max"
    report_rank = 30
