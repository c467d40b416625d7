"""Bad input: one clear line on stderr, exit status 2, never a traceback."""

import pytest

from tests.conftest import FIXTURES, run_cli

CSV = str(FIXTURES / "small_cohort.csv")
SCHEMA = str(FIXTURES / "small_cohort.schema.json")


def _assert_one_line_error(result, fragment):
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and fragment in lines[0], lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["run", "--synthesizer", "rawdata"], "unknown synthesizer 'rawdata'; did you mean raw"),
        (["run", "--synthesizer", "raw", "--cohort", "mimic-sim"], "unknown cohort 'mimic-sim'; did you mean mimic3-sim"),
        (["run", "--synthesizer", "raw", "--epsilon", "0"], "epsilon must be > 0"),
        (["run", "--synthesizer", "raw", "--epsilon", "-1"], "epsilon must be > 0"),
        (["run", "--synthesizer", "raw", "--epsilon", "1,x"], "epsilon must be a positive number or inf"),
        (["run", "--synthesizer", "raw", "--epsilon", "1,1"], "epsilons repeat"),
        (["run"], "--all or --synthesizer"),
        (["run", "--synthesizer", "raw", "--cohort", "csv"], "needs --csv FILE and --schema FILE"),
        (["run", "--synthesizer", "raw", "--config", "nope.toml"], "config file not found"),
        (["run", "--synthesizer", "raw", "--attack", "dcrr"], "unknown attack 'dcrr'; did you mean dcr"),
        (["report", "--results-dir", "/nonexistent/results"], "no run records"),
    ],
)
def test_bad_arguments(args, fragment, tmp_path):
    _assert_one_line_error(run_cli(*args, "--results-dir", str(tmp_path)) if args[0] == "run" else run_cli(*args), fragment)


def _csv_run(tmp_path, csv_path):
    return run_cli("run", "--synthesizer", "raw", "--attack", "dcr", "--cohort", "csv", "--csv", str(csv_path), "--schema", SCHEMA,
                   "--results-dir", str(tmp_path / "results"), "--seeds", "1", "--no-progress")


@pytest.mark.parametrize(
    "edit, fragment",
    [
        (lambda lines: [lines[0].replace("age,", "years,")] + lines[1:], "missing column(s) age"),
        (lambda lines: [lines[0]] + [l.replace(",0,0\n", ",,0\n", 1) if i == 3 else l for i, l in enumerate(lines[1:])],
         "missing value"),
        (lambda lines: [lines[0]] + [l.rsplit(",", 2)[0] + ",0,0\n" for l in lines[1:]], "only one class"),
        (lambda lines: [], "is empty"),
        (lambda lines: [lines[0]] + [l.replace(".", "x", 1) if i == 5 else l for i, l in enumerate(lines[1:])],
         "should be numeric"),
    ],
)
def test_bad_csv(edit, fragment, tmp_path):
    lines = (FIXTURES / "small_cohort.csv").read_text().splitlines(keepends=True)
    bad = tmp_path / "bad.csv"
    bad.write_text("".join(edit(lines)))
    _assert_one_line_error(_csv_run(tmp_path, bad), fragment)


def test_bad_config_key(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text('seeds = [0]\nepsilom = 2.0\n')
    _assert_one_line_error(run_cli("run", "--all", "--config", str(config)), "unknown key(s) epsilom")


def test_good_csv_cohort_runs(tmp_path):
    result = _csv_run(tmp_path, FIXTURES / "small_cohort.csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "1 cells, 0 failed, 0 metric errors, 0 attack errors"


def test_list_names_every_registered_entry():
    from bench.api.registry import registry

    result = run_cli("list")
    assert result.returncode == 0, result.stderr
    for kind in ("synthesizers", "attacks", "metrics", "cohorts"):
        names = registry(kind).names()
        assert names, kind
        section = result.stdout.split(f"{kind}:")[1]
        for name in names:
            assert f"  {name} " in section, (kind, name)


def _small_csv(tmp_path, name="cohort.csv", rows=None, edit_schema=None, edit_lines=None):
    """A copy of the small cohort (optionally trimmed or edited) and of its schema."""
    import json

    lines = (FIXTURES / "small_cohort.csv").read_text().splitlines(keepends=True)
    lines = lines[: rows + 1] if rows else lines
    if edit_lines:
        lines = edit_lines(lines)
    csv_path = tmp_path / name
    csv_path.write_text("".join(lines))
    schema = json.loads((FIXTURES / "small_cohort.schema.json").read_text())
    if edit_schema:
        edit_schema(schema)
    schema_path = tmp_path / f"{csv_path.stem}.schema.json"
    schema_path.write_text(json.dumps(schema))
    return csv_path, schema_path


def _run_csv(tmp_path, csv_path, schema_path, *extra):
    return run_cli("run", "--synthesizer", "raw", "--attack", "dcr", "--cohort", "csv", "--csv", str(csv_path),
                   "--schema", str(schema_path), "--results-dir", str(tmp_path / "results"), "--seeds", "1",
                   "--no-progress", *extra)


@pytest.mark.parametrize("rows", [3, 10])
def test_a_cohort_too_small_for_its_split_is_refused_before_anything_is_written(rows, tmp_path):
    csv_path, schema_path = _small_csv(tmp_path, rows=rows)
    _assert_one_line_error(_run_csv(tmp_path, csv_path, schema_path), "too small for its split")
    assert not (tmp_path / "results").exists()


def test_a_ragged_csv_is_named_as_such(tmp_path):
    cut = lambda lines: lines[:5] + [lines[5].rsplit(",", 3)[0] + "\n"] + lines[6:]  # noqa: E731
    csv_path, schema_path = _small_csv(tmp_path, edit_lines=cut)
    _assert_one_line_error(_run_csv(tmp_path, csv_path, schema_path), "ragged: 1 row(s) have fewer than")


def test_a_duplicated_csv_column_is_named(tmp_path):
    twice = lambda lines: [lines[0].rstrip("\n") + ",age\n"] + [l.rstrip("\n") + ",50\n" for l in lines[1:]]  # noqa: E731
    csv_path, schema_path = _small_csv(tmp_path, edit_lines=twice)
    _assert_one_line_error(_run_csv(tmp_path, csv_path, schema_path), "duplicated column name(s) age")


def test_a_category_named_NA_stays_a_category(tmp_path):
    from bench.data.cohort import CohortOptions
    from bench.data.csv_cohort import load_csv_cohort

    def add_na(schema):
        schema["bench"]["columns"]["care_unit"]["categories"].append("NA")

    rename = lambda lines: [lines[0]] + [l.replace(",CSRU,", ",NA,") for l in lines[1:]]  # noqa: E731
    csv_path, schema_path = _small_csv(tmp_path, edit_schema=add_na, edit_lines=rename)
    cohort = load_csv_cohort(CohortOptions(csv=csv_path, schema=schema_path))
    assert (cohort.table["care_unit"] == "NA").sum() > 0 and cohort.table["care_unit"].notna().all()
    # listed as a missing-value string, the same text is missing (and care_unit does not allow it)
    def na_missing(schema):
        add_na(schema)
        schema["bench"]["na_values"] = ["NA"]

    csv_path, schema_path = _small_csv(tmp_path, edit_schema=na_missing, edit_lines=rename)
    _assert_one_line_error(_run_csv(tmp_path, csv_path, schema_path), "'care_unit' has")


def test_results_dir_that_is_a_file_fails_before_training(tmp_path):
    blocker = tmp_path / "results"
    blocker.write_text("not a folder")
    csv_path, schema_path = _small_csv(tmp_path)
    _assert_one_line_error(_run_csv(tmp_path, csv_path, schema_path), "is a file, not a folder")


def test_two_csv_cohorts_keep_their_own_tables_and_a_missing_outcome_is_not_applicable(tmp_path):
    def mortality_only(schema):
        del schema["bench"]["outcomes"]["readmission"]

    first, first_schema = _small_csv(tmp_path, name="ward_a.csv")
    second, second_schema = _small_csv(tmp_path, name="ward_b.csv", edit_schema=mortality_only)
    for csv_path, schema_path in ((first, first_schema), (second, second_schema)):
        result = _run_csv(tmp_path, csv_path, schema_path, "--metric", "mortality_auc", "--metric", "readmission_f1")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == "1 cells, 0 failed, 0 metric errors, 0 attack errors"
    downstream = next((tmp_path / "results").glob("quick/*/table2_downstream.md")).read_text()
    assert "ward_a mortality AUC" in downstream and "ward_b mortality AUC" in downstream
    row = next(line for line in downstream.splitlines() if line.startswith("| Raw Data"))
    assert "n/a (the schema declares no readmission outcome)" in row
    assert "failed" not in row and "KeyError" not in downstream
    full = next((tmp_path / "results").glob("quick/*/full.md")).read_text()
    assert "not run" in full  # JSD, MMD, ... were not requested
