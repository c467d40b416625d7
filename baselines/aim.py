"""AIM: adaptive and iterative selection and measurement of marginals, with budget annealing."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from bench.marginal.base import (
    DiscreteData, MarginalConfig, MarginalSynthesizer, Measurement, ModelMarginals, combine, estimate, model_size_mb, model_structure,
)
from bench.privacy.zcdp import ZCDPLedger, gaussian_rho, selection_rho

WORKLOADS = ("all-pairs", "outcome-pairs")


@dataclass(frozen=True)
class AIMConfig(MarginalConfig):
    """Settings of AIM (besides ``MarginalConfig``'s).

    Attributes:
        workload: ``all-pairs`` (every pair of columns, the reference's degree-2
            workload) or ``outcome-pairs`` (every pair with an outcome column).
        max_cells: Workload pairs with more cells are left out (reference 10,000).
        rounds: T, the planned number of rounds that sets the first rounds'
            budget (``None``: the reference's 16 x columns).
        max_model_size: Megabytes the fitted model may take (reference 80),
            scaled by the share of the budget spent so far, as in the paper.
        iters: Mirror-descent iterations per round and for the final model
            (reference: 1,000 each).
        final_iters: Iterations of the final model (``None``: ``iters``).
        nonprivate_rounds: At epsilon = inf no budget ends the loop; it ends
            after this many rounds (``None``: T) or when every candidate has been measured.

    Profiles: ``paper`` is the reference's defaults (degree-2 workload of
    all pairs up to 10,000 cells, T = 16 d, 80 MB, 1,000 iterations per round
    with the line search) with 32 bins (the reference takes discrete data);
    expect hours on a CPU. ``quick`` restricts the workload to the pairs with
    an outcome (mortality, readmission), so that every candidate fits in one
    small model that every round refits with one compiled program (see
    ``bench.marginal.base``); 16 bins; 150 iterations per round and 1,000 for the
    final model, with the fixed step; at epsilon = inf at most 50 rounds
    (about the 27 to 37 rounds the budget allows at epsilon 1). Both bin
    skewed columns (public bounds spanning a factor of 20 or more) on the log
    scale.

    Tuning (``mimic3-sim-tuning``, epsilon 1, split seeds 0 and 1; mortality
    AUC / mean JSD): 16 equal-width bins 0.836 / 0.0249 and 0.870 / 0.0248;
    with log bins 0.829 / 0.0148 and 0.862 / 0.0143; 8 bins 0.843 / 0.0345;
    32 bins 0.793 / 0.0309; 75 or 300 iterations per round 0.834 / 0.0258
    and 0.840 / 0.0248 (split 0).
    """

    workload: str = "all-pairs"
    max_cells: int = 10_000
    rounds: int | None = None
    max_model_size: float = 80.0
    iters: int = 1000
    final_iters: int | None = None
    nonprivate_rounds: int | None = None

    def __post_init__(self) -> None:
        if self.workload not in WORKLOADS:
            raise ValueError(f"workload must be one of {WORKLOADS}, got {self.workload!r}")


class AIM(MarginalSynthesizer):
    """AIM (McKenna, Mullins, Sheldon & Miklau, "AIM: An Adaptive and Iterative
    Mechanism for Differentially Private Synthetic Data", VLDB 2022), following
    the reference implementation ``mechanisms/aim.py`` of Private-PGM
    (ryan112358/private-pgm and mbi):

    * candidates are the workload's cliques and their subsets, each weighted
      by its overlap with the workload (``compile_workload``);
    * with rho the zCDP budget and T rounds planned, every one-way marginal is
      first measured with sigma = sqrt(T / (2 * 0.9 * rho)); each round then
      selects a candidate with the exponential mechanism, epsilon =
      sqrt(8 * 0.1 * rho / T), score = weight * (L1 error of the current model
      - sqrt(2/pi) * sigma * cells), sensitivity the largest weight, among
      the candidates whose model stays within max_model_size * (share of
      rho spent); measures it with Gaussian noise sigma; refits the model
      by mirror descent (warm start);
    * budget annealing: when the refit moves the selected marginal by less
      than the expected noise (sqrt(2/pi) * sigma * cells in L1), sigma is
      halved and epsilon doubled; when less than two rounds' cost remains,
      the last round spends exactly what is left, so rho is never exceeded;
    * the final model is sampled.

    Deviations from the reference:

    * The noise, selections, composition and conversion go through
      ``bench.privacy.zcdp`` (OpenDP's mechanisms and accountant; noise seeded by the
      fit's seed by default) instead of numpy draws and ``cdp2adp``; the
      selection is report-noisy-max with Gumbel noise, which is the same
      exponential mechanism. The budget bookkeeping uses the ledger's costs.
    * Continuous columns are discretised on the schema's public bounds.
    * A clique selected twice keeps one inverse-variance-combined
      measurement (same loss up to a constant).
    * When every candidate fits in one model within the first round's size
      limit (``quick``), the model spans all candidate cliques from the start,
      unmeasured ones carrying no weight in the loss: the fit is still a field
      over the measured cliques, and every round reuses one compiled program.
    * ``rounds`` (T) below the number of columns is refused: the one-way
      measurements alone would then spend more than rho.
    * ``quick``: outcome-pair workload, fewer iterations, fixed step (see
      ``AIMConfig`` and ``bench.marginal.base.estimate``).

    At epsilon = inf the same loop runs without privacy: exact marginals, the
    arg-max candidate (no bias term) among those not yet measured, no
    annealing, and ``nonprivate_rounds`` rounds at most.
    """

    name = "aim"
    display_name = "AIM (reference)"
    compiled_sampling = False  # the model is refitted every round: its junction tree is a star around the outcomes
    profiles = {
        "quick": AIMConfig(bins=16, workload="outcome-pairs", iters=150, final_iters=1000, line_search=False,
                           nonprivate_rounds=50),
        "paper": AIMConfig(),
    }

    # -- workload ---------------------------------------------------------------
    def workload(self, data: DiscreteData) -> list[tuple[str, ...]]:
        """The weighted degree-2 workload (every weight 1), as in the reference's command line."""
        names = data.names
        if self.config.workload == "outcome-pairs":
            outcomes = set(self.schema.outcomes.values())
            pairs = [p for p in itertools.combinations(names, 2) if outcomes & set(p)]
        else:
            pairs = list(itertools.combinations(names, 2))
        return [p for p in pairs if data.cells(p) <= self.config.max_cells]

    @staticmethod
    def candidates(workload: list[tuple[str, ...]]) -> dict[tuple[str, ...], float]:
        """Downward closure of the workload, weighted by overlap (reference ``compile_workload``)."""
        closure: dict[tuple[str, ...], None] = {}  # insertion-ordered set: the same order in every process
        for cl in workload:
            for r in range(1, len(cl) + 1):
                closure.update(dict.fromkeys(itertools.combinations(cl, r)))
        ordered = sorted(closure, key=len)  # stable: one-way marginals first, then in workload order
        # sum over workload cliques w of |cl & w| = sum over columns a of cl of #{w containing a}
        appearances: dict[str, int] = {}
        for w in workload:
            for a in w:
                appearances[a] = appearances.get(a, 0) + 1
        return {cl: float(sum(appearances[a] for a in cl)) for cl in ordered}

    # -- the mechanism ------------------------------------------------------------
    # Long on purpose: AIM's algorithm (McKenna et al. 2022, Algorithm 1) step by step, as in the paper.
    def run(self, data: DiscreteData, ledger: ZCDPLedger):
        config, rng = self.config, self.rng_
        workload = self.workload(data)
        candidates = self.candidates(workload)
        answers = {cl: data.counts(cl) for cl in candidates}
        oneway = [cl for cl in candidates if len(cl) == 1]
        rounds_planned = config.rounds or 16 * len(data.names)
        if rounds_planned < len(oneway):
            raise ValueError(f"AIM needs at least as many rounds as columns ({len(oneway)}), got {rounds_planned}: "
                             "the one-way marginals alone would spend more than the budget")
        private = ledger.private
        sigma = np.sqrt(rounds_planned / (2 * 0.9 * ledger.rho)) if private else 0.0
        epsilon = np.sqrt(8 * 0.1 * ledger.rho / rounds_planned) if private else np.inf

        # One model structure for every round when all candidates fit together at the first size limit.
        measured: dict[tuple[str, ...], list[Measurement]] = {}
        for cl in oneway:
            y = ledger.measure(answers[cl], sigma, cl, rng)
            measured.setdefault(cl, []).append(Measurement(cl, y, sigma if private else 1.0))
        spent_share = (ledger.rho_spent / ledger.rho) if private else 1.0
        all_cliques = list(candidates)
        fixed = model_size_mb(data.sizes, all_cliques) <= config.max_model_size * max(spent_share, 1e-12)
        structure = model_structure(data.sizes, all_cliques) if fixed else []
        slots = all_cliques if fixed else None

        def fit(iters, warm):
            order = slots if slots is not None else list(measured)
            ms = [combine(measured[cl]) if cl in measured else Measurement(cl, np.zeros(data.cells(cl)), np.inf)
                  for cl in order]
            return estimate(data.sizes, ms, iters=iters, line_search=config.line_search, structure=structure,
                            warm_start=warm)

        model = fit(config.iters, None)
        marginals = ModelMarginals(model)
        history = []
        terminate = False
        while not terminate:
            if private:  # a round's cost: e^2/8 for the selection (whatever its sensitivity), 1/(2 sigma^2)
                round_cost = gaussian_rho(sigma) + selection_rho(epsilon, 1.0)
                if ledger.remaining() < 2 * round_cost:  # spend exactly what is left in a last round
                    remaining = ledger.remaining()
                    sigma = np.sqrt(1 / (2 * 0.9 * remaining))
                    epsilon = np.sqrt(8 * 0.1 * remaining)
                    round_cost = remaining
                    terminate = True
                size_limit = config.max_model_size * min((ledger.rho_spent + round_cost) / ledger.rho, 1.0)
            else:
                size_limit = config.max_model_size
            pool = self._small_candidates(candidates, model, data, size_limit, fixed)
            if not private:
                pool = {cl: w for cl, w in pool.items() if cl not in measured}
                if not pool:
                    break
            keys = list(pool)
            bias = np.sqrt(2 / np.pi) * sigma
            scores = np.array([pool[cl] * (np.abs(answers[cl] - marginals(cl)).sum() - bias * data.cells(cl))
                               for cl in keys])
            sensitivity = max(abs(pool[cl]) for cl in keys)  # the largest weight among the candidates
            cl = keys[ledger.select(scores, epsilon, sensitivity, rng)]
            y = ledger.measure(answers[cl], sigma, cl, rng)
            measured.setdefault(cl, []).append(Measurement(cl, y, sigma if private else 1.0))
            before = marginals(cl)
            model = fit(config.iters, model)
            marginals = ModelMarginals(model)
            annealed = False
            if private and np.abs(marginals(cl) - before).sum() <= sigma * np.sqrt(2 / np.pi) * data.cells(cl):
                sigma, epsilon, annealed = sigma / 2, epsilon * 2, True
            history.append({"marginal": list(cl), "annealed": annealed})
            if not private and len(history) >= (config.nonprivate_rounds or rounds_planned):
                terminate = True

        model = fit(config.final_iters or config.iters, model)
        details = {
            "rounds": len(history),
            "rounds_planned": rounds_planned,
            "workload": config.workload,
            "workload_size": len(workload),
            "candidates": len(candidates),
            "one_model_structure": bool(fixed),
            "annealings": sum(h["annealed"] for h in history),
            "selected": [h["marginal"] for h in history],
        }
        return model, details

    def _small_candidates(self, candidates, model, data, size_limit, fixed):
        """Candidates whose addition keeps the model within ``size_limit`` MB (reference ``filter_candidates``)."""
        if fixed:
            return dict(candidates)  # the model already spans every candidate within the limit
        cliques = [tuple(c) for c in model.cliques]
        free = {sub for cl in cliques for r in range(1, len(cl) + 1) for sub in itertools.combinations(cl, r)}
        return {cl: w for cl, w in candidates.items()
                if cl in free or model_size_mb(data.sizes, cliques + [cl]) <= size_limit}
