"""The self-check passes on a complete install and names what is missing otherwise."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from etsysync_gui.selfcheck import run_self_check


def test_self_check_passes_in_a_checkout() -> None:
    out = io.StringIO()
    assert run_self_check(out) == 0
    text = out.getvalue()
    assert "ok     migrations: temporary database migrated to" in text
    assert "self-check passed" in text


def test_self_check_reports_missing_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("etsysync_gui.paths.migrations_dir", lambda: tmp_path)
    out = io.StringIO()
    assert run_self_check(out) == 1
    assert "FAILED resources: FileNotFoundError: migrations missing" in out.getvalue()
