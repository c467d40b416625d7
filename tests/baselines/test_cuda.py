"""Every method that trains a network fits and samples on CUDA (skipped where torch sees no GPU)."""

import dataclasses

import pytest

torch = pytest.importorskip("torch")

from baselines.dpgan import DPGAN  # noqa: E402
from baselines.dpganhd import DPGANHD  # noqa: E402
from baselines.dpmedgan import DPMedGAN  # noqa: E402
from baselines.pategan import PATEGAN  # noqa: E402
from bench.api.synthesizer import Budget  # noqa: E402

pytestmark = [pytest.mark.cuda, pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")]

SHORT = {DPGAN: dict(epochs=2.0), DPMedGAN: dict(epochs=2.0), DPGANHD: dict(epochs=2.0),
         PATEGAN: dict(max_iterations=10, teacher_warmup_steps=5, teachers=10)}


@pytest.mark.parametrize("epsilon", [1.0, float("inf")])
@pytest.mark.parametrize("cls", list(SHORT), ids=lambda cls: cls.name)
def test_fits_and_samples_on_cuda(cls, epsilon, mimic_small, mimic_split):
    config = dataclasses.replace(cls.config_for("quick"), **SHORT[cls])
    synth = cls(mimic_small.schema, config, device="cuda")
    synth.fit(mimic_split.train, budget=Budget(epsilon, 1e-5), public=mimic_split.public, seed=0)
    assert {p.device.type for p in synth.generator_.parameters()} == {"cuda"}
    release = synth.sample(200)
    mimic_small.schema.validate(release, what=f"{cls.name} release")  # the same checks as on the CPU
    assert synth.privacy_spent_.details["device"].startswith("cuda")
