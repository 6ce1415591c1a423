"""Reading and checking a catalog CSV file, row by row, before anything is written.

A shop owner's spreadsheet is the most common bad input EtsySync meets, so
every problem is reported with its line number, all at once, instead of
stopping at the first one.  Excel's UTF-8 BOM is accepted; any other
encoding problem is reported as such rather than as garbled SKUs.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from etsysync_gui.errors import CatalogImportError

REQUIRED_COLUMNS = ("sku", "quantity")
OPTIONAL_COLUMNS = ("title", "price", "product", "etsy_listing", "etsy_pool_key")
"""``etsy_listing`` + ``etsy_pool_key`` name the Etsy stock pool a variant is linked to:
the key of a row without SKU (variants imported from SKU-less listings), so the app's own
export can be edited and imported back."""
MAX_QUANTITY = 1_000_000
CENT = Decimal("0.01")


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class ParsedCatalog:
    rows: list[CatalogRow]
    problems: list[str]


def _cell(record: dict[str | None, str | list[str] | None], column: str) -> str:
    value = record.get(column)
    return value.strip() if isinstance(value, str) else ""


def _quantity(raw: str, line: int, problems: list[str]) -> int | None:
    if raw == "":
        problems.append(f"line {line}: quantity is empty")
        return None
    try:
        value = int(raw)
    except ValueError:
        problems.append(f"line {line}: quantity {raw!r} is not a whole number")
        return None
    if value < 0:
        problems.append(f"line {line}: quantity {value} is negative")
        return None
    if value > MAX_QUANTITY:
        problems.append(f"line {line}: quantity {value} is larger than {MAX_QUANTITY}")
        return None
    return value


def _price(raw: str, line: int, problems: list[str]) -> Decimal | None:
    """A non-negative amount with at most two decimals; commas are refused as ambiguous."""
    if raw == "":
        return None
    try:
        value = Decimal(raw) if "," not in raw else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value != value.quantize(CENT):
        problems.append(f"line {line}: price {raw!r} is not an amount like 12.50")
        return None
    return value.quantize(CENT)


def _pool(
    record: dict[str | None, str | list[str] | None], line: int, problems: list[str]
) -> tuple[int | None, str | None]:
    """The Etsy pool a row names (both cells, or neither)."""
    listing, key = _cell(record, "etsy_listing"), _cell(record, "etsy_pool_key")
    if not listing and not key:
        return None, None
    if not listing.isdigit() or not key:
        problems.append(
            f"line {line}: etsy_listing and etsy_pool_key go together (as exported); "
            "leave both as they are or empty both"
        )
        return None, None
    return int(listing), key


def _sku(
    sku: str, has_pool: bool, line: int, problems: list[str], first_line_of: dict[str, int]
) -> None:
    if not sku:
        if not has_pool:
            problems.append(f"line {line}: sku is empty")
    elif len(sku) > 255:
        problems.append(f"line {line}: sku is longer than 255 characters")
    elif sku in first_line_of:
        problems.append(
            f"line {line}: duplicate sku {sku!r} (first seen on line {first_line_of[sku]})"
        )
    else:
        first_line_of[sku] = line


def parse_rows(lines: Iterable[str], source: str) -> ParsedCatalog:
    """Check every row of CSV text; return the valid rows and every problem found."""
    reader = csv.DictReader(lines)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        found = ", ".join(h for h in header if h) or "no header at all"
        raise CatalogImportError(
            f"{source}: missing required column(s) {', '.join(missing)} "
            f"(found: {found}). The first line must name the columns: sku,quantity"
            f"[,title,price,product]."
        )
    reader.fieldnames = header
    rows: list[CatalogRow] = []
    problems: list[str] = []
    first_line_of: dict[str, int] = {}
    line = 1
    for record in reader:
        line = reader.line_num
        if not any(_cell(record, c) for c in header):
            continue  # spreadsheets leave blank lines at the end
        before = len(problems)
        if record.get(None):
            problems.append(
                f"line {line}: more values than the {len(header)} columns of the header "
                "(is a comma inside a value not quoted?)"
            )
        sku = _cell(record, "sku")
        listing, key = _pool(record, line, problems)
        _sku(sku, listing is not None, line, problems, first_line_of)
        quantity = _quantity(_cell(record, "quantity"), line, problems)
        price = _price(_cell(record, "price"), line, problems)
        if len(problems) == before and quantity is not None:
            rows.append(
                CatalogRow(
                    line=line,
                    sku=sku,
                    quantity=quantity,
                    title=_cell(record, "title") or None,
                    price=price,
                    product=_cell(record, "product") or None,
                    etsy_listing=listing,
                    etsy_pool_key=key,
                )
            )
    return ParsedCatalog(rows=rows, problems=problems)


def read_catalog_file(path: Path) -> ParsedCatalog:
    """Parse a CSV file from disk; unreadable or non-UTF-8 files raise CatalogImportError."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return parse_rows(handle, str(path))
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
