import pytest

from indicators.periods import PeriodError, parse_period, range_years


@pytest.mark.parametrize(
    ("label", "kind", "start", "end", "sortable"),
    [
        ("2017", "calendar", 2017, 2017, 20170000),
        ("2017/18", "financial", 2017, 2017, 20170000),
        ("2022 - 24", "calendar", 2022, 2024, 20220000),
        ("1998 - 00", "calendar", 1998, 2000, 19980000),
        ("2020/21 - 22/23", "financial", 2020, 2022, 20200000),
        ("2017 Q1", "calendar_quarter", 2017, 2017, 20170100),
        ("2017/18 Q3", "financial_quarter", 2017, 2017, 20170300),
        ("Jan 2017", "month", 2017, 2017, 20170001),
        ("Dec 2019", "month", 2019, 2019, 20190012),
        ("Aug 2017 - Jul 2018", "custom_year", 2017, 2017, 20170000),
    ],
)
def test_every_fingertips_label_form_parses(label, kind, start, end, sortable):
    period = parse_period(label)
    assert (period.kind, period.start_year, period.end_year) == (kind, start, end)
    assert period.sortable == sortable


def test_three_year_pooled_period_is_not_a_single_year():
    assert parse_period("2022 - 24").years == 3
    assert not parse_period("2022 - 24").is_single_year
    assert parse_period("2022").is_single_year


@pytest.mark.parametrize("label", ["", "22/23", "2017/19", "2017 Q5", "Foo 2017", "2017-18", "n/a"])
def test_labels_fingertips_never_writes_are_rejected(label):
    with pytest.raises(PeriodError):
        parse_period(label)


def test_range_years_reads_the_time_period_range_column():
    assert range_years("3y") == 3
    assert range_years("1m") is None
    assert range_years("") is None
