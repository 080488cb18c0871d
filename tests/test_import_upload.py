"""The upload page: depositary staff preview a CSV file, then confirm it."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from imports.models import Upload
from ratifications.models import Action
from ratifications.rules import ActionKind
from states.models import Participant
from tests.factories import ActionFactory, SubmissionFactory, TreatyFactory, UserFactory

UPLOAD_URL = "/depositary/import/"
CANADA = b"participant,action,date,source\nCAN,signature,2026-07-15,Depositary notification\n"


@pytest.fixture
def importer(db):
    """Depositary staff: the permission to import, nothing else."""
    user = UserFactory(username="depositary")
    user.user_permissions.add(Permission.objects.get(codename="import_actions"))
    return user


@pytest.fixture
def importer_client(client, importer):
    client.force_login(importer)
    return client


def csv_file(data: bytes, name: str = "actions.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def post_file(client, data: bytes, treaty: str = "hanoi-convention", **headers):
    return client.post(UPLOAD_URL, {"treaty": treaty, "file": csv_file(data)}, headers=headers)


def test_the_upload_page_has_a_fixed_public_address(importer_client, viet_nam_signed):
    response = importer_client.get(UPLOAD_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert '<option value="hanoi-convention" selected>' in page
    assert "5.0\xa0MB at most" in page


def test_an_anonymous_visitor_is_sent_to_sign_in(client, viet_nam_signed):
    for url in (UPLOAD_URL, f"{UPLOAD_URL}00000000-0000-0000-0000-000000000000/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"


def test_a_signed_in_user_without_the_import_permission_is_refused(client, viet_nam_signed):
    client.force_login(UserFactory())
    assert client.get(UPLOAD_URL).status_code == 403
    assert post_file(client, CANADA).status_code == 403
    assert not Upload.objects.exists()


def test_a_superuser_may_import(client, viet_nam_signed):
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(UPLOAD_URL).status_code == 200


def test_the_upload_page_refuses_other_methods(importer_client, viet_nam_signed):
    assert importer_client.put(UPLOAD_URL).status_code == 405


def test_a_file_with_errors_is_kept_and_shows_each_error_beside_its_row(
    importer_client, viet_nam_signed
):
    data = b"participant,action,date\nCanada,signature,2026-07-15\nAtlantis,signature,2026-07-15\n"
    data += b"<b>Chile</b>,ratification,2026-02-30\n"
    response = post_file(importer_client, data)
    upload = Upload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/depositary/import/{upload.token}/"
    assert bytes(upload.data) == data

    page = importer_client.get(response["Location"]).content.decode()
    assert "3 errors: nothing can be imported" in page
    assert "<strong>line 3</strong>: unknown participant &#x27;Atlantis&#x27;" in page
    assert (
        "<strong>line 4</strong>: unknown participant &#x27;&lt;b&gt;Chile&lt;/b&gt;&#x27;" in page
    )
    # The date written as it should be: what is wrong is the date itself.
    assert (
        "bad date &#x27;2026-02-30&#x27;: 30 February 2026 does not exist; February 2026 has "
        "28 days." in page
    )
    # Each line's values beside its messages, under the file's own header, escaped.
    assert '<th scope="col">participant</th><th scope="col">action</th>' in page
    assert "<td>Atlantis</td><td>signature</td><td>2026-07-15</td>" in page
    assert "<td>&lt;b&gt;Chile&lt;/b&gt;</td>" in page
    assert "<b>Chile</b>" not in page
    assert "The rows without errors: 1 to add, 0 already there." in page
    assert not Action.objects.filter(participant__iso3="CAN").exists()


def test_a_file_over_the_size_limit_is_refused_plainly(importer_client, viet_nam_signed, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 50
    response = post_file(importer_client, CANADA)
    assert response.status_code == 200
    assert (
        f"The file is {len(CANADA)}\xa0bytes; an upload may be 50\xa0bytes at most. Split it "
        "into smaller files, or have an administrator run the import_actions command."
    ) in response.content.decode()
    assert not Upload.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "line 1</strong>: the file is empty"),
        ("participant,action,date\nCôte,signature,2026-07-15\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_an_empty_or_non_utf8_upload_is_refused_with_the_commands_message(
    importer_client, viet_nam_signed, data, message
):
    response = post_file(importer_client, data)
    assert message in importer_client.get(response["Location"]).content.decode()
    assert Upload.objects.get().imported_at is None


def test_a_good_file_is_kept_and_previewed_before_anything_is_recorded(
    importer_client, viet_nam_signed
):
    data = CANADA + b"Viet Nam,signature,2025-10-25,\n"
    response = post_file(importer_client, data)
    upload = Upload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/depositary/import/{upload.token}/"
    assert bytes(upload.data) == data
    assert not Action.objects.filter(participant__iso3="CAN").exists()

    page = importer_client.get(response["Location"]).content.decode()
    assert "<strong>1</strong> to add, <strong>1</strong> already there." in page
    assert '<th scope="row">Canada</th>' in page
    assert "Import 1 action</button>" in page
    assert f'name="revision" value="{upload.plan().revision}"' in page


def test_htmx_swaps_the_preview_in_place_and_records_its_address(importer_client, viet_nam_signed):
    response = post_file(importer_client, CANADA, HX_Request="true")
    upload = Upload.objects.get()
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="import"')
    assert "<html" not in page
    assert response["HX-Push-Url"] == f"/depositary/import/{upload.token}/"
    assert "HX-Request" in response["Vary"]


def test_htmx_shows_the_errors_in_place_of_the_form_at_the_kept_files_address(
    importer_client, viet_nam_signed
):
    response = post_file(importer_client, b"participant,date\nCAN,2026-07-15\n", HX_Request="true")
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="import"')
    assert "missing column &#x27;action&#x27;" in page
    assert response["HX-Push-Url"] == Upload.objects.get().get_absolute_url()


def test_htmx_checks_the_kept_file_again_in_place(importer_client, viet_nam_signed):
    post_file(importer_client, b"participant,date\nCAN,2026-07-15\n")
    url = Upload.objects.get().get_absolute_url()
    response = importer_client.get(url, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="import"')
    assert "<html" not in page
    assert "HX-Request" in response["Vary"]


def test_confirming_imports_exactly_the_previewed_file_and_redirects(
    importer_client, importer, viet_nam_signed
):
    post_file(importer_client, CANADA)
    upload = Upload.objects.get()
    revision = upload.plan().revision

    response = importer_client.post(
        f"/depositary/import/{upload.token}/confirm/", {"revision": revision}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/depositary/import/{upload.token}/"
    canada = Action.objects.verified().get(participant__iso3="CAN")
    assert (canada.date, canada.source, canada.reviewed_by) == (
        dt.date(2026, 7, 15),
        "Depositary notification",
        importer,
    )
    assert canada.history.get().history_user == importer
    upload.refresh_from_db()
    assert (upload.added, upload.already_there) == (1, 0)

    page = importer_client.get(response["Location"]).content.decode()
    assert "1 added, 0 already there." in page
    assert "Import 1 action" not in page


def test_confirming_twice_imports_once(importer_client, viet_nam_signed):
    post_file(importer_client, CANADA)
    upload = Upload.objects.get()
    form = {"revision": upload.plan().revision}
    importer_client.post(f"/depositary/import/{upload.token}/confirm/", form)
    second = importer_client.post(f"/depositary/import/{upload.token}/confirm/", form)
    assert second.status_code == 302
    assert Action.objects.filter(participant__iso3="CAN").count() == 1


def test_when_the_records_changed_since_the_preview_the_user_is_told_to_look_again(
    importer_client, viet_nam_signed
):
    post_file(importer_client, CANADA)
    upload = Upload.objects.get()
    revision = upload.plan().revision
    # Someone verifies another action between the preview and the confirmation.
    ActionFactory(
        treaty=viet_nam_signed,
        participant=Participant.objects.get(iso3="CHL"),
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 8, 1),
    )

    response = importer_client.post(
        f"/depositary/import/{upload.token}/confirm/", {"revision": revision}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "The records changed after you previewed this file" in page
    assert f'name="revision" value="{upload.plan().revision}"' in page
    assert not Action.objects.filter(participant__iso3="CAN").exists()
    upload.refresh_from_db()
    assert upload.imported_at is None


def test_a_missions_submission_after_the_preview_also_asks_for_a_new_preview(
    importer_client, viet_nam_signed
):
    post_file(importer_client, CANADA)
    upload = Upload.objects.get()
    revision = upload.plan().revision
    # Only pending: still a write, and every write moves the record's revision.
    SubmissionFactory(
        treaty=viet_nam_signed,
        participant=Participant.objects.get(iso3="MEX"),
        date=dt.date(2026, 8, 1),
    )
    response = importer_client.post(
        f"/depositary/import/{upload.token}/confirm/", {"revision": revision}
    )
    assert response.status_code == 409
    assert "a mission's submission" in response.content.decode()
    assert not Action.objects.filter(participant__iso3="CAN").exists()


@pytest.mark.parametrize("revision", ["", "stale", "-1"])
def test_a_confirmation_without_the_previews_revision_imports_nothing(
    importer_client, viet_nam_signed, revision
):
    post_file(importer_client, CANADA)
    upload = Upload.objects.get()
    data = {"revision": revision} if revision else {}
    response = importer_client.post(f"/depositary/import/{upload.token}/confirm/", data)
    assert response.status_code == 409
    assert not Action.objects.filter(participant__iso3="CAN").exists()


def test_another_importers_upload_is_not_found(importer_client, viet_nam_signed):
    other = Upload.objects.create(
        treaty=viet_nam_signed,
        uploaded_by=UserFactory(is_superuser=True),
        filename="a.csv",
        data=CANADA,
    )
    assert importer_client.get(f"/depositary/import/{other.token}/").status_code == 404
    confirm = importer_client.post(f"/depositary/import/{other.token}/confirm/", {})
    assert confirm.status_code == 404


def test_confirming_only_answers_post(importer_client, viet_nam_signed):
    post_file(importer_client, CANADA)
    upload = Upload.objects.get()
    assert importer_client.get(f"/depositary/import/{upload.token}/confirm/").status_code == 405


@pytest.mark.parametrize("states", [1, 50])
def test_the_preview_takes_the_same_queries_for_a_longer_file(
    importer_client, importer, viet_nam_signed, django_assert_num_queries, states
):
    unsigned = Participant.objects.states().exclude(actions__treaty=viet_nam_signed)[:states]
    data = "participant,action,date\n" + "".join(
        f"{state.iso3},signature,2026-07-15\n" for state in unsigned
    )
    upload = Upload.objects.create(
        treaty=viet_nam_signed, uploaded_by=importer, filename="a.csv", data=data.encode()
    )
    # The session; the user; the user's permissions and their groups'; the
    # upload with its treaty; the check: the record's revision, the
    # participants, the organizations' members, the treaty's actions; the
    # header's mission link (is the user mission staff?).
    with django_assert_num_queries(10):
        response = importer_client.get(upload.get_absolute_url())
    assert f"<strong>{states}</strong> to add" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 500])
def test_the_errors_of_a_kept_file_take_the_same_queries_for_a_longer_file(
    importer_client, importer, viet_nam_signed, django_assert_num_queries, rows
):
    data = "participant,action,date\n" + "Atlantis,signature,2026-07-15\n" * rows
    upload = Upload.objects.create(
        treaty=viet_nam_signed, uploaded_by=importer, filename="a.csv", data=data.encode()
    )
    # The session; the user; the user's permissions and their groups'; the
    # upload with its treaty; the check: the record's revision, the
    # participants, the organizations' members, the treaty's actions; the
    # treaties of the form to check a corrected file, twice (Django's select reads
    # its first choice to decide on `required`, then all of them); the header's
    # mission link.
    with django_assert_num_queries(12):
        response = importer_client.get(upload.get_absolute_url())
    assert f"{rows} error" in response.content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("5MB", "IMPORT_MAX_UPLOAD_BYTES must be a whole number, not '5MB'."),
        ("0", "IMPORT_MAX_UPLOAD_BYTES must be a positive number of bytes."),
    ],
)
def test_a_bad_upload_limit_stops_start_up_naming_the_variable(value, message):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "treatytrack.settings",
            "IMPORT_MAX_UPLOAD_BYTES": value,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_a_file_with_nothing_new_offers_nothing_to_confirm(importer_client, viet_nam_signed):
    response = post_file(importer_client, b"participant,action,date\nVNM,signature,2025-10-25\n")
    page = importer_client.get(response["Location"]).content.decode()
    assert "Nothing to add: every row is already recorded." in page
    assert "/confirm/" not in page


def test_an_upload_left_unconfirmed_for_a_day_is_forgotten(
    importer_client, importer, viet_nam_signed
):
    forgotten = Upload.objects.create(
        treaty=viet_nam_signed,
        uploaded_by=importer,
        filename="old.csv",
        data=CANADA,
        uploaded_at=timezone.now() - dt.timedelta(days=1, minutes=1),
    )
    post_file(importer_client, CANADA)
    assert not Upload.objects.filter(pk=forgotten.pk).exists()
    assert Upload.objects.count() == 1


def test_a_file_wrong_on_every_line_lists_a_hundred_errors_and_counts_the_rest(
    importer_client, viet_nam_signed
):
    data = b"participant,action,date\n" + b"Atlantis,sign,someday\n" * 40_000
    response = importer_client.get(post_file(importer_client, data)["Location"])
    page = response.content.decode()
    # Before: 120,000 messages, 16 MB of HTML.
    assert len(response.content) < 200_000
    assert "120000 errors: nothing can be imported" in page
    assert page.count("<strong>line ") == 100
    assert "…and 119900 more errors, not listed. All of them, by kind:" in page
    assert "<li>unknown participant: 40000</li>" in page


def test_the_kept_file_is_checked_again_against_the_records_as_they_are_now(
    importer_client, viet_nam_signed
):
    # Canada's ratification needs its signature, which is not recorded yet.
    post_file(importer_client, b"participant,action,date\nCAN,ratification,2026-08-03\n")
    url = Upload.objects.get().get_absolute_url()
    page = importer_client.get(url).content.decode()
    assert "1 error: nothing can be imported" in page
    assert "Check this file again</a>" in page
    ActionFactory(
        treaty=viet_nam_signed,
        participant=Participant.objects.get(iso3="CAN"),
        date=dt.date(2026, 7, 15),
    )
    page = importer_client.get(url).content.decode()
    assert "<strong>1</strong> to add, <strong>0</strong> already there." in page


def test_a_corrected_file_replaces_the_kept_one_into_the_same_treaty(
    importer_client, viet_nam_signed
):
    other = TreatyFactory(slug="other-convention")
    post_file(
        importer_client,
        b"participant,action,date\nAtlantis,signature,2026-07-15\n",
        "other-convention",
    )
    kept = Upload.objects.get()
    page = importer_client.get(kept.get_absolute_url()).content.decode()
    # The form to check a corrected file: the same treaty, and which file it replaces.
    assert '<option value="other-convention" selected>' in page
    assert f'name="replaces" value="{kept.token}"' in page

    response = importer_client.post(
        UPLOAD_URL,
        {"treaty": "other-convention", "file": csv_file(CANADA), "replaces": str(kept.token)},
    )
    corrected = Upload.objects.get()
    assert corrected.token != kept.token
    assert corrected.treaty == other
    assert response["Location"] == corrected.get_absolute_url()


@pytest.mark.parametrize("replaces", ["not-a-token", "someone else's"])
def test_a_file_replaces_only_its_own_unconfirmed_upload(
    importer_client, viet_nam_signed, replaces
):
    theirs = Upload.objects.create(
        treaty=viet_nam_signed,
        uploaded_by=UserFactory(is_superuser=True),
        filename="a.csv",
        data=CANADA,
    )
    value = str(theirs.token) if replaces == "someone else's" else replaces
    response = importer_client.post(
        UPLOAD_URL, {"treaty": "hanoi-convention", "file": csv_file(CANADA), "replaces": value}
    )
    assert response.status_code == 302
    assert Upload.objects.filter(pk=theirs.pk).exists()
    assert Upload.objects.count() == 2


def test_the_preview_shows_every_column_and_what_the_import_changes(
    importer_client, viet_nam_signed
):
    treaty = TreatyFactory(slug="small", threshold=2)
    data = (
        b"participant,action,date,place,notification,note,source\n"
        b"MEX,accession,2026-01-05,New York,C.N.7.2026.TREATIES-X,First <b>note</b>,Press release\n"
        b"CHL,accession,2026-01-06,,,,Depositary\n"
    )
    response = post_file(importer_client, data, "small")
    page = importer_client.get(response["Location"]).content.decode()
    assert (
        "<td>New York</td>\n  <td>C.N.7.2026.TREATIES-X</td>\n"
        "  <td>First &lt;b&gt;note&lt;/b&gt;</td>\n  <td>Press release</td>"
    ) in page
    assert "What the import changes, as of today" in page
    change = page[page.index('<table class="import-change">') :]
    change = change[: change.index("</table>")]
    assert '<th scope="row">Instruments counted (of 2)</th><td>0</td><td>2</td>' in change
    assert '<th scope="row">Parties</th><td>0</td><td>2</td>' in change
    # The threshold is reached on 6 January 2026: in force 90 days later.
    assert "not yet known</td>" in change
    assert "6 April 2026 (threshold reached on 6 January 2026)" in change
    assert treaty.status().status.instruments_counted == 0
