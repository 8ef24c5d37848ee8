"""Uploads work with the shipped settings (`.env.example` once refused every file)."""

from __future__ import annotations

import re

from django.conf import settings


def shipped(name: str) -> str:
    text = (settings.BASE_DIR / ".env.example").read_text(encoding="utf-8")
    return re.search(rf"^{name}=(.*)$", text, re.MULTILINE).group(1).strip()


def test_shipped_settings_allow_one_uploaded_file():
    # Django refuses a request with more files than this: 0 refuses every upload.
    assert int(shipped("DATA_UPLOAD_MAX_NUMBER_FILES")) >= 1


def test_the_upload_page_accepts_a_file_under_the_shipped_limit(db, settings):
    from django.contrib.auth.models import Group, User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from actionplan import roles
    from imr_dashboard import sso
    from localdata import synthetic
    from localdata.models import Upload

    settings.DATA_UPLOAD_MAX_NUMBER_FILES = int(shipped("DATA_UPLOAD_MAX_NUMBER_FILES"))
    user = User.objects.create_user("alice")
    user.groups.add(Group.objects.get_or_create(name=roles.ANALYST)[0])
    client = Client()
    client.force_login(user)
    session = client.session
    session[sso.SESSION_MFA] = True
    session.save()
    data = synthetic.to_csv("A", synthetic.template_a(["E07000117"], [2023]))
    response = client.post(
        "/local/upload/send/", {"template": "A", "file": SimpleUploadedFile("a.csv", data)}
    )
    assert response.status_code == 302, response.status_code
    assert Upload.objects.get().status == Upload.Status.PREVIEWED
