"""An area profile: each indicator's latest published figure for one area, against England and
the spread of the area's peers (districts with unitaries, or counties with unitaries).

Read for the area page, its CSV and its spine chart (`cards.profile_card`); the figures are
`presenters.figure_of`'s, so the profile says what every other page says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import quantiles

from indicators.models import Area, AreaLevel, Indicator, Observation, Origin, Polarity
from indicators.presenters import Figure, figure_of

Key = tuple[int, int]  # (indicator pk, period_sortable)


@dataclass(frozen=True, slots=True)
class ProfileRow:
    """One indicator's line of an area profile: the area against England, worst and best."""

    indicator: Indicator
    period: str
    area: Figure | None
    england: Figure | None
    worst: float | None
    best: float | None
    q25: float | None
    q75: float | None
    areas_ranked: int


def area_profile(area: Area, indicators: Sequence[Indicator]) -> list[ProfileRow]:
    """Each indicator's latest period for the area, with England and the spread of its peers."""
    levels = _peer_levels(area)
    by_key = _published_groups(indicators, levels)
    aggregated = _aggregated(area, indicators)
    profile = []
    for indicator in indicators:
        key = _latest_key(indicator, area, by_key, aggregated)
        if key is None:
            profile.append(ProfileRow(indicator, "", None, None, None, None, None, None, 0))
            continue
        profile.append(_profile_row(indicator, area, by_key[key], aggregated.get(key), levels))
    return profile


def _peer_levels(area: Area) -> list[str]:
    """The levels an area is ranked among: districts with unitaries, counties with unitaries,
    else its own level."""
    if area.level in {AreaLevel.DISTRICT, AreaLevel.UNITARY}:
        return [AreaLevel.DISTRICT, AreaLevel.UNITARY]
    if area.level == AreaLevel.COUNTY:
        return [AreaLevel.COUNTY, AreaLevel.UNITARY]
    return [area.level]


def _published_groups(
    indicators: Sequence[Indicator], levels: list[str]
) -> dict[Key, list[Observation]]:
    """Published headline rows of the peers and England, by indicator and period."""
    rows = (
        Observation.objects.headline()
        .filter(indicator__in=indicators, origin=Origin.PUBLISHED)
        .filter(area__level__in=[*levels, AreaLevel.ENGLAND])
        .select_related("area", "indicator")
    )
    by_key: dict[Key, list[Observation]] = defaultdict(list)
    for observation in rows:
        by_key[(observation.indicator_id, observation.period_sortable)].append(observation)
    return by_key


def _aggregated(area: Area, indicators: Sequence[Indicator]) -> dict[Key, Observation]:
    """The area's own figures aggregated here from its districts, by indicator and period."""
    return {
        (o.indicator_id, o.period_sortable): o
        for o in Observation.objects.headline()
        .filter(indicator__in=indicators, area=area, origin=Origin.AGGREGATED)
        .select_related("area", "indicator")
    }


def _latest_key(
    indicator: Indicator,
    area: Area,
    by_key: dict[Key, list[Observation]],
    aggregated: dict[Key, Observation],
) -> Key | None:
    """The newest period the area has a figure for; where it has none at all (a county the
    export does not cover), England's newest period with a figure, so the row still shows
    England's figure and the peers. None where neither has one."""
    own = [k for k in by_key if k[0] == indicator.pk and _has(by_key[k], area, aggregated, k)]
    if own:
        return max(own)
    england = [k for k in by_key if k[0] == indicator.pk and _has_england(by_key[k])]
    return max(england) if england else None


def _profile_row(
    indicator: Indicator,
    area: Area,
    group: list[Observation],
    aggregated: Observation | None,
    levels: list[str],
) -> ProfileRow:
    """One indicator's row from its period's published rows (and the area's aggregated one)."""
    mine = next((o for o in group if o.area_id == area.pk), aggregated)
    england = next((o for o in group if o.area.level == AreaLevel.ENGLAND), None)
    peers = sorted(o.value for o in group if o.area.level in levels and o.value is not None)
    worst, best, q25, q75 = _spread(peers, indicator.polarity)
    return ProfileRow(
        indicator,
        (mine or england).period_label if (mine or england) else "",
        figure_of(mine) if mine else None,
        figure_of(england) if england else None,
        worst,
        best,
        q25,
        q75,
        len(peers),
    )


def _spread(peers: list[float], polarity: str) -> tuple[float | None, ...]:
    """Worst, best, lower and upper quartile of the peers' sorted values (quartiles from four
    peers); an indicator with no polarity has no judgement: worst is the lowest, best the
    highest."""
    if not peers:
        return None, None, None, None
    low_is_good = polarity == Polarity.LOW_IS_GOOD
    high_is_good = polarity == Polarity.HIGH_IS_GOOD
    worst, best = (peers[-1], peers[0]) if low_is_good else (peers[0], peers[-1])
    if not (low_is_good or high_is_good):
        worst, best = peers[0], peers[-1]  # no judgement: lowest and highest
    q25 = q75 = None
    if len(peers) >= 4:
        q25, _, q75 = quantiles(peers, n=4)
    return worst, best, q25, q75


def _has(group, area, aggregated, key) -> bool:
    return any(o.area_id == area.pk for o in group) or key in aggregated


def _has_england(group) -> bool:
    return any(o.area.level == AreaLevel.ENGLAND and o.value is not None for o in group)
