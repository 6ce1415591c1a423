"""``python -m etsysync_gui.cli`` is the ``etsysync`` command."""

from etsysync_gui.cli import main

raise SystemExit(main())
