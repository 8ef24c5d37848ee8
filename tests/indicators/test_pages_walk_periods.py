"""Figures found undated or inconsistently dated when walking the product as a new user on
the bundled data (issue 12): each says the period it rests on."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_the_spine_charts_rows_name_their_own_periods(client, snapshot):
    """Rows of an area profile are from different periods (infant mortality 2016 - 18, low
    birth weight 2024): the chart and its text say which, not only the table."""
    card = client.get(reverse("indicators:area", args=["E10000017"])).context["card"]
    text = card.alt_text
    assert "Infant mortality (2016 - 18) (4.7; England 3.9)" in text
    assert "Low birth weight (term) (2024)" in text
    assert "Breastfeeding initiation (2016/17)" in text  # England's figure, the county's missing
    assert "Neonatal mortality," in text  # no figures held anywhere: no period to give
    assert "(2016 - 18)" in str(card.figure)  # the chart's own row names


@pytest.mark.django_db
def test_a_whatif_statement_names_the_periods_it_rests_on(client, snapshot):
    """The statement mixes infant mortality of one period with smoking at delivery of another;
    both are said beside the headline, not only in the collapsed inputs table."""
    page = client.get(reverse("indicators:indicator", args=[93085])).content.decode()
    periods = re.findall(r'data-testid="whatif-periods">(.*?)</p>', page)
    assert periods
    for line in periods:
        assert re.search(r"Infant mortality rate, \d{4} - \d\d", line), line
        assert re.search(r"Smoking status at time of delivery, \d{4}/\d\d", line), line


@pytest.mark.django_db
def test_the_data_page_gives_every_extract_date_of_a_source_loaded_from_several_files(
    client, snapshot
):
    """The bundled snapshot is three files: two record an extract date (13 February 2025) and
    one does not. The source's "Data current at" gave only the last file's (not recorded),
    while the overview says 13 February 2025."""
    html = client.get(reverse("indicators:data")).content.decode()
    current = re.search(r'data-testid="source-current-at">(.*?)</dd>', html, re.S).group(1)
    assert "13 February 2025: 670 figures" in current
    assert "extract date not recorded (by the file's source): 2,615 figures" in current


@pytest.mark.django_db
def test_a_row_published_with_a_count_but_no_value_says_so(client, snapshot):
    """Lancashire's breastfeeding initiation, 2016/17: Fingertips gives 8,673 of 12,495 births
    but no rate. The profile said "No data" beside the count 8,673, and "Not compared"."""
    response = client.get(reverse("indicators:area", args=["E10000017"]))
    card = response.context["card"]
    row = {row[0]: row for row in card.rows}["Breastfeeding initiation"]
    assert row[1:4] == ["2016/17", "Value not published", "8,673"]
    assert row[card.columns.index("Compared with England")] == "No value to compare"

    page = client.get(reverse("indicators:indicator", args=[20201]))  # opens on 2016/17
    compare = next(c for c in page.context["cards"] if c.slug == "compare")
    lancashire = next(r for r in compare.rows if r[0] == "Lancashire")
    assert lancashire[1] == "Value not published"
    assert lancashire[4] == "No value to compare"
