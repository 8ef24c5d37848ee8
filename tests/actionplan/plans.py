"""The bundled plan, for tests whose quarters come after it ended (March 2023)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from actionplan.models import Plan
from actionplan.presenters import current_plan


def running_plan() -> Plan:
    """The bundled plan, extended (as a council extends its plan) to the end of the financial
    year after this one, so that the quarters of 2024 to today fall within its period:
    `QuarterlyReview` refuses a quarter outside it on every write path."""
    plan = current_plan()
    today = timezone.localdate()
    year = today.year if today.month >= 4 else today.year - 1
    Plan.objects.filter(pk=plan.pk).update(ends=date(year + 2, 3, 31))
    plan.refresh_from_db()
    return plan
