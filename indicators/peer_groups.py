"""An analyst's own comparator group (kind "custom"), by whichever way it is written: the
`peer_group` command or the admin. One set of rules: a purpose, at least one member, every
code an area held, each member once and not the area itself; replaced whole or not at all."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from indicators.models import Area, DataVersion
from indicators.neighbours_models import PeerGroup, PeerGroupMember


class InvalidGroup(ValueError):
    """The group breaks a rule; the message names what to change. Nothing was written."""


def parse_codes(text: str) -> list[str]:
    """ONS codes written comma- or space-separated, in order."""
    return [c.strip() for c in text.replace("\n", ",").replace(" ", ",").split(",") if c.strip()]


def check(area: str, codes: list[str], purpose: str) -> dict[str, str]:
    """The names of the area and its members, or InvalidGroup naming what is wrong."""
    if not purpose.strip():
        raise InvalidGroup("purpose: say what the group is built for")
    if not codes:
        raise InvalidGroup("members: give at least one ONS code")
    known = dict(Area.objects.filter(code__in=[area, *codes]).values_list("code", "name"))
    unknown = [c for c in [area, *codes] if c not in known]
    if unknown:
        raise InvalidGroup(f"no area held with code {', '.join(unknown)}; nothing changed")
    if area in codes or len(set(codes)) != len(codes):
        raise InvalidGroup("members: each code once, and not the area itself")
    return known


def define(
    name: str,
    area: str,
    codes: list[str],
    purpose: str,
    *,
    source: str,
    group: PeerGroup | None = None,
) -> PeerGroup:
    """Write the group (a new one, the one of that name, or `group` itself when it is edited)."""
    known = check(area, codes, purpose)
    fields = {
        "purpose": purpose.strip(),
        "source": source,
        "version": f"defined {timezone.now():%Y-%m-%d}",
    }
    with transaction.atomic():
        if group is None:
            group, _ = PeerGroup.objects.update_or_create(
                kind=PeerGroup.Kind.CUSTOM, area_code=area, name=name, defaults=fields
            )
        else:
            for field, value in {**fields, "name": name, "area_code": area}.items():
                setattr(group, field, value)
            group.kind = PeerGroup.Kind.CUSTOM
            group.save()
        group.members.all().delete()
        PeerGroupMember.objects.bulk_create(
            PeerGroupMember(group=group, code=c, name=known[c], rank=r)
            for r, c in enumerate(codes, start=1)
        )
        DataVersion.bump()  # the pages' neighbours sections read the groups: rebuild them
    return group


def delete(groups) -> int:
    """Delete analysts' groups (a queryset); the pages showing them are rebuilt."""
    with transaction.atomic():
        deleted, _ = groups.filter(kind=PeerGroup.Kind.CUSTOM).delete()
        if deleted:
            DataVersion.bump()
    return deleted
