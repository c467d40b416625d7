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
    assert "1 cells (0 failed)" in result.stdout


def test_list_is_quick_and_complete():
    result = run_cli("list")
    assert result.returncode == 0
    for name in ("raw", "k-anonymity", "oracle", "dcr", "mmd", "mortality_auc", "mimic3-sim", "eicu-sim", "csv"):
        assert f"  {name} " in result.stdout
