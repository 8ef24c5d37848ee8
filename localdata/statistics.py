"""Statistics on local data and what each audience sees of them (pure).

Rates, limits, SII and SPC come from `indicators.statistics` on the real (unsuppressed) counts;
`localdata.disclosure` then decides what each tier is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from indicators.statistics.inequality import sii_from_counts
from indicators.statistics.intervals import crude_rate, wilson_proportion
from indicators.statistics.spc import xmr_chart
from localdata.disclosure import (
    PERCENT_MIN_DENOMINATOR,
    PERCENT_MIN_NUMERATOR,
    Reason,
    Shown,
    State,
    Tier,
    count,
    percent,
    rate,
    suppress_grid,
)

SII_SEED = 20240601  # logged with every SII (LOCAL_DATA.md section 6)
SII_REPETITIONS = 100_000
DECILES = tuple(range(1, 11))


@dataclass
class RateCells:
    """Births, deaths, IMR and its 95% limits as one audience sees them."""

    births: Shown
    deaths: Shown
    rate: Shown
    lower: Shown
    upper: Shown

    def as_dict(self) -> dict:
        return {
            name: {
                "value": s.value,
                "status": s.state.status,
                "status_reason": str(s.reason),
                **({"unreliable": True} if s.unreliable else {}),
            }
            for name, s in (
                ("live_births", self.births),
                ("infant_deaths", self.deaths),
                ("imr", self.rate),
                ("imr_lower_95", self.lower),
                ("imr_upper_95", self.upper),
            )
        }


def rate_cells(
    births,
    deaths,
    tier: Tier,
    *,
    births_reason=None,
    deaths_reason=None,
    group_withheld: bool = False,
) -> RateCells:
    shown_deaths = count(deaths, tier, deaths_reason)
    shown_births = count(births, tier, births_reason)
    if births is None or deaths is None:
        missing = Shown(None, State.MISSING)
        return RateCells(shown_births, shown_deaths, missing, missing, missing)
    if births == 0:
        na = Shown(None, State.NOT_APPLICABLE)
        return RateCells(shown_births, shown_deaths, na, na, na)
    estimate = crude_rate(count=deaths, denominator=births, multiplier=1000)
    hide = (
        group_withheld
        or shown_deaths.state is State.SUPPRESSED
        or (shown_births.state is State.SUPPRESSED)
    )
    parts = [
        rate(v, deaths, tier, group_withheld=hide)
        for v in (estimate.value, estimate.lower, estimate.upper)
    ]
    return RateCells(shown_births, shown_deaths, *parts)


@dataclass
class GridRow:
    code: str
    name: str
    cells: list[RateCells]
    total: RateCells
    withheld: bool


@dataclass
class Grid:
    rows: list[GridRow]
    county: GridRow
    tier: Tier
    suppressed_cells: int = 0


def deprivation_grid(
    areas: Sequence[tuple[str, str]],
    births: Sequence[Sequence[int | None]],
    deaths: Sequence[Sequence[int | None]],
    *,
    county: tuple[str, str],
    tier: Tier,
) -> Grid:
    """District × decile grid with district totals and a county row (the sum of districts)."""
    hidden_b = suppress_grid(births) if tier is not Tier.RESTRICTED else {}
    hidden_d = suppress_grid(deaths) if tier is not Tier.RESTRICTED else {}
    rows = []
    for r, (code, name) in enumerate(areas):
        withheld = any((r, c) in hidden_b or (r, c) in hidden_d for c in range(len(DECILES)))
        cells = [
            rate_cells(
                births[r][c],
                deaths[r][c],
                tier,
                births_reason=hidden_b.get((r, c)),
                deaths_reason=hidden_d.get((r, c)),
                group_withheld=withheld,
            )
            for c in range(len(DECILES))
        ]
        total = rate_cells(_sum(births[r]), _sum(deaths[r]), tier)
        rows.append(GridRow(code, name, cells, total, withheld))
    column_b = [_sum([row[c] for row in births]) for c in range(len(DECILES))]
    column_d = [_sum([row[c] for row in deaths]) for c in range(len(DECILES))]
    county_cells = [rate_cells(b, d, tier) for b, d in zip(column_b, column_d, strict=True)]
    county_row = GridRow(
        county[0], county[1], county_cells, rate_cells(_sum(column_b), _sum(column_d), tier), False
    )
    return Grid(rows, county_row, tier, len(set(hidden_b) | set(hidden_d)))


def _sum(values: Sequence[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SiiOutcome:
    basis: str  # "deciles", "quintiles" or ""
    sii: float | None
    lower: float | None
    upper: float | None
    rii: float | None
    rii_lower: float | None
    rii_upper: float | None
    reason: str = ""
    seed: int = SII_SEED

    @property
    def calculable(self) -> bool:
        return self.sii is not None


def sii_for(
    births: Sequence[int | None],
    deaths: Sequence[int | None],
    *,
    repetitions: int = SII_REPETITIONS,
) -> SiiOutcome:
    """SII/RII on deciles; on quintiles when a decile is empty; otherwise not calculable."""
    if any(v is None for v in (*births, *deaths)):
        return SiiOutcome("", None, None, None, None, None, None, "a decile is missing")
    for basis, b, d in (
        ("deciles", births, deaths),
        ("quintiles", _quintiles(births), _quintiles(deaths)),
    ):
        if all(v > 0 for v in b) and all(v > 0 for v in d):
            result = sii_from_counts(
                counts=d,
                populations=b,
                rate_multiplier=1000,
                multiplier=-1,
                repetitions=repetitions,
                seed=SII_SEED,
            )
            if result.calculable:
                lim = result.limits[0]
                return SiiOutcome(
                    basis,
                    result.sii,
                    lim.sii_lower,
                    lim.sii_upper,
                    result.rii,
                    lim.rii_lower,
                    lim.rii_upper,
                )
    return SiiOutcome(
        "",
        None,
        None,
        None,
        None,
        None,
        None,
        "cannot be calculated: a quintile has no births or no deaths",
    )


def _quintiles(values: Sequence[int]) -> list[int]:
    return [values[i] + values[i + 1] for i in range(0, 10, 2)]


@dataclass
class PercentRow:
    label: str
    numerator: Shown
    denominator: Shown
    percent: Shown
    lower: Shown
    upper: Shown


def percent_row(
    label: str, numerator: int, denominator: int, tier: Tier, *, reason: Reason | None = None
) -> PercentRow:
    """A count out of a denominator with its Wilson 95% limits, as one audience sees it."""
    shown_n = count(numerator, tier, reason)
    shown_d = count(denominator, tier)
    if not denominator:
        na = Shown(None, State.NOT_APPLICABLE)
        return PercentRow(label, shown_n, shown_d, na, na, na)
    estimate = wilson_proportion(count=numerator, denominator=denominator, multiplier=100)
    parts = []
    for value in (estimate.value, estimate.lower, estimate.upper):
        if shown_n.state is State.SUPPRESSED:
            parts.append(Shown(None, State.SUPPRESSED, str(shown_n.reason)))
        else:
            parts.append(
                percent(
                    value,
                    numerator,
                    denominator,
                    tier,
                    min_numerator=PERCENT_MIN_NUMERATOR,
                    min_denominator=PERCENT_MIN_DENOMINATOR,
                )
            )
    return PercentRow(label, shown_n, shown_d, *parts)


def suppress_column(values: Sequence[int]) -> dict[int, Reason]:
    """Primary and secondary suppression of one group summing to a shown total."""
    return {r: reason for (r, _), reason in suppress_grid([[v] for v in values]).items()} | {
        c: reason for (_, c), reason in suppress_grid([list(values)]).items()
    }


@dataclass
class SpcView:
    labels: list[str]
    values: list[float | None]
    mean: float | None = None
    lpl: float | None = None
    upl: float | None = None
    point_types: list[str] = field(default_factory=list)
    variation: str = ""
    assurance: str = ""
    trial_limits: bool = False
    reason: str = ""


def spc_view(
    labels: Sequence[str], values: Sequence[float | None], *, better: str, target: float | None
) -> SpcView:
    """An XmR chart over the points an audience sees; a gap breaks the series (rule 4)."""
    run_start = max((i + 1 for i, v in enumerate(values) if v is None), default=0)
    run = [v for v in values[run_start:] if v is not None]
    view = SpcView(list(labels), list(values))
    if len(run) < 2:
        view.reason = "too few points since the last gap for an SPC chart"
        return view
    result = xmr_chart(run, improvement_direction=better, target=target)
    view.mean, view.lpl, view.upl = result.mean, result.lpl, result.upl
    view.point_types = [""] * run_start + [str(p.point_type) for p in result.points]
    view.variation = str(result.variation_icon)
    view.assurance = str(result.assurance) if result.assurance else ""
    view.trial_limits = result.short_series_warning
    return view
