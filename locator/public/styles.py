"""The per-category stylesheet, written from the registry: each category's class (its home
button and its map dots) gets the category's colour, so no colour list is kept by hand."""

import hashlib

from locator.core.categories import CATEGORIES


def category_css() -> str:
    """One rule per category: `.cat-<key> { background: <colour>; }`."""
    return "".join(f".{c.css_class} {{ background: {c.colour}; }}\n"
                   for c in CATEGORIES.values())


def category_css_digest() -> str:
    """A short hash of the stylesheet: its URL changes whenever the registry does."""
    return hashlib.sha256(category_css().encode()).hexdigest()[:12]
