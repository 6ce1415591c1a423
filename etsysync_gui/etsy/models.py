"""Typed, immutable views of the Etsy resources the sync needs.

Why: the rest of the app should never index raw Etsy JSON.  Parsing happens
once, here, into frozen dataclasses with exact ``Decimal`` prices; unknown
fields are ignored (Etsy adds fields often), missing required ones raise
``MalformedResponseError`` naming the field.

``Inventory.to_put_body`` owns the single most error-prone conversion in the
Etsy API: the GET and PUT shapes of a listing inventory differ (getListingInventory
and updateListingInventory in the Open API v3 reference; Etsy's "Updating inventory"
tutorial, https://developers.etsy.com/documentation/tutorials/listings), so
sending back what was read fails.  See its docstring for the exact rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NotRequired, TypedDict

from etsysync_gui.etsy.fields import Fields
from etsysync_gui.etsy.money import money_to_decimal, to_put_float

LISTING_STATES = ("active", "inactive", "sold_out", "draft", "expired")


# --- The updateListingInventory request shape (spec: PUT .../inventory) -------------


class PropertyValuePut(TypedDict):
    property_id: int
    value_ids: list[int]
    values: list[str]
    scale_id: int | None
    property_name: NotRequired[str]


class OfferingPut(TypedDict):
    price: float
    quantity: int
    is_enabled: bool
    readiness_state_id: int | None


class ProductPut(TypedDict):
    sku: str
    property_values: list[PropertyValuePut]
    offerings: list[OfferingPut]


class InventoryPut(TypedDict):
    products: list[ProductPut]
    price_on_property: list[int]
    quantity_on_property: list[int]
    sku_on_property: list[int]
    readiness_state_on_property: list[int]


# --- Resources ---------------------------------------------------------------------


def _money(parent: Fields, name: str) -> tuple[Decimal, str]:
    money = parent.obj(name, name)
    return (
        money_to_decimal(money.req_int("amount"), money.req_int("divisor")),
        money.req_str("currency_code"),
    )


@dataclass(frozen=True, slots=True)
class Me:
    """The authenticated user (getMe).

    ``shop_id`` is ``None`` when the user has no shop: the spec does not mark it
    nullable, but a buyer-only account has none, and a ``None`` is safer than a
    made-up id.
    """

    user_id: int
    shop_id: int | None

    @classmethod
    def from_json(cls, data: object) -> Me:
        f = Fields(data, "user")
        return cls(user_id=f.req_int("user_id"), shop_id=f.opt_int("shop_id"))


@dataclass(frozen=True, slots=True)
class Shop:
    """The shop-level facts the app shows and syncs against (getShop)."""

    shop_id: int
    user_id: int
    shop_name: str
    currency_code: str
    listing_active_count: int
    url: str
    title: str | None = None
    login_name: str | None = None
    is_vacation: bool = False
    updated_timestamp: int | None = None

    @classmethod
    def from_json(cls, data: object) -> Shop:
        f = Fields(data, "shop")
        return cls(
            shop_id=f.req_int("shop_id"),
            user_id=f.req_int("user_id"),
            shop_name=f.req_str("shop_name"),
            currency_code=f.req_str("currency_code"),
            listing_active_count=f.opt_int("listing_active_count") or 0,
            url=f.opt_str("url") or "",
            title=f.opt_str("title"),
            login_name=f.opt_str("login_name"),
            is_vacation=f.flag("is_vacation", default=False),
            updated_timestamp=f.opt_int("updated_timestamp"),
        )


@dataclass(frozen=True, slots=True)
class PropertyValue:
    """One variation value of a product (e.g. Size = "M")."""

    property_id: int
    property_name: str | None
    scale_id: int | None
    scale_name: str | None
    value_ids: tuple[int, ...]
    values: tuple[str, ...]

    @classmethod
    def from_json(cls, data: object) -> PropertyValue:
        f = Fields(data, "property value")
        return cls(
            property_id=f.req_int("property_id"),
            property_name=f.opt_str("property_name"),
            scale_id=f.opt_int("scale_id"),
            scale_name=f.opt_str("scale_name"),
            value_ids=f.ints("value_ids"),
            values=f.strs("values"),
        )

    def to_put(self) -> PropertyValuePut:
        body: PropertyValuePut = {
            "property_id": self.property_id,
            "value_ids": list(self.value_ids),
            "values": list(self.values),
            "scale_id": self.scale_id,
        }
        if self.property_name is not None:
            body["property_name"] = self.property_name
        return body


@dataclass(frozen=True, slots=True)
class Offering:
    """A sellable offering of a product: its price, stock and visibility."""

    offering_id: int
    quantity: int
    is_enabled: bool
    is_deleted: bool
    price: Decimal
    currency_code: str
    readiness_state_id: int | None

    @classmethod
    def from_json(cls, data: object) -> Offering:
        f = Fields(data, "offering")
        price, currency = _money(f, "price")
        return cls(
            offering_id=f.req_int("offering_id"),
            quantity=f.req_int("quantity"),
            is_enabled=f.flag("is_enabled"),
            is_deleted=f.flag("is_deleted", default=False),
            price=price,
            currency_code=currency,
            readiness_state_id=f.opt_int("readiness_state_id"),
        )

    def to_put(self) -> OfferingPut:
        return {
            "price": to_put_float(self.price),
            "quantity": self.quantity,
            "is_enabled": self.is_enabled,
            "readiness_state_id": self.readiness_state_id,
        }


@dataclass(frozen=True, slots=True)
class Product:
    """One variation combination of a listing (or the only product of a simple one).

    ``product_id`` changes on every inventory write (etsy/open-api#523): never store it
    as a key; key on listing_id + sku or the property values instead.
    A missing/null ``sku`` reads as "" (what Etsy returns for "no SKU").
    """

    product_id: int
    sku: str
    is_deleted: bool
    offerings: tuple[Offering, ...]
    property_values: tuple[PropertyValue, ...]
    # Computed once: planning asks for it about 20 times per product.
    _live: tuple[Offering, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        live = tuple(o for o in self.offerings if not o.is_deleted)
        object.__setattr__(self, "_live", live)

    @classmethod
    def from_json(cls, data: object) -> Product:
        f = Fields(data, "product")
        return cls(
            product_id=f.req_int("product_id"),
            sku=f.opt_str("sku") or "",
            is_deleted=f.flag("is_deleted", default=False),
            offerings=tuple(Offering.from_json(o) for o in f.array("offerings", required=True)),
            property_values=tuple(PropertyValue.from_json(v) for v in f.array("property_values")),
        )

    @property
    def live_offerings(self) -> tuple[Offering, ...]:
        return self._live


@dataclass(frozen=True, slots=True)
class Inventory:
    """A listing's full inventory (getListingInventory / includes=Inventory)."""

    products: tuple[Product, ...]
    price_on_property: tuple[int, ...] = ()
    quantity_on_property: tuple[int, ...] = ()
    sku_on_property: tuple[int, ...] = ()
    readiness_state_on_property: tuple[int, ...] = ()
    _live: tuple[Product, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        live = tuple(p for p in self.products if not p.is_deleted and p.live_offerings)
        object.__setattr__(self, "_live", live)

    @classmethod
    def from_json(cls, data: object) -> Inventory:
        f = Fields(data, "inventory")
        return cls(
            products=tuple(Product.from_json(p) for p in f.array("products", required=True)),
            price_on_property=f.ints("price_on_property"),
            quantity_on_property=f.ints("quantity_on_property"),
            sku_on_property=f.ints("sku_on_property"),
            readiness_state_on_property=f.ints("readiness_state_on_property"),
        )

    @property
    def live_products(self) -> tuple[Product, ...]:
        """Products that are not deleted and still have a non-deleted offering."""
        return self._live

    def to_put_body(self) -> InventoryPut:
        """The exact updateListingInventory request body for this inventory.

        Rules (updateListingInventory's request body in the Open API v3 reference;
        https://developers.etsy.com/documentation/tutorials/listings):

        * read-only fields are dropped: ``product_id``, ``offering_id``,
          ``scale_name``, ``is_deleted`` (and ``value_pairs``, never parsed);
        * ``price`` becomes the float amount/divisor (exact, see ``money``);
        * deleted products and deleted offerings are left out; a product whose
          offerings are all deleted is left out too, since Etsy requires
          ``offerings`` per product and the product is gone from the shop's
          point of view anyway;
        * ``readiness_state_id`` is always sent (the spec lists it as required,
          nullable); ``scale_id`` is sent even when null, ``property_name`` only
          when known;
        * the four ``*_on_property`` arrays are always sent (possibly empty);
          the PUT replaces the whole inventory, so omitting one could reset it.
        """
        return {
            "products": [
                {
                    "sku": product.sku,
                    "property_values": [pv.to_put() for pv in product.property_values],
                    "offerings": [o.to_put() for o in product.live_offerings],
                }
                for product in self.live_products
            ],
            "price_on_property": list(self.price_on_property),
            "quantity_on_property": list(self.quantity_on_property),
            "sku_on_property": list(self.sku_on_property),
            "readiness_state_on_property": list(self.readiness_state_on_property),
        }


@dataclass(frozen=True, slots=True)
class Listing:
    """A shop listing with the fields the sync compares (getListingsByShop & co).

    ``price`` is Etsy's listing-level price, the minimum over offerings; the
    exact per-variation prices are in ``inventory``.  Timestamps are epoch
    seconds as Etsy sends them, ``None`` when absent.  ``inventory`` is set
    only when the read asked for ``includes=Inventory``.
    """

    listing_id: int
    shop_id: int
    title: str
    description: str
    state: str
    quantity: int
    price: Decimal | None
    currency_code: str | None
    skus: tuple[str, ...]
    url: str
    has_variations: bool
    created_timestamp: int | None
    updated_timestamp: int | None
    last_modified_timestamp: int | None
    state_timestamp: int | None
    inventory: Inventory | None
    digest: int | None = None  # set by a shop read (``reads.records``), else None

    @classmethod
    def from_json(cls, data: object) -> Listing:
        f = Fields(data, "listing")
        price: Decimal | None = None
        currency: str | None = None
        if f.has("price"):
            price, currency = _money(f, "price")
        inventory_json = f.raw("inventory")
        return cls(
            listing_id=f.req_int("listing_id"),
            shop_id=f.req_int("shop_id"),
            title=f.req_str("title"),
            description=f.opt_str("description") or "",
            state=f.req_str("state"),
            quantity=f.req_int("quantity"),
            price=price,
            currency_code=currency,
            skus=f.strs("skus"),
            url=f.opt_str("url") or "",
            has_variations=f.flag("has_variations", default=False),
            created_timestamp=f.opt_int("created_timestamp"),
            updated_timestamp=f.opt_int("updated_timestamp"),
            last_modified_timestamp=f.opt_int("last_modified_timestamp"),
            state_timestamp=f.opt_int("state_timestamp"),
            inventory=None if inventory_json is None else Inventory.from_json(inventory_json),
        )
