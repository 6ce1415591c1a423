"""One place that decides where log lines go, and makes sure none carries a secret.

A shop owner sends us their log file when something goes wrong, so it must be
useful (timestamps, logger names, full tracebacks, third-party records such as
httpx's request lines) and safe to send: every line, including tracebacks and
stack dumps, is passed through ``redaction.redact`` by the handlers installed
here, and the file and its folder are private to the user (0600 / 0700).

The terminal gets a terse ``LEVEL message`` view; tracebacks stay in the file
unless the level is DEBUG.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

from etsysync_gui.errors import ConfigError, DataDirError
from etsysync_gui.paths import user_log_dir
from etsysync_gui.redaction import RedactingFilter, RedactingFormatter, redact

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FILE_NAME = "etsysync.log"
MAX_LOG_BYTES = 1024 * 1024
BACKUP_COUNT = 4
"""Rotated files kept besides the live one: five files, 5 MB at most."""

APP_LOGGER = "etsysync_gui"
FILE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
STREAM_FORMAT = "%(levelname)s %(message)s"

_MARK = "_etsysync_handler"


def parse_log_level(value: str, *, source: str = "LOG_LEVEL") -> str:
    """``debug``/``info``/``warning``/``error`` in any case → the upper-case name.

    ``source`` names where the value came from, for the error message.
    """
    name = value.strip().upper()
    if name not in LOG_LEVELS:
        choices = ", ".join(level.lower() for level in LOG_LEVELS)
        raise ConfigError(f"{source} must be one of {choices} (got {value!r}).")
    return name


class _PrivateRotatingFileHandler(RotatingFileHandler):
    """A RotatingFileHandler whose files (the first one and each after rotation) are 0600.

    A log that cannot be written (full disk, removed folder) must not turn every
    log call into a traceback on the terminal, which is what ``logging`` does by
    default: the first failure prints one warning line to stderr, later ones
    are dropped, and the command carries on.
    """

    _warned = False

    def flush(self) -> None:
        try:
            super().flush()
        except OSError:
            self.handleError(None)

    def close(self) -> None:
        with contextlib.suppress(OSError):  # the failed write was reported once already
            super().close()

    def handleError(self, record: logging.LogRecord | None) -> None:
        if self._warned:
            return
        self._warned = True
        reason = sys.exc_info()[1]
        detail = getattr(reason, "strerror", None) or reason or "unknown error"
        with contextlib.suppress(Exception):
            sys.stderr.write(
                f"etsysync: warning: cannot write the log file {self.baseFilename} ({detail}); "
                "carrying on without it.\n"
            )

    def _open(self) -> TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        stream = open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115
        assert isinstance(stream, TextIOWrapper)
        return stream


class _TerseFormatter(RedactingFormatter):
    """``LEVEL message`` only; the traceback is left to the file unless ``details``."""

    def __init__(self, fmt: str, *, details: bool) -> None:
        super().__init__(fmt)
        self._details = details

    def format(self, record: logging.LogRecord) -> str:
        if self._details:
            return super().format(record)
        record.message = record.getMessage()
        return redact(self.formatMessage(record))


def _prepare_folder(folder: Path) -> None:
    existed = folder.is_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not existed:
            os.chmod(folder, 0o700)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise DataDirError(f"Cannot create the log folder {folder}: {reason}.") from exc


def _open_file_handler(path: Path) -> RotatingFileHandler:
    try:
        handler = _PrivateRotatingFileHandler(
            path, maxBytes=MAX_LOG_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise DataDirError(
            f"Cannot write the log file in the folder {path.parent}: {reason}."
        ) from exc
    # A file left by an older version (or copied in) may be world-readable.
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)
    return handler


def _remove_our_handlers(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        if getattr(handler, _MARK, False):
            logger.removeHandler(handler)
            handler.close()


def setup_logging(
    level: str = "INFO", *, log_dir: Path | None = None, stream: TextIO | None = sys.stderr
) -> Path:
    """Send log records to a private rotating file and (unless ``stream`` is None) the terminal.

    Handlers go on the root logger, so records from ``etsysync_gui.*`` and from
    third-party libraries (httpx, SQLAlchemy, ...) are all written, all redacted.
    Calling it again replaces the handlers it installed before (no duplicates).
    Returns the log file path.  Raises ConfigError for an unknown level and
    DataDirError when the log folder cannot be created or written.
    """
    level_name = parse_log_level(level)
    folder = log_dir if log_dir is not None else user_log_dir()
    _prepare_folder(folder)
    path = folder / LOG_FILE_NAME
    file_handler = _open_file_handler(path)
    file_handler.setFormatter(RedactingFormatter(FILE_FORMAT))
    handlers: list[logging.Handler] = [file_handler]
    if stream is not None:
        stream_handler = logging.StreamHandler(stream)
        stream_handler.setFormatter(_TerseFormatter(STREAM_FORMAT, details=level_name == "DEBUG"))
        handlers.append(stream_handler)

    root = logging.getLogger()
    _remove_our_handlers(root)
    redacting_filter = RedactingFilter()
    for handler in handlers:
        setattr(handler, _MARK, True)
        handler.setLevel(level_name)
        # The filter redacts the record itself, so handlers that run after ours
        # (a test's caplog, a handler a library adds) see it masked too.
        handler.addFilter(redacting_filter)
        root.addHandler(handler)
    if stream is not None and level_name != "DEBUG":
        # The terminal shows problems only: commands print their own results, and the
        # file keeps the INFO detail (migrations run, syncs started) for troubleshooting.
        handlers[-1].setLevel(max(logging.WARNING, logging.getLevelName(level_name)))
    root.setLevel(level_name)
    logging.getLogger(APP_LOGGER).setLevel(level_name)
    return path


def shutdown_logging() -> None:
    """Remove and close the handlers ``setup_logging`` installed (at exit, in tests)."""
    _remove_our_handlers(logging.getLogger())
