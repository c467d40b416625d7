"""Render the tables in ``results/`` from the run records alone (no training).

One table set per (profile, epsilon, budget mode), in
``results/<profile>/epsilon-<eps>[-paper-budget]/`` (``epsilon-inf`` is the
calibration point: the DP methods' own training without privacy). Records of
methods without a DP claim do not depend on epsilon and appear in every set of
their profile. Reference methods (what a user would pick instead: SDV, AIM, MST)
follow the paper's rows under their own heading.

* ``table1_mia.md``: Table 1 of the DP-MedGAN paper, membership-inference
  success (%) of the strongest attack, rows in the paper's order and a
  column per cohort;
* ``table2_downstream.md``: mortality AUC and readmission F1;
* ``full.md``: every metric, the attack that won, the epsilon spent and its
  accountant, fit time, seeds, and every recorded failure.

Each figure is the mean over seeds with a 95% Student-t interval over seeds
(``mean [low, high]``); one seed gives the bare value. Beside the measured
tables, the figures the paper reported are reproduced and labelled as such.
Output is a pure function of the records, so ``bench report`` regenerates
the committed tables byte for byte.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
from scipy import stats
from tabulate import tabulate

from bench.privacy.audit import AuditCounts, flagging_confidence
from bench.privacy.accountant import spent_epsilon
from bench.privacy.ledgers import LEDGER_TABLES
from bench.run.record import Record, load_records
from bench.run.records import atomic_write_text
from bench.api.synthesizer import NO_DP, group_privacy
from bench.errors import BenchInputError

PAPER_ROWS = (
    ("Raw Data", "raw"),
    ("k-Anonymity", "k-anonymity"),
    ("DP-GAN", "dp-gan"),
    ("PATE-GAN", "pate-gan"),
    ("DP-MedGAN", "dp-medgan"),
    ("DP-GAN-HD", "dp-gan-hd"),
)
COHORT_ORDER = ("mimic3-sim", "eicu-sim", "mimic3", "eicu")
# dp-medgan.txt, section 3 (reported by its authors on MIMIC-III and eICU; not measured here).
REPORTED_MIA = {
    "Raw Data": (68.2, 71.5),
    "k-Anonymity": (52.1, 48.3),
    "DP-GAN": (33.7, 36.9),
    "PATE-GAN": (28.4, 30.1),
    "DP-MedGAN": (22.6, 25.3),
}
REPORTED_DOWNSTREAM = {
    "Raw Data": (0.843, 0.621),
    "k-Anonymity": (0.782, 0.553),
    "DP-GAN": (0.881, 0.587),
    "PATE-GAN": (0.798, 0.571),
    "DP-MedGAN": (0.832, 0.608),
}


HARNESS_DISTRIBUTION = "icu-synthetic-privacy-bench"


def metric_columns(keys: set[str]) -> list[tuple[str, str, int]]:
    """``(key, header, digits)`` for the harness's own metrics (a column even where no record ran
    one: it reads "not run") and every other metric in the records, from each class's declared
    ``display_name``, ``goal``, ``digits`` and ``report_rank``; a metric whose plugin is not
    installed here is shown by its key, after the rest."""
    from bench.api.registry import registry

    metrics = registry("metrics")
    own = {name for name in metrics.names() if metrics.distribution(name) == HARNESS_DISTRIBUTION}
    known, unknown = [], []
    for key in own | set(keys):
        try:
            cls = metrics.load(key)
        except BenchInputError:
            unknown.append(key)
            continue
        arrow = "↓" if cls.goal == "minimize" else "↑"
        known.append((cls.report_rank, key, f"{cls.display_name} {arrow}", cls.digits))
    return [(key, header, digits) for _, key, header, digits in sorted(known)] + [(k, k, 4) for k in sorted(unknown)]


def render_all(results_dir: Path) -> list[Path]:
    """Write every table set and the frontier pictures; returns the files written."""
    from bench.report.frontier import render_frontier

    results_dir = Path(results_dir)
    latest = _latest_per_cell(load_records(results_dir))
    written = []
    index_lines = ["# Results", "", "Rendered by `python -m bench report` from the run records in `records/`.", ""]
    for key, group in table_sets(latest):
        folder = results_dir / key.profile / key.folder()
        title = key.title()
        files = {
            "table1_mia.md": render_table1(group, title),
            "table2_downstream.md": render_downstream(group, title),
            "full.md": render_full(group, title),
        }
        for name, text in files.items():
            atomic_write_text(folder / name, text)
            written.append(folder / name)
        rel = folder.relative_to(results_dir)
        index_lines.append(
            f"- {title}: [Table 1 (MIA)]({rel}/table1_mia.md), [downstream]({rel}/table2_downstream.md), "
            f"[full]({rel}/full.md)"
        )
    frontier = render_frontier(latest, results_dir)
    written += frontier
    pictures = [p for p in frontier if p.suffix == ".png"]
    if pictures:
        index_lines += ["", "## Privacy-utility frontier", ""]
        tables = sorted({p.parent / "frontier.md" for p in pictures})
        index_lines += [f"- [{t.relative_to(results_dir)}]({t.relative_to(results_dir)})" for t in tables]
        index_lines.append("")
        index_lines += [f"![{p.stem}]({p.relative_to(results_dir)})" for p in pictures]
    atomic_write_text(results_dir / "index.md", "\n".join(index_lines) + "\n")
    written.append(results_dir / "index.md")
    return written


DEFAULT_DELTA = 1e-5  # table sets at another delta get a folder of their own


@dataclass(frozen=True)
class TableSet:
    """What the records of one set of tables share: never pooled across any of these.

    ``epsilon`` and ``mode`` are None for a set of methods without a DP claim only.
    """

    profile: str
    epsilon: float | None
    mode: str | None
    delta: float
    overspend: bool = False

    def order(self) -> tuple:
        return (self.profile, -1.0 if self.epsilon is None else self.epsilon, self.mode or "", self.overspend,
                -self.delta)

    def folder(self) -> str:
        if self.epsilon is None:
            name = "no-dp-methods"
        else:
            name = f"epsilon-{'inf' if np.isinf(self.epsilon) else f'{self.epsilon:g}'}"
            name += ("-paper-budget" if self.mode == "paper" else "") + ("-overspend" if self.overspend else "")
        return name + ("" if self.delta == DEFAULT_DELTA else f"-delta-{self.delta:g}")

    def title(self) -> str:
        at_delta = "" if self.delta == DEFAULT_DELTA else f", δ {self.delta:g}"
        if self.epsilon is None:
            return f"profile `{self.profile}`, methods without a DP claim{at_delta}"
        if np.isinf(self.epsilon):
            return (f"profile `{self.profile}`, epsilon ∞ (DP methods trained without privacy: the calibration "
                    f"point){at_delta}")
        overspend = " with overspending allowed" if self.overspend else ""
        return f"profile `{self.profile}`, epsilon {self.epsilon:g}, budget mode `{self.mode}`{overspend}{at_delta}"


def table_sets(recs: list[Record]) -> list[tuple[TableSet, list[Record]]]:
    """(what the set shares, its records) per table set, in order (epsilon ascending, inf last).

    Records that differ in profile, epsilon, budget mode, overspending or delta are never
    pooled. A record without a budget (a method that makes no DP claim) joins every set of
    its profile and delta; a profile with no DP record gets one set of its own."""
    dp: dict[TableSet, list[Record]] = defaultdict(list)
    shared: dict[tuple[str, float], list[Record]] = defaultdict(list)
    for record in recs:
        spec, budget = record.spec, record.spec.budget
        if budget:
            dp[TableSet(spec.profile, budget.epsilon, budget.mode, spec.delta, budget.allow_overspend)].append(record)
        else:
            shared[(spec.profile, spec.delta)].append(record)
    sets = {key: group + shared.get((key.profile, key.delta), []) for key, group in dp.items()}
    for (profile, delta), group in shared.items():
        if not any((key.profile, key.delta) == (profile, delta) for key in dp):
            sets[TableSet(profile, None, None, delta)] = group
    return [(key, sets[key]) for key in sorted(sets, key=TableSet.order)]


# -- the three tables ------------------------------------------------------------
def render_table1(group: list[Record], title: str) -> str:
    by_cell = _by_cohort_synth(group)
    cohorts = _cohorts(group)
    rows = [[label] + [_mia_cell(by_cell.get((c, name), [])) for c in cohorts] for label, name in _table_rows(group)]
    measured = tabulate(rows, headers=["Model"] + list(cohorts), tablefmt="github", disable_numparse=True)
    reported = _reported_table(REPORTED_MIA, ["Model", "MIMIC-III", "eICU"])
    return "\n".join(
        [
            f"# Table 1. Membership-inference success rate (%), {title}",
            "",
            "Measured: success of the strongest attack in the suite (balanced accuracy on equal numbers of",
            "members and non-members, threshold fixed on a disjoint calibration half; 50 is chance), mean",
            "[95% interval] over seeds. `full.md` names the attack and gives AUC and TPR at 1% FPR.",
            "",
            measured,
            "",
            _footnotes(group),
            "## Reported by the DP-MedGAN paper (not measured here)",
            "",
            "Section 3 of `shared/papers/dp-medgan.txt`, on the real MIMIC-III and eICU cohorts.",
            "",
            reported,
            "",
        ]
    )


def render_downstream(group: list[Record], title: str) -> str:
    by_cell = _by_cohort_synth(group)
    cohorts = _cohorts(group)
    headers = ["Model"]
    for cohort in cohorts:
        headers += [f"{cohort} mortality AUC", f"{cohort} readmission F1"]
    rows = []
    for label, name in _table_rows(group):
        row = [label]
        for cohort in cohorts:
            recs = by_cell.get((cohort, name), [])
            row += [_metric_cell(recs, "mortality_auc", 3), _metric_cell(recs, "readmission_f1", 3)]
        rows.append(row)
    reported = _reported_table(REPORTED_DOWNSTREAM, ["Model", "Mortality prediction (AUC)", "Readmission prediction (F1)"])
    return "\n".join(
        [
            f"# Table 2. Downstream prediction, train on synthetic, test on real, {title}",
            "",
            "XGBoost trained on each release, scored on the real `test` split; readmission among survivors,",
            "threshold chosen on a validation slice of the release. Raw Data is the train-on-real reference.",
            "",
            tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True),
            "",
            *_evaluation_note(group) + ([""] if _evaluation_note(group) else []),
            "## Reported by the DP-MedGAN paper (not measured here)",
            "",
            "Section 3 of `shared/papers/dp-medgan.txt` (the paper does not say which cohort these are from).",
            "",
            reported,
            "",
        ]
    )


def _privacy_row(name: str, recs: list[Record]) -> list[str]:
    """One synthesizer's row of the full table's privacy section."""
    ok = [r for r in recs if r.ok]
    return [
        name,
        f"{len(ok)}/{len(recs)}",
        _epsilon_target(recs),
        _epsilon_spent(ok),
        _empirical_epsilon(ok),
        _mia_cell(recs),
        _winning_attacks(ok),
        _attack_field(ok, "auc", 3),
        _attack_field(ok, "tpr_at_1pct_fpr", 3),
        _values_cell([r.timings.get("fit_s") for r in ok], 1, 0.0),
    ]




# Long on purpose: the full table's sections in the order they are written.
def render_full(group: list[Record], title: str) -> str:
    by_cell = _by_cohort_synth(group)
    out = [f"# Full results, {title}", ""]
    note = _evaluation_note(group)
    if note:
        out += note + [""]
    columns = metric_columns({k for r in group for k in r.metrics})
    for cohort in _cohorts(group):
        names = _synth_order({s for c, s in by_cell if c == cohort})
        privacy_rows = [_privacy_row(name, by_cell[(cohort, name)]) for name in names]
        quality_rows = [[name] + [_metric_cell(by_cell[(cohort, name)], key, digits) for key, _, digits in columns]
                        for name in names]
        sizes = next((r.split_sizes for r in group if r.spec.cohort == cohort and r.split_sizes), None)
        out += [f"## {cohort}", ""]
        if sizes:
            out += ["Split sizes: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()), ""]
        drawn = next((r.candidates for r in group if r.spec.cohort == cohort and r.candidates), None)
        if drawn and drawn["per_side"] < drawn["available_per_side"]:
            out += [f"Membership candidates: a random {drawn['per_side']:,} members and as many non-members, of "
                    f"{drawn['available_per_side']:,} each (`bench.evaluate.membership.MAX_CANDIDATES_PER_SIDE`).", ""]
        out += [
            "### Privacy",
            "",
            tabulate(
                privacy_rows,
                headers=["Synthesizer", "seeds ok", "ε target", "ε spent (accountant)", "empirical ε ≥",
                         "MIA success %",
                         "strongest attack", "MIA AUC", "TPR @ 1% FPR", "fit s"],
                tablefmt="github",
                disable_numparse=True,
            ),
            "",
            "### Every attack",
            "",
            "Mean over seeds; in brackets the widest of the per-seed 95% bootstrap intervals. Empirical ε is",
            "the largest Clopper-Pearson lower bound over seeds (`bench/privacy/audit.py`). Per-target attacks score",
            "the most outlying members and non-members only and do not enter the strongest-attack maximum.",
            "",
            tabulate(
                [row for name in names for row in _attack_rows(name, by_cell[(cohort, name)])],
                headers=["Synthesizer", "attack", "scored on", "success %", "advantage", "AUC", "TPR @ 0.1% FPR",
                         "TPR @ 1% FPR", "TPR @ 10% FPR", "empirical ε ≥", "time s", "notes"],
                tablefmt="github",
                disable_numparse=True,
            ),
            "",
            "### Fidelity (vs `train`) and utility (vs `test`)",
            "",
            tabulate(quality_rows, headers=["Synthesizer"] + [h for _, h, _ in columns],
                     tablefmt="github", disable_numparse=True),
            "",
        ]
    ledgers = [(table, [[cohort, name, *table.row(spent)] for cohort, name, spent in _dp_fits(group)
                        if table.covers(spent[0])]) for table in LEDGER_TABLES]
    if any(rows for _, rows in ledgers):
        out += ["## Privacy ledger", ""]
    for table, rows in ledgers:
        if rows:
            out += [f"### {table.title}", "", *table.text, "",
                    tabulate(rows, headers=["cohort", "synthesizer", *table.columns], tablefmt="github",
                             disable_numparse=True), ""]
    failures = _failure_lines(group)
    if failures:
        out += ["## Recorded failures", ""] + failures + [""]
    return "\n".join(out)


def _table_rows(group: list[Record]) -> list[tuple[str, str]]:
    """(label, synthesizer): the paper's rows, then the reference methods present, labelled as references."""
    references = sorted({(r.display_name or r.spec.synthesizer, r.spec.synthesizer) for r in group if r.reference},
                        key=lambda pair: pair[1])
    return list(PAPER_ROWS) + [(f"{label} [reference]" if "reference" not in label else label, name)
                               for label, name in references]


def _reported_table(reported: dict[str, tuple], headers: list[str]) -> str:
    rows = [[label, *reported.get(label, ("—", "—"))] for label, _ in PAPER_ROWS]
    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)


# -- cells -----------------------------------------------------------------------
def _mia_cell(recs: list[Record]) -> str:
    if not recs:
        return "not run"
    ok = [r for r in recs if r.ok and r.attacks]
    if not ok:
        return "failed"
    text = _values_cell([100.0 * _strongest(r)[1]["success"] for r in ok], 1, 0.0, 100.0)
    return text + _overspend_mark(ok) + _partial_mark(ok, recs)


def _metric_cell(recs: list[Record], key: str, digits: int) -> str:
    if not recs:
        return "not run"
    ok = [r for r in recs if r.ok]
    if not ok:
        return "failed"
    reasons = {r.metrics_not_applicable.get(key) for r in ok} - {None}
    if reasons:
        return f"n/a ({'; '.join(sorted(reasons))})"
    if not any(key in r.metrics for r in ok):
        return "not run"
    values = [r.metrics.get(key) for r in ok]
    if all(v is None for v in values):
        errors = [r.metric_errors.get(key, "") for r in ok]
        if all(error.startswith("SingleClassError") for error in errors):
            return "no model: one outcome class in the release"  # the release's fault, not the harness's
        return "failed"
    low, high = _metric_range(ok, key)
    return _values_cell(values, digits, low, high) + _partial_mark([v for v in values if v is not None], recs)


def _values_cell(values: Iterable[float | None], digits: int, low: float = -np.inf, high: float = np.inf) -> str:
    """Mean and 95% Student-t interval over seeds, clipped to the quantity's range."""
    vals = np.array([v for v in values if v is not None], dtype=np.float64)
    if len(vals) == 0:
        return "—"
    mean = vals.mean()
    if len(vals) == 1:
        return f"{mean:.{digits}f}"
    half = stats.t.ppf(0.975, len(vals) - 1) * vals.std(ddof=1) / np.sqrt(len(vals))
    lo, hi = max(mean - half, low), min(mean + half, high)
    return f"{mean:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def _metric_range(ok: list[Record], key: str) -> tuple[float, float]:
    """The metric's declared range, as recorded with its values (bounds the interval)."""
    info = ok[0].metric_info.get(key, {})
    low, high = info.get("min_value"), info.get("max_value")
    return (-np.inf if low is None else low), (np.inf if high is None else high)


def _partial_mark(ok: list, recs: list) -> str:
    return "" if len(ok) == len(recs) else f" ({len(ok)}/{len(recs)} seeds)"


def _overspend_mark(ok: list[Record]) -> str:
    budget = ok[0].spec.budget
    spent = [_spent(r) for r in ok if r.privacy]
    if not budget or not spent:
        return ""
    target = budget.epsilon
    if np.isfinite(target) and max(spent) > target * (1 + 1e-9):
        return f" (over budget: ε spent {max(spent):.2f})"
    return ""


def _spent(record: Record) -> float:
    """The epsilon a record's fit spent (inf for a fit without privacy)."""
    return spent_epsilon(record.privacy["epsilon"])


def _strongest(record: Record) -> tuple[str, dict]:
    """The attack with the highest success among those scored on the full candidate set
    (a per-target attack's success on 20 records is too noisy to enter a maximum)."""
    eligible = {k: v for k, v in record.attacks.items() if v.get("full_candidate_set", True)}
    return max(sorted(eligible.items()), key=lambda kv: kv[1]["success"])  # ties: first by name


def _winning_attacks(ok: list[Record]) -> str:
    names = sorted({_strongest(r)[0] for r in ok if r.attacks})
    return ", ".join(names) or "—"


def _attack_field(ok: list[Record], field: str, digits: int) -> str:
    return _values_cell([_strongest(r)[1][field] for r in ok if r.attacks], digits, 0.0, 1.0)


def _attack_rows(synth: str, recs: list[Record]) -> list[list[str]]:
    ok = [r for r in recs if r.ok]
    names = sorted({a for r in ok for a in r.attacks} | {a for r in ok for a in r.attacks_skipped})
    rows = []
    for attack in names:
        results = [r.attacks[attack] for r in ok if attack in r.attacks]
        if not results:
            rows.append([synth, attack, "not run", "—", "—", "—", "—", "—", "—", "—", "—",
                         next(r.attacks_skipped[attack] for r in ok if attack in r.attacks_skipped)])
            continue
        full = results[0].get("full_candidate_set", True)
        scored_on = f"{results[0]['n_members']}+{results[0]['n_non_members']}" + ("" if full else " targets")
        cells = [_envelope(results, "success", 100.0, 1), _envelope(results, "advantage", 1.0, 3),
                 _envelope(results, "auc", 1.0, 3)]
        cells += [_envelope(results, key, 1.0, 3) for key in ("tpr_at_0_1pct_fpr", "tpr_at_1pct_fpr", "tpr_at_10pct_fpr")]
        eps = _audit_bound(results)
        times = [r.timings.get(f"attack_{attack}_s") for r in ok]
        summary = results[0].get("summary") or {}
        notes = ", ".join(
            f"{key} {np.mean([res['summary'][key] for res in results]):.3f}" for key in sorted(summary)
        )
        rows.append([synth, attack, scored_on, *cells, "—" if eps is None else f"{eps:.2f}", _values_cell(times, 1, 0.0), notes])
    return rows


def _envelope(results: list[dict], key: str, scale: float, digits: int) -> str:
    mean = scale * np.mean([res[key] for res in results])
    bounds = [res.get("intervals", {}).get(key) for res in results]
    bounds = [b for b in bounds if b]
    if not bounds:
        return f"{mean:.{digits}f}"
    low, high = scale * min(b[0] for b in bounds), scale * max(b[1] for b in bounds)
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def _empirical_epsilon(ok: list[Record]) -> str:
    """The largest lower bound over seeds and attacks, each at the Bonferroni level for their number
    (``bench.privacy.audit``); flags a DP claim it refutes. The claim is per row (stay); where a patient has
    k rows in training, membership of the patient is compared with the group guarantee
    (k epsilon, k e^{(k-1) epsilon} delta)."""
    results = [(r, res) for r in ok for res in r.attacks.values()]
    bound = _audit_bound([res for _, res in results])
    if bound is None:
        return "—"
    text = f"{bound:.2f}"
    level = flagging_confidence(len(results))
    violated, groups = False, set()
    for r, res in results:
        if not r.privacy or not res.get("audit"):
            continue
        rows = int(r.most_rows_of_one_patient)
        epsilon, delta = group_privacy(_spent(r), r.privacy["delta"], rows)
        if rows > 1:
            groups.add(rows)
        counts = dataclasses.replace(AuditCounts(**res["audit"]), delta=delta)
        violated |= counts.bound(level) > epsilon
    if groups:
        text += f" (vs the group guarantee of up to {max(groups)} stays per patient)"
    if violated:
        text += " **PRIVACY VIOLATION**"
    return text


def _audit_bound(results: list[dict]) -> float | None:
    """Max over these attack results of the bound their fixed test proves, each at level 1 - 0.05 / m, so all m
    hold together with probability 95%. None without audit counts (records from before the counts were kept)."""
    counts = [AuditCounts(**res["audit"]) for res in results if res.get("audit")]
    if not counts:
        return None
    level = flagging_confidence(len(results))
    return max(c.bound(level) for c in counts)


def _epsilon_target(recs: list[Record]) -> str:
    budget = recs[0].spec.budget
    if not any(r.is_dp for r in recs) or not budget:
        return "— (not DP)"
    if np.isinf(budget.epsilon):
        return "∞ (trained without privacy)"
    return f"{budget.epsilon:g} (δ={budget.delta:g})"


def _epsilon_spent(ok: list[Record]) -> str:
    spent = [r.privacy for r in ok if r.privacy]
    if not ok:
        return "—"
    if not spent:
        return "no DP guarantee"
    if all(p["accountant"] == NO_DP for p in spent):
        return "∞ (no DP)"
    accountants = ", ".join(sorted({p["accountant"] for p in spent}))
    values = [spent_epsilon(p["epsilon"]) for p in spent]
    caveat = " **not a DP guarantee**" if any(p["accountant"] in NOT_GUARANTEES for p in spent) else ""
    return f"{_values_cell(values, 2, 0.0)} ({accountants}){caveat}" + _overspend_mark(ok)


# Accountants of records made before their figure was replaced by a guarantee: PATE-GAN's
# data-dependent moments bound of the private vote margins.
NOT_GUARANTEES = {"pate-moments"}


def _dp_fits(group: list[Record]):
    """(cohort, synthesizer, [privacy spent per ok seed]) for every cell with a DP claim, in table order."""
    by_cell = _by_cohort_synth(group)
    for (cohort, name), recs in sorted(by_cell.items(), key=lambda kv: (_cohorts(group).index(kv[0][0]), kv[0][1])):
        spent = [r.privacy for r in recs if r.ok and r.privacy]
        if spent:
            yield cohort, name, spent


def _failure_lines(group: list[Record]) -> list[str]:
    lines: dict[str, list[int]] = defaultdict(list)
    for r in group:
        where = f"{r.spec.cohort} / {r.spec.synthesizer}"
        if not r.ok:
            lines[f"- {where}: {r.error}"].append(r.spec.seed)
        for name, error in [*r.metric_errors.items(), *r.attack_errors.items()]:
            lines[f"- {where} / {name}: {error}"].append(r.spec.seed)
    return [f"{line} (seeds {', '.join(map(str, sorted(seeds)))})" for line, seeds in sorted(lines.items())]


# -- grouping --------------------------------------------------------------------
def _latest_per_cell(recs: list[Record]) -> list[Record]:
    """One record per (cohort, synthesizer, profile, budget, seed): the newest, so records
    left by an older code or package version do not double-count a seed."""
    latest: dict[tuple, Record] = {}
    for r in recs:
        spec = r.spec
        cell = (spec.cohort, spec.synthesizer, spec.profile, spec.budget, spec.delta, spec.seed)
        if cell not in latest or (r.created, r.key) > (latest[cell].created, latest[cell].key):
            latest[cell] = r
    return list(latest.values())


def _by_cohort_synth(group: list[Record]) -> dict[tuple[str, str], list[Record]]:
    out: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for r in sorted(group, key=lambda r: r.spec.seed):
        out[(r.spec.cohort, r.spec.synthesizer)].append(r)
    return out


def _cohorts(group: list[Record]) -> list[str]:
    names = {r.spec.cohort for r in group}
    return [c for c in COHORT_ORDER if c in names] + sorted(names - set(COHORT_ORDER))


def _synth_order(names: set[str]) -> list[str]:
    paper = [n for _, n in PAPER_ROWS if n in names]
    return paper + sorted(names - set(paper))


def _footnotes(group: list[Record]) -> str:
    notes = []
    missing = [label for label, name in PAPER_ROWS if not any(r.spec.synthesizer == name for r in group)]
    if missing:
        notes.append(f"\"not run\": no record for {', '.join(missing)} (not implemented yet or not selected).")
    notes += _evaluation_note(group)
    notes += code_versions_note(group)
    return "\n".join(notes) + "\n" if notes else ""


def code_versions_note(group: list[Record]) -> list[str]:
    """Lines naming each method whose records here were made by more than one version of its
    code (a record's ``spec.code``): a table that mixes them is not one run of one code."""
    versions: dict[str, dict[str, list[Record]]] = defaultdict(lambda: defaultdict(list))
    for r in group:
        versions[r.spec.synthesizer][r.spec.code].append(r)
    mixed = {name: by_code for name, by_code in versions.items() if len(by_code) > 1}
    if not mixed:
        return []
    notes = ["**Note: some methods' records here were made by more than one version of the code** (a record's "
             "`spec.code`), so their cells are not all one run of one code:"]
    for name in _synth_order(set(mixed)):
        parts = []
        for code, recs in sorted(mixed[name].items(), key=lambda kv: min(r.created for r in kv[1])):
            made = sorted(r.created[:16].replace("T", " ") for r in recs)
            epsilons = sorted({_budget_text(r) for r in recs}, key=_epsilon_order)
            parts.append(f"code `{code[:8]}`: {len(recs)} record(s), ε {', '.join(epsilons)}, made {made[0]} to {made[-1]}")
        notes.append(f"- {name}: " + "; ".join(parts))
    return notes


def _budget_text(record: Record) -> str:
    epsilon = record.spec.epsilon
    if epsilon is None:
        return "any (not DP)"
    return "∞" if math.isinf(epsilon) else f"{epsilon:g}"


def _epsilon_order(text: str) -> float:
    if text == "any (not DP)":
        return -1.0
    return math.inf if text == "∞" else float(text)


def _evaluation_note(group: list[Record]) -> list[str]:
    """Lines saying which records were scored with which attacks and metrics, when they differ."""
    suites, notes = defaultdict(list), []
    for r in group:
        suites[r.spec.suite()].append(f"{r.spec.cohort} / {r.spec.synthesizer} / seed {r.spec.seed}")
    if len(suites) > 1:
        notes.append("**Note: these records were not all scored with the same attacks and metrics**, so a row's "
                     "strongest attack or a metric column may come from a different suite than its neighbour's:")
        for (attacks, metrics), cells in sorted(suites.items()):
            notes.append(f"- attacks {', '.join(attacks) or 'none'}; metrics {', '.join(metrics) or 'none'}: "
                         f"{len(cells)} record(s), e.g. {cells[0]}")
    return notes


