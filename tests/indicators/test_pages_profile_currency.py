"""An area profile says plainly where a row's figure is older than the newest figures held for
its indicator, as the overview's tiles do (issue 12): Lancashire's infant mortality is 2016-18,
its districts' run to 2022-24."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

OLDER = "Older than the newest figures held:"


@pytest.mark.django_db
def test_the_countys_older_infant_mortality_says_so_on_its_profile(client, snapshot):
    response = client.get(reverse("indicators:area", args=["E10000017"]))
    html = response.content.decode()

    lines = {line.indicator.fingertips_id: line for line in response.context["profile"]}
    imr = lines[92196]
    assert imr.period == "2016 - 18"
    assert imr.newer == "2022 - 24"
    assert (
        f"{OLDER}</strong> Lancashire has no figure for 2022 - 24, the latest period held "
        "for this indicator." in html
    )
    assert "Infant mortality</a>, 2016 - 18" in html
    card = response.context["card"]
    rows = {row[0]: row for row in card.rows}
    newest = card.columns.index("Newest period held for the indicator, when newer")
    assert rows["Infant mortality"][1] == "2016 - 18"
    assert rows["Infant mortality"][newest] == "2022 - 24"
    assert rows["Smoking at delivery"][newest] == "–"

    download = client.get(reverse("indicators:area-csv", args=["E10000017"])).content.decode()
    table = list(csv.DictReader(io.StringIO(download)))
    row = next(r for r in table if r["Indicator"] == "Infant mortality")
    assert row["Period"] == "2016 - 18"
    assert row["Newest period held for the indicator, when newer"] == "2022 - 24"


@pytest.mark.django_db
def test_a_district_whose_figures_are_the_newest_carries_no_such_note(client, snapshot):
    response = client.get(reverse("indicators:area", args=["E07000117"]))

    lines = {line.indicator.fingertips_id: line for line in response.context["profile"]}
    assert lines[92196].period == "2022 - 24" and lines[92196].newer == ""
    assert all(not line.newer for line in lines.values() if line.area is None)
