"""The tables say what the records say: strongest attack, DP violations, not-run rows."""

import pytest

from bench.config import RunConfig
from bench.records import load_records, write_record
from bench.report import render_all, render_full, render_table1
from bench.runner import load_suite, run_grid


@pytest.fixture(scope="module")
def raw_records(tmp_path_factory):
    results = tmp_path_factory.mktemp("results")
    config = RunConfig(cohorts=("mimic3-sim",), synthesizers=("raw",), seeds=(0,), n_patients=1500, results_dir=results)
    run_grid(config, load_suite(config, warn=lambda m: None), progress=False)
    return results


def test_table1_shows_the_strongest_full_set_attack(raw_records):
    record = load_records(raw_records)[0]
    full_set = {k: v for k, v in record["attacks"].items() if v["full_candidate_set"]}
    assert {"dcr", "domias", "logan", "nnaa"} <= set(full_set)
    assert "groundhog" in record["attacks"] and not record["attacks"]["groundhog"]["full_candidate_set"]
    best = max(v["success"] for v in full_set.values())
    table = render_table1([record], "test")
    assert f"| Raw Data    | {100 * best:.1f}" in table
    assert "| DP-GAN      | not run" in table


def test_a_dp_claim_refuted_by_an_attack_is_flagged(raw_records, tmp_path):
    record = load_records(raw_records)[0]
    # The raw release claiming epsilon 0.5 would be a lie the attacks can prove.
    record |= {"is_dp": True, "privacy": {"epsilon": 0.5, "delta": 1e-5, "accountant": "rdp", "details": {}}}
    full = render_full([record], "test")
    assert "PRIVACY VIOLATION" in full
    honest = render_full(load_records(raw_records), "test")
    assert "PRIVACY VIOLATION" not in honest


def test_overspent_budget_is_marked(raw_records):
    record = load_records(raw_records)[0]
    record["spec"]["budget"] = {"epsilon": 1.0, "delta": 1e-5, "mode": "paper", "allow_overspend": True}
    record |= {"is_dp": True, "privacy": {"epsilon": 2.7, "delta": 1e-5, "accountant": "rdp", "details": {}}}
    assert "over budget: ε spent 2.70" in render_table1([record], "test")


def test_expensive_attacks_are_skipped_for_costly_synthesizers_and_say_so(raw_records, tmp_path):
    record = load_records(raw_records)[0]
    record["attacks"].pop("groundhog")
    record["attacks_skipped"] = {"groundhog": "expensive attack: runs on cheap synthesizers"}
    write_record(tmp_path, record)
    render_all(tmp_path)
    full = next(tmp_path.glob("quick/*/full.md")).read_text()
    row = next(line for line in full.splitlines() if "| groundhog " in line)
    assert "not run" in row and "expensive attack" in row


def test_the_ledger_is_in_the_full_table(raw_records):
    record = load_records(raw_records)[0]
    details = {"mode": "calibrated", "noise_multiplier": 1.234, "sample_rate": 0.0118, "steps": 675,
               "planned_steps": 675, "max_grad_norm": 1.0, "epsilon_sgd": 0.94,
               "epsilon_outside_sgd": {"condition marginals": 0.05}, "overspent": False}
    record |= {"is_dp": True, "privacy": {"epsilon": 0.99, "delta": 1e-5, "accountant": "rdp", "details": details}}
    full = render_full([record], "test")
    ledger = full[full.index("## Privacy ledger"):]
    assert "| rdp" in ledger and "1.234" in ledger and "675 / 675" in ledger and "condition marginals: 0.050" in ledger


def test_pate_accounting_has_its_own_table(raw_records):
    record = load_records(raw_records)[0]
    details = {"mode": "calibrated", "teachers": 50, "lambda": 1.0, "queries": 2482, "unanimous_queries": 2481,
               "answers_real_share": 0.0, "iterations": 8, "max_iterations": 300, "stopped_at_budget": True,
               "epsilon_data_independent": 9936.5, "overspent": False}
    record |= {"is_dp": True, "privacy": {"epsilon": 0.63, "delta": 1e-5, "accountant": "pate-moments",
                                          "details": details}}
    full = render_full([record], "test")
    pate = full[full.index("### PATE accounting"):]
    assert "| 50 " in pate and "2482" in pate and "99.96" in pate and "9936" in pate and "8 / 300" in pate
    assert "### DP-SGD" not in full  # no DP-SGD row to show


def test_a_fit_that_spent_nothing_renders(raw_records, tmp_path):
    # A PATE-GAN whose budget allowed no vote spends epsilon 0: a valid spend, not a bad target.
    record = load_records(raw_records)[0]
    record["spec"]["budget"] = {"epsilon": 0.1, "delta": 1e-5, "mode": "calibrated", "allow_overspend": False}
    details = {"mode": "calibrated", "teachers": 50, "lambda": 1.0, "queries": 0, "unanimous_queries": 0,
               "answers_real_share": 0.0, "iterations": 0, "max_iterations": 300, "stopped_at_budget": True,
               "epsilon_data_independent": 0.0, "overspent": False}
    record |= {"is_dp": True, "privacy": {"epsilon": 0.0, "delta": 1e-5, "accountant": "pate-moments",
                                          "details": details}}
    write_record(tmp_path, record)
    render_all(tmp_path)
    full = next(tmp_path.glob("quick/*/full.md")).read_text()
    assert "| 0.000" in full[full.index("### PATE accounting"):]
    assert "over budget" not in render_table1([record], "test")
