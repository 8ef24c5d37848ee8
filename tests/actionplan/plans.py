"""The bundled plan, for tests whose quarters come after it ended (March 2023)."""

from __future__ import annotations

from datetime import date

from actionplan.models import Plan
from actionplan.presenters import current_plan


def running_plan() -> Plan:
    """The bundled plan, extended to March 2027 as a council extends its plan, so that the
    2024/25 quarters these tests review fall within its period (`QuarterlyReview` refuses
    a quarter outside it on every write path)."""
    plan = current_plan()
    Plan.objects.filter(pk=plan.pk).update(ends=date(2027, 3, 31))
    plan.refresh_from_db()
    return plan
