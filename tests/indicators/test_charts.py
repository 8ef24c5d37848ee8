"""Chart builders and their text alternatives, on the published 2022-24 figures (no database)."""

from __future__ import annotations

import csv
import itertools
import json
from dataclasses import replace
from pathlib import Path

import pytest

from indicators import chart_text
from indicators.charts import (
    COMPARISON_COLOURS,
    DECILE_AXIS_TITLE,
    NO_DATA,
    NO_DATA_COLOUR,
    AreaBar,
    AreaRole,
    BenchmarkLine,
    DecileBar,
    MapArea,
    SpineRow,
    TrendSeries,
    compare_areas_chart,
    deciles_chart,
    figure_json,
    map_chart,
    missing_periods,
    spine_chart,
    spine_position,
    trend_chart,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
UNIT = "per 1,000 live births"
ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0\n"
    "Contains OS data © Crown copyright and database right 2024"
)
RIBBLE_VALLEY = "E07000124"
PRESTON = "E07000123"


def _number(text: str) -> float | None:
    return float(text) if text else None


@pytest.fixture
def published_bars() -> list[AreaBar]:
    """The 14 published 2022-24 rates, with Ribble Valley withheld and Preston as home area."""
    with (FIXTURES / "reference" / "infant_mortality_2022-24_lancashire14.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    bars = [
        AreaBar(
            code=row["area_code"],
            name=row["area_name"],
            value=_number(row["value"]),
            lower=_number(row["lower_ci_95"]),
            upper=_number(row["upper_ci_95"]),
            comparison=row["compared_to_england"],
            highlighted=row["area_code"] == PRESTON,
        )
        for row in rows
    ]
    return [
        replace(bar, value=None, lower=None, upper=None, comparison="Not compared")
        if bar.code == RIBBLE_VALLEY
        else bar
        for bar in bars
    ]


@pytest.fixture
def benchmarks() -> list[BenchmarkLine]:
    return [
        BenchmarkLine(name="England", value=4.2, role=AreaRole.ENGLAND),
        BenchmarkLine(name="North West", value=4.6, role=AreaRole.REGION),
    ]


@pytest.fixture
def boundaries() -> dict:
    with (FIXTURES / "geo" / "lancashire14_LAD_May_2024_BSC.geo.json").open() as handle:
        return json.load(handle)


@pytest.fixture
def report_deciles() -> list[DecileBar]:
    """The report's decile rates; births are implied by deaths ÷ rate, so they are estimates."""
    with (FIXTURES / "reference" / "report_infant_deaths_by_imd_decile.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    return [
        DecileBar(
            decile=int(row["imd_decile"]),
            value=float(row["imr_per_1000"]),
            lower=round(float(row["imr_per_1000"]) * 0.8, 1),
            upper=round(float(row["imr_per_1000"]) * 1.25, 1),
            count=int(row["infant_deaths"]),
            estimated_denominator=True,
        )
        for row in rows
    ]


def _drawn(values) -> list[float]:
    return [value for value in values if value is not None]


def _bar_traces(fig):
    return [trace for trace in fig.data if trace.type == "bar"]


# --------------------------------------------------------------------------------------------
# Compare areas
# --------------------------------------------------------------------------------------------


def test_compare_areas_draws_a_bar_only_for_areas_with_a_value(published_bars, benchmarks):
    fig = compare_areas_chart(bars=published_bars, benchmarks=benchmarks, unit=UNIT, title="IMR")

    drawn = [x for trace in _bar_traces(fig) for x in _drawn(trace.x)]
    assert len(drawn) == 13
    assert 0 not in drawn
    assert RIBBLE_VALLEY not in [y for trace in _bar_traces(fig) for y in trace.y]


def test_compare_areas_lists_an_area_without_a_value_as_no_data(published_bars, benchmarks):
    fig = compare_areas_chart(bars=published_bars, benchmarks=benchmarks, unit=UNIT, title="IMR")

    assert RIBBLE_VALLEY in fig.layout.yaxis.categoryarray
    notes = [a for a in fig.layout.annotations if a.y == RIBBLE_VALLEY]
    assert len(notes) == 1
    assert NO_DATA in notes[0].text
    assert "Ribble Valley" in notes[0].hovertext


def test_compare_areas_ranks_the_largest_value_at_the_top(published_bars, benchmarks):
    fig = compare_areas_chart(bars=published_bars, benchmarks=benchmarks, unit=UNIT, title="IMR")

    valued = sorted((b for b in published_bars if b.value is not None), key=lambda b: -b.value)
    order = list(fig.layout.yaxis.categoryarray)
    assert order[0] == "E06000009"  # Blackpool, 7.8
    assert [fig.layout.yaxis.ticktext[order.index(b.code)] for b in valued[:3]] == [
        "Blackpool",
        "Rossendale",
        "Blackburn with Darwen",
    ]
    values = {b.code: b.value for b in valued}
    ranked = [values[code] for code in order if code in values]
    assert ranked == sorted(ranked, reverse=True)
    assert order[-1] == RIBBLE_VALLEY
    assert fig.layout.yaxis.autorange == "reversed"


def test_compare_areas_colours_each_bar_by_its_comparison(published_bars, benchmarks):
    fig = compare_areas_chart(bars=published_bars, benchmarks=benchmarks, unit=UNIT, title="IMR")

    by_code = {b.code: b for b in published_bars}
    assert {trace.name for trace in _bar_traces(fig)} == {"Better", "Similar", "Worse"}
    for trace in _bar_traces(fig):
        assert trace.marker.color == COMPARISON_COLOURS[trace.name]
        assert {by_code[code].comparison for code in trace.y} == {trace.name}
    assert COMPARISON_COLOURS["Worse"] == "#C00000"
    assert COMPARISON_COLOURS["Better"] == "#92D050"
    assert COMPARISON_COLOURS["Similar"] == "#FFC000"


def test_compare_areas_error_bars_span_the_95_percent_interval(published_bars, benchmarks):
    fig = compare_areas_chart(bars=published_bars, benchmarks=benchmarks, unit=UNIT, title="IMR")

    by_code = {b.code: b for b in published_bars}
    for trace in _bar_traces(fig):
        assert trace.error_x.symmetric is False
        for code, plus, minus in zip(
            trace.y, trace.error_x.array, trace.error_x.arrayminus, strict=True
        ):
            bar = by_code[code]
            assert plus == pytest.approx(bar.upper - bar.value)
            assert minus == pytest.approx(bar.value - bar.lower)
    blackpool = next(t for t in _bar_traces(fig) if "E06000009" in t.y)
    index = list(blackpool.y).index("E06000009")
    assert (blackpool.error_x.arrayminus[index], blackpool.error_x.array[index]) == (2.5, 3.1)


def test_compare_areas_draws_a_labelled_dashed_line_per_benchmark(published_bars, benchmarks):
    fig = compare_areas_chart(bars=published_bars, benchmarks=benchmarks, unit=UNIT, title="IMR")

    lines = {shape.name: shape for shape in fig.layout.shapes}
    assert set(lines) == {"England: 4.2", "North West: 4.6"}
    assert lines["England: 4.2"].x0 == lines["England: 4.2"].x1 == 4.2
    assert lines["North West: 4.6"].x0 == 4.6
    assert lines["England: 4.2"].line.color == "#0b0c0c"
    assert all(shape.line.dash != "solid" for shape in lines.values())
    labels = [a.text for a in fig.layout.annotations]
    assert "England 4.2" in labels and "North West 4.6" in labels


def test_compare_areas_skips_a_benchmark_without_a_value(published_bars):
    fig = compare_areas_chart(
        bars=published_bars,
        benchmarks=[BenchmarkLine(name="England", value=4.2), BenchmarkLine("Region", None)],
        unit=UNIT,
        title="IMR",
    )

    assert [shape.name for shape in fig.layout.shapes] == ["England: 4.2"]


def test_compare_areas_shows_the_home_area_in_bold(published_bars, benchmarks):
    fig = compare_areas_chart(bars=published_bars, benchmarks=benchmarks, unit=UNIT, title="IMR")

    labels = dict(zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext, strict=True))
    assert labels[PRESTON] == "<b>Preston</b>"
    assert labels["E06000009"] == "Blackpool"


def test_compare_areas_grows_taller_with_more_areas(published_bars, benchmarks):
    short = compare_areas_chart(bars=published_bars[:4], benchmarks=benchmarks, unit=UNIT, title="")
    tall = compare_areas_chart(bars=published_bars, benchmarks=benchmarks, unit=UNIT, title="")

    assert tall.layout.height > short.layout.height


# --------------------------------------------------------------------------------------------
# Trend
# --------------------------------------------------------------------------------------------

PERIODS = ["2018 - 20", "2019 - 21", "2020 - 22", "2021 - 23", "2022 - 24"]


@pytest.fixture
def trend_series() -> list[TrendSeries]:
    return [
        TrendSeries(
            name="England", periods=PERIODS, values=[3.9, 3.8, 3.9, 4.1, 4.2], role=AreaRole.ENGLAND
        ),
        TrendSeries(
            name="North West",
            periods=PERIODS,
            values=[4.2, 4.1, 4.3, 4.5, 4.6],
            role=AreaRole.REGION,
        ),
        TrendSeries(
            name="Blackpool",
            periods=PERIODS,
            values=[5.9, None, 7.1, 7.3, 7.8],
            lowers=[3.6, None, 4.6, 4.8, 5.3],
            uppers=[9.1, None, 10.4, 10.6, 10.9],
            is_main=True,
        ),
    ]


def test_trend_leaves_a_gap_where_a_value_is_missing(trend_series):
    fig = trend_chart(series=trend_series, unit=UNIT, title="Trend")

    main = next(trace for trace in fig.data if trace.name == "Blackpool")
    assert list(main.y) == [5.9, None, 7.1, 7.3, 7.8]
    assert main.connectgaps is False
    assert len(_drawn(main.y)) == 4
    assert [a.hovertext for a in fig.layout.annotations] == ["Blackpool, 2019 - 21: no data"]
    for trace, series in zip(
        sorted(fig.data, key=lambda t: t.name),
        sorted(trend_series, key=lambda s: s.name),
        strict=True,
    ):
        assert len(_drawn(trace.y)) == len(_drawn(series.values))


def test_trend_puts_periods_in_order_on_a_time_axis(trend_series):
    fig = trend_chart(series=trend_series, unit=UNIT, title="Trend")

    assert fig.layout.xaxis.type == "linear"
    assert list(fig.layout.xaxis.ticktext) == PERIODS
    steps = [b - a for a, b in itertools.pairwise(fig.layout.xaxis.tickvals)]
    assert all(step == pytest.approx(1, abs=0.01) for step in steps)


def test_trend_spaces_unequal_periods_by_real_time_and_shows_the_gap():
    """Issue 12: 2015-17, 2016-18, 2022-24 were drawn evenly spaced, hiding five periods."""
    periods = ["2015 - 17", "2016 - 18", "2022 - 24"]
    series = [
        TrendSeries(name="Lancashire", periods=periods, values=[4.7, 4.7, None], is_main=True),
        TrendSeries(name="England", periods=periods, values=[3.9, 3.9, 4.2]),
    ]
    fig = trend_chart(series=series, unit=UNIT, title="Trend")

    first, second, last = fig.layout.xaxis.tickvals
    assert last - second == pytest.approx(6 * (second - first), abs=0.02)
    missing = ["2017 - 19", "2018 - 20", "2019 - 21", "2020 - 22", "2021 - 23"]
    assert missing_periods(periods) == missing
    england = next(t for t in fig.data if t.name == "England")
    assert list(england.text) == ["2015 - 17", "2016 - 18", *missing, "2022 - 24"]
    assert list(england.y) == [3.9, 3.9, None, None, None, None, None, 4.2]  # the line breaks
    assert england.connectgaps is False
    assert len(fig.layout.shapes) == 5  # each missing period shaded
    notes = {a.hovertext for a in fig.layout.annotations}
    assert {f"{p}: no figures published" for p in missing} <= notes


def test_trend_shows_intervals_for_the_main_area_only(trend_series):
    fig = trend_chart(series=trend_series, unit=UNIT, title="Trend")

    main = next(trace for trace in fig.data if trace.name == "Blackpool")
    assert list(main.error_y.array) == pytest.approx([3.2, None, 3.3, 3.3, 3.1])
    assert main.error_y.arrayminus[-1] == pytest.approx(2.5)
    assert main.error_y.arrayminus[1] is None
    assert all(trace.error_y.array is None for trace in fig.data if trace.name != "Blackpool")
    assert fig.data[-1].name == "Blackpool"  # drawn last, so on top


def test_trend_gives_each_benchmark_its_own_colour_and_dash(trend_series):
    fig = trend_chart(series=trend_series, unit=UNIT, title="Trend")

    lines = {trace.name: trace.line for trace in fig.data}
    assert lines["England"].color == "#0b0c0c"
    assert lines["North West"].color == "#1d70b8"
    assert lines["Blackpool"].color == "#d4351c"
    assert len({line.dash for line in lines.values()}) == 3


def test_line_styles_go_by_the_areas_role_not_its_name():
    # Another county's region is drawn as the North West was: blue and dotted, by its role.
    series = [
        TrendSeries(name="South East", periods=["a"], values=[1.0], role=AreaRole.REGION),
        TrendSeries(name="England", periods=["a"], values=[1.0], role=AreaRole.ENGLAND),
        TrendSeries(name="Kent", periods=["a"], values=[1.0], is_main=True, role=AreaRole.HOME),
    ]
    lines = {t.name: t.line for t in trend_chart(series=series, unit=UNIT, title="T").data}
    assert (lines["South East"].color, lines["South East"].dash) == ("#1d70b8", "dot")
    assert (lines["England"].color, lines["England"].dash) == ("#0b0c0c", "dash")
    assert lines["Kent"].color == "#d4351c"
    bars = [AreaBar("E10000016", "Kent", 2.0, 1.0, 3.0, "Similar")]
    fig = compare_areas_chart(
        bars=bars,
        benchmarks=[BenchmarkLine("South East", 1.5, role=AreaRole.REGION)],
        unit=UNIT,
        title="C",
    )
    assert [shape.line.color for shape in fig.layout.shapes] == ["#1d70b8"]


def test_trend_series_rejects_values_that_do_not_match_the_periods():
    with pytest.raises(ValueError, match="2 values for 3 periods"):
        TrendSeries(name="England", periods=["a", "b", "c"], values=[1.0, 2.0])


# --------------------------------------------------------------------------------------------
# Map
# --------------------------------------------------------------------------------------------


def _map_areas(bars: list[AreaBar]) -> list[MapArea]:
    return [
        MapArea(
            code=b.code,
            name=b.name,
            value=b.value,
            lower=b.lower,
            upper=b.upper,
            comparison=b.comparison,
        )
        for b in bars
    ]


def _map(bars, boundaries):
    return map_chart(
        geojson=boundaries,
        featureidkey="properties.LAD24CD",
        areas=_map_areas(bars),
        title="IMR compared with England",
        attribution=ATTRIBUTION,
        unit=UNIT,
    )


def _area_traces(fig):
    return [trace for trace in fig.data if trace.meta and "codes" in trace.meta]


def test_map_fills_every_district_in_its_comparison_colour(published_bars, boundaries):
    fig = _map(published_bars, boundaries)

    by_code = {b.code: b for b in published_bars}
    areas = _area_traces(fig)
    assert sorted(code for trace in areas for code in trace.meta["codes"]) == sorted(by_code)
    for trace in areas:
        if trace.name == NO_DATA:
            assert trace.meta["codes"] == [RIBBLE_VALLEY]
            assert trace.fillcolor == NO_DATA_COLOUR
        else:
            assert trace.fillcolor == COMPARISON_COLOURS[trace.name]
            assert {by_code[code].comparison for code in trace.meta["codes"]} == {trace.name}
        assert trace.fill == "toself"


def test_map_hover_targets_name_every_area_and_label_no_data(published_bars, boundaries):
    fig = _map(published_bars, boundaries)

    targets = next(trace for trace in fig.data if trace.name == "Areas")
    assert sorted(targets.ids) == sorted(b.code for b in published_bars)
    labels = dict(zip(targets.ids, targets.text, strict=True))
    assert labels[RIBBLE_VALLEY] == NO_DATA
    assert labels["E06000009"] == ""
    hover = dict(zip(targets.ids, targets.customdata, strict=True))
    assert hover["E06000009"][1] == "7.8 per 1,000 live births"
    assert "5.3 to 10.9" in hover["E06000009"][2]
    assert "Worse" in hover["E06000009"][3]
    assert hover[RIBBLE_VALLEY][1] == NO_DATA


def test_map_fits_the_districts_with_no_basemap_and_carries_the_attribution(
    published_bars, boundaries
):
    fig = _map(published_bars, boundaries)

    assert fig.layout.geo.fitbounds == "locations"
    assert fig.layout.geo.visible is False
    texts = [a.text for a in fig.layout.annotations]
    assert any("Office for National Statistics" in t and "Crown copyright" in t for t in texts)
    assert any("<br>Contains OS data" in t for t in texts)


def test_map_needs_no_topojson_download(published_bars, boundaries):
    # plotly.js fetches a world topojson from its CDN for any trace with a locationmode.
    fig = _map(published_bars, boundaries)

    assert {trace.type for trace in fig.data} == {"scattergeo"}
    assert all(trace.locations is None for trace in fig.data)


def test_map_sends_only_the_drawn_districts(published_bars, boundaries):
    three = [b for b in published_bars if b.code in {"E06000008", "E06000009", PRESTON}]
    fig = _map(three, boundaries)

    codes = [code for trace in _area_traces(fig) for code in trace.meta["codes"]]
    assert sorted(codes) == ["E06000008", "E06000009", PRESTON]
    assert len(figure_json(fig)) < len(figure_json(_map(published_bars, boundaries))) / 2


def test_map_draws_outer_rings_clockwise_so_they_are_not_inverted():
    square = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "A"},
                # Anticlockwise, as RFC 7946 winds outer rings.
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
                },
            }
        ],
    }
    fig = map_chart(
        geojson=square,
        featureidkey="properties.code",
        areas=[MapArea("A", "Area A", 1.0, 0.5, 1.5, "Similar")],
        title="",
        attribution="",
    )

    trace = _area_traces(fig)[0]
    ring = list(zip(trace.lon[:-1], trace.lat[:-1], strict=True))
    twice_area = sum((x2 - x1) * (y2 + y1) for (x1, y1), (x2, y2) in itertools.pairwise(ring))
    assert twice_area > 0  # clockwise
    assert trace.lon[-1] is None


# --------------------------------------------------------------------------------------------
# Deprivation deciles
# --------------------------------------------------------------------------------------------


def test_deciles_draw_a_bar_for_each_decile_with_a_value(report_deciles):
    gappy = [
        replace(d, value=None, lower=None, upper=None) if d.decile == 4 else d
        for d in report_deciles
    ]
    fig = deciles_chart(deciles=gappy, unit=UNIT, title="By decile")

    xs = [x for trace in _bar_traces(fig) for x in trace.x]
    ys = [y for trace in _bar_traces(fig) for y in _drawn(trace.y)]
    assert sorted(xs) == [1, 2, 3, 5, 6, 7, 8, 9, 10]
    assert len(ys) == 9 and 0 not in ys
    assert [(a.x, NO_DATA in a.text) for a in fig.layout.annotations] == [(4, True)]


def test_deciles_error_bars_span_the_interval(report_deciles):
    fig = deciles_chart(deciles=report_deciles, unit=UNIT, title="By decile")

    trace = _bar_traces(fig)[0]
    by_decile = {d.decile: d for d in report_deciles}
    for decile, plus, minus in zip(
        trace.x, trace.error_y.array, trace.error_y.arrayminus, strict=True
    ):
        assert plus == pytest.approx(by_decile[decile].upper - by_decile[decile].value)
        assert minus == pytest.approx(by_decile[decile].value - by_decile[decile].lower)


def test_deciles_mark_estimated_births_with_hatching_and_hover(report_deciles):
    mixed = [replace(d, estimated_denominator=d.decile > 5) for d in report_deciles]
    fig = deciles_chart(deciles=mixed, unit=UNIT, title="By decile")

    known, estimated = _bar_traces(fig)
    assert list(known.x) == [1, 2, 3, 4, 5] and known.marker.pattern.shape == ""
    assert list(estimated.x) == [6, 7, 8, 9, 10] and estimated.marker.pattern.shape == "/"
    assert all("estimated births" in row[3] for row in estimated.customdata)
    assert not any(row[3] for row in known.customdata)


def test_deciles_draw_the_fitted_sii_line_across_the_deciles(report_deciles):
    fig = deciles_chart(deciles=report_deciles, unit=UNIT, title="By decile", sii_line=(6.9, 2.2))

    line = next(trace for trace in fig.data if trace.type == "scatter")
    assert list(line.x) == [0.5, 10.5]
    assert list(line.y) == [6.9, 2.2]
    assert fig.layout.xaxis.title.text == DECILE_AXIS_TITLE == "IMD decile (1 = most deprived)"
    assert list(fig.layout.xaxis.tickvals) == list(range(1, 11))


def test_deciles_without_an_sii_draw_no_line(report_deciles):
    fig = deciles_chart(deciles=report_deciles, unit=UNIT, title="By decile")

    assert [trace.type for trace in fig.data] == ["bar"]


# --------------------------------------------------------------------------------------------
# Spine chart
# --------------------------------------------------------------------------------------------


@pytest.fixture
def spine_rows() -> list[SpineRow]:
    return [
        SpineRow(
            "Infant mortality",
            7.8,
            4.2,
            worst=7.8,
            best=1.7,
            q25=3.9,
            q75=5.3,
            comparison="Worse",
            polarity_low_is_good=True,
        ),
        SpineRow(
            "Breastfeeding",
            58.2,
            71.7,
            worst=52.0,
            best=85.0,
            q25=63.0,
            q75=74.0,
            comparison="Worse",
            polarity_low_is_good=False,
        ),
        SpineRow(
            "Smoking at delivery",
            None,
            7.4,
            worst=15.1,
            best=3.2,
            q25=6.0,
            q75=10.0,
            comparison="Not compared",
            polarity_low_is_good=True,
        ),
        SpineRow(
            "Stillbirths",
            3.0,
            3.9,
            worst=6.1,
            best=1.9,
            q25=3.3,
            q75=4.4,
            comparison="Better",
            polarity_low_is_good=True,
        ),
    ]


def test_spine_puts_england_at_the_centre():
    for low_is_good in (True, False, None):
        position = spine_position(
            value=4.2, england=4.2, worst=7.8, best=1.7, low_is_good=low_is_good
        )
        assert position == 0.5


def test_spine_scales_the_end_furthest_from_england_to_the_edge():
    # Low is good: the worst (highest) value is 3.6 from England, further than the best (2.5).
    assert spine_position(value=7.8, england=4.2, worst=7.8, best=1.7, low_is_good=True) == 0
    best = spine_position(value=1.7, england=4.2, worst=7.8, best=1.7, low_is_good=True)
    assert best == pytest.approx(0.5 + 2.5 / 7.2)
    # High is good: the best (highest) value goes right.
    assert spine_position(value=85.0, england=71.7, worst=52, best=85, low_is_good=False) == (
        pytest.approx(0.5 + 13.3 / 39.4)
    )
    assert spine_position(value=52.0, england=71.7, worst=52, best=85, low_is_good=False) == 0


def test_spine_puts_lower_values_left_when_there_is_no_judgement():
    lower = spine_position(value=3.0, england=4.0, worst=2.0, best=6.0, low_is_good=None)
    assert lower is not None and lower < 0.5


def test_spine_has_no_position_without_a_value_or_england():
    assert spine_position(value=None, england=4.2, worst=7.8, best=1.7, low_is_good=True) is None
    assert spine_position(value=4.0, england=None, worst=7.8, best=1.7, low_is_good=True) is None


def test_spine_chart_draws_england_as_the_centre_line(spine_rows):
    fig = spine_chart(rows=spine_rows, title="Blackpool")

    england = next(shape for shape in fig.layout.shapes if shape.name == "England")
    assert england.x0 == england.x1 == 0.5
    ranges = [s for s in fig.layout.shapes if s.legendgroup == "range"]
    assert len(ranges) == 4
    assert all(s.x0 <= 0.5 <= s.x1 for s in ranges)
    assert [s.showlegend for s in ranges] == [True, False, False, False]


def test_spine_chart_colours_markers_by_comparison_and_skips_missing_rows(spine_rows):
    fig = spine_chart(rows=spine_rows, title="Blackpool")

    markers = {trace.name: trace for trace in fig.data}
    assert set(markers) == {"Worse", "Better"}
    assert markers["Worse"].marker.color == COMPARISON_COLOURS["Worse"]
    assert sum(len(trace.x) for trace in fig.data) == 3
    assert list(markers["Worse"].y) == [0, 1]
    assert markers["Worse"].x[0] == 0  # the worst area sits at the left edge
    no_data = [a for a in fig.layout.annotations if NO_DATA in a.text and a.xref == "x"]
    assert [a.y for a in no_data] == [2]


def test_spine_chart_grows_taller_with_more_rows(spine_rows):
    assert (
        spine_chart(rows=spine_rows, title="").layout.height
        > spine_chart(rows=spine_rows[:2], title="").layout.height
    )


# --------------------------------------------------------------------------------------------
# Every figure
# --------------------------------------------------------------------------------------------


def test_every_figure_is_plain_white_json_in_the_bundled_font(
    published_bars, benchmarks, boundaries, report_deciles, trend_series, spine_rows
):
    figures = [
        compare_areas_chart(bars=published_bars, benchmarks=benchmarks, unit=UNIT, title="A"),
        trend_chart(series=trend_series, unit=UNIT, title="B"),
        _map(published_bars, boundaries),
        deciles_chart(deciles=report_deciles, unit=UNIT, title="D"),
        spine_chart(rows=spine_rows, title="E"),
    ]
    for fig in figures:
        layout = json.loads(figure_json(fig))["layout"]
        assert layout["template"]["layout"]["font"]["family"].startswith("Arimo")
        assert layout["template"]["layout"]["plot_bgcolor"] == "#ffffff"
        assert layout["title"]["text"]


# --------------------------------------------------------------------------------------------
# Text alternatives
# --------------------------------------------------------------------------------------------


def test_compare_text_names_highest_lowest_counts_and_missing(published_bars):
    text = chart_text.describe_compare_areas(
        bars=published_bars,
        benchmark_name="England",
        unit=UNIT,
        title="Infant mortality, 2022 - 24",
    )

    assert text.startswith("Infant mortality, 2022 - 24: 14 areas.")
    assert "Blackpool is highest at 7.8 per 1,000 live births" in text
    assert "Fylde and South Ribble lowest at 1.7" in text
    assert "2 areas are significantly worse than England, 10 similar, 1 better." in text
    assert "Preston is 4.7 per 1,000 live births (95% confidence interval 3.0 to 6.9)" in text
    assert text.endswith("No data for: Ribble Valley.")
    assert " 0.0" not in text


def test_compare_text_says_none_when_no_area_differs():
    bars = [AreaBar(f"E{i}", f"Area {i}", 4.0 + i / 10, 3.0, 6.0, "Similar") for i in range(3)]

    text = chart_text.describe_compare_areas(bars=bars, benchmark_name="England", unit="%")

    assert "No areas are significantly worse than England, 3 similar, none better." in text
    assert "Area 2 is highest at 4.2%" in text


def test_trend_text_gives_first_latest_extremes_and_gaps(trend_series):
    text = chart_text.describe_trend(series=trend_series, unit=UNIT)

    assert text.startswith(
        "Blackpool: 5.9 per 1,000 live births in 2018 - 20 and 7.8 in 2022 - 24."
    )
    assert "Highest 7.8 in 2022 - 24, lowest 5.9 in 2018 - 20." in text
    assert "England: 3.9 in 2018 - 20 and 4.2 in 2022 - 24." in text
    assert "No data for Blackpool in 2019 - 21." in text


def test_map_text_counts_each_colour_and_lists_missing(published_bars):
    text = chart_text.describe_map(areas=_map_areas(published_bars), unit=UNIT)

    assert "2 significantly worse than England (Blackburn with Darwen and Blackpool)" in text
    assert "10 similar to England" in text
    assert "1 significantly better than England (South Ribble)" in text
    assert "No data for: Ribble Valley." in text


def test_deciles_text_gives_the_gradient_the_sii_and_the_estimate(report_deciles):
    gappy = [replace(d, value=None) if d.decile == 4 else d for d in report_deciles]

    text = chart_text.describe_deciles(deciles=gappy, unit=UNIT, sii=(6.9, 2.2))

    assert "Highest in decile 1 at 6.7 per 1,000 live births, lowest in decile 9 at 2.7." in text
    assert "from 6.9 at the most deprived end to 2.2 at the least deprived end" in text
    assert "a gap of 4.7 per 1,000 live births" in text
    # The rates are as published; only the limits rest on the estimated births.
    assert "Births for all deciles are estimated, so their 95% limits are approximate" in text
    assert "the rates are as published" in text and "rates are approximate" not in text
    assert text.endswith("No data for decile 4.")


def test_spine_text_groups_indicators_by_comparison(spine_rows):
    text = chart_text.describe_spine(rows=spine_rows, area_name="Blackpool")

    assert text.startswith("Area profile for Blackpool: 4 indicators compared with England.")
    assert (
        "Significantly worse than England: Infant mortality (7.8; England 4.2); "
        "Breastfeeding (58.2; England 71.7)." in text
    )
    assert "Significantly better than England: Stillbirths (3.0; England 3.9)." in text
    assert text.endswith("No data: Smoking at delivery.")


def test_map_of_an_indicator_without_polarity_fills_by_value_with_a_colour_bar(
    published_bars, boundaries
):
    """Issue 12: the deprivation score map was flat grey ("Not compared" everywhere)."""
    areas = [
        MapArea(a.code, a.name, a.value, a.lower, a.upper, comparison="Not compared")
        for a in _map_areas(published_bars)
    ]
    fig = map_chart(
        geojson=boundaries,
        featureidkey="properties.LAD24CD",
        areas=areas,
        title="Deprivation score",
        attribution=ATTRIBUTION,
        unit="score",
        by_value=True,
    )
    fills = {code: t.fillcolor for t in _area_traces(fig) for code in t.meta["codes"]}
    valued = {a.code: a.value for a in areas if a.value is not None}
    assert len({fills[code] for code in valued}) > 5  # a scale, not one grey
    lowest, highest = min(valued, key=valued.get), max(valued, key=valued.get)
    assert fills[lowest] != fills[highest]
    assert all(fills[a.code] == NO_DATA_COLOUR for a in areas if a.value is None)
    bar = next(t for t in fig.data if t.marker and t.marker.showscale)
    assert bar.marker.colorbar.title.text == "score"  # not "Deprivation score score"
    assert bar.marker.colorscale  # Cividis: readable with colour-vision deficiency


def test_spine_of_indicators_without_polarity_says_lowest_and_highest():
    """Issue 12: deprivation, fertility and perinatal mental health said Worst/Best."""
    rows = [
        SpineRow(
            indicator="Deprivation score",
            area_value=37.8,
            england_value=21.7,
            worst=10.0,  # no polarity: the lowest
            best=45.0,  # and the highest
            q25=None,
            q75=None,
            comparison="Higher",
            polarity_low_is_good=None,
        )
    ]
    fig = spine_chart(rows=rows, title="Profile")
    headings = [a.text for a in fig.layout.annotations if a.yref == "paper"]
    assert "<b>Lowest</b>" in headings and "<b>Highest</b>" in headings
    assert not any("Worst" in h or "Best" in h for h in headings)
    marker = fig.data[0]
    assert "Lowest" in marker.customdata[0][5] and "highest" in marker.customdata[0][6]
    # Low values sit left and high values right: no polarity inverts nothing.
    assert marker.x[0] > 0.5
    assert fig.layout.meta["narrow"]["width_below"] == 600  # a phone layout travels with it
