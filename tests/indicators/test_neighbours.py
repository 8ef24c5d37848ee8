"""Comparator groups: the DfE lists as data, ranks and the group's average (hand-computed)."""

from __future__ import annotations

import math

import pytest
from django.test import Client

from indicators import neighbours
from indicators.neighbours_rank import Member, group_average, rank_group, ranks
from indicators.statistics import Polarity
from indicators.vocabulary import Comparison


def test_ranks_share_ties_and_follow_polarity():
    assert ranks([3.0, 1.0, 3.0, 2.0], Polarity.LOW_IS_GOOD) == [3, 1, 3, 2]
    assert ranks([3.0, 1.0, 3.0, 2.0], Polarity.HIGH_IS_GOOD) == [1, 4, 1, 3]


def test_group_average_is_pooled_when_every_member_has_counts():
    pooled = [
        Member("a", "A", 5.0, count=5, denominator=1000),
        Member("b", "B", 10.0, count=30, denominator=3000),
    ]
    assert group_average(pooled, 1000) == (pytest.approx(8.75), "pooled")
    mixed = [pooled[0], Member("c", "C", 7.0)]
    assert group_average(mixed, 1000) == (pytest.approx(6.0), "mean of values")


def test_rank_group_by_hand():
    members = [
        Member("h", "Home", 6.0, 5.5, 6.5, 60, 10000, is_area=True),
        Member("a", "A", 4.0, 3.5, 4.5, 40, 10000),
        Member("b", "B", 5.0, 4.0, 6.0, 50, 10000),
        Member("c", "C", None),
    ]
    result = rank_group(members, "RAG - Low is good", 1000)
    assert (result.rank, result.of) == (3, 3)
    assert result.average == pytest.approx(5.0)  # 150 / 30,000 × 1,000
    assert result.missing == ("C",) and not result.covered
    by_code = {r.member.code: r for r in result.members}
    assert by_code["h"].comparison == Comparison.WORSE
    assert by_code["a"].comparison == Comparison.BETTER
    assert by_code["b"].comparison == Comparison.SIMILAR
    assert by_code["c"].rank is None


@pytest.mark.django_db
def test_dfe_lists_are_loaded_as_data_and_never_mixed():
    groups = neighbours.dfe_groups()
    assert len(groups) == 6
    assert all(len(g.members) == 10 for g in groups)
    home = neighbours.groups_for("E10000017")
    assert [g.name for g in home] == [
        "DfE children's services statistical neighbours (May 2025 model)",
        "DfE children's services statistical neighbours (April 2021 LGR version)",
    ]
    assert home[0].members[0] == ("E10000019", "Lincolnshire", "Very close")
    assert home[1].members[0] == ("E10000024", "Nottinghamshire", "Extremely close")
    assert "not built for perinatal outcomes" in home[0].purpose


@pytest.mark.django_db
def test_injury_admissions_rank_the_county_among_its_dfe_neighbours(snapshot):
    page = Client().get("/indicators/90284/").content.decode()
    assert 'data-testid="neighbours"' in page
    assert "Rank <strong>9 of 11</strong> (1 is best)" in page
    assert "it ranks 9 of 11 among its DfE statistical neighbours (1 is best)" in page
    assert "not built for perinatal outcomes" in page
    # Infant mortality is not published for the neighbours in the bundled data: no rank.
    infant = Client().get("/indicators/92196/").content.decode()
    assert "ranks" not in infant.split('data-testid="findings"')[1].split("</div>")[0]


@pytest.mark.django_db
def test_fetched_groups_are_ranked_and_a_failed_fetch_is_shown(snapshot):
    from indicators.neighbours_models import PeerGroup

    good = PeerGroup.objects.create(
        kind="cipfa",
        name="CIPFA nearest neighbours",
        area_code="E10000017",
        purpose="Built by CIPFA; not built for perinatal outcomes.",
        version="fetched 2026-12-07",
    )
    for rank, code in enumerate(["E10000024", "E10000019", "E08000002"], start=1):
        good.members.create(code=code, name=code, rank=rank)
    PeerGroup.objects.create(
        kind="nhse",
        name="NHS England peer groups",
        area_code="E10000017",
        purpose="Built by NHS England; not built for perinatal outcomes.",
        fetch_error="2026-12-07 01:00: the API listed no neighbours",
    )
    page = Client().get("/indicators/90284/").content.decode()
    section = page.split('data-testid="neighbours"')[1]
    assert "CIPFA nearest neighbours" in section and "of 4</strong>" in section
    assert (
        "The last fetch of this list failed (2026-12-07 01:00: the API listed no neighbours)"
        in section
    )
    assert "there is no list to show" in section


@pytest.mark.django_db
def test_findings_are_the_first_line_of_each_charts_text_alternative(snapshot):
    import re

    page = Client().get("/indicators/90284/").content.decode()
    findings = re.search(r'data-testid="findings"[^>]*>\s*(.*?)\s*</div>', page, re.S).group(1)
    captions = re.findall(r'<figcaption[^>]*id="[a-z-]+-caption">(.*?)<br>', page, re.S)
    assert captions and all(c == findings.strip() for c in captions)
    assert findings.startswith("In 2023/24, Lancashire")


def test_funnel_limits_and_positions_by_hand():
    from scipy.optimize import brentq
    from scipy.stats import chi2

    from indicators.neighbours_funnel import Point, funnel

    points = [
        Point("A", 50, 10_000, 5.0, is_area=True),
        Point("B", 100, 20_000, 5.0),
        Point("C", 30, 10_000, 3.0),
        Point("D", 200, 20_000, 10.0),
    ]
    result = funnel(points, 1000)
    assert result.average == pytest.approx(380 / 60_000 * 1000)  # pooled
    # At 20,000 people the expected count is 126.67; the 95% funnel is the count whose exact
    # Poisson limit just reaches it (Byar's limits agree to within 0.001 per 1,000 here).
    expected = 380 / 60_000 * 20_000
    upper = brentq(lambda o: chi2.ppf(0.025, 2 * o) / 2 - expected, 1, 1000) / 20
    lower = brentq(lambda o: chi2.ppf(0.975, 2 * o + 2) / 2 - expected, 1, 1000) / 20
    from indicators.statistics import funnel_rate_limits

    got = funnel_rate_limits(
        average_rate=result.average, denominator=20_000, multiplier=1000, confidence=0.95
    )
    assert got == (pytest.approx(lower, abs=0.001), pytest.approx(upper, abs=0.001))
    assert result.labels == (
        "within the limits",
        "below the 95% limit",
        "below the 99.8% limit",
        "above the 99.8% limit",
    )
    assert funnel(points[:2], 1000) is None
    assert "D above the 99.8% limit" in result.text("a group", "per 1,000")


def _wilson(share: float, size: float, z: float) -> tuple[float, float]:
    """The Wilson score interval, written out by hand."""
    centre = share + z * z / (2 * size)
    spread = z * math.sqrt(share * (1 - share) / size + z * z / (4 * size * size))
    return (centre - spread) / (1 + z * z / size), (centre + spread) / (1 + z * z / size)


def test_proportion_funnel_limits_and_positions_by_hand():
    from indicators.neighbours_funnel import Point, funnel
    from indicators.statistics import funnel_proportion_limits

    # By hand: pooled 15% at 400 women; the normal approximation 0.15 ± 1.96 × √(0.15 × 0.85 /
    # 400) gives 11.5% to 18.5%, and the funnel's limits are the shares whose Wilson interval
    # just reaches 15%.
    lower, upper = funnel_proportion_limits(average=0.15, denominator=400, confidence=0.95)
    assert (lower, upper) == (pytest.approx(0.1150, abs=0.0001), pytest.approx(0.1850, abs=0.0001))
    assert _wilson(upper, 400, 1.959964)[0] == pytest.approx(0.15, abs=1e-6)
    assert _wilson(lower, 400, 1.959964)[1] == pytest.approx(0.15, abs=1e-6)

    points = [
        Point("A", 100, 1000, 10.0),
        Point("B", 150, 1000, 15.0),
        Point("C", 200, 1000, 20.0, is_area=True),
    ]
    result = funnel(points, 100, "proportion")
    assert result.average == pytest.approx(15.0)  # 450 of 3,000, as a percentage
    low95, high95 = result.limits["95"]
    at = result.grid.index(min(result.grid, key=lambda n: abs(n - 1000)))
    hand_low, hand_high = funnel_proportion_limits(
        average=0.15, denominator=result.grid[at], confidence=0.95
    )
    assert (low95[at], high95[at]) == (
        pytest.approx(100 * hand_low),
        pytest.approx(100 * hand_high),
    )
    # A: 10% of 1,000, Wilson 99.8% upper 12.8% < 15%; C: 20%, Wilson 99.8% lower 16.4% > 15%.
    assert _wilson(0.10, 1000, 3.090232)[1] < 0.15 < _wilson(0.20, 1000, 3.090232)[0]
    assert result.labels == ("below the 99.8% limit", "within the limits", "above the 99.8% limit")
    assert "pooled proportion of 15.0%: A below the 99.8% limit" in result.text("a group", "%")


def test_proportion_funnel_limits_stay_between_0_and_100_percent_for_small_denominators():
    from indicators.neighbours_funnel import Point, funnel
    from indicators.statistics import funnel_proportion_limits

    # 15% pooled over groups of 10 to 30: the normal form's 99.8% lower limit at 10 women is
    # 0.15 - 3.09 x sqrt(0.15 x 0.85 / 10) = -0.199, a share no group can have.
    assert funnel_proportion_limits(average=0.15, denominator=10, confidence=0.998)[0] < 0
    points = [Point("A", 1, 10, 10.0), Point("B", 3, 20, 15.0), Point("C", 5, 30, 16.7)]
    result = funnel(points, 100, "proportion")
    for lowers, uppers in result.limits.values():
        assert min(lowers) == 0.0  # clipped, not negative
        assert all(0.0 <= value <= 100.0 for value in (*lowers, *uppers))


def test_indicator_pages_draw_a_proportion_funnel_for_a_percentage():
    from types import SimpleNamespace

    from indicators.models import ValueType
    from indicators.neighbours_rank import Member
    from indicators.templatetags.comparators import _funnel

    indicator = SimpleNamespace(value_type=ValueType.PROPORTION, multiplier=100, unit="%")
    members = [
        Member("E1", "A", 10.0, None, None, 100, 1000),
        Member("E2", "B", 15.0, None, None, 150, 1000),
        Member("E3", "C", 20.0, None, None, 200, 1000),
    ]
    chart = _funnel(indicator, members, "a group", "t")
    assert chart is not None
    assert "pooled proportion of 15.0%" in chart["text"]
    score = SimpleNamespace(value_type=ValueType.SCORE, multiplier=1, unit="")
    assert _funnel(score, members, "a group", "t") is None
