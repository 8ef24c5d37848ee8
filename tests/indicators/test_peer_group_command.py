"""An analyst's own comparator group: manage.py peer_group."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from indicators.configuration import sync_configured_areas
from indicators.neighbours_models import PeerGroup

pytestmark = pytest.mark.django_db
AREA, BLACKPOOL, BLACKBURN = "E10000017", "E06000009", "E06000008"


def define(*members, purpose="Councils on the Lancashire coast, for tourism-related work"):
    call_command(
        "peer_group",
        "Coastal",
        area=AREA,
        members=",".join(members),
        purpose=purpose,
        stdout=io.StringIO(),
    )


def test_a_group_is_defined_in_order_and_replaced_whole():
    sync_configured_areas()
    define(BLACKPOOL, BLACKBURN)
    group = PeerGroup.objects.get(kind="custom", name="Coastal")
    assert [m.code for m in group.members.all()] == [BLACKPOOL, BLACKBURN]
    define(BLACKBURN)
    assert [m.code for m in group.members.all()] == [BLACKBURN]


def test_an_unknown_code_names_it_and_changes_nothing():
    sync_configured_areas()
    define(BLACKPOOL)
    with pytest.raises(CommandError, match="E99999999"):
        define(BLACKBURN, "E99999999")
    assert [m.code for m in PeerGroup.objects.get().members.all()] == [BLACKPOOL]


def test_purpose_is_required_and_delete_removes():
    sync_configured_areas()
    with pytest.raises(CommandError, match="purpose"):
        define(BLACKPOOL, purpose=" ")
    define(BLACKPOOL)
    call_command("peer_group", "Coastal", area=AREA, delete=True, stdout=io.StringIO())
    assert not PeerGroup.objects.exists()
