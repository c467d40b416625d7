"""The data: schema, encodings, cohorts and their split, the simulated cohorts and the real exports."""
