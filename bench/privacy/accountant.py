"""The one interface every accountant of the harness has, and how its ledger is shown.

``Accountant`` is the shape of Opacus' ``IAccountant`` (``mechanism``, ``get_epsilon(delta)``,
``len``): DP-SGD's ledger (``bench.privacy.sgd.Ledger``), PATE's vote accountant
(``bench.privacy.pate.VoteAccountant``) and the zCDP ledger (``bench.privacy.zcdp.ZCDPLedger``)
implement it, each with a ``ledger_table``: a ``LedgerTable`` declaring which fits it covers (by the
accountant a fit names), its section's title and explanation, its columns, and the row of one
(cohort, synthesizer) from the privacy spent by each of its seeds. The report renders the tables of
``bench.privacy.ledgers.LEDGER_TABLES`` and knows no accountant by name.

A fit's ``PrivacySpent`` (``bench.api.synthesizer``) names its accountant; its ``details`` are that
accountant's own ledger entries, which only its table reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, runtime_checkable

import numpy as np

from bench.api.synthesizer import parse_epsilon


@runtime_checkable
class Accountant(Protocol):
    """What composes a fit's privacy losses (the shape of ``opacus.accountants.IAccountant``)."""

    def mechanism(self) -> str:
        """The accountant's name, as a fit's ``PrivacySpent.accountant`` records it."""

    def get_epsilon(self, delta: float) -> float:
        """The epsilon of everything composed so far, at ``delta``."""

    def __len__(self) -> int:
        """How many steps, queries or measurements it has composed."""


@dataclass(frozen=True)
class LedgerTable:
    """Attributes:
    title: The section's heading.
    text: Lines explaining what the accountant computed.
    columns: Headers of the columns after cohort and synthesizer.
    covers: Whether a fit's privacy spent (a record's ``privacy``) belongs in this table.
    row: The cells of one (cohort, synthesizer) from the privacy spent by each of its seeds.
    """

    title: str
    text: tuple[str, ...]
    columns: tuple[str, ...]
    covers: Callable[[dict], bool]
    row: Callable[[list[dict]], list[str]]


def spent_epsilon(value: float | str) -> float:
    """A spent epsilon: unlike a target, 0 is valid (a PATE-GAN fit whose budget allowed no
    vote released a generator that never saw an answer derived from private rows)."""
    return 0.0 if value in (0, "0") else parse_epsilon(value)


def spent_total(spent: list[dict]) -> str:
    """The mean epsilon spent over seeds, marked when any seed went over its budget."""
    over = any(p["details"].get("overspent") for p in spent)
    return f"{np.mean([spent_epsilon(p['epsilon']) for p in spent]):.3f}" + (" (over budget)" if over else "")
