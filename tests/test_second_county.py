"""Another county runs the product by swapping the areas file: Kent, on the real exports that
cover every upper-tier council (indicator 90284), and nothing of Lancashire anywhere.

Every public page, chart CSV, API answer and plan page is fetched with DASHBOARD_AREAS_FILE
pointing at fixtures/config/kent.json; none may name a Lancashire area, its region or its codes.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from actionplan import roles
from actionplan.models import Plan
from indicators import configuration
from indicators.definitions import INDICATORS
from indicators.models import Area, ImportRun, Observation

SHOWN = [d for d in INDICATORS if d.shown]
CONFIG = django_settings.BASE_DIR / "fixtures" / "config"
KENT = json.loads((CONFIG / "kent.json").read_text(encoding="utf-8"))
LANCASHIRE = json.loads((CONFIG / "lancashire.json").read_text(encoding="utf-8"))
HOSPITAL_ADMISSIONS = 90284  # the bundled export that covers every upper-tier council


def lancashire_words() -> list[str]:
    """Every name and code in Lancashire's areas file except England's."""
    areas = [LANCASHIRE["home"], LANCASHIRE["region"], *LANCASHIRE["districts"]]
    areas += LANCASHIRE["neighbours"]
    words = {a["name"] for a in areas} | {a["code"] for a in areas}
    if panel := LANCASHIRE.get("child_death_review_panel"):
        words.add(panel["name"])
    return sorted(words)


FORBIDDEN = lancashire_words()


def named(text: str) -> list[str]:
    return [word for word in FORBIDDEN if word.lower() in text.lower()]


def use_areas_file(settings, name: str) -> None:
    settings.DASHBOARD_AREAS_FILE = CONFIG / name
    configuration._cached.cache_clear()


@pytest.fixture
def kent(settings, db):
    use_areas_file(settings, "kent.json")
    out = io.StringIO()
    call_command("load_snapshot", stdout=out)
    call_command("setup_roles", stdout=io.StringIO())
    call_command("load_action_plan", stdout=out)
    yield out.getvalue()
    configuration._cached.cache_clear()


@pytest.fixture
def kent_board_member(kent) -> User:
    user = User.objects.create_user("alice", password="x")
    user.groups.add(Group.objects.get(name=roles.BOARD_MEMBER))
    return user


def test_the_forbidden_list_is_built_from_lancashires_file():
    assert {"Lancashire", "North West", "Burnley", "Blackpool", "E10000017"} <= set(FORBIDDEN)
    assert len(FORBIDDEN) >= 2 * 16


def test_kents_file_uses_real_ons_codes_and_names_from_the_bundled_boundaries():
    geo = django_settings.BASE_DIR / configuration.DEFAULT_DISTRICT_BOUNDARIES
    features = json.loads(geo.read_text(encoding="utf-8"))["features"]
    names = {f["properties"]["LAD24CD"]: f["properties"]["LAD24NM"] for f in features}
    for area in KENT["districts"] + KENT["neighbours"]:
        assert names[area["code"]] == area["name"]
    assert len(KENT["districts"]) == 12


def test_load_snapshot_loads_only_the_configured_countys_areas(kent):
    # The bundled snapshot is Lancashire's: none of its areas enter Kent's dashboard.
    codes = set(Area.objects.values_list("code", flat=True))
    assert codes == {a.code for a in [*configuration.areas_config().footprint]} | {
        "E92000001",
        "E12000008",
        "E10000016",
    }
    assert not named(" ".join(Area.objects.values_list("name", flat=True)))
    held = Observation.objects.filter(area__code="E10000016")
    assert set(held.values_list("indicator__fingertips_id", flat=True)) == {HOSPITAL_ADMISSIONS}
    assert held.count() > 10
    # England's figures come from the snapshot's England rows.
    assert Observation.objects.filter(area__code="E92000001", indicator__fingertips_id=92196)
    # The command says which indicators have no bundled data for Kent.
    assert "No bundled data for Kent for" in kent
    for definition in INDICATORS:
        if definition.fingertips_id != HOSPITAL_ADMISSIONS:
            assert f"  {definition.fingertips_id} {definition.name}" in kent
    runs = ImportRun.objects.filter(source=ImportRun.Source.SNAPSHOT)
    assert [r.status for r in runs] == [ImportRun.Status.SUCCEEDED] * 3
    assert not named(" ".join(runs.values_list("location", flat=True)))


def test_the_bundled_plan_is_not_loaded_for_another_county(kent, tmp_path):
    assert not Plan.objects.exists()
    assert "is Lancashire's (E10000017)" in kent
    assert "manage.py load_action_plan FILE" in kent
    # Named explicitly, the other county's plan is refused with a clear error.
    with pytest.raises(CommandError, match="configured for Kent"):
        call_command(
            "load_action_plan",
            str(django_settings.BASE_DIR / "fixtures" / "actionplan" / "plan.json"),
            stdout=io.StringIO(),
        )
    assert not Plan.objects.exists()


def public_paths(client) -> list[str]:
    config = configuration.areas_config()
    paths = ["/", "/inequalities/", "/data/"]
    paths += [f"/indicators/{d.fingertips_id}/" for d in SHOWN]
    areas = [config.home, *config.footprint, config.region, config.england]
    paths += [f"/areas/{a.code}/" for a in areas]
    paths += [f"/areas/{a.code}/profile.csv" for a in areas]
    paths += [
        "/api/v1/indicators/",
        "/api/v1/indicators/?format=csv",
        "/api/v1/areas/",
        "/api/v1/areas/?format=csv",
        f"/api/v1/observations/?indicator={HOSPITAL_ADMISSIONS}",
        f"/api/v1/observations/?indicator={HOSPITAL_ADMISSIONS}&format=csv",
        "/api/v1/schema/",
    ]
    return paths


def test_no_page_chart_csv_or_api_answer_names_lancashire(client, kent):
    seen: set[str] = set()
    pending = public_paths(client)
    html_pages = 0
    while pending:
        path = pending.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        text = response.content.decode()
        assert not named(text), f"{path} names {named(text)}"
        if "text/html" in response["Content-Type"]:
            html_pages += 1
            assert "Kent" in text, path
            # Every chart's CSV linked from a page is fetched too.
            links = re.findall(r'href="(/[^"#]*\.csv(?:\?[^"#]*)?)"', text)
            pending += [link.replace("&amp;", "&") for link in links]
    assert html_pages > len(SHOWN) + 14
    assert sum(".csv" in p for p in seen) > len(SHOWN)


def test_kents_pages_show_england_and_say_no_data_for_kent(client, kent):
    page = client.get("/indicators/92196/").content.decode()
    assert "South East" in page and "Medway" in page and "Ashford" in page
    assert "No data" in page
    district = client.get("/areas/E07000105/").content.decode()  # Ashford
    assert "Ashford" in district and "No data" in district
    api = client.get(f"/api/v1/observations/?indicator={HOSPITAL_ADMISSIONS}&area=E10000016")
    assert api.status_code == 200 and "Kent" in api.content.decode()


def test_kents_area_profile_shows_englands_figure_where_only_kent_has_none(client, kent):
    # The bundled exports have England's infant mortality (4.2 in 2022 - 24) but no Kent figure.
    response = client.get("/areas/E10000016/")
    assert response.status_code == 200
    rows = {row[0]: row for row in response.context["card"].rows}
    imr = rows["Infant mortality"]
    assert imr[1:3] == ["2022 - 24", "No data"]
    assert imr[4] == "4.2"
    profile = {row.indicator.fingertips_id: row for row in response.context["profile"]}
    assert profile[92196].area is None and profile[92196].england.value == 4.2
    # Every indicator England has a figure for shows it, in the table and the CSV.
    england = Area.objects.get(level="england")
    for fid, row in profile.items():
        if Observation.objects.filter(
            indicator__fingertips_id=fid, area=england, value__isnull=False
        ).exists():
            assert row.england is not None and row.england.value is not None, fid
    download = client.get("/areas/E10000016/profile.csv").content.decode()
    assert "Infant mortality,2022 - 24,,,4.2," in download


def test_the_map_draws_kents_districts_from_the_uk_wide_file(client, kent):
    page = client.get("/indicators/92196/").content.decode()
    figure = json.loads(
        re.search(r'id="map-figure" type="application/json">(.*?)</script>', page, re.S)[1]
    )
    (placed,) = [t for t in figure["data"] if t.get("name") == "Areas"]
    assert set(placed["ids"]) == {a["code"] for a in KENT["districts"] + KENT["neighbours"]}


def test_plan_pages_say_no_plan_is_loaded_and_how_to_load_one(client, kent_board_member):
    client.force_login(kent_board_member)
    board = client.get("/plan/")
    text = board.content.decode()
    assert board.status_code == 200
    assert "No plan has been loaded for Kent yet." in text
    assert "manage.py load_action_plan FILE" in text
    assert not named(text), named(text)
    assert client.get("/plan/areas/1/").status_code == 404
    reviews = client.get("/plan/reviews/", follow=True)
    assert not named(reviews.content.decode())


def test_a_plan_loaded_for_kent_has_a_board_pack_naming_kent_and_its_region(
    client, kent_board_member, tmp_path
):
    from datetime import date

    from pypdf import PdfReader

    from actionplan.models import QuarterlyReview

    # A plan made up for this test only (not product data): one area, one action, one measure.
    made_up = {
        "county": KENT["home"],
        "plan": {"title": "Test plan", "starts": "2024-04-01", "ends": "2027-03-31"},
        "priority_areas": [
            {
                "number": 1,
                "title": "Test priority",
                "objectives": [
                    {
                        "number": 1,
                        "text": "Test objective",
                        "actions": [{"number": "1.1", "text": "Test action"}],
                    }
                ],
            }
        ],
        "performance_framework": [
            {
                "measure": "Injury admissions, children 0 to 14",
                "indicator_fingertips_id": HOSPITAL_ADMISSIONS,
                "direction": "Lower is better",
                "priority_area": 1,
            }
        ],
    }
    path = tmp_path / "kent-plan.json"
    path.write_text(json.dumps(made_up))
    call_command("load_action_plan", str(path), stdout=io.StringIO())
    plan = Plan.objects.get()
    review = QuarterlyReview.objects.create(
        plan=plan, financial_year=2024, quarter=1, meeting_date=date(2024, 7, 17)
    )
    client.force_login(kent_board_member)
    board = client.get("/plan/").content.decode()
    assert "South East" in board and not named(board), named(board)
    response = client.get(f"/plan/reviews/{review.pk}/board-pack.pdf")
    assert response.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Kent" in text and "South East" in text
    assert not named(text), named(text)


def test_lancashires_map_is_the_same_selection_as_its_old_boundary_file(settings):
    from indicators.cards.map import boundaries

    use_areas_file(settings, "lancashire.json")
    old = django_settings.BASE_DIR / "fixtures" / "geo" / "lancashire14_LAD_May_2024_BSC.geo.json"
    geojson, code_property = boundaries()
    assert code_property == "LAD24CD"
    assert geojson == json.loads(old.read_text(encoding="utf-8"))


def test_lancashire_still_loads_its_whole_snapshot_and_plan(settings, db):
    use_areas_file(settings, "lancashire.json")
    out = io.StringIO()
    call_command("load_snapshot", stdout=out)
    call_command("load_action_plan", stdout=out)
    assert Plan.objects.count() == 1
    assert Observation.objects.filter(area__code="E10000017").exists()
    # The snapshot's two files, and the export covering every upper-tier council (90284).
    assert ImportRun.objects.filter(source=ImportRun.Source.SNAPSHOT).count() == 3
