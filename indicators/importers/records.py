"""An export's rows as validated records, and the folding of a row that appears twice (in one
file, or in two files of one refresh) into one record."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, replace

from indicators.fingertips_columns import NUMBER_COLUMNS
from indicators.importers.reading import ImportRejected
from indicators.observation_fields import PUBLISHED_FIELDS


@dataclass(slots=True)
class ObservationRecord:
    """One validated observation, with its key, values and published comparisons."""

    indicator_id: int
    indicator_name: str
    area_code: str
    area_name: str
    parent_code: str
    parent_name: str
    sex: str
    age: str
    category_type: str
    category: str
    period_label: str
    period_sortable: int
    period_range: str
    period_start_year: int
    period_end_year: int
    value: float | None
    lower_ci_95: float | None
    upper_ci_95: float | None
    lower_ci_998: float | None
    upper_ci_998: float | None
    count: float | None
    denominator: float | None
    value_note: str
    recent_trend: str
    compared_to_england: str
    compared_to_goal: str
    new_data: str
    parent_comparisons: dict[str, list[str]] = field(default_factory=dict)
    row_number: int = 0
    # Everything imported is published; a stored aggregate with this key is replaced by it.
    origin: str = "published"

    @property
    def key(self) -> tuple:
        return (
            self.indicator_id,
            self.area_code,
            self.sex,
            self.age,
            self.category_type,
            self.category,
            self.period_sortable,
        )

    def data(self) -> tuple:
        """The stored fields other than the key and the comparisons by parent."""
        return _data_of(self)


DATA_FIELDS = PUBLISHED_FIELDS
_data_of = operator.attrgetter(*DATA_FIELDS)


def merge_duplicate(first: ObservationRecord, other: ObservationRecord) -> str | None:
    """Fold a repeated row (England twice in parent-15 exports) into the first; name a conflict."""
    for name in DATA_FIELDS:
        mine, theirs = getattr(first, name), getattr(other, name)
        if mine != theirs and name not in {"new_data", "compared_to_goal"}:
            return _column_for(name)
    first.new_data = first.new_data or other.new_data
    first.compared_to_goal = first.compared_to_goal or other.compared_to_goal
    first.parent_comparisons.update(other.parent_comparisons)
    # England's row under parent England compares England with itself; prefer another parent's.
    if first.parent_code == first.area_code or not first.compared_to_england:
        first.compared_to_england = other.compared_to_england
        first.parent_code, first.parent_name = other.parent_code, other.parent_name
    return None


def _column_for(attribute: str) -> str:
    names = {
        "period_label": "Time period",
        "period_range": "Time period range",
        "value_note": "Value note",
        "recent_trend": "Recent Trend",
    }
    return NUMBER_COLUMNS.get(attribute) or names.get(attribute, attribute)


def fold_across_files(records: list[ObservationRecord]) -> list[ObservationRecord]:
    # The same observation in two bodies of one refresh (district and county exports both carry
    # England and the unitaries): the comparisons are merged, the rest must agree.
    folded: dict[tuple, ObservationRecord] = {}
    for record in records:
        first = folded.get(record.key)
        if first is None:
            folded[record.key] = replace(record, parent_comparisons=dict(record.parent_comparisons))
        elif merge_duplicate(first, record):
            raise ImportRejected(
                [
                    f"area {record.area_code}, indicator {record.indicator_id}, period "
                    f"{record.period_label}: two files give different values"
                ]
            )
    return list(folded.values())
