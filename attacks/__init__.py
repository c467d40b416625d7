"""Membership-inference attacks, one per module; registered through the ``bench.attacks`` entry points."""
