"""Baidu Maps geocoding v3 through geopy's BaiduV3: answers in BD-09.

Request and answer as documented at
https://lbsyun.baidu.com/docs/webapi?title=geocoding%2Fguide%2Fwebservice-geocoding-base:
GET /geocoding/v3/?address=…&output=json&ak=… →
{"status": 0, "result": {"location": {"lng": …, "lat": …}, "precise": 1, "confidence": 80,
 "comprehension": 100, "level": "门址"}}. An address it cannot place comes back as
{"status": 1, "msg": "Internal Service Error:无相关结果", "results": []} (seen in the wild, e.g.
https://github.com/badbye/baidumap/pull/6), which geopy would take for a server error.
"""

from geopy.exc import GeocoderAuthenticationFailure, GeocoderQuotaExceeded, GeocoderServiceError
from geopy.geocoders import BaiduV3

from locator.geocoding.results import Answer
from locator.geocoding.service import geopy_options, tiers
from locator.geocoding.settings import GeocoderSettings

# Administrative and road levels say how coarse the point is; any other level is a kind of place
# (门址, 商务大厦, 教育…), exact when Baidu says it placed it precisely (precise = 1).
LEVELS = tiers(
    street=("道路", "交叉路口", "村庄"),
    district=("区县", "乡镇", "商圈", "工业园区"),
    city=("国家", "省", "城市"),
)


class _BaiduV3(BaiduV3):
    """geopy's BaiduV3 at our base URL, with Baidu's status codes read as documented."""

    def __init__(self, settings: GeocoderSettings):
        super().__init__(api_key=settings.key, **geopy_options(settings))
        # BaiduV3 has no `domain` argument: its URL is built here, from a fixed host.
        self.api = settings.url + self.api_path

    def _parse_json(self, page, exactly_one=True):
        """No result for 无相关结果; a key, quota or service error for any other status."""
        status = page.get("status")
        message = str(page.get("msg") or page.get("message") or "")
        if status == 1 and "无相关结果" in message:
            return None
        if status != 0:
            _raise(status, message)
        return super()._parse_json(page, exactly_one)


def lookup(address: str, settings: GeocoderSettings) -> Answer | None:
    """Baidu's geocode for the address, or None when it has none."""
    location = _BaiduV3(settings).geocode(address)
    if location is None:
        return None
    raw = location.raw
    level = str(raw.get("level") or "")
    precision = LEVELS.get(level) or ("exact" if raw.get("precise") == 1 else "street")
    # Baidu's geocoding answer has no formatted address: the label is the address we asked.
    return Answer(location.latitude, location.longitude, "bd09", address, level, precision)


def _raise(status, message: str) -> None:
    """The geopy exception for a Baidu status: 2xx and 3, 5, 101, 102 are the key's; 4, 3xx,
    4xx its quota or concurrency (服务状态码 in the same documentation)."""
    detail = f"{status} {message}".strip()
    code = status if isinstance(status, int) else -1
    if code in (3, 5, 101, 102) or 200 <= code < 300:
        raise GeocoderAuthenticationFailure(detail)
    if code == 4 or 300 <= code < 500:
        raise GeocoderQuotaExceeded(detail)
    raise GeocoderServiceError(detail)
