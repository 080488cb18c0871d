"""Screenshots of the public pages at phone and desktop widths, for the README and docs/.

Run against a running server (`make run` in another terminal):

    .venv/bin/python docs/screenshots.py [http://127.0.0.1:8000]
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent / "screenshots"
PAGES = {
    "dashboard": "/",
    # The table, scrolled to, with a search and a filter applied.
    "participants": "/?q=republic&status=signed#participants",
    "participant": "/participants/VNM/",
    # When might it enter into force? (docs/projection.md)
    "projection": "/treaties/hanoi-convention/projection/",
    "what-if": "/treaties/hanoi-convention/what-if/?deposit=VNM:2027-03-01&deposit=QAT:2027-03-01"
    "&deposit=AZE:2027-03-15&deposit=EUU:2027-03-15&deposit=FRA:2027-03-15",
}
# Parts of a page, whole: the map and the timeline; the map with a State focused.
PARTS = {
    "pictures": ("/", ".pictures", None),
    "map-focus": ("/", ".world-map", "Viet Nam: signatory, 25 October 2025"),
}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
# The dashboard in Arabic, right to left (docs/languages.md): the browser asks for it.
ARABIC = {"dashboard-ar": "/"}
# The countdown card, at the size of the iframe the dashboard's snippet suggests.
EMBED = ("/treaties/hanoi-convention/embed/", (360, 230))
# The dashboard as it prints: the one-page brief, at the width of an A4 sheet's text.
PRINT = ("/", (704, 1000))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main():
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for device, (width, height) in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            for name, path in PAGES.items():
                page.goto(BASE + path)
                page.screenshot(path=OUT / f"{name}-{device}.png")
                print(OUT / f"{name}-{device}.png")
            for name, (path, selector, focus) in PARTS.items():
                page.goto(BASE + path)
                if focus:
                    # On a phone the map is a closed disclosure: open it, as a reader would.
                    page.locator(".map-details").evaluate("details => { details.open = true; }")
                    page.get_by_role("link", name=focus).focus()
                page.locator(selector).screenshot(path=OUT / f"{name}-{device}.png")
                print(OUT / f"{name}-{device}.png")
            page.close()
            page = browser.new_page(viewport={"width": width, "height": height}, locale="ar")
            for name, path in ARABIC.items():
                page.goto(BASE + path)
                page.screenshot(path=OUT / f"{name}-{device}.png")
                print(OUT / f"{name}-{device}.png")
            page.close()
        path, (width, height) = EMBED
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(BASE + path)
        page.screenshot(path=OUT / "embed.png")
        print(OUT / "embed.png")
        path, (width, height) = PRINT
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(BASE + path)
        page.emulate_media(media="print")
        page.screenshot(path=OUT / "dashboard-print.png", full_page=True)
        print(OUT / "dashboard-print.png")
        browser.close()


if __name__ == "__main__":
    main()
