"""England's published breakdowns by deprivation decile: the newest with a value, and its SII."""

from __future__ import annotations

from indicators.configuration import areas_config
from indicators.deprivation import decile_number, sii_over_deciles
from indicators.models import Indicator, Observation
from indicators.narrative import describe_sii, rii_is_meaningful


def _sii(observations: list[Observation]):
    """The SII and RII over one breakdown's deciles (calculated here)."""
    return sii_over_deciles(
        deciles=[decile_number(o.category) for o in observations],
        values=[o.value for o in observations],
        lowers=[o.lower_95 for o in observations],
        uppers=[o.upper_95 for o in observations],
        populations=[o.denominator for o in observations],
    )


def newest_england_deciles(indicator: Indicator):
    """One indicator's newest breakdown with a value, by decile, and its SII; None if none."""
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
    return chosen, _sii(chosen)


def england_decile_gradients() -> list[dict]:
    """For each shown indicator, England's latest published decile breakdown and its SII."""
    return [
        _gradient(category_type, observations)
        for category_type, observations in _latest_breakdowns()
    ]


def _latest_breakdowns() -> list[tuple[str, list[Observation]]]:
    """Per shown indicator, in their order: the category type and deciles of England's newest
    breakdown with a value, Persons where published."""
    rows = (
        Observation.objects.filter(
            area__code=areas_config().england.code,
            indicator__shown=True,
            category_type__icontains="deprivation deciles",
        )
        .select_related("indicator")
        .order_by("indicator__position", "-period_sortable", "category_type")
    )
    groups: dict[tuple, list[Observation]] = {}
    for row in rows:
        # One sex and age per breakdown: Persons where published (ordered first below).
        key = (row.indicator_id, row.period_sortable, row.category_type, row.sex, row.age)
        groups.setdefault(key, []).append(row)
    first_seen = {key[0]: n for n, key in reversed(list(enumerate(groups)))}
    groups = dict(
        sorted(
            groups.items(),
            key=lambda item: (first_seen[item[0][0]], -item[0][1], item[0][3] != "Persons"),
        )
    )
    latest: dict[int, tuple] = {}
    for key, members in groups.items():  # ordered newest first within each indicator
        # A breakdown published without a single value (withheld) is not the latest figure.
        if any(o.value is not None for o in members):
            latest.setdefault(key[0], key)
    return [
        (key[2], sorted(groups[key], key=lambda o: decile_number(o.category) or 99))
        for key in latest.values()
    ]


def _gradient(category_type: str, observations: list[Observation]) -> dict:
    """What the inequalities page shows of one breakdown: its deciles, SII and the sentence."""
    result = _sii(observations)
    limits = result.limits[0] if result.calculable and result.limits else None
    return {
        "narrative": describe_sii(
            sii=result.sii if result.calculable else None,
            lower=limits.sii_lower if limits else None,
            upper=limits.sii_upper if limits else None,
            rii=result.rii if result.calculable else None,
            unit=observations[0].indicator.unit,
            reason=result.reason,
        ),
        "rii_meaningful": rii_is_meaningful(result.rii),
        "indicator": observations[0].indicator,
        "period": observations[0].period_label,
        "category_type": category_type,
        "observations": observations,
        "sii": result,
        "limits": limits,
    }
