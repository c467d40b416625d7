"""The attack interface: score candidate records for membership of the training set.

An attack sees what a real adversary would: the synthetic release, its own
``reference`` sample of the population, the public schema and, for
shadow-model attacks, the right to train the same kind of synthesizer on
data of its own (``bench.evaluate.shadow.ShadowTrainer``). It never sees membership
labels; ``bench.evaluate.membership`` turns its scores into success rates using the
labels the harness holds. Keeping attacks apart from metrics is deliberate:
a metric maps (real, synthetic) to a number, an attack needs labelled
candidates to be scored.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar

import numpy as np
import pandas as pd

from bench.api.profiles import Profiled
from bench.api.tags import AttackTags
from bench.data.schema import Schema


class Attack(Profiled):
    """Base class of every membership-inference attack.

    Subclasses set ``name`` and ``display_name`` and implement ``_fit``
    (look at the release and the reference data) and ``_score`` (one number
    per candidate, higher meaning "more likely a member").

    Class attributes the runner reads:
        tags: Declared capabilities (``bench.api.tags.AttackTags``): shadow models, cost, per-target.
        evaluator_summary: Label-dependent figures the evaluator computes (None: none).
        profiles: Settings per run profile (a dataclass each).
    """

    name: ClassVar[str] = ""
    display_name: ClassVar[str] = ""
    tags: ClassVar[AttackTags] = AttackTags()
    # Figures of the attack's family that need the membership labels (NNAA's adversarial accuracy):
    # a function ``(schema, release, members, non_members, rng) -> {name: value}`` that the evaluator
    # calls, since it alone holds the labels; the attack object never sees them.
    evaluator_summary: ClassVar[Callable[..., dict[str, float]] | None] = None

    def __init__(self, schema: Schema, config: Any = None) -> None:
        self.schema = schema
        self.config = config if config is not None else self.config_for("quick")

    @property
    def targets_per_side(self) -> int | None:
        """Members (and as many non-members) a per-target attack scores; None for the others."""
        return self.config.targets_per_side if self.tags.per_target else None

    def fit(self, release: pd.DataFrame, reference: pd.DataFrame, *, seed: int, shadow=None) -> "Attack":
        self.schema.validate(release, what="synthetic release")
        if self.tags.needs_shadow and shadow is None:
            raise ValueError(f"{self.name}: a shadow-model attack needs a ShadowTrainer")
        self.rng_ = np.random.default_rng([seed, 0xA77])
        self.seed_ = seed
        self.shadow = shadow
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
