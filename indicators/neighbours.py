"""Comparator groups as data, and an indicator's figures ranked among them.

The DfE children's services statistical neighbours ship in `fixtures/reference/
statistical_neighbours_dfe.csv` (two lists, never mixed: the May 2025 model and the April 2021
LGR version); they are read from that file, not from the areas file's `neighbours`. Each group
says what it was built for: none was built for perinatal outcomes.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from indicators import presenters
from indicators.neighbours_rank import GroupRanking, Member, rank_group
from indicators.statistics import parse_polarity

DFE_FILE = Path(settings.BASE_DIR) / "fixtures" / "reference" / "statistical_neighbours_dfe.csv"
DFE_PURPOSE = (
    "Built by the Department for Education to compare councils' children's services "
    "(socio-economic similarity); not built for perinatal outcomes."
)
DFE_SOURCE = (
    "Department for Education, Local Authority Interactive Tool (dfe-analytical-services/"
    "local-authority-interactive-tool, 01_data/02_prod/sn_may_2025.xlsx and sn_april_2021.xlsx, "
    "MIT licence), LA numbers mapped to ONS codes with DfE's lookup"
)
DEFAULT_LIST = "DfE children's services statistical neighbours (May 2025 model)"


@dataclass(frozen=True)
class Group:
    name: str  # includes its version, e.g. "(May 2025 model)"
    area_code: str
    members: tuple[tuple[str, str, str], ...]  # (code, name, closeness band) in rank order
    purpose: str
    source: str
    version: str = ""
    error: str = ""  # the last fetch's failure, for groups fetched from the API
    dated: str = ""  # when the list was made or fetched, as the method page cites it

    @property
    def cited_version(self) -> str:
        """The list's version: a stored group's own, a DfE list's from its name."""
        if self.version:
            return self.version
        if self.name.endswith(")") and "(" in self.name:
            return self.name[self.name.rindex("(") + 1 : -1]
        return ""

    @property
    def short_name(self) -> str:
        return "its DfE statistical neighbours" if self.name.startswith("DfE") else self.name


@functools.cache
def dfe_groups() -> tuple[Group, ...]:
    """Every DfE list in the shipped file, for every area it covers, members in rank order."""
    lists: dict[tuple[str, str], list[tuple[int, str, str, str]]] = {}
    with open(DFE_FILE, newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                key = (row["area_code"], row["list"])
                lists.setdefault(key, []).append(
                    (int(row["rank"]), row["neighbour_code"], row["neighbour_name"], row["band"])
                )
            except (KeyError, ValueError) as error:
                raise ValueError(f"{DFE_FILE.name}, row {number}: {error}") from None
    return tuple(
        Group(
            name=name,
            area_code=code,
            members=tuple((c, n, b) for _, c, n, b in sorted(rows)),
            purpose=DFE_PURPOSE,
            source=DFE_SOURCE,
            dated=_month_year(name),
        )
        for (code, name), rows in sorted(lists.items())
    )


def groups_for(area_code: str) -> list[Group]:
    """The area's groups: the DfE lists (the current one first), then those in the database
    (CIPFA and NHS England peers fetched from the API, analysts' own)."""
    found = [g for g in dfe_groups() if g.area_code == area_code]
    return sorted(found, key=lambda g: g.name != DEFAULT_LIST) + stored_groups(area_code)


def _month_year(name: str) -> str:
    """The month and year a DfE list's name gives ("... (May 2025 model)" → "May 2025")."""
    import re

    found = re.search(
        r"(January|February|March|April|May|June|July|August|September|October|November"
        r"|December) (\d{4})",
        name,
    )
    return found.group(0) if found else ""


def stored_groups(area_code: str | None) -> list[Group]:
    """The groups in the database for one area (None: for every area)."""
    from indicators.neighbours_models import PeerGroup

    stored = PeerGroup.objects.prefetch_related("members")
    if area_code is not None:
        stored = stored.filter(area_code=area_code)
    return [
        Group(
            name=g.name,
            area_code=g.area_code,
            members=tuple((m.code, m.name or m.code, "") for m in g.members.all()),
            purpose=g.purpose,
            source=g.source,
            version=g.version,
            error=g.fetch_error,
            dated=(g.fetched_at or g.updated_at).date().isoformat(),
        )
        for g in stored.order_by("kind", "name", "area_code")
    ]


def group_for(area_code: str, name: str = DEFAULT_LIST) -> Group | None:
    return next((g for g in groups_for(area_code) if g.name == name), None)


def _member(row, code: str, name: str, is_area: bool) -> Member:
    if row is None:
        return Member(code, name, None, is_area=is_area)
    return Member(
        code=code,
        name=row.area.name,
        value=row.value,
        lower95=row.lower_95,
        upper95=row.upper_95,
        count=row.count,
        denominator=row.denominator,
        is_area=is_area,
    )


def ranking(indicator, group: Group, period_sortable: int | None = None) -> GroupRanking | None:
    """The area and its group's members for one period (default: the area's latest)."""
    rows = presenters.headline_observations(indicator).filter(value__isnull=False)
    codes = [group.area_code, *(c for c, _, _ in group.members)]
    if period_sortable is None:
        mine = rows.filter(area__code=group.area_code).order_by("-period_sortable").first()
        if mine is None:
            return None
        period_sortable = mine.period_sortable
    found = {
        r.area.code: r for r in rows.filter(period_sortable=period_sortable, area__code__in=codes)
    }
    members = [_member(found.get(group.area_code), group.area_code, group.area_code, True)]
    members += [_member(found.get(c), c, n, False) for c, n, _ in group.members]
    return rank_group(members, parse_polarity(indicator.polarity), indicator.multiplier)


def rank_for_findings(indicator, observation):
    """The area's rank among its DfE neighbours, only where the data cover the whole group."""
    from indicators.findings import Rank

    group = group_for(observation.area.code)
    if group is None or not parse_polarity(indicator.polarity).judged:
        return None
    result = ranking(indicator, group, observation.period_sortable)
    if result is None or not result.covered:
        return None
    return Rank(result.rank, result.of, group.short_name)
