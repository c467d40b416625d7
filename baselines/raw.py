"""The "Raw Data" row: release the training rows themselves."""

from __future__ import annotations

import pandas as pd

from bench.api.synthesizer import Synthesizer
from bench.api.tags import SynthesizerTags


class RawRelease(Synthesizer):
    """Releases the private training rows unchanged: the reference point for
    utility (train-on-real) and the worst case for privacy. Asked for more
    rows than it holds, it repeats rows chosen at random.

    Reference: the "Raw Data" row of Table 1 in dp-medgan.txt.
    """

    name = "raw"
    display_name = "Raw Data"
    tags = SynthesizerTags(cheap_to_fit=True)  # fits in well under a second: shadow-model attacks run on it

    def _fit(self, train, *, budget, public):
        self.train_ = train.copy()
        return None

    def _sample(self, n: int) -> pd.DataFrame:
        rows = len(self.train_)
        if n == rows:
            return self.train_.copy()
        index = self.rng_.choice(rows, n, replace=n > rows)
        return self.train_.iloc[index]
