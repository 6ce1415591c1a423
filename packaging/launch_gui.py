"""Bundle entry point for the desktop app."""

import sys

from etsysync_gui.app import main

sys.exit(main())
