"""The numbers every page, chart, table, CSV download and API response shows, read in one place.

Views and the API call these functions and format what they return; none of them builds its
own query, so a chart, its table and its download cannot disagree. Beside this module:
`profiles` (an area profile, from these figures) and `not_compared` (why a figure is not
compared with its benchmark, and how it still differs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from django.db.models import Count

from indicators.caching import cached
from indicators.configuration import AreasConfig, areas_config
from indicators.disclosure import CountState, as_published, withhold_beside
from indicators.models import Indicator, Observation, Origin
from indicators.not_compared import compared_by_intervals, home_reasons, untested_notes

BENCHMARK_FIELDS = {
    "england": "comparison_england",
    "region": "comparison_region",
    "home": "comparison_home",
}


@dataclass(frozen=True, slots=True)
class Benchmark:
    key: str
    code: str
    name: str


def benchmarks(config: AreasConfig | None = None) -> list[Benchmark]:
    """The comparators an analyst can switch between: England, the region, the home county."""
    config = config or areas_config()
    return [
        Benchmark("england", config.england.code, config.england.name),
        Benchmark("region", config.region.code, config.region.name),
        Benchmark("home", config.home.code, config.home.name),
    ]


def benchmark_for(key: str | None) -> Benchmark:
    chosen = {b.key: b for b in benchmarks()}
    return chosen.get(key or "england", chosen["england"])


@dataclass(frozen=True, slots=True)
class Figure:
    """One area's figure for one period, with its limits, counts and comparisons."""

    indicator_id: int
    area_code: str
    area_name: str
    area_level: str
    period: str
    period_sortable: int
    value: float | None
    lower_ci_95: float | None
    upper_ci_95: float | None
    lower_ci_998: float | None
    upper_ci_998: float | None
    limits_source: str  # "published", "engine" or "" when there are none
    count: float | None
    count_state: str
    denominator: float | None
    value_note: str
    origin: str
    comparison: str  # with the chosen benchmark
    comparison_england: str
    comparison_region: str
    comparison_home: str
    published_comparison_england: str
    recent_trend: str  # as published by Fingertips
    computed_trend: str  # as calculated here

    def as_dict(self) -> dict:
        return asdict(self)


FIGURE_FIELDS = list(Figure.__dataclass_fields__)


def figure_of(observation: Observation, *, benchmark: str = "england") -> Figure:
    area = observation.area
    published = observation.lower_ci_95 is not None
    engine = observation.computed_lower_ci_95 is not None
    # Fingertips' figures, and counts aggregated from them, are public: shown as published.
    count = (
        as_published(observation.count)
        if observation.origin not in {Origin.PUBLISHED, Origin.AGGREGATED}
        else None
    )
    # A withheld count takes with it every figure that would give it back.
    shown = withhold_beside(
        count.state if count else CountState.SHOWN,
        value=observation.value,
        lower_ci_95=observation.lower_95,
        upper_ci_95=observation.upper_95,
        lower_ci_998=_first(observation.lower_ci_998, observation.computed_lower_ci_998),
        upper_ci_998=_first(observation.upper_ci_998, observation.computed_upper_ci_998),
        denominator=observation.denominator,
    )
    withheld = count is not None and count.state is CountState.SUPPRESSED
    return Figure(
        indicator_id=observation.indicator.fingertips_id,
        area_code=area.code,
        area_name=area.name,
        area_level=area.level,
        period=observation.period_label,
        period_sortable=observation.period_sortable,
        value=shown["value"],
        lower_ci_95=shown["lower_ci_95"],
        upper_ci_95=shown["upper_ci_95"],
        lower_ci_998=shown["lower_ci_998"],
        upper_ci_998=shown["upper_ci_998"],
        limits_source=""
        if withheld
        else "published"
        if published
        else ("engine" if engine else ""),
        count=count.value if count else observation.count,
        count_state=count.state if count else _state(observation.count),
        denominator=shown["denominator"],
        value_note="Withheld with its small count" if withheld else observation.value_note,
        origin=observation.origin,
        comparison=getattr(observation, BENCHMARK_FIELDS.get(benchmark, "comparison_england")),
        comparison_england=observation.comparison_england,
        comparison_region=observation.comparison_region,
        comparison_home=observation.comparison_home,
        published_comparison_england=observation.compared_to_england,
        recent_trend=observation.recent_trend,
        computed_trend=observation.computed_trend,
    )


def _first(a, b):
    return a if a is not None else b


def _state(count: float | None) -> str:
    return CountState.SHOWN if count is not None else CountState.MISSING


def main_breakdown(indicator: Indicator) -> tuple[str, str] | None:
    """The sex and age an indicator is shown for: Persons where published, else its commonest."""
    counts = (
        Observation.objects.filter(indicator=indicator)
        .headline()
        .values_list("sex", "age")
        .annotate(rows=Count("pk"))
        .order_by()
    )
    ranked = sorted(counts, key=lambda row: (row[0] != "Persons", -row[2], row[0], row[1]))
    return (ranked[0][0], ranked[0][1]) if ranked else None


def headline_observations(indicator: Indicator, breakdown: tuple[str, str] | None = None):
    """Headline rows (the main sex and age, no category breakdown) of one indicator."""
    sex, age = breakdown or main_breakdown(indicator) or ("", "")
    return (
        Observation.objects.filter(indicator=indicator, sex=sex, age=age)
        .headline()
        .select_related("area", "indicator")
        .order_by("period_sortable", "area__code")
    )


def periods(
    indicator: Indicator, breakdown: tuple[str, str] | None = None
) -> list[tuple[int, str]]:
    """The indicator's periods with headline data, newest first."""
    rows = (
        headline_observations(indicator, breakdown)
        .values_list("period_sortable", "period_label")
        .distinct()
        .order_by("-period_sortable")
    )
    return list(dict(rows).items())


@dataclass(frozen=True)
class IndicatorChoices:
    """What an indicator's pages and API answers may be asked for: the periods with headline
    figures (sortable to label, newest first), the areas with any, and how many rows there are;
    `opening_period` is the period its page opens on (`opening_period`)."""

    fingertips_id: int
    shown: bool
    periods: dict[int, str]
    area_codes: frozenset[str]
    rows: int
    opening_period: int | None = None


def opening_period(
    indicator: Indicator,
    breakdown: tuple[str, str] | None = None,
    config: AreasConfig | None = None,
) -> int | None:
    """The newest period with the most figures for the home footprint: its districts where the
    indicator has district figures, else the home county itself. A newer period held for a few
    areas only (a county figure, no districts) does not open the page on a column of "No data"."""
    config = config or areas_config()
    districts = [d.code for d in config.districts]
    rows = list(
        headline_observations(indicator, breakdown)
        .filter(area__code__in=[*districts, config.home.code], value__isnull=False)
        .values_list("period_sortable", "area__code")
    )
    footprint = set(districts) if any(code in districts for _, code in rows) else {config.home.code}
    coverage: dict[int, int] = defaultdict(int)
    for sortable, code in rows:
        coverage[sortable] += code in footprint
    if not coverage or not max(coverage.values()):
        held = periods(indicator, breakdown)
        return held[0][0] if held else None
    best = max(coverage.values())
    return max(sortable for sortable, n in coverage.items() if n == best)


def indicator_choices(fingertips_id: int) -> IndicatorChoices | None:
    """The choices of one indicator; None if there is no such indicator."""
    indicator = Indicator.objects.filter(fingertips_id=fingertips_id).first()
    if indicator is None:
        return None
    breakdown = main_breakdown(indicator)
    headline = headline_observations(indicator, breakdown).order_by()
    return IndicatorChoices(
        fingertips_id=fingertips_id,
        shown=indicator.is_defined and indicator.shown,  # as Indicator.objects.shown()
        periods=dict(periods(indicator, breakdown)),
        area_codes=frozenset(headline.values_list("area__code", flat=True).distinct()),
        rows=headline.count(),
        opening_period=opening_period(indicator, breakdown),
    )


def cached_choices(fingertips_id: int, versions) -> IndicatorChoices | None:
    """`indicator_choices`, kept with that indicator's data version (`versions`, read already);
    an id no indicator has is looked up each time and never kept."""
    return cached(
        ("choices", fingertips_id),
        lambda: indicator_choices(fingertips_id),
        versions=versions,
    )


def dashboard_areas(config: AreasConfig | None = None) -> list[Benchmark]:
    """The areas the analyst views show side by side, in the order they are listed."""
    config = config or areas_config()
    listed = [*config.districts, *config.neighbours, config.home, config.region, config.england]
    return [Benchmark("", a.code, a.name) for a in listed]


def figures_for_period(
    indicator: Indicator,
    sortable: int,
    *,
    benchmark: str = "england",
    codes: Iterable[str],
    breakdown: tuple[str, str] | None = None,
) -> list[Figure]:
    """The chosen areas' figures for one period, in the order of `codes`; missing areas omitted."""
    order = {code: i for i, code in enumerate(codes)}
    rows = headline_observations(indicator, breakdown).filter(
        period_sortable=sortable, area__code__in=list(order)
    )
    figures = [figure_of(o, benchmark=benchmark) for o in rows]
    return sorted(figures, key=lambda f: order[f.area_code])


def series(
    indicator: Indicator,
    *,
    codes: Sequence[str],
    benchmark: str = "england",
    breakdown: tuple[str, str] | None = None,
) -> dict[str, list[Figure]]:
    """Each chosen area's figures over time, oldest first."""
    rows = headline_observations(indicator, breakdown).filter(area__code__in=list(codes))
    result: dict[str, list[Figure]] = {code: [] for code in codes}
    for observation in rows:
        result[observation.area.code].append(figure_of(observation, benchmark=benchmark))
    return result


@dataclass(frozen=True, slots=True)
class OverviewRow:
    """One indicator's line of the overview: its latest period and each area's figure."""

    indicator: Indicator
    period: str
    cells: list[Figure | None]
    home_latest: Figure | None  # the home county's own latest figure, whatever its period
    latest_sortable: int | None = None  # of `period`, the newest held for any listed area
    # Per cell, how a figure not compared with the benchmark (no interval) still differs.
    notes: tuple[str, ...] = ()
    # Why `home_latest` is not compared with England and with the region ("" where it is, or
    # where the benchmark's figures were not read): `not_compared_reason`.
    home_reasons: tuple[str, str] = ("", "")

    @property
    def home_reason_england(self) -> str:
        return self.home_reasons[0]

    @property
    def home_reason_region(self) -> str:
        return self.home_reasons[1]

    @property
    def cells_with_notes(self) -> list[tuple[Figure | None, str]]:
        notes = self.notes or ("",) * len(self.cells)
        return list(zip(self.cells, notes, strict=True))

    @property
    def has_data(self) -> bool:
        return bool(self.period)

    @property
    def home_is_older(self) -> bool:
        """The home county's figure is older than the newest figures held for the indicator."""
        return bool(
            self.home_latest
            and self.latest_sortable is not None
            and self.home_latest.period_sortable < self.latest_sortable
        )


def overview(
    indicators: Sequence[Indicator], *, codes: Sequence[str], home: str, benchmark: str
) -> list[OverviewRow]:
    """The heat map's rows: each indicator's latest period across the areas, in one query."""
    rows = (
        Observation.objects.headline()
        .filter(indicator__in=indicators, area__code__in=list(codes))
        .select_related("area", "indicator")
    )
    by_indicator: dict[int, list[Observation]] = defaultdict(list)
    for observation in rows:
        by_indicator[observation.indicator_id].append(observation)
    reference = benchmark_for(benchmark)
    result = []
    for indicator in indicators:
        held = by_indicator.get(indicator.pk, [])
        breakdowns = defaultdict(int)
        for o in held:
            breakdowns[(o.sex, o.age)] += 1
        if not breakdowns:
            result.append(OverviewRow(indicator, "", [None] * len(codes), None))
            continue
        main = min(breakdowns, key=lambda k: (k[0] != "Persons", -breakdowns[k], k))
        held = [o for o in held if (o.sex, o.age) == main]
        latest = max(o.period_sortable for o in held)
        at_latest = {o.area.code: o for o in held if o.period_sortable == latest}
        label = next(iter(at_latest.values())).period_label
        home_rows = sorted(
            (o for o in held if o.area.code == home), key=lambda o: o.period_sortable
        )
        cells = [
            figure_of(at_latest[c], benchmark=benchmark) if c in at_latest else None for c in codes
        ]
        home_latest = figure_of(home_rows[-1], benchmark=benchmark) if home_rows else None
        result.append(
            OverviewRow(
                indicator,
                label,
                cells,
                home_latest,
                latest,
                untested_notes(cells, at_latest, reference)
                if compared_by_intervals(indicator)
                else (),
                home_reasons(indicator, home_latest, held, codes),
            )
        )
    return result
