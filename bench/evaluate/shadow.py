"""What a shadow-model attacker may do: train the attacked kind of synthesizer itself.

The attacker knows the method and its settings (Kerckhoffs), so it may fit
fresh copies on data of its own (drawn from its ``reference`` sample) and
look at their releases. It never touches the private split.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from bench.api.synthesizer import Budget, Synthesizer


@dataclass(frozen=True)
class ShadowTrainer:
    """Attributes:
    factory: Builds a fresh, unfitted synthesizer of the attacked kind and config.
    budget: The budget the attacked synthesizer was given.
    public: The public split (public knowledge, so the attacker has it too).
    """

    factory: Callable[[], Synthesizer]
    budget: Budget
    public: pd.DataFrame | None = None

    def release(self, rows: pd.DataFrame, seed: int) -> pd.DataFrame:
        synthesizer = self.factory().fit(rows, budget=self.budget, public=self.public, seed=seed)
        return synthesizer.sample(len(rows))
