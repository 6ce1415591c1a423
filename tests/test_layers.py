"""The import layers hold: arrows point down, and Qt stays in the GUI.

Why: the architecture (docs/architecture.md) is only true while no module
imports upwards.  This test reads every module's source with ``ast`` (no
imports run, so nothing is loaded or skipped) and checks every ``import`` and
``from … import`` in it, including the ones inside functions and under
``TYPE_CHECKING``: a type-only import is still a dependency a reader follows.

The rules:

* Qt (PySide6, shiboken6) is imported only by ``etsysync_gui/ui/`` and
  ``etsysync_gui/app.py``, with the written exceptions in ``QT_ALLOWED``;
* only ``etsysync_gui/ui/`` and ``etsysync_gui/app.py`` import ``etsysync_gui.ui``;
* ``etsysync_gui/etsy/`` imports none of ``db``, ``sync``, ``ui``, ``cli``;
* ``etsysync_gui/db/`` imports none of ``etsy``, ``sync``, ``scheduling``,
  ``queries``, ``catalog``, ``demo``, ``ui``, ``cli`` (tables know no business);
* ``etsysync_gui/sync/`` imports none of ``ui``, ``cli``, ``app``,
  ``scheduling``, ``queries``, ``demo`` (the business does not know its faces);
* ``fake_etsy/`` imports nothing from ``etsysync_gui`` (it stands for Etsy).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QT = ("PySide6", "shiboken6")

DB_MAY_NOT = tuple(
    f"etsysync_gui.{p}"
    for p in ("etsy", "sync", "scheduling", "queries", "catalog", "demo", "ui", "cli")
)

QT_ALLOWED = {
    # The bundle's --self-check proves Qt's libraries were collected by importing
    # QtCore and printing its version; it runs before any window and only from
    # app.main, so it is part of the GUI's start, not a lower layer using Qt.
    "etsysync_gui/selfcheck.py": "proves the bundled Qt imports (etsysync-gui --self-check)",
}


@dataclass(frozen=True)
class Import:
    path: str
    line: int
    module: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.module}"


def imports_of(source: str, path: str) -> list[Import]:
    """Every module named by an import in ``source``: ``from a import b`` names ``a`` and ``a.b``.

    Relative imports are resolved against ``path`` (``etsysync_gui/sync/x.py``
    with ``from ..db import y`` names ``etsysync_gui.db`` and ``etsysync_gui.db.y``).
    """
    package = Path(path).with_suffix("").parts[:-1]
    found: list[Import] = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            found += [Import(path, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.append(Import(path, node.lineno, base))
            found += [Import(path, node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def within(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def all_imports() -> list[Import]:
    found: list[Import] = []
    for top in ("etsysync_gui", "fake_etsy", "migrations"):
        for file in sorted((ROOT / top).rglob("*.py")):
            path = file.relative_to(ROOT).as_posix()
            found += imports_of(file.read_text(encoding="utf-8"), path)
    return found


def is_gui(path: str) -> bool:
    return path.startswith("etsysync_gui/ui/") or path == "etsysync_gui/app.py"


def violations(found: list[Import]) -> list[str]:
    """The broken rules, one line each (empty when the layers hold)."""
    broken: list[str] = []
    for imp in found:
        path, module = imp.path, imp.module
        if within(module, *QT) and not is_gui(path) and path not in QT_ALLOWED:
            broken.append(f"{imp}: Qt belongs in etsysync_gui/ui/")
        if within(module, "etsysync_gui.ui") and not is_gui(path):
            broken.append(f"{imp}: only the GUI imports the GUI")
        if path.startswith("etsysync_gui/etsy/") and within(
            module, *(f"etsysync_gui.{p}" for p in ("db", "sync", "ui", "cli"))
        ):
            broken.append(f"{imp}: the Etsy client knows HTTP, not the app above it")
        if path.startswith("etsysync_gui/db/") and within(module, *DB_MAY_NOT):
            broken.append(f"{imp}: the database layer knows tables, not the business")
        if path.startswith("etsysync_gui/sync/") and within(
            module,
            *(f"etsysync_gui.{p}" for p in ("ui", "cli", "app", "scheduling", "queries", "demo")),
        ):
            broken.append(f"{imp}: the sync does not know its faces")
        if path.startswith("fake_etsy/") and within(module, "etsysync_gui"):
            broken.append(f"{imp}: the fake Etsy imports nothing from the app")
    return sorted(set(broken))


def test_the_layers_hold() -> None:
    found = all_imports()
    assert len({imp.path for imp in found}) > 100  # the walk really read the package
    assert violations(found) == []


def test_every_qt_exception_names_an_existing_module_that_uses_qt() -> None:
    found = all_imports()
    for path in QT_ALLOWED:
        assert any(imp.path == path and within(imp.module, *QT) for imp in found), path


@pytest.mark.parametrize(
    ("path", "source", "rule"),
    [
        ("etsysync_gui/sync/x.py", "from PySide6.QtCore import QObject", "Qt belongs"),
        ("etsysync_gui/queries/x.py", "def f():\n    import PySide6\n", "Qt belongs"),
        ("etsysync_gui/sync/x.py", "from etsysync_gui import ui", "only the GUI"),
        ("etsysync_gui/etsy/x.py", "from etsysync_gui.db.models import X", "knows HTTP"),
        ("etsysync_gui/etsy/reads/x.py", "from ...sync import plan", "knows HTTP"),
        ("etsysync_gui/db/x.py", "from etsysync_gui.sync.runs import lease", "knows tables"),
        ("etsysync_gui/sync/runs/x.py", "import etsysync_gui.cli.main", "its faces"),
        ("fake_etsy/x.py", "from etsysync_gui.etsy.models import Listing", "nothing from"),
    ],
)
def test_a_violating_import_is_caught(path: str, source: str, rule: str) -> None:
    broken = violations(imports_of(source, path))
    assert len(broken) >= 1
    assert rule in broken[0]


def test_allowed_imports_pass() -> None:
    allowed = [
        ("etsysync_gui/ui/x.py", "from PySide6.QtWidgets import QWidget"),
        ("etsysync_gui/app.py", "from etsysync_gui.ui.main_window import MainWindow"),
        ("etsysync_gui/sync/x.py", "from etsysync_gui.etsy.client import EtsyClient"),
        ("etsysync_gui/etsy/x.py", "from etsysync_gui.errors import EtsySyncError"),
    ]
    for path, source in allowed:
        assert violations(imports_of(source, path)) == [], (path, source)
