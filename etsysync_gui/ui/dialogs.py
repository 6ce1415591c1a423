"""Tiny modal questions and messages, in one place so tests can answer them.

Tests replace ``ask`` / ``tell`` (monkeypatch) instead of clicking real
message boxes, which would block a test run.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask(parent: QWidget | None, title: str, text: str) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def tell(parent: QWidget | None, title: str, text: str, *, error: bool = False) -> None:
    if error:
        QMessageBox.warning(parent, title, text)
    else:
        QMessageBox.information(parent, title, text)
