"""The attack interface: score candidate records for membership of the training set.

An attack sees what a real adversary would: the synthetic release, its own
``reference`` sample of the population, and the public schema. It never sees
membership labels; ``bench.membership`` turns its scores into success rates
using the labels the harness holds. Keeping attacks apart from metrics is
deliberate: a metric maps (real, synthetic) to a number, an attack needs
labelled candidates to be scored.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from bench.schema import Schema


class Attack:
    """Base class of every membership-inference attack.

    Subclasses set ``name`` and ``display_name`` and implement ``_fit``
    (look at the release and the reference data) and ``_score`` (one number
    per candidate, higher meaning "more likely a member").
    """

    name: ClassVar[str] = ""
    display_name: ClassVar[str] = ""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema

    def fit(self, release: pd.DataFrame, reference: pd.DataFrame, *, seed: int) -> "Attack":
        self.schema.validate(release, what="synthetic release")
        self.rng_ = np.random.default_rng([seed, 0xA77])
        self._fit(release, reference)
        return self

    def score(self, candidates: pd.DataFrame) -> np.ndarray:
        scores = np.asarray(self._score(candidates), dtype=np.float64)
        if scores.shape != (len(candidates),):
            raise RuntimeError(f"{self.name}: expected one score per candidate")
        return scores

    def _fit(self, release: pd.DataFrame, reference: pd.DataFrame) -> None:
        raise NotImplementedError

    def _score(self, candidates: pd.DataFrame) -> np.ndarray:
        raise NotImplementedError
