"""The conformance suite a synthesizer, attack or metric must pass, shipped for plugin authors.

    from bench.testing import check_synthesizer
    check_synthesizer(MySynthesizer)          # raises AssertionError naming the broken rule

Each check runs the class on a small simulated cohort (``mimic3-sim``, 1,500 patients, or the cohort
given) with its ``smoke`` settings and asserts the contract the harness relies on; it tests the
contract, not the quality. The project's own tests run every registered method through these, and
so do the example plugin's (``examples/bench-example-plugin``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from bench.api.attack import Attack
from bench.api.metric import Metric
from bench.api.synthesizer import Budget, Synthesizer
from bench.api.tags import AttackTags, SynthesizerTags
from bench.data.cohort import Cohort, CohortOptions

SMOKE_PATIENTS = 1_500


def smoke_cohort() -> Cohort:
    """The small simulated cohort the checks use when none is given."""
    from bench.data.simulate import mimic3_sim

    return mimic3_sim(CohortOptions(n_patients=SMOKE_PATIENTS))


def check_synthesizer(cls: type, cohort: Cohort | None = None, *, config: Any = None, budget: Budget | None = None) -> None:
    """``fit`` returns the synthesizer, leaves the split untouched and reports privacy honestly (an
    ``is_dp`` method an accountant's epsilon within the budget; any other, nothing); ``sample(n)``
    gives ``n`` rows that follow the schema; the same seed gives the same rows; sampling before
    fitting is an error."""
    _check_declarations(cls, Synthesizer, SynthesizerTags)
    cohort = cohort or smoke_cohort()
    split = cohort.split(seed=0)
    config = config if config is not None else cls.config_for("smoke")
    budget = budget or Budget(epsilon=1.0, delta=1e-5)
    unfitted = cls.from_cohort(cohort, config)
    try:
        unfitted.sample(5)
    except RuntimeError as exc:
        assert "fit" in str(exc), f"{cls.name}: sampling before fit raised {exc!r}, which does not say to fit"
    else:
        raise AssertionError(f"{cls.name}: sample before fit returned rows")

    before = {part: getattr(split, part).copy() for part in ("train", "public")}
    releases = []
    for _ in range(2):
        synth = cls.from_cohort(cohort, config)
        fitted = synth.fit(split.train, budget=budget, public=split.public, seed=4)
        assert fitted is synth, f"{cls.name}: fit must return the synthesizer itself"
        releases.append(synth.sample(200))
    for part, frame in before.items():  # a split is shared by every cell of its cohort and seed
        pd.testing.assert_frame_equal(getattr(split, part), frame, obj=f"{cls.name} changed the {part} split")
    release = releases[0]
    assert list(release.columns) == cohort.schema.names, f"{cls.name}: the release's columns differ from the schema's"
    assert len(release) == 200, f"{cls.name}: sample(200) gave {len(release)} rows"
    cohort.schema.validate(release, what=f"{cls.name} release")
    pd.testing.assert_frame_equal(releases[0], releases[1], obj=f"{cls.name}: the same seed gave other rows")

    spent = synth.privacy_spent_
    if cls.tags.is_dp:
        assert spent is not None and spent.accountant, f"{cls.name}: a DP method must report its accountant's epsilon"
        assert spent.epsilon <= budget.epsilon * (1 + 1e-9), f"{cls.name}: spent {spent.epsilon} > {budget.epsilon}"
        assert spent.delta <= budget.delta, f"{cls.name}: spent delta {spent.delta} > {budget.delta}"
    else:
        assert spent is None, f"{cls.name}: a method without a DP claim must not report a privacy spend"


def check_attack(cls: type, cohort: Cohort | None = None, *, config: Any = None) -> None:
    """``fit(release, reference)`` returns the attack; ``score(candidates)`` gives one finite number
    per candidate, the same for the same seed; per-target attacks say how many targets a side."""
    _check_declarations(cls, Attack, AttackTags)
    cohort = cohort or smoke_cohort()
    split = cohort.split(seed=0)
    config = config if config is not None else cls.config_for("smoke")
    shadow = _shadow(cohort, split) if cls.tags.needs_shadow else None
    candidates = pd.concat([split.train.head(40), split.holdout.head(40)], ignore_index=True)
    scores = []
    for _ in range(2):
        attack = cls(cohort.schema, config)
        fitted = attack.fit(split.train, split.reference, seed=3, shadow=shadow)
        assert fitted is attack, f"{cls.name}: fit must return the attack itself"
        scores.append(attack.score(candidates))
    assert scores[0].shape == (len(candidates),), f"{cls.name}: expected one score per candidate"
    assert np.isfinite(scores[0]).all(), f"{cls.name}: scores must be finite"
    np.testing.assert_array_equal(scores[0], scores[1], err_msg=f"{cls.name}: the same seed gave other scores")
    if cls.tags.per_target:
        assert attack.targets_per_side and attack.targets_per_side > 0, f"{cls.name}: a per-target attack needs targets_per_side"


def check_metric(cls: type, cohort: Cohort | None = None, *, config: Any = None) -> None:
    """``compute`` gives a number inside the declared range (NaN where undefined), the same for the
    same seed, and the same as its own entry of ``compute_breakdown``; a metric whose outcome the
    cohort does not declare says why instead of failing. The metric runs with ``config`` or its
    ``smoke`` settings."""
    assert isinstance(cls, type) and issubclass(cls, Metric), f"{cls!r} is not a Metric subclass"
    assert cls.name and cls.display_name, f"{cls.__name__} needs a name and a display_name"
    assert cls.goal in ("maximize", "minimize"), f"{cls.name}: goal must be maximize or minimize"
    cohort = cohort or smoke_cohort()
    split = cohort.split(seed=0)
    if cls.not_applicable(cohort.schema):
        return
    real = getattr(split, cls.real_split)
    same = split.train  # a release equal to the training rows
    shuffled = split.train.apply(lambda column: column.sample(frac=1.0, random_state=0).to_numpy())
    metric = cls(config if config is not None else cls.config_for("smoke"))
    values = [metric.compute(real, release, cohort.schema, seed=1) for release in (same, same, shuffled)]
    for value in values:
        assert math.isnan(value) or cls.min_value - 1e-9 <= value <= cls.max_value + 1e-9, \
            f"{cls.name}: {value} outside [{cls.min_value}, {cls.max_value}]"
    assert values[0] == values[1] or (math.isnan(values[0]) and math.isnan(values[1])), \
        f"{cls.name}: the same seed gave {values[0]} and {values[1]}"
    breakdown = metric.compute_breakdown(real, same, cohort.schema, seed=1)
    assert breakdown[cls.name] == values[0] or math.isnan(values[0]), f"{cls.name}: compute and compute_breakdown disagree"


def _check_declarations(cls: type, base: type, tags: type) -> None:
    """A subclass of the group's base class, with a name and tags of the group's kind."""
    assert isinstance(cls, type) and issubclass(cls, base), f"{cls!r} is not a {base.__name__} subclass"
    assert cls.name, f"{cls.__name__} has no name"
    assert isinstance(cls.tags, tags), f"{cls.name}: tags must be a {tags.__name__}"


def _shadow(cohort: Cohort, split):
    """Shadow fits of the cheapest synthesizer (a release of its own rows), as the runner gives an attack."""
    from baselines.raw import RawRelease
    from bench.evaluate.shadow import ShadowTrainer

    return ShadowTrainer(factory=lambda: RawRelease.from_cohort(cohort), budget=Budget(), public=split.public)
