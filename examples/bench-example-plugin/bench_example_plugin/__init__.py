"""Example plugin package for the benchmark harness."""
