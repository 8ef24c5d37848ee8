"""Local data: what may be shown of a locally supplied figure, and why it is withheld."""

from __future__ import annotations

from indicators.vocabulary.base import Term

# --------------------------------------------------------------------------------------------
# Local data: disclosure states (docs: LOCAL_DATA, "States")
# --------------------------------------------------------------------------------------------


class Disclosure(Term):
    """What may be shown of a locally supplied figure; `symbol` is the mark in its cell."""

    SHOWN = "shown", "Shown", "shown", ""
    ROUNDED = "rounded", "Rounded", "rounded to protect confidentiality", "~"
    SUPPRESSED = "suppressed", "Suppressed", "withheld: too small to publish", "*"
    SUPPRESSED_AT_SOURCE = (
        "provider_suppressed",
        "Suppressed at source",
        "withheld by its provider",
        "**",
    )
    MISSING = "missing", "Missing", "not received", "–"
    NOT_APPLICABLE = "not_applicable", "Not applicable", "not applicable", "n/a"
    LOW_QUALITY = "low_quality", "Low quality", "of low quality", "!"

    @property
    def withheld(self) -> bool:
        return self in (Disclosure.SUPPRESSED, Disclosure.SUPPRESSED_AT_SOURCE)

    @property
    def status(self) -> str:
        """The word in downloads and the API (LOCAL_DATA.md section 5): a value given is `ok`."""
        return "ok" if self in (Disclosure.SHOWN, Disclosure.ROUNDED) else self.value


class SuppressionReason(Term):
    """Why a cell is withheld."""

    SMALL_COUNT = "small_count", "Small count"
    COMPLEMENTARY = "complementary", "Withheld so a small count cannot be worked out"
    RATE_FEW_DEATHS = "rate_few_deaths", "Rate withheld: fewer than 8 deaths"
    GROUP_HAS_WITHHELD_CELL = "group_has_withheld_cell", "Rate withheld: a count in its row is"
    SMALL_DENOMINATOR = "small_denominator", "Percentage withheld: too few in its denominator"
