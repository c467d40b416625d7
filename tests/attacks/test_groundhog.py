"""Groundhog's machinery, on a case it must win: extreme targets in a raw release."""

import numpy as np
import pandas as pd

from attacks.groundhog import Groundhog, GroundhogConfig
from baselines.raw import RawRelease
from bench.evaluate.membership import evaluate_membership
from bench.evaluate.shadow import ShadowTrainer
from bench.api.synthesizer import Budget


def _extreme(row: pd.Series, schema, rng) -> pd.Series:
    row = row.copy()
    for col in schema.of_kind("continuous"):
        row[col.name] = col.high if rng.random() < 0.5 else col.low  # far from every real patient
    return row


def test_extreme_targets_in_a_raw_release_are_found(mimic_small):
    schema = mimic_small.schema
    rng = np.random.default_rng(0)
    split = mimic_small.split(seed=0)
    reference = split.reference.reset_index(drop=True)
    targets = pd.DataFrame([_extreme(split.holdout.iloc[i], schema, rng) for i in range(6)]).reset_index(drop=True)
    targets = targets.astype(reference.dtypes.to_dict())
    is_member = np.array([True, True, True, False, False, False])
    m = len(reference) // 2
    train = pd.concat([split.train.iloc[: m - 3], targets[is_member]], ignore_index=True)
    release = RawRelease(schema).fit(train, budget=Budget(), seed=0).sample(len(train))
    shadow = ShadowTrainer(factory=lambda: RawRelease(schema), budget=Budget())
    attack = Groundhog(schema, GroundhogConfig(n_shadow=32, targets_per_side=3)).fit(release, reference, seed=0, shadow=shadow)
    scores = attack.score(targets)
    assert scores[is_member].min() > scores[~is_member].max(), scores
    assert evaluate_membership(scores, is_member, np.random.default_rng(0)).auc == 1.0


def test_groundhog_never_trains_on_the_private_split(mimic_small):
    schema = mimic_small.schema
    split = mimic_small.split(seed=0)
    seen = []

    class Recording(RawRelease):
        def _fit(self, train, *, budget, public):
            seen.append(train)
            return super()._fit(train, budget=budget, public=public)

    release = RawRelease(schema).fit(split.train, budget=Budget(), seed=0).sample(len(split.train))
    targets = split.holdout.iloc[:4].reset_index(drop=True)
    shadow = ShadowTrainer(factory=lambda: Recording(schema), budget=Budget())
    Groundhog(schema, GroundhogConfig(n_shadow=8, targets_per_side=2)).fit(release, split.reference, seed=0, shadow=shadow).score(targets)
    private = set(map(tuple, split.train.astype(str).to_numpy()))
    allowed = set(map(tuple, pd.concat([split.reference, targets]).astype(str).to_numpy()))
    assert len(seen) == 8
    for table in seen:
        rows = set(map(tuple, table.astype(str).to_numpy()))
        assert rows <= allowed and not rows & private
