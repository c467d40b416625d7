"""Benchmark harness for privacy-preserving synthetic ICU data.

Its folders follow a cell's way through the harness: ``data`` (schema, cohorts,
split), ``api`` (the synthesizer / attack / metric contracts and the registry),
``privacy`` (accountants, ledgers, audit), ``gan`` and ``marginal`` (machinery the
methods share), ``evaluate`` and ``metrics`` (scoring a release), ``run`` (cells,
executors, records) and ``report`` (tables from records). Each imports only the
ones before it (``tests/bench/test_layering.py``).
"""

__version__ = "0.1.0"
