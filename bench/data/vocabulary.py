"""The public vocabulary every ICU cohort of the harness shares, simulated or real: age groups and
their edges, and the public bounds of each vital sign and lab value. The simulator draws inside
these bounds and the real-export loaders (``bench.data.real``) clip to them, so a real cohort's
table has the same columns and ranges as a simulated one. All of it is public knowledge, fixed in
code; none of it is read from patient rows."""

from __future__ import annotations

AGE_GROUPS = ("18-44", "45-64", "65-79", "80+")
AGE_GROUP_EDGES = (45.0, 65.0, 80.0)

VITAL_BOUNDS: dict[str, tuple[float, float]] = {
    "heart_rate": (20.0, 250.0),
    "sbp": (40.0, 260.0),
    "dbp": (15.0, 180.0),
    "resp_rate": (4.0, 60.0),
    "temperature": (32.0, 42.5),
    "spo2": (50.0, 100.0),
    "glucose": (30.0, 800.0),
    "mbp": (20.0, 200.0),  # mean blood pressure
}

LAB_BOUNDS: dict[str, tuple[float, float]] = {
    "creatinine": (0.1, 25.0),
    "bun": (1.0, 300.0),
    "sodium": (100.0, 185.0),
    "potassium": (1.5, 10.0),
    "bicarbonate": (5.0, 55.0),
    "wbc": (0.1, 200.0),
    "hemoglobin": (3.0, 22.0),
    "platelets": (5.0, 1500.0),
    "lactate": (0.2, 30.0),
    "bilirubin": (0.1, 60.0),
}
