"""The tables say what the records say: strongest attack, DP violations, not-run rows."""

import json

import pytest

from bench.run.config import RunConfig
from bench.run.record import Record, load_records
from bench.run.records import write_record
from bench.report.tables import render_all, render_full, render_table1
from bench.run.runner import load_suite, run_grid


@pytest.fixture(scope="module")
def raw_records(tmp_path_factory):
    results = tmp_path_factory.mktemp("results")
    config = RunConfig(cohorts=("mimic3-sim",), synthesizers=("raw",), seeds=(0,), n_patients=1500, results_dir=results)
    run_grid(config, load_suite(config, warn=lambda m: None), progress=False)
    return results


def _raw(results) -> dict:
    """The first record as its JSON file says it: a dict the tests edit, then type or write."""
    path = next(p for p in sorted((results / "records").glob("*.json")) if not p.name.endswith(".run.json"))
    return json.loads(path.read_text())


def _typed(*records: dict) -> list[Record]:
    return [Record.from_json(record) for record in records]


def test_table1_shows_the_strongest_full_set_attack(raw_records):
    record = _raw(raw_records)
    full_set = {k: v for k, v in record["attacks"].items() if v["full_candidate_set"]}
    assert {"dcr", "domias", "logan", "nnaa"} <= set(full_set)
    assert "groundhog" in record["attacks"] and not record["attacks"]["groundhog"]["full_candidate_set"]
    best = max(v["success"] for v in full_set.values())
    table = render_table1(_typed(record), "test")
    assert f"| Raw Data    | {100 * best:.1f}" in table
    assert "| DP-GAN      | not run" in table


def test_a_dp_claim_refuted_by_an_attack_is_flagged(raw_records, tmp_path):
    record = _raw(raw_records)
    # The raw release claiming epsilon 0.5 would be a lie the attacks can prove.
    record |= {"is_dp": True, "privacy": {"epsilon": 0.5, "delta": 1e-5, "accountant": "rdp", "details": {}}}
    full = render_full(_typed(record), "test")
    assert "PRIVACY VIOLATION" in full
    honest = render_full(load_records(raw_records), "test")
    assert "PRIVACY VIOLATION" not in honest


def test_overspent_budget_is_marked(raw_records):
    record = _raw(raw_records)
    record["spec"]["budget"] = {"epsilon": 1.0, "delta": 1e-5, "mode": "paper", "allow_overspend": True}
    record |= {"is_dp": True, "privacy": {"epsilon": 2.7, "delta": 1e-5, "accountant": "rdp", "details": {}}}
    assert "over budget: ε spent 2.70" in render_table1(_typed(record), "test")


def test_expensive_attacks_are_skipped_for_costly_synthesizers_and_say_so(raw_records, tmp_path):
    record = _raw(raw_records)
    record["attacks"].pop("groundhog")
    record["attacks_skipped"] = {"groundhog": "expensive attack: runs on cheap synthesizers"}
    write_record(tmp_path, record)
    render_all(tmp_path)
    full = next(tmp_path.glob("quick/*/full.md")).read_text()
    row = next(line for line in full.splitlines() if "| groundhog " in line)
    assert "not run" in row and "expensive attack" in row


def test_the_ledger_is_in_the_full_table(raw_records):
    record = _raw(raw_records)
    details = {"mode": "calibrated", "noise_multiplier": 1.234, "sample_rate": 0.0118, "steps": 675,
               "planned_steps": 675, "max_grad_norm": 1.0, "epsilon_sgd": 0.94,
               "epsilon_outside_sgd": {"condition marginals": 0.05}, "overspent": False}
    record |= {"is_dp": True, "privacy": {"epsilon": 0.99, "delta": 1e-5, "accountant": "rdp", "details": details}}
    full = render_full(_typed(record), "test")
    ledger = full[full.index("## Privacy ledger"):]
    assert "| rdp" in ledger and "1.234" in ledger and "675 / 675" in ledger and "condition marginals: 0.050" in ledger


def test_pate_accounting_has_its_own_table(raw_records):
    record = _raw(raw_records)
    details = {"mode": "calibrated", "teachers": 50, "lambda": 0.000564, "queries": 96000, "queries_planned": 96000,
               "answers_real_share": 0.0, "iterations": 300, "max_iterations": 300,
               "stopped_at_budget": False, "epsilon_data_dependent": 0.0123, "overspent": False}
    record |= {"is_dp": True, "privacy": {"epsilon": 0.9999, "delta": 1e-5, "accountant": "pate-laplace-rdp",
                                          "details": details}}
    full = render_full(_typed(record), "test")
    pate = full[full.index("### PATE accounting"):]
    assert "| 50 " in pate and "0.000564" in pate and "96000 / 96000" in pate
    assert "300 / 300" in pate and "0.0123" in pate and "not a DP guarantee" in pate
    assert "### DP-SGD" not in full  # no DP-SGD row to show


def test_a_fit_that_spent_nothing_renders(raw_records, tmp_path):
    # PATE-GAN in the paper's mode with lambda 1 answers no vote at epsilon 1 and spends epsilon 0:
    # a valid spend, not a bad target.
    record = _raw(raw_records)
    record["spec"]["budget"] = {"epsilon": 1.0, "delta": 1e-5, "mode": "paper", "allow_overspend": False}
    details = {"mode": "paper", "teachers": 50, "lambda": 1.0, "queries": 0, "queries_planned": 0,
               "answers_real_share": 0.0, "iterations": 0, "max_iterations": 300,
               "stopped_at_budget": True, "epsilon_data_dependent": 0.0, "overspent": False}
    record |= {"is_dp": True, "privacy": {"epsilon": 0.0, "delta": 1e-5, "accountant": "pate-laplace-rdp",
                                          "details": details}}
    write_record(tmp_path, record)
    render_all(tmp_path)
    full = next(tmp_path.glob("quick/*/full.md")).read_text()
    assert "| 0.000" in full[full.index("### PATE accounting"):]
    assert "over budget" not in render_table1(_typed(record), "test")


def test_a_patient_with_several_stays_is_compared_with_the_group_guarantee(raw_records):
    """A bound of about 1.5 refutes a claim of epsilon 1 per row, not the guarantee of a 2-stay patient (2)."""
    record = _raw(raw_records)
    counts = {"side": "positives", "threshold": 0.5, "true_positives": 450, "false_positives": 90,
              "n_members": 675, "n_non_members": 675, "delta": 1e-5}
    record["attacks"] = {"dcr": record["attacks"]["dcr"] | {"audit": counts, "success": 0.9}}
    record |= {"is_dp": True, "privacy": {"epsilon": 1.0, "delta": 1e-5, "accountant": "rdp", "details": {}}}
    from bench.privacy.audit import AuditCounts

    assert 1.0 < AuditCounts(**counts).bound() < 2.0
    assert "PRIVACY VIOLATION" in render_full(_typed(record | {"most_rows_of_one_patient": 1}), "test")
    grouped = render_full(_typed(record | {"most_rows_of_one_patient": 2}), "test")
    assert "PRIVACY VIOLATION" not in grouped and "group guarantee of up to 2 stays" in grouped


def test_the_report_flags_with_the_bonferroni_level_of_all_seeds_and_attacks(raw_records):
    from bench.privacy.audit import AuditCounts, flagging_confidence
    from bench.report.tables import _audit_bound

    results = [{"audit": {"side": "positives", "threshold": 0.5, "true_positives": tp, "false_positives": 40,
                          "n_members": 500, "n_non_members": 500, "delta": 1e-5}} for tp in (100, 150, 200)]
    results.append({"success": 0.5})  # a result without audit counts still counts as a test
    expected = max(AuditCounts(**r["audit"]).bound(flagging_confidence(4)) for r in results[:3])
    assert _audit_bound(results) == pytest.approx(expected)
    assert _audit_bound(results) < max(AuditCounts(**r["audit"]).bound(0.95) for r in results[:3])


def test_records_that_differ_in_delta_or_overspending_are_never_pooled(raw_records, tmp_path):
    import copy

    base = _raw(raw_records)
    base |= {"is_dp": True, "privacy": {"epsilon": 0.9, "delta": 1e-5, "accountant": "rdp", "details": {}}}
    base["spec"] = base["spec"] | {"budget": {"epsilon": 1.0, "delta": 1e-5, "mode": "calibrated",
                                              "allow_overspend": False}}
    variants = []
    for index, (delta, mode, overspend) in enumerate([(1e-5, "calibrated", False), (1e-6, "calibrated", False),
                                                      (1e-5, "paper", False), (1e-5, "paper", True)]):
        record = copy.deepcopy(base)
        record["key"] = f"variant{index}"
        record["spec"]["delta"] = delta
        record["spec"]["budget"] |= {"delta": delta, "mode": mode, "allow_overspend": overspend}
        variants.append(record)
        write_record(tmp_path, record)
    render_all(tmp_path)
    folders = sorted(p.name for p in (tmp_path / "quick").iterdir())
    assert folders == ["epsilon-1", "epsilon-1-delta-1e-06", "epsilon-1-paper-budget",
                       "epsilon-1-paper-budget-overspend"]
    for folder in folders:  # one seed each: nothing pooled
        assert "| Raw Data" in (tmp_path / "quick" / folder / "table1_mia.md").read_text()
        assert "(1/1" not in (tmp_path / "quick" / folder / "full.md").read_text()
    assert "δ 1e-06" in (tmp_path / "quick" / "epsilon-1-delta-1e-06" / "table1_mia.md").read_text()


def test_records_scored_with_different_attacks_carry_a_note(raw_records):
    import copy

    first = _raw(raw_records)
    second = copy.deepcopy(first)
    second["spec"]["seed"] = 1
    second["spec"]["evaluation"] = second["spec"]["evaluation"] | {"attacks": {"dcr": None}}
    second["attacks"] = {"dcr": second["attacks"]["dcr"]}
    full = render_full(_typed(first, second), "test")
    assert "not all scored with the same attacks and metrics" in full
    assert "not all scored with the same" not in render_full(_typed(first), "test")


def test_a_release_with_one_outcome_class_is_named_not_failed(raw_records):
    import copy

    record = _raw(raw_records)
    record["metrics"]["mortality_auc"] = None
    record["metric_errors"] = {"mortality_auc": "SingleClassError: mortality: training rows hold a single class"}
    from bench.report.tables import render_downstream

    row = next(line for line in render_downstream(_typed(record), "test").splitlines() if line.startswith("| Raw Data"))
    assert "no model: one outcome class in the release" in row
    record["metric_errors"] = {"mortality_auc": "KeyError: 'x'"}
    assert "failed" in next(line for line in render_downstream(_typed(record), "test").splitlines()
                            if line.startswith("| Raw Data"))
