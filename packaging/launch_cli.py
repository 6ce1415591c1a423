"""Bundle entry point for the command line."""

import sys

from etsysync_gui.cli import main

sys.exit(main())
