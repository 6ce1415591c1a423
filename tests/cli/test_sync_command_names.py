"""``etsysync sync listings`` is the listing sync; ``sync products``, its earlier name, still works.

Existing users' scripts call ``sync products``; the help shows only the one name.
"""

from __future__ import annotations

import pytest

from etsysync_gui.cli.parser import build_parser


@pytest.mark.parametrize("name", ["listings", "products"])
def test_both_names_run_the_listing_sync(name: str) -> None:
    args = build_parser().parse_args(["sync", name, "--dry-run", "--import-unlinked"])
    assert args.sync_kind == "listings"
    assert args.dry_run
    assert args.import_unlinked


def test_sync_help_names_the_listing_sync_once(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sync", "--help"])
    out = capsys.readouterr().out
    assert "listings" in out
    assert "products" not in out
