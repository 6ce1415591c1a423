"""Reading many things from Etsy with few calls.

``endpoints`` (which multi-resource endpoint, which parameters, which response shape),
``by_ids`` (listings and inventories 100 ids a call), ``shop_pages`` (every listing of a
shop, page by page, without losing or doubling any).
"""
