"""Every ``'etsysync …'`` command a message tells the seller to run is one the CLI shows.

A message is where a seller learns which command to type next. A command that
no longer parses, or that works only under an old name the help no longer lists
(``sync products``), sends them to ``--help`` and finds nothing there. The
messages are read from the source, so a new one is checked without being listed.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from etsysync_gui.cli.parser import build_parser

ROOT = Path(__file__).resolve().parents[2]
QUOTED = re.compile(r"'etsysync ([^']+)'")
# Placeholders a message uses for what the seller fills in, with a value that parses.
SAMPLES = {"SKU": "MUG", "LISTING_ID": "1400000001", "N": "1", "KEYSTRING": "abc"}


def _commands() -> list[str]:
    found: set[str] = set()
    for path in (ROOT / "etsysync_gui").rglob("*.py"):
        found.update(QUOTED.findall(path.read_text(encoding="utf-8")))
    return sorted(found)


def _help(words: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit):
        build_parser().parse_args([*words, "--help"])
    return capsys.readouterr().out


def test_the_source_has_such_messages() -> None:
    assert "auth login" in _commands()


@pytest.mark.parametrize("command", _commands())
def test_a_command_named_in_a_message_parses_under_names_the_help_lists(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    words = [SAMPLES.get(word, word) for word in shlex.split(command)]
    if "--help" not in words:
        build_parser().parse_args(words)  # argparse exits (code 2) on anything it refuses
    path: list[str] = []
    for word in words:
        if word.startswith("-"):
            break
        listed = _help(path, capsys)
        if not re.search(r"^(?:\S+ )*commands:$", listed, re.MULTILINE):
            break  # this command takes arguments, not sub-commands
        assert re.search(rf"^\s+{re.escape(word)}\b", listed, re.MULTILINE), (
            f"'etsysync {command}': {word!r} works but 'etsysync {' '.join([*path, '--help'])}'"
            " does not list it"
        )
        path.append(word)
    assert path
