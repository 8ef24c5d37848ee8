"""A frozen quarter's board pack, stored once as the board saw it."""

from __future__ import annotations

from django.db import models

from actionplan.models.reviews import FrozenReview, QuarterlyReview


class FrozenBoardPack(models.Model):
    """The board pack as the board saw it, stored once when its quarter is frozen.

    `content` holds everything the pack shows (`boardpack.BoardPack` as plain JSON, see
    `actionplan.frozen_pack`) and `pdf` the file itself, served byte for byte for ever: later
    changes to actions, measures, figures or people do not reach a frozen quarter's pack.
    """

    class Captured(models.TextChoices):
        AT_FREEZING = "freezing", "When the quarter was frozen"
        AT_UPGRADE = "upgrade", "When packs began to be stored (the quarter was frozen before)"
        AT_FIRST_DOWNLOAD = "download", "At its first download (none was stored before)"

    review = models.OneToOneField(
        QuarterlyReview, on_delete=models.CASCADE, related_name="frozen_pack"
    )
    content = models.JSONField(editable=False)
    pdf = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    filename = models.CharField(max_length=100, editable=False)
    captured = models.CharField(max_length=16, choices=Captured.choices, editable=False)
    captured_at = models.DateTimeField(editable=False)

    def __str__(self) -> str:
        return f"Board pack {self.review} ({self.get_captured_display().lower()})"

    def save(self, *args, **kwargs):
        # Stored once: what the board saw is never rewritten.
        if not self._state.adding:
            raise FrozenReview(f"The board pack of {self.review} is stored for good")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenReview(f"The board pack of {self.review} is stored for good")
