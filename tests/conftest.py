"""Shared fixtures: small simulated cohorts (real model, fewer patients) and their splits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.data.cohort import CohortOptions
from bench.data.simulate import eicu_sim, mimic3_sim

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def mimic_small():
    return mimic3_sim(CohortOptions(n_patients=3000))


@pytest.fixture(scope="session")
def eicu_small():
    return eicu_sim(CohortOptions(n_patients=3000))


@pytest.fixture(scope="session")
def mimic_split(mimic_small):
    return mimic_small.split(seed=0)


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m bench ARGS`` in a subprocess, as a user would."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or REPO,
        timeout=600,
    )
