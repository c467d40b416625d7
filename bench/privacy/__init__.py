"""Privacy accounting: DP-SGD plans and ledgers, PATE vote accounting, zCDP, and the empirical audit."""
