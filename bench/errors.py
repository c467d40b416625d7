"""The one exception type that means "the user gave us bad input".

The CLI turns it into a single line on stderr and exit status 2; anything else
that escapes a cell is recorded in that cell's run record instead.
"""


class BenchInputError(ValueError):
    """Bad input: unknown name, data that disagrees with its schema, bad option."""
