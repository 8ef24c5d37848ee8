"""The figures the local-data pages, CSV downloads and API show, read once from the database.

Statistics use the stored (unsuppressed) counts; `localdata.statistics` and `.disclosure` then
shape them for the audience's tier.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache

from indicators.configuration import areas_config
from localdata import loading
from localdata.disclosure import Shown, State, Tier, count, percent
from localdata.models import BirthsDeathsRow, MeasureRow, ReviewCategoryRow, ReviewFactorRow
from localdata.schema import CATEGORIES, MEASURES
from localdata.spc_chart import (
    ASSURANCE_COLOURS,
    ASSURANCE_WORDS,
    VARIATION_WORDS,
    assurance_icon,
    variation_badge,
    variation_icon,
)
from localdata.statistics import (
    DECILES,
    Grid,
    SiiOutcome,
    deprivation_grid,
    percent_row,
    sii_for,
    spc_view,
    suppress_column,
)

POOL_YEARS = 3
REPORT_QUINTILES = (
    settings.BASE_DIR / "fixtures" / "reference" / "report_births_by_imd_quintile_2017.csv"
)


def _synthetic(model) -> bool:
    return model.objects.filter(removed_by__isnull=True, added_by__synthetic=True).exists()


@dataclass
class Deprivation:
    pool: tuple[int, int] | None
    grid: Grid | None
    sii: dict[str, SiiOutcome] = field(default_factory=dict)
    basis: str = ""
    synthetic: bool = False
    years: list[int] = field(default_factory=list)

    @property
    def pool_label(self) -> str:
        return f"{self.pool[0]}-{str(self.pool[1])[-2:]}" if self.pool else ""


def _latest_pool(years: set[int]) -> tuple[int, int] | None:
    for end in sorted(years, reverse=True):
        if all(y in years for y in range(end - POOL_YEARS + 1, end + 1)):
            return end - POOL_YEARS + 1, end
    return None


def deprivation(tier: Tier) -> Deprivation:
    """District × decile grid for the latest three-year pool, with SII per district."""
    config = areas_config()
    rows = BirthsDeathsRow.objects.filter(removed_by__isnull=True, period_basis="registration")
    years = set(rows.values_list("year", flat=True).distinct())
    pool = _latest_pool(years)
    result = Deprivation(pool, None, years=sorted(years), synthetic=_synthetic(BirthsDeathsRow))
    if pool is None:
        return result
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    selected = rows.filter(year__gte=pool[0], year__lte=pool[1]).exclude(imd_decile="ALL")
    for area, decile, births, deaths, basis in selected.values_list(
        "area_code", "imd_decile", "live_births", "infant_deaths", "decile_basis"
    ):
        cell = sums[(area, decile)]
        cell[0] += births
        cell[1] += deaths
        cell[2] += 1
        result.basis = basis
    areas = [(d.code, d.name) for d in config.districts]
    births = [[_pooled(sums, a, d, 0) for d in DECILES] for a, _ in areas]
    deaths = [[_pooled(sums, a, d, 1) for d in DECILES] for a, _ in areas]
    result.grid = deprivation_grid(
        areas, births, deaths, county=(config.home.code, config.home.name), tier=tier
    )
    result.sii = sii_by_area(areas, births, deaths, county=config.home.code)
    return result


def _pooled(sums, area: str, decile: int, index: int) -> int | None:
    cell = sums.get((area, str(decile)))
    return cell[index] if cell and cell[2] == POOL_YEARS else None


def sii_by_area(areas, births, deaths, *, county: str) -> dict[str, SiiOutcome]:
    """SII per district and for the county, cached by the data they come from."""
    latest = loading._latest_id("A")
    key = f"localdata:sii:{latest}:{hash((tuple(map(tuple, births)), tuple(map(tuple, deaths))))}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    out = {code: sii_for(births[r], deaths[r]) for r, (code, _) in enumerate(areas)}
    if births and all(all(v is not None for v in row) for row in births + deaths):
        out[county] = sii_for(
            [sum(col) for col in zip(*births, strict=True)],
            [sum(col) for col in zip(*deaths, strict=True)],
        )
    cache.set(key, out, 24 * 3600)
    return out


def report_quintiles() -> list[dict]:
    """The report's 2017 table of births by deprivation quintile, as printed (already public)."""
    with REPORT_QUINTILES.open(encoding="utf-8") as f:
        return [
            {"district": r["district"], "shares": [r[f"quintile_{q}_pct"] for q in range(1, 6)]}
            for r in csv.DictReader(f)
        ]


def uploaded_quintile_shares(grid: Grid) -> dict[str, list[float | None]]:
    """Per district, the % of pooled births in each quintile (withheld with any births cell)."""
    out = {}
    for row in grid.rows:
        births = [c.births for c in row.cells]
        if any(b.value is None for b in births):
            out[row.name] = [None] * 5
            continue
        values = [b.value for b in births]
        total = sum(values)
        out[row.name] = [
            100 * (values[i] + values[i + 1]) / total if total else None for i in range(0, 10, 2)
        ]
    return out


def quintile_shares(grid: Grid) -> dict[str, list[float | None]]:
    """The districts' shares and the county's (the sum of its districts)."""
    return uploaded_quintile_shares(Grid([*grid.rows, grid.county], grid.county, grid.tier))


@dataclass
class Reviews:
    area: str
    periods: list[str]
    categories: list
    factors: list
    synthetic: bool
    area_name: str = ""


def _fy_pool(periods: set[str]) -> list[str]:
    starts = {int(p[:4]) for p in periods}
    for end in sorted(starts, reverse=True):
        if all(s in starts for s in range(end - 2, end + 1)):
            return [f"{s}/{str(s + 1)[-2:]}" for s in range(end - 2, end + 1)]
    return []


def reviews(tier: Tier) -> Reviews:
    """Reviews by category and factors by domain, at the panel (or county), pooled ≥ 3 years."""
    config = areas_config()
    panel = config.child_death_review_panel
    candidates = [c for c in ((panel.code if panel else None), config.home.code) if c]
    current = ReviewCategoryRow.objects.filter(removed_by__isnull=True)
    area = next((c for c in candidates if current.filter(area_code=c).exists()), candidates[0])
    periods = _fy_pool(set(current.filter(area_code=area).values_list("review_period", flat=True)))
    result = Reviews(area, periods, [], [], _synthetic(ReviewCategoryRow), area_name_of(area))
    if not periods:
        return result
    by_category: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for cat, reviewed, modifiable in current.filter(
        area_code=area, review_period__in=periods
    ).values_list("category_code", "deaths_reviewed", "reviews_with_modifiable_factors"):
        by_category[cat][0] += reviewed
        by_category[cat][1] += modifiable
    codes = sorted(CATEGORIES)
    reviewed = [by_category[c][0] for c in codes]
    hidden = suppress_column(reviewed) if tier is not Tier.RESTRICTED else {}
    for i, code in enumerate(codes):
        label = f"{code}. {CATEGORIES[code]}"
        row = percent_row(label, by_category[code][1], reviewed[i], tier)
        row.reviewed = count(reviewed[i], tier, hidden.get(i))
        result.categories.append(row)
    total_row = percent_row(
        "All categories", sum(v[1] for v in by_category.values()), sum(reviewed), tier
    )
    total_row.reviewed = count(sum(reviewed), tier)
    result.categories.append(total_row)
    result.factors = _factors(area, periods, tier)
    return result


def _factors(area: str, periods: list[str], tier: Tier) -> list:
    rows = ReviewFactorRow.objects.filter(
        removed_by__isnull=True, area_code=area, review_period__in=periods
    )
    present: dict[tuple[str, str], int] = defaultdict(int)
    groups: dict[tuple[str, str], int] = {}
    for period, band, domain, factor, n, denominator in rows.values_list(
        "review_period",
        "age_band",
        "domain",
        "factor_code",
        "reviews_factor_present",
        "denominator_reviews",
    ):
        present[(domain, factor)] += n
        groups[(period, band)] = denominator
    denominator = sum(groups.values())
    return [
        percent_row(f"{domain}: {factor}", n, denominator, tier)
        for (domain, factor), n in sorted(present.items())
    ]


@dataclass
class MeasureSeries:
    code: str
    name: str
    area: str
    labels: list[str]
    points: list
    target: float | None
    spc: object
    published: bool
    synthetic: bool
    area_name: str = ""


def quarter_label(start) -> str:
    """ "2024/25 Q2" for a quarter starting 1 July 2024."""
    fy = start.year if start.month >= 4 else start.year - 1
    q = {4: 1, 7: 2, 10: 3, 1: 4}.get(start.month)
    return f"{fy}/{str(fy + 1)[-2:]} Q{q}" if q else start.strftime("%b %Y")


def area_name_of(code: str) -> str:
    return area_names().get(code, code)


def area_names() -> dict[str, str]:
    config = areas_config()
    areas = (config.home, *config.districts, *config.neighbours, *config.quarterly_measure_areas)
    names = {a.code: a.name for a in areas}
    panel = config.child_death_review_panel
    if panel and panel.code:
        names[panel.code] = panel.name
    return names


def measures(tier: Tier) -> list[MeasureSeries]:
    """Each measure's quarterly series at each upper-tier area, with its SPC chart."""
    current = MeasureRow.objects.filter(removed_by__isnull=True, period_type="quarter")
    rows = current.select_related("added_by").order_by("measure_code", "area_code", "period_start")
    names = area_names()
    return [
        _series(code, area, series_rows, tier, names)
        for (code, area), series_rows in _by_series(rows).items()
    ]


def _by_series(rows) -> dict[tuple[str, str], list]:
    out: dict[tuple[str, str], list] = defaultdict(list)
    for row in rows:
        out[(row.measure_code, row.area_code)].append(row)
    return dict(sorted(out.items()))


def _series(
    code: str, area: str, rows: list, tier: Tier, names: dict, fallback_target=None
) -> MeasureSeries:
    """One measure's quarters at one area as an audience sees them, with its SPC view."""
    measure = MEASURES[code]
    area_type = rows[-1].area_type
    published = measure.published_nationally and area_type in ("UTLA", "PROVIDER")
    points = []
    for r in rows:
        value = float(r.numerator / r.denominator * 100)
        if published or tier is Tier.RESTRICTED:
            shown = Shown(value, State.SHOWN)
        else:  # below upper tier and not published: counts 1-7 and small denominators
            numerator = count(float(r.numerator), tier)
            shown = (
                numerator
                if numerator.value is None
                else percent(value, float(r.numerator), float(r.denominator), tier, min_numerator=0)
            )
        points.append((r, shown))
    # The row's target, else the linked performance measure's (LOCAL_DATA.md section 6).
    target = next((float(r.target) for r in reversed(rows) if r.target is not None), None)
    if target is None and fallback_target is not None:
        target = float(fallback_target)
    labels = [quarter_label(r.period_start) for r in rows]
    view = spc_view(labels, [s.value for _, s in points], better=measure.better, target=target)
    return MeasureSeries(
        code,
        measure.name,
        area,
        labels,
        points,
        target,
        view,
        published,
        any(r.added_by.synthetic for r in rows),
        names.get(area, area),
    )


@dataclass(frozen=True)
class LatestQuarter:
    """A linked plan measure's latest local quarter, as one audience may see it."""

    code: str
    name: str
    area_name: str
    quarter: str = ""  # "2024/25 Q2"
    value: str = ""  # "72.3%", or the state's words when withheld
    withheld: bool = False
    variation: str = ""  # Making Data Count words
    variation_icon: str = ""  # inline SVG with its words as its label
    variation_letter: str = ""  # the icon's letter and colour, for the PDF to draw
    variation_colour: str = ""
    assurance: str = ""
    assurance_letter: str = ""
    assurance_icon: str = ""
    assurance_colour: str = ""
    target: float | None = None
    synthetic: bool = False
    tier: Tier = Tier.MEMBERS

    @property
    def has_data(self) -> bool:
        return bool(self.quarter)

    @property
    def summary(self) -> str:
        """The whole of it in words (the PDF and screen readers)."""
        if not self.has_data:
            return f"No local data: no {self.code} quarter uploaded for {self.area_name}."
        text = f"{self.name}, {self.area_name}, {self.quarter}: {self.value}."
        if self.variation:
            text += f" {self.variation}."
        if self.assurance:
            text += f" {self.assurance}."
        elif self.target is None:
            text += " No target, so no assurance."
        if self.synthetic:
            text += " Synthetic example data, not real figures."
        return text


def latest_quarters(links: dict[str, float | None], tier: Tier) -> dict[str, LatestQuarter]:
    """For each linked measure code (with the plan measure's target), its latest quarter at the
    home county, disclosure-controlled for `tier`; codes with no data say so. One query."""
    home = areas_config().home
    out: dict[str, LatestQuarter] = {}
    codes = [c for c in links if c in MEASURES]
    if not codes:
        return out
    rows = (
        MeasureRow.objects.filter(
            removed_by__isnull=True,
            period_type="quarter",
            measure_code__in=codes,
            area_code=home.code,
        )
        .select_related("added_by")
        .order_by("period_start")
    )
    found = _by_series(rows)
    names = {home.code: home.name}
    for code in codes:
        series_rows = found.get((code, home.code))
        if not series_rows:
            out[code] = LatestQuarter(code, MEASURES[code].name, home.name, tier=tier)
            continue
        s = _series(code, home.code, series_rows, tier, names, links[code])
        latest = s.points[-1][1]
        view = s.spc
        withheld = latest.value is None
        letter, words = ASSURANCE_WORDS.get(view.assurance, ("", ""))
        variation_letter, variation_colour = ("", "") if withheld else variation_badge(view)
        out[code] = LatestQuarter(
            code,
            s.name,
            s.area_name,
            quarter=s.labels[-1],
            value=f"{latest.state.label} ({latest.state.phrase})"
            if withheld
            else f"{latest.value:.1f}%",
            withheld=withheld,
            variation=VARIATION_WORDS.get(view.variation, "")
            or f"No variation icon: {view.reason or 'too few points'}",
            variation_icon="" if withheld else variation_icon(view),
            variation_letter=variation_letter,
            variation_colour=variation_colour,
            assurance=words,
            assurance_letter=letter,
            assurance_icon=assurance_icon(view),
            assurance_colour=ASSURANCE_COLOURS.get(view.assurance, ""),
            target=s.target,
            synthetic=s.synthetic,
            tier=tier,
        )
    return out


def as_number(value) -> float | None:
    return float(value) if isinstance(value, Decimal) else value
