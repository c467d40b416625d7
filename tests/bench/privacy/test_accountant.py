"""DP-SGD, PATE and zCDP accountants share one interface (Opacus' IAccountant shape) and each
declares the ledger table the report renders; the report names no accountant itself."""

import ast
import math

import numpy as np
import pytest

from bench.api.synthesizer import Budget
from bench.privacy import pate, sgd, zcdp
from bench.privacy.accountant import Accountant, LedgerTable
from bench.privacy.ledgers import LEDGER_TABLES
from tests.conftest import REPO


def _accountants():
    ledger = sgd.Ledger(Budget(1.0))
    ledger.sgd_history.append((1.1, 0.01, 500))
    votes = pate.VoteAccountant(lam=0.001)
    votes.step(2_000)
    measured = zcdp.ZCDPLedger(Budget(1.0))
    measured.measure(np.array([10.0, 20.0]), sigma=5.0, marginal=("age_group",), rng=np.random.default_rng(0))
    return ledger, votes, measured


@pytest.mark.parametrize("accountant", _accountants(), ids=lambda a: type(a).__name__)
def test_every_accountant_has_the_one_interface_and_a_ledger_table(accountant):
    assert isinstance(accountant, Accountant)
    assert len(accountant) > 0 and accountant.mechanism()
    epsilon = accountant.get_epsilon(1e-5)
    assert 0 < epsilon < math.inf
    assert accountant.get_epsilon(1e-3) <= epsilon  # a larger delta never costs more epsilon
    assert isinstance(type(accountant).ledger_table, LedgerTable) and type(accountant).ledger_table in LEDGER_TABLES


def test_the_vote_accountant_is_the_guarantee_of_the_answered_votes():
    votes = pate.VoteAccountant(lam=0.002)
    votes.step(700)
    votes.step(300)
    assert votes.get_epsilon(1e-5) == pate.guaranteed_epsilon(0.002, 1_000, 1e-5)


def test_the_report_imports_no_accountant_module():
    source = (REPO / "bench" / "report" / "tables.py").read_text()
    imported = {node.module for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"bench.privacy.pate", "bench.privacy.sgd", "bench.privacy.zcdp"}
