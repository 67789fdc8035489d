"""The nearest page's equipment filters: checkboxes of a GET form, and the links that keep them."""

from locator.core.categories import AMENITIES, CATEGORIES
from locator.web.i18n import gettext

# What parents asked for on the page; the API takes any amenity of the category.
PAGE_FILTERS = ("changing_table", "father_friendly", "wheelchair")


def allowed(category: str | None) -> tuple[str, ...]:
    """The amenity tokens a search in `category` accepts."""
    return CATEGORIES[category].amenities if category else tuple(AMENITIES)


def equipment(category: str | None, chosen: tuple[str, ...]) -> list[dict]:
    """The page's equipment checkboxes for `category`, ticked where `chosen`."""
    return [{"key": key, "label": gettext(AMENITIES[key].label), "icon": AMENITIES[key].symbol,
             "on": key in chosen}
            for key in PAGE_FILTERS if key in allowed(category)]


def kept(chosen: tuple[str, ...], category: str | None) -> list[str]:
    """The chosen amenities a link to `category` keeps: the others would be refused there."""
    return [key for key in chosen if key in allowed(category)]


def kept_by_category(chosen: tuple[str, ...]) -> dict[str, list[str]]:
    """For each category chip, the chosen amenities its link keeps."""
    return {key: kept(chosen, key) for key in CATEGORIES}
