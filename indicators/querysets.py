"""Querysets with the domain's words."""

from __future__ import annotations

from django.db import models


class ObservationQuerySet(models.QuerySet):
    def for_indicator(self, fingertips_id: int) -> ObservationQuerySet:
        return self.filter(indicator__fingertips_id=fingertips_id)

    def for_area(self, code: str) -> ObservationQuerySet:
        return self.filter(area__code=code)

    def headline(self) -> ObservationQuerySet:
        """Rows without a deprivation or other category breakdown."""
        return self.filter(category_type="")

    def in_period(self, sortable: int) -> ObservationQuerySet:
        return self.filter(period_sortable=sortable)


class ImportRunQuerySet(models.QuerySet):
    def succeeded(self) -> ImportRunQuerySet:
        return self.filter(status="succeeded")

    def latest_success(self):
        return self.succeeded().order_by("-finished_at", "-id").first()


class IndicatorQuerySet(models.QuerySet):
    def shown(self) -> IndicatorQuerySet:
        """Declared indicators the dashboard's pages show."""
        return self.filter(is_defined=True, shown=True)
