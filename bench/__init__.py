"""Benchmark harness for privacy-preserving synthetic ICU data.

The core pipeline lives here: schema and cohorts, the synthesizer / attack /
metric interfaces, the plugin registry, the runner with its run records, and
the report that renders the tables in ``results/``.
"""

__version__ = "0.1.0"
