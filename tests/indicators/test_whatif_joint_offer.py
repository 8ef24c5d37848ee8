"""The infant mortality page offers the joint scenario (several factors changed together,
WHATIF section 2) as one sentence and the API's link, only where every factor's data are held."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from indicators import whatif_inputs as wi
from indicators.statistics import whatif as w
from indicators.statistics.whatif_wording import word_joint
from indicators.templatetags.comparators import joint_offer
from tests.indicators.test_whatif import HAND, HAND_B, HAND_P, JOINT_SET

INFANT_MORTALITY, SMOKING = 92196, 93085


@pytest.mark.django_db
def test_with_one_factor_held_the_page_offers_no_joint_scenario(client, snapshot):
    # The bundled data hold smoking at delivery; obesity in early pregnancy awaits its refresh.
    assert wi.held_factors() == ["smoking_at_delivery"]
    assert wi.page_joint_statement(INFANT_MORTALITY) is None
    assert wi.page_joint_statement(SMOKING) is None  # a factor's page never offers one
    page = client.get(reverse("indicators:indicator", args=[INFANT_MORTALITY])).content.decode()
    assert 'data-testid="whatif-statement"' in page
    assert 'data-testid="whatif-joint"' not in page


@pytest.mark.django_db
def test_the_api_link_asks_for_both_factors_and_the_api_names_what_is_missing(client, snapshot):
    """The link's form (repeated `factor`) is the API's: with obesity not held it says so."""
    statement = wi.joint_statement(
        "E10000017", "infant_mortality", ["smoking_at_delivery", "obese_bmi30"], "england"
    )
    assert statement.result is None and "obesity" in statement.missing
    response = client.get(
        reverse("api:whatif"),
        {
            "area": "E10000017",
            "outcome": "infant_mortality",
            "factor": ["smoking_at_delivery", "obese_bmi30"],
            "comparator": "england",
        },
    )
    assert response.status_code == 200
    assert "obesity" in response.content.decode()


def test_the_offer_is_the_joint_wording_and_a_link_repeating_factor(settings):
    """The specification's by-hand joint case (Testshire: smoking 25%, obesity 50%, T = 5.4)."""
    comparator = w.Comparator("target", value=5.4, name="the target")
    result = w.run_joint("Testshire", HAND, [HAND_P, HAND_B], JOINT_SET, comparator)
    words = word_joint(result)
    statement = wi.Statement(
        "infant_mortality", "smoking_at_delivery+obese_bmi30", "target", result, words, ()
    )
    offer = joint_offer(statement)
    assert offer["sentence"] == " ".join(filter(None, [words.headline, words.qualifier]))
    assert "reducing them all to 0% together" in offer["sentence"]
    assert offer["factors"] == (
        "smoking at delivery and obesity (BMI 30 or more) in early pregnancy"
    )
    url = urlsplit(offer["api_url"])
    assert url.path == reverse("api:whatif")
    query = parse_qs(url.query)
    assert query["factor"] == ["smoking_at_delivery", "obese_bmi30"]
    assert query["outcome"] == ["infant_mortality"] and query["comparator"] == ["target"]
    assert query["target"] == ["5.4"]
    assert joint_offer(None) is None
    html = render_to_string(
        "indicators/_whatif.html",
        {"statements": [{"title": "A statement", "missing": "not held"}], "joint": offer},
    )
    assert 'data-testid="whatif-joint"' in html
    assert "Smoking at delivery and obesity (BMI 30 or more) in early pregnancy together" in html
    assert (
        "must not be added" in html and "factor=smoking_at_delivery&amp;factor=obese_bmi30" in html
    )
