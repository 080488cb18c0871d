"""Write each participant's name in the other five UN languages into fixtures/participants.json.

Names come from CLDR (through Babel, the territory names for the ISO alpha-2 code), except where
states/data/name_overrides.json gives the United Nations' own short name (UNTERM): CLDR uses
common names ("North Korea", "Palestinian Territories") that UN usage does not. English keeps the
UN Treaty Collection name of the fixture. Run by `make names` (it installs Babel); the output is
committed, so Babel is not needed at run time.
"""

import json
from pathlib import Path

from babel import Locale

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "participants.json"
OVERRIDES = ROOT / "states" / "data" / "name_overrides.json"
LANGUAGES = {"ar": "ar", "zh-hans": "zh_Hans", "fr": "fr", "ru": "ru", "es": "es"}


def main():
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    overrides = json.loads(OVERRIDES.read_text(encoding="utf-8"))
    locales = {code: Locale.parse(name) for code, name in LANGUAGES.items()}
    for row in rows:
        fields = row["fields"]
        names = {}
        for code, locale in locales.items():
            name = overrides.get(fields["iso3"], {}).get(code) or locale.territories.get(
                fields["iso2"]
            )
            if name:
                names[code] = name.replace("\u2019", "'")
        fields["names"] = names
    FIXTURE.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    missing = [
        (r["fields"]["name"], lang)
        for r in rows
        for lang in LANGUAGES
        if lang not in r["fields"]["names"]
    ]
    print(f"{FIXTURE}: names for {len(rows)} participants; missing: {missing or 'none'}")


if __name__ == "__main__":
    main()
