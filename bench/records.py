"""Run records: one JSON file per finished cell, keyed by what changes its output.

A record holds the cell's specification (cohort and its fingerprint,
synthesizer and its config, budget, seed, profile, evaluation suite),
the package versions, and aggregates only: metric values, attack scores,
privacy spent, timings and split sizes. No row of any table is written.

Files are written to a temporary name in the same folder and renamed, so a
killed run never leaves a half-written record.
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


def write_record(results_dir: Path, record: dict[str, Any]) -> Path:
    path = record_path(results_dir, record["key"])
    atomic_write_text(path, json.dumps(record, indent=2, sort_keys=True, default=_json_default) + "\n")
    return path


def read_record(results_dir: Path, key: str) -> dict[str, Any] | None:
    path = record_path(results_dir, key)
    if not path.exists():
        return None
    return json.loads(path.read_text())


def load_records(results_dir: Path) -> list[dict[str, Any]]:
    folder = Path(results_dir) / RECORDS_DIR
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
