"""Declared capabilities of synthesizers and attacks (frozen, with defaults), in the manner of
scikit-learn's estimator tags: the harness reads a class's ``tags`` and never probes for an
attribute. A subclass declares its own by ``dataclasses.replace`` of its parent's tags."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SynthesizerTags:
    """What the harness may rely on about a synthesizer class.

    Attributes:
        is_dp: The fit returns a ``PrivacySpent`` from an accountant; the method gets one cell per
            budget of the run.
        reference: A method a user would pick instead of the DP-MedGAN paper's rows (SDV, AIM,
            MST): run by ``run --all``, shown under "References", not as a row of the paper.
        uses_device: Trains torch networks and takes ``--device``.
        cheap_to_fit: Fits in well under a second, so shadow-model attacks (many refits) run on
            it in the quick profile.
        needs_population: Samples the cohort's simulation model; ``run --all`` leaves it out on
            real cohorts.
        ablation_of: The method this one ablates; it runs only when named (``--synthesizer``).
        generator_cluster: Trains a cluster of generators (``bench perf`` times it per cluster size).
    """

    is_dp: bool = False
    reference: bool = False
    uses_device: bool = False
    cheap_to_fit: bool = False
    needs_population: bool = False
    ablation_of: str | None = None
    generator_cluster: bool = False


@dataclass(frozen=True)
class AttackTags:
    """What the harness may rely on about an attack class.

    Attributes:
        needs_shadow: Trains shadow synthesizers (it is given a ``ShadowTrainer``).
        expensive: Runs only on synthesizers tagged ``cheap_to_fit``, unless the profile is ``paper``.
        per_target: Scores only the most outlying members and as many non-members, one target at a
            time; its config then has ``targets_per_side``.
    """

    needs_shadow: bool = False
    expensive: bool = False
    per_target: bool = False
