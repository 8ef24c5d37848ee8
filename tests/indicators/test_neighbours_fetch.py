"""CIPFA and NHS England peer groups from a real HTTP server speaking the Fingertips API's JSON."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from indicators.neighbours_fetch import fetch_peer_groups
from indicators.neighbours_models import PeerGroup

pytestmark = pytest.mark.django_db

# The shape of the API's answers: nearest_neighbour_types lists each type with the area types it
# applies to; areas/by_parent_area_code lists areas (Code, Name, Short, AreaTypeId).
TYPES = [
    {
        "NeighbourTypeId": 1,
        "Name": "CIPFA nearest neighbours",
        "Description": "Chartered Institute of Public Finance and Accountancy",
        "ExtraLink": "",
        "SelectedText": "CIPFA nearest neighbours to",
        "ApplicableAreaTypes": [
            {"Id": 101, "Name": "Lower tier local authorities (4/19 - 3/20)", "Short": "LTLA"},
            {"Id": 102, "Name": "Upper tier local authorities (4/19 - 3/20)", "Short": "UTLA"},
        ],
    },
    {
        "NeighbourTypeId": 12,
        "Name": "NHS England peer groups",
        "Description": "NHS England adult social care peer groups",
        "ExtraLink": "",
        "SelectedText": "NHS England peers of",
        "ApplicableAreaTypes": [
            {"Id": 502, "Name": "Upper tier local authorities (post 4/23)", "Short": "UTLA"}
        ],
    },
    {
        "NeighbourTypeId": 3,
        "Name": "ONS cluster",
        "ApplicableAreaTypes": [{"Id": 102, "Name": "UTLA", "Short": "UTLA"}],
    },
]
AREAS = [
    {"Code": "E10000024", "Name": "Nottinghamshire", "Short": "Nottinghamshire", "AreaTypeId": 102},
    {"Code": "E10000019", "Name": "Lincolnshire", "Short": "Lincolnshire", "AreaTypeId": 102},
]


def test_cipfa_group_fetched_in_rank_order(httpserver: HTTPServer, fast_refresh):
    httpserver.expect_request("/nearest_neighbour_types").respond_with_json(TYPES)
    httpserver.expect_request(
        "/areas/by_parent_area_code",
        query_string={"area_type_id": "102", "parent_area_code": "nn-1-E10000017"},
    ).respond_with_json(AREAS)
    results = fetch_peer_groups("E10000017", 102, base_url=httpserver.url_for("/"))
    assert [(r.kind, r.members, r.error) for r in results] == [("cipfa", 2, "")]
    group = PeerGroup.objects.get(kind="cipfa", area_code="E10000017")
    assert [(m.rank, m.code) for m in group.members.all()] == [(1, "E10000024"), (2, "E10000019")]
    assert "not built for perinatal outcomes" in group.purpose.lower()
    assert group.version.startswith("fetched ") and group.fetch_error == ""


def test_nhs_england_peers_apply_to_area_type_502(httpserver: HTTPServer, fast_refresh):
    httpserver.expect_request("/nearest_neighbour_types").respond_with_json(TYPES)
    httpserver.expect_request(
        "/areas/by_parent_area_code",
        query_string={"area_type_id": "502", "parent_area_code": "nn-12-E10000017"},
    ).respond_with_json(AREAS)
    results = fetch_peer_groups("E10000017", 502, base_url=httpserver.url_for("/"))
    assert [(r.kind, r.members) for r in results] == [("nhse", 2)]


def test_a_failed_fetch_says_so_and_keeps_the_last_good_list(httpserver: HTTPServer, fast_refresh):
    httpserver.expect_request("/nearest_neighbour_types").respond_with_json(TYPES)
    httpserver.expect_oneshot_request("/areas/by_parent_area_code").respond_with_json(AREAS)
    fetch_peer_groups("E10000017", 102, base_url=httpserver.url_for("/"))
    httpserver.expect_request("/areas/by_parent_area_code").respond_with_json([])
    results = fetch_peer_groups("E10000017", 102, base_url=httpserver.url_for("/"))
    assert "listed no neighbours" in results[0].error
    group = PeerGroup.objects.get(kind="cipfa", area_code="E10000017")
    assert "listed no neighbours" in group.fetch_error
    assert group.members.count() == 2  # the last good list, never an invented one


def test_an_api_that_is_down_invents_no_group(httpserver: HTTPServer, fast_refresh):
    httpserver.expect_request("/nearest_neighbour_types").respond_with_data("oops", status=500)
    results = fetch_peer_groups("E10000017", 102, base_url=httpserver.url_for("/"))
    assert results[0].error and "nearest_neighbour_types" in results[0].error
    assert not PeerGroup.objects.exists()


def test_an_answer_that_is_not_json_is_an_error(httpserver: HTTPServer, fast_refresh):
    httpserver.expect_request("/nearest_neighbour_types").respond_with_data("<html>maintenance")
    results = fetch_peer_groups("E10000017", 102, base_url=httpserver.url_for("/"))
    assert "not JSON" in results[0].error


def test_the_refresh_task_fetches_the_home_countys_peer_groups(
    httpserver: HTTPServer, fast_refresh
):
    from indicators.configuration import areas_config
    from indicators.tasks import refresh_peer_groups

    config = areas_config()
    types = [{**TYPES[1], "ApplicableAreaTypes": [{"Id": config.county_area_type_id}]}]
    httpserver.expect_request("/nearest_neighbour_types").respond_with_json(types)
    httpserver.expect_request(
        "/areas/by_parent_area_code",
        query_string={
            "area_type_id": str(config.county_area_type_id),
            "parent_area_code": f"nn-12-{config.home.code}",
        },
    ).respond_with_json(AREAS)
    assert refresh_peer_groups(httpserver.url_for("/")) == ["NHS England peer groups: 2"]
    assert PeerGroup.objects.get(kind="nhse").members.count() == 2


def test_a_fetch_that_changes_the_groups_rebuilds_the_pages_and_one_that_does_not_keeps_them(
    httpserver: HTTPServer, fast_refresh
):
    from indicators.configuration import areas_config
    from indicators.models import DataVersion
    from indicators.tasks import refresh_peer_groups

    config = areas_config()
    types = [{**TYPES[1], "ApplicableAreaTypes": [{"Id": config.county_area_type_id}]}]
    httpserver.expect_request("/nearest_neighbour_types").respond_with_json(types)
    httpserver.expect_request(
        "/areas/by_parent_area_code",
        query_string={
            "area_type_id": str(config.county_area_type_id),
            "parent_area_code": f"nn-12-{config.home.code}",
        },
    ).respond_with_json(AREAS)
    before = DataVersion.current()
    refresh_peer_groups(httpserver.url_for("/"))
    fetched = DataVersion.current()
    assert fetched != before  # a new group: the neighbours sections are rebuilt
    refresh_peer_groups(httpserver.url_for("/"))
    assert DataVersion.current() == fetched  # the same groups again: nothing rebuilt
