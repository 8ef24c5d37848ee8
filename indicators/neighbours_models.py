"""Comparator groups held in the database: CIPFA and NHS England peers fetched from the
Fingertips API, and groups analysts define. (The DfE lists ship as a file: `neighbours.py`.)"""

from __future__ import annotations

from django.db import models


class PeerGroup(models.Model):
    """One comparator group of one area, with what it was built for and where it came from."""

    class Kind(models.TextChoices):
        CIPFA = "cipfa", "CIPFA nearest neighbours"
        NHSE = "nhse", "NHS England peer group"
        CUSTOM = "custom", "Defined by an analyst"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=200)
    area_code = models.CharField(max_length=16, help_text="ONS code of the area the group is for")
    area_type_id = models.PositiveIntegerField(null=True, blank=True)
    neighbour_type_id = models.PositiveIntegerField(null=True, blank=True)
    purpose = models.TextField(help_text="What the group was built for")
    source = models.TextField(blank=True)
    version = models.CharField(max_length=100, blank=True, help_text="e.g. the date fetched")
    fetched_at = models.DateTimeField(null=True, blank=True)
    fetch_error = models.TextField(
        blank=True, help_text="Why the last fetch failed; the members kept are the last good list"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "area_code", "name"], name="peer_group_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.area_code})"


class PeerGroupMember(models.Model):
    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="members")
    code = models.CharField(max_length=16)
    name = models.CharField(max_length=200, blank=True)
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["group", "code"], name="peer_group_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.name or self.code}"
