"""The synthesizer interface: ``fit(train, *, budget, public=None, seed)`` and ``sample(n)``.

The base class holds the template: it validates input against the schema,
seeds every random source, times the fit, calls the subclass's ``_fit`` /
``_sample`` (which hold only the algorithm), and checks the output against
the schema. After ``fit``, ``privacy_spent_`` is the privacy the method
actually spent (``PrivacySpent``) or ``None`` for a method that makes no
differential-privacy claim.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from bench.errors import BenchInputError
from bench.schema import Schema

BudgetMode = Literal["calibrated", "paper"]


@dataclass(frozen=True)
class Budget:
    """The privacy budget a run grants to each synthesizer.

    Attributes:
        epsilon, delta: Target (epsilon, delta)-DP guarantee.
        mode: ``calibrated`` sets the noise so the whole training spends the
            target; ``paper`` uses the papers' fixed settings and stops when
            the target is spent.
        allow_overspend: In ``paper`` mode, run the papers' full schedule even
            past the target; the tables then mark the epsilon actually spent.
    """

    epsilon: float = 1.0
    delta: float = 1e-5
    mode: BudgetMode = "calibrated"
    allow_overspend: bool = False

    def __post_init__(self) -> None:
        if not self.epsilon > 0:
            raise BenchInputError(f"epsilon must be > 0, got {self.epsilon}")
        if not 0 <= self.delta < 1:
            raise BenchInputError(f"delta must be in [0, 1), got {self.delta}")
        if self.mode not in ("calibrated", "paper"):
            raise BenchInputError(f"budget mode must be 'calibrated' or 'paper', got {self.mode!r}")


@dataclass(frozen=True)
class PrivacySpent:
    """What a DP fit really spent, as its accountant computed it.

    Attributes:
        epsilon, delta: The spent guarantee.
        accountant: Name of the accountant that computed it (``rdp``, ``prv``, ...).
        details: The ledger: sampling rate, steps, noise multiplier, clipping
            norm, budget spent outside SGD, and so on.
    """

    epsilon: float
    delta: float
    accountant: str
    details: dict[str, Any] = field(default_factory=dict)


class Synthesizer:
    """Base class of every synthesizer.

    Subclasses set ``name``, ``display_name``, ``is_dp``, optionally a
    ``Config`` dataclass with ``profiles`` (``quick`` and ``paper`` settings),
    and implement ``_fit`` and ``_sample``.
    """

    name: ClassVar[str] = ""
    display_name: ClassVar[str] = ""
    is_dp: ClassVar[bool] = False
    # Cheap methods are also attacked with shadow models (many refits) in the quick profile.
    cheap_to_fit: ClassVar[bool] = False
    # An ablation runs only when named (``--synthesizer``), not in ``run --all``.
    ablation_of: ClassVar[str | None] = None
    # Samples the cohort's simulation model: `run --all` leaves it out on real cohorts.
    needs_population: ClassVar[bool] = False
    profiles: ClassVar[dict[str, Any]] = {}

    def __init__(self, schema: Schema, config: Any = None, *, device: str = "cpu") -> None:
        self.schema = schema
        self.config = config
        self.device = device

    @classmethod
    def config_for(cls, profile: str) -> Any:
        """The settings this method uses under a run profile (``None`` if it has none)."""
        if not cls.profiles:
            return None
        return cls.profiles.get(profile, cls.profiles.get("quick"))

    @classmethod
    def from_cohort(cls, cohort, config: Any = None, *, device: str = "cpu") -> "Synthesizer":
        """Build for a cohort; override when a method needs more than the schema."""
        return cls(cohort.schema, config, device=device)

    # -- template methods ----------------------------------------------------
    def fit(
        self,
        train: pd.DataFrame,
        *,
        budget: Budget,
        public: pd.DataFrame | None = None,
        seed: int,
    ) -> "Synthesizer":
        self.schema.validate(train, what="training data")
        if public is not None and len(public):
            self.schema.validate(public, what="public data")
        self._seed_everything(seed)
        self.seed_ = seed
        self.rng_ = np.random.default_rng([seed, 0xF17])
        start = time.perf_counter()
        self.privacy_spent_: PrivacySpent | None = self._fit(train, budget=budget, public=public)
        self.fit_seconds_ = time.perf_counter() - start
        if self.is_dp and self.privacy_spent_ is None:
            raise RuntimeError(f"{self.name}: a DP synthesizer must report the privacy it spent")
        return self

    def sample(self, n: int) -> pd.DataFrame:
        if not hasattr(self, "seed_"):
            raise RuntimeError(f"{self.name}: call fit before sample")
        if n <= 0:
            raise BenchInputError(f"sample size must be positive, got {n}")
        table = self._sample(n).reset_index(drop=True)
        self.schema.validate(table, what=f"{self.name} output")
        return table[self.schema.names]

    # -- what subclasses implement ------------------------------------------
    def _fit(self, train: pd.DataFrame, *, budget: Budget, public: pd.DataFrame | None) -> PrivacySpent | None:
        raise NotImplementedError

    def _sample(self, n: int) -> pd.DataFrame:
        raise NotImplementedError

    def _torch_device(self):
        """The torch device of a method with ``uses_device`` (``auto``: CUDA when present)."""
        import torch

        return torch.device(self.device if self.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu"))

    @staticmethod
    def _seed_everything(seed: int) -> None:
        # Global generators, for libraries that use them; methods should prefer
        # ``self.rng_`` (and seed torch from ``self.seed_`` when they use it).
        random.seed(seed)
        np.random.seed(seed % 2**32)
