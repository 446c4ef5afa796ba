"""The ``vigil`` command line: thin commands over the library.

Errors are one line on stderr and a non-zero exit; ``--debug`` shows the traceback.
"""

from __future__ import annotations

from vigil.cli.app import app, main

__all__ = ["app", "main"]
