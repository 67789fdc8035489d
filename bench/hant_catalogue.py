"""Make the Traditional Chinese catalogues (locator/translations/zh_Hant/) from the Simplified
ones: OpenCC's s2hk (Hong Kong character forms), then the Hong Kong words where Hong Kong
says it differently from the mainland (HK_USAGE).

    python -m bench.hant_catalogue          # or: make hant

Every domain is converted (the public forms use some of admin.po's words too: 纬度, 经度);
the console itself stays in Simplified Chinese and English (locator/web/i18n.py answers a
zh-Hant visitor who opens it in Simplified).
Edit the Simplified .po files, then run this again: tests/unit/test_hant_catalogue.py fails
while the Traditional files differ from what this makes.
"""

import io
import os
import sys

from babel.messages.pofile import read_po, write_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRANSLATIONS = os.path.join(ROOT, "locator", "translations")
DOMAINS = ("messages", "importer", "admin")
CONFIG = "s2hk"
# s2hk changes characters, not words. Where Hong Kong's own word differs from the mainland's
# (and a Hong Kong or Macau visitor would notice), the Hong Kong word, as gov.hk, the MTR and
# a Hong Kong iPhone or Android phone say it. Kept on purpose: 公交 (the word on Xinhui's
# stops, where a visitor stands), 數據 and 網絡 (already Hong Kong usage), 母嬰室 (the sign).
HK_USAGE = (
    ("搜索", "搜尋"),            # gov.hk, Google Hong Kong: 搜尋 (搜索 is the mainland's)
    ("查找", "搜尋"),            # the search button and the site's name, likewise
    ("信息", "資訊"),
    ("鏈接", "連結"),
    ("設置", "設定"),            # the Settings app on a Hong Kong phone
    ("隱私與安全性", "私隱與保安"),  # iOS in Hong Kong
    ("地址欄", "網址列"),
    ("圖標", "圖示"),
    ("菜單", "選單"),
    ("安卓手機", "Android 手機"),
    ("安卓：", "Android："),
    ("› 應用 ›", "› 應用程式 ›"),
    ("地圖應用", "地圖應用程式"),
    ("粘貼", "貼上"),
    ("短信", "短訊"),
    ("衞生間", "洗手間"),
    ("護理台", "換尿片枱"),
    ("文件", "檔案"),
    ("導入", "匯入"),
    ("導出", "匯出"),
    ("字段", "欄位"),
    ("單元格", "儲存格"),          # Excel in Hong Kong
)
HEADER = """\
# Traditional Chinese (Hong Kong forms), made by bench/hant_catalogue.py from the Simplified
# catalogue (../../zh/LC_MESSAGES/) with OpenCC {config}: edit that one, then run it again.
msgid ""
msgstr ""
"Project-Id-Version: locator\\n"
"Language: zh_Hant\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

"""


def converter():
    """OpenCC's Simplified → Traditional (Hong Kong) converter."""
    import opencc  # only this script and its test need it

    return opencc.OpenCC(CONFIG)


def to_hant(text: str, cc) -> str:
    """`text` in Traditional characters and Hong Kong words."""
    text = cc.convert(text)
    for mainland, hong_kong in HK_USAGE:
        text = text.replace(mainland, hong_kong)
    return text


def convert_po(source: bytes, cc) -> bytes:
    """A Simplified .po file's bytes → the Traditional one's."""
    catalogue = read_po(io.BytesIO(source), locale="zh")
    catalogue.locale = "zh_Hant"
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.string, tuple):
            message.string = tuple(to_hant(s, cc) for s in message.string)
        else:
            message.string = to_hant(message.string, cc)
    out = io.BytesIO()
    # Our own header: Babel's would carry today's date, and the file must come out the same.
    write_po(out, catalogue, width=0, omit_header=True)
    return HEADER.format(config=CONFIG).encode() + out.getvalue()


def made(domain: str, cc) -> tuple[str, bytes]:
    """Where the Traditional `domain` catalogue goes, and what it should hold."""
    source = os.path.join(TRANSLATIONS, "zh", "LC_MESSAGES", f"{domain}.po")
    target = os.path.join(TRANSLATIONS, "zh_Hant", "LC_MESSAGES", f"{domain}.po")
    with open(source, "rb") as fh:
        return target, convert_po(fh.read(), cc)


def main() -> int:
    """Write every converted domain; say which changed."""
    cc = converter()
    for domain in DOMAINS:
        target, body = made(domain, cc)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        old = open(target, "rb").read() if os.path.exists(target) else b""
        if old != body:
            with open(target, "wb") as fh:
                fh.write(body)
        print(f"{os.path.relpath(target, ROOT)}: {'written' if old != body else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
