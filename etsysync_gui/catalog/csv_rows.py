"""Reading and checking a catalog CSV file, row by row, before anything is written.

A shop owner's spreadsheet is the most common bad input EtsySync meets, so
every problem is reported with its line number, all at once, instead of
stopping at the first one.  Excel's UTF-8 BOM is accepted; any other
encoding problem is reported as such rather than as garbled SKUs.

Rows are yielded one at a time (``CatalogReader``) so a million-row file is
checked and imported in bounded memory; only the SKUs seen so far are kept,
to report duplicates with the line of their first use.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from etsysync_gui.catalog import cells
from etsysync_gui.errors import CatalogImportError

REQUIRED_COLUMNS = ("sku", "quantity")
OPTIONAL_COLUMNS = ("title", "price", "product", "etsy_listing", "etsy_pool_key")
"""``etsy_listing`` + ``etsy_pool_key`` name the Etsy stock pool a variant is linked to:
the key of a row without SKU (variants imported from SKU-less listings), so the app's own
export can be edited and imported back."""
MAX_QUANTITY = cells.MAX_QUANTITY
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CatalogRow:
    """One valid line of a catalog CSV."""

    line: int
    sku: str
    quantity: int
    title: str | None
    price: Decimal | None
    product: str | None
    etsy_listing: int | None = None
    etsy_pool_key: str | None = None

    @property
    def pool(self) -> tuple[int, str] | None:
        if self.etsy_listing is None or not self.etsy_pool_key:
            return None
        return (self.etsy_listing, self.etsy_pool_key)


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why one line cannot be imported (``text`` starts with ``line N:``)."""

    line: int
    text: str


def _check_header(fieldnames: Sequence[str] | None, source: str) -> list[str]:
    header = [h.strip().lower() for h in (fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        found = ", ".join(h for h in header if h) or "no header at all"
        raise CatalogImportError(
            f"{source}: missing required column(s) {', '.join(missing)} "
            f"(found: {found}). The first line must name the columns: sku,quantity"
            f"[,title,price,product]."
        )
    for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
        positions = [str(i + 1) for i, h in enumerate(header) if h == name]
        if len(positions) > 1:
            raise CatalogImportError(
                f"{source}: the header names column '{name}' more than once "
                f"(columns {', '.join(positions)}); keep one and import again."
            )
    return header


class CatalogReader:
    """Iterates the checked rows of CSV text: each item is a CatalogRow or a RowProblem."""

    def __init__(self, lines: Iterable[str], source: str) -> None:
        self._reader = csv.reader(lines)
        self.header = _check_header(next(self._reader, None), source)
        self._columns = {name: i for i, name in enumerate(self.header) if name}
        self._first_line_of: dict[str, int] = {}
        self._first_line_of_pool: dict[tuple[int, str], int] = {}

    def __iter__(self) -> Iterator[CatalogRow | RowProblem]:
        width = len(self.header)
        columns = self._columns.items()
        for record in self._reader:
            count = len(record)
            values = {name: record[i].strip() if i < count else "" for name, i in columns}
            if not any(values.values()):
                continue  # spreadsheets leave blank lines at the end
            line = self._reader.line_num
            problems: list[str] = []
            if count > width and any(record[width:]):
                problems.append(
                    f"more values than the {width} columns of the header "
                    "(is a comma inside a value not quoted?)"
                )
            row = self._row(line, values, problems)
            if problems:
                yield from (RowProblem(line, f"line {line}: {p}") for p in problems)
            elif row is not None:
                yield row

    def _row(self, line: int, values: dict[str, str], problems: list[str]) -> CatalogRow | None:
        listing, key = values.get("etsy_listing", ""), values.get("etsy_pool_key", "")
        pool = _checked(problems, cells.etsy_pool, listing, cells.unescape_formula(key))
        if pool is not None and self._first_line_of_pool.setdefault(pool, line) != line:
            first = self._first_line_of_pool[pool]
            problems.append(f"duplicate Etsy pool {listing} {key!r} (first seen on line {first})")
        sku = cells.unescape_formula(values.get("sku", ""))
        if not sku:
            if not listing and not key:  # a pool-keyed row needs no SKU
                problems.append("sku is empty")
        elif _checked(problems, cells.sku, sku) is not None:
            first = self._first_line_of.setdefault(sku, line)
            if first != line:
                problems.append(f"duplicate sku {sku!r} (first seen on line {first})")
        quantity = _checked(problems, cells.quantity, values.get("quantity", ""))
        price = _checked(problems, cells.price, values.get("price", ""))
        title = cells.unescape_formula(values.get("title", "")) or None
        product = cells.unescape_formula(values.get("product", "")) or None
        if title is not None:
            _checked(problems, cells.title, title)
        if product is not None:
            _checked(problems, cells.product, product)
        if problems or quantity is None:
            return None
        listing_id, pool_key = pool if pool is not None else (None, None)
        return CatalogRow(line, sku, quantity, title, price, product, listing_id, pool_key)


def _checked(problems: list[str], check: Callable[..., T], *raw: str) -> T | None:
    try:
        return check(*raw)
    except cells.CellError as exc:
        problems.append(str(exc))
        return None


@contextmanager
def file_errors(path: Path) -> Iterator[None]:
    """Turn the ways reading ``path`` can fail into one CatalogImportError each."""
    try:
        yield
    except FileNotFoundError:
        raise CatalogImportError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise CatalogImportError(f"{path}: is a folder, not a CSV file.") from None
    except PermissionError:
        raise CatalogImportError(f"{path}: permission denied.") from None
    except UnicodeDecodeError as exc:
        raise CatalogImportError(
            f"{path}: not UTF-8 text (byte {exc.start}). Save the file as 'CSV UTF-8' and retry."
        ) from None
    except csv.Error as exc:
        raise CatalogImportError(f"{path}: not a readable CSV file ({exc}).") from None


def _cell(record: dict[str | None, str | list[str] | None], column: str) -> str:
    value = record.get(column)
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class ParsedCatalog:
    """Every valid row and every problem of a small CSV text (tests, previews)."""

    rows: list[CatalogRow]
    problems: list[str]


def parse_rows(lines: Iterable[str], source: str) -> ParsedCatalog:
    """Check every row of CSV text at once; the importer streams ``CatalogReader`` instead."""
    rows: list[CatalogRow] = []
    problems: list[str] = []
    for item in CatalogReader(lines, source):
        if isinstance(item, RowProblem):
            problems.append(item.text)
        else:
            rows.append(item)
    return ParsedCatalog(rows, problems)
