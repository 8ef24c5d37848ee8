"""SPC (Making Data Count) and what-if wording."""

from __future__ import annotations

from indicators.vocabulary.base import Term

# --------------------------------------------------------------------------------------------
# SPC (NHS England, Making Data Count)
# --------------------------------------------------------------------------------------------


class SpcVariation(Term):
    """An SPC point's type, also the chart's variation icon (NHSRplotthedots' values)."""

    COMMON_CAUSE = "common_cause", "Common cause variation", "common cause variation", "", "#7B7D7D"
    IMPROVEMENT = "special_cause_improvement", "Special cause: improving", "", "", "#289DE0"
    CONCERN = "special_cause_concern", "Special cause: concerning", "", "", "#FAB428"
    NEUTRAL_HIGH = "special_cause_neutral_high", "Special cause: higher", "", "", "#490092"
    NEUTRAL_LOW = "special_cause_neutral_low", "Special cause: lower", "", "", "#490092"


class SpcAssurance(Term):
    """Whether the process limits say a target will be met."""

    CONSISTENT_PASS = "consistent_pass", "Consistently passes the target", "", "P", "#289DE0"
    CONSISTENT_FAIL = "consistent_fail", "Consistently fails the target", "", "F", "#FAB428"
    INCONSISTENT = (
        "inconsistent",
        "Hit and miss: will sometimes meet the target",
        "",
        "?",
        "#7B7D7D",
    )


# --------------------------------------------------------------------------------------------
# What-if (docs: WHATIF, "Wording rules")
# --------------------------------------------------------------------------------------------


class WhatIfCase(Term):
    """Which statement a what-if scenario may make, first match wins in the order listed."""

    NOT_CALCULATED = "not_calculated", "Not calculated: an input is missing, suppressed or invalid"
    ALREADY_BETTER = "already_better", "Already better than the comparator"
    NOT_SIGNIFICANT = "not_significant", "No significant gap"
    NOT_ENOUGH = "not_enough", "Removing the factor alone is not enough"
    SIGNIFICANT_GAP = "significant_gap", "Gap closable by reducing the factor"
