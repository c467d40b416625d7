"""DP-GAN and DP-MedGAN: the ledger is the one DP-SGD really ran; nothing private escapes it."""

import dataclasses

import numpy as np
import pytest

from bench.privacy.sgd import epsilon_for
from bench.api.registry import registry
from bench.api.synthesizer import NO_DP, Budget

SYNTHESIZERS = registry("synthesizers")


def _fit(name, cohort, split, budget=Budget(), epochs=0.3, seed=0):
    cls = SYNTHESIZERS.load(name)
    config = dataclasses.replace(cls.config_for("quick"), epochs=epochs)
    return cls.from_cohort(cohort, config).fit(split.train, budget=budget, public=split.public, seed=seed)


@pytest.mark.parametrize("name", ["dp-gan", "dp-medgan"])
def test_ledger_matches_the_steps_really_run(name, mimic_small, mimic_split):
    synth = _fit(name, mimic_small, mimic_split)
    spent = synth.privacy_spent_
    history = [(h["noise_multiplier"], h["sample_rate"], h["steps"]) for h in spent.details["sgd_history"]]
    assert sum(h[2] for h in history) == spent.details["steps"] == synth.fit_info_["steps"] > 0
    outside = sum(spent.details["epsilon_outside_sgd"].values())
    assert spent.epsilon == pytest.approx(epsilon_for(history, 1e-5) + outside)
    assert spent.epsilon <= 1.0 and spent.accountant == "rdp"
    assert history[0][1] == pytest.approx(1 / np.ceil(len(mimic_split.train) / synth.config.batch_size))  # Opacus' real rate
    assert history[0][1] == pytest.approx(spent.details["sample_rate"])


def test_dp_medgan_charges_its_condition_marginals(mimic_small, mimic_split):
    spent = _fit("dp-medgan", mimic_small, mimic_split).privacy_spent_
    assert spent.details["epsilon_outside_sgd"] == {"condition histograms (diffprivlib)": pytest.approx(0.05)}
    unconditional = _fit("dp-medgan-unconditional", mimic_small, mimic_split).privacy_spent_
    assert unconditional.details["epsilon_outside_sgd"] == {}


def test_paper_mode_with_overspend_reports_what_it_spent(mimic_small, mimic_split):
    budget = Budget(epsilon=0.05, delta=1e-5, mode="paper", allow_overspend=True)
    spent = _fit("dp-gan", mimic_small, mimic_split, budget=budget, epochs=1.0).privacy_spent_
    assert spent.details["noise_multiplier"] == 1.5
    assert spent.epsilon > 0.05 and spent.details["overspent"]
    strict = _fit("dp-gan", mimic_small, mimic_split, budget=Budget(epsilon=0.05, delta=1e-5, mode="paper"), epochs=1.0)
    assert strict.privacy_spent_.epsilon <= 0.05 and strict.privacy_spent_.details["stopped_at_budget"]


def test_generated_records_carry_their_condition_and_follow_the_schema(mimic_small, mimic_split):
    synth = _fit("dp-medgan", mimic_small, mimic_split)
    release = synth.sample(500)
    mimic_small.schema.validate(release)
    # conditions come from DP marginals, so every category of a condition can appear
    assert release["care_unit"].nunique() >= 3
    assert set(release["sex"]) <= {"F", "M"}


def test_same_seed_same_release(mimic_small, mimic_split):
    a = _fit("dp-gan", mimic_small, mimic_split, seed=5).sample(200)
    b = _fit("dp-gan", mimic_small, mimic_split, seed=5).sample(200)
    assert a.equals(b)
    assert not np.allclose(a["age"], _fit("dp-gan", mimic_small, mimic_split, seed=6).sample(200)["age"])


@pytest.mark.parametrize("name", ["dp-gan", "dp-medgan", "dp-gan-hd"])
def test_epsilon_inf_trains_without_an_opacus_engine_and_says_no_dp(name, mimic_small, mimic_split, monkeypatch):
    import opacus

    def no_engine(*args, **kwargs):
        raise AssertionError("an Opacus engine was built at epsilon = inf")

    monkeypatch.setattr(opacus, "PrivacyEngine", no_engine)
    synth = _fit(name, mimic_small, mimic_split, budget=Budget(epsilon=float("inf")), epochs=0.1)
    spent = synth.privacy_spent_
    assert spent.accountant == NO_DP and spent.details["no_dp"] and spent.epsilon == float("inf")
    assert "sgd_history" not in spent.details and "noise_multiplier" not in spent.details
    assert spent.details["steps"] == synth.fit_info_["steps"] > 0
    assert spent.to_dict()["epsilon"] == "inf"  # JSON-safe in a record


def test_outcomes_are_drawn_jointly_from_their_histogram(mimic_small, mimic_split):
    """DP-GAN's generator is conditioned on the outcomes: their combinations come from one
    joint histogram, so a combination absent from the rows (died and readmitted) is never drawn."""
    from bench.data.encoding import TableEncoder
    from bench.gan.nn import DPConditionSampler

    train, schema = mimic_split.train, mimic_small.schema
    assert not ((train["mortality"] == 1) & (train["readmission"] == 1)).any()
    encoder = TableEncoder(schema)
    groups = [("mortality", "readmission")]
    sampler = DPConditionSampler(encoder, schema, float("inf"), groups).fit(train, np.random.default_rng(0))
    drawn = sampler.sample(20_000, np.random.default_rng(1))
    order = [b.column for b in sampler.columns]
    mortality, readmission = (drawn[:, order.index(name)] for name in ("mortality", "readmission"))
    assert not ((mortality == 1) & (readmission == 1)).any()
    assert mortality.mean() == pytest.approx(train["mortality"].mean(), abs=0.01)
    independent = DPConditionSampler(encoder, schema, float("inf"), [("mortality",), ("readmission",)])
    drawn = independent.fit(train, np.random.default_rng(0)).sample(20_000, np.random.default_rng(1))
    assert ((drawn[:, 0] == 1) & (drawn[:, 1] == 1)).any()  # drawn apart, the impossible pair appears
    synth = registry("synthesizers").load("dp-gan")
    assert synth.config_for("quick").condition_on_outcomes and synth.config_for("paper").condition_on_outcomes
