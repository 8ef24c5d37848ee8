"""The public local-data pages from the page cache: no more database queries for a cached page
than the other pages (the upload versions that key it are held in the cache too), and a
commit's new versions are written for every process once its transaction is committed."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from localdata import loading, synthetic


def cached_queries(client: Client, url: str) -> int:
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response["X-Cache"] == "hit"
    return len(queries)


@pytest.mark.django_db
def test_a_cached_local_page_costs_what_any_cached_page_costs():
    """The data versions' one query, as the overview; the upload versions come from the cache
    (before: a second query, for the local pages only)."""
    public = Client()
    overview = cached_queries(public, "/")
    assert cached_queries(public, "/local/deprivation/") == overview == 1
    assert cached_queries(public, "/api/v1/local/deprivation/") == overview


@pytest.mark.django_db
def test_a_commit_writes_the_new_versions_once_committed(django_capture_on_commit_callbacks):
    before = loading.versions()
    user = User.objects.create_user("versions")
    rows = synthetic.template_c("E10000017", synthetic.quarters(2021, 4))
    upload = loading.preview_file(
        "C", synthetic.to_csv("C", rows), file_name="c.csv", user=user, today=date(2025, 1, 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        loading.commit(upload)
    after = cache.get(loading.VERSIONS_KEY)
    assert after != before
    assert f"('C', {upload.pk})" in after
    assert loading.versions() == after
