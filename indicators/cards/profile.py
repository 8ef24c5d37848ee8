"""The area profile's card: every indicator for one area against England (a spine chart)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from indicators import chart_text, charts
from indicators.cards.card import ChartCard, figure_dict, low_is_good
from indicators.cards.cells import count_cell, count_csv, number_cell, value_cell
from indicators.configuration import AreasConfig, areas_config
from indicators.formatting import format_number
from indicators.models import Observation, Origin
from indicators.not_compared import not_compared_reason
from indicators.vocabulary import NOT_COMPARED

ABOUT = [
    "Each row is centred on England's value. The grey bar runs from the worst to the best "
    "value among the areas of the same kind held here (districts and unitaries, or counties "
    "and unitaries); the darker bar is their middle half. The marker is this area, coloured "
    "by its comparison with England at 95% confidence.",
    "The latest period with data is used for each indicator, so periods can differ by row. "
    "Where this area's latest figure is older than the newest held for the indicator (for "
    "other areas), the table says so and names the newer period.",
]


@dataclass(frozen=True)
class NewestHeld:
    """The newest period with a published headline figure for an indicator, any area."""

    sortable: int
    label: str


def newest_held(indicators) -> dict[int, NewestHeld]:
    """Per indicator (by primary key), the newest period any area has a published figure for."""
    newest: dict[int, NewestHeld] = {}
    pairs = (
        Observation.objects.headline()
        .filter(indicator__in=indicators, origin=Origin.PUBLISHED, value__isnull=False)
        .values_list("indicator_id", "period_sortable", "period_label")
        .distinct()
    )
    for indicator_id, sortable, label in pairs:
        if indicator_id not in newest or sortable > newest[indicator_id].sortable:
            newest[indicator_id] = NewestHeld(sortable, label)
    return newest


@dataclass(frozen=True)
class ProfileLine:
    """An area profile's row as the page lists it: its period, and the newer period held for
    the indicator when the area's figure is older than that (said plainly, as the tiles do)."""

    row: object  # profiles.ProfileRow
    newer: str = ""  # the newest period held for the indicator, when the row's is older

    def __getattr__(self, name: str):
        if name == "row" or name.startswith("__"):
            raise AttributeError(name)  # not yet set (while unpickling from the cache)
        return getattr(self.row, name)  # indicator, period, area, england, worst, best...


def profile_lines(area, rows, newest: dict[int, NewestHeld]) -> list[ProfileLine]:
    lines = []
    for row in rows:
        held = newest.get(row.indicator.pk)
        mine = row.area
        older = held and mine and mine.period_sortable < held.sortable
        lines.append(ProfileLine(row, held.label if older else ""))
    return lines


def profile_card(area, rows, newest: dict[int, NewestHeld] | None = None) -> ChartCard:
    """The area profile's spine chart, with its table and download. A row whose figure is
    older than the newest held for its indicator says so in its period cell and CSV column."""
    newer = {line.indicator.pk: line.newer for line in profile_lines(area, rows, newest or {})}
    config = areas_config()
    card = _empty_card(area, config)
    spine_rows = []
    for row in rows:
        comparison = _comparison(row.area)
        why = _why_not_compared(row, comparison, config)
        spine_rows.append(_spine_row(row, comparison))
        card.rows.append(_table_row(row, comparison, newer[row.indicator.pk], why))
        card.csv_rows.append(_csv_row(row, comparison, newer[row.indicator.pk], why))
    fig = charts.spine_chart(rows=spine_rows, title=card.title)
    card.figure = figure_dict(fig)
    card.points = sum(r.area_value is not None for r in spine_rows)
    card.alt_text = chart_text.describe_spine(rows=spine_rows, area_name=area.name)
    card.about = list(ABOUT)
    return card


def _empty_card(area, config: AreasConfig) -> ChartCard:
    return ChartCard(
        slug="profile",
        title=f"{area.name}: every indicator against {config.england.name}",
        columns=[
            "Indicator",
            "Period",
            "Value",
            "Count",
            "England",
            # An indicator without polarity has no worst or best: its ends are the lowest and
            # highest value (as Fingertips labels them).
            "Worst (or lowest)",
            "Best (or highest)",
            f"Compared with {config.england.name}",
            "Newest period held for the indicator, when newer",
            # Why a figure is not compared: no England figure for its period, no interval (the
            # difference said as untested), or the indicator's method (table and CSV alike).
            f"Why not compared with {config.england.name}",
        ],
        csv_url=reverse("indicators:area-csv", kwargs={"code": area.code}),
        api_url=f"{reverse('api:observations')}?"
        + urlencode({"indicator": 92196, "area": area.code}),
        permalink=reverse("indicators:area", kwargs={"code": area.code}),
    )


def _comparison(mine) -> str:
    """The area's figure against England, as the chart's marker and the table say it."""
    if not mine:
        return "No data"
    if mine.value is None:
        return "No value to compare"
    return mine.comparison_england or NOT_COMPARED


def _why_not_compared(row, comparison: str, config: AreasConfig) -> str:
    mine, england = row.area, row.england
    if not mine or comparison != NOT_COMPARED:
        return ""
    return not_compared_reason(
        row.indicator, mine, england.value if england else None, config.england.name
    )


def _spine_row(row, comparison: str) -> charts.SpineRow:
    mine, england = row.area, row.england
    name = row.indicator.short_name or row.indicator.name
    return charts.SpineRow(
        # Periods differ by row: each name carries its own, so no figure goes undated.
        indicator=f"{name} ({row.period})" if row.period else name,
        area_value=mine.value if mine else None,
        england_value=england.value if england else None,
        worst=row.worst,
        best=row.best,
        q25=row.q25,
        q75=row.q75,
        comparison=comparison,
        polarity_low_is_good=low_is_good(row.indicator),
    )


def _table_row(row, comparison: str, newer: str, why: str) -> list[str]:
    mine, england = row.area, row.england
    return [
        row.indicator.short_name or row.indicator.name,
        row.period or "–",
        value_cell(mine) if mine else "No data",
        count_cell(mine) if mine else "–",
        number_cell(england.value) if england else "No data",
        number_cell(row.worst),
        number_cell(row.best),
        comparison,
        newer or "–",
        why or "–",
    ]


def _csv_row(row, comparison: str, newer: str, why: str) -> list[object]:
    mine, england = row.area, row.england
    return [
        row.indicator.short_name or row.indicator.name,
        row.period,
        format_number(mine.value) if mine else "",
        count_csv(mine) if mine else "",
        format_number(england.value) if england else "",
        format_number(row.worst),
        format_number(row.best),
        comparison,
        newer,
        why,
    ]
