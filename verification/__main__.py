"""``python -m verification`` runs the ``backprop-verify`` command line."""

import sys

from verification.cli import main

sys.exit(main())
