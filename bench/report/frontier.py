"""The privacy-utility frontier, rendered from the run records alone (no training).

For each profile and cohort whose DP records span two or more target epsilons,
``results/<profile>/frontier/`` gets

* ``<cohort>.png``: two panels sharing a log epsilon axis, (a) mortality AUC
  (utility, higher is better) and (b) the privacy risk, the largest TPR at 1%
  FPR over the attacks scored on the full candidate set (lower is better;
  0.01 is chance). One line per DP method; the methods without a DP claim do
  not read epsilon, so they are horizontal: ``raw`` and ``oracle`` as bands
  (mean and interval), the others as dashed lines. Epsilon = inf (a DP
  method's own training loop without privacy) sits one decade right of the
  largest finite epsilon, past a break in the axis, reached by a dotted segment.
* ``frontier.md``: per cohort, the figure and the same numbers as two tables
  (mortality AUC and TPR at 1% FPR), a column per epsilon with inf last.

Every figure is the mean over the seeds that succeeded with a 95% Student-t
interval over seeds, as in ``bench/report/tables.py``. Output is a pure function of
the records: the PNGs are written by Agg at a fixed size and dpi without a
software tag, so rendering twice gives the same bytes.
"""

from __future__ import annotations

import math
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
from scipy import stats
from tabulate import tabulate

from bench.run.record import Record
from bench.run.records import atomic_write_bytes, atomic_write_text
from bench.report.tables import PAPER_ROWS, code_versions_note, _cohorts, _metric_cell, _metric_range, _partial_mark, _values_cell

FRONTIER_DIR = "frontier"
UTILITY_METRIC = "mortality_auc"
PRIVACY_FIELD = "tpr_at_1pct_fpr"
CHANCE_TPR = 0.01  # TPR of a guessing attack at FPR 1%
BANDS = {"raw": "raw (train on real)", "oracle": "oracle (fresh draws)"}
FIGSIZE = (12.0, 6.0)  # inches
DPI = 100
INF_DECADES = 1.0  # infinity is drawn this many decades right of the largest finite epsilon
TPR_TICKS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
DODGE_DECADES = 0.025  # horizontal offset between DP lines at the same epsilon


@dataclass
class Series:
    """One method in one cohort: a DP line (records per epsilon) or a non-DP constant."""

    synthesizer: str
    dp: bool
    reference: bool
    mode: str | None = None  # budget mode of a DP line
    delta: float | None = None
    allow_overspend: bool = False
    by_epsilon: dict[float, list[Record]] = field(default_factory=dict)  # DP lines
    records: list[Record] = field(default_factory=list)  # non-DP: the same records at every epsilon
    label: str = ""

    def records_at(self, epsilon: float) -> list[Record]:
        return self.by_epsilon.get(epsilon, []) if self.dp else self.records


@dataclass
class Frontier:
    cohort: str
    epsilons: list[float]  # sorted, inf last
    series: list[Series]  # table and legend order
    seeds: list[int]

    def records(self) -> list[Record]:
        return [r for s in self.series for recs in (s.by_epsilon.values() if s.dp else [s.records]) for r in recs]


# -- public entry point ------------------------------------------------------------
def render_frontier(records: list[Record], results_dir: Path) -> list[Path]:
    """Write ``<profile>/frontier/<cohort>.png`` and ``<profile>/frontier/frontier.md`` under
    ``results_dir`` for every (profile, cohort) whose DP records span two or more epsilons;
    returns the files written (none for a single-epsilon record set)."""
    results_dir = Path(results_dir)
    by_profile: dict[str, list[Record]] = defaultdict(list)
    for record in _latest_per_cell(records):
        by_profile[record.spec.profile].append(record)
    written: list[Path] = []
    for profile in sorted(by_profile):
        group = by_profile[profile]
        folder = results_dir / profile / FRONTIER_DIR
        sections = []
        for cohort in _cohorts(group):
            frontier = build_frontier(cohort, [r for r in group if r.spec.cohort == cohort])
            if frontier is None:
                continue
            png = folder / f"{cohort}.png"
            _write_png(png, frontier, profile)
            written.append(png)
            sections.append(_markdown_section(frontier))
        if sections:
            md = folder / "frontier.md"
            atomic_write_text(md, _markdown(profile, sections))
            written.append(md)
    return written


# -- the data ----------------------------------------------------------------------
def record_epsilon(record: Record) -> float | None:
    """The target epsilon of a DP record; None for a method without a DP claim (it applies at
    every epsilon, also when an older record carries the run's budget)."""
    return record.spec.epsilon if record.is_dp else None


def strongest_tpr(record: Record) -> float | None:
    """The privacy axis: the largest TPR at 1% FPR over the record's attacks scored on the
    full candidate set (the strongest attack by that measure, not by success)."""
    values = [
        result[PRIVACY_FIELD]
        for result in record.attacks.values()
        if result.get("full_candidate_set", True) and result.get(PRIVACY_FIELD) is not None
    ]
    return max(values) if values else None


def mean_interval(values: Iterable[float | None], low: float = -math.inf,
                  high: float = math.inf) -> tuple[float, float, float] | None:
    """(mean, low, high): the numbers ``bench.report.tables._values_cell`` prints, for plotting."""
    vals = np.array([v for v in values if v is not None], dtype=np.float64)
    if len(vals) == 0:
        return None
    mean = float(vals.mean())
    if len(vals) == 1:
        return mean, mean, mean
    half = stats.t.ppf(0.975, len(vals) - 1) * vals.std(ddof=1) / np.sqrt(len(vals))
    return mean, float(max(mean - half, low)), float(min(mean + half, high))


def build_frontier(cohort: str, recs: list[Record]) -> Frontier | None:
    """Group one cohort's records into series; None when its DP records span fewer than two epsilons."""
    epsilons = sorted({e for r in recs if (e := record_epsilon(r)) is not None})
    if len(epsilons) < 2:
        return None
    series: dict[tuple, Series] = {}
    for r in sorted(recs, key=lambda r: r.spec.seed):
        name, epsilon = r.spec.synthesizer, record_epsilon(r)
        if epsilon is None:
            series.setdefault((name,), Series(name, dp=False, reference=r.reference)).records.append(r)
            continue
        b = r.spec.budget
        key = (name, b.mode, b.delta, b.allow_overspend)
        line = series.setdefault(key, Series(name, True, r.reference, b.mode, b.delta, b.allow_overspend))
        line.by_epsilon.setdefault(epsilon, []).append(r)
    ordered = sorted(series.values(), key=_series_order)
    deltas = {s.delta for s in ordered if s.dp}
    for s in ordered:
        s.label = _label(s, show_delta=len(deltas) > 1)
    return Frontier(cohort, epsilons, ordered, sorted({r.spec.seed for r in recs}))


def _latest_per_cell(records: list[Record]) -> list[Record]:
    """One record per (profile, cohort, synthesizer, budget, seed), the newest; a method without
    a DP claim has one cell per seed whatever budget its record carries."""
    latest: dict[tuple, Record] = {}
    for r in records:
        spec = r.spec
        budget = spec.budget if r.is_dp else None
        cell = (spec.profile, spec.cohort, spec.synthesizer, budget, spec.seed)
        if cell not in latest or (r.created, r.key) > (latest[cell].created, latest[cell].key):
            latest[cell] = r
    return list(latest.values())


def _series_order(s: Series) -> tuple:
    """Paper rows in the order of ``PAPER_ROWS``, then references, then the rest; a method's
    calibrated line before its paper-budget line."""
    paper = [name for _, name in PAPER_ROWS]
    if s.synthesizer in paper:
        rank = (0, paper.index(s.synthesizer), "")
    else:
        rank = (1 if s.reference else 2, 0, s.synthesizer)
    return rank + (s.mode != "calibrated", s.delta or 0.0, s.allow_overspend)


def _label(s: Series, show_delta: bool) -> str:
    label = BANDS.get(s.synthesizer, s.synthesizer)
    if s.dp and s.mode == "paper":
        label += " (paper budget)"
    if s.dp and s.allow_overspend:
        label += " (overspend allowed)"
    if s.dp and show_delta:
        label += f" (δ={s.delta:g})"
    if s.reference:
        label += " (reference)"
    return label


def _ok(recs: list[Record]) -> list[Record]:
    return [r for r in recs if r.ok]


def _utility_point(recs: list[Record]) -> tuple[float, float, float] | None:
    ok = _ok(recs)
    if not ok:
        return None
    return mean_interval([r.metrics.get(UTILITY_METRIC) for r in ok], *_metric_range(ok, UTILITY_METRIC))


def _privacy_point(recs: list[Record]) -> tuple[float, float, float] | None:
    return mean_interval([strongest_tpr(r) for r in _ok(recs)], 0.0, 1.0)


def _privacy_cell(recs: list[Record]) -> str:
    if not recs:
        return "not run"
    values = [v for r in _ok(recs) if (v := strongest_tpr(r)) is not None]
    if not values:
        return "failed"
    return _values_cell(values, 3, 0.0, 1.0) + _partial_mark(values, recs)


# -- markdown ----------------------------------------------------------------------
def _epsilon_text(epsilon: float) -> str:
    return "∞" if math.isinf(epsilon) else f"{epsilon:g}"


def _markdown_section(f: Frontier) -> str:
    notes = code_versions_note(f.records())
    code_note = notes + [""] if notes else []
    headers = ["Method"] + [f"ε = {_epsilon_text(e)}" for e in f.epsilons]

    def table(cell) -> str:
        rows = []
        for s in f.series:
            name = s.label + ("" if s.dp else " — not DP, any ε")
            rows.append([name] + [cell(s.records_at(e)) for e in f.epsilons])
        return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)

    return "\n".join([
        f"## {f.cohort}",
        "",
        f"{len(f.seeds)} seeds ({', '.join(map(str, f.seeds))}).",
        "",
        *code_note,
        f"![Privacy-utility frontier, {f.cohort}]({f.cohort}.png)",
        "",
        "### Mortality AUC ↑ (train on the release, test on real)",
        "",
        table(lambda recs: _metric_cell(recs, UTILITY_METRIC, 3)),
        "",
        "### TPR at 1% FPR of the strongest attack ↓ (0.010 is chance)",
        "",
        table(_privacy_cell),
        "",
    ])


def _markdown(profile: str, sections: list[str]) -> str:
    return "\n".join([
        f"# Privacy-utility frontier, profile `{profile}`",
        "",
        "Rendered by `python -m bench report` from the run records alone. x-axis: the target ε of the DP",
        "methods (log scale); ε = ∞ is a DP method's own training loop run without privacy (no clipping or",
        "noise), drawn one decade right of the largest finite ε past a break in the axis. Panel (a), utility:",
        "mortality AUC of XGBoost trained on the release and scored on the real `test` split (higher is",
        "better). Panel (b), privacy risk: per seed, the largest TPR at 1% FPR over the attacks scored on the",
        "full candidate set (per-target attacks excluded), then the mean over seeds; the dotted line at 0.01 is",
        "chance (lower is better); its y-axis is linear up to 0.01 and logarithmic above. This is the worst",
        "attack by TPR at 1% FPR, so it can differ from the TPR column of `full.md`, which belongs to the attack",
        "with the highest success.",
        "",
        "Methods without a DP claim do not read ε: their value is the same at every ε (bands for `raw` and",
        "`oracle`, dashed lines for the others). Cells: mean [95% Student-t interval over seeds]; failed seeds",
        "are left out of the mean, and \"(k/n seeds)\" says when only k of n seeds succeeded. Budget mode",
        "`calibrated` unless a row says \"paper budget\".",
        "",
        *sections,
    ])


# -- the figure --------------------------------------------------------------------
def _write_png(path: Path, frontier: Frontier, profile: str) -> None:
    """Draw the figure and write it atomically (``bench.run.records.atomic_write_bytes``)."""
    buffer = io.BytesIO()
    _draw(frontier, profile, buffer)
    atomic_write_bytes(path, buffer.getvalue())


# Long on purpose: one figure, its panels drawn in order; split, the shared axes and legend would
# have to be threaded through every part.
def _draw(f: Frontier, profile: str, handle) -> None:
    import matplotlib
    import matplotlib.style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FixedLocator, NullLocator
    from matplotlib.transforms import blended_transform_factory

    finite = [e for e in f.epsilons if math.isfinite(e)]
    x_inf = max(finite) * 10**INF_DECADES

    def x_of(e: float) -> float:
        return e if math.isfinite(e) else x_inf

    with matplotlib.style.context("default"):  # the same bytes whatever the user's matplotlibrc
        fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        ax_u, ax_p = fig.subplots(1, 2, sharex=True)
        palette = [c for i, c in enumerate(matplotlib.colormaps["tab10"].colors) if i != 7]  # 7: grey
        band_colours = {"raw": "0.3", "oracle": "#b8860b"}
        reference_markers = ("s", "D", "^", "v", "P", "X", "<", ">")
        handles: dict[str, object] = {}
        n_colours = n_references = 0
        n_lines = sum(s.dp for s in f.series)
        line_index = 0
        for s in f.series:
            band = not s.dp and s.synthesizer in band_colours
            if band:
                colour = band_colours[s.synthesizer]
            else:
                colour, n_colours = palette[n_colours % len(palette)], n_colours + 1
            if s.dp:
                marker = "o"
                if s.reference:
                    marker, n_references = reference_markers[n_references % len(reference_markers)], n_references + 1
                style = dict(color=colour, marker=marker, markersize=6, linewidth=1.6,
                             linestyle="--" if s.reference else "-",
                             markerfacecolor="white" if s.reference else colour)
                # side by side around each epsilon so the error bars do not hide each other
                dodge = 10 ** (DODGE_DECADES * (line_index - (n_lines - 1) / 2))
                line_index += 1
                for ax, point in ((ax_u, _utility_point), (ax_p, _privacy_point)):
                    pts = [(e, p) for e in f.epsilons if (p := point(s.by_epsilon.get(e, [])))]
                    if not pts:
                        continue
                    xs = np.array([x_of(e) for e, _ in pts]) * dodge
                    means = np.array([p[0] for _, p in pts])
                    err = np.array([[p[0] - p[1] for _, p in pts], [p[2] - p[0] for _, p in pts]])
                    fin = np.array([math.isfinite(e) for e, _ in pts])
                    ax.errorbar(xs, means, yerr=err, capsize=3, elinewidth=1, linestyle="none", zorder=3,
                                **{k: v for k, v in style.items() if k not in ("linestyle", "linewidth")})
                    ax.plot(xs[fin], means[fin], zorder=3, **{k: v for k, v in style.items() if k != "marker"})
                    if fin.any() and not fin[-1]:  # dotted across the break to infinity
                        ax.plot([xs[fin][-1], xs[-1]], [means[fin][-1], means[-1]], color=colour,
                                linestyle=":", linewidth=1.6, zorder=3)
                handles[s.label] = Line2D([], [], **style)
                continue
            style = dict(color=colour, linewidth=1.6 if band else 1.4, linestyle="-" if band else "--")
            if s.reference and not band:
                style["linestyle"] = (0, (6, 2, 1, 2))  # dash-dot: a reference without a DP claim
            for ax, point in ((ax_u, _utility_point), (ax_p, _privacy_point)):
                p = point(s.records)
                if p is None:
                    continue
                ax.axhline(p[0], zorder=2, **style)
                if band and p[2] > p[1]:
                    ax.axhspan(p[1], p[2], color=colour, alpha=0.15, linewidth=0, zorder=1)
            handles[s.label] = (
                (Line2D([], [], **style), Patch(color=colour, alpha=0.15, linewidth=0))
                if band else Line2D([], [], **style)
            )
        chance = ax_p.axhline(CHANCE_TPR, color="0.5", linestyle=":", linewidth=1.2)
        handles["chance (TPR = FPR = 0.01)"] = chance

        ticks = finite + [x_inf]
        x_break = math.sqrt(max(finite) * x_inf)
        for ax in (ax_u, ax_p):
            ax.set_xscale("log")
            ax.set_xlim(min(finite) / 10**0.3, x_inf * 10**0.3)
            ax.xaxis.set_major_locator(FixedLocator(ticks))
            ax.xaxis.set_minor_locator(NullLocator())
            ax.set_xticklabels([_epsilon_text(e) for e in finite] + ["∞"])
            ax.set_xlabel("target ε (log scale)")
            ax.grid(True, which="major", color="0.9", linewidth=0.8)
            ax.axvline(x_break, color="0.6", linestyle=(0, (1, 3)), linewidth=1)
            on_spine = blended_transform_factory(ax.transData, ax.transAxes)
            for y in (0.0, 1.0):  # break marks on both spines
                for dx in (0.93, 1.07):
                    ax.plot([x_break * dx], [y], transform=on_spine, marker=[(-0.5, -1), (0.5, 1)],
                            markersize=9, color="0.2", clip_on=False, linestyle="none")
        ax_u.set_title("(a) utility: mortality AUC ↑")
        ax_u.set_ylabel("mortality AUC (train on release, test on real)")
        ax_p.set_title("(b) privacy risk: strongest attack, TPR at 1% FPR ↓")
        ax_p.set_ylabel("max over full-set attacks of TPR @ 1% FPR (symlog)")
        # linear up to chance, logarithmic above: a DP line near chance and raw near 1 both stay readable
        ax_p.set_yscale("symlog", linthresh=CHANCE_TPR, linscale=0.5)
        ax_p.set_ylim(0.0, 1.2)
        ax_p.yaxis.set_major_locator(FixedLocator(TPR_TICKS))
        ax_p.yaxis.set_minor_locator(NullLocator())
        ax_p.set_yticklabels([f"{v:g}" for v in TPR_TICKS])
        fig.suptitle(
            f"Privacy-utility frontier: cohort {f.cohort}, profile {profile}, {len(f.seeds)} seeds "
            "(mean and 95% t-interval over seeds)"
        )
        fig.legend(list(handles.values()), list(handles.keys()), loc="outside lower center", ncols=4, fontsize=9,
                   frameon=False)
        fig.savefig(handle, format="png", dpi=DPI, metadata={"Software": None})
