"""Areas, indicators, observations and the import runs that wrote them."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.db import connection, models
from django.utils import timezone

from indicators.observation_fields import NATURAL_KEY_FIELDS

from .querysets import ImportRunQuerySet, IndicatorQuerySet, ObservationQuerySet
from .vocabulary import Polarity


class AreaLevel(models.TextChoices):
    ENGLAND = "england", "Country"
    REGION = "region", "Region"
    COUNTY = "county", "County (upper tier)"
    UNITARY = "unitary", "Unitary authority"
    DISTRICT = "district", "District (lower tier)"
    OTHER = "other", "Other"


# ONS code prefixes say what an English area is; Fingertips area-type names change by vintage.
_LEVEL_BY_PREFIX = {
    "E92": AreaLevel.ENGLAND,
    "E12": AreaLevel.REGION,
    "E10": AreaLevel.COUNTY,
    "E11": AreaLevel.COUNTY,
    "E06": AreaLevel.UNITARY,
    "E08": AreaLevel.UNITARY,
    "E09": AreaLevel.UNITARY,
    "E07": AreaLevel.DISTRICT,
}


def level_for_code(code: str) -> str:
    return _LEVEL_BY_PREFIX.get(code[:3], AreaLevel.OTHER)


class Area(models.Model):
    """A geography Fingertips publishes for: England, a region, a county, a UA or a district."""

    code = models.CharField(max_length=16, unique=True, help_text="ONS code, e.g. E10000017")
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=16, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AreaGroup(models.Model):
    """A configured set of areas: the home county and its districts, the footprint, comparators."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    members = models.ManyToManyField(Area, through="AreaGroupMember", related_name="groups")

    def __str__(self) -> str:
        return self.name


class AreaGroupMember(models.Model):
    group = models.ForeignKey(AreaGroup, on_delete=models.CASCADE)
    area = models.ForeignKey(Area, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["group", "position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "area"], name="unique_area_in_group")
        ]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.area_id}"


class ValueType(models.TextChoices):
    CRUDE_RATE = "crude_rate", "Crude rate"
    PROPORTION = "proportion", "Proportion"
    SCORE = "score", "Score"
    OTHER = "other", "Other"


class CIMethod(models.TextChoices):
    BYARS_EXACT = "byars_exact", "Byar's (exact Poisson below 10 events)"
    WILSON = "wilson", "Wilson score"
    NONE = "none", "No confidence interval"


class BenchmarkMethod(models.TextChoices):
    CI_OVERLAP_95 = "ci_overlap_95", "Confidence intervals overlapping reference value (95.0)"
    CI_OVERLAP_998 = "ci_overlap_998", "Confidence intervals overlapping reference value (99.8)"
    CI_OVERLAP_TWO_LEVELS = "ci_overlap_two_levels", "Confidence intervals at 95.0 and 99.8"
    QUINTILES = "quintiles", "Quintiles"
    NONE = "none", "No comparison"


class PeriodType(models.TextChoices):
    CALENDAR = "calendar", "Calendar year"
    FINANCIAL = "financial", "Financial year"
    CALENDAR_3Y = "calendar_3y", "3 calendar years pooled"
    FINANCIAL_3Y = "financial_3y", "3 financial years pooled"
    OTHER = "other", "Other"


class Indicator(models.Model):
    """An indicator as data: one row per Fingertips indicator, from definitions.py or an import."""

    fingertips_id = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=300)
    short_name = models.CharField(max_length=100, blank=True)
    unit = models.CharField(max_length=100, blank=True)
    multiplier = models.PositiveIntegerField(default=1)
    value_type = models.CharField(max_length=16, choices=ValueType.choices, default=ValueType.OTHER)
    ci_method = models.CharField(max_length=16, choices=CIMethod.choices, default=CIMethod.NONE)
    ci_count_divisor = models.FloatField(
        default=1.0,
        help_text="Count and denominator are divided by this for the limits only (e.g. 2 where "
        "Fingertips halves child counts to stand for families)",
    )
    polarity = models.CharField(
        max_length=32, choices=Polarity.choices, default=Polarity.NOT_APPLICABLE.value
    )
    benchmark_method = models.CharField(
        max_length=32, choices=BenchmarkMethod.choices, default=BenchmarkMethod.NONE
    )
    period_type = models.CharField(
        max_length=16, choices=PeriodType.choices, default=PeriodType.OTHER
    )
    definition = models.TextField(blank=True)
    numerator = models.TextField(blank=True)
    denominator = models.TextField(blank=True)
    source = models.TextField(blank=True)
    profile_id = models.PositiveIntegerField(null=True, blank=True)
    # Whether the id was seen in real Fingertips data or metadata, rather than second-hand.
    id_confirmed = models.BooleanField(default=False)
    id_confirmation_note = models.TextField(blank=True)
    checked_by = models.CharField(max_length=100, blank=True)
    checked_on = models.DateField(null=True, blank=True)
    # False for an indicator that arrived in an import but is not declared in definitions.py.
    is_defined = models.BooleanField(default=True)
    refresh = models.BooleanField(default=True, help_text="Included in the Fingertips refresh")
    shown = models.BooleanField(default=True, help_text="Shown on the dashboard's pages")
    position = models.PositiveSmallIntegerField(default=999)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["position", "fingertips_id"]

    def __str__(self) -> str:
        return f"{self.short_name or self.name} ({self.fingertips_id})"


class ImportRun(models.Model):
    """One import of one source: what was read, what changed, and whether it succeeded."""

    class Source(models.TextChoices):
        FILE = "file", "Fingertips export file"
        SNAPSHOT = "snapshot", "Bundled snapshot"
        API = "api", "Fingertips API refresh"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        REJECTED = "rejected", "Rejected (bad data)"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=16, choices=Source.choices)
    location = models.TextField(help_text="File path or URLs read")
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the bytes read")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    warnings = models.JSONField(
        default=list,
        blank=True,
        help_text="Figures kept as published but worth a look (a value outside its own confidence "
        "limits), each naming file, row and column; the first few of warning_count",
    )
    warning_count = models.PositiveIntegerField(default=0)
    data_current_at = models.DateTimeField(
        null=True, blank=True, help_text="When the data was taken from Fingertips"
    )
    owner = models.CharField(
        max_length=200,
        blank=True,
        help_text="Host and process id running the import, to tell a stopped run from a live one",
    )

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class Origin(models.TextChoices):
    PUBLISHED = "published", "Published by Fingertips"
    AGGREGATED = "aggregated", "Aggregated here from published counts"


class LimitsCheck(models.TextChoices):
    NOT_CHECKED = "", "Not checked"
    AGREE = "agree", "Published limits agree"
    DISAGREE = "disagree", "Published limits disagree"


class Observation(models.Model):
    """One figure: an indicator for an area, breakdown and period, with what the engine derived."""

    # The references are checked by triggers once per statement, not by foreign keys row by row,
    # and need no index of their own (migration 0012 says why).
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="observations",
        db_constraint=False,
        db_index=False,
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="observations",
        db_constraint=False,
        db_index=False,
    )
    sex = models.CharField(max_length=32)
    age = models.CharField(max_length=64)
    category_type = models.CharField(max_length=200, blank=True, default="")
    category = models.CharField(max_length=200, blank=True, default="")
    period_sortable = models.PositiveIntegerField()
    period_label = models.CharField(max_length=40)
    period_range = models.CharField(max_length=8, blank=True, default="")
    period_start_year = models.PositiveSmallIntegerField()
    period_end_year = models.PositiveSmallIntegerField()
    value = models.FloatField(null=True, blank=True)
    lower_ci_95 = models.FloatField(null=True, blank=True)
    upper_ci_95 = models.FloatField(null=True, blank=True)
    lower_ci_998 = models.FloatField(null=True, blank=True)
    upper_ci_998 = models.FloatField(null=True, blank=True)
    count = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    value_note = models.TextField(blank=True, default="")
    recent_trend = models.CharField(max_length=64, blank=True, default="")
    compared_to_england = models.CharField(max_length=64, blank=True, default="")
    # Published comparisons as exported, by parent code: {"E12000002": ["Better", "Similar"]}
    # holds the "compared to England" and "compared to parent" columns of the row with that parent.
    parent_comparisons = models.JSONField(default=dict, blank=True)
    compared_to_goal = models.CharField(max_length=32, blank=True, default="")
    new_data = models.CharField(max_length=16, blank=True, default="")
    import_run = models.ForeignKey(
        ImportRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="observations",
        db_constraint=False,
        db_index=False,
    )
    origin = models.CharField(
        max_length=16, choices=Origin.choices, default=Origin.PUBLISHED, db_default=Origin.PUBLISHED
    )

    # Derived by indicators.derived from the stored figures; never imported or exported. The
    # database defaults serve the importer's raw INSERTs.
    computed_lower_ci_95 = models.FloatField(null=True, blank=True)
    computed_upper_ci_95 = models.FloatField(null=True, blank=True)
    computed_lower_ci_998 = models.FloatField(null=True, blank=True)
    computed_upper_ci_998 = models.FloatField(null=True, blank=True)
    ci_method_used = models.CharField(max_length=16, blank=True, default="", db_default="")
    limits_check = models.CharField(
        max_length=16, choices=LimitsCheck.choices, blank=True, default="", db_default=""
    )
    limits_note = models.TextField(blank=True, default="", db_default="")
    comparison_england = models.CharField(max_length=16, blank=True, default="", db_default="")
    comparison_region = models.CharField(max_length=16, blank=True, default="", db_default="")
    comparison_home = models.CharField(max_length=16, blank=True, default="", db_default="")
    computed_trend = models.CharField(max_length=64, blank=True, default="", db_default="")

    objects = ObservationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=list(NATURAL_KEY_FIELDS), name="observation_natural_key")
        ]
        indexes = [
            models.Index(fields=["area", "indicator", "period_sortable"]),
            # The home county's aggregates of an indicator, looked up on every recompute: a
            # handful of rows, so the index costs the import of published rows nothing.
            models.Index(
                fields=["indicator"],
                condition=models.Q(origin="aggregated"),
                name="observation_aggregates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.area_id} {self.period_label} {self.value}"

    @property
    def lower_95(self) -> float | None:
        """The published 95% lower limit, or the engine's where none was published."""
        return self.lower_ci_95 if self.lower_ci_95 is not None else self.computed_lower_ci_95

    @property
    def upper_95(self) -> float | None:
        return self.upper_ci_95 if self.upper_ci_95 is not None else self.computed_upper_ci_95

    @property
    def compared_to_region(self) -> str:
        """The published comparison with the region, when a regional-parent export supplied it."""
        for parent_code, (_, to_parent) in self.parent_comparisons.items():
            if parent_code.startswith("E12"):
                return to_parent
        return ""


class InequalityDataset(models.Model):
    """A local breakdown by deprivation quantile that Fingertips does not publish."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT)
    area = models.ForeignKey(Area, on_delete=models.PROTECT)
    period_note = models.CharField(max_length=200, blank=True)
    source = models.TextField()
    quantile_type = models.CharField(max_length=100, help_text="e.g. IMD 2019 deciles")
    # The slope and relative index of inequality with their 95% limits, and how they were got.
    sii = models.FloatField(null=True, blank=True)
    sii_lower = models.FloatField(null=True, blank=True)
    sii_upper = models.FloatField(null=True, blank=True)
    rii = models.FloatField(null=True, blank=True)
    rii_lower = models.FloatField(null=True, blank=True)
    rii_upper = models.FloatField(null=True, blank=True)
    # The fitted line's value at the most deprived end; the SII is its change to the least.
    sii_intercept = models.FloatField(null=True, blank=True)
    sii_note = models.TextField(blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class InequalityPoint(models.Model):
    """One quantile of a local inequality dataset; 1 is the most deprived."""

    dataset = models.ForeignKey(InequalityDataset, on_delete=models.CASCADE, related_name="points")
    quantile = models.PositiveSmallIntegerField()
    count = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    denominator_is_estimate = models.BooleanField(default=False)
    value = models.FloatField(null=True, blank=True)
    lower_ci_95 = models.FloatField(null=True, blank=True)
    upper_ci_95 = models.FloatField(null=True, blank=True)
    published_value = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["dataset", "quantile"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "quantile"], name="one_point_per_quantile")
        ]

    def __str__(self) -> str:
        return f"{self.dataset.slug} {self.quantile}"


class DataVersion(models.Model):
    """Version numbers that change whenever stored figures or derived statistics change.

    One row per scope: `indicator:<Fingertips id>` changes when that indicator's figures change;
    `indicators` changes with any indicator's (for pages that show every indicator, such as the
    overview's heat map); `all` changes only when everything must be rebuilt. Cached pages and
    charts are keyed by the versions of the scopes they read, so a refresh invalidates exactly
    what it changed, and nothing is served stale, whichever process made the change. The
    numbers are bumped in the transaction that changes the figures, so they become visible
    together: a page built from older figures can only be stored under an older key.
    """

    ALL = "all"
    ANY_INDICATOR = "indicators"

    scope = models.CharField(max_length=40, unique=True, default=ALL)
    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.scope} {self.number}"

    @staticmethod
    def indicator_scope(fingertips_id: int) -> str:
        return f"indicator:{fingertips_id}"

    @classmethod
    def current(cls, scope: str = ANY_INDICATOR) -> tuple[tuple[str, int], ...]:
        """The versions a page reading `scope` is keyed by (`all` and that scope), in one query."""
        scopes = (cls.ALL, scope)
        numbers = dict(cls.objects.filter(scope__in=scopes).values_list("scope", "number"))
        return tuple((name, numbers.get(name, 0)) for name in scopes)

    @classmethod
    def bump_indicators(cls, fingertips_ids: Iterable[int]) -> None:
        """The given indicators' figures changed: their versions and `indicators` move on."""
        ids = sorted(set(fingertips_ids))
        if ids:
            cls._bump([cls.ANY_INDICATOR, *(cls.indicator_scope(i) for i in ids)])

    @classmethod
    def bump(cls) -> None:
        """Everything may have changed: every cached page is rebuilt."""
        cls._bump([cls.ALL])

    @classmethod
    def renew(cls) -> int:
        """Move `all` to a number no page was ever cached under: after a deploy, a restore or a
        new database, whose version numbers may repeat ones the cache already holds pages for."""
        number = secrets.randbits(48)
        cls.objects.update_or_create(scope=cls.ALL, defaults={"number": number})
        return number

    @classmethod
    def _bump(cls, scopes: list[str]) -> None:
        # One upsert per scope, always in the same order, so concurrent imports cannot deadlock.
        table = connection.ops.quote_name(cls._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (scope, number, changed_at) VALUES (%s, 1, %s) "
                f"ON CONFLICT (scope) DO UPDATE SET number = {table}.number + 1, "
                "changed_at = excluded.changed_at",
                [(scope, now) for scope in sorted(scopes)],
            )


from indicators.neighbours_models import PeerGroup, PeerGroupMember  # noqa: E402, F401
