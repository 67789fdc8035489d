"""AMap (高德) Web service geocoding: answers in GCJ-02.

Request and answer as documented at https://lbs.amap.com/api/webservice/guide (地理编码):
GET /v3/geocode/geo?address=…&key=…[&city=…] →
{"status": "1", "info": "OK", "infocode": "10000", "count": "1",
 "geocodes": [{"formatted_address": …, "location": "lon,lat", "level": "门牌号", …}]};
status "0" with an infocode on failure (the infocode table, e.g. as mirrored at
https://mapsplatform.opnavi.com/api/web-service/tools/info).
"""

from geopy.exc import GeocoderAuthenticationFailure, GeocoderQuotaExceeded, GeocoderServiceError

from locator.geocoding.results import Answer
from locator.geocoding.service import JsonService, tiers
from locator.geocoding.settings import GeocoderSettings

PATH = "/v3/geocode/geo"
# The level list of the same page (extended 2023-12-07, https://lbs.amap.com/news/geocoder_api).
# 未知 ("a POI of unconfirmed level") and any level added later count as street: checked by hand.
LEVELS = tiers(
    exact=("门牌号", "单元号", "楼层", "房间", "门址", "兴趣点", "公交地铁站点", "住宅区"),
    street=("道路", "道路交叉路口", "小巷", "村庄"),
    district=("区县", "开发区", "乡镇", "热点商圈"),
    city=("国家", "省", "市"),
)
# infocodes: the key is wrong or not allowed here / the key's quota or rate is used up.
KEY_CODES = {"10001", "10002", "10005", "10006", "10007", "10008", "10009", "10012", "10013"}
QUOTA_CODES = {"10003", "10004", "10010", "10014", "10019", "10020", "10021", "10029", "10044",
               "10045"}


def lookup(address: str, settings: GeocoderSettings) -> Answer | None:
    """AMap's first geocode for the address, or None when it has none."""
    params = {"address": address, "key": settings.key, "output": "JSON"}
    if settings.city:
        params["city"] = settings.city
    return JsonService(settings).get(PATH, params, lambda page: _parse(page, address))


def _parse(page: dict, address: str) -> Answer | None:
    """The first of `geocodes`; status "0" raises the geopy error its infocode means."""
    if str(page.get("status")) != "1":
        _raise(str(page.get("infocode", "")), str(page.get("info", "")))
    geocodes = page.get("geocodes") or []
    if not geocodes:
        return None
    first = geocodes[0]
    lon, lat = (float(part) for part in first["location"].split(","))
    # Empty fields come as [] rather than "" in AMap's JSON.
    level = first.get("level") or ""
    label = first.get("formatted_address") or address
    return Answer(lat, lon, "gcj02", str(label), str(level), LEVELS.get(level, "street"))


def _raise(infocode: str, info: str) -> None:
    """The geopy exception for an AMap infocode."""
    detail = f"{infocode} {info}".strip()
    if infocode in KEY_CODES:
        raise GeocoderAuthenticationFailure(detail)
    if infocode in QUOTA_CODES:
        raise GeocoderQuotaExceeded(detail)
    raise GeocoderServiceError(detail)
