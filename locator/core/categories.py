"""The category registry: labels, icons and amenity vocabularies. Adding a category is one entry."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    """One kind of facility, with its labels and the amenities it may list."""

    key: str
    label_zh: str
    label_en: str
    icon: str
    amenities: tuple[str, ...]
    has_routes: bool = False

    def label(self, lang: str) -> str:
        """The label in `lang` ('zh' or 'en')."""
        return self.label_en if lang == "en" else self.label_zh


# Equipment of the 2016 national guideline for mother-and-baby rooms, plus what parents ask for.
NURSING_AMENITIES = (
    "changing_table", "nursing_chair", "crib", "sink", "hot_water", "power_outlet", "lockable",
    "call_button", "fridge", "water_dispenser", "air_conditioning", "diaper_vending",
    "father_friendly", "staffed",
)
STOP_AMENITIES = (
    "shelter", "bench", "ticket_office", "waiting_room", "luggage_storage", "bay", "realtime_info",
)
COMMON_AMENITIES = ("wheelchair", "toilet", "parking")

CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category("nursing_room", "母婴室", "Nursing rooms", "nursing",
                 NURSING_AMENITIES + COMMON_AMENITIES),
        Category("coach_stop", "长途车站", "Coach stops", "coach",
                 STOP_AMENITIES + COMMON_AMENITIES, has_routes=True),
        Category("bus_stop", "公交站", "Bus stops", "bus",
                 STOP_AMENITIES + COMMON_AMENITIES, has_routes=True),
        Category("landmark", "地标", "Landmarks", "landmark", COMMON_AMENITIES),
    )
}

AMENITY_LABELS: dict[str, tuple[str, str]] = {
    "changing_table": ("护理台", "Changing table"),
    "nursing_chair": ("哺乳椅", "Nursing chair"),
    "crib": ("婴儿床", "Crib"),
    "sink": ("洗手台", "Sink"),
    "hot_water": ("热水", "Hot water"),
    "power_outlet": ("电源插座", "Power outlet"),
    "lockable": ("可上锁", "Lockable door"),
    "call_button": ("呼叫按钮", "Call button"),
    "fridge": ("冰箱", "Fridge"),
    "water_dispenser": ("饮水机", "Water dispenser"),
    "air_conditioning": ("空调", "Air conditioning"),
    "diaper_vending": ("尿布售卖", "Diaper vending"),
    "father_friendly": ("父亲可用", "Fathers welcome"),
    "staffed": ("有工作人员", "Staffed"),
    "shelter": ("候车亭", "Shelter"),
    "bench": ("座椅", "Bench"),
    "ticket_office": ("售票处", "Ticket office"),
    "waiting_room": ("候车室", "Waiting room"),
    "luggage_storage": ("行李寄存", "Luggage storage"),
    "bay": ("港湾式停靠", "Bus bay"),
    "realtime_info": ("实时到站信息", "Real-time arrivals"),
    "wheelchair": ("无障碍通行", "Wheelchair accessible"),
    "toilet": ("卫生间", "Toilet"),
    "parking": ("停车场", "Parking"),
}

ACCESS_LABELS: dict[str, tuple[str, str]] = {
    "public": ("对公众开放", "Open to the public"),
    "customers": ("仅限顾客", "Customers only"),
    "ask_staff": ("请向工作人员询问", "Ask staff"),
}


def amenity_label(token: str, lang: str) -> str:
    """The label of an amenity token in `lang`."""
    zh, en = AMENITY_LABELS[token]
    return en if lang == "en" else zh


def access_label(value: str, lang: str) -> str:
    """The label of an access value in `lang`."""
    zh, en = ACCESS_LABELS[value]
    return en if lang == "en" else zh
