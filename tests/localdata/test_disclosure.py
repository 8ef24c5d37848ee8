"""Disclosure rules of LOCAL_DATA.md section 5 (no database)."""

from __future__ import annotations

import pytest

from localdata.disclosure import Reason, State, Tier, complementary, count, round5, suppress_grid
from localdata.statistics import deprivation_grid, sii_for


def test_worked_example_of_the_specification():
    deaths = [16, 12, 2, 10, 0, 3, 9, 11, 0, 13]
    hidden = suppress_grid([deaths])
    assert sorted(c for _, c in hidden) == [2, 5, 6]
    assert hidden[(0, 2)] is Reason.SMALL_COUNT
    assert hidden[(0, 6)] is Reason.COMPLEMENTARY
    shown = [count(v, Tier.MEMBERS, hidden.get((0, c))).text for c, v in enumerate(deaths)]
    assert shown == ["15", "10", "*", "10", "0", "*", "*", "10", "0", "15"]
    assert round5(sum(deaths)) == 75


def test_one_small_cell_takes_the_smallest_non_zero_with_it():
    assert complementary([20, 3, 0, 9, 9], {1}) == {1, 3}  # tie broken by display order


def test_zero_is_shown_and_never_picked_as_a_complement():
    assert count(0, Tier.PUBLIC).text == "0"
    assert complementary([0, 5, 0, 40], {1}) == {1, 3}


def test_restricted_tier_sees_every_count():
    assert count(3, Tier.RESTRICTED).value == 3
    assert count(3, Tier.PUBLIC).state is State.SUPPRESSED
    assert count(12, Tier.PUBLIC).value == 10
    assert count(13, Tier.PUBLIC).value == 15


def test_rates_withheld_under_eight_deaths_and_marked_unreliable_under_twenty():
    grid = deprivation_grid(
        [("X", "X")],
        [[1000] * 10],
        [[8, 8, 8, 8, 8, 8, 8, 8, 8, 30]],
        county=("C", "C"),
        tier=Tier.PUBLIC,
    )
    cell = grid.rows[0].cells[0]
    assert cell.rate.state is State.SHOWN and cell.rate.unreliable
    assert not grid.rows[0].cells[9].rate.unreliable
    few = deprivation_grid(
        [("X", "X")], [[1000] * 10], [[0] * 10], county=("C", "C"), tier=Tier.PUBLIC
    )
    assert few.rows[0].cells[0].rate.reason == Reason.RATE_FEW_DEATHS


def test_a_row_with_a_withheld_cell_shows_no_cell_rates():
    deaths = [[40, 30, 3, 30, 30, 30, 30, 30, 30, 30]]
    grid = deprivation_grid(
        [("X", "X")], [[3000] * 10], deaths, county=("C", "C"), tier=Tier.MEMBERS
    )
    assert all(c.rate.value is None for c in grid.rows[0].cells)
    assert grid.rows[0].total.rate.value is not None  # its total may show


def test_secondary_suppression_runs_across_rows_and_columns():
    deaths = [[3, 20, 20], [20, 20, 3], [20, 20, 20]]
    hidden = suppress_grid(deaths)
    for r in range(3):
        in_row = [c for c in range(3) if (r, c) in hidden]
        assert len(in_row) != 1
    for c in range(3):
        in_column = [r for r in range(3) if (r, c) in hidden]
        assert len(in_column) != 1


def test_sii_falls_back_to_quintiles_when_a_decile_is_empty():
    births = [0, 900, 800, 700, 600, 500, 400, 300, 200, 100]
    deaths = [0, 9, 7, 5, 4, 3, 2, 1, 1, 1]
    outcome = sii_for(births, deaths, repetitions=1000)
    assert outcome.basis == "quintiles"
    assert outcome.sii > 0  # positive: most deprived minus least deprived


def test_sii_cannot_be_calculated_when_a_quintile_is_empty():
    births = [0, 0, 800, 700, 600, 500, 400, 300, 200, 100]
    outcome = sii_for(births, [0, 0, 7, 5, 4, 3, 2, 1, 1, 1], repetitions=1000)
    assert not outcome.calculable
    assert outcome.reason.startswith("cannot be calculated")


def test_review_categories_get_secondary_suppression_and_percent_rules():
    from localdata.statistics import percent_row, suppress_column

    reviewed = [30, 5, 0, 22, 40]
    hidden = suppress_column(reviewed)
    assert sorted(hidden) == [1, 3]  # the lone 5 takes the smallest other non-zero with it
    small = percent_row("x", 7, 100, Tier.PUBLIC)
    assert small.percent.value is None and small.numerator.state is State.SUPPRESSED
    thin = percent_row("x", 9, 19, Tier.PUBLIC)
    assert thin.percent.value is None and thin.percent.reason == Reason.SMALL_DENOMINATOR
    fine = percent_row("x", 9, 20, Tier.PUBLIC)
    assert fine.percent.value == pytest.approx(45.0)
    assert percent_row("x", 7, 100, Tier.RESTRICTED).percent.value == pytest.approx(7.0)


def test_spc_uses_only_the_points_an_audience_sees():
    from localdata.statistics import spc_view

    values = [80.0, 82.0, None, 81.0, 83.0, 82.5, 84.0]
    view = spc_view([str(i) for i in range(7)], values, better="increase", target=90)
    assert view.mean == pytest.approx(sum(values[3:]) / 4)  # the run after the gap
    assert view.point_types[:3] == ["", "", ""]
