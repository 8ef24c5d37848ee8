"""The outcomes framework's performance measures, each linked to the indicator it reads."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from actionplan.models.base import RuledModel
from actionplan.models.plan import Plan, PriorityArea
from indicators.models import Indicator
from indicators.vocabulary import Direction
from localdata.schema import MEASURES as LOCAL_MEASURES


class PerformanceMeasure(RuledModel):
    """A measure of the outcomes framework (Appendix 3), linked to the indicator it reads."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    priority_area = models.ForeignKey(
        PriorityArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="measures"
    )
    objective = models.TextField(help_text="The framework's objective, as printed")
    measure = models.TextField()
    phof_reference = models.CharField(max_length=16, blank=True)
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.PROTECT)
    local_measure_code = models.CharField(
        max_length=32,
        blank=True,
        help_text="The code of the local data's quarterly measure (template C, e.g. SATOD) that "
        "feeds this measure; its latest quarter is shown on the board and in the board pack",
    )
    direction = models.CharField(max_length=8, choices=Direction.choices)
    baseline_value = models.FloatField(null=True, blank=True)
    baseline_period = models.CharField(max_length=40, blank=True)
    target_value = models.FloatField(null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return self.measure[:80]

    def refusals(self) -> dict[str, list[str]]:
        """A target or baseline the indicator's figures can never take is refused."""
        from indicators.definitions import VALUE_RANGES

        errors: dict[str, list[str]] = {}
        if self.local_measure_code and self.local_measure_code not in LOCAL_MEASURES:
            errors["local_measure_code"] = [
                f"{self.local_measure_code} is not a local quarterly measure: use one of "
                + ", ".join(LOCAL_MEASURES)
            ]
        allowed = VALUE_RANGES.get(self.indicator.fingertips_id) if self.indicator_id else None
        if allowed is None:
            return errors
        for name, label in (("target_value", "Target"), ("baseline_value", "Baseline")):
            value = getattr(self, name)
            if value is None:
                continue
            if allowed.minimum is not None and value < allowed.minimum:
                errors[name] = [
                    f"{label} must be {allowed.minimum:g} or more: it is {allowed.what}"
                ]
            elif allowed.maximum is not None and value > allowed.maximum:
                errors[name] = [
                    f"{label} must be {allowed.maximum:,g} or less: it is {allowed.what}"
                ]
        return errors
