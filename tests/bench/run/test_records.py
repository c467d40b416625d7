"""A run record is checked on load (its format version and the fields the report relies on) and read
back as a typed ``Record``."""

import json
import shutil

import pytest

from bench.errors import BenchInputError
from bench.run.record import RECORD_FORMAT, RecordedBudget, load_records
from tests.conftest import REPO, run_cli


def _one_committed_record(tmp_path):
    source = next(p for p in sorted((REPO / "results" / "records").glob("*.json")) if not p.name.endswith(".run.json"))
    folder = tmp_path / "records"
    folder.mkdir()
    shutil.copy(source, folder / source.name)
    return folder / source.name


def test_a_committed_record_loads(tmp_path):
    path = _one_committed_record(tmp_path)
    (record,) = load_records(tmp_path)
    stored = json.loads(path.read_text())
    assert record.key == path.stem and record.spec.evaluation["format"] == RECORD_FORMAT
    assert (record.spec.cohort, record.spec.synthesizer, record.spec.seed) == tuple(
        stored["spec"][name] for name in ("cohort", "synthesizer", "seed"))
    assert record.metrics == stored["metrics"] and record.attacks == stored["attacks"]
    budget = stored["spec"]["budget"]
    assert record.spec.budget == (RecordedBudget(float(budget["epsilon"]), budget["delta"], budget["mode"],
                                                 budget["allow_overspend"]) if budget else None)


@pytest.mark.parametrize("change, message", [
    (lambda r: r["spec"]["evaluation"].update(format=RECORD_FORMAT + 1), "format 2 .this version reads 1."),
    (lambda r: r.pop("status"), "no status"),
    (lambda r: r["spec"].update(seed="0"), "spec.seed is a str"),
    (lambda r: r["spec"].update(seed=True), "spec.seed is a bool"),
    (lambda r: r["spec"].update(budget={"epsilon": "lots", "delta": 1e-5, "mode": "calibrated",
                                        "allow_overspend": False}), "spec.budget.epsilon: epsilon must be"),
    (lambda r: r["spec"].update(budget={"epsilon": 1.0}), "no spec.budget.delta"),
    (lambda r: r.update(metrics=None) if r["status"] == "ok" else r.update(status="ok", metrics=None), "metrics is a NoneType"),
])
def test_a_record_of_another_format_or_with_a_broken_field_is_refused_by_name(tmp_path, change, message):
    path = _one_committed_record(tmp_path)
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record))
    with pytest.raises(BenchInputError, match=f"{path.name}: not a run record this version reads: {message}"):
        load_records(tmp_path)


def test_report_on_a_broken_record_is_one_error_line_and_exit_2(tmp_path):
    path = _one_committed_record(tmp_path)
    path.write_text(path.read_text()[:200])  # cut short: not JSON
    result = run_cli("report", "--results-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: ") and "not JSON" in result.stderr
    assert "Traceback" not in result.stderr
