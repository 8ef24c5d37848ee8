"""An analyst's own comparator group in the admin: the same rules as `manage.py peer_group`."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from indicators.configuration import sync_configured_areas
from indicators.neighbours_models import PeerGroup

pytestmark = pytest.mark.django_db
AREA, BLACKPOOL, BLACKBURN = "E10000017", "E06000009", "E06000008"
ADD = "/admin/indicators/peergroup/add/"


@pytest.fixture
def admin_client(client):
    sync_configured_areas()
    client.force_login(User.objects.create_superuser("root", password="x"))
    return client


def form(members: str, purpose: str = "Councils on the Lancashire coast") -> dict:
    return {"name": "Coastal", "area_code": AREA, "purpose": purpose, "members_text": members}


def test_a_group_added_in_the_admin_keeps_its_members_in_order(admin_client):
    response = admin_client.post(ADD, form(f"{BLACKPOOL}, {BLACKBURN}"))
    assert response.status_code == 302
    group = PeerGroup.objects.get()
    assert group.kind == PeerGroup.Kind.CUSTOM
    assert [(m.rank, m.code) for m in group.members.all()] == [(1, BLACKPOOL), (2, BLACKBURN)]
    assert group.members.first().name == "Blackpool"

    change = f"/admin/indicators/peergroup/{group.pk}/change/"
    assert admin_client.post(change, form(BLACKBURN)).status_code == 302
    assert [m.code for m in PeerGroup.objects.get().members.all()] == [BLACKBURN]


@pytest.mark.parametrize(
    "members, purpose, message",
    [
        ("E99999999", "Coast", "no area held with code E99999999"),
        (f"{BLACKPOOL}, {BLACKPOOL}", "Coast", "each code once"),
        (AREA, "Coast", "not the area itself"),
        (BLACKPOOL, " ", "say what the group is built for"),
    ],
)
def test_a_group_breaking_a_rule_is_refused_naming_it_and_nothing_is_written(
    admin_client, members, purpose, message
):
    response = admin_client.post(ADD, form(members, purpose))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PeerGroup.objects.exists()


def test_fetched_groups_are_not_listed_for_editing(admin_client):
    PeerGroup.objects.create(kind=PeerGroup.Kind.CIPFA, name="CIPFA", area_code=AREA, purpose="x")
    listed = admin_client.get("/admin/indicators/peergroup/").content.decode()
    assert "CIPFA" not in listed


def test_a_group_defined_rebuilds_the_cached_pages_that_show_the_groups(admin_client):
    from indicators.models import DataVersion

    before = DataVersion.current()
    assert admin_client.post(ADD, form(BLACKPOOL)).status_code == 302
    assert DataVersion.current() != before


def test_a_group_deleted_in_the_admin_rebuilds_the_pages(admin_client):
    from indicators.models import DataVersion

    admin_client.post(ADD, form(BLACKPOOL))
    group = PeerGroup.objects.get()
    before = DataVersion.current()
    delete = f"/admin/indicators/peergroup/{group.pk}/delete/"
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not PeerGroup.objects.exists()
    assert DataVersion.current() != before
