"""Running the grid: configuration, one cell, executors, run records and code fingerprints."""
