"""MST: noisy one-way marginals, an exponential-mechanism maximum spanning tree, noisy two-way marginals."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from bench.marginal.base import DiscreteData, MarginalConfig, MarginalSynthesizer, Measurement, ModelMarginals, estimate, model_structure
from bench.privacy.zcdp import ZCDPLedger


@dataclass(frozen=True)
class MSTConfig(MarginalConfig):
    """Settings of MST (besides ``MarginalConfig``'s).

    Attributes:
        select_iters: Mirror-descent iterations of the one-way model that the
            selection step compares the pairs with (reference: 2,500).
        iters: Mirror-descent iterations of the final model (reference: 10,000).

    Profiles: ``paper`` is the reference implementation's settings
    (``mechanisms/mst.py`` of private-pgm / mbi: 2,500 and 10,000 iterations
    with the line search) with 32 bins per continuous column (the reference
    takes discrete data, so the bins are this harness's choice). ``quick``
    uses 16 bins, 300 iterations for the one-way model and 1,500 for the
    final model, with the fixed step: the fit is dominated by mbi's XLA
    compilation, not by the iterations. Both bin skewed columns (public
    bounds spanning a factor of 20 or more) on the log scale.

    Tuning (``mimic3-sim-tuning``, epsilon 1, split seeds 0 and 1; mortality
    AUC / mean JSD): 16 equal-width bins 0.615 / 0.0175 and 0.670 / 0.0177;
    with log bins 0.772 / 0.0131 and 0.660 / 0.0137; 8 bins 0.587 / 0.0338;
    32 bins 0.562 / 0.0246; 3,000 final iterations 0.589 / 0.0176 (split 0).
    MST's AUC mostly follows which edge joins mortality to the tree.
    """

    select_iters: int = 2500
    iters: int = 10_000


class MST(MarginalSynthesizer):
    """MST (McKenna, Miklau & Sheldon, "Winning the NIST Contest: A scalable and
    general approach to differentially private synthetic data", Journal of
    Privacy and Confidentiality 2021), following the reference implementation
    ``mechanisms/mst.py`` of Private-PGM (ryan112358/private-pgm and mbi):

    1. rho is the zCDP budget of the target (epsilon, delta) and
       sigma = sqrt(3 / (2 rho)); a third of rho goes to each of three steps.
    2. Every one-way marginal is measured with Gaussian noise of
       sigma * sqrt(d) (d columns; equal weights normalised to unit norm).
    3. Domain compression: a value whose noisy count is below 3 times its
       noise is merged with the other such values of its column into one
       code, and the one-way measurement is re-expressed on the new domain.
    4. Selection: a one-way model is fitted (mirror descent); every pair of
       columns is scored by the L1 distance between its true counts and the
       model's; a spanning tree is grown Kruskal-style, each edge picked by
       the exponential mechanism (sensitivity 1) among the pairs joining two
       components, with epsilon = sqrt(8 (rho/3) / (d - 1)) per edge.
    5. Every tree edge's two-way marginal is measured with Gaussian noise of
       sigma * sqrt(d - 1); the final model is fitted to all measurements and
       sampled; a merged code is drawn uniformly among the values it merged.

    Deviations from the reference:

    * The noise, selections, composition and conversion go through
      ``bench.privacy.zcdp`` (OpenDP's mechanisms and accountant; noise seeded by the
      fit's seed by default) instead of numpy draws and ``cdp2adp``; the
      conversion is the same Canonne-Kamath-Steinke bound.
    * Continuous columns are discretised on the schema's public bounds
      (``bench.data.discretize``); the reference takes an already discrete table.
    * The one-way model's pair marginals are products of its one-way
      marginals (which is what that model is) computed in numpy, and true
      pair counts come from numpy, instead of mbi projections per pair.
    * ``quick`` runs fewer iterations with a fixed step (see ``MSTConfig``
      and ``bench.marginal.base.estimate``).

    At epsilon = inf the same steps run without privacy: exact marginals, no
    compression (every count is at least 3 x 0), and the arg-max edge at each
    step (a maximum spanning tree of the pair scores).
    """

    name = "mst"
    display_name = "MST (reference)"
    profiles = {
        "quick": MSTConfig(bins=16, select_iters=300, iters=1500, line_search=False),
        "paper": MSTConfig(),
    }

    def run(self, data: DiscreteData, ledger: ZCDPLedger):
        config, rng, d = self.config, self.rng_, len(data.names)
        sigma = np.sqrt(3.0 / (2.0 * ledger.rho)) if ledger.private else 0.0
        exact_sigma = 1.0  # equal weights for exact measurements at epsilon = inf

        # 1. one-way marginals, 2. compression
        oneway = []
        self.supports_: dict[str, np.ndarray] = {}
        mappings = {}
        for name in data.names:
            noise = sigma * np.sqrt(d)
            y = ledger.measure(data.counts((name,)), noise, (name,), rng)
            support = y >= 3 * noise
            self.supports_[name] = support
            if support.all():
                oneway.append(Measurement((name,), y, noise if ledger.private else exact_sigma))
                continue
            mappings[name] = np.where(support, np.cumsum(support) - 1, support.sum())
            merged = int((~support).sum())
            values = np.append(y[support], y[~support].sum() / np.sqrt(merged))
            weights = np.append(np.ones(int(support.sum())), 1.0 / np.sqrt(merged))
            oneway.append(Measurement((name,), values, noise, weights))
        data = data.recode(mappings)

        # 3. selection of a spanning tree
        model1 = estimate(data.sizes, oneway, iters=config.select_iters, line_search=config.line_search)
        marginals1 = ModelMarginals(model1)
        pairs = list(combinations(data.names, 2))
        scores = {pair: float(np.abs(data.counts(pair) - marginals1(pair)).sum()) for pair in pairs}
        edges = self._spanning_tree(data.names, scores, ledger, rng)

        # 4. two-way marginals and the final model
        twoway = []
        for edge in edges:
            noise = sigma * np.sqrt(len(edges))
            y = ledger.measure(data.counts(edge), noise, edge, rng)
            twoway.append(Measurement(edge, y, noise if ledger.private else exact_sigma))
        structure = model_structure(data.sizes, edges)
        model = estimate(data.sizes, oneway + twoway, iters=config.iters, line_search=config.line_search,
                         structure=structure)
        details = {
            "sigma": float(sigma),
            "compressed_columns": sorted(mappings),
            "tree": [list(e) for e in edges],
            "rho_split": "1/3 one-way marginals, 1/3 selection, 1/3 two-way marginals",
        }
        return model, details

    def _spanning_tree(self, names, scores, ledger: ZCDPLedger, rng) -> list[tuple[str, str]]:
        """Kruskal with the exponential mechanism choosing each edge (reference ``select``)."""
        component = {a: i for i, a in enumerate(names)}
        steps = len(names) - 1
        if steps < 1:
            return []
        epsilon = np.sqrt(8.0 * (ledger.rho / 3.0) / steps) if ledger.private else np.inf
        candidates = list(scores)
        edges = []
        for _ in range(steps):
            candidates = [(a, b) for a, b in candidates if component[a] != component[b]]
            choice = candidates[ledger.select(np.array([scores[c] for c in candidates]), epsilon, 1.0, rng)]
            edges.append(choice)
            old, new = component[choice[1]], component[choice[0]]
            component = {a: (new if c == old else c) for a, c in component.items()}
        return edges

    def expand_codes(self, codes):
        out = dict(codes)
        for name, support in self.supports_.items():
            if support.all():
                continue
            kept, merged = np.flatnonzero(support), np.flatnonzero(~support)
            code = codes[name]
            is_merged = code == len(kept)
            drawn = self.rng_.choice(merged, len(code))
            out[name] = drawn if not len(kept) else np.where(is_merged, drawn, kept[np.minimum(code, len(kept) - 1)])
        return out
