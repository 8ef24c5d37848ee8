"""The deciles card: values by deprivation decile with the SII, the local dataset's or England's."""

from __future__ import annotations

from dataclasses import dataclass

from indicators import chart_text, charts
from indicators.cards.card import ChartCard, View, figure_dict
from indicators.cards.cells import interval_cell, interval_csv, number_cell
from indicators.deprivation import (
    decile_number,
    describe_missing,
    missing_quantiles,
    quantiles_expected,
)
from indicators.disclosure import CountState, as_published, withhold_beside
from indicators.england_deciles import newest_england_deciles
from indicators.formatting import Estimate, format_number
from indicators.models import Indicator, InequalityDataset


@dataclass(frozen=True)
class _Breakdown:
    """What the card shows of one breakdown by decile, local or England's."""

    title: str
    about: list[str]
    bars: list[charts.DecileBar]
    sii_line: tuple[float, float] | None
    denominators: dict[int | None, float | None]
    suppressed: frozenset[int] = frozenset()
    estimated_births: bool = False  # the local report gives no births: they are estimated


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
    breakdown = _local(dataset) if dataset is not None else _england(indicator, title)
    if breakdown is None:
        card.empty = "No breakdown by deprivation decile is held for this indicator."
        return card
    card.title, card.about = breakdown.title, breakdown.about
    bars, line = breakdown.bars, breakdown.sii_line
    fig = charts.deciles_chart(deciles=bars, unit=indicator.unit, title=card.title, sii_line=line)
    card.figure = figure_dict(fig)
    card.points = sum(b.value is not None for b in bars)
    card.alt_text = chart_text.describe_deciles(deciles=bars, unit=indicator.unit, sii=line)
    _fill_table(card, breakdown)
    return card


def missing_in(dataset: InequalityDataset) -> list[int]:
    """The dataset's quantiles with no value; its stored SII is not shown when there are any."""
    points = list(dataset.points.all())
    return missing_quantiles(
        [p.quantile for p in points],
        [p.value for p in points],
        quantiles_expected(dataset.quantile_type),
    )


def _local(dataset: InequalityDataset) -> _Breakdown:
    """The local report's table, as published, with the SII it states when it can be stated."""
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
    missing = missing_in(dataset)
    calculable = dataset.sii is not None and not missing
    # The period is part of the title, or that the source does not state it.
    period = dataset.period_note or "period not stated"
    return _Breakdown(
        title=f"{dataset.name}, {period[0].lower()}{period[1:]} (local data)",
        about=_local_about(dataset, calculable, missing),
        bars=bars,
        sii_line=(dataset.sii_intercept, dataset.sii_intercept + dataset.sii)
        if calculable and dataset.sii_intercept is not None
        else None,
        denominators={q: row["denominator"] for q, row in shown.items()},
        suppressed=frozenset(q for q, row in shown.items() if row["suppressed"]),
        estimated_births=True,
    )


def _local_about(dataset: InequalityDataset, calculable: bool, missing: list[int]) -> list[str]:
    sii_text = (
        f"SII {dataset.sii:.2f} (95% CI {dataset.sii_lower:.2f} to "
        f"{dataset.sii_upper:.2f}), RII {dataset.rii:.2f} (95% CI "
        f"{dataset.rii_lower:.2f} to {dataset.rii_upper:.2f})"
        if calculable
        else "SII cannot be calculated" + (f": {describe_missing(missing)}" if missing else "")
    )
    return [
        f"{dataset.source}. {dataset.period_note}. {dataset.quantile_type}.",
        "Births are estimated as deaths ÷ rate × 1,000 from the report's rounded rates: "
        "the report gives no births. They are marked as estimates here and in the CSV.",
        f"{sii_text}. Sign convention: least deprived minus most deprived; {dataset.sii_note}.",
    ]


def _england(indicator: Indicator, title: str) -> _Breakdown | None:
    """England's newest published breakdown by decile, with the SII calculated here."""
    england = newest_england_deciles(indicator)
    if england is None:
        return None
    observations, result = england
    return _Breakdown(
        title=f"{title}, England, {observations[0].period_label}",
        about=[
            f"England's published figures by {observations[0].category_type}.",
            (
                f"SII {result.sii:.2f}, RII {result.rii:.2f}, calculated here; sign convention: "
                "least deprived minus most deprived."
            )
            if result.calculable
            else f"SII cannot be calculated: {result.reason}.",
        ],
        bars=[
            charts.DecileBar(
                decile=decile_number(o.category),
                value=o.value,
                lower=o.lower_95,
                upper=o.upper_95,
                count=int(o.count) if o.count is not None else None,
            )
            for o in observations
        ],
        sii_line=(result.intercept, result.intercept + result.sii)
        if result.calculable and result.intercept is not None
        else None,
        denominators={decile_number(o.category): o.denominator for o in observations},
    )


def _fill_table(card: ChartCard, breakdown: _Breakdown) -> None:
    """A row per decile; a suppressed count withholds the figures beside it."""
    for b in breakdown.bars:
        if b.decile in breakdown.suppressed:
            withheld = "Withheld with the count"
            card.rows.append([str(b.decile), withheld, withheld, "Suppressed", withheld])
            card.csv_rows.append([b.decile, "", "", "suppressed", ""])
            continue
        denominator = breakdown.denominators.get(b.decile)
        estimated = bool(breakdown.estimated_births and denominator)
        card.rows.append(
            [
                str(b.decile),
                number_cell(b.value),
                interval_cell(b.lower, b.upper),
                "–" if b.count is None else f"{b.count:,}",
                number_cell(denominator, 0) + (" (estimate)" if estimated else ""),
            ]
        )
        card.csv_rows.append(
            [
                b.decile,
                format_number(b.value),
                interval_csv(b.lower, b.upper),
                "" if b.count is None else b.count,
                _denominator_csv(denominator, estimated=estimated),
            ]
        )


def _denominator_csv(denominator: float | None, *, estimated: bool) -> Estimate | str:
    """Estimated births are whole births (the estimate is not more precise than that)."""
    if denominator is None:
        return ""
    return Estimate(format_number(round(denominator) if estimated else denominator), estimated)


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
