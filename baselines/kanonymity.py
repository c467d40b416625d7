"""k-anonymity by Mondrian multidimensional partitioning."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bench.errors import BenchInputError
from bench.api.synthesizer import Synthesizer
from bench.api.tags import SynthesizerTags


@dataclass(frozen=True)
class KAnonymityConfig:
    """Attributes:
    k: Every combination of quasi-identifier values in the release is shared
        by at least ``k`` rows.
    """

    k: int = 5


class MondrianKAnonymity(Synthesizer):
    """Strict Mondrian multidimensional partitioning over the schema's
    quasi-identifiers, then every row's quasi-identifiers are replaced by its
    equivalence class's representative value; the other columns are released
    as they are (k-anonymity protects against linkage, not attribute disclosure).

    Choices the paper leaves open:

    * Dimension choice: the quasi-identifier with the widest span in the
      partition, normalised by its public domain (bounds width for continuous
      columns, category count for categorical ones); if no cut along it leaves
      ``k`` rows on both sides, the next widest is tried.
    * Cut: at the median. Categorical quasi-identifiers are cut along the
      order of the schema's category list (Mondrian for ordered domains;
      there is no generalisation hierarchy in the schema).
    * Mapping back to a releasable table: a generalised continuous value (a
      range) becomes the range's midpoint; a generalised categorical value (a
      set) becomes the class's most frequent member (ties: first in schema
      order). All rows of a class therefore share identical quasi-identifiers,
      so the table itself is k-anonymous and has the schema's types.

    Reference: LeFevre, DeWitt & Ramakrishnan, "Mondrian Multidimensional
    K-Anonymity", ICDE 2006.
    """

    name = "k-anonymity"
    display_name = "k-Anonymity"
    tags = SynthesizerTags(cheap_to_fit=True)  # fits in well under a second: shadow-model attacks run on it
    profiles = {"quick": KAnonymityConfig(k=5), "paper": KAnonymityConfig(k=5)}

    def _fit(self, train, *, budget, public):
        k = (self.config or KAnonymityConfig()).k
        qis = list(self.schema.quasi_identifiers)
        if not qis:
            raise BenchInputError("k-anonymity: the schema names no quasi-identifiers")
        if len(train) < k:
            raise BenchInputError(f"k-anonymity: {len(train)} training rows cannot form a class of k={k}")
        codes, spans = self._coded(train, qis)
        classes = self._partition(codes, spans, k)
        self.release_ = self._generalise(train, qis, classes)
        sizes = np.array([len(c) for c in classes])
        self.fit_info_ = {"k": k, "equivalence_classes": int(len(classes)), "smallest_class": int(sizes.min())}
        return None

    def _sample(self, n: int) -> pd.DataFrame:
        rows = len(self.release_)
        if n == rows:
            return self.release_.copy()
        return self.release_.iloc[self.rng_.choice(rows, n, replace=n > rows)]

    def _coded(self, train: pd.DataFrame, qis: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Quasi-identifiers as numbers, and the width of each public domain."""
        codes, spans = [], []
        for name in qis:
            col = self.schema.column(name)
            if col.kind == "continuous":
                codes.append(train[name].to_numpy(dtype=np.float64))
                spans.append(col.high - col.low)
            elif col.kind == "categorical":
                codes.append(pd.Categorical(train[name].astype(str), categories=list(col.categories)).codes.astype(np.float64))
                spans.append(max(len(col.categories) - 1, 1))
            else:
                codes.append(train[name].to_numpy(dtype=np.float64))
                spans.append(1.0)
        if np.isnan(np.column_stack(codes)).any():
            raise BenchInputError("k-anonymity: quasi-identifiers must not be missing")
        return np.column_stack(codes), np.asarray(spans)

    @staticmethod
    def _partition(codes: np.ndarray, spans: np.ndarray, k: int) -> list[np.ndarray]:
        """Row indices of each equivalence class."""
        finished, pending = [], [np.arange(len(codes))]
        while pending:
            rows = pending.pop()
            left = _median_cut(codes[rows], spans, k)
            if left is None:
                finished.append(rows)
            else:
                pending += [rows[left], rows[~left]]
        return finished

    def _generalise(self, train: pd.DataFrame, qis: list[str], classes: list[np.ndarray]) -> pd.DataFrame:
        class_of = np.empty(len(train), dtype=np.int64)
        for i, rows in enumerate(classes):
            class_of[rows] = i
        release = train.copy()
        for name in qis:
            col = self.schema.column(name)
            if col.kind == "continuous":
                grouped = train[name].groupby(class_of)
                release[name] = ((grouped.transform("min") + grouped.transform("max")) / 2.0).round(4)
                continue
            if col.kind == "categorical":
                domain = np.asarray(col.categories, dtype=object)
                codes = pd.Categorical(train[name].astype(str), categories=list(col.categories)).codes
            else:
                domain = np.array([0, 1])
                codes = train[name].to_numpy(dtype=np.int64)
            counts = np.zeros((len(classes), len(domain)), dtype=np.int64)
            np.add.at(counts, (class_of, codes), 1)
            release[name] = domain[counts.argmax(axis=1)[class_of]]  # argmax: ties go to schema order
        return release

def _median_cut(part: np.ndarray, spans: np.ndarray, k: int) -> np.ndarray | None:
    """Mask of the left half of an allowable median cut, or None if none exists."""
    widths = (part.max(axis=0) - part.min(axis=0)) / spans
    for dim in np.argsort(-widths, kind="stable"):
        if widths[dim] == 0:
            return None
        values = part[:, dim]
        median = np.median(values)
        for left in (values < median, values <= median):
            if k <= left.sum() <= len(values) - k:
                return left
    return None
