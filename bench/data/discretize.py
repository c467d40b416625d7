"""A discrete view of a cohort table, built from the public schema alone.

Marginal-based synthesizers (AIM, MST) work on a table of small integer
codes. Each column becomes one discrete attribute:

* continuous: ``bins`` bins over the schema's public bounds ``[low, high]``
  (a value equal to ``high`` falls in the last bin), with the edges of
  ``bench.data.binned_encoding.bin_edges``: equal-width, or equal-width in
  log(value) for a positive column whose bounds span a factor of
  ``log_ratio`` or more (the skewed laboratory values); a nullable column
  adds one more code, ``bins``, for a missing value;
* categorical: the index in the schema's category list;
* binary: 0 or 1.

Nothing here looks at private rows: the bin edges come from the schema, so
discretising costs no privacy budget. Decoding maps a code back to a value:
a continuous bin to a uniform draw inside the bin (on the log scale for log
bins) from the caller's seeded generator, the missing code to NaN, a
category index to the category.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd

from bench.data.binned_encoding import bin_edges
from bench.data.schema import Column, Schema


class Discretizer:
    """Encode a table to integer codes per column (and back) using only the schema.

    Args:
        schema: The cohort's public schema.
        bins: Bins per continuous column (a nullable column has ``bins + 1``
            codes, the last one meaning missing).
        log_ratio: high / low from which a positive column is binned on the
            log scale (``inf``: every column equal-width).
    """

    def __init__(self, schema: Schema, bins: int, log_ratio: float = math.inf) -> None:
        if bins < 1:
            raise ValueError(f"bins must be at least 1, got {bins}")
        self.schema = schema
        self.bins = int(bins)
        self.log_ratio = float(log_ratio)
        self._edges = {col.name: bin_edges(col, self.bins, self.log_ratio)
                       for col in schema.columns if col.kind == "continuous"}

    @property
    def names(self) -> list[str]:
        return self.schema.names

    def size(self, name: str) -> int:
        """Number of codes of one column."""
        col = self.schema.column(name)
        if col.kind == "continuous":
            return self.bins + int(col.nullable)
        if col.kind == "categorical":
            return len(col.categories)
        return 2

    def sizes(self) -> dict[str, int]:
        """Number of codes of every column, in table order."""
        return {name: self.size(name) for name in self.names}

    def edges(self, name: str) -> np.ndarray:
        """The ``bins + 1`` public bin edges of a continuous column."""
        if name not in self._edges:
            raise ValueError(f"column {name!r} is not continuous")
        return self._edges[name][0]

    def is_log(self, name: str) -> bool:
        """Whether a continuous column is binned on the log scale."""
        return self._edges[name][1]

    def encode(self, table: pd.DataFrame) -> dict[str, np.ndarray]:
        """Codes (int64 arrays, one per column) of a schema-valid table."""
        return {col.name: self._encode_column(col, table[col.name]) for col in self.schema.columns}

    def decode(self, codes: Mapping[str, np.ndarray], rng: np.random.Generator) -> pd.DataFrame:
        """A schema-valid table from codes; continuous values are drawn uniformly in their bin."""
        columns = {}
        for col in self.schema.columns:
            code = np.asarray(codes[col.name], dtype=np.int64)
            if code.size and (code.min() < 0 or code.max() >= self.size(col.name)):
                raise ValueError(f"column {col.name!r}: codes outside [0, {self.size(col.name)})")
            columns[col.name] = self._decode_column(col, code, rng)
        return pd.DataFrame(columns)

    # -- one column ---------------------------------------------------------
    def _encode_column(self, col: Column, values: pd.Series) -> np.ndarray:
        if col.kind == "categorical":
            return pd.Categorical(values.astype(str), categories=list(col.categories)).codes.astype(np.int64)
        raw = values.to_numpy(dtype=np.float64)
        if col.kind == "binary":
            return raw.astype(np.int64)
        missing = np.isnan(raw)
        edges = self.edges(col.name)
        code = np.clip(np.searchsorted(edges, np.where(missing, col.low, raw), side="right") - 1, 0, self.bins - 1)
        return np.where(missing, self.bins, code) if col.nullable else code

    def _decode_column(self, col: Column, code: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if col.kind == "categorical":
            return np.asarray(col.categories, dtype=object)[code]
        if col.kind == "binary":
            return code
        edges = self.edges(col.name)
        bin_ = np.minimum(code, self.bins - 1)
        offset = rng.random(len(code))  # uniform position inside the bin, [0, 1)
        if self.is_log(col.name):
            low, high = np.log(edges[bin_]), np.log(edges[bin_ + 1])
            values = np.exp(low + offset * (high - low))
        else:
            values = edges[bin_] + offset * (edges[bin_ + 1] - edges[bin_])
        values = np.clip(values, col.low, col.high)
        return np.where(code < self.bins, values, np.nan)
