"""Zero-concentrated DP (zCDP) mechanisms and their ledger, through OpenDP.

The marginal-based synthesizers (AIM, MST) spend their budget on two
mechanisms, each an OpenDP measurement whose privacy map gives its cost:

* a noisy marginal: Gaussian noise of standard deviation ``sigma`` on a
  count vector (``opendp.measurements.make_gaussian``, zCDP output). Adding
  or removing one row (a stay) changes one cell by 1, so the L2 sensitivity is 1
  and the map gives rho = 1 / (2 sigma^2);
* a selection: the exponential mechanism with parameter ``epsilon`` over
  scores of sensitivity ``s``, run as report-noisy-max with Gumbel noise of
  scale 2 s / epsilon (``make_noisy_max`` with zCDP output), which is
  epsilon-DP and, having bounded range, epsilon^2 / 8-zCDP (Cesar & Rogers
  2021); the map gives that figure.

Neighbouring datasets differ by one added or removed row, a stay (unbounded DP,
as in the AIM and MST papers). The costs compose by OpenDP's adaptive
composition (zCDP adds up) and the total converts to (epsilon, delta) with
OpenDP's zCDP-to-approximate-DP conversion (the bound of Canonne, Kamath &
Steinke 2020). The target rho of a budget is the largest rho whose
conversion stays within the target epsilon (bisection over that conversion).

Noise source. OpenDP's samplers draw from the operating system's CSPRNG and
cannot be seeded, and the harness promises the same release for the same
seed. With ``noise="seeded"`` (the default) the ledger therefore draws the
same distributions (Gaussian noise of the same ``sigma``; Gumbel noise of the
same scale, whose arg-max is the exponential mechanism) from the fit's
seeded numpy generator, and OpenDP supplies only the privacy maps, the
composition and the conversion. ``noise="opendp"`` invokes the OpenDP
measurements themselves: a secure release that a seed cannot reproduce.

At epsilon = inf (``Budget.private`` false) the same calls run without
privacy: a marginal is returned exactly, a selection is the arg-max, and the
ledger reports ``PrivacySpent.no_dp``.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Sequence

import numpy as np

from bench.errors import BenchInputError
from bench.api.synthesizer import Budget, PrivacySpent
from bench.privacy.accountant import LedgerTable, spent_total

ACCOUNTANT = "zcdp (opendp)"
NOISE_SOURCES = ("seeded", "opendp")
CONVERSION = "OpenDP make_zCDP_to_approxDP (Canonne, Kamath & Steinke 2020) with make_fix_delta"
COMPOSITION = "OpenDP make_adaptive_composition: zCDP costs add up"


@functools.lru_cache(maxsize=1)
def _opendp():
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


def _float_vectors():
    dp = _opendp()
    return dp.vector_domain(dp.atom_domain(T=float, nan=False))


def gaussian_measurement(sigma: float):
    """OpenDP's Gaussian mechanism on a float vector of L2 sensitivity 1, zCDP output."""
    dp = _opendp()
    return dp.m.make_gaussian(_float_vectors(), dp.l2_distance(T=float), scale=float(sigma))


def selection_measurement(epsilon: float, sensitivity: float):
    """OpenDP's report-noisy-max (Gumbel noise, zCDP output) equal to the exponential mechanism
    with parameter ``epsilon`` on scores of L-infinity sensitivity ``sensitivity``."""
    dp = _opendp()
    return dp.m.make_noisy_max(
        _float_vectors(), dp.linf_distance(T=float, monotonic=False), dp.zero_concentrated_divergence(),
        scale=2.0 * float(sensitivity) / float(epsilon),
    )


def gaussian_rho(sigma: float) -> float:
    """Cost of one noisy marginal (OpenDP's privacy map at sensitivity 1)."""
    return float(gaussian_measurement(sigma).map(1.0))


def selection_rho(epsilon: float, sensitivity: float) -> float:
    """Cost of one exponential-mechanism selection (OpenDP's privacy map)."""
    return float(selection_measurement(epsilon, sensitivity).map(float(sensitivity)))


def _composition(rhos: Sequence[float]):
    dp = _opendp()
    return dp.c.make_adaptive_composition(
        dp.vector_domain(dp.atom_domain(T=int)), dp.symmetric_distance(), dp.zero_concentrated_divergence(),
        d_in=1, d_mids=[float(r) for r in rhos],
    )


def composed_rho(rhos: Sequence[float]) -> float:
    """Total zCDP cost of mechanisms run in sequence (OpenDP's composition)."""
    rhos = [float(r) for r in rhos if r > 0]
    return float(_composition(rhos).map(1)) if rhos else 0.0


def epsilon_for(rho: float, delta: float) -> float:
    """The epsilon of rho-zCDP at ``delta`` (OpenDP's conversion)."""
    if rho <= 0:
        return 0.0
    dp = _opendp()
    converted = dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(_composition([rho])), float(delta))
    return float(converted.map(1)[0])


@functools.lru_cache(maxsize=64)
def rho_for(epsilon: float, delta: float) -> float:
    """The largest rho (to a relative 1e-10) whose conversion at ``delta`` is within ``epsilon``."""
    if not delta > 0:
        raise BenchInputError("the zCDP mechanisms need delta > 0 (rho-zCDP gives no pure epsilon-DP)")
    low, high = 0.0, float(epsilon)  # rho <= epsilon always, since epsilon >= rho for any delta < 1
    while epsilon_for(high, delta) <= epsilon:
        low, high = high, 2 * high
    while high - low > 1e-10 * high:
        mid = 0.5 * (low + high)
        if epsilon_for(mid, delta) <= epsilon:
            low = mid
        else:
            high = mid
    return low


class ZCDPLedger:
    """Runs a fit's mechanisms and records what each cost.

    Args:
        budget: The run's budget; at ``epsilon = inf`` nothing is noised.
        noise: ``seeded`` or ``opendp`` (see the module docstring).
    """

    def __init__(self, budget: Budget, noise: str = "seeded") -> None:
        if noise not in NOISE_SOURCES:
            raise ValueError(f"noise must be one of {NOISE_SOURCES}, got {noise!r}")
        self.budget = budget
        self.noise = noise
        self.private = budget.private
        self.rho = rho_for(budget.epsilon, budget.delta) if self.private else math.inf
        self.measurements: list[dict[str, Any]] = []
        self.selections: list[dict[str, Any]] = []
        self._costs: list[float] = []

    # -- budget ---------------------------------------------------------------
    @property
    def rho_spent(self) -> float:
        return composed_rho(self._costs)

    def mechanism(self) -> str:
        return ACCOUNTANT

    def get_epsilon(self, delta: float) -> float:
        return epsilon_for(self.rho_spent, delta)

    def __len__(self) -> int:
        return len(self._costs)

    def remaining(self) -> float:
        return max(self.rho - self.rho_spent, 0.0) if self.private else math.inf

    # -- mechanisms -------------------------------------------------------------
    def measure(self, counts: np.ndarray, sigma: float, marginal: Sequence[str], rng: np.random.Generator) -> np.ndarray:
        """The marginal ``counts`` with Gaussian noise of ``sigma`` (exact when not private)."""
        counts = np.asarray(counts, dtype=np.float64)
        if not self.private:
            self.measurements.append({"marginal": list(marginal), "sigma": 0.0, "rho": 0.0, "exact": True})
            return counts.copy()
        cost = gaussian_rho(sigma)
        if self.noise == "opendp":
            noisy = np.asarray(gaussian_measurement(sigma)(counts.tolist()), dtype=np.float64)
        else:
            noisy = counts + rng.normal(0.0, sigma, counts.shape)
        self._charge(cost)
        self.measurements.append({"marginal": list(marginal), "sigma": float(sigma), "rho": cost})
        return noisy

    def select(self, scores: np.ndarray, epsilon: float, sensitivity: float, rng: np.random.Generator) -> int:
        """Index chosen by the exponential mechanism (the arg-max when not private)."""
        scores = np.asarray(scores, dtype=np.float64)
        if not self.private:
            self.selections.append({"epsilon": "inf", "sensitivity": float(sensitivity), "rho": 0.0,
                                    "candidates": int(scores.size)})
            return int(np.argmax(scores))
        cost = selection_rho(epsilon, sensitivity)
        scale = 2.0 * sensitivity / epsilon
        if self.noise == "opendp":
            index = int(selection_measurement(epsilon, sensitivity)(scores.tolist()))
        else:
            index = int(np.argmax(scores + rng.gumbel(0.0, scale, scores.shape)))
        self._charge(cost)
        self.selections.append({"epsilon": float(epsilon), "sensitivity": float(sensitivity), "rho": cost,
                                "candidates": int(scores.size)})
        return index

    def _charge(self, cost: float) -> None:
        self._costs.append(cost)

    # -- report -------------------------------------------------------------
    def privacy_spent(self, **details: Any) -> PrivacySpent:
        """The fit's ``PrivacySpent``; ``details`` are the method's own ledger entries."""
        common = {
            "measurements": self.measurements,
            "selections": self.selections,
            "selection_count": len(self.selections),
            "noise": self.noise,
        } | details
        if not self.private:
            return PrivacySpent.no_dp(
                self.budget, rho="inf", rho_spent="inf", overspent=False,
                switched_off="Gaussian noise and exponential mechanism (exact marginals, arg-max selection)",
                accountant_detail="none: epsilon = inf", **common,
            )
        rho_spent = self.rho_spent
        epsilon = epsilon_for(rho_spent, self.budget.delta)
        return PrivacySpent(
            epsilon=epsilon,
            delta=self.budget.delta,
            accountant=ACCOUNTANT,
            details={
                "mode": self.budget.mode,
                "target_epsilon": self.budget.epsilon,
                "target_delta": self.budget.delta,
                "rho": self.rho,
                "rho_spent": rho_spent,
                "overspent": rho_spent > self.rho * (1 + 1e-9) or epsilon > self.budget.epsilon * (1 + 1e-9),
                "accountant_detail": {
                    "neighbouring": "add or remove one row (a stay)",
                    "marginal": "OpenDP make_gaussian, L2 sensitivity 1: rho = 1/(2 sigma^2)",
                    "selection": "OpenDP make_noisy_max (Gumbel), zCDP: rho = epsilon^2/8",
                    "composition": COMPOSITION,
                    "conversion": CONVERSION,
                    "target_rho": "largest rho whose conversion is within the target epsilon (bisection)",
                },
            } | common,
        )


def _zcdp_row(spent: list[dict]) -> list[str]:
    d = [p["details"] for p in spent]
    mean = lambda key: float(np.mean([x.get(key, np.nan) for x in d]))  # noqa: E731
    count = lambda key: float(np.mean([len(x.get(key) or []) for x in d]))  # noqa: E731
    return [
        spent[0]["accountant"], f"{mean('rho'):.5f}", f"{mean('rho_spent'):.5f}",
        f"{count('measurements'):.0f}", f"{mean('selection_count'):.0f}" if "selection_count" in d[0] else
        f"{count('selections'):.0f}", f"{mean('rounds'):.0f}" if "rounds" in d[0] else "—",
        spent_total(spent), f"{spent[0]['delta']:g}",
    ]


LEDGER_TABLE = LedgerTable(
    title="Marginal mechanisms (zCDP)",
    text=("Measurements with Gaussian noise and selections by the exponential mechanism, composed in zero-",
          "concentrated DP by the library accountant and converted to (ε, δ) (mean over seeds)."),
    columns=("accountant", "ρ target", "ρ spent", "measurements", "selections", "rounds", "ε total", "δ"),
    covers=lambda spent: spent["accountant"] == ACCOUNTANT and "rho_spent" in spent["details"],
    row=_zcdp_row,
)
ZCDPLedger.ledger_table = LEDGER_TABLE
