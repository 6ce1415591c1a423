"""Reading and writing config.toml: parse errors with line numbers, atomic private writes.

``tomllib`` reads but cannot write, and a TOML library is one more dependency
to ship for a file of flat scalars; the small writer below covers what
tomllib can hand back (so unknown tables survive a rewrite).  Writes go to a
temporary file in the same folder and are moved into place with
``os.replace``: a crash mid-write leaves the old file, never half a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from etsysync_gui.errors import ConfigError, DataDirError

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_KEY_PATH = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_TABLE_LINE = re.compile(rf"^\s*\[\s*(?P<path>{_KEY_PATH})\s*\]")
_ARRAY_TABLE_LINE = re.compile(r"^\s*\[\[")
_KEY_LINE = re.compile(rf"^\s*(?P<path>{_KEY_PATH})\s*=")
_PART = re.compile(r"""[A-Za-z0-9_-]+|"((?:[^"\\]|\\.)*)"|'([^']*)'""")
_TOML_POSITION = re.compile(r"\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_ESCAPES["\r"] = "\\r"


def read_document(path: Path) -> tuple[dict[str, Any], str | None]:
    """The parsed file and its text; ``({}, None)`` when there is no file yet."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        raise ConfigError(
            f"Cannot read the configuration file {path}: {exc.strerror or exc}."
        ) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"The configuration file {path} is not UTF-8 text (byte {exc.start})."
        ) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        if position is None:
            raise ConfigError(
                f"The configuration file {path} is not valid TOML: {message}."
            ) from None
        reason = _TOML_POSITION.sub("", message)
        raise ConfigError(
            f"The configuration file {path} is not valid TOML: line {position['line']}, "
            f"column {position['column']}: {reason}."
        ) from None
    except RecursionError:
        # tomllib recurses once per nesting level; a pathological file must not
        # print thousands of traceback lines.
        raise ConfigError(
            f"The configuration file {path} is nested too deeply to read; "
            "EtsySync's settings are flat tables, so remove the nested part."
        ) from None


def _split_path(path: str) -> tuple[str, ...]:
    parts = []
    for match in _PART.finditer(path):
        if match.group(1) is not None:  # a basic string: let tomllib undo the escapes
            try:
                parts.append(next(iter(tomllib.loads(f"{match.group(0)} = 0"))))
            except tomllib.TOMLDecodeError:
                parts.append(match.group(1))
        elif match.group(2) is not None:
            parts.append(match.group(2))
        else:
            parts.append(match.group(0))
    return tuple(parts)


def find_line(text: str | None, table: tuple[str, ...], key: str | None = None) -> int | None:
    """Best-effort 1-based line of ``key`` in ``[table]`` (or of the table header)."""
    if text is None:
        return None
    current: tuple[str, ...] = ()
    target = (*table, key) if key is not None else table
    for number, line in enumerate(text.splitlines(), start=1):
        if _ARRAY_TABLE_LINE.match(line):
            current = ("[[array]]",)
            continue
        header = _TABLE_LINE.match(line)
        if header:
            current = _split_path(header["path"])
            if key is None and current == target:
                return number
            continue
        assignment = _KEY_LINE.match(line)
        if assignment:
            full = current + _split_path(assignment["path"])
            if full == target or (key is None and full[: len(table)] == table):
                return number
    return None


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else _string(name)


def _string(value: str) -> str:
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{_key(str(k))} = {_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _table(lines: list[str], path: tuple[str, ...], table: Mapping[str, Any]) -> None:
    scalars = [(k, v) for k, v in table.items() if not isinstance(v, Mapping)]
    children = [(k, v) for k, v in table.items() if isinstance(v, Mapping)]
    if path and (scalars or not children):
        if lines:
            lines.append("")
        lines.append("[" + ".".join(_key(part) for part in path) + "]")
    lines.extend(f"{_key(k)} = {_value(v)}" for k, v in scalars)
    for key, child in children:
        _table(lines, (*path, key), child)


def dumps(document: Mapping[str, Any], header: str = "") -> str:
    """TOML text for a document of tables and scalar values (what tomllib returns)."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    _table(lines, (), document)
    return "\n".join(lines) + "\n"


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, mode 0600, creating the folder with 0700.

    A symlinked config (dotfiles kept in a repository) is written through: the
    link's target is replaced atomically and the link itself stays.
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent
    try:
        if not folder.is_dir():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)
        fd, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise DataDirError(
            f"Cannot write the configuration folder {folder}: {exc.strerror or exc}."
        ) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o600)
        os.replace(temp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise DataDirError(
            f"Cannot write the configuration file {path}: {exc.strerror or exc}."
        ) from exc
