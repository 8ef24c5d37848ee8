"""Every rule of docs LOCAL_DATA.md section 3, applied to a read table (pure; the "validate" stage).

Any error rejects the whole file; warnings do not. Messages take the specification's shapes:
`File: <problem>.`, `Row <n>, column <column>: <problem> (found "<value>").` and
`Row <n>: same key as row <m> (<columns>).`
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from localdata.reader import Table
from localdata.schema import (
    PERSONAL_DATA_COLUMNS,
    TEMPLATES,
    Column,
    Kind,
    Template,
)

KEPT_ERRORS = 1000
_INT = re.compile(r"^-?\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PERIOD = re.compile(r"^(\d{4})/(\d{2})$")
_CODE = re.compile(r"^[A-Z0-9_]{2,20}$")
BASIS_COLUMNS = ("period_basis", "imd_version", "lsoa_vintage", "decile_basis")
DECILES = tuple(str(d) for d in range(1, 11))


@dataclass(frozen=True, slots=True)
class Areas:
    """The configured areas each template may name (from the areas file)."""

    home: str
    districts: frozenset[str]
    unitaries: frozenset[str]
    panel_code: str | None = None
    panel_areas: frozenset[str] = frozenset()
    measure_areas: frozenset[str] = frozenset()

    def allowed(self, template: str, area_type: str | None = None) -> frozenset[str]:
        upper_tier = frozenset({self.home}) | self.unitaries | self.panel_areas
        if template == "A":
            return frozenset({self.home}) | self.districts | self.unitaries
        if template in ("B1", "B2"):
            return upper_tier | ({self.panel_code} if self.panel_code else frozenset())
        if area_type == "UTLA":
            return upper_tier
        if area_type == "LTLA":
            return self.districts
        return self.measure_areas


@dataclass
class Result:
    template: str
    records: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error_count: int = 0
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, text: str) -> None:
        self.error_count += 1
        if len(self.errors) < KEPT_ERRORS:
            self.errors.append(text)


def cell_error(row: int, column: str, problem: str, value: str) -> str:
    return f'Row {row}, column {column}: {problem} (found "{value}").'


def validate(table: Table, template_code: str, *, areas: Areas, today: date) -> Result:
    """Check a table against a template; records are typed only when there is no error."""
    template = TEMPLATES[template_code]
    result = Result(template_code, rows_read=len(table.rows))
    if not _header_ok(table.header, template, result):
        return result
    index = {name: i for i, name in enumerate(table.header)}
    columns = [(column, index[column.name], {}) for column in template.columns]
    key_names, first = template.key, table.header[0]
    allowed = _AllowedAreas(areas, template_code)
    seen: dict[tuple, int] = {}
    for number, cells in table.rows:
        if (
            cells
            and cells[0].lower() == first
            and tuple(c.lower() for c in cells[: len(table.header)]) == table.header
        ):
            result.error(f"Row {number}: repeats the header; one template and one header a file.")
            continue
        record = _typed_row(number, cells, columns, len(index), result)
        if record is None:
            continue
        _row_rules(number, record, template_code, allowed, today, result)
        key = tuple(record[k] for k in key_names)
        if key in seen:
            result.error(f"Row {number}: same key as row {seen[key]} ({', '.join(template.key)}).")
        else:
            seen[key] = number
        result.records.append(record)
    if result.ok and template_code == "A":
        _file_rules_a(result, areas)
    if result.ok and template_code == "B2":
        _file_rules_b2(result)
    if not result.ok:
        result.records = []
    return result


def _header_ok(header: tuple[str, ...], template: Template, result: Result) -> bool:
    wanted = template.names
    other = [
        t.code for t in TEMPLATES.values() if t is not template and set(header) == set(t.names)
    ]
    if other:
        result.error(
            f"File: the header is template {other[0]}'s, not template {template.code}'s "
            "(choose the right template)."
        )
        return False
    problems = []
    personal = sorted(set(header) & PERSONAL_DATA_COLUMNS)
    if personal:
        problems.append(f"column {', '.join(personal)} looks like personal data; remove it")
    missing = [c for c in wanted if c not in header]
    extra = [c for c in header if c not in wanted and c not in PERSONAL_DATA_COLUMNS]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing:
        problems.append(f"missing column {', '.join(missing)}")
    if extra:
        problems.append(f"extra column {', '.join(c or '(blank)' for c in extra)}")
    if repeated:
        problems.append(f"repeated column {', '.join(repeated)}")
    for problem in problems:
        result.error(f"File: {problem} (template {template.code}).")
    return not problems


class _AllowedAreas:
    """`Areas.allowed`, worked out once per template and area type."""

    def __init__(self, areas: Areas, template: str):
        self.areas, self.template, self.known = areas, template, {}

    def __call__(self, area_type: str | None) -> frozenset[str]:
        if area_type not in self.known:
            self.known[area_type] = self.areas.allowed(self.template, area_type)
        return self.known[area_type]


def _typed_row(number, cells, columns, width: int, result: Result) -> dict | None:
    if len(cells) > width and any(cells[width:]):
        result.error(f"Row {number}: more cells than the header has columns.")
        return None
    record: dict = {"_row": number}
    ok = True
    count = len(cells)
    for column, position, parsed in columns:  # each column's cells, parsed once (they repeat)
        raw = cells[position] if position < count else ""
        known = parsed.get(raw)
        if known is None:
            known = parsed[raw] = _parse(column, raw)
        value, problem = known
        if problem:
            result.error(cell_error(number, column.name, problem, raw))
            ok = False
        record[column.name] = value
    return record if ok else None


def _parse(column: Column, raw: str) -> tuple[object, str | None]:
    if raw == "":
        return None, ("required; the cell is empty" if column.required else None)
    if column.max_length is not None and len(raw) > column.max_length:
        return None, f"longer than {column.max_length} characters"
    kind = column.kind
    if kind is Kind.INT:
        if not _INT.match(raw):
            return None, "not a whole number"
        value: object = int(raw)
    elif kind is Kind.DECIMAL:
        try:
            value = Decimal(raw)
        except InvalidOperation:
            return None, "not a number"
        if not value.is_finite():
            return None, "not a number"
    elif kind is Kind.DATE:
        return _parse_date(raw)
    elif kind is Kind.CHOICE:
        return (raw, None) if raw in column.choices else (None, f"not one of {column.allowed}")
    elif kind is Kind.DECILE:
        return (raw, None) if raw in DECILES or raw == "ALL" else (None, "not 1 to 10 or ALL")
    elif kind is Kind.REVIEW_PERIOD:
        match = _PERIOD.match(raw)
        if not match or (int(match[1]) + 1) % 100 != int(match[2]):
            return None, "not a financial year written YYYY/YY"
        return raw, None
    elif kind is Kind.CODE:
        return (raw, None) if _CODE.match(raw) else (None, "not an area code")
    else:
        return raw, None
    return _range(column, value)


def _parse_date(raw: str) -> tuple[object, str | None]:
    if not _DATE.match(raw):
        return None, "not a date written YYYY-MM-DD"
    try:
        return date.fromisoformat(raw), None
    except ValueError:
        return None, "not a real date"


def _range(column: Column, value) -> tuple[object, str | None]:
    if column.minimum is not None and value < column.minimum:
        if column.minimum == 0:
            return None, "negative; must be 0 or more"
        return None, f"below {column.minimum:g}"
    if column.maximum is not None and value > column.maximum:
        return None, f"above {column.maximum:g}"
    return value, None


def _row_rules(n: int, r: dict, code: str, allowed, today: date, result: Result) -> None:
    if r["area_code"] not in allowed(r.get("area_type")):
        problem = _area_problem(code, r, allowed.areas)
        result.error(cell_error(n, "area_code", problem, r["area_code"]))
    checks = {"A": _rules_a, "B1": _rules_b1, "B2": _rules_b2, "C": _rules_c}[code]
    for column, problem, value in checks(r, today):
        if column is None:
            result.warnings.append(f"Row {n}: {problem}.")
        else:
            result.error(cell_error(n, column, problem, str(value)))


def _area_problem(code: str, r: dict, areas: Areas) -> str:
    if code in ("B1", "B2") and r["area_code"] in areas.districts:
        return "a district; child death reviews are by upper-tier council or review panel only"
    if code == "C":
        return f"not a configured {r['area_type']} area"
    return "not an area configured for this county"


def _rules_a(r: dict, today: date):
    infant = r["infant_deaths"]
    if infant > r["live_births"]:
        yield "infant_deaths", "more infant deaths than live births", infant
    for part in ("neonatal_deaths", "postneonatal_deaths"):
        if r[part] is not None and r[part] > infant:
            yield part, "more than infant_deaths", r[part]
    both = r["neonatal_deaths"] is not None and r["postneonatal_deaths"] is not None
    if both and r["neonatal_deaths"] + r["postneonatal_deaths"] != infant:
        yield (
            "postneonatal_deaths",
            "neonatal + postneonatal is not infant_deaths",
            (r["postneonatal_deaths"]),
        )
    if r["year"] > today.year:
        yield "year", "a future year", r["year"]
    elif r["year"] == today.year:
        yield None, f"year {r['year']} is this year and may be incomplete", None
    if r["extract_date"] > today:
        yield "extract_date", "after today", r["extract_date"]


def _rules_b_common(r: dict, today: date):
    start = date(int(r["review_period"][:4]), 4, 1)
    if start > today:
        yield "review_period", "starts after today", r["review_period"]


def _rules_b1(r: dict, today: date):
    for column in ("reviews_with_modifiable_factors", "reviews_insufficient_information"):
        if r[column] > r["deaths_reviewed"]:
            yield column, "more than deaths_reviewed", r[column]
    yield from _rules_b_common(r, today)


def _rules_b2(r: dict, today: date):
    if (r["domain"] == "any") != (r["factor_code"] == "two_or_more"):
        yield "domain", "any goes with factor two_or_more only, and only there", r["domain"]
    if r["reviews_factor_present"] > r["denominator_reviews"]:
        yield "reviews_factor_present", "more than denominator_reviews", r["reviews_factor_present"]
    if r["reviews_factor_contributory"] > r["reviews_factor_present"]:
        value = r["reviews_factor_contributory"]
        yield "reviews_factor_contributory", "more than reviews_factor_present", value
    yield from _rules_b_common(r, today)


def _rules_c(r: dict, today: date):
    if r["denominator"] <= 0:
        yield "denominator", "must be more than 0", r["denominator"]
    elif r["numerator"] > r["denominator"]:
        yield "numerator", "more than the denominator", r["numerator"]
    if not _whole_period(r["period_type"], r["period_start"], r["period_end"]):
        yield (
            "period_end",
            f"period_start to period_end is not one whole {r['period_type']}",
            (r["period_end"]),
        )
    if r["period_end"] > today:
        yield "period_end", "after today (a future period)", r["period_end"]


def _whole_period(period_type: str, start: date, end: date) -> bool:
    if start.day != 1:
        return False
    months = 3 if period_type == "quarter" else 1
    if period_type == "quarter" and start.month not in (1, 4, 7, 10):
        return False
    year, month = divmod(start.month - 1 + months, 12)
    return end == date(start.year + year, month + 1, 1) - timedelta(days=1)


def _file_rules_a(result: Result, areas: Areas) -> None:
    records = result.records
    first = records[0]
    for r in records[1:]:
        for column in BASIS_COLUMNS:
            if r[column] != first[column]:
                result.error(
                    cell_error(r["_row"], column, f"differs from row {first['_row']}", r[column])
                )
    deciles: dict[tuple, dict[str, dict]] = defaultdict(dict)
    for r in records:
        deciles[(r["area_code"], r["year"])][r["imd_decile"]] = r
    totals: dict[tuple, tuple[int, int]] = {}
    for (area, year), rows in deciles.items():
        lacking = [d for d in DECILES if d not in rows]
        if lacking:
            result.error(f"File: {area} {year} lacks imd_decile {', '.join(lacking)}.")
            continue
        births = sum(rows[d]["live_births"] for d in DECILES)
        deaths = sum(rows[d]["infant_deaths"] for d in DECILES)
        totals[(area, year)] = (births, deaths)
        if "ALL" in rows:
            total = rows["ALL"]
            for column, value in (("live_births", births), ("infant_deaths", deaths)):
                if total[column] != value:
                    result.error(
                        cell_error(
                            total["_row"],
                            column,
                            f"ALL is not the sum of deciles 1-10 ({value})",
                            total[column],
                        )
                    )
    _county_is_sum_of_districts(totals, areas, result)


def _file_rules_b2(result: Result) -> None:
    """The `any`/`two_or_more` row against the factor rows of its review_period, area_code and
    age_band: they count the same reviews (one denominator), and it needs factor rows."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in result.records:
        groups[(r["review_period"], r["area_code"], r["age_band"])].append(r)
    for rows in groups.values():
        summary = next((r for r in rows if r["domain"] == "any"), None)
        factors = [r for r in rows if r["domain"] != "any"]
        if summary is None:
            continue
        if not factors:
            result.error(
                cell_error(
                    summary["_row"], "domain", "any row without factor rows in its group", "any"
                )
            )
        for r in factors:
            if r["denominator_reviews"] != summary["denominator_reviews"]:
                result.error(
                    cell_error(
                        r["_row"],
                        "denominator_reviews",
                        f"differs from the any/two_or_more row {summary['_row']} "
                        f"({summary['denominator_reviews']})",
                        r["denominator_reviews"],
                    )
                )


def _county_is_sum_of_districts(totals: dict, areas: Areas, result: Result) -> None:
    years = {year for (area, year) in totals if area == areas.home}
    for year in sorted(years):
        parts = [totals.get((d, year)) for d in areas.districts]
        if not areas.districts or any(p is None for p in parts):
            continue
        summed = (sum(p[0] for p in parts), sum(p[1] for p in parts))
        if summed != totals[(areas.home, year)]:
            result.error(
                f"File: {areas.home} {year}: the county's births and deaths "
                f"{totals[(areas.home, year)]} are not the sum of its districts' {summed}."
            )
