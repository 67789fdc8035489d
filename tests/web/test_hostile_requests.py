"""What a visitor controls in a request (query, Host, page numbers, redirect targets, proxy
headers) never gives a 500, a foreign link or a spoofed address."""

import dataclasses
import json
import re
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from locator import create_app
from locator.public.pages import PAGE_PARAMETERS
from locator.search.params import NearestParams
from locator.store import Store
from tests.admin_support import (
    PASSWORD,
    USER,
    console_app,
    english,
    login,
    make_admin,
    signed_in,
    token,
)
from tests.factories import load, row

POISON_HOST = "poison.example"
LANG_SWITCH = re.compile(r'class="lang-switch" href="([^"]*)"')
PUBLIC_PAGES = ["/", "/nearest", "/nearest?lat=22.5&lon=113", "/map", "/facilities/room-1",
                "/facilities/nope", "/nope", "/nearest?lat=north"]
ADMIN_PAGES = ["/admin/", "/admin/audit", "/admin/upload", "/admin/history",
               "/admin/history/1/rollback", "/admin/facilities", "/admin/facilities/room-1/edit",
               "/admin/nope"]
# Names that url_for() reads as its own options, names of its parameters, and page parameters.
ARG_NAMES = st.one_of(
    st.sampled_from(["_anchor", "_method", "_scheme", "_external", "endpoint", "values",
                     "filename", "lang", "page", "next", "lat", "lon", "q", "category",
                     "facility_id", "number", "unverified", "open_now", "amenity"]),
    st.text(max_size=12))
QUERIES = st.lists(st.tuples(ARG_NAMES, st.text(max_size=24)), max_size=5)


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """A console with more than a page of facilities and of audit entries, and two versions."""
    db_path = str(tmp_path_factory.mktemp("hostile") / "locator.sqlite")
    load(db_path, row(1))
    load(db_path, *(row(i) for i in range(1, 61)))
    make_admin(db_path)
    store = Store(db_path)
    for _ in range(60):
        store.audit.record("login_failed", "nobody", "192.0.2.1")
    store.close()
    return console_app(db_path)


@pytest.fixture(scope="module")
def admin_client(console):
    """A client signed in to the console."""
    return signed_in(console)


def assert_sound(response) -> None:
    """Not a server error; any language link is a relative path that names no host."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    body = response.get_data(as_text=True)
    assert POISON_HOST not in body
    for link in LANG_SWITCH.findall(body):
        assert link.startswith("/") and not link.startswith("//"), link
    response.close()


@pytest.mark.parametrize("query", [
    "_anchor=x", "_method=POST", "endpoint=x", "_scheme=x&_external=1", "_external=1",
    "values=1", "lat=x&_anchor=y"])
@pytest.mark.parametrize("path", PUBLIC_PAGES + ADMIN_PAGES)
def test_url_for_options_in_the_query_are_plain_arguments(console, admin_client, path, query):
    glue = "&" if "?" in path else "?"
    assert_sound(admin_client.get(f"{path}{glue}{query}", headers={"Host": POISON_HOST}))


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.sampled_from(PUBLIC_PAGES + ADMIN_PAGES + ["/admin/login"]), query=QUERIES)
def test_no_query_argument_gives_a_500_or_echoes_the_host(console, admin_client, path, query):
    client = admin_client if path != "/admin/login" else english(console.test_client())
    path, _, own = path.partition("?")
    args = MultiDict([tuple(pair.split("=")) for pair in own.split("&") if pair] + query)
    assert_sound(client.get(path, query_string=args, headers={"Host": POISON_HOST}))


@pytest.mark.parametrize(("path", "kept"), [
    ("/nearest?lat=22.5&lon=113&category=nursing_room&amenity=crib&open_now=1&limit=3"
     "&radius_m=900&access=public&_anchor=x&junk=1",
     {"lat=22.5", "lon=113", "category=nursing_room", "amenity=crib", "open_now=1", "limit=3",
      "radius_m=900", "access=public"}),
    ("/nearest?q=%E6%99%AF%E5%A0%82&_external=1", {"q=%E6%99%AF%E5%A0%82"}),
    ("/map?category=landmark&endpoint=x", {"category=landmark"}),
    # A facility page keeps the results list's query it came with (distance, breadcrumb).
    ("/facilities/room-1?category=landmark&lat=22.5&lon=113&_anchor=x",
     {"category=landmark", "lat=22.5", "lon=113"}),
    ("/admin/facilities?category=nursing_room&q=room&unverified=1&page=2&_method=POST",
     {"category=nursing_room", "q=room", "unverified=1", "page=2"}),
    ("/admin/audit?page=2&_scheme=https", {"page=2"}),
])
def test_the_language_link_keeps_the_pages_own_parameters_only(admin_client, path, kept):
    body = admin_client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    link = LANG_SWITCH.search(body).group(1).replace("&amp;", "&")
    target, _, query = link.partition("?")
    assert target == path.split("?")[0]
    assert set(query.split("&")) == kept | {"lang=zh"}


def test_the_nearest_pages_known_parameters_are_the_checkers():
    checked = {f.name for f in dataclasses.fields(NearestParams)} - {"amenities"} | {"amenity"}
    # near=centre: the page's own mark of a list searched from the district's centre.
    assert set(PAGE_PARAMETERS["views.nearest"]) == checked | {"near"}


def test_pagination_links_keep_the_filters_only(admin_client):
    body = admin_client.get("/admin/facilities?q=room&page=1&_anchor=x").get_data(as_text=True)
    assert 'href="/admin/facilities?q=room&amp;page=2"' in body


# -- page numbers -------------------------------------------------------------------------------

HUGE = ["9223372036854775807", "9223372036854775808", "-9223372036854775809", "1" * 400]


@pytest.mark.parametrize("number", HUGE)
@pytest.mark.parametrize("path", ["/admin/audit", "/admin/facilities"])
def test_a_huge_page_number_shows_the_last_page(admin_client, path, number):
    response = admin_client.get(path, query_string={"page": number},
                                headers={"Accept-Language": "en"})
    assert response.status_code == 200
    last = "Page 1 of 2" if number.startswith("-") else "Page 2 of 2"
    assert last in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/history/{}.csv", "/admin/history/{}/rollback"])
@pytest.mark.parametrize("number", HUGE[:2] + ["0"])
def test_a_huge_version_number_is_not_found(admin_client, path, number):
    assert admin_client.get(path.format(number)).status_code == 404


# -- redirect targets ---------------------------------------------------------------------------

CONTROL = ["\r\n", "\n", "\r", "\t", "\x00", "\x7f", "\x85"]


@pytest.mark.parametrize("char", CONTROL[:3])
def test_a_line_break_in_next_signs_in_and_goes_to_the_dashboard(console, char):
    client = english(console.test_client())
    response = client.post("/admin/login", data={
        "username": USER, "password": PASSWORD, "next": f"/admin/history{char}Set-Cookie: x=1",
        "csrf_token": token(client)})
    assert response.status_code == 302 and response.location == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("target", [
    *(f"/admin/{c}history" for c in CONTROL), "/admin/..", "/admin/%2e%2E/x",
    "/admin/./history", "/admin/../elsewhere", "/adminx", "/\t/evil.example/admin/",
    "//evil.example/admin/", "/\\evil.example/admin/", "https://evil.example/admin/", ""])
def test_next_is_a_plain_path_in_the_console_or_the_dashboard(admin_client, target):
    response = admin_client.get("/admin/login", query_string={"next": target})
    assert response.status_code == 302 and response.location == "/admin/"


@pytest.mark.parametrize("target", ["/admin", "/admin/history", "/admin/facilities?q=中&page=2"])
def test_next_within_the_console_is_followed(admin_client, target):
    response = admin_client.get("/admin/login", query_string={"next": target})
    assert response.status_code == 302
    assert urllib.parse.unquote(response.location) == target


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.one_of(st.text(max_size=40), st.text(max_size=30).map("/admin/".__add__)))
def test_any_next_redirects_within_the_console(admin_client, target):
    response = admin_client.get("/admin/login", query_string={"next": target})
    assert response.status_code == 302
    location = urllib.parse.urlsplit(response.location)
    assert not location.scheme and not location.netloc
    assert location.path == "/admin" or location.path.startswith("/admin/")


@pytest.mark.parametrize("back", ["/admin/facilities?q=room-1\r\nX-Evil: 1",
                                  "/admin/facilities/../../elsewhere", "/admin/facilitiesx"])
def test_verify_goes_back_to_the_list_only(console, admin_client, back):
    verify = "/admin/facilities/room-2/verify"
    response = admin_client.post(verify, data={"back": back, "confirmed": "1",
                                                "csrf_token": token(admin_client, "/admin/")})
    assert response.status_code == 302 and response.location == "/admin/facilities"


def test_verify_goes_back_to_the_filtered_list(admin_client):
    back = "/admin/facilities?q=room-3&page=1"
    response = admin_client.post("/admin/facilities/room-3/verify", data={
        "back": back, "confirmed": "1", "csrf_token": token(admin_client, "/admin/")})
    assert response.status_code == 302 and response.location == back


# -- the Host header ----------------------------------------------------------------------------

BAD_HOSTS = ["a" * 64 + ".example", "a..b"]
HOST_PAGES = ["/", "/nearest?lat=22.5&lon=113", "/nope", "/admin/", "/admin/login",
              "/admin/audit?page=2"]


def assert_error_page(response, status: int = 400) -> None:
    """A plain HTML error page with every security header."""
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert "<h1>400</h1>" in response.get_data(as_text=True)
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    response.close()


@pytest.mark.parametrize("host", BAD_HOSTS)
@pytest.mark.parametrize("path", HOST_PAGES)
def test_an_invalid_host_gets_a_400_page_with_the_security_headers(console, path, host):
    assert_error_page(console.test_client().get(path, headers={"Host": host}))


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(host=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80),
       path=st.sampled_from(HOST_PAGES))
def test_no_host_header_gives_a_500(console, host, path):
    response = console.test_client().get(path, headers={"Host": host})
    if response.status_code == 400:
        assert_error_page(response)
    else:
        assert_sound(response)


def test_an_invalid_host_on_a_console_post_gets_a_400_page(console, admin_client):
    response = admin_client.post("/admin/logout", data={"csrf_token": "x"},
                                 headers={"Host": "a..b"})
    assert_error_page(response)
    assert admin_client.get("/admin/").status_code == 200  # nothing happened


@pytest.mark.parametrize("host", BAD_HOSTS[:2])
def test_an_invalid_host_on_the_api_gets_a_json_400(console, host):
    response = console.test_client().get("/api/nearest?lat=22.5&lon=113", headers={"Host": host})
    assert response.status_code == 400 and response.get_json()["error"]["status"] == 400


@pytest.fixture
def trusting(db_path):
    """An app that serves locator.example and its subdomains only."""
    load(db_path, row(1))
    return console_app(db_path, TRUSTED_HOSTS=["locator.example", ".locator.example"])


@pytest.mark.parametrize("host", ["locator.example", "locator.example:8443", "www.locator.example"])
def test_a_trusted_host_is_served(trusting, host):
    assert trusting.test_client().get("/", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["localhost", "evil.example", "locator.example.evil.example"])
@pytest.mark.parametrize("path", HOST_PAGES)
def test_an_untrusted_host_gets_a_400_page(trusting, host, path):
    assert_error_page(trusting.test_client().get(path, headers={"Host": host}))


def test_trusted_hosts_come_from_the_environment(db_path, monkeypatch):
    monkeypatch.setenv("LOCATOR_TRUSTED_HOSTS", '["locator.example"]')
    client = create_app({"TESTING": True, "DATABASE": db_path}).test_client()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "locator.example"}).status_code == 503


def test_any_host_is_served_by_default(client):
    assert client.get("/", headers={"Host": "anything.example"}).status_code == 200


# -- behind a proxy -----------------------------------------------------------------------------

def proxied(db_path: str, proxies: int):
    """A console behind `proxies` trusted proxies, locking an address after 3 failed logins."""
    load(db_path, row(1))
    make_admin(db_path)
    return console_app(db_path, PROXY_COUNT=proxies, ADMIN_LOGIN_MAX_FAILURES_PER_ADDRESS=3)


def forwarding(app, forwarded_for: str):
    """A client (through the same proxy) whose requests carry this X-Forwarded-For."""
    client = english(app.test_client())
    client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client


def fail_logins(client, times: int) -> None:
    """Wrong passwords for different accounts: only the per-address limit applies."""
    for n in range(times):
        assert login(client, f"user{n}", "wrong password guess").status_code == 401


def audit_addresses(db_path: str) -> set[str]:
    """Every address in the audit log."""
    store = Store(db_path)
    try:
        return {e["address"] for e in store.audit.entries(per_page=1000) if e["address"]}
    finally:
        store.close()


def test_without_proxies_x_forwarded_for_is_ignored(db_path):
    app = proxied(db_path, 0)
    fail_logins(forwarding(app, "203.0.113.1"), 3)
    # Another claimed address, the same real one: still throttled.
    assert login(forwarding(app, "203.0.113.2")).status_code == 429
    assert audit_addresses(db_path) == {"127.0.0.1"}


def test_behind_one_proxy_each_forwarded_address_is_throttled_and_audited(db_path):
    app = proxied(db_path, 1)
    fail_logins(forwarding(app, "203.0.113.1"), 3)
    assert login(forwarding(app, "203.0.113.1")).status_code == 429
    assert login(forwarding(app, "203.0.113.2")).status_code == 302
    assert audit_addresses(db_path) == {"203.0.113.1", "203.0.113.2"}


def test_behind_one_proxy_a_client_cannot_choose_its_address(db_path):
    app = proxied(db_path, 1)
    # The client sends its own X-Forwarded-For; our proxy appends the address it saw.
    for n in range(3):
        client = forwarding(app, f"198.51.100.{n}, 203.0.113.9")
        assert login(client, f"user{n}", "wrong password guess").status_code == 401
    assert login(forwarding(app, "198.51.100.77, 203.0.113.9")).status_code == 429
    assert audit_addresses(db_path) == {"203.0.113.9"}


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forwarded_host_is_never_trusted(db_path, proxies):
    # Proxies pass the Host header on; X-Forwarded-Host would be the client's own word.
    load(db_path, row(1))
    app = console_app(db_path, PROXY_COUNT=proxies, TRUSTED_HOSTS=["locator.example"])
    response = app.test_client().get("/", headers={"Host": "locator.example",
                                                   "X-Forwarded-Host": "evil.example"})
    assert response.status_code == 200


# -- HSTS ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/api/facilities", "/admin/login", "/nope",
                                  "/static/css/site.css"])
def test_hsts_over_https_only(client, path):
    secure = client.get(path, base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    plain = client.get(path)
    assert "Strict-Transport-Security" not in plain.headers
    secure.close()
    plain.close()


def test_hsts_can_be_turned_off_or_shortened(db_path):
    for max_age, expected in ((0, None), (600, "max-age=600")):
        app = console_app(db_path, HSTS_MAX_AGE=max_age)
        response = app.test_client().get("/", base_url="https://localhost")
        assert response.headers.get("Strict-Transport-Security") == expected


@pytest.mark.parametrize(("proxies", "sent"), [(0, False), (1, True)])
def test_hsts_behind_a_tls_proxy_follows_the_forwarded_scheme(db_path, proxies, sent):
    app = proxied(db_path, proxies)
    response = app.test_client().get("/", headers={"X-Forwarded-Proto": "https",
                                                   "X-Forwarded-For": "203.0.113.1"})
    assert ("Strict-Transport-Security" in response.headers) is sent


# -- the overview map's data in shared caches ---------------------------------------------------

def points(client, query: str = "", **headers):
    """GET /map/points.json; the response (closed) and its nursing-room names."""
    response = client.get(f"/map/points.json{query}", headers=headers)
    response.close()
    return response, [p[3] for p in response.get_json()["nursing_room"]]


def test_the_map_page_names_its_language_in_the_data_url(client, db_path):
    load(db_path, row(1))
    for lang in ("zh", "en"):
        html = client.get(f"/map?lang={lang}").get_data(as_text=True)
        data = re.search(r'id="map-data"[^>]*>(.*?)</script>', html).group(1)
        assert re.fullmatch(rf"/map/points\.json\?lang={lang}&v=\d+", json.loads(data)["url"])


@pytest.mark.parametrize("query", ["?lang=en", "?lang=en&v=1"])
def test_points_named_by_language_do_not_vary_with_the_visitor(client, db_path, query):
    load(db_path, row(1))
    client.set_cookie("lang", "zh")
    response, names = points(client, query, **{"Accept-Language": "zh-CN"})
    assert names == ["Nursing room 1"]
    assert response.cache_control.public
    assert not {"accept-language", "cookie"} & {v.lower() for v in response.vary}
    assert "Set-Cookie" not in response.headers  # a shared cache must not hand it to others


@pytest.mark.parametrize("query", ["", "?lang=fr"])
def test_points_in_the_visitors_language_vary_with_it(client, db_path, query):
    load(db_path, row(1))
    english_, en_names = points(client, query, **{"Accept-Language": "en"})
    chinese, zh_names = points(client, query, **{"Accept-Language": "zh-CN"})
    assert (en_names, zh_names) == (["Nursing room 1"], ["母婴室1"])
    for response in (english_, chinese):
        assert {"accept-language", "cookie"} <= {v.lower() for v in response.vary}
