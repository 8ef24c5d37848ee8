"""The base of the plan's models that carry rules of their own."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models


class RuledModel(models.Model):
    """A row with rules of its own: `refusals()` holds them by field, and both `clean()` (every
    form: the app's, the admin's and its history "revert" form) and `save()` (commands and
    shells) refuse a row that breaks one."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_if_ruled_out()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self._refuse_if_ruled_out()

    def refusals(self) -> dict[str, list[str]]:
        """The row's own rules, by field: empty when it may be saved."""
        return {}

    def _refuse_if_ruled_out(self) -> None:
        refusals = self.refusals()
        if refusals:
            raise ValidationError(refusals)
