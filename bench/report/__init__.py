"""Tables and the privacy-utility frontier, rendered from run records alone."""
