"""The configured home county: read from DASHBOARD_AREAS_FILE, written as areas and area groups.

Another county runs the dashboard by pointing DASHBOARD_AREAS_FILE at its own file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction

from indicators.models import Area, AreaGroup, AreaGroupMember, AreaLevel, level_for_code

_CODE = re.compile(r"^E\d{8}$")
DATASET_KEYS = {"slug", "file", "name", "indicator", "area", "quantile_type", "source"}


class ConfigurationError(ValueError):
    """The areas file is missing, unreadable or inconsistent."""


@dataclass(frozen=True)
class NamedArea:
    code: str
    name: str


@dataclass(frozen=True)
class AreasConfig:
    """The home county, its districts, neighbouring unitaries, region and England."""

    name: str
    england: NamedArea
    region: NamedArea
    home: NamedArea
    districts: tuple[NamedArea, ...]
    neighbours: tuple[NamedArea, ...]
    district_area_type_id: int
    county_area_type_id: int
    parent_area_type_id: int
    local_datasets: tuple[dict, ...] = ()

    @property
    def footprint(self) -> tuple[NamedArea, ...]:
        """The districts and neighbouring unitaries, the areas compared side by side."""
        return self.districts + self.neighbours

    @property
    def all_codes(self) -> list[str]:
        areas = (self.home, *self.footprint, self.region, self.england)
        return [a.code for a in areas]


def parse_config(data: dict) -> AreasConfig:
    """Validate the areas file's content into a config, naming the first bad entry."""

    def area(value: object, where: str) -> NamedArea:
        if not isinstance(value, dict) or not isinstance(value.get("name"), str):
            raise ConfigurationError(f"{where}: expected an object with 'code' and 'name'")
        code = value.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise ConfigurationError(f"{where}: {code!r} is not an ONS area code")
        return NamedArea(code, value["name"])

    try:
        fingertips = data.get("fingertips", {})
        config = AreasConfig(
            name=str(data["name"]),
            england=area(data["england"], "england"),
            region=area(data["region"], "region"),
            home=area(data["home"], "home"),
            districts=tuple(area(d, f"districts[{i}]") for i, d in enumerate(data["districts"])),
            neighbours=tuple(
                area(d, f"neighbours[{i}]") for i, d in enumerate(data.get("neighbours", []))
            ),
            district_area_type_id=int(fingertips.get("district_area_type_id", 501)),
            county_area_type_id=int(fingertips.get("county_area_type_id", 502)),
            parent_area_type_id=int(fingertips.get("parent_area_type_id", 6)),
            local_datasets=tuple(data.get("local_datasets", [])),
        )
    except KeyError as exc:
        raise ConfigurationError(f"missing entry {exc.args[0]!r}") from None
    expected = {
        "england": (config.england, {AreaLevel.ENGLAND}),
        "region": (config.region, {AreaLevel.REGION}),
        "home": (config.home, {AreaLevel.COUNTY, AreaLevel.UNITARY}),
    }
    for where, (named, levels) in expected.items():
        if level_for_code(named.code) not in levels:
            raise ConfigurationError(f"{where}: {named.code} is not a {'/'.join(levels)} code")
    for i, spec in enumerate(config.local_datasets):
        lacking = DATASET_KEYS - set(spec)
        if lacking:
            raise ConfigurationError(f"local_datasets[{i}]: missing {', '.join(sorted(lacking))}")
    codes = config.all_codes
    if len(codes) != len(set(codes)):
        raise ConfigurationError("an area is listed twice")
    return config


def read_config(path: Path) -> AreasConfig:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"{path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{path}: not valid JSON ({exc})") from None
    return parse_config(data)


@cache
def _cached(path: str) -> AreasConfig:
    return read_config(Path(path))


def areas_config() -> AreasConfig:
    """The configuration in force (DASHBOARD_AREAS_FILE)."""
    return _cached(str(settings.DASHBOARD_AREAS_FILE))


GROUPS = {
    "home-county": "{home} and its districts",
    "footprint": "{home} districts, {neighbours}",
    "comparators": "{region} and England",
}


def sync_configured_areas(config: AreasConfig | None = None) -> None:
    """Create or rename the configured areas, set their parents and rebuild the area groups."""
    config = config or areas_config()
    with transaction.atomic():
        parents = {
            config.england.code: None,
            config.region.code: config.england.code,
            config.home.code: config.region.code,
            **{d.code: config.home.code for d in config.districts},
            **{n.code: config.region.code for n in config.neighbours},
        }
        named = [config.england, config.region, config.home, *config.footprint]
        for area in named:
            Area.objects.update_or_create(
                code=area.code, defaults={"name": area.name, "level": level_for_code(area.code)}
            )
        areas = {a.code: a for a in Area.objects.filter(code__in=parents)}
        for code, parent_code in parents.items():
            parent_id = areas[parent_code].pk if parent_code else None
            if areas[code].parent_id != parent_id:
                Area.objects.filter(pk=areas[code].pk).update(parent_id=parent_id)
        neighbours = ", ".join(n.name for n in config.neighbours) or "no neighbours"
        members = {
            "home-county": [config.home, *config.districts],
            "footprint": list(config.footprint),
            "comparators": [config.region, config.england],
        }
        for slug, template in GROUPS.items():
            group, _ = AreaGroup.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": template.format(
                        home=config.home.name, region=config.region.name, neighbours=neighbours
                    )
                },
            )
            AreaGroupMember.objects.filter(group=group).delete()
            AreaGroupMember.objects.bulk_create(
                AreaGroupMember(group=group, area=areas[a.code], position=i)
                for i, a in enumerate(members[slug])
            )
