"""Tianditu (天地图) geocoding: answers in CGCS2000, which we take as WGS-84.

Request and answer as documented for 天地图地理编码API (lbs.tianditu.gov.cn; the page as quoted at
https://blog.csdn.net/mcband/article/details/134915002): GET /geocoder?ds={"keyWord":…}&tk=… →
{"status": "0", "msg": "ok", "location": {"lon": …, "lat": …, "level": "地名地址", "score": …}};
status "101" 结果为空 (no result), "404" 出错 (an error).
"""

import json

from geopy.exc import GeocoderServiceError

from locator.geocoding.results import Answer
from locator.geocoding.service import JsonService, tiers
from locator.geocoding.settings import GeocoderSettings

PATH = "/geocoder"
# CGCS2000 and WGS-84 differ by centimetres: far below any geocoder's error.
DATUM = "wgs84"
# The page documents `level` as 类别名称 with the example 地名地址 and no full list; these are
# the names seen in its answers. Any other counts as street: checked by hand.
LEVELS = tiers(
    exact=("地名地址", "门址", "门牌号", "兴趣点", "POI"),
    street=("道路", "交叉口", "村庄"),
    district=("区县", "乡镇", "街道"),
    city=("国家", "省", "市", "行政区划"),
)


def lookup(address: str, settings: GeocoderSettings) -> Answer | None:
    """Tianditu's location for the address, or None when it has none."""
    keyword = json.dumps({"keyWord": address}, ensure_ascii=False, separators=(",", ":"))
    params = {"ds": keyword, "tk": settings.key}
    return JsonService(settings).get(PATH, params, lambda page: _parse(page, address))


def _parse(page: dict, address: str) -> Answer | None:
    """The location; status 101 is no result, any other but 0 an error."""
    status = str(page.get("status"))
    if status == "101":
        return None
    if status != "0" or not page.get("location"):
        raise GeocoderServiceError(f"{status} {page.get('msg', '')}".strip())
    location = page["location"]
    level = str(location.get("level") or "")
    return Answer(float(location["lat"]), float(location["lon"]), DATUM, address, level,
                  LEVELS.get(level, "street"))
