"""``python -m vigil`` runs the CLI."""

import sys

from vigil.cli import main

sys.exit(main())
