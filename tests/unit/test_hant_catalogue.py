"""The Traditional Chinese catalogues: made by bench/hant_catalogue.py and current, in Hong Kong
words for the key terms (a glossary), with no Simplified character left over."""

import os

import pytest
from babel.messages.pofile import read_po

from bench import hant_catalogue
from locator.core.catalogue import translate

# Key terms as a Hong Kong or Macau visitor reads them: (msgid, what its translation says).
# 搜尋, not 搜索 or 查找 (gov.hk and Hong Kong's search pages say 搜尋); 資訊, 連結, 設定,
# 洗手間, 換尿片枱 as Hong Kong says them; 母嬰室 and 公交站 as the signs in Xinhui say.
GLOSSARY = [
    ("Nursing rooms", "母嬰室"), ("Coach stops", "長途車站"), ("Bus stops", "公交站"),
    ("Landmarks", "地標"), ("Navigate with %(app)s", "導航"),
    ("Opening hours this week", "開放時間"), ("Places near you", "附近"),
    ("Equipment", "設施"), ("Map", "地圖"), ("Search", "搜尋"), ("Suggestions", "搜尋建議"),
    ("Search near a place", "按地點搜尋"), ("Xinhui facility finder", "新會設施搜尋"),
    ("Open now", "正在開放"), ("Closed now", "現在關閉"), ("Closing soon", "即將關門"),
    ("Use my location", "使用我的位置"), ("Details", "詳情"), ("Floor", "樓層"),
    ("Routes", "線路"), ("Phone", "電話"), ("Changing table", "換尿片枱"),
    ("Crib", "嬰兒牀"), ("Toilet", "洗手間"), ("Wheelchair accessible", "無障礙"),
    ("Real-time arrivals", "實時到站資訊"), ("Water dispenser", "飲水機"),
    ("Ticket office", "售票處"), ("Waiting room", "候車室"), ("By car", "駕車"),
    ("about %(n)s min walk", "步行約 %(n)s 分鐘"), ("%(n)s km", "%(n)s 公里"),
    ("Report a problem", "報告問題"), ("Suggest a place", "推薦新地點"),
    ("Copy this link:", "連結"), ("This link has a mistake", "連結"),
    ("You are offline.", "離線"), ("Language", "語言"), ("Spring Festival", "春節"),
    ("National Day", "國慶節"), ("make-up working day", "調休上班"),
    ("AMap", "高德地圖"), ("Open to the public", "對公眾開放"),
]
# Mainland words that Hong Kong says otherwise: none may be left in the catalogues.
MAINLAND_WORDS = ("搜索", "查找", "信息", "鏈接", "設置", "短信", "衞生間", "地址欄", "圖標",
                  "菜單", "導入", "導出")


def hant_strings() -> list[str]:
    """Every translation in the Traditional catalogues."""
    found = []
    for domain in hant_catalogue.DOMAINS:
        path = os.path.join(hant_catalogue.TRANSLATIONS, "zh_Hant", "LC_MESSAGES",
                            f"{domain}.po")
        with open(path, "rb") as fh:
            for message in read_po(fh, locale="zh_Hant"):
                if message.id:
                    strings = message.string
                    found += strings if isinstance(strings, tuple) else [strings]
    return found


@pytest.mark.parametrize("domain", hant_catalogue.DOMAINS)
def test_the_traditional_catalogue_is_what_the_script_makes(domain):
    target, body = hant_catalogue.made(domain, hant_catalogue.converter())
    with open(target, "rb") as fh:
        assert fh.read() == body, f"{target} is stale: run `make hant`"


def test_the_glossary_has_thirty_key_terms_in_hong_kong_words():
    assert len(GLOSSARY) >= 30
    wrong = {msgid: (translate(msgid, "zh-Hant"), term) for msgid, term in GLOSSARY
             if term not in translate(msgid, "zh-Hant")}
    assert not wrong, wrong


def test_no_mainland_word_and_no_simplified_character_is_left():
    cc = hant_catalogue.converter()
    strings = hant_strings()
    assert len(strings) > 300
    for text in strings:
        assert not [w for w in MAINLAND_WORDS if w in text], text
        assert cc.convert(text) == text, text  # nothing left for s2hk to convert
