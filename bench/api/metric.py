"""The metric interface: (real, synthetic, schema) -> one number, with its direction.

A metric declares, as class attributes, its ``goal`` (``maximize`` or
``minimize``), its range, which real split it is compared against
(``real_split``: ``train`` for fidelity, ``test`` for downstream utility) and
how the tables show it (``display_name``, ``digits``, ``report_rank``), so the
runner and the report never branch on metric names. Its settings (a model's
hyperparameters, a subsample size) are a config dataclass per run profile
(``profiles``, ``bench.api.profiles``), which the cell's record states. A metric that
needs an outcome declares its role (``outcomes``); on a cohort whose schema
does not declare it, the metric is not applicable and the tables say so.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from bench.api.profiles import Profiled
from bench.data.schema import Schema


class Metric(Profiled):
    name: ClassVar[str] = ""
    display_name: ClassVar[str] = ""
    goal: ClassVar[Literal["maximize", "minimize"]] = "minimize"
    min_value: ClassVar[float] = 0.0
    max_value: ClassVar[float] = float("inf")
    real_split: ClassVar[Literal["train", "test"]] = "train"
    outcomes: ClassVar[tuple[str, ...]] = ()  # outcome roles (``bench.data.schema.OUTCOME_ROLES``) it needs
    # How the tables show it: its column is headed ``display_name`` with an arrow for ``goal``, values
    # rounded to ``digits``; columns run by ``report_rank``, then name (a plugin's last by default).
    digits: ClassVar[int] = 4
    report_rank: ClassVar[int] = 1000

    def __init__(self, config: Any = None) -> None:
        self.config = config if config is not None else self.config_for("quick")

    @classmethod
    def not_applicable(cls, schema: Schema) -> str | None:
        """Why this metric cannot be computed on a cohort with this schema, or None."""
        missing = [role for role in cls.outcomes if role not in schema.outcomes]
        return f"the schema declares no {' or '.join(missing)} outcome" if missing else None

    def compute(self, real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema, *, seed: int) -> float:
        return self.compute_breakdown(real, synthetic, schema, seed=seed)[self.name]

    def compute_breakdown(self, real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema, *,
                          seed: int) -> dict[str, float]:
        """This metric's value and those of related metrics the same computation yields, by metric
        name (as SDMetrics' ``compute_breakdown``): the runner computes a metric that an earlier
        breakdown in the cell already gave only once. Each value is what its own ``compute`` gives."""
        values = self._compute_breakdown(real, synthetic, schema, np.random.default_rng([seed, 0x3E7]))
        return {name: float(value) for name, value in values.items()}

    def _compute_breakdown(self, real, synthetic, schema, rng: np.random.Generator) -> dict[str, float]:
        return {self.name: self._compute(real, synthetic, schema, rng)}

    def _compute(self, real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema, rng: np.random.Generator) -> float:
        raise NotImplementedError
