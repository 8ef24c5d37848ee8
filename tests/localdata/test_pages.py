"""The upload pages, the figures pages, downloads and API, through Django's test client."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from actionplan import roles
from imr_dashboard import sso
from localdata import synthetic
from localdata.models import BirthsDeathsRow, Upload
from localdata.reader import MAX_BYTES

pytestmark = pytest.mark.django_db

DISTRICTS = [f"E07000{n}" for n in range(117, 129)]


def person(name: str, role: str | None = None, *, verified: bool = True) -> Client:
    user = User.objects.create_user(name)
    if role:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    client = Client()
    client.force_login(user)
    if verified:
        session = client.session
        session[sso.SESSION_MFA] = True
        session.save()
    return client


@pytest.fixture
def analyst() -> Client:
    return person("alice", roles.ANALYST)


def upload(client: Client, template: str, data: bytes, name: str = "file.csv"):
    return client.post(
        "/local/upload/send/",
        {"template": template, "file": SimpleUploadedFile(name, data, "text/csv")},
    )


def a_data(years=(2021, 2022, 2023), seed=1) -> bytes:
    return synthetic.to_csv("A", synthetic.template_a(DISTRICTS, list(years), seed=seed))


def test_analyst_previews_then_commits(analyst):
    response = upload(analyst, "A", a_data(), "synthetic_a.csv")
    assert response.status_code == 302
    preview = analyst.get(response["Location"])
    text = preview.content.decode()
    assert "Preview: nothing is loaded yet" in text
    assert "360 added, 0 changed, 0 removed" in re.sub(r"</?strong>", "", text)
    assert "2021, 2022, 2023" in text  # the periods the file holds
    assert BirthsDeathsRow.objects.count() == 0
    pk = Upload.objects.get().pk
    assert analyst.post(f"/local/upload/{pk}/commit/").status_code == 302
    assert BirthsDeathsRow.objects.filter(removed_by__isnull=True).count() == 360


def test_bad_file_shows_every_error_with_row_and_column(analyst):
    rows = synthetic.template_a(DISTRICTS[:1], [2023])
    rows[2][8] = 999
    rows[5][6] = 0
    response = analyst.get(upload(analyst, "A", synthetic.to_csv("A", rows))["Location"])
    text = response.content.decode()
    assert "File rejected: nothing was loaded" in text
    assert "Row 4, column infant_deaths: more infant deaths than live births" in text
    assert "Row 7, column imd_decile: not 1 to 10 or ALL (found &quot;0&quot;)." in text
    assert Upload.objects.get().status == Upload.Status.REJECTED


def test_upload_over_the_limit_is_refused_before_reading(analyst):
    response = upload(analyst, "A", b"x" * (MAX_BYTES + 10))
    assert response.status_code == 302
    rejected = Upload.objects.get()
    assert rejected.status == Upload.Status.REJECTED and rejected.sha256 == ""
    assert rejected.errors == ["File: larger than 20 MB."]


def test_upload_needs_csrf(analyst):
    client = Client(enforce_csrf_checks=True)
    client.cookies = analyst.cookies
    response = client.post(
        "/local/upload/send/",
        {"template": "A", "file": SimpleUploadedFile("a.csv", a_data(), "text/csv")},
    )
    assert response.status_code == 403
    assert Upload.objects.count() == 0


def test_only_analysts_upload_and_fetch_originals(analyst):
    upload(analyst, "A", a_data())
    pk = Upload.objects.get().pk
    board = person("bob", roles.BOARD_MEMBER)
    assert board.get("/local/upload/").status_code == 403
    assert board.get(f"/local/upload/{pk}/original/").status_code == 403
    assert Client().get(f"/local/upload/{pk}/original/").status_code == 302  # sign in
    original = analyst.get(f"/local/upload/{pk}/original/")
    assert original.content == a_data()
    assert "no-cache" in original["Cache-Control"] or "no-store" in original["Cache-Control"]


def test_purge_is_for_administrators(analyst):
    upload(analyst, "A", a_data())
    pk = Upload.objects.get().pk
    assert analyst.post(f"/local/upload/{pk}/purge/", {"reason": "x"}).status_code == 403
    admin = person("ada", roles.ADMINISTRATOR)
    assert admin.post(f"/local/upload/{pk}/purge/", {"reason": "named a child"}).status_code == 302
    assert "purged by ada" in admin.get("/local/upload/history/").content.decode()


def load(client, template: str, data: bytes, name="synthetic.csv"):
    upload(client, template, data, name)
    pk = Upload.objects.filter(status=Upload.Status.PREVIEWED).first().pk
    assert client.post(f"/local/upload/{pk}/commit/").status_code == 302


def test_pages_show_the_synthetic_banner_and_the_tier(analyst):
    load(analyst, "A", a_data())
    public = Client().get("/local/deprivation/").content.decode()
    assert "Synthetic example" in public
    assert "Disclosure-controlled (public)" in public
    restricted = analyst.get("/local/restricted/deprivation/").content.decode()
    assert "Restricted: unsuppressed" in restricted


def test_public_download_and_api_never_show_a_small_count(analyst):
    rows = synthetic.template_a(DISTRICTS, [2021, 2022, 2023], seed=3)
    for row in rows:
        if row[6] in (3, 7):
            row[8], row[9], row[10] = 1, 1, 0  # small death counts in deciles 3 and 7
    load(analyst, "A", synthetic.to_csv("A", rows))
    api = json.loads(Client().get("/api/v1/local/deprivation/").content)
    for area in api["areas"]:
        for cell in area["deciles"].values():
            deaths = cell["infant_deaths"]
            if deaths["value"] is not None:
                assert deaths["value"] % 5 == 0
            if deaths["status"] == "suppressed":
                assert cell["imr"]["value"] is None
    csv_text = Client().get("/local/deprivation.csv").content.decode()
    assert ",infant_deaths,,suppressed,small_count," in csv_text


def test_public_pages_are_cached_until_an_upload_changes_them(analyst):
    anonymous = Client()
    assert "No births and deaths" in anonymous.get("/local/deprivation/").content.decode()
    assert anonymous.get("/local/deprivation/")["X-Cache"] == "hit"
    load(analyst, "A", a_data())
    fresh = anonymous.get("/local/deprivation/")
    assert fresh["X-Cache"] == "miss"
    assert "Synthetic example" in fresh.content.decode()


def test_restore_from_the_history_page(analyst):
    load(analyst, "A", a_data(seed=1))
    first = Upload.objects.get(status=Upload.Status.COMMITTED)
    after_first = sorted(
        BirthsDeathsRow.objects.filter(removed_by__isnull=True).values_list(
            "area_code", "year", "imd_decile", "infant_deaths"
        )
    )
    load(analyst, "A", a_data(seed=2))
    preview = analyst.post(f"/local/upload/{first.pk}/restore/")
    restore = Upload.objects.get(kind=Upload.Kind.RESTORE)
    assert preview["Location"] == f"/local/upload/{restore.pk}/"
    assert "Commit this restore" in analyst.get(preview["Location"]).content.decode()
    analyst.post(f"/local/upload/{restore.pk}/commit/")
    now = sorted(
        BirthsDeathsRow.objects.filter(removed_by__isnull=True).values_list(
            "area_code", "year", "imd_decile", "infant_deaths"
        )
    )
    assert now == after_first
