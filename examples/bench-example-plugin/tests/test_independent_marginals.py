"""The plugin's own tests: the harness's conformance suite, as any plugin would run it."""

from bench.testing import check_synthesizer
from bench_example_plugin.marginals import IndependentMarginals


def test_independent_marginals_conforms():
    check_synthesizer(IndependentMarginals)
