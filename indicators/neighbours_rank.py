"""Ranking an area among a comparator group, and each member against the group's average. Pure.

Rank "r of n": the area plus the members with a value; 1 is best by polarity; ties share the
better rank. The group's average is pooled (sum of counts over sum of denominators) where every
member has both, otherwise the mean of the values, and says which.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from indicators.statistics import Polarity, compare_ci_overlap, parse_polarity
from indicators.vocabulary import Comparison


@dataclass(frozen=True, slots=True)
class Member:
    code: str
    name: str
    value: float | None
    lower95: float | None = None
    upper95: float | None = None
    count: float | None = None
    denominator: float | None = None
    is_area: bool = False


@dataclass(frozen=True, slots=True)
class RankedMember:
    member: Member
    rank: int | None
    comparison: Comparison | None


@dataclass(frozen=True, slots=True)
class GroupRanking:
    members: tuple[RankedMember, ...]
    rank: int | None  # the area's
    of: int
    average: float | None
    average_kind: str  # "pooled" or "mean of values" or ""
    missing: tuple[str, ...]  # members without a value

    @property
    def covered(self) -> bool:
        """Whether the data cover the group: every member has a value."""
        return not self.missing and self.rank is not None


def ranks(values: Sequence[float], polarity: Polarity) -> list[int]:
    """Competition ranks (1, 2, 2, 4): 1 is best; low is best unless high is good."""
    sign = -1 if polarity is Polarity.HIGH_IS_GOOD else 1
    keyed = [sign * v for v in values]
    return [1 + sum(1 for other in keyed if other < mine) for mine in keyed]


def group_average(members: Sequence[Member], multiplier: float) -> tuple[float | None, str]:
    have = [m for m in members if m.value is not None]
    if not have:
        return None, ""
    if all(m.count is not None and m.denominator for m in have):
        return sum(m.count for m in have) / sum(m.denominator for m in have) * multiplier, (
            "pooled"
        )
    return sum(m.value for m in have) / len(have), "mean of values"


def rank_group(
    members: Sequence[Member], polarity: Polarity | str, multiplier: float = 1.0
) -> GroupRanking:
    """Rank the area (the member with is_area) among the group, and compare each member's
    interval with the group's average (95% CI overlap)."""
    polarity = parse_polarity(polarity)
    with_values = [m for m in members if m.value is not None]
    order = ranks([m.value for m in with_values], polarity)
    rank_of = {id(m): r for m, r in zip(with_values, order, strict=True)}
    average, kind = group_average(members, multiplier)
    ranked = []
    for m in members:
        comparison = None
        if m.value is not None and average is not None and m.lower95 is not None:
            comparison = compare_ci_overlap(
                value=m.value,
                lower=m.lower95,
                upper=m.upper95,
                benchmark=average,
                polarity=polarity,
            )
        ranked.append(RankedMember(m, rank_of.get(id(m)), comparison))
    area = next((r for r in ranked if r.member.is_area), None)
    return GroupRanking(
        members=tuple(sorted(ranked, key=lambda r: (r.rank is None, r.rank or 0))),
        rank=area.rank if area else None,
        of=len(with_values),
        average=average,
        average_kind=kind,
        missing=tuple(m.name for m in members if m.value is None),
    )
