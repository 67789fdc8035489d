"""The app icons from our SVG: `python -m bench.make_icons` writes static/icons/icon-192.png and
icon-512.png, drawn by Debian's chromium (Playwright), so no image library is needed."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ICONS = os.path.join(ROOT, "static", "icons")
SIZES = (192, 512)
CHROMIUM = "/usr/bin/chromium"


def main() -> None:
    """Render icon.svg at each size into a PNG beside it."""
    from playwright.sync_api import sync_playwright

    with open(os.path.join(ICONS, "icon.svg"), encoding="utf-8") as fh:
        svg = fh.read()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for size in SIZES:
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content("<style>html,body{margin:0}svg{display:block;width:100%;"
                             f"height:100%}}</style>{svg}")
            out = os.path.join(ICONS, f"icon-{size}.png")
            page.screenshot(path=out, omit_background=False)
            page.close()
            print(f"{out}: {os.path.getsize(out)} bytes", file=sys.stderr)
        browser.close()


if __name__ == "__main__":
    main()
