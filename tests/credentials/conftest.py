from __future__ import annotations

from collections.abc import Iterator

import pytest

from etsysync_gui.redaction import clear_registered_secrets

from .fakes import MemoryKeyring


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> Iterator[None]:
    yield
    clear_registered_secrets()
