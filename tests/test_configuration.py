"""The home county is configuration: another county is another areas file, not new code."""

import io
import json

import pytest
from django.core.checks import run_checks
from django.core.management import call_command

from indicators.configuration import ConfigurationError, areas_config, parse_config
from indicators.models import Area, AreaGroup


def lancashire() -> dict:
    from django.conf import settings

    return json.loads(settings.DASHBOARD_AREAS_FILE.read_text())


def test_lancashire_is_the_default_with_its_twelve_districts_and_two_unitaries():
    config = areas_config()
    assert config.home.code == "E10000017"
    assert len(config.districts) == 12
    assert [n.name for n in config.neighbours] == ["Blackburn with Darwen", "Blackpool"]
    assert config.region.code == "E12000002"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.pop("home"), "missing entry 'home'"),
        (lambda c: c["districts"].append({"code": "X", "name": "X"}), "districts[12]"),
        (lambda c: c["region"].update(code="E10000017"), "region: E10000017 is not a region"),
        (lambda c: c["neighbours"].append(c["districts"][0]), "listed twice"),
        (lambda c: c.update(districtss=[]), "unknown entry 'districtss'"),
        (lambda c: c["local_datasets"][0].update(area="E10000016"), "not one of the configured"),
        (lambda c: c["child_death_review_panel"].update(areas=["E06000008"]), "E10000017 is mis"),
    ],
)
def test_a_bad_areas_file_is_rejected_naming_the_entry(change, message):
    config = lancashire()
    change(config)
    with pytest.raises(ConfigurationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_config(config)


def test_a_broken_areas_file_fails_the_system_check(settings, tmp_path):
    from indicators import configuration

    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    settings.DASHBOARD_AREAS_FILE = broken
    configuration._cached.cache_clear()
    try:
        ids = [message.id for message in run_checks()]
    finally:
        configuration._cached.cache_clear()
    assert "imr.E001" in ids


@pytest.mark.django_db
def test_another_home_area_is_a_configuration_change(settings, tmp_path):
    from indicators import configuration

    other = lancashire()
    other.update(
        name="Blackburn with Darwen",
        home={"code": "E06000008", "name": "Blackburn with Darwen"},
        districts=[],
        neighbours=[{"code": "E06000009", "name": "Blackpool"}],
        child_death_review_panel={"name": "Pan-Lancashire", "areas": ["E06000008"]},
    )
    other.pop("local_datasets")  # Lancashire's report tables are not Blackburn with Darwen's
    path = tmp_path / "blackburn.json"
    path.write_text(json.dumps(other))
    settings.DASHBOARD_AREAS_FILE = path
    configuration._cached.cache_clear()
    try:
        call_command("load_snapshot", stdout=io.StringIO())
        home_group = AreaGroup.objects.get(slug="home-county")
        assert [a.code for a in home_group.members.order_by("areagroupmember__position")] == [
            "E06000008"
        ]
        assert Area.objects.get(code="E06000008").parent.code == "E12000002"
    finally:
        configuration._cached.cache_clear()


@pytest.mark.parametrize("name", ["lancashire.json", "kent.json"])
def test_the_areas_files_follow_the_documented_json_schema(name):
    import jsonschema_rs
    from django.conf import settings

    from indicators.configuration import TOP_LEVEL_KEYS, read_config

    folder = settings.BASE_DIR / "fixtures" / "config"
    schema = json.loads((folder / "areas.schema.json").read_text())
    jsonschema_rs.validator_for(schema).validate(json.loads((folder / name).read_text()))
    read_config(folder / name)
    # The schema and the start-up check (imr.E001) know the same entries.
    assert set(schema["properties"]) == TOP_LEVEL_KEYS


def test_a_district_missing_from_the_boundary_file_fails_the_system_check(settings, tmp_path):
    from indicators import configuration

    other = lancashire()
    other["boundaries"] = {
        "districts_file": "fixtures/geo/Regions_December_2023_Boundaries_EN_BUC.geo.json"
    }
    path = tmp_path / "no-shapes.json"
    path.write_text(json.dumps(other))
    settings.DASHBOARD_AREAS_FILE = path
    configuration._cached.cache_clear()
    try:
        errors = [e for e in run_checks() if e.id == "imr.E001"]
        assert len(errors) == 1
        assert "E07000117" in errors[0].msg and "not found" in errors[0].msg
    finally:
        configuration._cached.cache_clear()
