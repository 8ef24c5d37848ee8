"""The indicator set, declared once: every view, chart, export and the refresh read it from here.

`id_confirmed` says whether the Fingertips id was seen in real Fingertips data; the others come
from second-hand sources and are checked against the API's indicator metadata on the first
successful refresh (see `indicators.refresh`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from indicators.models import (
    BenchmarkMethod,
    CIMethod,
    DataVersion,
    Indicator,
    PeriodType,
    Polarity,
    ValueType,
)

CHILD_AND_MATERNAL_HEALTH = 105  # Fingertips profile id
CHECKED_ON = date(2026, 11, 27)
CHECKED_BY = "Dashboard maintainers"


@dataclass(frozen=True)
class IndicatorDefinition:
    fingertips_id: int
    name: str
    short_name: str
    unit: str
    multiplier: int
    value_type: str
    ci_method: str
    polarity: str
    benchmark_method: str
    period_type: str
    definition: str
    numerator: str
    denominator: str
    source: str
    id_confirmed: bool
    id_confirmation_note: str
    profile_id: int = CHILD_AND_MATERNAL_HEALTH
    refresh: bool = True
    shown: bool = True
    ci_count_divisor: float = 1.0
    checked_by: str = CHECKED_BY
    checked_on: date = CHECKED_ON
    # The measure's name in fixtures/reference/report_lancashire_figures.csv, whose figure is
    # shown "as printed in the report" until the indicator has data of its own.
    report_measure: str = ""

    def value_range(self) -> ValueRange:
        """What the indicator's value and limits can be, from its value type and multiplier."""
        per = f"{self.multiplier:,}"
        if self.value_type == ValueType.PROPORTION:
            what = "a percentage" if self.multiplier == 100 else f"a proportion per {per}"
            # Wilson limits stay inside 0 to the whole, as the proportion does.
            return ValueRange(maximum=self.multiplier, limits_maximum=self.multiplier, what=what)
        if self.value_type == ValueType.CRUDE_RATE:
            # The events counted here (deaths, births, conceptions, children admitted) are at most
            # one per person: a rate above its multiplier means more events than people. A
            # limit may pass it for a tiny denominator, so only the value is held to it.
            return ValueRange(maximum=self.multiplier, what=f"a rate per {per}")
        # A score or another kind of figure: only the rules every figure follows.
        return ValueRange(minimum=None, what=f"a {ValueType(self.value_type).label.lower()}")


@dataclass(frozen=True)
class ValueRange:
    """The values an indicator's figures can take; a figure outside them is impossible."""

    what: str  # the kind of figure, as error messages name it ("a rate per 1,000")
    minimum: float | None = 0.0  # for the value and both confidence limits
    maximum: float | None = None  # for the value
    limits_maximum: float | None = None  # for the confidence limits


#: Beyond any figure Fingertips publishes, whatever the indicator: the largest value, count or
#: denominator in the real exports is England's population (about 5.6 × 10⁷). A number past this
#: (1e308, the float ceiling, or 400 nines) is a broken export, and would overflow the statistics.
LARGEST_FIGURE = 1e12


def _rate_per_1000(**kwargs) -> IndicatorDefinition:
    return IndicatorDefinition(
        unit="per 1,000",
        multiplier=1000,
        value_type=ValueType.CRUDE_RATE,
        ci_method=CIMethod.BYARS_EXACT,
        benchmark_method=BenchmarkMethod.CI_OVERLAP_95,
        **kwargs,
    )


def _percentage(**kwargs) -> IndicatorDefinition:
    return IndicatorDefinition(
        unit="%",
        multiplier=100,
        value_type=ValueType.PROPORTION,
        ci_method=CIMethod.WILSON,
        benchmark_method=BenchmarkMethod.CI_OVERLAP_95,
        **kwargs,
    )


SEEN_IN_EXPORTS = "Seen in real Fingertips exports bundled in fixtures/exports."
SECOND_HAND = "Id known only second-hand; checked against Fingertips metadata on refresh."
ONS_BIRTHS_DEATHS = "Office for National Statistics (ONS), births and deaths registrations"

INDICATORS: tuple[IndicatorDefinition, ...] = (
    _rate_per_1000(
        fingertips_id=92196,
        name="Infant mortality rate",
        short_name="Infant mortality",
        polarity=Polarity.LOW_IS_GOOD,
        period_type=PeriodType.CALENDAR_3Y,
        definition="Deaths under 1 year per 1,000 live births, three years pooled, by year of "
        "death registration.",
        numerator="Infant deaths (under 1 year) registered in the period",
        denominator="Live births in the period",
        source=ONS_BIRTHS_DEATHS,
        id_confirmed=True,
        id_confirmation_note=SEEN_IN_EXPORTS,
    ),
    _rate_per_1000(
        fingertips_id=92705,
        name="Neonatal mortality rate",
        short_name="Neonatal mortality",
        polarity=Polarity.LOW_IS_GOOD,
        period_type=PeriodType.CALENDAR_3Y,
        definition="Deaths under 28 days per 1,000 live births.",
        numerator="Deaths under 28 days",
        denominator="Live births",
        source=ONS_BIRTHS_DEATHS,
        id_confirmed=False,
        id_confirmation_note=SECOND_HAND,
    ),
    _rate_per_1000(
        fingertips_id=92706,
        name="Post-neonatal mortality rate",
        short_name="Post-neonatal mortality",
        polarity=Polarity.LOW_IS_GOOD,
        period_type=PeriodType.CALENDAR_3Y,
        definition="Deaths from 28 days to under 1 year per 1,000 live births.",
        numerator="Deaths aged 28 days to under 1 year",
        denominator="Live births",
        source=ONS_BIRTHS_DEATHS,
        id_confirmed=False,
        id_confirmation_note=SECOND_HAND,
    ),
    _rate_per_1000(
        fingertips_id=92530,
        name="Stillbirth rate",
        short_name="Stillbirths",
        polarity=Polarity.LOW_IS_GOOD,
        period_type=PeriodType.CALENDAR_3Y,
        definition="Stillbirths per 1,000 live births and stillbirths.",
        report_measure="Stillbirth rate",
        numerator="Stillbirths",
        denominator="Live births and stillbirths",
        source=ONS_BIRTHS_DEATHS,
        id_confirmed=False,
        id_confirmation_note=SECOND_HAND,
    ),
    _percentage(
        fingertips_id=20101,
        name="Low birth weight of term babies",
        short_name="Low birth weight (term)",
        polarity=Polarity.LOW_IS_GOOD,
        period_type=PeriodType.CALENDAR,
        definition="Live births at 37 weeks or more with a recorded weight under 2,500 g, as a "
        "percentage of all live births at 37 weeks or more with a recorded weight (PHOF 2.01).",
        numerator="Live births at term (37 weeks or more) weighing under 2,500 g",
        denominator="Live births at term with a recorded birth weight",
        source=ONS_BIRTHS_DEATHS,
        id_confirmed=True,
        id_confirmation_note=SEEN_IN_EXPORTS,
        report_measure="Low birth weight of term babies",
    ),
    _percentage(
        fingertips_id=93085,
        name="Smoking status at time of delivery",
        short_name="Smoking at delivery",
        polarity=Polarity.LOW_IS_GOOD,
        period_type=PeriodType.FINANCIAL,
        definition="Mothers known to be smokers at the time of delivery as a percentage of all "
        "maternities with known smoking status (PHOF 2.03).",
        numerator="Women known to smoke at time of delivery",
        denominator="Maternities where smoking status is known",
        source="NHS England return on Smoking Status At Time of Delivery (SATOD)",
        report_measure="Smoking in pregnancy",
        id_confirmed=True,
        id_confirmation_note=SEEN_IN_EXPORTS,
    ),
    _rate_per_1000(
        fingertips_id=20401,
        name="Under 18s conception rate / 1,000",
        short_name="Under-18 conceptions",
        polarity=Polarity.LOW_IS_GOOD,
        period_type=PeriodType.CALENDAR,
        definition="Conceptions in women aged under 18 per 1,000 females aged 15 to 17 "
        "(PHOF 2.04).",
        numerator="Conceptions in women aged under 18",
        denominator="Women aged 15 to 17 living in the area",
        source="ONS conceptions in England and Wales; ONS mid-year population estimates",
        id_confirmed=True,
        id_confirmation_note=SEEN_IN_EXPORTS,
    ),
    _rate_per_1000(
        fingertips_id=90639,
        name="Under 16s conception rate / 1,000",
        short_name="Under-16 conceptions",
        polarity=Polarity.LOW_IS_GOOD,
        period_type=PeriodType.CALENDAR,
        definition="Conceptions in women aged under 16 per 1,000 females aged 13 to 15.",
        numerator="Conceptions in women aged under 16",
        denominator="Women aged 13 to 15 living in the area",
        source="ONS conceptions in England and Wales; ONS mid-year population estimates",
        id_confirmed=False,
        id_confirmation_note=SECOND_HAND,
    ),
    _percentage(
        fingertips_id=20201,
        name="Breastfeeding initiation",
        short_name="Breastfeeding initiation",
        polarity=Polarity.HIGH_IS_GOOD,
        period_type=PeriodType.FINANCIAL,
        definition="Mothers who give their babies breast milk in the first 48 hours after "
        "delivery, as a percentage of maternities (PHOF 2.02i; discontinued after 2016/17).",
        numerator="Mothers initiating breastfeeding",
        denominator="Maternities",
        source="NHS England maternity and breastfeeding returns",
        id_confirmed=True,
        id_confirmation_note=SEEN_IN_EXPORTS,
    ),
    _percentage(
        fingertips_id=92517,
        name="Breastfeeding prevalence at 6 to 8 weeks - current method",
        short_name="Breastfeeding at 6 to 8 weeks",
        polarity=Polarity.HIGH_IS_GOOD,
        period_type=PeriodType.FINANCIAL,
        definition="Infants totally or partially breastfed at 6 to 8 weeks as a percentage of "
        "infants due a 6 to 8 week review (PHOF 2.02ii).",
        numerator="Infants totally or partially breastfed at 6 to 8 weeks",
        denominator="Infants due a 6 to 8 week check",
        source="OHID interim reporting of health visiting metrics",
        id_confirmed=False,
        id_confirmation_note=SECOND_HAND,
    ),
    _percentage(
        fingertips_id=93580,
        name="Baby's first feed breastmilk",
        short_name="First feed breastmilk",
        polarity=Polarity.HIGH_IS_GOOD,
        period_type=PeriodType.FINANCIAL,
        definition="Babies whose first feed is breast milk, as a percentage of babies with a "
        "known first feed (successor of breastfeeding initiation).",
        numerator="Babies whose first feed was breast milk",
        denominator="Babies with first feed recorded",
        source="NHS England Maternity Services Data Set (MSDS)",
        id_confirmed=False,
        id_confirmation_note=SECOND_HAND,
    ),
    IndicatorDefinition(
        fingertips_id=93553,
        name="Deprivation score (IMD 2019)",
        short_name="Deprivation score",
        unit="score",
        multiplier=1,
        value_type=ValueType.SCORE,
        ci_method=CIMethod.NONE,
        polarity=Polarity.NO_JUDGEMENT,
        benchmark_method=BenchmarkMethod.QUINTILES,
        period_type=PeriodType.CALENDAR,
        definition="Index of Multiple Deprivation 2019 score, population-weighted average of the "
        "area's LSOA scores.",
        numerator="",
        denominator="",
        source="English indices of deprivation 2019, Ministry of Housing, Communities & Local "
        "Government",
        id_confirmed=True,
        id_confirmation_note=SEEN_IN_EXPORTS,
    ),
    _percentage(
        fingertips_id=93701,
        name="Children in absolute low income families (under 16s)",
        short_name="Child poverty",
        polarity=Polarity.LOW_IS_GOOD,
        period_type=PeriodType.FINANCIAL,
        definition="Percentage of children under 16 living in absolute low income families "
        "(before housing costs).",
        numerator="Children under 16 in absolute low income families",
        denominator="Children under 16 (ONS mid-year estimates)",
        source="Department for Work and Pensions, Children in low income families",
        # Fingertips halves both counts for the limits: about 1.99 children per family.
        ci_count_divisor=2.0,
        id_confirmed=True,
        id_confirmation_note=SEEN_IN_EXPORTS,
    ),
    _rate_per_1000(
        fingertips_id=92266,
        name="General fertility rate",
        short_name="Fertility rate",
        polarity=Polarity.NO_JUDGEMENT,
        period_type=PeriodType.CALENDAR,
        definition="Live births per 1,000 females aged 15 to 44.",
        numerator="Live births in the calendar year",
        denominator="Females aged 15 to 44 (ONS mid-year estimates)",
        source=ONS_BIRTHS_DEATHS,
        id_confirmed=True,
        id_confirmation_note=SEEN_IN_EXPORTS,
    ),
    IndicatorDefinition(
        fingertips_id=94103,
        name="Perinatal mental health conditions prevalence (model-based estimate)",
        short_name="Perinatal mental health",
        unit="%",
        multiplier=100,
        value_type=ValueType.PROPORTION,
        ci_method=CIMethod.NONE,
        polarity=Polarity.NO_JUDGEMENT,
        benchmark_method=BenchmarkMethod.NONE,
        period_type=PeriodType.CALENDAR,
        definition="Estimated prevalence of perinatal mental health conditions among women aged "
        "15 to 55; a modelled estimate.",
        numerator="",
        denominator="",
        source="OHID model-based estimate",
        id_confirmed=True,
        id_confirmation_note=SEEN_IN_EXPORTS,
    ),
)


# A child-health indicator at county level only: the one bundled export that covers every
# upper-tier council, England and the regions (comparator groups are drawn from it).
INDICATORS += (
    IndicatorDefinition(
        fingertips_id=90284,
        name="Hospital admissions caused by unintentional and deliberate injuries in children "
        "(aged 0 to 14 years)",
        short_name="Injury admissions, children 0 to 14",
        unit="per 10,000",
        multiplier=10000,
        value_type=ValueType.CRUDE_RATE,
        ci_method=CIMethod.BYARS_EXACT,
        polarity=Polarity.LOW_IS_GOOD,
        benchmark_method=BenchmarkMethod.CI_OVERLAP_95,
        period_type=PeriodType.FINANCIAL,
        definition="Emergency hospital admissions for injuries in children aged 0 to 14, per "
        "10,000 resident population. Published for upper-tier councils (counties and unitary "
        "authorities), the regions and England, not for districts.",
        numerator="Emergency admissions for injuries, children 0 to 14",
        denominator="Children aged 0 to 14 (ONS mid-year estimates)",
        source="Hospital Episode Statistics",
        id_confirmed=True,
        id_confirmation_note=SEEN_IN_EXPORTS,
    ),
)

# Risk factors of section 6 of the report. Their ids were found only second-hand and are
# checked against the API's metadata on the first refresh; until then the pages show the
# report's own printed figures. Three more risk factors of section 6 (mothers aged under 18,
# mothers aged 35 and over, DTaP/IPV/Hib vaccination at one year) are not declared: no
# Fingertips id for them was found in the sources held (see REPORT_ONLY_MEASURES).
FINGERTIPS_NOTES = (
    "Id known only second-hand (shared docs FINGERTIPS.md: {}); checked against "
    "Fingertips metadata on refresh."
)
INDICATORS += (
    _percentage(
        fingertips_id=92531,
        name="Low birth weight of all babies",
        short_name="Low birth weight (all babies)",
        polarity=Polarity.LOW_IS_GOOD,
        period_type=PeriodType.CALENDAR,
        definition="Live births with a recorded weight under 2,500 g, at any gestation (pre-term "
        "included), as a percentage of all live births with a recorded weight.",
        numerator="Live births weighing under 2,500 g",
        denominator="Live births with a recorded birth weight",
        source=ONS_BIRTHS_DEATHS,
        id_confirmed=False,
        id_confirmation_note=FINGERTIPS_NOTES.format("listed among related indicators"),
        report_measure="Low birth weight of all babies",
    ),
    _percentage(
        fingertips_id=93584,
        name="Obesity in early pregnancy",
        short_name="Obesity in early pregnancy",
        polarity=Polarity.LOW_IS_GOOD,
        period_type=PeriodType.FINANCIAL,
        definition="Women with a body mass index of 30 or more at the booking appointment, as a "
        "percentage of women with a known body mass index at booking.",
        numerator="Women with a BMI of 30 or more at booking",
        denominator="Women with a recorded BMI at booking",
        source="NHS England Maternity Services Data Set (MSDS)",
        id_confirmed=False,
        id_confirmation_note="Id known only second-hand (public code listing Fingertips "
        "indicator 93584 as 'Obesity in early pregnancy (previous method)'); checked against "
        "Fingertips metadata on refresh.",
        report_measure="Obese in early pregnancy",
    ),
    IndicatorDefinition(
        fingertips_id=90801,
        name="Child mortality rate (1-17 years)",
        short_name="Child mortality (1 to 17)",
        unit="per 100,000",
        multiplier=100000,
        value_type=ValueType.CRUDE_RATE,
        ci_method=CIMethod.BYARS_EXACT,
        polarity=Polarity.LOW_IS_GOOD,
        benchmark_method=BenchmarkMethod.CI_OVERLAP_95,
        period_type=PeriodType.CALENDAR_3Y,
        definition="Deaths of children aged 1 to 17 per 100,000 children of that age, three "
        "years pooled.",
        numerator="Deaths of children aged 1 to 17",
        denominator="Children aged 1 to 17 (ONS mid-year estimates)",
        source=ONS_BIRTHS_DEATHS,
        id_confirmed=False,
        id_confirmation_note=FINGERTIPS_NOTES.format("unverified, from one SQL comment"),
    ),
)

#: Section 6 risk factors with a printed figure but no Fingertips id found in the sources held:
#: not declared as indicators (an id is never guessed); their printed figures are listed.
REPORT_ONLY_MEASURES = (
    "Mothers aged under 18",
    "Mothers aged 35 and over",
    "Vaccinated against DTaP/IPV/Hib at age 1",
)

#: Fields of a definition that are not stored on the Indicator model.
NOT_STORED = {"report_measure"}


#: The value range of every declared indicator; an undeclared one follows only the universal rules
#: (finite, within `LARGEST_FIGURE`, counts and denominators not negative, lower limit <= upper).
VALUE_RANGES: dict[int, ValueRange] = {d.fingertips_id: d.value_range() for d in INDICATORS}


def sync_definitions() -> list[int]:
    """Write the declared definitions to the database where they differ; an id confirmed by a
    refresh stays so. Returns the indicators whose stored definitions were created or rewritten."""
    existing = {i.fingertips_id: i for i in Indicator.objects.all()}
    rewritten = []
    for position, definition in enumerate(INDICATORS):
        fields = {k: v for k, v in asdict(definition).items() if k not in NOT_STORED}
        fields["position"] = position
        fields["is_defined"] = True
        indicator = existing.get(definition.fingertips_id)
        if indicator is None:
            Indicator.objects.create(**fields)
            rewritten.append(definition.fingertips_id)
            continue
        if indicator.id_confirmed and not definition.id_confirmed:
            fields.pop("id_confirmed")
            fields.pop("id_confirmation_note")
        changed = [name for name, value in fields.items() if getattr(indicator, name) != value]
        if changed:
            for name in changed:
                setattr(indicator, name, fields[name])
            indicator.save(update_fields=changed)
            if set(changed) - NOT_ON_CACHED_PAGES:
                rewritten.append(definition.fingertips_id)
    # An indicator no longer declared (an earlier version's) leaves the pages and the refresh.
    declared = {d.fingertips_id for d in INDICATORS}
    dropped = [
        i.fingertips_id
        for i in existing.values()
        if i.is_defined and i.fingertips_id not in declared
    ]
    Indicator.objects.filter(fingertips_id__in=dropped).update(is_defined=False, refresh=False)
    rewritten += dropped
    # Their pages show the definitions: cached ones are rebuilt.
    DataVersion.bump_indicators(rewritten)
    return rewritten


# Shown on the data page only, which is never cached (a refresh rewrites it every week).
NOT_ON_CACHED_PAGES = {"id_confirmation_note"}
