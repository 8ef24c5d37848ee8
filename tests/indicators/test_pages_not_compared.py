"""A figure that is not compared with a benchmark says why, on the bundled data (issue 12)."""

import html
import re

import pytest
from django.core.cache import cache
from django.urls import reverse


def _tiles(page: str) -> dict[str, str]:
    """The overview's tiles as plain text, by the indicator their heading links to."""
    tiles = {}
    for block in re.findall(r'<li class="tile">(.*?)</li>', page, re.S):
        fingertips_id = re.search(r'href="/indicators/(\d+)/', block).group(1)
        text = html.unescape(re.sub(r"<[^>]+>", " ", block))
        tiles[fingertips_id] = re.sub(r"\s+", " ", text).replace(" :", ":").strip()
    return tiles


@pytest.mark.django_db
def test_home_tiles_say_why_a_figure_is_not_compared(client, snapshot):
    tiles = _tiles(client.get(reverse("indicators:home")).content.decode())

    # Infant mortality: Lancashire's latest is 2016 - 18; the bundled data hold no North West
    # figure for it (the region's are 2015 - 17 and 2022 - 24), while England's is compared.
    imr = tiles["92196"]
    assert "Worse than England" in imr
    assert "Not compared with North West: no North West figure for 2016 - 18" in imr
    # Smoking at delivery: no North West figure for the county's period either.
    assert "Not compared with North West: no North West figure for 2023/24" in tiles["93085"]

    # Low birth weight of term babies, 2024: Lancashire's 2.82 is published without counts or
    # limits, England (2.98) and the North West (2.96) are held: the difference is said, untested.
    lbw = tiles["20101"]
    for benchmark in ("England", "North West"):
        assert (
            f"Not compared with {benchmark}: lower than {benchmark} (2.8 against 3.0); "
            "not tested for significance: no confidence interval"
        ) in lbw
    # No bare "Not compared": every one says why.
    for text in tiles.values():
        assert not re.search(r"Not compared with (England|North West)(?!:)", text), text


@pytest.mark.django_db
def test_area_profile_says_why_a_figure_is_not_compared_with_england(client, snapshot):
    def compared(code: str) -> dict[str, str]:
        cache.clear()  # the page's context, not the whole-page cache's copy
        card = client.get(reverse("indicators:area", args=[code])).context["card"]
        compared = card.columns.index("Compared with England")
        why = card.columns.index("Why not compared with England")
        return {row[0]: f"{row[compared]}: {row[why]}" for row in card.rows}

    lancashire = compared("E10000017")
    assert lancashire["Low birth weight (term)"] == (
        "Not compared: lower than England (2.8 against 3.0); not tested for significance: "
        "no confidence interval"
    )
    # Indicators Fingertips does not compare by intervals say so, not a bare "Not compared".
    assert lancashire["Deprivation score"] == (
        "Not compared: this indicator ranks areas by quintiles and is not tested against England"
    )
    assert lancashire["Perinatal mental health"] == (
        "Not compared: Fingertips makes no comparison with England for this indicator"
    )
    assert compared("E92000001")["Infant mortality"] == "Not compared: this is England's own figure"
    for code in ("E10000017", "E92000001", "E06000009", "E07000117"):
        assert "Not compared: –" not in compared(code).values()


@pytest.mark.django_db
def test_indicator_findings_say_why_the_county_is_not_compared(client, snapshot):
    def text(fingertips_id: int) -> str:
        page = client.get(reverse("indicators:indicator", args=[fingertips_id])).content.decode()
        return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))

    assert "It is not compared with the North West: no North West figure for 2016 - 18." in text(
        92196
    )
    assert (
        "It is not compared with England: lower than England (2.8 against 3.0); not tested for "
        "significance: no confidence interval."
    ) in text(20101)
