"""The contracts a method, an attack, a metric and a cohort meet, and the registry that finds them."""
