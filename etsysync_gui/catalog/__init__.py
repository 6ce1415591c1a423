"""The seller's own catalog: products and variants with their stock, and CSV import/export."""
