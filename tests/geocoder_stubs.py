"""Stub geocoding services on 127.0.0.1, one a provider, answering in its documented format.

Each stub knows a few addresses (PLACES) and what to do for each; it logs every request it gets
(monotonic arrival time, path, query) so that tests read what was asked and how fast.
The formats are the ones locator/geocoding/<provider>.py quotes and cites.
"""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from locator.core.geo import wgs84_to_bd09, wgs84_to_gcj02

# Xinhui: the district government on Huicheng (WGS-84), and the district's centre.
HOUSE = (22.51906, 113.03415)
CENTRE = (22.4583, 113.0335)


@dataclass(frozen=True)
class Place:
    """What a stub does for one address: found (finely or at district level), or a failure."""

    outcome: str  # found | district | none | quota | badkey | error | slow
    point: tuple[float, float] = HOUSE  # WGS-84 truth; each stub answers in its own datum


PLACES = {
    "江门市新会区会城今古洲路1号": Place("found", HOUSE),
    "江门市新会区": Place("district", CENTRE),
    "江门市新会区不存在路999号": Place("none"),
    "配额用完": Place("quota"),
    "钥匙错误": Place("badkey"),
    "服务出错": Place("error"),
    "很慢的地址": Place("slow"),
}

PATHS = {"amap": "/v3/geocode/geo", "baidu": "/geocoding/v3/", "tianditu": "/geocoder",
         "nominatim": "/search"}


def asked_address(provider: str, query: dict) -> str:
    """The address a request asks for, wherever its provider puts it."""
    if provider == "tianditu":
        return json.loads(query["ds"])["keyWord"]
    return query["q" if provider == "nominatim" else "address"]


def amap_answer(place: Place, address: str) -> tuple[int, object]:
    """AMap: GCJ-02 "lon,lat" in geocodes[0].location; status "0" and an infocode on failure."""
    if place.outcome == "none":
        return 200, {"status": "1", "info": "OK", "infocode": "10000", "count": "0",
                     "geocodes": []}
    if place.outcome == "quota":
        return 200, {"status": "0", "info": "DAILY_QUERY_OVER_LIMIT", "infocode": "10003"}
    if place.outcome == "badkey":
        return 200, {"status": "0", "info": "INVALID_USER_KEY", "infocode": "10001"}
    lat, lon = wgs84_to_gcj02(*place.point)
    level = "区县" if place.outcome == "district" else "门牌号"
    return 200, {"status": "1", "info": "OK", "infocode": "10000", "count": "1", "geocodes": [{
        "formatted_address": "广东省江门市" + address.removeprefix("江门市"),
        "country": "中国", "province": "广东省", "city": "江门市", "district": "新会区",
        "township": [], "street": [], "number": [], "citycode": "0750", "adcode": "440705",
        "location": f"{lon:.6f},{lat:.6f}", "level": level}]}


def baidu_answer(place: Place, address: str) -> tuple[int, object]:
    """Baidu: BD-09 result.location; status 1 无相关结果 when nothing matches."""
    if place.outcome == "none":
        return 200, {"status": 1, "msg": "Internal Service Error:无相关结果", "results": []}
    if place.outcome == "quota":
        return 200, {"status": 302, "message": "天配额超限，限制访问"}
    if place.outcome == "badkey":
        return 200, {"status": 200, "message": "APP不存在，AK有误请检查再重试"}
    lat, lon = wgs84_to_bd09(*place.point)
    district = place.outcome == "district"
    return 200, {"status": 0, "result": {
        "location": {"lng": lon, "lat": lat}, "precise": 0 if district else 1,
        "confidence": 20 if district else 80, "comprehension": 100,
        "level": "区县" if district else "门址"}}


def tianditu_answer(place: Place, address: str) -> tuple[int, object]:
    """Tianditu: location.lon/lat (strings, as in its example); status 101 for no result."""
    if place.outcome == "none":
        return 200, {"msg": "无结果", "searchVersion": "6.4.9V", "status": "101"}
    if place.outcome == "quota":
        return 200, {"msg": "访问次数超限", "searchVersion": "6.4.9V", "status": "404"}
    if place.outcome == "badkey":
        return 403, {"msg": "权限类型错误", "code": 1}
    lat, lon = place.point
    level = "区县" if place.outcome == "district" else "地名地址"
    return 200, {"msg": "ok", "searchVersion": "6.4.9V", "status": "0", "location": {
        "lon": f"{lon:.6f}", "lat": f"{lat:.6f}", "level": level, "score": 100,
        "keyWord": address}}


def nominatim_answer(place: Place, address: str) -> tuple[int, object]:
    """Nominatim: a JSON array of places, [] when nothing matches; 429 over the usage policy."""
    if place.outcome == "none":
        return 200, []
    if place.outcome == "quota":
        return 429, {"error": "Too Many Requests"}
    if place.outcome == "badkey":
        return 403, {"error": "Access blocked"}
    lat, lon = place.point
    district = place.outcome == "district"
    return 200, [{
        "place_id": 1, "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
        "osm_type": "relation" if district else "node", "osm_id": 1,
        "lat": f"{lat:.7f}", "lon": f"{lon:.7f}",
        "class": "boundary" if district else "amenity",
        "type": "administrative" if district else "townhall",
        "addresstype": "district" if district else "amenity", "importance": 0.4,
        "display_name": address, "boundingbox": [str(lat), str(lat), str(lon), str(lon)]}]


ANSWERS = {"amap": amap_answer, "baidu": baidu_answer, "tianditu": tianditu_answer,
           "nominatim": nominatim_answer}


class StubGeocoder:
    """One provider's stub server in a thread; `with StubGeocoder("amap") as stub: stub.url`.

    delay_s: every answer waits this long (a provider's own latency, for benchmarks).
    Unknown addresses are found at HOUSE; the `slow` place waits past any client timeout.
    """

    def __init__(self, provider: str, delay_s: float = 0.0, places: dict | None = None):
        self.provider, self.delay_s = provider, delay_s
        self.places = PLACES if places is None else places
        self.requests: list[tuple[float, str, dict]] = []
        self._release = threading.Event()  # ends slow answers at once when the stub stops
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # A short poll: shutdown() waits up to one poll interval (0.5 s by default, per stub).
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)

    @property
    def url(self) -> str:
        """The base URL to give as LOCATOR_GEOCODER_URL."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def arrivals(self) -> list[float]:
        """When each request arrived (time.monotonic)."""
        return [at for at, _path, _query in self.requests]

    def __enter__(self) -> "StubGeocoder":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def answer(self, path: str, query: dict) -> tuple[int, object]:
        """Status and JSON body for one request."""
        if path != PATHS[self.provider]:
            return 404, {"error": f"no such path {path}"}
        place = self.places.get(asked_address(self.provider, query), Place("found"))
        if place.outcome == "error":
            return 500, {"error": "internal error"}
        if place.outcome == "slow":
            self._release.wait(30)
        return ANSWERS[self.provider](place, asked_address(self.provider, query))

    def _handler(self):
        """The request handler class, bound to this stub."""
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                stub.requests.append((time.monotonic(), parts.path, query))
                if stub.delay_s:
                    time.sleep(stub.delay_s)
                status, body = stub.answer(parts.path, query)
                data = json.dumps(body, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout) before the slow answer

            def log_message(self, *args):
                pass

        return Handler
