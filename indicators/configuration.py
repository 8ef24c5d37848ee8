"""The configured home county: read from DASHBOARD_AREAS_FILE, written as areas and area groups.

Another county runs the dashboard by pointing DASHBOARD_AREAS_FILE at its own file. The file is
the one place for geography; its layout is `fixtures/config/areas.schema.json` (documented in
docs/AREAS_FILE.md) and `parse_config` checks it, naming the first bad entry.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction

from indicators.charts import AreaRole
from indicators.models import Area, AreaGroup, AreaGroupMember, AreaLevel, level_for_code

_CODE = re.compile(r"^E\d{8}$")
DATASET_KEYS = {"slug", "file", "name", "indicator", "area", "quantile_type", "source"}
TOP_LEVEL_KEYS = {
    "$schema",
    "name",
    "description",
    "england",
    "region",
    "home",
    "districts",
    "neighbours",
    "child_death_review_panel",
    "quarterly_measure_areas",
    "boundaries",
    "fingertips",
    "local_datasets",
}
# The UK-wide ONS boundary file the map's districts are selected from, by code.
DEFAULT_DISTRICT_BOUNDARIES = (
    "fixtures/geo/Local_Authority_Districts_May_2024_Boundaries_UK_BSC.geo.json"
)
DEFAULT_DISTRICT_CODE_PROPERTY = "LAD24CD"


class ConfigurationError(ValueError):
    """The areas file is missing, unreadable or inconsistent."""


@dataclass(frozen=True)
class NamedArea:
    code: str
    name: str


@dataclass(frozen=True)
class ReviewPanel:
    """The child death review panel (CDOP) whose footprint holds the home county."""

    name: str
    areas: tuple[str, ...]
    code: str | None = None  # the panel's own code in uploaded review data (e.g. PAN_LANCS)


@dataclass(frozen=True)
class Boundaries:
    """Where the map's district shapes come from: a GeoJSON file and its code property."""

    districts_file: str = DEFAULT_DISTRICT_BOUNDARIES
    district_code_property: str = DEFAULT_DISTRICT_CODE_PROPERTY


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
    child_death_review_panel: ReviewPanel | None = None
    quarterly_measure_areas: tuple[NamedArea, ...] = ()
    boundaries: Boundaries = Boundaries()

    @property
    def footprint(self) -> tuple[NamedArea, ...]:
        """The districts and neighbouring unitaries, the areas compared side by side."""
        return self.districts + self.neighbours

    def role(self, code: str) -> AreaRole | None:
        """What the area is to the dashboard (charts style it by this), or None if unlisted."""
        if code == self.home.code:
            return AreaRole.HOME
        if code == self.region.code:
            return AreaRole.REGION
        if code == self.england.code:
            return AreaRole.ENGLAND
        if any(d.code == code for d in self.districts):
            return AreaRole.DISTRICT
        if any(n.code == code for n in self.neighbours):
            return AreaRole.NEIGHBOUR
        return None

    @property
    def all_codes(self) -> list[str]:
        areas = (self.home, *self.footprint, self.region, self.england)
        return [a.code for a in areas]


def parse_config(data: dict) -> AreasConfig:
    """Validate the areas file's content into a config, naming the first bad entry."""
    if not isinstance(data, dict):
        raise ConfigurationError("the areas file must hold one JSON object")
    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigurationError(f"unknown entry {unknown[0]!r} (see docs/AREAS_FILE.md)")
    try:
        config = _read_entries(data)
    except KeyError as exc:
        raise ConfigurationError(f"missing entry {exc.args[0]!r}") from None
    _check_agreement(config)
    return config


def _area(value: object, where: str) -> NamedArea:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise ConfigurationError(f"{where}: expected an object with 'code' and 'name'")
    code = value.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        raise ConfigurationError(f"{where}: {code!r} is not an ONS area code")
    return NamedArea(code, value["name"])


def _read_entries(data: dict) -> AreasConfig:
    """Each entry read and checked on its own (a KeyError names a missing entry)."""
    fingertips = data.get("fingertips", {})
    return AreasConfig(
        name=str(data["name"]),
        england=_area(data["england"], "england"),
        region=_area(data["region"], "region"),
        home=_area(data["home"], "home"),
        districts=tuple(_area(d, f"districts[{i}]") for i, d in enumerate(data["districts"])),
        neighbours=tuple(
            _area(d, f"neighbours[{i}]") for i, d in enumerate(data.get("neighbours", []))
        ),
        district_area_type_id=int(fingertips.get("district_area_type_id", 501)),
        county_area_type_id=int(fingertips.get("county_area_type_id", 502)),
        parent_area_type_id=int(fingertips.get("parent_area_type_id", 6)),
        local_datasets=tuple(data.get("local_datasets", [])),
        child_death_review_panel=_panel(data.get("child_death_review_panel")),
        quarterly_measure_areas=tuple(
            _area(d, f"quarterly_measure_areas[{i}]")
            for i, d in enumerate(data.get("quarterly_measure_areas", []))
        ),
        boundaries=_boundaries(data.get("boundaries", {})),
    )


def _check_agreement(config: AreasConfig) -> None:
    """The entries against each other: codes of the right level, each area once, local
    datasets complete and about a configured area, the home county on its review panel."""
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
    for i, spec in enumerate(config.local_datasets):
        if spec["area"] not in codes:
            raise ConfigurationError(
                f"local_datasets[{i}]: area {spec['area']} is not one of the configured areas"
            )
    panel = config.child_death_review_panel
    if panel is not None and config.home.code not in panel.areas:
        raise ConfigurationError(
            f"child_death_review_panel.areas: the home county {config.home.code} is missing"
        )


def _panel(value: object) -> ReviewPanel | None:
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("name"), str)
        or not isinstance(value.get("areas"), list)
        or not all(isinstance(c, str) and _CODE.match(c) for c in value["areas"])
        or not isinstance(value.get("code", ""), str)
    ):
        raise ConfigurationError(
            "child_death_review_panel: expected an object with 'name' and 'areas' (ONS codes)"
        )
    return ReviewPanel(value["name"], tuple(value["areas"]), value.get("code") or None)


def _boundaries(value: object) -> Boundaries:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigurationError("boundaries: expected an object of file names and properties")
    lacking = set(value) - {"districts_file", "district_code_property"}
    if lacking:
        raise ConfigurationError(f"boundaries: unknown entry {sorted(lacking)[0]!r}")
    return Boundaries(**value)


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
