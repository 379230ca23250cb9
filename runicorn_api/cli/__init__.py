"""``runicorn-api``: the SDK from a shell (the ``cli`` extra: typer and rich).

Exit codes: 0 done, 1 an API or connection error, 2 a usage error. Errors go to stderr
as one line; machine formats (json, csv) go to stdout without colour.
"""

from .app import main

__all__ = ["main"]
