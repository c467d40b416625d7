"""Run configuration: a frozen dataclass, read from a TOML file, then overridden by flags.

Example ``run.toml``::

    cohorts = ["mimic3-sim", "eicu-sim"]
    synthesizers = ["raw", "k-anonymity"]   # empty or absent: every registered one
    attacks = ["dcr", "domias"]              # likewise for attacks and metrics
    seeds = [0, 1, 2]
    epsilons = [0.1, 1, inf]                 # one cell per epsilon for DP methods (inf: no privacy)
    delta = 1e-5
    profile = "quick"                        # or "paper"
    budget_mode = "calibrated"               # or "paper"
    allow_overspend = false
    results_dir = "results"

Profiles: ``quick`` fits a laptop CPU: each synthesizer's ``profiles["quick"]``
shrinks its training (documented in its own config class and the README);
``paper`` uses the settings of the papers in ``shared/papers``.
Evaluation (splits, attacks, metrics) is identical in both.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.errors import BenchInputError
from bench.api.synthesizer import parse_epsilon

DEFAULT_COHORTS = ("mimic3-sim", "eicu-sim")
PROFILES = ("quick", "paper")


@dataclass(frozen=True)
class RunConfig:
    """Everything that selects the cells of a run.

    Attributes:
        cohorts: Cohort names (registry ``bench.cohorts``).
        synthesizers: Synthesizer names; empty means every registered one.
        attacks, metrics: Attack and metric names; empty means every registered one.
        seeds: One cell per seed; a seed fixes the split, the fit and the attacks.
        epsilons: The privacy budgets; every DP synthesizer gets one cell per epsilon
            (``math.inf`` is the calibration point: the same training without
            privacy). Methods without a DP claim get one cell, whatever the epsilons.
        delta: The delta given with every finite epsilon.
        budget_mode: ``calibrated`` or ``paper`` (see ``bench.api.synthesizer.Budget``).
        allow_overspend: In ``paper`` mode, keep training past the target epsilon.
        profile: ``quick`` or ``paper``.
        device: ``auto``, ``cpu`` or ``cuda`` for methods that train networks.
        results_dir: Where records and tables go.
        force: Recompute cells that already have a record.
        n_patients: Size override for simulated cohorts.
        data_dir: Folder of a real database export (real cohorts).
        csv, schema: A CSV file and its schema JSON (the ``csv`` cohort).
        executor: ``local`` (processes on this machine) or ``ray`` (``bench.run.executors``).
        jobs: Cells run at once by the local executor (default: the cores available);
            each gets the cores divided by ``jobs`` as its threads. With ``ray``, the
            cores available divided by ``jobs`` are each task's CPUs (default 1).
        address: A Ray cluster to join (``ray`` only); without one a local cluster starts.
    """

    cohorts: tuple[str, ...] = DEFAULT_COHORTS
    synthesizers: tuple[str, ...] = ()
    attacks: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    seeds: tuple[int, ...] = (0, 1, 2)
    epsilons: tuple[float, ...] = (1.0,)
    delta: float = 1e-5
    budget_mode: str = "calibrated"
    allow_overspend: bool = False
    profile: str = "quick"
    device: str = "auto"
    results_dir: Path = Path("results")
    force: bool = False
    n_patients: int | None = None
    data_dir: Path | None = None
    csv: Path | None = None
    schema: Path | None = None
    executor: str = "local"
    jobs: int | None = None
    address: str | None = None

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise BenchInputError(f"unknown profile {self.profile!r}; expected one of {', '.join(PROFILES)}")
        if not self.seeds:
            raise BenchInputError("at least one seed is needed")
        if not self.cohorts:
            raise BenchInputError("at least one cohort is needed")
        if not self.epsilons:
            raise BenchInputError("at least one epsilon is needed")
        if len(set(self.epsilons)) != len(self.epsilons):
            raise BenchInputError(f"epsilons repeat: {', '.join(map(_epsilon_text, self.epsilons))}")
        if self.device not in ("auto", "cpu", "cuda") and not self.device.startswith("cuda:"):
            raise BenchInputError(f"unknown device {self.device!r}; expected auto, cpu or cuda")
        if self.executor not in ("local", "ray"):
            raise BenchInputError(f"unknown executor {self.executor!r}; expected local or ray")
        if self.jobs is not None and self.jobs < 1:
            raise BenchInputError(f"--jobs must be at least 1, got {self.jobs}")
        if self.address and self.executor != "ray":
            raise BenchInputError("--address is for --executor ray")
        if self.n_patients is not None and self.n_patients < 50:
            raise BenchInputError(f"--patients must be at least 50, got {self.n_patients}")


def load_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML run configuration and check its keys against ``RunConfig``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise BenchInputError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise BenchInputError(f"config file {path}: not valid TOML ({exc})") from None
    known = {f.name for f in dataclasses.fields(RunConfig)} | {"epsilon"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise BenchInputError(f"config file {path}: unknown key(s) {', '.join(unknown)}")
    return data


def build_config(file_values: dict[str, Any], overrides: dict[str, Any]) -> RunConfig:
    """Defaults, then the TOML file, then command-line flags (those not ``None``)."""
    values = dict(file_values)
    if "epsilon" in values:  # a single-budget TOML file
        if "epsilons" in values:
            raise BenchInputError("give either epsilon or epsilons in the config file, not both")
        values["epsilons"] = [values.pop("epsilon")]
    values.update({k: v for k, v in overrides.items() if v is not None})
    for key in ("cohorts", "synthesizers", "attacks", "metrics", "seeds"):
        if key in values:
            values[key] = tuple(values[key])
    if "epsilons" in values:
        raw = values["epsilons"]
        values["epsilons"] = tuple(parse_epsilon(v) for v in ([raw] if isinstance(raw, (int, float, str)) else raw))
    for key in ("results_dir", "data_dir", "csv", "schema"):
        if values.get(key) is not None:
            values[key] = Path(values[key])
    try:
        return RunConfig(**values)
    except TypeError as exc:
        raise BenchInputError(f"bad configuration: {exc}") from None


def parse_epsilons(text: str) -> tuple[float, ...]:
    """``--epsilon 0.1,0.3,1,inf``: a comma list of positive numbers and ``inf``."""
    parts = [part for part in text.split(",") if part.strip()]
    if not parts:
        raise BenchInputError(f"--epsilon needs a number, a comma list or inf, got {text!r}")
    return tuple(parse_epsilon(part) for part in parts)


def _epsilon_text(epsilon: float) -> str:
    return "inf" if epsilon == float("inf") else f"{epsilon:g}"
