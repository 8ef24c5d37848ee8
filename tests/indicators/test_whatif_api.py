"""/api/v1/whatif/ gives the specification's numbers with every input, period and source."""

from __future__ import annotations

import pytest
from django.test import Client

from indicators.configuration import areas_config, sync_configured_areas
from indicators.models import Area, Indicator, Observation
from indicators.periods import parse_period

pytestmark = pytest.mark.django_db


def _figure(fingertips_id, code, label, value, count, denominator, sex="Persons", age="<1 yr"):
    period = parse_period(label)
    Observation.objects.create(
        indicator=Indicator.objects.get(fingertips_id=fingertips_id),
        area=Area.objects.get(code=code),
        sex=sex,
        age=age,
        period_sortable=period.sortable,
        period_label=label,
        period_start_year=period.start_year,
        period_end_year=period.end_year,
        value=value,
        count=count,
        denominator=denominator,
    )


@pytest.fixture
def report_inputs(db):
    """The report's own inputs (WHATIF section 6), stored as figures of the home county."""
    sync_configured_areas()
    Indicator.objects.create(
        fingertips_id=92196, name="Infant mortality rate", multiplier=1000, source="ONS"
    )
    Indicator.objects.create(
        fingertips_id=93085,
        name="Smoking status at time of delivery",
        multiplier=100,
        source="NHS England",
    )
    home = areas_config().home.code
    _figure(92196, home, "2014 - 16", 4.5, 177, 39333)
    _figure(93085, home, "2017/18", 13.9, 1619, 11647, sex="Female", age="All ages")
    return home


def test_report_reconstruction_through_the_api(report_inputs):
    answer = Client().get("/api/v1/whatif/", {"target": "4.481", "scenario_prevalence": "0.06"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["area"]["code"] == report_inputs
    outcome = body["outcome"]
    assert (outcome["indicator_id"], outcome["period"]) == (92196, "2014 - 16")
    assert (outcome["count"], outcome["denominator"], outcome["years"]) == (177, 39333, 3)
    factor = body["factors"][0]
    assert (factor["period"], factor["count"], factor["denominator"]) == ("2017/18", 1619, 11647)
    assert (factor["rr"], factor["lower"], factor["upper"]) == (1.4, 1.3, 1.51)
    assert factor["interval_kind"] == "assumed" and "Salihu" in factor["citation"]
    assert body["parameter_set"]["name"] == "default" and body["parameter_set"]["version"] == 1
    assert body["comparator"] == {**body["comparator"], "kind": "target", "value": 4.481}
    est = body["estimates"]
    assert est["women"] == pytest.approx(129.8, abs=0.1)
    assert est["r0"] == pytest.approx(4.263, abs=0.0005)
    assert est["enough"] is True
    sim = body["uncertainty"]
    assert (sim["draws"], sim["seed"]) == (10000, 1)
    assert sim["p_gap"] == pytest.approx(0.5249, abs=0.00005)
    assert sim["women"]["p90"] == pytest.approx(2899.6, abs=0.05)
    assert body["wording"]["case"] == "not_significant"
    assert "similar to the target of 4.481" in body["wording"]["headline"]
    assert any("Salihu" in caveat for caveat in body["wording"]["caveats"])


def test_seed_and_draws_are_parameters(report_inputs):
    body = Client().get("/api/v1/whatif/", {"target": "4.481", "seed": "7", "draws": "500"})
    assert body.json()["uncertainty"]["seed"] == 7
    assert body.json()["uncertainty"]["draws"] == 500
    zero = Client().get("/api/v1/whatif/", {"target": "4.481", "seed": "0", "draws": "500"})
    assert zero.json()["uncertainty"]["seed"] == 0


@pytest.mark.parametrize(
    "query",
    [
        {"factor": "chocolate"},
        {"outcome": "happiness"},
        {"comparator": "moon"},
        {"target": "abc"},
        {"draws": "5"},
        {"area": "E99999999", "target": "4"},
        {"parameter_set": "nothing", "target": "4"},
        {"indicator": "90284"},
    ],
)
def test_unknown_values_are_a_400_naming_the_parameter(report_inputs, query):
    answer = Client().get("/api/v1/whatif/", query)
    assert answer.status_code == 400
    assert answer.json()["error"]


def test_a_missing_input_gives_no_number_and_names_it(report_inputs):
    body = Client().get("/api/v1/whatif/", {"factor": "overweight_obese_bmi25", "target": "4"})
    assert body.status_code == 200
    assert body.json()["wording"]["case"] == "not_calculated"
    assert "BMI of 25 or more" in body.json()["wording"]["headline"]
    assert "estimates" not in body.json()


def test_the_schema_lists_the_endpoint():
    schema = Client().get("/api/v1/schema/").json()
    names = {p["name"] for p in schema["paths"]["/api/v1/whatif/"]["get"]["parameters"]}
    assert {"area", "outcome", "factor", "comparator", "target", "seed", "draws"} <= names


def test_method_page_reproduces_the_report_and_cites_every_relative_risk(db):
    page = Client().get("/methods/what-if/").content.decode()
    assert "129.8 (shown as 130)" in page
    assert "181.4 (shown as 180)" in page
    for author in ("Salihu", "Pineles", "Meehan", "Aune", "Huo", "Flenady", "Office for National"):
        assert author in page
    assert "version 1, dated 2026-12-07" in page


def test_infant_mortality_page_shows_the_statement_with_its_inputs(report_inputs):
    _figure(92196, areas_config().england.code, "2014 - 16", 3.9, 7000, 1794871)
    page = Client().get("/indicators/92196/").content.decode()
    assert 'data-testid="whatif"' in page
    assert "No statement: no infant mortality rate for North West in 2014 - 16." in page
    assert "is similar to England (3.9)" in page
    assert "Salihu" in page


def test_method_page_cites_every_neighbour_list_with_its_version(db):
    page = Client().get("/methods/what-if/").content.decode()
    assert page.count('data-testid="neighbour-list"') == 6
    assert "(May 2025 model)" in page and "(April 2021 LGR version)" in page
    assert "sn_may_2025.xlsx" in page


def test_board_lines_give_each_statement_once_with_its_caveats(report_inputs):
    from indicators.whatif_inputs import board_lines

    _figure(92196, areas_config().england.code, "2014 - 16", 3.9, 7000, 1794871)
    lines = board_lines([92196, 93085, 20101])
    assert [line.title for line in lines] == [
        "Smoking at delivery and infant mortality, against England"
    ]
    assert "is similar to England (3.9)" in lines[0].headline
    assert "Salihu" in lines[0].caveats[0]


@pytest.fixture
def report_bmi25(report_inputs, monkeypatch):
    """The report's "obese" figure (BMI 25 or more, 6,190 of 12,137, 2017) held as a factor; no
    Fingertips indicator of it is configured, so a stand-in indicator holds the report's figure."""
    from indicators import whatif_inputs as wi

    Indicator.objects.create(
        fingertips_id=990025,
        name="BMI 25 or more in early pregnancy (the report's figure)",
        multiplier=100,
        source="the county's report, section 6.2",
    )
    monkeypatch.setitem(
        wi.FACTOR_INDICATORS,
        "overweight_obese_bmi25",
        (990025, "BMI 25 or more in early pregnancy"),
    )
    _figure(990025, report_inputs, "2017", 51.0, 6190, 12137, sex="Female", age="All ages")
    return report_inputs


def test_joint_scenario_through_the_api_gives_every_input_and_no_women(report_bmi25):
    answer = Client().get(
        "/api/v1/whatif/",
        {
            "factor": ["smoking_at_delivery", "overweight_obese_bmi25"],
            "target": "4.481",
            "scenario_prevalence": ["0.06", "0.45"],
        },
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["joint"] is True
    smoking, bmi = body["factors"]
    assert (smoking["key"], smoking["period"], smoking["count"]) == (
        "smoking_at_delivery",
        "2017/18",
        1619,
    )
    assert (bmi["key"], bmi["period"], bmi["count"], bmi["denominator"]) == (
        "overweight_obese_bmi25",
        "2017",
        6190,
        12137,
    )
    assert (bmi["rr"], bmi["lower"], bmi["upper"]) == (1.33, 1.25, 1.42) and "Huo" in bmi[
        "citation"
    ]
    assert bmi["source"] == "the county's report, section 6.2" and bmi["indicator_id"] == 990025
    assert "Salihu" in smoking["citation"]
    assert body["outcome"]["period"] == "2014 - 16" and body["outcome"]["count"] == 177
    assert body["parameter_set"] == {**body["parameter_set"], "name": "default", "version": 1}
    est = body["estimates"]
    # By hand: (1 + 0.139 × 0.40)(1 + 0.510 × 0.33), with p = x / N.
    now = (1 + 1619 / 11647 * 0.40) * (1 + 6190 / 12137 * 0.33)
    after = (1 + 0.06 * 0.40) * (1 + 0.45 * 0.33)
    assert est["r0"] == pytest.approx(4.5 / now)
    assert est["paf"] == pytest.approx(1 - 1 / now)
    assert est["attributable_per_year"] == pytest.approx((1 - 1 / now) * 59)
    assert est["pif"] == pytest.approx(1 - after / now)
    assert est["scenario_averted_per_year"] == pytest.approx((1 - after / now) * 59)
    assert est["women"] is None and "delta_p" not in est
    sim = body["uncertainty"]
    assert (sim["draws"], sim["seed"], sim["women"]) == (10000, 1, None)
    assert 0 < sim["p_gap"] < 1
    assert body["wording"]["case"] == "not_significant"
    assert "fell together" in body["wording"]["scenario"]
    assert any("approximation" in c for c in body["wording"]["caveats"])


@pytest.mark.parametrize(
    "query",
    [
        {"factor": ["smoking_at_delivery", "smoking_at_delivery"], "target": "4"},
        {"factor": ["obese_bmi30", "overweight_obese_bmi25"], "target": "4"},
        {"factor": ["smoking_at_delivery", "overweight_obese_bmi25"], "scenario_prevalence": "0.1"},
        {"factor": "smoking_at_delivery", "scenario_prevalence": ["0.1", "0.2"]},
        {"scenario_prevalence": "2"},
    ],
)
def test_joint_queries_that_cannot_be_answered_are_a_400(report_bmi25, query):
    answer = Client().get("/api/v1/whatif/", query)
    assert answer.status_code == 400
    assert answer.json()["error"]


def test_a_mismatched_exposure_definition_is_a_400(report_inputs, monkeypatch):
    """Smoking's prevalence said to measure another exposure than its relative risk's."""
    from indicators import whatif_inputs as wi

    monkeypatch.setitem(
        wi.FACTOR_INDICATORS, "smoking_at_delivery", (93085, "smoking in pregnancy")
    )
    answer = Client().get("/api/v1/whatif/", {"target": "4.481"})
    assert answer.status_code == 400
    assert "smoking in pregnancy" in answer.json()["error"]
