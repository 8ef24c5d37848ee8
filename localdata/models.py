"""Uploads of local data and the rows they loaded.

Rows are never overwritten: each row records the upload that added it and, once replaced or
removed, the upload that removed it. The current data are the rows not removed; the data as
they stood after any committed upload N are the rows added at or before N and not removed by
then (upload ids follow commit order: a commit is refused unless it was previewed against the
latest committed upload, which therefore has a smaller id). That is what makes restore cheap and
history permanent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Template(models.TextChoices):
    A = "A", "A: births and deaths by area × IMD decile × year"
    B1 = "B1", "B1: child death reviews by category"
    B2 = "B2", "B2: modifiable factors by domain"
    C = "C", "C: quarterly measures"


class Upload(models.Model):
    """One attempt to load a file (or one restore): who, when, what, and what came of it."""

    class Kind(models.TextChoices):
        FILE = "file", "File upload"
        RESTORE = "restore", "Restore of an earlier upload"

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed, not committed"
        COMMITTED = "committed", "Committed"
        REJECTED = "rejected", "Rejected"
        REFUSED = "refused", "Refused: data changed since preview"

    template = models.CharField(max_length=2, choices=Template.choices)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.FILE)
    status = models.CharField(max_length=10, choices=Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, help_text="Kept if the account is deleted")
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    first_changes = models.JSONField(default=list, blank=True)
    coverage = models.JSONField(
        default=dict, blank=True, help_text="The periods and areas the file holds"
    )
    base_upload_id = models.BigIntegerField(
        null=True, blank=True, help_text="The latest committed upload when this was previewed"
    )
    restores = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="restored_by"
    )
    synthetic = models.BooleanField(default=False)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["template", "status", "-id"])]

    def __str__(self) -> str:
        return f"Upload {self.pk} ({self.template}, {self.get_status_display()})"


class UploadFile(models.Model):
    """The original bytes of an accepted file, in the database (never a web server's disk)."""

    upload = models.OneToOneField(Upload, on_delete=models.CASCADE, related_name="original")
    content = models.BinaryField()

    def __str__(self) -> str:
        return f"Original file of upload {self.upload_id}"


class UploadEvent(models.Model):
    """What was done to an upload after the fact (a purge), by whom and why."""

    class Action(models.TextChoices):
        PURGE = "purge", "Purged (original file and free text deleted)"

    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=8, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()

    def __str__(self) -> str:
        return f"{self.get_action_display()}: upload {self.upload_id} by {self.username}"


class TemplateState(models.Model):
    """One row per template: locked by each commit; names the latest committed upload."""

    template = models.CharField(max_length=2, choices=Template.choices, primary_key=True)
    latest = models.ForeignKey(Upload, null=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Template {self.template}: latest upload {self.latest_id}"


class LocalRow(models.Model):
    added_by = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="+")
    removed_by = models.ForeignKey(
        Upload, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk} (upload {self.added_by_id})"


class BirthsDeathsRow(LocalRow):
    """Template A."""

    year = models.PositiveSmallIntegerField()
    period_basis = models.CharField(max_length=16)
    area_code = models.CharField(max_length=20)
    imd_version = models.CharField(max_length=8)
    lsoa_vintage = models.CharField(max_length=8)
    decile_basis = models.CharField(max_length=8)
    imd_decile = models.CharField(max_length=3)
    live_births = models.PositiveIntegerField()
    infant_deaths = models.PositiveIntegerField()
    neonatal_deaths = models.PositiveIntegerField(null=True)
    postneonatal_deaths = models.PositiveIntegerField(null=True)
    stillbirths = models.PositiveIntegerField(null=True)
    source = models.CharField(max_length=200)
    extract_date = models.DateField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["removed_by", "year", "period_basis"])]


class ReviewCategoryRow(LocalRow):
    """Template B1."""

    review_period = models.CharField(max_length=7)
    area_code = models.CharField(max_length=20)
    age_band = models.CharField(max_length=8)
    category_code = models.PositiveSmallIntegerField()
    deaths_reviewed = models.PositiveIntegerField()
    reviews_with_modifiable_factors = models.PositiveIntegerField()
    reviews_insufficient_information = models.PositiveIntegerField()
    note = models.CharField(max_length=500, blank=True)


class ReviewFactorRow(LocalRow):
    """Template B2."""

    review_period = models.CharField(max_length=7)
    area_code = models.CharField(max_length=20)
    age_band = models.CharField(max_length=8)
    domain = models.CharField(max_length=32)
    factor_code = models.CharField(max_length=32)
    reviews_factor_present = models.PositiveIntegerField()
    reviews_factor_contributory = models.PositiveIntegerField()
    denominator_reviews = models.PositiveIntegerField()


class MeasureRow(LocalRow):
    """Template C."""

    measure_code = models.CharField(max_length=32)
    period_type = models.CharField(max_length=8)
    period_start = models.DateField()
    period_end = models.DateField()
    area_type = models.CharField(max_length=10)
    area_code = models.CharField(max_length=20)
    numerator = models.DecimalField(max_digits=16, decimal_places=4)
    denominator = models.DecimalField(max_digits=16, decimal_places=4)
    unknown_count = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    target = models.DecimalField(max_digits=7, decimal_places=3, null=True)
    status = models.CharField(max_length=12)
    source = models.CharField(max_length=200)
    value_note = models.CharField(max_length=500, blank=True)


ROW_MODELS: dict[str, type[LocalRow]] = {
    "A": BirthsDeathsRow,
    "B1": ReviewCategoryRow,
    "B2": ReviewFactorRow,
    "C": MeasureRow,
}
