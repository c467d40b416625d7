"""Fresh patients from the simulation model: the attacks' calibration point."""

from __future__ import annotations

import pandas as pd

from bench.errors import BenchInputError
from bench.api.synthesizer import Synthesizer
from bench.api.tags import SynthesizerTags


class OracleSampler(Synthesizer):
    """Ignores the training rows and draws new patients from the structural
    model that generated the cohort (same hospitals as the private split).
    It leaks no membership by construction, so every attack on its release
    must sit at chance, and its fidelity and utility are the best a
    synthesizer could reach at this sample size. Only simulated cohorts have it.

    Reference: bench/data/simulate.py (the population model).
    """

    name = "oracle"
    display_name = "Oracle (fresh draws)"
    # fits in well under a second (shadow-model attacks run on it); samples the simulation model,
    # so `run --all` leaves it out on real cohorts
    tags = SynthesizerTags(cheap_to_fit=True, needs_population=True)

    def __init__(self, schema, config=None, *, device="cpu", population=None, hospitals=None) -> None:
        super().__init__(schema, config, device=device)
        self.population = population
        self.hospitals = hospitals

    @classmethod
    def from_cohort(cls, cohort, config=None, *, device="cpu"):
        if cohort.population is None:
            raise BenchInputError(f"oracle needs a simulated cohort; {cohort.name!r} has no population model")
        hospitals = None
        if cohort.split_plan.public_sites:
            site = cohort.schema.column(cohort.schema.site)
            hospitals = tuple(h for h in site.categories if h not in cohort.split_plan.public_sites)
        return cls(cohort.schema, config, device=device, population=cohort.population, hospitals=hospitals)

    def _fit(self, train, *, budget, public):
        return None  # deliberately learns nothing from the private rows

    def _sample(self, n: int) -> pd.DataFrame:
        return self.population.sample(n, self.rng_, hospitals=self.hospitals)
