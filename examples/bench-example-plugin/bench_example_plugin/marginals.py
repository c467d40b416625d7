"""Independent marginals: each column resampled on its own from the training rows."""

from __future__ import annotations

import pandas as pd

from bench.api.synthesizer import Synthesizer
from bench.api.tags import SynthesizerTags


class IndependentMarginals(Synthesizer):
    """Draws every column independently from its empirical training marginal,
    which keeps each column's distribution and destroys every correlation.
    Not differentially private: values are copied from training rows.

    Reference: the "independent marginals" baseline of synthetic-data
    benchmarks (e.g. Stadler, Oprisanu & Troncoso, USENIX Security 2022).
    """

    name = "independent-marginals"
    display_name = "Independent marginals (example plugin)"
    tags = SynthesizerTags(cheap_to_fit=True)  # fits in well under a second: shadow-model attacks run on it

    def _fit(self, train, *, budget, public):
        self.columns_ = {name: train[name].to_numpy() for name in self.schema.names}
        return None  # no differential-privacy claim

    def _sample(self, n: int) -> pd.DataFrame:
        return pd.DataFrame(
            {name: values[self.rng_.integers(0, len(values), n)] for name, values in self.columns_.items()}
        )
