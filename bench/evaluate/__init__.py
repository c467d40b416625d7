"""Membership evaluation: candidate draws, scores to success figures, shadow fits."""
