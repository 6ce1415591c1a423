"""What each table column means, shown as the header's tooltip in every table.

Why one dictionary keyed by the column's title: the same words ("Base",
"Etsy qty", "Stock pool") appear in several tables and must be explained the
same way everywhere; a table that gives a column its own meaning passes
``Column(help=...)`` instead, and a view can override a header at run time
(Inventory's "Etsy qty at last sync 17:36").
"""

from __future__ import annotations

COLUMN_HELP: dict[str, str] = {
    # listings, inventory, plans, the journal
    "Listing": "Etsy's listing number",
    "Title": "The listing's title on Etsy",
    "State": "Active, draft, inactive, sold out or expired on Etsy; 'missing' when Etsy no "
    "longer returns it",
    "SKU": "The stock keeping unit: the code that links an Etsy listing to your catalog",
    "Local SKU": "The SKU of the catalog variant this stock pool is linked to",
    "Price": "The price as Etsy last reported it (EtsySync never changes prices)",
    "Etsy qty": "Etsy's quantity as read at the last sync (not live)",
    "Local qty": "The quantity in your catalog; double-click to change it",
    "Local product": "The catalog product this listing is linked to",
    "Link": "How the listing is linked to your catalog: by SKU, by you, or not linked",
    "Sync": "How the last sync of this listing went",
    "Last synced": "When EtsySync last read or wrote this listing's stock",
    "Stock pool": "A group of variations that share one quantity on Etsy (for example "
    "'Red / Large'), or the whole listing",
    "Base": "The quantity both sides agreed on at the last sync (yours / Etsy's when they "
    "differ). A change is measured from it: less than the base means sales.",
    "Status": "The state of the last sync for this row",
    "Next sync": "What the next inventory sync will do with this stock pool",
    "Why": "Why EtsySync decided so (the full text is below the table)",
    # the catalog and linking
    "Product": "The product in your catalog",
    "Variant": "The variant of the product (size, colour, …)",
    "Quantity": "The quantity in your catalog",
    "Linked to": "The Etsy listing and stock pool this variant syncs with",
    "Confidence": "How sure EtsySync is that this variant is the right match",
    # plans and the journal
    "Action": "What the sync does: push your number to Etsy, pull Etsy's, merge both, or leave it",
    "Local": "Your catalog's quantity (before → after)",
    "Etsy": "Etsy's quantity (before → after)",
    "Write": "Untick to leave this listing out of what is written now; it keeps its bases "
    "and comes back in the next plan",
    "Flags": "Anything unusual: a conflict, a clamped quantity, a deactivation",
    "When": "When the decision was made",
    "Run": "The sync run this belongs to (double-click a run to see only its decisions)",
    "Result": "Whether Etsy accepted the change",
    "Diff": "How much the quantity changed",
    "Message": "What happened, in full (also shown below the table)",
    # runs
    "Started": "When the run started",
    "Kind": "Listing sync (reads listings) or inventory sync (syncs stock)",
    "Trigger": "Started by you, by the schedule, or from the command line",
    "Listings": "Listings read or checked",
    "Pushed": "Quantities written to Etsy from your catalog",
    "Pulled": "Quantities taken from Etsy into your catalog",
    "Merged": "Pools where both sides' changes were combined",
    "Conflicts": "Pools where both sides changed and the policy left it to you",
    "Errors": "Pools or listings that failed",
    "API calls": "Requests made to Etsy (Etsy allows a limited number each day)",
    "Etsy writes": "Write requests Etsy accepted",
    # sales (from Etsy's orders, the sales ledger)
    "Day (UTC)": "The day of the orders, in UTC as Etsy records them",
    "Orders": "Etsy orders (receipts) with this day's or item's sales; canceled ones left out",
    "Sold": "Units sold in those orders",
    "Canceled": "Units in order lines Etsy reports as canceled",
    "Last sale": "When this item last sold",
    # the scheduler
    "Job": "A background job",
    "Interval": "How often it runs (stretched when Etsy's daily budget is tight)",
    "Last run": "When it last ran",
    "Next run": "When it runs next",
    "Failures": "Failures in a row (the job waits longer after each)",
    "Note": "Anything unusual: paused, backing off, skipped",
}


def column_help(title: str) -> str | None:
    return COLUMN_HELP.get(title)
