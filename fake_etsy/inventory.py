"""Validation of updateListingInventory bodies (PUT, full-replace).

Why: the PUT body is where real sync clients fail (etsy/open-api#159, #168, #393,
#395). The fake must reject
every mistake Etsy rejects, with Etsy's wording where it is known, so a client that
passes against the fake is not surprised in production. The rules, in order:

1. The body must be JSON (``application/json``). Anything else, or a body without
   ``products``, gets ``Missing input parameter: [products]`` (what Etsy answered when
   clients sent the wrong shape, etsy/open-api#168).
2. GET-only fields (``product_id``, ``offering_id``, ``is_deleted``, ``scale_name``,
   ``value_pairs``) and ``Money`` objects as prices are rejected (etsy/open-api#159).
3. Per offering: ``price`` (number), ``quantity`` (integer 0..999: "quantity cannot be
   greater than 999"), ``is_enabled`` (bool) and ``readiness_state_id`` (int or null)
   are all required, as the spec's request schema says.
4. At least one offering must have quantity >= 1: "One offering must have quantity
   greater than 0" (etsy/open-api#395).
5. ``*_on_property``: every listed property must exist on every product, and products
   that agree on the listed properties must agree on the attribute. With an empty
   list the attribute does not vary at all (one price / one shared stock / one SKU).

Assumptions (not documented by Etsy, chosen to be strict so a client that passes here also
passes on Etsy): exactly one offering per product; prices must be 0.20..50000.00 with
at most two decimals (JSON numbers are read as exact decimals, so 19.99 stays 19.99 and
a float artefact like 19.990000000000002 is refused instead of silently rounded); one
value per property per product; at most two properties (three with
``max_variations_supported=3``); a multi-product inventory needs property values on
every product ("Property values can't be empty"), while a single product may have none.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from fake_etsy.errors import ApiError, bad_request

MAX_QUANTITY = 999
MIN_PRICE = Decimal("0.20")
MAX_PRICE = Decimal("50000.00")
GET_ONLY_PRODUCT_FIELDS = ("product_id", "is_deleted", "value_pairs")
GET_ONLY_OFFERING_FIELDS = ("offering_id", "is_deleted")
GET_ONLY_PROPERTY_FIELDS = ("scale_name", "value_pairs")
ON_PROPERTY_FIELDS = (
    "price_on_property",
    "quantity_on_property",
    "sku_on_property",
    "readiness_state_on_property",
)
MISSING_PRODUCTS = "Missing input parameter: [products]"


@dataclass(frozen=True)
class PropertyValueInput:
    property_id: int
    property_name: str | None
    scale_id: int | None
    value: str
    value_ids: tuple[int, ...]


@dataclass(frozen=True)
class OfferingInput:
    price: Decimal
    quantity: int
    is_enabled: bool
    readiness_state_id: int | None


@dataclass(frozen=True)
class ProductInput:
    sku: str
    property_values: tuple[PropertyValueInput, ...]
    offering: OfferingInput

    def values_for(self, property_ids: tuple[int, ...]) -> tuple[str, ...]:
        by_id = {pv.property_id: pv.value for pv in self.property_values}
        return tuple(by_id.get(pid, "") for pid in property_ids)


@dataclass(frozen=True)
class InventoryInput:
    """A validated PUT body, ready to replace a listing's inventory."""

    products: tuple[ProductInput, ...]
    price_on_property: tuple[int, ...]
    quantity_on_property: tuple[int, ...]
    sku_on_property: tuple[int, ...]
    readiness_state_on_property: tuple[int, ...]


def parse_inventory_request(
    body: bytes, media_type: str, *, max_properties: int = 2
) -> InventoryInput:
    """Parse and validate a raw PUT body; raises :class:`ApiError` (400) on any problem."""
    if media_type != "application/json":
        raise bad_request(MISSING_PRODUCTS)
    try:
        document = json.loads(body.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad_request(f"Invalid JSON in request body: {exc}") from None
    return validate_inventory(document, max_properties=max_properties)


def validate_inventory(document: object, *, max_properties: int = 2) -> InventoryInput:
    """Validate an already-decoded PUT body (floats may be ``float`` or ``Decimal``)."""
    if not isinstance(document, dict) or document.get("products") is None:
        raise bad_request(MISSING_PRODUCTS)
    raw_products = document["products"]
    if not isinstance(raw_products, list) or not raw_products:
        raise bad_request("products must be a non-empty array of product objects")
    products = tuple(_product(raw, f"products[{i}]") for i, raw in enumerate(raw_products))
    on_property = {name: _id_list(document.get(name), name) for name in ON_PROPERTY_FIELDS}
    _check_properties(products, max_properties)
    for name, ids in on_property.items():
        _check_on_property_exists(products, name, ids)
    for field_name, attribute, get in _CONSISTENCY_RULES:
        _check_consistency(products, on_property[field_name], field_name, attribute, get)
    if not any(p.offering.quantity > 0 for p in products):
        raise bad_request("One offering must have quantity greater than 0")
    return InventoryInput(
        products=products,
        price_on_property=on_property["price_on_property"],
        quantity_on_property=on_property["quantity_on_property"],
        sku_on_property=on_property["sku_on_property"],
        readiness_state_on_property=on_property["readiness_state_on_property"],
    )


def _read_only(where: str, key: str) -> ApiError:
    return bad_request(
        f"{where}.{key} is a read-only field returned by getListingInventory and cannot be "
        "updated; remove product_id, offering_id, is_deleted, scale_name and value_pairs "
        "before calling updateListingInventory"
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _fields(
    raw: object, where: str, get_only: Sequence[str], required: Sequence[str] = ()
) -> dict[str, Any]:
    """``raw`` as a JSON object: no GET-only field, every required field present."""
    if not isinstance(raw, dict):
        raise bad_request(f"{where} must be an object")
    for key in get_only:
        if key in raw:
            raise _read_only(where, key)
    for key in required:
        if key not in raw:
            raise bad_request(f"Missing input parameter: [{where}.{key}]")
    return raw


def _product(raw: object, where: str) -> ProductInput:
    fields = _fields(raw, where, GET_ONLY_PRODUCT_FIELDS)
    sku = fields.get("sku")
    if sku is None:
        sku = ""
    if not isinstance(sku, str):
        raise bad_request(f"{where}.sku must be a string")
    values = _property_values(fields.get("property_values"), where)
    offerings = fields.get("offerings")
    if offerings is None:
        raise bad_request(f"Missing input parameter: [{where}.offerings]")
    if not isinstance(offerings, list) or len(offerings) != 1:
        raise bad_request(f"{where}.offerings must contain exactly one offering")
    offering = _offering(offerings[0], f"{where}.offerings[0]")
    return ProductInput(sku=sku, property_values=values, offering=offering)


def _property_values(raw: object, where: str) -> tuple[PropertyValueInput, ...]:
    """A product's ``property_values`` (absent means none), each property at most once."""
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise bad_request(f"{where}.property_values must be an array")
    values = tuple(_property_value(pv, f"{where}.property_values[{j}]") for j, pv in enumerate(raw))
    ids = [pv.property_id for pv in values]
    if len(set(ids)) != len(ids):
        raise bad_request(f"{where}.property_values lists the same property_id twice")
    return values


def _property_value(raw: object, where: str) -> PropertyValueInput:
    fields = _fields(raw, where, GET_ONLY_PROPERTY_FIELDS, ("property_id", "value_ids", "values"))
    property_id = fields["property_id"]
    if not _is_int(property_id) or property_id < 1:
        raise bad_request(f"{where}.property_id must be a positive integer")
    value_ids = fields["value_ids"]
    if not isinstance(value_ids, list) or not all(_is_int(v) and v >= 1 for v in value_ids):
        raise bad_request(f"{where}.value_ids must be an array of positive integers")
    value = _one_value(fields["values"], where)
    name = fields.get("property_name")
    if name is not None and not isinstance(name, str):
        raise bad_request(f"{where}.property_name must be a string")
    scale_id = fields.get("scale_id")
    if scale_id is not None and (not _is_int(scale_id) or scale_id < 1):
        raise bad_request(f"{where}.scale_id must be a positive integer or null")
    return PropertyValueInput(
        property_id=property_id,
        property_name=name,
        scale_id=scale_id,
        value=value,
        value_ids=tuple(value_ids),
    )


def _one_value(values: object, where: str) -> str:
    """The single, non-empty value of a property (``values`` holds exactly one string)."""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise bad_request(f"{where}.values must be an array of strings")
    cleaned: list[str] = [v.strip() for v in values]
    if len(cleaned) != 1 or not cleaned[0]:
        raise bad_request(f"Property values can't be empty ({where}.values needs one value)")
    if "(" in cleaned[0] or ")" in cleaned[0]:
        raise bad_request(f"{where}.values: parenthesis characters are not allowed")
    return cleaned[0]


def _price(raw: object, where: str) -> Decimal:
    if isinstance(raw, dict):
        raise bad_request(
            f"{where}.price must be a float equal to amount divided by divisor, not a Money object"
        )
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        raise bad_request(f"{where}.price must be a number")
    try:
        price = Decimal(str(raw)) if isinstance(raw, float) else Decimal(raw)
    except InvalidOperation:
        raise bad_request(f"{where}.price must be a number") from None
    if not price.is_finite():
        raise bad_request(f"{where}.price must be a number")
    if price != price.quantize(Decimal("0.01")):
        raise bad_request(f"{where}.price must not have more than 2 decimal places")
    if price < MIN_PRICE or price > MAX_PRICE:
        raise bad_request(f"{where}.price must be between {MIN_PRICE} and {MAX_PRICE}")
    return price.quantize(Decimal("0.01"))


def _offering(raw: object, where: str) -> OfferingInput:
    fields = _fields(
        raw,
        where,
        GET_ONLY_OFFERING_FIELDS,
        ("price", "quantity", "is_enabled", "readiness_state_id"),
    )
    price = _price(fields["price"], where)
    quantity = _quantity(fields["quantity"], where)
    enabled = fields["is_enabled"]
    if not isinstance(enabled, bool):
        raise bad_request(f"{where}.is_enabled must be a boolean")
    readiness = fields["readiness_state_id"]
    if readiness is not None and (not _is_int(readiness) or readiness < 1):
        raise bad_request(f"{where}.readiness_state_id must be a positive integer or null")
    return OfferingInput(
        price=price, quantity=quantity, is_enabled=enabled, readiness_state_id=readiness
    )


def _quantity(raw: object, where: str) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise bad_request(f"{where}.quantity must be an integer")
    if raw < 0:
        raise bad_request("quantity cannot be negative")
    if raw > MAX_QUANTITY:
        raise bad_request("quantity cannot be greater than 999")
    return raw


def _id_list(raw: object, name: str) -> tuple[int, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(_is_int(v) and v >= 1 for v in raw):
        raise bad_request(f"{name} must be an array of property ids")
    if len(set(raw)) != len(raw):
        raise bad_request(f"{name} lists the same property id twice")
    return tuple(raw)


def _check_properties(products: tuple[ProductInput, ...], max_properties: int) -> None:
    first = products[0]
    property_ids = sorted(pv.property_id for pv in first.property_values)
    if len(property_ids) > max_properties:
        raise bad_request(f"A listing can have at most {max_properties} variation properties")
    if len(products) > 1 and any(not p.property_values for p in products):
        raise bad_request("Property values can't be empty")
    combos: set[tuple[str, ...]] = set()
    key = tuple(property_ids)
    for i, product in enumerate(products):
        if sorted(pv.property_id for pv in product.property_values) != property_ids:
            raise bad_request(
                f"products[{i}] has different properties from products[0]; every product "
                "must have a value for the same properties"
            )
        combo = tuple(v.casefold() for v in product.values_for(key))
        if combo in combos:
            raise bad_request(f"products[{i}] duplicates the property values of another product")
        combos.add(combo)


def _check_on_property_exists(
    products: tuple[ProductInput, ...], name: str, ids: tuple[int, ...]
) -> None:
    present = {pv.property_id for pv in products[0].property_values}
    for property_id in ids:
        if property_id not in present:
            raise bad_request(
                f"{name} contains property_id {property_id}, which is not a property "
                "of the listing's products"
            )


def _check_consistency(
    products: tuple[ProductInput, ...],
    on_property: tuple[int, ...],
    field_name: str,
    attribute: str,
    get: Callable[[ProductInput], object],
) -> None:
    seen: dict[tuple[str, ...], object] = {}
    for i, product in enumerate(products):
        key = product.values_for(on_property)
        value = get(product)
        if key in seen and seen[key] != value:
            if on_property:
                detail = f"every product with the same value for properties {list(on_property)}"
            else:
                detail = f"every product (the {attribute} does not vary by any property)"
            raise bad_request(
                f"products[{i}]: {attribute} is incompatible with {field_name}: "
                f"{detail} must have the same {attribute}"
            )
        seen.setdefault(key, value)


_CONSISTENCY_RULES: tuple[tuple[str, str, Callable[[ProductInput], object]], ...] = (
    ("price_on_property", "price", lambda p: p.offering.price),
    ("quantity_on_property", "quantity", lambda p: p.offering.quantity),
    ("sku_on_property", "sku", lambda p: p.sku),
    ("readiness_state_on_property", "readiness_state_id", lambda p: p.offering.readiness_state_id),
)
