"""``python -m upgrade_score`` runs the command line."""

import sys

from ._cli import main

sys.exit(main())
