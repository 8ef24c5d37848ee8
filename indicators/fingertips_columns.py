"""The Fingertips export's columns: the 27-column header, the columns a row cannot do without,
the columns holding numbers, and the names older layouts give some of them.

The importer reads files by these names and the exporter writes them; pages that offer a
download in the export layout use them too, without depending on the importer.
"""

from __future__ import annotations

import re

#: The current (since 2022) 27-column header, with column 23 as written for a regional parent.
EXPORT_HEADER = [
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Parent Name",
    "Area Code",
    "Area Name",
    "Area Type",
    "Sex",
    "Age",
    "Category Type",
    "Category",
    "Time period",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Lower CI 99.8 limit",
    "Upper CI 99.8 limit",
    "Count",
    "Denominator",
    "Value note",
    "Recent Trend",
    "Compared to England value or percentiles",
    "Compared to parent value or percentiles",
    "Time period Sortable",
    "New data",
    "Compared to goal",
    "Time period range",
]
PARENT_COMPARISON = "Compared to parent value or percentiles"
RENAMED = {"AreaName": "Area Name", "Target data": "Compared to goal"}
PARENT_COMPARISON_NAME = re.compile(r"^Compared to (?!England\b|goal$).*(value or )?percentiles$")
REQUIRED_COLUMNS = ("Indicator ID", "Area Code", "Sex", "Age", "Time period", "Value")
# The 2020 layout's rows end one field short: "Compared to goal", the header's last column, is
# left out. Any other short row is a file cut short, and is refused.
DROPPED_BY_THE_2020_LAYOUT = "Compared to goal"
NUMBER_COLUMNS = {
    "value": "Value",
    "lower_ci_95": "Lower CI 95.0 limit",
    "upper_ci_95": "Upper CI 95.0 limit",
    "lower_ci_998": "Lower CI 99.8 limit",
    "upper_ci_998": "Upper CI 99.8 limit",
    "count": "Count",
    "denominator": "Denominator",
}
