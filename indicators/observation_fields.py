"""The columns of a stored observation, said once, by what they are for (no Django here).

`indicators.models.Observation` declares the fields; the importer, the bulk writer and the derived
statistics name them in groups from here, so a new column is added to its group in one place.
"""

from __future__ import annotations

#: The natural key: one figure per indicator, area, breakdown and period (model field names).
NATURAL_KEY_FIELDS = (
    "indicator",
    "area",
    "sex",
    "age",
    "category_type",
    "category",
    "period_sortable",
)
#: The same key as database columns.
NATURAL_KEY_COLUMNS = tuple(
    f"{name}_id" if name in {"indicator", "area"} else name for name in NATURAL_KEY_FIELDS
)
#: The figures and labels a published row carries, other than its key and its comparisons.
PUBLISHED_FIELDS = (
    "period_label",
    "period_range",
    "period_start_year",
    "period_end_year",
    "value",
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_998",
    "upper_ci_998",
    "count",
    "denominator",
    "value_note",
    "recent_trend",
    "compared_to_goal",
    "new_data",
    "origin",
)
#: The published comparisons: with England, and by parent ({code: [to England, to parent]}).
COMPARISON_FIELDS = ("compared_to_england", "parent_comparisons")
#: Merged on import (the stored parents' comparisons are kept, the new ones laid on top).
MERGED_COLUMNS = ("parent_comparisons",)
#: Written with a changed row, never compared: which import wrote it.
STAMPED_COLUMNS = ("import_run_id",)
#: Every column an import writes, in the order its rows give them.
OBSERVATION_COLUMNS = (
    *NATURAL_KEY_COLUMNS,
    *PUBLISHED_FIELDS,
    *COMPARISON_FIELDS,
    *STAMPED_COLUMNS,
)
#: Derived by `indicators.derived` from the stored figures; never imported or exported.
COMPUTED_FIELDS = (
    "computed_lower_ci_95",
    "computed_upper_ci_95",
    "computed_lower_ci_998",
    "computed_upper_ci_998",
    "ci_method_used",
    "limits_check",
    "limits_note",
    "comparison_england",
    "comparison_region",
    "comparison_home",
    "computed_trend",
)
#: What the derived statistics read of each stored row.
DERIVED_FROM = (
    "pk",
    "area_id",
    "sex",
    "age",
    "category_type",
    "category",
    "period_sortable",
    "period_start_year",
    "period_end_year",
    "value",
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_998",
    "upper_ci_998",
    "count",
    "denominator",
    "origin",
)
