"""EtsySync: keeps an Etsy shop's listings and stock in step with the seller's own catalog."""

__version__ = "0.1.0"
APP_NAME = "EtsySync"
APP_ID = "etsysync"
