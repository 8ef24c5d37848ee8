"""The four upload templates of docs LOCAL_DATA.md section 2, declared once as data (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """How a cell is read."""

    INT = "whole number"
    DECIMAL = "number"
    TEXT = "text"
    DATE = "date (YYYY-MM-DD)"
    CHOICE = "one of a list"
    DECILE = "1 to 10, or ALL"
    REVIEW_PERIOD = "financial year (YYYY/YY)"
    CODE = "area code"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind
    meaning: str
    required: bool = True
    key: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None

    @property
    def allowed(self) -> str:
        """The allowed values in words, for the column guide."""
        if self.choices:
            return ", ".join(self.choices)
        if self.minimum is not None and self.maximum is not None:
            return f"{self.minimum:g} to {self.maximum:g}"
        if self.minimum is not None:
            return f"{self.minimum:g} or more"
        if self.max_length is not None:
            return f"up to {self.max_length} characters"
        return str(self.kind)


@dataclass(frozen=True, slots=True)
class Template:
    code: str
    title: str
    columns: tuple[Column, ...]
    example: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.key)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


PERIOD_BASES = ("registration", "occurrence", "birth_cohort")
IMD_VERSIONS = ("IMD2015", "IMD2019", "IoD2025")
LSOA_VINTAGES = ("LSOA2011", "LSOA2021")
DECILE_BASES = ("national", "local")
AGE_BANDS = ("0-27d", "28-364d", "1-4y", "5-9y", "10-14y", "15-17y")
DOMAINS = (
    "A_child",
    "B_social_family_parenting",
    "C_physical_environment",
    "D_service_provision",
    "any",
)
FACTORS = (
    "smoking_pregnancy",
    "smoking_household",
    "substance_pregnancy",
    "substance_household",
    "alcohol_carer",
    "unsafe_sleep",
    "co_sleeping",
    "maternal_obesity",
    "maternal_underweight",
    "teen_pregnancy",
    "late_booking",
    "consanguinity",
    "domestic_abuse",
    "parental_mental_health",
    "housing_overcrowding",
    "supervision",
    "service_provision_other",
    "other",
    "two_or_more",
)
CATEGORIES = {
    1: "Deliberately inflicted injury, abuse or neglect",
    2: "Suicide or deliberate self-inflicted harm",
    3: "Trauma and other external factors",
    4: "Malignancy",
    5: "Acute medical or surgical condition",
    6: "Chronic medical condition",
    7: "Chromosomal, genetic and congenital anomalies",
    8: "Perinatal/neonatal event",
    9: "Infection",
    10: "Sudden unexpected, unexplained death",
}
PERIOD_TYPES = ("quarter", "month")
AREA_TYPES = ("UTLA", "LTLA", "SUB_ICB", "ICB", "PROVIDER", "LOCALITY")
MEASURE_STATUSES = ("provisional", "final", "revised")


@dataclass(frozen=True, slots=True)
class Measure:
    code: str
    name: str
    better: str  # "increase", "decrease" or "neutral" (the SPC improvement direction)
    published_nationally: bool
    # The Fingertips indicator publishing it by financial year, to check uploads against.
    fingertips_id: int | None = None


MEASURES = {
    m.code: m
    for m in (
        Measure("SATOD", "Smoking at time of delivery", "decrease", True, 93085),
        Measure("CO_BOOKING_RECORDED", "CO reading recorded at booking", "increase", False),
        Measure("CO_BOOKING_RAISED", "CO reading at or above referral threshold", "neutral", False),
        Measure("HV_NBV_14D", "New birth visit within 14 days", "increase", True),
        Measure("HV_6_8WK", "6-8 week review by 8 weeks", "increase", True),
        Measure("HV_12M", "12-month review by 12 months", "increase", True),
        Measure("HV_2_2HALF", "2-2½ year review by 2½ years", "increase", True),
        Measure("BF_68W_ANY", "Breastfed (any) at 6-8 weeks", "increase", True, 92517),
        Measure("SAFER_SLEEP_ASSESSMENT", "Safer-sleep assessment completed", "increase", False),
    )
}

PERSONAL_DATA_COLUMNS = frozenset(
    {
        "postcode",
        "nhs_number",
        "nhs_no",
        "date_of_birth",
        "dob",
        "date_of_death",
        "name",
        "first_name",
        "surname",
        "forename",
        "address",
        "mother_name",
        "child_name",
    }
)


def _count(name: str, meaning: str, *, required: bool = True) -> Column:
    return Column(name, Kind.INT, meaning, required=required, minimum=0)


TEMPLATE_A = Template(
    "A",
    "Births and deaths by area × IMD decile × year",
    (
        Column("year", Kind.INT, "calendar year on period_basis", key=True, minimum=1995),
        Column(
            "period_basis",
            Kind.CHOICE,
            "registration matches Fingertips",
            key=True,
            choices=PERIOD_BASES,
        ),
        Column("area_code", Kind.CODE, "a configured district, county or unitary", key=True),
        Column("imd_version", Kind.CHOICE, "deprivation index", key=True, choices=IMD_VERSIONS),
        Column("lsoa_vintage", Kind.CHOICE, "records' LSOA geography", choices=LSOA_VINTAGES),
        Column(
            "decile_basis",
            Kind.CHOICE,
            "England ranks, or re-ranked in the county",
            key=True,
            choices=DECILE_BASES,
        ),
        Column("imd_decile", Kind.DECILE, "1 = most deprived; ALL = area total", key=True),
        _count("live_births", "denominator"),
        _count("infant_deaths", "deaths under 1 year, 0 to live_births"),
        _count("neonatal_deaths", "under 28 days, 0 to infant_deaths", required=False),
        _count("postneonatal_deaths", "28 days to 1 year, 0 to infant_deaths", required=False),
        _count("stillbirths", "stillbirths", required=False),
        Column("source", Kind.TEXT, "where the figures come from", max_length=200),
        Column("extract_date", Kind.DATE, "date of the extract, not after today"),
        Column("note", Kind.TEXT, "note", required=False, max_length=500),
    ),
    (
        "2023,registration,E07000117,IMD2019,LSOA2011,national,1,400,4,3,1,2,synthetic,2024-06-30,",
        "2023,registration,E07000117,IMD2019,LSOA2011,national,2,300,3,2,1,1,synthetic,2024-06-30,",
    ),
)

_B_KEY = (
    Column("review_period", Kind.REVIEW_PERIOD, "financial year of review", key=True),
    Column("area_code", Kind.CODE, "an upper-tier council or the review panel's code", key=True),
    Column("age_band", Kind.CHOICE, "age at death", key=True, choices=AGE_BANDS),
)

TEMPLATE_B1 = Template(
    "B1",
    "Child death reviews by category",
    (
        *_B_KEY,
        Column(
            "category_code", Kind.INT, "category of death (1-10)", key=True, minimum=1, maximum=10
        ),
        _count("deaths_reviewed", "reviews completed"),
        _count("reviews_with_modifiable_factors", "0 to deaths_reviewed"),
        _count("reviews_insufficient_information", "0 to deaths_reviewed"),
        Column("note", Kind.TEXT, "note (shown to analysts only)", required=False, max_length=500),
    ),
    ("2023/24,PAN_LANCS,0-27d,8,30,10,1,synthetic",),
)

TEMPLATE_B2 = Template(
    "B2",
    "Modifiable factors in child death reviews, by domain",
    (
        *_B_KEY,
        Column(
            "domain", Kind.CHOICE, "domain (any only with two_or_more)", key=True, choices=DOMAINS
        ),
        Column("factor_code", Kind.CHOICE, "factor", key=True, choices=FACTORS),
        _count("reviews_factor_present", "0 to denominator_reviews"),
        _count("reviews_factor_contributory", "0 to reviews_factor_present"),
        Column("denominator_reviews", Kind.INT, "reviews in that group", minimum=1),
    ),
    ("2023/24,PAN_LANCS,28-364d,C_physical_environment,unsafe_sleep,9,8,20",),
)

TEMPLATE_C = Template(
    "C",
    "Quarterly measures",
    (
        Column(
            "measure_code", Kind.CHOICE, "a configured measure", key=True, choices=tuple(MEASURES)
        ),
        Column("period_type", Kind.CHOICE, "quarter or month", choices=PERIOD_TYPES),
        Column("period_start", Kind.DATE, "1st day of a financial quarter or month", key=True),
        Column("period_end", Kind.DATE, "its last day; not after today"),
        Column("area_type", Kind.CHOICE, "area type", key=True, choices=AREA_TYPES),
        Column("area_code", Kind.CODE, "configured for that type", key=True),
        Column("numerator", Kind.DECIMAL, "0 to denominator", minimum=0),
        Column("denominator", Kind.DECIMAL, "more than 0", minimum=0),
        Column("unknown_count", Kind.DECIMAL, "status not known", required=False, minimum=0),
        Column("target", Kind.DECIMAL, "target %", required=False, minimum=0, maximum=100),
        Column("status", Kind.CHOICE, "provisional, final or revised", choices=MEASURE_STATUSES),
        Column("source", Kind.TEXT, "publisher or provider", max_length=200),
        Column("value_note", Kind.TEXT, "publisher's note", required=False, max_length=500),
    ),
    ("HV_NBV_14D,quarter,2024-07-01,2024-09-30,UTLA,E10000017,900,1000,,95,final,synthetic,",),
)

TEMPLATES = {t.code: t for t in (TEMPLATE_A, TEMPLATE_B1, TEMPLATE_B2, TEMPLATE_C)}

# Columns whose values never leave the analysts' screens (T2: no uploaded free text).
FREE_TEXT = frozenset({"note"})
