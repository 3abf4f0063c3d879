"""`python -m digitlab` runs the command line (see digitlab/cli/__init__.py)."""

import sys

from digitlab.cli import main

sys.exit(main())
