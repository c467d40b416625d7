"""Run records: one JSON file per finished cell, keyed by what changes its output.

A record holds the cell's specification (cohort and its fingerprint,
synthesizer and its config, budget, seed, profile, evaluation suite),
the package versions, and aggregates only: metric values, attack scores,
privacy spent and split sizes. No row of any table is written.

What only says how a cell was run (its timings, when, by which executor with
how many threads) goes to a second file, ``<key>.run.json``, so the record
itself, ``<key>.json``, is the same bytes whichever machine or executor made
it. Reading a record merges the two. A synthesizer's ``fit_info_`` entries
that are timings (names ending in ``_seconds`` or ``_per_second``) move to the
run file's timings as ``fit_<name>``.

Reading is ``bench.run.record`` (``load_records``, ``read_record``): a typed
``Record``. It is apart from this module so that the cell, which writes, does
not import the reader, and a change to how records are read leaves every
record's code fingerprint as it was.

Files are written to a temporary name in the same folder and renamed, the
run file first, so a killed run never leaves a half-written record, and a
record on disk is a finished cell.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

RECORDS_DIR = "records"
TRACKED_PACKAGES = (
    "icu-synthetic-privacy-bench",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "xgboost",
    "torch",
    "opacus",
    "diffprivlib",
    "sdv",
)


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def cell_key(spec: dict[str, Any]) -> str:
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


def record_path(results_dir: Path, key: str) -> Path:
    return Path(results_dir) / RECORDS_DIR / f"{key}.json"


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename."""
    atomic_write_bytes(path, text.encode())


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


RUN_SUFFIX = ".run.json"
RUN_FIELDS = ("timings", "created", "executor")  # what says how a cell was run, not what it measured


def split_run_info(record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the record proper, its run information): see the module docstring."""
    result = {k: v for k, v in record.items() if k not in RUN_FIELDS}
    run = {"key": record["key"]} | {k: record[k] for k in RUN_FIELDS if k in record}
    fit_info = dict(result.get("fit_info") or {})
    timing_keys = [k for k in fit_info if k.endswith("_seconds") or k.endswith("_per_second")]
    if timing_keys:
        run["timings"] = dict(run.get("timings") or {}) | {f"fit_{k}": fit_info.pop(k) for k in timing_keys}
        result["fit_info"] = fit_info
    return result, run


def write_record(results_dir: Path, record: dict[str, Any]) -> Path:
    result, run = split_run_info(record)
    path = record_path(results_dir, record["key"])
    atomic_write_text(path.with_name(path.stem + RUN_SUFFIX), _dumps(run))
    atomic_write_text(path, _dumps(result))
    return path


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=_json_default) + "\n"


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
