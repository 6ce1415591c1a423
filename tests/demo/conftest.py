"""A demo shop per test (small, so it starts in a blink); no secret outlives its test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from etsysync_gui.demo.shop import DemoShop
from etsysync_gui.redaction import clear_registered_secrets


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> Iterator[None]:
    yield
    clear_registered_secrets()


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[DemoShop]:
    shop = DemoShop.open(listings=60, data_dir=tmp_path)
    try:
        yield shop
    finally:
        shop.close()
        assert shop.server.internal_errors == []
