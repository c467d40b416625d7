"""Built-in metrics, one per module; registered through the ``bench.metrics`` entry points."""
