"""The frontier renders from hand-made records: files, epsilon columns (inf last), means, determinism."""

import math

import pytest

from bench.report.frontier import mean_interval, render_frontier, strongest_tpr
from bench.report.tables import _values_cell
from bench.run.record import Record

EPSILONS = (0.5, 2.0, "inf")
SEEDS = (0, 1)
# (synthesizer, epsilon index, seed) -> mortality AUC; the attacks' TPRs derive from it.
AUC = {
    "dp-gan": {0.5: (0.60, 0.64), 2.0: (0.70, 0.74), "inf": (0.80, 0.82)},
    "dp-medgan": {0.5: (0.55, 0.57), 2.0: (0.66, 0.70), "inf": (0.78, 0.84)},
    "mst": {0.5: (0.62, 0.60), 2.0: (0.68, 0.69), "inf": (0.75, 0.77)},
}


def _record(synth, seed, epsilon, auc, tpr, *, status="ok", reference=False, cohort="mimic3-sim", profile="quick"):
    dp = epsilon is not None
    budget = {"epsilon": epsilon, "delta": 1e-5, "mode": "calibrated", "allow_overspend": False} if dp else None
    ok = status == "ok"
    return {
        "key": f"{profile}-{cohort}-{synth}-{epsilon}-{seed}",
        "created": "2026-01-01T00:00:00+00:00",
        "spec": {"cohort": cohort, "synthesizer": synth, "profile": profile, "seed": seed, "budget": budget,
                 "delta": 1e-5, "code": "aaaa0000", "versions": {},
                 "evaluation": {"format": 1, "metrics": ["mortality_auc"], "attacks": {"dcr": None, "nnaa": None}}},
        "status": status,
        "error": None if ok else "RuntimeError: boom",
        "is_dp": dp,
        "reference": reference,
        "display_name": synth,
        "privacy": None,
        "split_sizes": {"train": 100},
        "metrics": {"mortality_auc": auc} if ok else {},
        "metric_info": {"mortality_auc": {"min_value": 0.0, "max_value": 1.0}},
        "attacks": {
            "dcr": {"success": 0.6, "auc": 0.6, "tpr_at_1pct_fpr": tpr, "full_candidate_set": True},
            "nnaa": {"success": 0.7, "auc": 0.6, "tpr_at_1pct_fpr": tpr / 2, "full_candidate_set": True},
            # per-target: its large TPR on 20 records must not enter the maximum
            "groundhog": {"success": 0.9, "auc": 0.9, "tpr_at_1pct_fpr": 0.9, "full_candidate_set": False},
        } if ok else {},
    }


def _typed(records: list[dict]) -> list[Record]:
    return [Record.from_json(record) for record in records]


def _records(cohort="mimic3-sim", profile="quick", epsilons=EPSILONS):
    out = []
    for synth, by_eps in AUC.items():
        for eps in epsilons:
            for seed, auc in zip(SEEDS, by_eps[eps]):
                out.append(_record(synth, seed, eps, auc, tpr=auc / 10, reference=synth == "mst",
                                   cohort=cohort, profile=profile))
    for synth, aucs in (("raw", (0.85, 0.87)), ("oracle", (0.80, 0.84)), ("k-anonymity", (0.76, 0.78))):
        for seed, auc in zip(SEEDS, aucs):
            out.append(_record(synth, seed, None, auc, tpr=auc / 4, cohort=cohort, profile=profile))
    return out


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    results = tmp_path_factory.mktemp("results")
    records = _records()
    # one failed seed: left out of the mean, and the cell says so
    records.append(_record("pate-gan", 0, 0.5, None, None, status="error"))
    records.append(_record("pate-gan", 1, 0.5, 0.58, 0.03))
    records.append(_record("pate-gan", 0, 2.0, 0.61, 0.04))
    records.append(_record("pate-gan", 1, 2.0, 0.63, 0.05))
    return results, render_frontier(_typed(records), results), records


def _rows(md: str, heading: str) -> list[list[str]]:
    lines = md.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    table = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        table.append([cell.strip() for cell in line.strip("|").split("|")])
    return [table[0]] + table[2:]  # without the |---| rule


def test_writes_one_png_per_cohort_and_the_markdown(rendered):
    results, written, _ = rendered
    folder = results / "quick" / "frontier"
    assert written == [folder / "mimic3-sim.png", folder / "frontier.md"]
    assert (folder / "mimic3-sim.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "![Privacy-utility frontier, mimic3-sim](mimic3-sim.png)" in (folder / "frontier.md").read_text()


def test_epsilon_columns_sorted_with_infinity_last_and_rows_in_paper_order(rendered):
    results, _, _ = rendered
    rows = _rows((results / "quick" / "frontier" / "frontier.md").read_text(), "### Mortality AUC")
    assert rows[0] == ["Method", "ε = 0.5", "ε = 2", "ε = ∞"]
    names = [row[0].split(" ")[0] for row in rows[1:]]
    assert names == ["raw", "k-anonymity", "dp-gan", "pate-gan", "dp-medgan", "mst", "oracle"]
    assert rows[6][0] == "mst (reference)"


def test_cells_are_the_means_over_seeds(rendered):
    results, _, _ = rendered
    md = (results / "quick" / "frontier" / "frontier.md").read_text()
    auc = {row[0].split(" ")[0]: row[1:] for row in _rows(md, "### Mortality AUC")[1:]}
    tpr = {row[0].split(" ")[0]: row[1:] for row in _rows(md, "### TPR at 1% FPR")[1:]}
    # dp-gan at eps 2: seeds 0.70 and 0.74; t(0.975, 1) * sd / sqrt(2) = 12.706 * 0.02 = 0.254
    assert auc["dp-gan"][1] == "0.720 [0.466, 0.974]"
    assert auc["dp-gan"][2].startswith("0.810 ")
    # privacy: the largest full-set TPR (dcr, AUC / 10), not the per-target groundhog's 0.9
    assert tpr["dp-gan"][2].startswith("0.081 ")
    # a method without a DP claim shows the same value at every epsilon
    assert auc["raw"] == ["0.860 [0.733, 0.987]"] * 3
    assert "not DP, any ε" in next(r[0] for r in _rows(md, "### Mortality AUC") if r[0].startswith("raw"))
    # the failed seed is left out and counted
    assert auc["pate-gan"] == ["0.580 (1/2 seeds)", "0.620 [0.493, 0.747]", "not run"]
    assert tpr["pate-gan"][0] == "0.030 (1/2 seeds)"
    assert "2 seeds (0, 1)." in md


def test_plotted_numbers_are_the_tabled_numbers():
    values = [0.70, 0.74, 0.69]
    mean, low, high = mean_interval(values, 0.0, 1.0)
    assert _values_cell(values, 3, 0.0, 1.0) == f"{mean:.3f} [{low:.3f}, {high:.3f}]"
    assert mean_interval([0.5]) == (0.5, 0.5, 0.5) and mean_interval([None]) is None
    assert strongest_tpr(Record.from_json(_record("dp-gan", 0, 1.0, 0.7, 0.2))) == pytest.approx(0.2)


def test_rendering_twice_gives_the_same_bytes(rendered, tmp_path):
    results, first, records = rendered
    second = render_frontier(_typed(list(reversed(records))), tmp_path)
    assert [p.relative_to(tmp_path) for p in second] == [p.relative_to(results) for p in first]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_a_single_epsilon_has_no_frontier(tmp_path):
    assert render_frontier(_typed(_records(epsilons=(2.0,))), tmp_path) == []
    assert not any(tmp_path.rglob("*"))
    # infinity alone is a single epsilon too; and one cohort with a frontier does not pull in the other
    records = _records(cohort="eicu-sim", epsilons=("inf",)) + _records(cohort="mimic3-sim", epsilons=(0.5, "inf"))
    written = render_frontier(_typed(records), tmp_path)
    assert [p.name for p in written] == ["mimic3-sim.png", "frontier.md"]
    assert "## eicu-sim" not in written[-1].read_text()


def test_older_non_dp_records_with_a_budget_count_once_per_seed(tmp_path):
    records = _records(epsilons=(0.5, 2.0))
    for rec in [r for r in records if not r["is_dp"]]:  # the old format: a copy per epsilon of the run
        for eps in (0.5, 2.0):
            records.append(rec | {"key": f"{rec['key']}-{eps}", "spec": rec["spec"] | {
                "budget": {"epsilon": eps, "delta": 1e-5, "mode": "calibrated", "allow_overspend": False}}})
    md = render_frontier(_typed(records), tmp_path)[-1].read_text()
    raw = next(r for r in _rows(md, "### Mortality AUC") if r[0].startswith("raw"))
    assert raw[1:] == ["0.860 [0.733, 0.987]"] * 2
    assert math.isclose(float(raw[1].split()[0]), 0.86)


def test_a_method_whose_records_come_from_two_code_versions_is_named(tmp_path):
    records = _records()
    for r in records:
        r["spec"]["code"] = "aaaa1111"
    render_frontier(_typed(records), tmp_path)
    assert "more than one version of the code" not in (tmp_path / "quick" / "frontier" / "frontier.md").read_text()

    later = next(r for r in records if r["spec"]["synthesizer"] == "dp-gan" and r["spec"]["budget"]["epsilon"] == 2.0)
    later["spec"]["code"], later["created"] = "bbbb2222", "2026-02-01T10:00:00+00:00"
    render_frontier(_typed(records), tmp_path)
    text = (tmp_path / "quick" / "frontier" / "frontier.md").read_text()
    assert "more than one version of the code" in text
    line = next(line for line in text.splitlines() if line.startswith("- dp-gan:"))
    assert "code `aaaa1111`: 5 record(s), ε 0.5, 2, ∞" in line
    assert "code `bbbb2222`: 1 record(s), ε 2, made 2026-02-01 10:00" in line
    assert not any(line.startswith("- dp-medgan:") for line in text.splitlines())
