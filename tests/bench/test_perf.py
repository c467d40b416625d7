"""The perf bookkeeping: a frontier timing resumed over killed invocations counts the work they kept."""

import json

from bench.perf import FRONTIER_FIGURES, _write_harness, invocation_spans


def test_a_killed_invocation_counts_up_to_its_last_finished_cell():
    invocations = [{"started": 0.0}, {"started": 1000.0}, {"started": 5000.0, "ended": 6000.0}]
    finished = [100.0, 400.0, 1200.0, 1900.0, 5500.0]
    # the first was killed after its cell at 400 s, the second after 1900 s; the third ended on its own
    assert invocation_spans(invocations, finished) == [400.0, 900.0, 1000.0]
    assert invocation_spans([{"started": 10.0}], []) == [0.0]  # killed before its first cell: nothing kept


def test_timing_the_grid_keeps_the_frontier_figures(tmp_path):
    folder = tmp_path / "perf"
    folder.mkdir()
    frontier = {"frontier_wall_s": 16000.0, "frontier_peak_rss_mb": 7000, "frontier_cells": 432,
                "frontier_invocations": 3}
    assert set(frontier) == set(FRONTIER_FIGURES)
    (folder / "harness.json").write_text(json.dumps({"figures": frontier | {"list_wall_s": 9.0},
                                                     "frontier_run": {"code": "abc"}}))
    payload = _write_harness(tmp_path, {"list_wall_s": 1.5})
    assert payload["figures"] == frontier | {"list_wall_s": 1.5} and payload["frontier_run"] == {"code": "abc"}
    table = (folder / "harness.md").read_text()
    assert "16000.0 s" in table and "**not met**" in table.split("frontier run")[1].splitlines()[0]
