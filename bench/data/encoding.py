"""One numeric encoding of a cohort table, built from the public schema alone.

Every distance-based piece of the harness (MMD, the distance-to-closest-record
attack, later the GANs' inputs) works on this encoding, so that their numbers
are comparable across methods:

* continuous: scaled to [0, 1] by the schema's public bounds; a nullable
  column adds a 0/1 missing indicator and encodes a missing value as 0;
* categorical: one-hot over the schema's category list;
* binary (including multi-label groups): 0 or 1 as is.

Because nothing is fitted on data, encoding costs no privacy budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bench.data.schema import Schema


@dataclass(frozen=True)
class EncodedBlock:
    """Where one source column lands in the encoded matrix."""

    column: str
    kind: str
    start: int
    width: int


class TableEncoder:
    """Encode a table to a float32 matrix (and back) using only the schema.

    Args:
        schema: The cohort's public schema.
        exclude: Columns to leave out (for example the outcome being predicted).
    """

    def __init__(self, schema: Schema, exclude: tuple[str, ...] = ()) -> None:
        self.schema = schema
        self.exclude = tuple(exclude)
        self.blocks: list[EncodedBlock] = []
        self.feature_names: list[str] = []
        for col in schema.columns:
            if col.name in self.exclude:
                continue
            if col.kind == "continuous":
                names = [col.name] + ([f"{col.name}__missing"] if col.nullable else [])
            elif col.kind == "categorical":
                names = [f"{col.name}={c}" for c in col.categories]
            else:
                names = [col.name]
            self.blocks.append(EncodedBlock(col.name, col.kind, len(self.feature_names), len(names)))
            self.feature_names.extend(names)

    @property
    def width(self) -> int:
        return len(self.feature_names)

    def transform(self, table: pd.DataFrame) -> np.ndarray:
        out = np.zeros((len(table), self.width), dtype=np.float32)
        for block in self.blocks:
            col = self.schema.column(block.column)
            values = table[block.column]
            if block.kind == "continuous":
                raw = values.to_numpy(dtype=np.float64)
                missing = np.isnan(raw)
                scaled = np.clip((raw - col.low) / (col.high - col.low), 0.0, 1.0)
                out[:, block.start] = np.where(missing, 0.0, scaled)
                if col.nullable:
                    out[:, block.start + 1] = missing
            elif block.kind == "categorical":
                # pandas stores the codes as int8 for up to 127 categories: widen before adding the
                # offset, or it overflows past encoded column 127 (or wraps into the wrong column)
                codes = pd.Categorical(values.astype(str), categories=list(col.categories)).codes.astype(np.int64)
                rows = np.flatnonzero(codes >= 0)
                out[rows, block.start + codes[rows]] = 1.0
            else:
                out[:, block.start] = values.to_numpy(dtype=np.float64)
        return out

    def inverse_transform(self, matrix: np.ndarray) -> pd.DataFrame:
        """Decode a matrix (for example a generator's output) back to a schema-valid table.

        Continuous values are clipped to the public bounds; a missing indicator
        above 0.5 makes the value missing; categoricals take the arg-max
        category; binaries are thresholded at 0.5.
        """
        columns: dict[str, np.ndarray] = {}
        for block in self.blocks:
            col = self.schema.column(block.column)
            part = matrix[:, block.start : block.start + block.width]
            if block.kind == "continuous":
                values = col.low + np.clip(part[:, 0], 0.0, 1.0) * (col.high - col.low)
                if col.nullable:
                    values = np.where(part[:, 1] > 0.5, np.nan, values)
                columns[col.name] = values.astype(np.float64)
            elif block.kind == "categorical":
                columns[col.name] = np.asarray(col.categories, dtype=object)[part.argmax(axis=1)]
            else:
                columns[col.name] = (part[:, 0] > 0.5).astype(np.int64)
        return pd.DataFrame(columns)
