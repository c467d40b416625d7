"""The marginal-model base of the AIM and MST references."""
