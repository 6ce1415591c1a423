"""Command handlers named by module, imported only when their command runs.

Why: ``etsysync --help`` and ``etsysync status`` used to import every
command's dependencies (SQLAlchemy models, the sync engine, alembic, httpx,
keyring) just to build the argument parser, about 2 s of start-up on every
command.  The parser now holds ``LazyHandler`` objects; the module behind one
is imported when its command is the one being run.  Looking the function up
at call time also keeps tests' monkeypatching of module attributes working.
"""

from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LazyHandler:
    """``module.function(args)``, imported on the first call."""

    module: str
    function: str

    def __call__(self, args: argparse.Namespace) -> int:
        handler = getattr(importlib.import_module(self.module), self.function)
        code: int = handler(args)
        return code


def handler(module: str, function: str) -> LazyHandler:
    """A handler in ``etsysync_gui.cli.<module>``."""
    return LazyHandler(f"etsysync_gui.cli.{module}", function)
