"""``python -m etsysync_gui`` starts the desktop app."""

from etsysync_gui.app import main

raise SystemExit(main())
