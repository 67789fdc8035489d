"""Traditional Chinese (zh-Hant): chosen by ?lang=, the cookie or Accept-Language (q-values and
mixed lists), every public page and state in it, the manifest, the offline page and worker,
the map shell, hours in words; the console stays in Simplified Chinese and English."""

import html
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import opencc
import pytest

from tests.admin_support import TOKEN, console_app
from tests.factories import load, row
from tests.web.test_views import assert_safe

MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ORIGIN = {"lat": "22.5281", "lon": "113.0310"}
HANT = {"lang": "zh-Hant"}
S2HK = opencc.OpenCC("s2hk")


@pytest.fixture
def app(db_path):
    """Two nursing rooms (one open now), a landmark and a far bus stop, named in characters
    that Simplified and Traditional write alike (so a page's text shows the interface's
    script, not the data's); CSRF on, the clock on a Monday morning."""
    load(db_path,
         row(1, name="天河", lat="22.5290", lon="113.0310", amenities="crib;changing_table",
             floor="2F", opening_hours="Mo-Fr 08:30-17:30"),
         row(2, name="大同", lat="22.5300", lon="113.0310", opening_hours="Sa-Su 09:00-17:00"),
         row(4, category="landmark", name="中山", name_en="Zhongshan", lat="22.520979",
             lon="113.040056"),
         row(5, category="bus_stop", name="石山", lat="22.7000", lon="113.2000"))
    return console_app(db_path, CLOCK=lambda: MONDAY_10)


def lang_of(client, **headers) -> str:
    """The <html lang> of the start page for these request headers."""
    return re.search(r'<html lang="([^"]+)">', client.get("/", headers=headers).text).group(1)


def visible_text(page: str) -> str:
    """The page's words: scripts, the language switch and tags removed."""
    page = re.sub(r"<script.*?</script>|<nav class=\"langs\".*?</nav>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def assert_traditional(page: str) -> None:
    """The page is zh-Hant, offers 简 and EN, and no Simplified-only character is on it."""
    assert '<html lang="zh-Hant">' in page
    switch = re.search(r'<nav class="langs".*?</nav>', page, re.S).group(0)
    assert 'aria-current="true">繁</span>' in switch
    assert re.search(r'href="[^"]*lang=zh"[^>]*>简</a>', switch)
    assert re.search(r'href="[^"]*lang=en"[^>]*>EN</a>', switch)
    words = visible_text(page)
    assert S2HK.convert(words) == words, [
        (a, b) for a, b in zip(words, S2HK.convert(words), strict=True) if a != b]


# -- negotiation --------------------------------------------------------------------------------

@pytest.mark.parametrize(("accept", "lang"), [
    ("zh-HK", "zh-Hant"), ("zh-MO", "zh-Hant"), ("zh-TW", "zh-Hant"), ("zh-Hant", "zh-Hant"),
    ("zh-Hant-HK", "zh-Hant"), ("zh-hant-tw", "zh-Hant"), ("zh_HK", "zh-Hant"),
    ("yue-HK", "zh-Hant"),
    ("zh-CN", "zh-CN"), ("zh-SG", "zh-CN"), ("zh", "zh-CN"), ("zh-Hans", "zh-CN"),
    ("zh-Hans-HK", "zh-CN"), ("zh-Hans-CN", "zh-CN"),
    ("en-US,en", "en"), ("fr-FR", "zh-CN"), ("", "zh-CN"),
    # q-values and mixed lists: the most preferred language we have, ties in their order
    ("zh-CN;q=0.5, zh-HK;q=0.8", "zh-Hant"), ("zh-HK;q=0.3, en;q=0.7", "en"),
    ("en;q=0.2, zh-TW", "zh-Hant"), ("fr-FR, zh-HK;q=0.9, en;q=0.8", "zh-Hant"),
    ("de, *;q=0.5", "zh-CN"), ("ja, en-GB;q=0.9, zh-Hant;q=0.9", "en"),
    ("zh-TW;q=0, zh-CN", "zh-CN"), ("zh-TW, zh;q=0.9, en;q=0.8", "zh-Hant"),
    ("en-US, zh-HK;q=0.9", "en"), ("zh-Hans;q=0.9, zh-Hant", "zh-Hant"),
])
def test_accept_language(client, accept, lang):
    assert lang_of(client, **{"Accept-Language": accept}) == lang


def test_the_query_then_the_cookie_then_accept_language(client):
    assert lang_of(client, **{"Accept-Language": "en"}) == "en"
    answer = client.get("/", query_string=HANT, headers={"Accept-Language": "en"})
    assert re.search(r"lang=zh-Hant;.*Max-Age=31536000", answer.headers["Set-Cookie"])
    assert lang_of(client, **{"Accept-Language": "en"}) == "zh-Hant"  # the cookie wins
    assert 'lang="zh-CN"' in client.get("/?lang=zh").text  # the query beats the cookie
    assert lang_of(client, **{"Accept-Language": "zh-HK"}) == "zh-CN"  # …and is kept
    assert 'lang="zh-CN"' in client.get("/?lang=zh-hant").text  # unknown codes are ignored


def test_the_console_stays_simplified_for_a_traditional_visitor(client):
    for ask in ({"query_string": HANT}, {"headers": {"Accept-Language": "zh-HK"}}):
        page = client.get("/admin/login", **ask).text
        assert '<html lang="zh-CN">' in page and "登录" in page, ask
    client.get("/", query_string=HANT)  # the cookie
    page = client.get("/admin/login").text
    assert '<html lang="zh-CN">' in page and "登录" in page and "登錄" not in page
    assert ">简<" not in page and ">繁<" not in page  # the console's switch: 中文 / English


# -- every page and state ----------------------------------------------------------------------

STATES = [  # (path, args, status, Traditional text)
    ("/", {}, 200, "你要找附近的什麼？"),
    ("/nearest", {"category": "nursing_room"}, 200, "你在哪裏？"),
    ("/nearest", {"category": "nursing_room", **ORIGIN}, 200, "附近的母嬰室"),
    ("/nearest", {"category": "bus_stop", **ORIGIN}, 200, "5 公里內沒有"),
    ("/nearest", {"category": "coach_stop", **ORIGIN}, 200, "目前數據中還沒有長途車站"),
    ("/nearest", {"category": "landmark", "amenity": "toilet", **ORIGIN}, 200,
     "沒有符合這些條件的地點。"),
    ("/nearest", {"q": "中山", "category": "nursing_room"}, 200, "從中山出發"),
    ("/nearest", {"q": "nowhere"}, 404, "找不到“nowhere”"),
    ("/nearest", {"lat": "x", "lon": "1"}, 400, "這個連結有誤"),
    ("/facilities/room-1", {}, 200, "本週開放時間"),
    ("/facilities/nope", {}, 404, "找不到這個地點"),
    ("/map", {}, 200, "全部地點地圖"),
    ("/facilities/room-1/report", {}, 200, "報告問題"),
    ("/facilities/room-1/report/thanks", {}, 200, "謝謝您！"),
    ("/suggest", {}, 200, "推薦新地點"),
    ("/suggest/thanks", {}, 200, "謝謝您！"),
    ("/offline", {}, 200, "您目前處於離線狀態。"),
]


@pytest.mark.parametrize(("path", "args", "status", "words"), STATES)
def test_every_page_and_state_in_traditional_chinese(client, path, args, status, words):
    answer = client.get(path, query_string={**args, **HANT})
    assert answer.status_code == status, answer.text[:300]
    assert words in visible_text(answer.text)
    assert_traditional(answer.text)
    assert_safe(answer.text)


def test_cards_hours_and_routes_read_in_traditional_chinese(client):
    page = visible_text(client.get("/nearest", query_string={
        "category": "nursing_room", **ORIGIN, **HANT}).text)
    for words in ("正在開放", "17:30 關門", "步行約", "用高德地圖導航", "嬰兒牀", "換尿片枱"):
        assert words in page, words
    facility = visible_text(client.get("/facilities/room-2", query_string=HANT).text)
    assert "週六 09:00 開門" in facility  # Babel's zh_Hant weekday, not 周六


def test_a_refused_report_says_why_in_traditional_chinese(client):
    path = "/facilities/room-1/report?lang=zh-Hant"
    token = TOKEN.search(client.get(path).text).group(1)
    answer = client.post(path, data={"csrf_token": token, "website": ""})
    assert answer.status_code == 400
    error = re.search(r'<p class="field-error" id="kind-error"[^>]*>([^<]*)</p>', answer.text)
    assert "請選擇問題類型" in error.group(1)
    assert_traditional(answer.text)


def test_the_language_switch_keeps_the_query(client):
    page = client.get("/nearest", query_string={"category": "landmark", **ORIGIN, **HANT}).text
    links = dict(re.findall(r'href="([^"]+)" data-lang="([^"]+)"', page))
    by_lang = {lang: set(href.split("?")[1].split("&amp;")) for href, lang in links.items()}
    query = {"lat=22.5281", "lon=113.0310", "category=landmark"}
    assert by_lang == {"zh": query | {"lang=zh"}, "en": query | {"lang=en"}}
    english = client.get("/nearest", query_string={"category": "landmark", "lang": "en"}).text
    assert re.search(r'href="[^"]*lang=zh-Hant"[^>]*hreflang="zh-Hant"[^>]*>繁</a>', english)


# -- installed app, offline, map ---------------------------------------------------------------

def test_the_manifest_in_traditional_chinese(client):
    manifest = json.loads(client.get("/manifest.webmanifest", query_string=HANT).data)
    assert (manifest["name"], manifest["short_name"]) == ("新會設施搜尋", "設施搜尋")
    assert manifest["lang"] == "zh-Hant" and manifest["start_url"] == "/?lang=zh-Hant"
    assert "離線" in manifest["description"]


def test_the_worker_keeps_the_offline_page_in_each_language(client):
    script = client.get("/sw.js").text
    config = json.loads(re.match(r"const CONFIG = (\{.*?\});\n", script).group(1))
    assert config["offline"] == {"zh": "/offline?lang=zh", "zh-Hant": "/offline?lang=zh-Hant",
                                 "en": "/offline?lang=en"}
    assert "/offline?lang=zh-Hant" in config["urls"]
    page = client.get("/", query_string=HANT).text
    assert 'data-lang="zh-Hant"' in page  # the page tells the worker its language


def test_the_offline_page_carries_traditional_words(client):
    page = client.get("/offline", query_string=HANT).text
    data = json.loads(re.search(r'id="offline-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert data["lang"] == "zh-Hant"
    assert data["words"]["data_from"] == "離線 — 數據來自 %(date)s"
    assert ["nursing_room", "母嬰室"] in data["categories"]
    assert data["weekdays"][0] == "週一"


def test_the_map_shell_names_the_categories_in_traditional_chinese(client):
    page = client.get("/map", query_string=HANT).text
    shell = re.search(r'"(/map/shell/overview\.zh-Hant\.[0-9a-f]+\.js)"', page).group(1)
    answer = client.get(shell)
    assert answer.status_code == 200
    assert json.dumps("長途車站") in answer.text  # the layer control's name, JSON-escaped
    assert client.get(shell.replace("zh-Hant", "zh-Hans")).status_code == 404


def test_traditional_pages_use_the_phones_own_traditional_fonts(client):
    with client.get("/static/css/site.css") as answer:
        css = answer.text
    rule = re.search(r"body:lang\(zh-Hant\) \{(.*?)\}", css, re.S).group(1)
    fonts = [f.strip().strip('"') for f in rule.split(":", 1)[1].rstrip("; \n").split(",")]
    traditional = [fonts.index(f) for f in ("PingFang HK", "PingFang TC", "Noto Sans CJK TC",
                                             "Microsoft JhengHei")]
    simplified = [fonts.index(f) for f in ("PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei")]
    assert max(traditional) < min(simplified), fonts
    assert "@font-face" not in css  # nothing to download


def test_a_suggestion_with_hours_as_the_traditional_hint_writes_them(client):
    page = client.get("/suggest", query_string=HANT).text
    assert "例如：週一至週五 8:30-17:30" in page  # the hint, as s2hk writes it
    answer = client.post("/suggest?lang=zh-Hant", data={
        "csrf_token": TOKEN.search(page).group(1), "website": "", "category": "nursing_room",
        "name": "新的母嬰室", "lat": "22.53", "lon": "113.04",
        "opening_hours": "週一至週五 8:30-17:30"})
    assert answer.status_code == 303, visible_text(answer.text)
