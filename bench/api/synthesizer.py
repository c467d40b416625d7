"""The synthesizer interface: ``fit(train, *, budget, public=None, seed)`` and ``sample(n)``.

The base class holds the template: it validates input against the schema,
seeds every random source, times the fit, calls the subclass's ``_fit`` /
``_sample`` (which hold only the algorithm), and checks the output against
the schema. After ``fit``, ``privacy_spent_`` is the privacy the method
actually spent (``PrivacySpent``) or ``None`` for a method that makes no
differential-privacy claim.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from bench.errors import BenchInputError
from bench.api.profiles import Profiled
from bench.api.tags import SynthesizerTags
from bench.data.schema import Schema

BudgetMode = Literal["calibrated", "paper"]


@dataclass(frozen=True)
class Budget:
    """The privacy budget a run grants to each synthesizer.

    Attributes:
        epsilon, delta: Target (epsilon, delta)-DP guarantee. ``epsilon = math.inf``
            is the calibration point: a DP method runs its own training loop
            without privacy (no clipping or noise, exact votes or measurements)
            and reports ``PrivacySpent.no_dp()``.
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
        if not self.epsilon > 0:  # NaN fails too
            raise BenchInputError(f"epsilon must be > 0, got {self.epsilon}")
        if not 0 <= self.delta < 1:
            raise BenchInputError(f"delta must be in [0, 1), got {self.delta}")
        if self.mode not in ("calibrated", "paper"):
            raise BenchInputError(f"budget mode must be 'calibrated' or 'paper', got {self.mode!r}")

    @property
    def private(self) -> bool:
        """False at the calibration point epsilon = inf (train without privacy)."""
        return math.isfinite(self.epsilon)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form for run records: an infinite epsilon is the string ``"inf"``."""
        return {"epsilon": format_epsilon(self.epsilon), "delta": self.delta, "mode": self.mode,
                "allow_overspend": self.allow_overspend}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "Budget":
        return cls(parse_epsilon(values["epsilon"]), values["delta"], values["mode"], values["allow_overspend"])


def parse_epsilon(value: float | int | str) -> float:
    """A record's or a user's epsilon: a positive number, or ``inf`` (also ``"inf"``, ``"∞"``)."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("inf", "infinity", "∞"):
            return math.inf
        try:
            value = float(text)
        except ValueError:
            raise BenchInputError(f"epsilon must be a positive number or inf, got {value!r}") from None
    value = float(value)
    if not value > 0:
        raise BenchInputError(f"epsilon must be > 0, got {value:g}")
    return value


def format_epsilon(epsilon: float) -> float | str:
    """Inverse of ``parse_epsilon`` for JSON: finite values stay numbers, infinity is ``"inf"``."""
    return "inf" if math.isinf(epsilon) else float(epsilon)


def group_privacy(epsilon: float, delta: float, rows: int) -> tuple[float, float]:
    """What an (epsilon, delta)-DP guarantee per row gives a group of ``rows`` rows (one patient's
    stays): (k epsilon, k e^{(k-1) epsilon} delta) (Dwork & Roth 2014, Theorem 2.2 and its
    approximate-DP form)."""
    if rows <= 1:
        return epsilon, delta
    return rows * epsilon, min(1.0, rows * math.exp((rows - 1) * epsilon) * delta)


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

    @classmethod
    def no_dp(cls, budget: Budget, **details: Any) -> "PrivacySpent":
        """What a DP method reports at epsilon = inf: it trained without privacy, so no guarantee."""
        return cls(epsilon=math.inf, delta=budget.delta, accountant=NO_DP,
                   details={"mode": budget.mode, "target_epsilon": "inf", "no_dp": True} | details)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form for run records (an infinite epsilon is ``"inf"``)."""
        return {"epsilon": format_epsilon(self.epsilon), "delta": self.delta, "accountant": self.accountant,
                "details": self.details}


NO_DP = "none (no DP)"  # the accountant named by a fit at epsilon = inf


class Synthesizer(Profiled):
    """Base class of every synthesizer.

    Subclasses set ``name``, ``display_name``, ``tags`` (``bench.api.tags.SynthesizerTags``), optionally a
    ``Config`` dataclass with ``profiles`` (``quick``, ``paper`` and ``smoke`` settings,
    ``bench.api.profiles``),
    and implement ``_fit`` and ``_sample``.
    """

    name: ClassVar[str] = ""
    display_name: ClassVar[str] = ""
    tags: ClassVar[SynthesizerTags] = SynthesizerTags()  # declared capabilities (bench.api.tags)

    def __init__(self, schema: Schema, config: Any = None, *, device: str = "cpu") -> None:
        self.schema = schema
        self.config = config if config is not None else self.config_for("quick")
        self.device = device

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
        if self.tags.is_dp and self.privacy_spent_ is None:
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
