"""The ledger tables the report renders, in order: each accountant's own (``bench.privacy.accountant``),
then the fits trained without privacy."""

from __future__ import annotations

import numpy as np

from bench.api.synthesizer import NO_DP
from bench.privacy import pate, sgd, zcdp
from bench.privacy.accountant import LedgerTable


def _no_dp_row(spent: list[dict]) -> list[str]:
    d = [p["details"] for p in spent]
    work = [x.get("steps", x.get("iterations", x.get("rounds"))) for x in d]
    work = [w for w in work if w is not None]
    return [d[0].get("switched_off", "privacy"), f"{np.mean(work):.0f}" if work else "—"]


NO_DP_TABLE = LedgerTable(
    title="Trained without privacy (ε = ∞)",
    text=("The DP methods' own training loops with privacy switched off: no guarantee, the calibration point",
          "that separates the cost of the model from the cost of privacy."),
    columns=("switched off", "steps / iterations"),
    covers=lambda spent: spent["accountant"] == NO_DP,
    row=_no_dp_row,
)
LEDGER_TABLES: tuple[LedgerTable, ...] = (sgd.LEDGER_TABLE, pate.LEDGER_TABLE, zcdp.LEDGER_TABLE, NO_DP_TABLE)
