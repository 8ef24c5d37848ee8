"""Chart cards: each chart with the table, download, text alternative and permalink that go with it.

A card is built once from the presenters' figures; the chart, its table and its CSV are all
made from that one list, so they cannot disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from indicators import chart_text, charts
from indicators.caching import cached
from indicators.configuration import areas_config
from indicators.deprivation import (
    decile_number,
    describe_missing,
    missing_quantiles,
    quantiles_expected,
    sii_over_deciles,
)
from indicators.disclosure import CountState, as_published, withhold_beside
from indicators.formatting import Estimate, Limits, format_number
from indicators.models import Indicator, InequalityDataset, Observation, Origin, Polarity
from indicators.not_compared import not_compared_reason
from indicators.presenters import (
    Benchmark,
    Figure,
    dashboard_areas,
    figures_for_period,
    series,
)
from indicators.vocabulary import NOT_COMPARED

MAP_ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2024"
)


@dataclass
class ChartCard:
    slug: str
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)  # as shown in the table
    csv_rows: list[list[object]] = field(default_factory=list)  # the same, at full precision
    figure: dict | None = None
    alt_text: str = ""
    about: list[str] = field(default_factory=list)
    csv_url: str = ""
    api_url: str = ""
    permalink: str = ""
    points: int = 0
    empty: str = ""

    @property
    def figure_id(self) -> str:
        return f"{self.slug}-figure"


@dataclass(frozen=True)
class View:
    """What the analyst chose: indicator, period, benchmark and the area for the trend."""

    indicator: Indicator
    period: int | None
    period_label: str
    benchmark: Benchmark
    area_code: str

    def query(self, **overrides) -> str:
        params = {
            "period": self.period or "",
            "benchmark": self.benchmark.key,
            "area": self.area_code,
            **overrides,
        }
        return urlencode({k: v for k, v in params.items() if v})

    def url(self, name: str, anchor: str = "", **kwargs) -> str:
        base = reverse(name, kwargs={"fingertips_id": self.indicator.fingertips_id, **kwargs})
        return f"{base}?{self.query()}" + (f"#{anchor}" if anchor else "")


def _figure(fig) -> dict:
    # The card's heading already names the chart; a second title inside it would overflow on
    # narrow screens.
    top = fig.layout.margin.t
    fig.update_layout(title_text="", margin_t=max(top - 45, 20) if top else 20)
    return json.loads(charts.figure_json(fig))


def _fmt(value: float | None, places: int = 1) -> str:
    return "No data" if value is None else f"{value:,.{places}f}"


def _value(figure: Figure) -> str:
    """A figure's value; a row Fingertips published with a count but no value says so, not
    "No data" beside its count."""
    if figure.value is not None:
        return _fmt(figure.value)
    return "Value not published" if figure.count is not None else "No data"


def _interval(lower: float | None, upper: float | None) -> str:
    return "–" if lower is None or upper is None else f"{lower:,.1f} to {upper:,.1f}"


def _count(figure: Figure) -> str:
    if figure.count_state == "suppressed":
        return "Suppressed"
    return "–" if figure.count is None else f"{figure.count:,.0f}"


def _method_paragraphs(indicator: Indicator, benchmark: Benchmark) -> list[str]:
    return [
        f"{indicator.name}: {indicator.definition}",
        f"Compared with {benchmark.name} by "
        f"{indicator.get_benchmark_method_display().lower()}; polarity: "
        f"{indicator.get_polarity_display().lower()}. Confidence intervals: "
        f"{indicator.get_ci_method_display()}, as published by Fingertips where it published "
        "them, otherwise calculated here by the same method.",
        f"Source: {indicator.source}. Data: OHID Fingertips, Open Government Licence v3.0.",
    ]


def _note(figure: Figure) -> str:
    notes = [figure.value_note] if figure.value_note else []
    if figure.limits_source == "engine":
        notes.append("limits calculated here")
    return "; ".join(notes)


def compare_card(view: View) -> ChartCard:
    """Ranked bars with 95% intervals, coloured by comparison with the chosen benchmark."""
    indicator, benchmark = view.indicator, view.benchmark
    title = _titled(indicator, view.period_label, "compare areas")
    card = ChartCard(
        slug="compare",
        title=title,
        columns=[
            "Area",
            "Value",
            "95% confidence interval",
            "Count",
            f"Compared with {benchmark.name}",
            "Note",
        ],
        csv_url=view.url("indicators:indicator-csv", chart="compare"),
        api_url=f"{reverse('api:observations')}?indicator={indicator.fingertips_id}"
        f"&period={view.period or ''}&benchmark={benchmark.key}",
        permalink=view.url("indicators:indicator", "compare"),
    )
    if view.period is None:
        card.empty = "No data has been published for this indicator yet."
        return card
    config = areas_config()
    codes = [a.code for a in dashboard_areas(config)]
    figures = figures_for_period(indicator, view.period, benchmark=benchmark.key, codes=codes)
    held = {f.area_code for f in figures}
    area_figures = [
        f for f in figures if f.area_code not in {config.england.code, config.region.code}
    ]
    missing = [
        a
        for a in dashboard_areas(config)
        if a.code not in held and a.code not in {config.england.code, config.region.code}
    ]
    bars = [
        charts.AreaBar(
            code=f.area_code,
            name=f.area_name,
            value=f.value,
            lower=f.lower_ci_95,
            upper=f.upper_ci_95,
            comparison=f.comparison or NOT_COMPARED,
            note=_note(f),
            highlighted=f.area_code == config.home.code,
        )
        for f in area_figures
    ] + [charts.AreaBar(a.code, a.name, None, None, None, NOT_COMPARED) for a in missing]
    by_code = {f.area_code: f for f in figures}
    lines = [
        charts.BenchmarkLine(name=area.name, value=by_code[area.code].value, role=role)
        for area, role in (
            (config.england, charts.AreaRole.ENGLAND),
            (config.region, charts.AreaRole.REGION),
        )
        if area.code in by_code
    ]
    fig = charts.compare_areas_chart(bars=bars, benchmarks=lines, unit=indicator.unit, title=title)
    card.figure = _figure(fig)
    card.points = sum(1 for b in bars if b.value is not None)
    card.alt_text = chart_text.describe_compare_areas(
        bars=bars, benchmark_name=benchmark.name, unit=indicator.unit, title=title
    )
    ranked = sorted(figures, key=lambda f: (f.value is None, -(f.value or 0)))
    for f in ranked:
        comparison = f.comparison if f.area_code != benchmark.code else "Benchmark"
        if f.value is None:
            comparison = "No value to compare"
        card.rows.append(
            [
                f.area_name,
                _value(f),
                _interval(f.lower_ci_95, f.upper_ci_95),
                _count(f),
                comparison or NOT_COMPARED,
                _note(f),
            ]
        )
        card.csv_rows.append(
            [
                f.area_name,
                format_number(f.value),
                _limits_csv(f),
                _count_csv(f),
                comparison or NOT_COMPARED,
                _note(f),
            ]
        )
    for a in missing:
        card.rows.append(
            [a.name, "No data", "–", "–", NOT_COMPARED, f"No data for {view.period_label}"]
        )
        card.csv_rows.append([a.name, "", "", "", NOT_COMPARED, f"No data for {view.period_label}"])
    card.about = _method_paragraphs(indicator, benchmark)
    return card


def _limits_csv(f: Figure) -> Limits | str:
    return _pair(f.lower_ci_95, f.upper_ci_95)


def _count_csv(f: Figure) -> str:
    return "suppressed" if f.count_state == "suppressed" else format_number(f.count)


def trend_card(view: View) -> ChartCard:
    """The chosen area against England and the region over time, with its intervals."""
    indicator = view.indicator
    config = areas_config()
    names = {a.code: a.name for a in dashboard_areas(config)}
    area_code = view.area_code if view.area_code in names else config.home.code
    codes = [area_code, config.region.code, config.england.code]
    title = f"{indicator.short_name or indicator.name}: {names[area_code]} over time"
    card = ChartCard(
        slug="trend",
        title=title,
        columns=["Period", *[names[c] for c in codes], f"{names[area_code]} 95% interval"],
        csv_url=view.url("indicators:indicator-csv", chart="trend"),
        api_url=f"{reverse('api:observations')}?"
        + urlencode({"indicator": indicator.fingertips_id, "area": area_code}),
        permalink=view.url("indicators:indicator", "trend"),
    )
    by_area = series(indicator, codes=codes, benchmark=view.benchmark.key)
    labels = sorted({(f.period_sortable, f.period) for fs in by_area.values() for f in fs})
    if not labels:
        card.empty = "No data has been published for this indicator yet."
        return card
    periods = [label for _, label in labels]
    lookup = {(c, f.period): f for c, fs in by_area.items() for f in fs}
    trend_series = []
    for code in codes:
        row = [lookup.get((code, p)) for p in periods]
        trend_series.append(
            charts.TrendSeries(
                name=names[code],
                periods=periods,
                values=[f.value if f else None for f in row],
                lowers=[f.lower_ci_95 if f else None for f in row],
                uppers=[f.upper_ci_95 if f else None for f in row],
                is_main=code == area_code,
                role=config.role(code),
            )
        )
    fig = charts.trend_chart(series=trend_series, unit=indicator.unit, title=title)
    card.figure = _figure(fig)
    card.points = sum(v is not None for s in trend_series for v in s.values)
    card.alt_text = chart_text.describe_trend(series=trend_series, unit=indicator.unit)
    for i, period in enumerate(periods):
        main = trend_series[0]
        card.rows.append(
            [
                period,
                *[_fmt(s.values[i]) for s in trend_series],
                _interval(main.lowers[i], main.uppers[i]),
            ]
        )
        card.csv_rows.append(
            [
                period,
                *[format_number(s.values[i]) for s in trend_series],
                _pair(main.lowers[i], main.uppers[i]),
            ]
        )
    _add_missing_periods(card, periods, len(trend_series))
    latest = lookup.get((area_code, periods[-1]))
    card.about = [
        *_method_paragraphs(indicator, view.benchmark),
        "Recent trend (Fingertips' method, on the five latest single years): "
        + (latest.computed_trend or "Could not be calculated" if latest else "No data")
        + ".",
    ]
    return card


def _add_missing_periods(card: ChartCard, periods: list[str], areas: int) -> None:
    """Rows for the periods between the first and last that have no figures (the chart shades
    them), each in its place in time order."""
    gaps = charts.missing_periods(periods)
    for gap in gaps:
        card.rows.append([gap, *["No data"] * areas, "–"])
        card.csv_rows.append([gap, *[""] * areas, ""])
    if gaps:
        card.rows.sort(key=lambda row: charts.period_position(row[0]) or 0)
        card.csv_rows.sort(key=lambda row: charts.period_position(row[0]) or 0)


def _pair(lower: float | None, upper: float | None) -> Limits | str:
    """An interval for the CSV, written as two columns (exporters.write_tidy_csv)."""
    return (
        "" if lower is None or upper is None else Limits(format_number(lower), format_number(upper))
    )


@cache
def _boundary_file(path: str) -> dict:
    return json.loads((settings.BASE_DIR / path).read_text(encoding="utf-8"))


@cache
def _selected_boundaries(path: str, code_property: str, codes: tuple[str, ...]) -> dict:
    """The configured areas' shapes from a UK-wide file, in the file's order (cached)."""
    whole = _boundary_file(path)
    wanted = set(codes)
    return {
        **{k: v for k, v in whole.items() if k != "features"},
        "features": [f for f in whole["features"] if f["properties"].get(code_property) in wanted],
    }


def boundaries() -> tuple[dict, str]:
    """The map's GeoJSON (the districts and neighbours) and the property holding each code."""
    config = areas_config()
    source = config.boundaries
    codes = tuple(a.code for a in config.footprint)
    geojson = _selected_boundaries(source.districts_file, source.district_code_property, codes)
    return geojson, source.district_code_property


def map_card(view: View) -> ChartCard:
    """The home county's districts and neighbours coloured by comparison."""
    indicator, benchmark = view.indicator, view.benchmark
    config = areas_config()
    title = _titled(indicator, view.period_label, "map")
    card = ChartCard(
        slug="map",
        title=title,
        columns=["Area", "Value", "95% confidence interval", f"Compared with {benchmark.name}"],
        csv_url=view.url("indicators:indicator-csv", chart="map"),
        api_url=f"{reverse('api:observations')}?indicator={indicator.fingertips_id}"
        f"&period={view.period or ''}&benchmark={benchmark.key}",
        permalink=view.url("indicators:indicator", "map"),
    )
    if view.period is None:
        card.empty = "No data has been published for this indicator yet."
        return card
    footprint = list(config.footprint)
    held = figures_for_period(
        indicator, view.period, benchmark=benchmark.key, codes=[a.code for a in footprint]
    )
    figures = {f.area_code: f for f in held}
    areas = [
        charts.MapArea(
            code=a.code,
            name=a.name,
            value=figures[a.code].value if a.code in figures else None,
            lower=figures[a.code].lower_ci_95 if a.code in figures else None,
            upper=figures[a.code].upper_ci_95 if a.code in figures else None,
            comparison=(figures[a.code].comparison or NOT_COMPARED)
            if a.code in figures
            else NOT_COMPARED,
        )
        for a in footprint
    ]
    geojson, code_property = boundaries()
    fig = charts.map_chart(
        geojson=geojson,
        featureidkey=f"properties.{code_property}",
        areas=areas,
        title=title,
        attribution=MAP_ATTRIBUTION,
        unit=indicator.unit,
        benchmark_name=benchmark.name,
        # Without polarity a comparison says nothing good or bad: the map shows the values.
        by_value=_low_is_good(indicator) is None,
    )
    card.figure = _figure(fig)
    card.points = len(areas)
    card.alt_text = chart_text.describe_map(
        areas=areas,
        benchmark_name=benchmark.name,
        unit=indicator.unit,
        by_value=_low_is_good(indicator) is None,
    )
    for a in areas:
        card.rows.append(
            [
                a.name,
                _fmt(a.value),
                _interval(a.lower, a.upper),
                a.comparison if a.value is not None else "No data",
            ]
        )
        card.csv_rows.append(
            [
                a.name,
                format_number(a.value),
                _pair(a.lower, a.upper),
                a.comparison if a.value is not None else "",
            ]
        )
    card.about = [*_method_paragraphs(indicator, benchmark), MAP_ATTRIBUTION]
    return card


def deciles_card(view: View) -> ChartCard:
    """Values by deprivation decile with the SII: the local dataset, else England's latest."""
    indicator = view.indicator
    title = f"{indicator.short_name or indicator.name}: by deprivation decile"
    card = ChartCard(
        slug="inequalities",
        title=title,
        columns=[
            "Decile (1 = most deprived)",
            "Value",
            "95% confidence interval",
            "Count",
            "Denominator",
        ],
        csv_url=view.url("indicators:indicator-csv", chart="inequalities"),
        permalink=view.url("indicators:indicator", "inequalities"),
    )
    dataset = (
        InequalityDataset.objects.filter(indicator=indicator).prefetch_related("points").first()
    )
    if dataset is not None:
        shown = {p.quantile: _disclosed(p) for p in dataset.points.all()}
        bars = [
            charts.DecileBar(
                decile=p.quantile,
                value=shown[p.quantile]["value"],
                lower=shown[p.quantile]["lower"],
                upper=shown[p.quantile]["upper"],
                count=shown[p.quantile]["count"],
                estimated_denominator=p.denominator_is_estimate,
            )
            for p in dataset.points.all()
        ]
        points = list(dataset.points.all())
        missing = missing_quantiles(
            [p.quantile for p in points],
            [p.value for p in points],
            quantiles_expected(dataset.quantile_type),
        )
        calculable = dataset.sii is not None and not missing
        line = (
            (dataset.sii_intercept, dataset.sii_intercept + dataset.sii)
            if calculable and dataset.sii_intercept is not None
            else None
        )
        # The period is part of the title, or that the source does not state it.
        period = dataset.period_note or "period not stated"
        card.title = f"{dataset.name}, {period[0].lower()}{period[1:]} (local data)"
        sii_text = (
            f"SII {dataset.sii:.2f} (95% CI {dataset.sii_lower:.2f} to "
            f"{dataset.sii_upper:.2f}), RII {dataset.rii:.2f} (95% CI "
            f"{dataset.rii_lower:.2f} to {dataset.rii_upper:.2f})"
            if calculable
            else "SII cannot be calculated" + (f": {describe_missing(missing)}" if missing else "")
        )
        card.about = [
            f"{dataset.source}. {dataset.period_note}. {dataset.quantile_type}.",
            "Births are estimated as deaths ÷ rate × 1,000 from the report's rounded rates: "
            "the report gives no births. They are marked as estimates here and in the CSV.",
            f"{sii_text}. Sign convention: least deprived minus most deprived; {dataset.sii_note}.",
        ]
        denominators = {q: _Withheld(row["denominator"]) for q, row in shown.items()}
        suppressed = {q for q, row in shown.items() if row["suppressed"]}
        api_note = "estimated"
    else:
        england = _england_deciles(indicator)
        if england is None:
            card.empty = "No breakdown by deprivation decile is held for this indicator."
            return card
        observations, result = england
        bars = [
            charts.DecileBar(
                decile=decile_number(o.category),
                value=o.value,
                lower=o.lower_95,
                upper=o.upper_95,
                count=int(o.count) if o.count is not None else None,
            )
            for o in observations
        ]
        line = (
            (result.intercept, result.intercept + result.sii)
            if result.calculable and result.intercept is not None
            else None
        )
        card.title = f"{title}, England, {observations[0].period_label}"
        card.about = [
            f"England's published figures by {observations[0].category_type}.",
            (
                f"SII {result.sii:.2f}, RII {result.rii:.2f}, calculated here; sign convention: "
                "least deprived minus most deprived."
            )
            if result.calculable
            else f"SII cannot be calculated: {result.reason}.",
        ]
        denominators = {decile_number(o.category): o for o in observations}
        suppressed = set()
        api_note = ""
    fig = charts.deciles_chart(deciles=bars, unit=indicator.unit, title=card.title, sii_line=line)
    card.figure = _figure(fig)
    card.points = sum(b.value is not None for b in bars)
    card.alt_text = chart_text.describe_deciles(deciles=bars, unit=indicator.unit, sii=line)
    for b in bars:
        source = denominators.get(b.decile)
        denominator = getattr(source, "denominator", None)
        shown_denominator = _fmt(denominator, 0) + (
            " (estimate)" if api_note and denominator else ""
        )
        if b.decile in suppressed:
            withheld = "Withheld with the count"
            card.rows.append([str(b.decile), withheld, withheld, "Suppressed", withheld])
            card.csv_rows.append([b.decile, "", "", "suppressed", ""])
            continue
        card.rows.append(
            [
                str(b.decile),
                _fmt(b.value),
                _interval(b.lower, b.upper),
                "–" if b.count is None else f"{b.count:,}",
                shown_denominator,
            ]
        )
        card.csv_rows.append(
            [
                b.decile,
                format_number(b.value),
                _pair(b.lower, b.upper),
                "" if b.count is None else b.count,
                _denominator_csv(denominator, estimated=bool(api_note and denominator)),
            ]
        )
    return card


def _denominator_csv(denominator: float | None, *, estimated: bool) -> Estimate | str:
    """Estimated births are whole births (the estimate is not more precise than that)."""
    if denominator is None:
        return ""
    return Estimate(format_number(round(denominator) if estimated else denominator), estimated)


@dataclass(frozen=True)
class _Withheld:
    denominator: float | None


def _disclosed(point) -> dict:
    """A quantile's figures of the report's printed table, shown as published (it is public)."""
    count = as_published(point.count)
    beside = withhold_beside(
        count.state,
        value=point.value,
        lower=point.lower_ci_95,
        upper=point.upper_ci_95,
        denominator=point.denominator,
    )
    return {
        **beside,
        "count": int(count.value) if count.value is not None else None,
        "suppressed": count.state is CountState.SUPPRESSED,
    }


def _england_deciles(indicator: Indicator):
    rows = list(
        Observation.objects.filter(
            indicator=indicator,
            area__code=areas_config().england.code,
            category_type__icontains="deprivation deciles",
        ).order_by("-period_sortable", "category_type")
    )
    # The newest breakdown with a value (one published wholly withheld is passed over).
    with_value = [o for o in rows if o.value is not None]
    if not with_value:
        return None
    # The newest period, Persons where published: one sex and age per breakdown.
    top = min(with_value, key=lambda o: (-o.period_sortable, o.sex != "Persons"))
    key = (top.period_sortable, top.category_type, top.sex, top.age)
    chosen = sorted(
        (o for o in rows if (o.period_sortable, o.category_type, o.sex, o.age) == key),
        key=lambda o: decile_number(o.category) or 99,
    )
    result = sii_over_deciles(
        deciles=[decile_number(o.category) for o in chosen],
        values=[o.value for o in chosen],
        lowers=[o.lower_95 for o in chosen],
        uppers=[o.upper_95 for o in chosen],
        populations=[o.denominator for o in chosen],
    )
    return chosen, result


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
    title = f"{area.name}: every indicator against {config.england.name}"
    card = ChartCard(
        slug="profile",
        title=title,
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
    spine_rows = []
    for row in rows:
        mine, england = row.area, row.england
        name = row.indicator.short_name or row.indicator.name
        comparison = (
            (mine.comparison_england or NOT_COMPARED)
            if mine and mine.value is not None
            else "No value to compare"
            if mine
            else "No data"
        )
        why = (
            not_compared_reason(
                row.indicator, mine, england.value if england else None, config.england.name
            )
            if mine and comparison == NOT_COMPARED
            else ""
        )
        spine_rows.append(
            charts.SpineRow(
                # Periods differ by row: each name carries its own, so no figure goes undated.
                indicator=f"{name} ({row.period})" if row.period else name,
                area_value=mine.value if mine else None,
                england_value=england.value if england else None,
                worst=row.worst,
                best=row.best,
                q25=row.q25,
                q75=row.q75,
                comparison=comparison,
                polarity_low_is_good=_low_is_good(row.indicator),
            )
        )
        card.rows.append(
            [
                row.indicator.short_name or row.indicator.name,
                row.period or "–",
                _value(mine) if mine else "No data",
                _count(mine) if mine else "–",
                _fmt(england.value) if england else "No data",
                _fmt(row.worst),
                _fmt(row.best),
                comparison,
                newer[row.indicator.pk] or "–",
                why or "–",
            ]
        )
        card.csv_rows.append(
            [
                row.indicator.short_name or row.indicator.name,
                row.period,
                format_number(mine.value) if mine else "",
                _count_csv(mine) if mine else "",
                format_number(england.value) if england else "",
                format_number(row.worst),
                format_number(row.best),
                comparison,
                newer[row.indicator.pk],
                why,
            ]
        )
    fig = charts.spine_chart(rows=spine_rows, title=title)
    card.figure = _figure(fig)
    card.points = sum(r.area_value is not None for r in spine_rows)
    card.alt_text = chart_text.describe_spine(rows=spine_rows, area_name=area.name)
    card.about = [
        "Each row is centred on England's value. The grey bar runs from the worst to the best "
        "value among the areas of the same kind held here (districts and unitaries, or counties "
        "and unitaries); the darker bar is their middle half. The marker is this area, coloured "
        "by its comparison with England at 95% confidence.",
        "The latest period with data is used for each indicator, so periods can differ by row. "
        "Where this area's latest figure is older than the newest held for the indicator (for "
        "other areas), the table says so and names the newer period.",
    ]
    return card


def _low_is_good(indicator: Indicator) -> bool | None:
    if indicator.polarity == Polarity.LOW_IS_GOOD:
        return True
    if indicator.polarity == Polarity.HIGH_IS_GOOD:
        return False
    return None


# The charts of an indicator page, by the name its URL and CSV use.
def _titled(indicator: Indicator, period_label: str, what: str) -> str:
    """A card's heading: the indicator, its period when there is one, and what the card shows."""
    name = indicator.short_name or indicator.name
    return f"{name}, {period_label}: {what}" if period_label else f"{name}: {what}"


CARD_BUILDERS = {
    "compare": compare_card,
    "trend": trend_card,
    "map": map_card,
    "inequalities": deciles_card,
}


def cached_card(name: str, view: View) -> ChartCard:
    """One of an indicator's charts, built once per version of that indicator's figures."""
    return cached(
        ("card", name, view.indicator.pk, view.period, view.benchmark.key, view.area_code),
        lambda: CARD_BUILDERS[name](view),
        indicator=view.indicator.fingertips_id,
    )
