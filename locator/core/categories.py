"""The category registry: adding a category, an amenity or an access value is one entry here
(plus its Chinese text in the catalogue). Labels are English msgids, marked with N_ so that
extraction finds them and translated where they are shown: pages through Flask-Babel, the
importer, CLI and API through the *_label accessors below. Pages, the map, the console, the
per-category CSS (locator/public/styles.py), the API and the README table all read this file.
"""

from dataclasses import dataclass

from locator.core.catalogue import N_, translate


@dataclass(frozen=True)
class Category:
    """One kind of facility and everything shown about it."""

    key: str
    label: str  # English msgid
    icon: str  # the API's icon name
    symbol: str  # shown beside the label on pages (aria-hidden: the label is what counts)
    colour: str  # of its home button and its map dots (white text must read on it)
    amenities: tuple[str, ...]
    has_routes: bool = False
    in_text: str = ""  # the plural inside a sentence, as an English msgid ("bus stops")
    # The words people search for it with, '; '-separated: an English msgid whose translation
    # lists the words of that language (search/words.py reads every language's list).
    words: str = ""

    @property
    def css_class(self) -> str:
        """The class its button and map dots carry; the generated stylesheet colours it."""
        return f"cat-{self.key}"


@dataclass(frozen=True)
class Amenity:
    """One amenity token: its label (English msgid) and the symbol shown beside it."""

    key: str
    label: str
    symbol: str


# Equipment of the 2016 national guideline for mother-and-baby rooms, plus what parents ask for.
NURSING_AMENITIES = (
    Amenity("changing_table", N_("Changing table"), "🚼"),
    Amenity("nursing_chair", N_("Nursing chair"), "🪑"),
    Amenity("crib", N_("Crib"), "🛏"),
    Amenity("sink", N_("Sink"), "🚰"),
    Amenity("hot_water", N_("Hot water"), "♨"),
    Amenity("power_outlet", N_("Power outlet"), "🔌"),
    Amenity("lockable", N_("Lockable door"), "🔒"),
    Amenity("call_button", N_("Call button"), "🔔"),
    Amenity("fridge", N_("Fridge"), "🧊"),
    Amenity("water_dispenser", N_("Water dispenser"), "🥤"),
    Amenity("air_conditioning", N_("Air conditioning"), "❄"),
    Amenity("diaper_vending", N_("Diaper vending"), "🧷"),
    Amenity("father_friendly", N_("Fathers welcome"), "👨"),
    Amenity("staffed", N_("Staffed"), "🧑"),
)
STOP_AMENITIES = (
    Amenity("shelter", N_("Shelter"), "⛱"),
    Amenity("bench", N_("Bench"), "🪑"),
    Amenity("ticket_office", N_("Ticket office"), "🎫"),
    Amenity("waiting_room", N_("Waiting room"), "🛋"),
    Amenity("luggage_storage", N_("Luggage storage"), "🧳"),
    Amenity("bay", N_("Bus bay"), "🅿"),
    Amenity("realtime_info", N_("Real-time arrivals"), "⏱"),
)
COMMON_AMENITIES = (
    Amenity("wheelchair", N_("Wheelchair accessible"), "♿"),
    Amenity("toilet", N_("Toilet"), "🚻"),
    Amenity("parking", N_("Parking"), "🅿"),
)
AMENITIES: dict[str, Amenity] = {
    a.key: a for a in NURSING_AMENITIES + STOP_AMENITIES + COMMON_AMENITIES}


def _keys(*groups: tuple[Amenity, ...]) -> tuple[str, ...]:
    """The tokens of some amenity groups, in order."""
    return tuple(a.key for group in groups for a in group)


CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category("nursing_room", N_("Nursing rooms"), "nursing", "🍼", "#a3195b",
                 _keys(NURSING_AMENITIES, COMMON_AMENITIES), in_text=N_("nursing rooms"),
                 words=N_("nursing room; baby room; baby changing; changing room; breastfeeding; "
                          "breastfeeding room; mother and baby room; mothers room; lactation "
                          "room; feeding room")),
        Category("coach_stop", N_("Coach stops"), "coach", "🚌", "#0b57a4",
                 _keys(STOP_AMENITIES, COMMON_AMENITIES), has_routes=True,
                 in_text=N_("coach stops"),
                 words=N_("coach station; coach stop; coach; bus station; bus terminal; "
                          "long-distance bus; long distance bus; intercity bus")),
        Category("bus_stop", N_("Bus stops"), "bus", "🚏", "#0b6b2f",
                 _keys(STOP_AMENITIES, COMMON_AMENITIES), has_routes=True,
                 in_text=N_("bus stops"), words=N_("bus stop; city bus; local bus")),
        Category("landmark", N_("Landmarks"), "landmark", "📍", "#5b3a9e", _keys(COMMON_AMENITIES),
                 in_text=N_("landmarks"),
                 words=N_("sight; sights; attraction; attractions; tourist attraction; landmark; "
                          "things to see; scenic spot")),
    )
}

ACCESS_LABELS: dict[str, str] = {
    "public": N_("Open to the public"),
    "customers": N_("Customers only"),
    "ask_staff": N_("Ask staff"),
}


def category_label(key: str, lang: str) -> str:
    """A category's label in `lang`, from the catalogue (no Flask: importer, CLI, API)."""
    return translate(CATEGORIES[key].label, lang)


def amenity_label(token: str, lang: str) -> str:
    """An amenity token's label in `lang`, from the catalogue."""
    return translate(AMENITIES[token].label, lang)


def access_label(value: str, lang: str) -> str:
    """An access value's label in `lang`, from the catalogue."""
    return translate(ACCESS_LABELS[value], lang)
