"""Synthesizers, one per module; registered through the ``bench.synthesizers`` entry points."""
