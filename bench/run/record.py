"""Reading run records back as a typed view: what a finished cell says, as the report reads it.

A record is written as JSON (``bench.run.records``) and read back by
``load_records`` / ``read_record`` through ``Record.from_json``, which checks that it is a record of a format this code
reads, with every field of the right type, and names the file and the first
problem otherwise (a record written by another version, or edited by hand).
The envelope is typed: the cell's specification (``CellSpec``), its budget
(``RecordedBudget``), its status and what it measured. The measurements stay
mappings keyed by their own names, because their keys are the suite's:
``metrics`` by metric name, ``attacks`` by attack name (each an attack's
result: success, advantage, AUC, TPR at fixed FPRs, intervals, audit counts),
``privacy`` as its accountant wrote it (``bench.privacy.ledgers`` reads it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.api.synthesizer import parse_epsilon
from bench.errors import BenchInputError
from bench.run.records import RECORDS_DIR, RUN_SUFFIX, record_path

RECORD_FORMAT = 1  # the layout this code writes (``spec.evaluation.format``)
RECORD_FORMATS = (RECORD_FORMAT,)  # the layouts it reads

# field -> the JSON type its value must have (a tuple: any of them); fields of a finished cell only after "ok"
RECORD_FIELDS: dict[str, Any] = {"key": str, "spec": dict, "status": str, "error": (str, type(None)), "is_dp": bool,
                                 "reference": bool, "display_name": str}
OK_FIELDS: dict[str, Any] = {"metrics": dict, "attacks": dict, "privacy": (dict, type(None)), "split_sizes": dict}
SPEC_FIELDS: dict[str, Any] = {"cohort": str, "synthesizer": str, "seed": int, "profile": str, "evaluation": dict,
                               "code": str, "versions": dict, "delta": (int, float)}
BUDGET_FIELDS: dict[str, Any] = {"epsilon": (int, float, str), "delta": (int, float), "mode": str,
                                 "allow_overspend": bool}


@dataclass(frozen=True)
class RecordedBudget:
    """The privacy budget a DP cell was given (``epsilon`` is ``math.inf`` at the calibration point)."""

    epsilon: float
    delta: float
    mode: str
    allow_overspend: bool


@dataclass(frozen=True)
class CellSpec:
    """What identifies a cell and changes its numbers (the record's key hashes all of it)."""

    cohort: str
    synthesizer: str
    seed: int
    profile: str
    delta: float
    code: str  # fingerprint of the source the cell ran (``bench.run.fingerprint``)
    evaluation: dict[str, Any]  # the attack and metric suite, with their settings, and the record format
    versions: dict[str, str]
    budget: RecordedBudget | None = None  # None for a method without a DP claim
    cohort_fingerprint: str = ""
    synthesizer_config: dict[str, Any] | None = None
    device: str | None = None

    @property
    def epsilon(self) -> float | None:
        return self.budget.epsilon if self.budget else None

    def suite(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(attack names, metric names) the cell ran."""
        return tuple(sorted(self.evaluation.get("attacks") or {})), tuple(self.evaluation.get("metrics") or ())


@dataclass(frozen=True)
class Record:
    """One finished cell: ``status`` is ``ok`` or ``error`` (with ``error`` saying why)."""

    key: str
    spec: CellSpec
    status: str
    error: str | None
    is_dp: bool
    reference: bool
    display_name: str
    metrics: dict[str, float | None] = field(default_factory=dict)
    metric_errors: dict[str, str] = field(default_factory=dict)
    metrics_not_applicable: dict[str, str] = field(default_factory=dict)
    metric_info: dict[str, dict[str, Any]] = field(default_factory=dict)  # each metric's goal, range and real split
    attacks: dict[str, dict[str, Any]] = field(default_factory=dict)
    attack_errors: dict[str, str] = field(default_factory=dict)
    attacks_skipped: dict[str, str] = field(default_factory=dict)
    candidates: dict[str, Any] | None = None  # how many candidates a side the attacks scored, of how many
    privacy: dict[str, Any] | None = None  # accountant, epsilon, delta, details (its ledger's columns)
    split_sizes: dict[str, int] | None = None
    fit_info: dict[str, Any] = field(default_factory=dict)
    most_rows_of_one_patient: int = 1
    traceback_tail: list[str] = field(default_factory=list)  # where an unexpected error was raised
    # how the cell was run (``<key>.run.json``): never part of what it measured
    timings: dict[str, float] = field(default_factory=dict)
    created: str = ""
    executor: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @classmethod
    def from_json(cls, data: Any, source: Path | str = "record") -> "Record":
        """The record after checking it; a ``BenchInputError`` naming ``source`` and the first problem."""
        _check(data, source)
        spec = data["spec"]
        budget = spec.get("budget")
        typed_spec = CellSpec(
            cohort=spec["cohort"], synthesizer=spec["synthesizer"], seed=spec["seed"], profile=spec["profile"],
            delta=float(spec["delta"]), code=spec["code"], evaluation=spec["evaluation"], versions=spec["versions"],
            budget=RecordedBudget(parse_epsilon(budget["epsilon"]), float(budget["delta"]), budget["mode"],
                                  budget["allow_overspend"]) if budget else None,
            cohort_fingerprint=spec.get("cohort_fingerprint", ""), synthesizer_config=spec.get("synthesizer_config"),
            device=spec.get("device"),
        )
        optional = {name: data[name] for name in _OPTIONAL if data.get(name) is not None}
        return cls(key=data["key"], spec=typed_spec, status=data["status"], error=data["error"], is_dp=data["is_dp"],
                   reference=data["reference"], display_name=data["display_name"], **optional)


_OPTIONAL = ("metrics", "metric_errors", "metrics_not_applicable", "metric_info", "attacks", "attack_errors",
             "attacks_skipped", "candidates", "privacy", "split_sizes", "fit_info", "most_rows_of_one_patient",
             "traceback_tail", "timings", "created", "executor")


def _check(data: Any, source: Path | str) -> None:
    def problem(text: str) -> BenchInputError:
        return BenchInputError(f"{source}: not a run record this version reads: {text}")

    if not isinstance(data, dict):
        raise problem("not a JSON object")
    spec = data.get("spec")
    fields = [(data, RECORD_FIELDS, "")] + ([(spec, SPEC_FIELDS, "spec.")] if isinstance(spec, dict) else [])
    if data.get("status") == "ok":
        fields.append((data, OK_FIELDS, ""))
    if isinstance(spec, dict) and spec.get("budget") is not None:
        if not isinstance(spec["budget"], dict):
            raise problem(f"spec.budget is a {type(spec['budget']).__name__}")
        fields.append((spec["budget"], BUDGET_FIELDS, "spec.budget."))
    for holder, wanted, prefix in fields:
        for name, kind in wanted.items():
            if name not in holder:
                raise problem(f"no {prefix}{name}")
            if not isinstance(holder[name], kind) or (kind is int and isinstance(holder[name], bool)):
                raise problem(f"{prefix}{name} is a {type(holder[name]).__name__}")
    record_format = spec["evaluation"].get("format")
    if record_format not in RECORD_FORMATS:
        raise problem(f"format {record_format!r} (this version reads {', '.join(map(str, RECORD_FORMATS))})")
    if data["status"] not in ("ok", "error"):
        raise problem(f"status {data['status']!r}")
    try:
        parse_epsilon(spec["budget"]["epsilon"]) if spec.get("budget") else None
    except BenchInputError as exc:
        raise problem(f"spec.budget.epsilon: {exc}") from None


def read_record(results_dir: Path, key: str) -> Record | None:
    path = record_path(results_dir, key)
    if not path.exists():
        return None
    return _with_run_info(path)


def load_records(results_dir: Path) -> list[Record]:
    folder = Path(results_dir) / RECORDS_DIR
    if not folder.is_dir():
        return []
    return [_with_run_info(p) for p in sorted(folder.glob("*.json")) if not p.name.endswith(RUN_SUFFIX)]


def _with_run_info(path: Path) -> Record:
    """The record at ``path`` with its run file merged in, checked (``Record.from_json``)."""
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise BenchInputError(f"{path}: not a run record this version reads: not JSON ({exc})") from None
    run_path = path.with_name(path.stem + RUN_SUFFIX)
    if isinstance(data, dict) and run_path.exists():  # older records hold their timings themselves
        run = json.loads(run_path.read_text())
        data.update({k: v for k, v in run.items() if k != "key"})
    return Record.from_json(data, path)
