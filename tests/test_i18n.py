"""The six UN languages: the switcher, the page in each language, names, search, dates."""

import datetime as dt
import html
import re
from urllib.parse import quote

import pytest
from django.core import mail
from django.utils import translation
from pytest_django.asserts import assertContains

from ratifications import rules
from ratifications.rules import ActionKind, Clauses
from states.models import Participant
from tests.factories import (
    ActionFactory,
    DepositaryStaffFactory,
    MissionStaffFactory,
    ParticipantFactory,
    SubmissionFactory,
    TreatyFactory,
)

HX = {"HX-Request": "true", "HX-Target": "participants"}
# What the dashboard of the Hanoi Convention says in each language: its
# authentic title, and the heading of the progress card.
DASHBOARDS = {
    "ar": ("rtl", "اتفاقية الأمم المتحدة لمكافحة الجرائم السيبرانية", "التقدم نحو بدء النفاذ"),
    "zh-hans": ("ltr", "联合国打击网络犯罪公约", "生效进展"),
    "en": ("ltr", "United Nations Convention against Cybercrime", "Progress to entry into force"),
    "fr": (
        "ltr",
        "Convention des Nations Unies contre la cybercriminalité",
        "Progression vers l'entrée en vigueur",
    ),
    "ru": (
        "ltr",
        "Конвенция Организации Объединенных Наций против киберпреступности",
        "Ход к вступлению в силу",
    ),
    "es": (
        "ltr",
        "Convención de las Naciones Unidas contra la Ciberdelincuencia",
        "Avance hacia la entrada en vigor",
    ),
}


@pytest.fixture(autouse=True)
def english_afterwards():
    """A request leaves its language active in the thread: the next test starts without it."""
    yield
    translation.deactivate()


def page_of(response) -> str:
    return html.unescape(response.content.decode())


def table_names(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/participants/\w+/">([^<]+)</a>', page)


def language_links(page: str) -> dict[str, str]:
    """The switcher's links by language code."""
    nav = page[page.index('<nav id="languages"') :]
    nav = nav[: nav.index("</nav>")]
    return dict((code, href) for href, code in re.findall(r'<a href="([^"]+)" lang="([^"]+)"', nav))


# The page in each language


@pytest.mark.parametrize("language", DASHBOARDS)
def test_the_dashboard_speaks_the_language_the_browser_asks_for(client, defaults, language):
    direction, title, heading = DASHBOARDS[language]
    response = client.get("/", headers={"Accept-Language": language})
    page = page_of(response)
    assert f'<html lang="{language}" dir="{direction}">' in page
    assert f"<h1>{title}</h1>" in page
    assert heading in page
    assert response["Content-Language"] == language


def test_arabic_is_written_right_to_left_with_the_un_month_names(client, empty_record):
    for state in Participant.objects.states()[:12]:
        ActionFactory(treaty=empty_record, participant=state)
    page = page_of(client.get("/", headers={"Accept-Language": "ar"}))
    assert '<html lang="ar" dir="rtl">' in page
    # UN Arabic documents name each month twice, and keep Western digits.
    assert "اعتُمدت في 24 كانون الأول/ديسمبر 2024." in page
    assert '<span class="num">12</span> موقّعًا' in page


@pytest.mark.parametrize(
    ("language", "day"),
    [
        ("en", "Adopted on 24 December 2024."),
        ("fr", "Adoptée le 24 décembre 2024."),
        ("es", "Aprobada el 24 de diciembre de 2024."),
        ("ru", "Принята 24 декабря 2024 года."),
        ("zh-hans", "于 2024年12月24日 通过。"),
    ],
)
def test_dates_are_written_as_the_language_writes_them(client, defaults, language, day):
    assert day in page_of(client.get("/", headers={"Accept-Language": language}))


def test_the_rules_engine_dates_its_messages_in_the_active_language():
    clauses = Clauses(threshold=40, entry_into_force_days=90, later_entry_into_force_days=30)
    signed = rules.Act("FRA", ActionKind.SIGNATURE, dt.date(2025, 10, 25))
    again = rules.Act("FRA", ActionKind.SIGNATURE, dt.date(2025, 11, 3))
    with translation.override("fr"):
        (problem,) = rules.check_action(clauses, again, [signed], today=dt.date(2026, 1, 1))
    # French puts a no-break space before a semicolon.
    assert problem.message == (
        "Ce participant a déjà signé, le 25 octobre 2025\u00a0; il n'y a qu'une signature."
    )


def test_without_a_choice_english_is_the_default(client, defaults):
    page = page_of(client.get("/"))
    assert '<html lang="en" dir="ltr">' in page


# The switcher


def test_every_language_is_offered_in_its_own_name(client, defaults):
    page = page_of(client.get("/", headers={"Accept-Language": "fr"}))
    for code, name in [
        ("ar", "العربية"),
        ("zh-hans", "中文"),
        ("en", "English"),
        ("fr", "Français"),
        ("ru", "Русский"),
        ("es", "Español"),
    ]:
        assert f'lang="{code}" hreflang="{code}"' in page
        assert f">{name}</a>" in page
    assert re.search(r'lang="fr" hreflang="fr" dir="ltr" rel="nofollow" aria-current="true"', page)
    assert page.count('aria-current="true"') == 1
    assert 'lang="ar" hreflang="ar" dir="rtl"' in page


def test_the_switcher_links_keep_the_path_and_the_query_string(client, defaults):
    here = "/treaties/hanoi-convention/?as_of=2026-01-01&q=viet&group=asia_pacific"
    links = language_links(page_of(client.get(here)))
    assert set(links) == {"ar", "zh-hans", "en", "fr", "ru", "es"}
    assert links["ar"] == f"/language/ar/?next={quote(here, safe='')}"
    # A parameter the page does not understand is not carried along.
    assert language_links(page_of(client.get(f"{here}&utm_source=x")))["ar"] == links["ar"]


def test_the_switcher_follows_the_address_htmx_pushes(client, defaults):
    """The table's filters change the address without a page load: the links follow."""
    response = client.get("/", {"q": "viet"}, headers=HX)
    page = page_of(response)
    assert '<nav id="languages" class="languages" aria-label="Language" hx-swap-oob="true">' in page
    assert language_links(page)["fr"] == "/language/fr/?next=%2F%3Fq%3Dviet"


def test_the_counters_poll_does_not_carry_the_switcher(client, defaults):
    page = page_of(client.get("/", headers={"HX-Request": "true", "HX-Target": "counters"}))
    assert 'id="languages"' not in page


def test_choosing_a_language_remembers_it_and_goes_back_to_the_same_view(client, defaults):
    here = "/treaties/hanoi-convention/?q=viet&as_of=2026-01-01"
    response = client.get("/language/ru/", {"next": here})
    assert response.status_code == 302
    assert response["Location"] == here
    cookie = response.cookies["django_language"]
    assert cookie.value == "ru"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert "no-store" in response["Cache-Control"]
    # The cookie wins over the browser's own preference.
    page = page_of(client.get(here, headers={"Accept-Language": "es"}))
    assert '<html lang="ru" dir="ltr">' in page
    assert table_names(page) == ["Вьетнам"]


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/path", "http://testserver.evil.example/", ""],
)
def test_the_switcher_refuses_to_send_anyone_to_another_site(client, db, next_url):
    response = client.get("/language/ar/", {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["django_language"].value == "ar"


def test_an_unknown_language_is_a_404(client, db):
    assert client.get("/language/de/", {"next": "/"}).status_code == 404


def test_the_language_link_is_only_followed(client, db):
    assert client.post("/language/fr/", {"next": "/"}).status_code == 405


def test_the_public_pages_carry_no_csrf_token(client, defaults):
    response = client.get("/")
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "csrftoken" not in response.cookies


# Caches: one copy per language


@pytest.mark.parametrize(
    "url",
    ["/", "/treaties/hanoi-convention/", "/participants/VNM/", "/treaties/hanoi-convention/embed/"],
)
def test_the_pages_vary_on_the_language_header_and_cookie(client, defaults, url):
    response = client.get(url)
    vary = {part.strip() for part in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary


def test_a_copy_in_one_language_is_not_current_in_another(client, defaults):
    english = client.get("/")
    assert client.get("/", headers={"If-None-Match": english["ETag"]}).status_code == 304
    french = client.get("/", headers={"If-None-Match": english["ETag"], "Accept-Language": "fr"})
    assert french.status_code == 200
    assert french["ETag"] != english["ETag"]


@pytest.mark.parametrize(
    "url",
    [
        "/treaties/hanoi-convention/feed/",
        "/participants/VNM/feed/",
        "/treaties/hanoi-convention/calendar.ics",
        "/api/v1/treaties/hanoi-convention/status",
        "/api/v1/treaties/hanoi-convention/actions.csv",
    ],
)
def test_open_data_is_english_for_every_client(client, defaults, url):
    english = client.get(url)
    arabic = client.get(url, headers={"Accept-Language": "ar"}, HTTP_COOKIE="django_language=ru")
    assert arabic.content == english.content
    assert arabic["ETag"] == english["ETag"]
    assert arabic["Content-Language"] == "en"
    assert "Accept-Language" not in arabic.get("Vary", "")
    assert "Cookie" not in arabic.get("Vary", "")


def test_the_feed_keeps_the_un_treaty_collection_names(client, viet_nam_signed):
    feed = client.get("/participants/VNM/feed/", headers={"Accept-Language": "ru"})
    assertContains(feed, "Viet Nam: verified actions")
    assertContains(feed, "Viet Nam: signature of the United Nations Convention against Cybercrime")


# Names


@pytest.mark.parametrize(
    ("language", "name"),
    [("ar", "فييت نام"), ("zh-hans", "越南"), ("en", "Viet Nam"), ("ru", "Вьетнам")],
)
def test_a_participant_is_named_in_the_language_of_the_page(client, defaults, language, name):
    page = page_of(client.get("/participants/VNM/", headers={"Accept-Language": language}))
    assert f"<title>{name} · Treatytrack</title>" in page
    assert f"<h1>{name}</h1>" in page
    table = page_of(client.get("/", {"q": "VNM"}, headers={"Accept-Language": language}))
    assert table_names(table) == [name]


def test_a_name_missing_in_a_language_falls_back_to_the_un_treaty_collection_one(db):
    participant = ParticipantFactory(name="Freedonia", names={"fr": "Freedonie"})
    with translation.override("fr"):
        assert participant.display_name == str(participant) == "Freedonie"
    with translation.override("ru"):
        assert participant.display_name == "Freedonia"


def test_a_treaty_has_its_authentic_title_in_each_language(db):
    treaty = TreatyFactory(
        short_name="Demo Convention", names={"fr": "Convention de démonstration"}
    )
    with translation.override("fr"):
        assert str(treaty) == treaty.display_name == "Convention de démonstration"
    with translation.override("es"):
        assert treaty.display_name == "Demo Convention"


def positions(page: str, names: list[str]) -> list[int]:
    found = table_names(page)
    return [found.index(name) for name in names]


@pytest.mark.parametrize(
    ("language", "order"),
    [
        # Accents set aside: Égypte with the E's, not after Zimbabwe.
        ("fr", ["Dominique", "Égypte", "Émirats arabes unis", "Équateur", "Érythrée", "Espagne"]),
        # The article set aside, as UN Arabic lists have them: Argentina, Jordan, Armenia.
        ("ar", ["الأرجنتين", "الأردن", "أرمينيا"]),
        # Й is a letter of its own, after И.
        ("ru", ["Италия", "Йемен", "Кабо-Верде"]),
        # The English order, as UN Chinese lists have it: Argentina, Armenia, Australia.
        ("zh-hans", ["阿根廷", "亚美尼亚", "澳大利亚"]),
    ],
)
def test_names_sort_as_the_language_of_the_page_sorts_them(client, defaults, language, order):
    page = page_of(client.get("/", {"status": "all"}, headers={"Accept-Language": language}))
    assert positions(page, order) == sorted(positions(page, order))


def test_a_date_sort_breaks_ties_by_the_name_in_the_language(client, empty_record):
    for state in Participant.objects.filter(iso3__in=["ZAF", "DZA", "AGO", "AUS", "AUT"]):
        ActionFactory(treaty=empty_record, participant=state, date=dt.date(2025, 10, 25))
    page = page_of(client.get("/", {"sort": "signature"}, headers={"Accept-Language": "fr"}))
    # All signed on 25 October 2025; in English, South Africa would come last.
    order = ["Afrique du Sud", "Algérie", "Angola", "Australie", "Autriche"]
    assert positions(page, order) == sorted(positions(page, order))


# Search


@pytest.mark.parametrize(
    "text", ["Вьетнам", "вьетнам", "越南", "فييت", "Viet", "Vietnam", "VNM", "vn"]
)
def test_search_finds_a_participant_by_any_of_its_names(defaults, text):
    assert [p.iso3 for p in Participant.objects.search(text)] == ["VNM"]


def test_search_reads_the_names_not_the_language_codes(defaults):
    """The JSON of the names holds the keys "es" or "fr": they match nothing."""
    assert not Participant.objects.search('"es"').exists()
    assert "ESP" in {p.iso3 for p in Participant.objects.search("es")}
    assert Participant.objects.search("es").count() < Participant.objects.count()


def test_the_table_finds_a_name_typed_in_another_language(client, defaults):
    page = page_of(client.get("/", {"q": "越南"}, headers={"Accept-Language": "en"}))
    assert table_names(page) == ["Viet Nam"]


# The workspaces and their mail


def test_a_decision_is_mailed_in_the_default_language_whatever_the_depositarys(client, db, worker):
    treaty = TreatyFactory(slug="hanoi-convention", short_name="Hanoi Convention")
    viet_nam = ParticipantFactory(name="Viet Nam", iso3="VNM", iso2="VN", names={"fr": "Viet Nam"})
    ActionFactory(treaty=treaty, participant=viet_nam)
    staff = MissionStaffFactory(email="mission@example.org", missions=[viet_nam])
    submission = SubmissionFactory(
        treaty=treaty,
        participant=viet_nam,
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 3, 2),
        submitted_by=staff,
    )
    client.force_login(DepositaryStaffFactory())
    client.cookies["django_language"] = "fr"
    with worker():
        response = client.post(
            f"/depositary/submissions/{submission.pk}/verify/",
            {"version": submission.version},
            follow=True,
        )
    assertContains(response, "Vérifiée\u00a0: Viet Nam\u00a0: Ratification du 2 mars 2026.")
    (message,) = mail.outbox
    assert message.subject == "Verified: Viet Nam: Ratification of 2 March 2026"


def test_the_workspace_forms_are_labelled_in_the_language(client, db):
    viet_nam = ParticipantFactory(name="Viet Nam", iso3="VNM", iso2="VN")
    TreatyFactory(slug="hanoi-convention")
    client.force_login(MissionStaffFactory(missions=[viet_nam]))
    page = page_of(client.get("/mission/submit/", headers={"Accept-Language": "es"}))
    for label in ("Participante", "Tratado", "Acción", "Fecha", "Lugar", "Fuente"):
        assert re.search(f'<label for="id_[a-z_]+">{label}[ <]', page), label
    assert '<option value="" selected>Elija la acción</option>' in page
