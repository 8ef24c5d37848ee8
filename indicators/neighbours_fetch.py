"""CIPFA nearest neighbours and NHS England peer groups, fetched from the Fingertips API.

`nearest_neighbour_types` gives each neighbour type and the area types it applies to;
`areas/by_parent_area_code?area_type_id=<type>&parent_area_code=nn-<NeighbourTypeId>-<code>`
lists an area's neighbours in rank order, without the area. A failed fetch is recorded on the
group (`fetch_error`) and the last good list is kept; nothing is ever guessed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from indicators.neighbours_models import PeerGroup, PeerGroupMember
from indicators.refresh import _reason, _session

logger = logging.getLogger(__name__)
MAX_BYTES = 2 * 2**20
PURPOSES = {
    PeerGroup.Kind.CIPFA: (
        "Built by CIPFA to compare councils' finances and socio-economic circumstances (about "
        "40 measures); Fingertips' comparator for upper-tier councils before 2023. Not built "
        "for perinatal outcomes."
    ),
    PeerGroup.Kind.NHSE: (
        "Built by NHS England from Census 2021 features weighted for adult social care; "
        "Fingertips' comparator for upper-tier councils since about May 2024. Not built for "
        "perinatal outcomes."
    ),
}


class FetchError(Exception):
    """The API did not give a usable answer; the message says which call and why."""


@dataclass(frozen=True)
class Fetched:
    kind: str
    name: str
    members: int
    error: str = ""


def _get_json(session: requests.Session, url: str):
    timeout = settings.FINGERTIPS_TIMEOUT_SECONDS
    try:
        response = session.get(url, timeout=(min(10.0, timeout), timeout))
        response.raise_for_status()
    except requests.exceptions.RequestException as exc:
        raise FetchError(f"{url}: {_reason(exc)}") from None
    if len(response.content) > MAX_BYTES:
        raise FetchError(f"{url}: the answer is larger than {MAX_BYTES // 2**20} MB")
    try:
        return json.loads(response.content)
    except ValueError:
        raise FetchError(f"{url}: the answer is not JSON ({response.content[:40]!r})") from None


def kind_of(neighbour_type: dict) -> str | None:
    """CIPFA or NHS England peers from the type's name; other types are not fetched."""
    name = str(neighbour_type.get("Name", "")).lower()
    if "cipfa" in name:
        return PeerGroup.Kind.CIPFA
    if "nhs england" in name or "nhse" in name:
        return PeerGroup.Kind.NHSE
    return None


def _applicable(types, area_type_id: int) -> list[dict]:
    if not isinstance(types, list):
        raise FetchError("nearest_neighbour_types: expected a list of neighbour types")
    found = []
    for item in types:
        applies = item.get("ApplicableAreaTypes") or []
        ids = {a.get("Id") for a in applies if isinstance(a, dict)}
        if area_type_id in ids and kind_of(item) and isinstance(item.get("NeighbourTypeId"), int):
            found.append(item)
    return found


def _members(areas, url: str) -> list[tuple[str, str]]:
    if not isinstance(areas, list) or not areas:
        raise FetchError(f"{url}: the API listed no neighbours")
    members = []
    for position, area in enumerate(areas, start=1):
        code = area.get("Code") if isinstance(area, dict) else None
        if not isinstance(code, str) or not code:
            raise FetchError(f"{url}: neighbour {position} has no area code")
        members.append((code, str(area.get("Name", ""))))
    return members


def _save(kind, name, area_code, area_type_id, type_id, members, source) -> None:
    with transaction.atomic():
        group, _ = PeerGroup.objects.update_or_create(
            kind=kind,
            area_code=area_code,
            name=name,
            defaults={
                "area_type_id": area_type_id,
                "neighbour_type_id": type_id,
                "purpose": PURPOSES[kind],
                "source": source,
                "version": f"fetched {timezone.now():%Y-%m-%d}",
                "fetched_at": timezone.now(),
                "fetch_error": "",
            },
        )
        group.members.all().delete()
        PeerGroupMember.objects.bulk_create(
            PeerGroupMember(group=group, code=c, name=n, rank=r)
            for r, (c, n) in enumerate(members, start=1)
        )


def _failed(kind, name, area_code, area_type_id, type_id, error: str) -> None:
    """Say so on the group, keeping its last good members (a new group has none)."""
    PeerGroup.objects.update_or_create(
        kind=kind,
        area_code=area_code,
        name=name,
        defaults={
            "area_type_id": area_type_id,
            "neighbour_type_id": type_id,
            "purpose": PURPOSES[kind],
            "fetch_error": f"{timezone.now():%Y-%m-%d %H:%M}: {error}",
        },
    )


def fetch_peer_groups(area_code: str, area_type_id: int, base_url: str | None = None):
    """Fetch every CIPFA / NHS England group that applies to the area type; one result each.

    A failure of the list of types is returned as one result with an error and recorded on the
    area's existing groups."""
    base = base_url or settings.FINGERTIPS_API_URL
    session = _session()
    try:
        types = _applicable(
            _get_json(session, urljoin(base, "nearest_neighbour_types")), area_type_id
        )
    except FetchError as error:
        logger.warning("Peer groups not fetched: %s", error)
        PeerGroup.objects.filter(area_code=area_code).exclude(kind=PeerGroup.Kind.CUSTOM).update(
            fetch_error=f"{timezone.now():%Y-%m-%d %H:%M}: {error}"
        )
        return [Fetched("", "", 0, str(error))]
    results = []
    for item in types:
        kind, name, type_id = kind_of(item), str(item.get("Name")), item["NeighbourTypeId"]
        query = urlencode(
            {"area_type_id": area_type_id, "parent_area_code": f"nn-{type_id}-{area_code}"}
        )
        url = urljoin(base, "areas/by_parent_area_code") + "?" + query
        try:
            members = _members(_get_json(session, url), url)
        except FetchError as error:
            logger.warning("Peer group not fetched: %s", error)
            _failed(kind, name, area_code, area_type_id, type_id, str(error))
            results.append(Fetched(kind, name, 0, str(error)))
            continue
        _save(kind, name, area_code, area_type_id, type_id, members, f"Fingertips API, {url}")
        results.append(Fetched(kind, name, len(members)))
    return results


def refresh_home_peer_groups(base_url: str | None = None) -> list[Fetched]:
    """The home county's peer groups for its configured area type (run by the refresh task)."""
    from indicators.configuration import areas_config

    config = areas_config()
    before = held_groups(config.home.code)
    results = fetch_peer_groups(config.home.code, config.county_area_type_id, base_url)
    if held_groups(config.home.code) != before:
        from indicators.models import DataVersion

        DataVersion.bump()  # the pages' neighbours sections read the groups: rebuild them
    return results


def held_groups(area_code: str) -> list[tuple]:
    """What the pages show of an area's groups: each one's name, error and members in order."""
    return [
        (g.kind, g.name, g.fetch_error, [m.code for m in g.members.all()])
        for g in PeerGroup.objects.filter(area_code=area_code)
        .order_by("kind", "name")
        .prefetch_related("members")
    ]
