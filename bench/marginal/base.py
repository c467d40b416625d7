"""What the marginal-based reference synthesizers (AIM, MST) share.

Both measure noisy marginals of a discretised table (``bench.data.discretize``),
fit a Markov random field to the measurements by Private-PGM's mirror
descent (the ``mbi`` package, version 2, on JAX), and release records drawn
from the fitted model with mbi's ``synthetic_data``. This module holds that
common part:

* ``DiscreteData``: the private table as integer codes, and its exact
  marginal counts (what the mechanisms of ``bench.privacy.zcdp`` then noise);
* ``Measurement``: one noisy (or exact) marginal as the estimator sees it;
* ``estimate``: mbi's mirror descent on a list of measurements;
* ``ModelMarginals``: marginals of a fitted model as numpy arrays;
* ``synthesize``: ``MarkovRandomField.synthetic_data`` with a seeded generator;
* ``MarginalSynthesizer``: the ``Synthesizer`` template AIM and MST fill in.

Compilation. mbi compiles its estimator with XLA. On a CPU that compilation,
not the optimisation, dominates a fit of a 100-column table (10 to 20 s per
model structure on the benchmark machine). The choices below keep it to one
compilation per model structure, and none changes the model that is fitted:

* with a fixed step (``quick``), ``estimate`` runs mbi's mirror-descent update
  as an ``mbi.estimation.Estimator`` whose state keeps the step (traced, so a
  refit with other noise levels reuses the program) and the marginals of its
  potentials (so no oracle runs, and compiles, outside the compiled step).
  With the line search (``paper``) it runs mbi's own ``MirrorDescent``, whose
  oracle outside the step is the compiled Hugin pass called exactly as
  ``synthetic_data`` calls it, so that sampling reuses that program;
* the oracle inside the step is ``message_passing_implicit``, the cheapest
  to compile here. Every oracle is exact inference;
* ``structure``: cliques the model spans whether or not they are measured
  yet, as placeholder measurements with infinite standard deviation (no
  term in the loss, no gradient). A mechanism that knows every clique it may
  measure (AIM with a small candidate set) refits every round with one
  program; the fitted model is still a field over the measured cliques only;
* repeated measurements of one marginal are combined by inverse-variance
  weighting (the squared loss changes by a constant only), so the list of
  measurements keeps its shape; queries compare by value (``ScaledCounts``).

JAX runs in float64, as mbi recommends.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from bench.data.discretize import Discretizer
from bench.api.synthesizer import Budget, PrivacySpent, Synthesizer
from bench.privacy.zcdp import ZCDPLedger
from bench.api.tags import SynthesizerTags

Clique = tuple[str, ...]


@functools.lru_cache(maxsize=1)
def load_mbi():
    """Import mbi with JAX configured for it (float64)."""
    import jax

    jax.config.update("jax_enable_x64", True)
    with warnings.catch_warnings():
        # JAX enables its persistent cache flag by default but sets no cache directory, so
        # nothing is cached on disk; mbi warns about the flag all the same.
        warnings.filterwarnings("ignore", message="JAX persistent compilation cache is enabled", category=UserWarning)
        import mbi
    return mbi


class DiscreteData:
    """The private table as integer codes per column.

    Args:
        codes: Column name to an int array of codes (all the same length).
        sizes: Column name to its number of codes.
    """

    def __init__(self, codes: Mapping[str, np.ndarray], sizes: Mapping[str, int]) -> None:
        self.codes = {name: np.asarray(codes[name], dtype=np.int64) for name in sizes}
        self.sizes = dict(sizes)
        self.names = list(sizes)
        self.rows = len(next(iter(self.codes.values())))

    def shape(self, clique: Sequence[str]) -> tuple[int, ...]:
        return tuple(self.sizes[a] for a in clique)

    def cells(self, clique: Sequence[str]) -> int:
        return int(np.prod(self.shape(clique), dtype=np.int64))

    def counts(self, clique: Sequence[str]) -> np.ndarray:
        """Exact marginal counts over ``clique``, flattened in C order of the clique's columns."""
        shape = self.shape(clique)
        if not clique:
            return np.array([float(self.rows)])
        index = np.ravel_multi_index([self.codes[a] for a in clique], shape)
        return np.bincount(index, minlength=int(np.prod(shape))).astype(np.float64)

    def recode(self, mappings: Mapping[str, np.ndarray]) -> "DiscreteData":
        """The same rows with some columns' codes mapped (``mappings[name][old] = new``)."""
        codes = {a: (mappings[a][c] if a in mappings else c) for a, c in self.codes.items()}
        sizes = {a: (int(mappings[a].max()) + 1 if a in mappings else s) for a, s in self.sizes.items()}
        return DiscreteData(codes, sizes)


@dataclass(frozen=True)
class Measurement:
    """A measured marginal as the estimator sees it.

    Attributes:
        clique: Columns of the marginal.
        values: The noisy (or exact) answer, ``weights * counts + noise``.
        sigma: Standard deviation of the noise on each value.
        weights: Per-cell weights of the query (``None``: the counts themselves).
    """

    clique: Clique
    values: np.ndarray
    sigma: float
    weights: np.ndarray | None = None


@dataclass(frozen=True)
class ScaledCounts:
    """The query ``weights * counts`` of a measurement, for mbi.

    It plays the part of ``mbi.WeightedQuery``, which compares by identity, so
    that two fits with equal weights share mbi's compiled program (a query is
    static in mbi's measurements)."""

    weights: tuple[float, ...]

    def __call__(self, factor):
        import jax.numpy as jnp

        return factor.datavector() * jnp.asarray(self.weights)

    def op_norm_sq(self) -> float:
        return max(w * w for w in self.weights)


def combine(measurements: Sequence[Measurement]) -> Measurement:
    """Inverse-variance combination of measurements of one clique with the same query."""
    if len(measurements) == 1:
        return measurements[0]
    precision = np.array([1.0 / m.sigma**2 for m in measurements])
    values = sum(p * m.values for p, m in zip(precision, measurements)) / precision.sum()
    return Measurement(measurements[0].clique, values, float(precision.sum() ** -0.5), measurements[0].weights)


@functools.lru_cache(maxsize=1)
def _outside_hugin_oracle():
    """Exact marginals for mbi's ``MirrorDescent``: implicit message passing inside its
    compiled step, and outside it (initial and final marginals) the compiled Hugin
    program called exactly as ``MarkovRandomField.synthetic_data`` calls it, so that
    sampling the model reuses it."""
    import jax

    oracles = load_mbi().marginal_oracles

    def oracle(potentials, total=1.0, *, constraints=()):
        leaves = jax.tree.leaves(potentials)
        if (leaves and isinstance(leaves[0], jax.core.Tracer)) or constraints:
            return oracles.message_passing_implicit.__wrapped__(potentials, total, constraints=constraints)
        return oracles.message_passing_hugin(potentials, total)

    return oracle


def model_structure(sizes: Mapping[str, int], cliques: Sequence[Clique]) -> list[Clique]:
    """The maximal cliques of the junction tree of ``cliques``, in the order mbi lists them."""
    mbi = load_mbi()
    domain = mbi.Domain(list(sizes), [sizes[a] for a in sizes])
    jtree, _ = mbi.junction_tree.make_junction_tree(domain, [tuple(c) for c in cliques])
    return [tuple(c) for c in jtree.nodes]


def model_size_mb(sizes: Mapping[str, int], cliques: Sequence[Clique]) -> float:
    """mbi's ``hypothetical_model_size`` (megabytes of the junction tree's tables)."""
    mbi = load_mbi()
    domain = mbi.Domain(list(sizes), [sizes[a] for a in sizes])
    return float(mbi.junction_tree.hypothetical_model_size(domain, [tuple(c) for c in cliques]))


def estimate(
    sizes: Mapping[str, int],
    measurements: Sequence[Measurement],
    *,
    iters: int,
    line_search: bool,
    structure: Sequence[Clique] = (),
    warm_start=None,
    total: float | None = None,
):
    """Fit mbi's Markov random field to ``measurements`` by mirror descent.

    Args:
        sizes: Number of codes per column (the model's domain, in table order).
        measurements: At most one per (clique, weights); see ``combine``.
        iters: Mirror-descent iterations.
        line_search: mbi's Armijo line search (the reference's default); otherwise
            a fixed step of 2 / (L * total), mbi's initial step, L the loss's Lipschitz
            constant (see ``_fixed_step_estimator``).
        structure: Cliques the model must span even if unmeasured (placed first,
            so that the model's cliques come in this order).
        warm_start: A previous model whose potentials start the descent.
        total: Known number of records; by default mbi's minimum-variance estimate.
    """
    mbi = load_mbi()
    names = list(sizes)
    domain = mbi.Domain(names, [sizes[a] for a in names])
    linear = [
        mbi.LinearMeasurement(np.zeros(domain.size(c)), tuple(c), stddev=np.inf) for c in structure
    ]
    for m in measurements:
        query = mbi.DatavectorQuery() if m.weights is None else ScaledCounts(tuple(float(w) for w in m.weights))
        linear.append(mbi.LinearMeasurement(np.asarray(m.values, dtype=np.float64), tuple(m.clique),
                                            stddev=float(m.sigma), query=query))
    if total is None:
        total = float(mbi.estimation.minimum_variance_unbiased_total(linear[len(structure):]))
    loss = mbi.marginal_loss.from_linear_measurements(linear, domain)
    if line_search:
        estimator = mbi.estimation.MirrorDescent(marginal_oracle=_outside_hugin_oracle())
    else:
        estimator = _fixed_step_estimator()
    return estimator.estimate(domain, loss, known_total=total, iters=iters, warm_start=warm_start)


@functools.lru_cache(maxsize=1)
def _fixed_step_estimator():
    """mbi's mirror descent (Algorithm 1 of McKenna et al. 2019) with a fixed step.

    The step is mbi's initial one, 2 / (L * total), and stays in the traced state,
    so refits with other noise levels reuse the compiled program (mbi's own
    ``MirrorDescent(stepsize=...)`` holds it in the static estimator). The state
    also keeps the potentials whose marginals it holds, so the initial and final
    models need no oracle call outside the compiled step; the model returned is
    the last iterate whose marginals were computed (one gradient step short of
    the last update).
    """
    import dataclasses
    from typing import NamedTuple

    import jax
    import jax.numpy as jnp

    mbi = load_mbi()

    class State(NamedTuple):
        mu: Any  # marginals of ``theta``
        theta: Any  # the potentials of ``mu``
        potentials: Any  # the next iterate
        alpha: Any
        loss: Any

    @dataclasses.dataclass(frozen=True)
    class FixedStepMirrorDescent(mbi.estimation.Estimator):
        def _init(self, domain, loss_fn, known_total, *, warm_start=None, constraints=()):
            if warm_start is None:
                potentials = mbi.CliqueVector.zeros(domain, loss_fn.cliques)
            else:
                potentials = warm_start.potentials.expand(loss_fn.cliques)
            alpha = 2.0 / (loss_fn.lipschitz * known_total)
            mu = mbi.CliqueVector.zeros(domain, loss_fn.cliques)
            return State(mu, potentials, potentials, alpha, jnp.array(jnp.inf, dtype=jnp.float64))

        def _step(self, state, loss_fn, known_total, constraints=()):
            oracle = self._oracle(loss_fn.cliques, state.potentials.domain, constraints=constraints)
            mu = oracle(state.potentials, known_total)
            value, gradient = jax.value_and_grad(loss_fn)(mu)
            return State(mu, state.potentials, state.potentials - state.alpha * gradient, state.alpha, value)

        def _finalize(self, state, known_total, constraints=()):
            return mbi.MarkovRandomField(potentials=state.theta, marginals=state.mu, total=known_total,
                                         constraints=constraints)

    return FixedStepMirrorDescent(marginal_oracle=mbi.marginal_oracles.message_passing_implicit.__wrapped__)


class ModelMarginals:
    """Marginals of a fitted model as numpy arrays (flattened in C order of the asked clique).

    A clique inside one of the model's cliques is a sum over the model's marginal;
    a clique whose columns lie in unconnected parts of the model is the product
    of the parts' marginals (they are independent); anything else is asked of
    mbi (variable elimination, compiled per clique: slow, used only by large models).
    """

    def __init__(self, model) -> None:
        self.model = model
        self.total = float(model.total)
        self.tables = {}
        for clique in model.marginals.cliques:
            factor = model.marginals[clique]
            self.tables[tuple(clique)] = (tuple(factor.domain.attributes), np.asarray(factor.values))
        self.component = _components([tuple(c) for c in model.cliques], list(model.domain.attributes))
        self._cache: dict[Clique, np.ndarray] = {}

    def __call__(self, clique: Sequence[str]) -> np.ndarray:
        clique = tuple(clique)
        if clique not in self._cache:
            self._cache[clique] = self._compute(clique)
        return self._cache[clique]

    def _compute(self, clique: Clique) -> np.ndarray:
        inside = self._inside(clique)
        if inside is not None:
            return inside
        groups: dict[int, list[str]] = {}
        for a in clique:
            groups.setdefault(self.component[a], []).append(a)
        parts = [self._inside(tuple(g)) for g in groups.values()]
        if len(groups) > 1 and all(p is not None for p in parts):
            joint = functools.reduce(np.multiply.outer, [p.reshape(self._shape(g)) for p, g in zip(parts, groups.values())])
            order = [a for g in groups.values() for a in g]
            joint = np.transpose(joint, [order.index(a) for a in clique]) / self.total ** (len(groups) - 1)
            return joint.ravel()
        factor = self.model.project(clique)
        return np.asarray(factor.transpose(clique).values).ravel()

    def _shape(self, clique: Sequence[str]) -> tuple[int, ...]:
        return tuple(self.model.domain[a] for a in clique)

    def _inside(self, clique: Clique) -> np.ndarray | None:
        best = None
        for attrs, table in self.tables.values():
            if set(clique) <= set(attrs) and (best is None or table.size < best[1].size):
                best = (attrs, table)
        if best is None:
            return None
        attrs, table = best
        summed = table.sum(axis=tuple(i for i, a in enumerate(attrs) if a not in clique))
        kept = [a for a in attrs if a in clique]
        return np.transpose(summed, [kept.index(a) for a in clique]).ravel()


def _components(cliques: Sequence[Clique], names: Sequence[str]) -> dict[str, int]:
    """Connected component of each column in the graph the cliques span."""
    parent = {a: a for a in names}

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for clique in cliques:
        for a, b in zip(clique, clique[1:]):
            parent[find(a)] = find(b)
    roots: dict[str, int] = {}
    return {a: roots.setdefault(find(a), len(roots)) for a in names}


def synthesize(model, rows: int, rng: np.random.Generator, *, compiled: bool = True) -> dict[str, np.ndarray]:
    """``rows`` records from mbi's ``synthetic_data`` (randomised rounding), seeded by ``rng``.

    mbi draws from numpy's global generator; it is seeded from ``rng`` for the
    call and restored afterwards, so the release depends on the fit's seed only.
    ``compiled=False`` runs mbi's Hugin pass op by op (``jax.disable_jit``), which
    is faster than compiling it when its junction tree is a wide star.
    """
    import contextlib

    import jax

    state = np.random.get_state()
    np.random.seed(int(rng.integers(2**32)))
    try:
        with contextlib.nullcontext() if compiled else jax.disable_jit():
            data = model.synthetic_data(rows=rows)
    finally:
        np.random.set_state(state)
    return {name: np.asarray(values, dtype=np.int64) for name, values in data.to_dict().items()}


@dataclass(frozen=True)
class MarginalConfig:
    """Settings every marginal-based method shares (``AIMConfig``, ``MSTConfig``).

    Attributes:
        bins: Bins per continuous column over its public bounds (plus a missing
            code for nullable columns); see ``bench.data.discretize``.
        log_ratio: Positive columns whose public bounds span this factor or more
            are binned on the log scale (``inf``: all equal-width).
        line_search: mbi's Armijo line search (the reference's default), or a
            fixed step of 2 / (L * records); see ``estimate``.
        noise: ``seeded`` or ``opendp`` (see ``bench.privacy.zcdp``).
    """

    bins: int = 32
    log_ratio: float = 20.0
    line_search: bool = True
    noise: str = "seeded"


class MarginalSynthesizer(Synthesizer):
    """Template of a marginal-based DP synthesizer: discretise on the public schema,
    run the mechanism (``run``) through a zCDP ledger, sample the fitted model.

    A subclass sets ``name``, ``display_name``, ``profiles`` (subclasses of
    ``MarginalConfig``) and implements ``run(data, ledger)``, which
    returns the fitted mbi model and the method's own ledger entries, and
    may override ``expand_codes`` when its model works on recoded columns.

    The budget mode makes no difference: the mechanisms always calibrate their
    noise to the target (they have no fixed paper noise level to run at), and
    the zCDP mechanisms need delta > 0. The ``public`` split is not used.
    """

    tags = SynthesizerTags(is_dp=True, reference=True)

    def run(self, data: DiscreteData, ledger: ZCDPLedger) -> tuple[Any, dict[str, Any]]:
        raise NotImplementedError

    def expand_codes(self, codes: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Codes of the model's domain back to the discretiser's codes (identity by default)."""
        return codes

    def _fit(self, train: pd.DataFrame, *, budget: Budget, public: pd.DataFrame | None) -> PrivacySpent:
        self.discretizer_ = Discretizer(self.schema, self.config.bins, self.config.log_ratio)
        data = DiscreteData(self.discretizer_.encode(train), self.discretizer_.sizes())
        ledger = ZCDPLedger(budget, noise=self.config.noise)
        self.model_, details = self.run(data, ledger)
        log_ratio = self.config.log_ratio if math.isfinite(self.config.log_ratio) else "inf"
        return ledger.privacy_spent(bins=self.config.bins, log_ratio=log_ratio, **details)

    compiled_sampling = True  # see ``synthesize``

    def _sample(self, n: int) -> pd.DataFrame:
        codes = self.expand_codes(synthesize(self.model_, n, self.rng_, compiled=self.compiled_sampling))
        return self.discretizer_.decode(codes, self.rng_)

