"""The words a district spreadsheet uses for our columns and codes: Chinese header aliases
(名称 → name), and for each coded column the labels the app shows and common synonyms
(母婴室, 哺乳室 → nursing_room). Files are read with these; exports still write the codes.
"""

import functools
import re
import unicodedata
from collections.abc import Callable

from locator.core import geo
from locator.core.catalogue import N_, translate
from locator.core.categories import (
    ACCESS_LABELS,
    AMENITIES,
    CATEGORIES,
    access_label,
    amenity_label,
    category_label,
)
from locator.core.records import COLUMNS
from locator.ingest.problems import Choices

HEADER_ALIASES = {
    "编号": "id", "类别": "category", "类型": "category", "名称": "name", "英文名称": "name_en",
    "纬度": "lat", "经度": "lon", "坐标系": "coord_system", "地址": "address",
    "英文地址": "address_en", "镇街": "town", "镇(街道)": "town", "楼层": "floor",
    "开放时间": "opening_hours", "开放对象": "access", "设施设备": "amenities",
    "配套设施": "amenities", "线路": "routes", "途经线路": "routes", "电话": "phone",
    "联系电话": "phone", "描述": "description", "简介": "description",
    "英文描述": "description_en", "来源": "source", "核实日期": "verified_on",
    "坐标来源": "coord_source", "别名": "aliases", "曾用名": "aliases",
    "区县": "district", "所属区县": "district", "县区": "district", "行政区": "district",
    "繁体名称": "name_zh_hant", "繁體名稱": "name_zh_hant",
}

# Coordinate systems have no label elsewhere in the app: these are the ones messages show
# (msgids; the Chinese is in importer.po).
COORD_SYSTEM_LABELS = {
    "wgs84": N_("GPS"),
    "gcj02": N_("AMap/Tencent"),
    "bd09": N_("Baidu"),
}

# How a position was obtained: the words the template and messages use for coord_source
# (msgids; the Chinese is in importer.po).
COORD_SOURCE_LABELS = {
    "survey": N_("surveyed on site"),
    "map": N_("picked on a map"),
    "geocoded": N_("estimated from the address"),
}
# What people write besides the code and the app's own label, per coded column.
SYNONYMS = {
    "category": {
        "nursing_room": ("哺乳室", "母婴休息室", "母婴护理室", "母婴室(哺乳室)"),
        "coach_stop": ("客运站", "汽车站", "长途汽车站", "汽车客运站", "长途客运站"),
        "bus_stop": ("公交车站", "公交站台", "公交站点", "公交车站台"),
        "landmark": ("景点", "景区", "地标建筑"),
    },
    "amenity": {
        "changing_table": ("尿布台", "婴儿护理台", "换尿布台", "尿布更换台"),
        "nursing_chair": ("喂奶椅", "哺乳座椅"),
        "crib": ("婴儿小床",),
        "sink": ("洗手池", "洗手盆", "洗手台盆"),
        "hot_water": ("热水器", "温水"),
        "power_outlet": ("插座", "电源"),
        "lockable": ("门锁", "可锁门"),
        "call_button": ("紧急呼叫按钮", "呼叫铃", "紧急呼叫"),
        "water_dispenser": ("直饮水",),
        "diaper_vending": ("纸尿裤售卖", "尿不湿售卖"),
        "father_friendly": ("男士可用", "爸爸可用"),
        "staffed": ("有人值守", "专人管理"),
        "bench": ("座位", "长椅", "候车座椅"),
        "ticket_office": ("售票窗口", "售票厅"),
        "waiting_room": ("候车厅",),
        "bay": ("港湾式停靠站", "港湾式站台"),
        "realtime_info": ("电子站牌", "实时公交信息"),
        "wheelchair": ("无障碍", "无障碍设施", "轮椅通道"),
        "toilet": ("厕所", "洗手间", "公厕"),
        "parking": ("停车位", "停车"),
    },
    "access": {
        "public": ("公开", "开放", "公众", "向公众开放", "免费开放", "所有人"),
        "customers": ("顾客", "限顾客", "仅顾客", "仅限顾客使用"),
        "ask_staff": ("询问工作人员", "需询问工作人员", "咨询工作人员", "请询问工作人员"),
    },
    "coord_system": {
        "wgs84": ("gps", "地球坐标", "wgs84坐标", "gps坐标"),
        "gcj02": ("火星坐标", "国测局坐标", "高德", "高德坐标", "腾讯", "腾讯坐标"),
        "bd09": ("百度", "百度坐标", "bd09ll"),
    },
    "coord_source": {
        "survey": ("实测", "现场测量", "实地采集", "gps实测"),
        "map": ("地图", "地图标注", "地图拾取"),
        "geocoded": ("地址估算", "地理编码", "地址解析"),
    },
}

LIST_SEPARATORS = re.compile("[;；、,，]")  # what Chinese and English keyboards separate with


def labels(kind: str) -> dict[str, tuple[str, str]]:
    """(Chinese, English) label of each code of `kind` ("category", "amenity", "access",
    "coord_system", "coord_source"), as the app shows them: the one place the importer reads
    labels from."""
    if kind == "coord_system":  # the systems are core/geo's; only their words are kept here
        return {code: _both(COORD_SYSTEM_LABELS.get(code, code)) for code in geo.TO_WGS84}
    if kind == "coord_source":
        return {code: _both(msgid) for code, msgid in COORD_SOURCE_LABELS.items()}
    codes, label = {"category": (CATEGORIES, category_label),
                    "amenity": (AMENITIES, amenity_label),
                    "access": (ACCESS_LABELS, access_label)}[kind]
    return {code: (label(code, "zh"), label(code, "en")) for code in codes}


def _both(msgid: str) -> tuple[str, str]:
    """(Chinese, English) of a msgid: the catalogue's Chinese and the msgid."""
    return translate(msgid, "zh"), msgid


def choices(kind: str, codes: tuple[str, ...] | None = None) -> Choices:
    """The allowed values of `kind` (or just `codes`) for a message: '母婴室 (nursing_room), …'."""
    known = labels(kind)
    return Choices(tuple((code, *known[code]) for code in codes or known))


def _key(text: str) -> str:
    """How a written value is looked up: full-width as ASCII, case, spaces and '-' ignored."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text).lower())


def reader(kind: str) -> Callable[[str], str | None]:
    """value → the code it stands for in `kind` (None if none). One per state of the registry:
    a category added at run time gets a new reader, and callers may cache by reader."""
    return _reader(kind, tuple(labels(kind)))


@functools.lru_cache(maxsize=32)
def _reader(kind: str, codes: tuple[str, ...]) -> Callable[[str], str | None]:
    """The reader for `kind` while its codes are `codes`."""
    exact, table = {}, {}
    for code, (zh, en) in labels(kind).items():
        for written in (code, zh, en, *SYNONYMS.get(kind, {}).get(code, ())):
            exact.setdefault(written, code)
            table.setdefault(_key(written), code)

    def read(value: str) -> str | None:
        """The code of one written value."""
        # As written first: almost every cell is a code or a label, and _key costs more.
        code = exact.get(value)
        return code if code is not None else table.get(_key(value))
    return read


def code_of(kind: str, value: str) -> str | None:
    """The code `value` stands for in `kind`, or None if it is none of them."""
    return reader(kind)(value)


def column_of(cell: str) -> str:
    """The column a header cell names: its code, its alias (名称), or both ('名称 name',
    '名称(name)'); anything else lowercased, to be reported as unknown."""
    name = unicodedata.normalize("NFKC", cell).strip().lower()
    if name in COLUMNS:
        return name
    if name in HEADER_ALIASES:
        return HEADER_ALIASES[name]
    both = re.fullmatch(r"(.+?)\s*\(?\s*([a-z_]+)\s*\)?", name)
    if both and HEADER_ALIASES.get(both.group(1)) == both.group(2):
        return both.group(2)
    return name
