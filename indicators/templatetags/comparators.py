"""Page sections of comparators, what-if statements and findings, added to a page by one tag each.

Each section reads what it needs itself, so the page's view is unchanged; what it builds is kept
until any indicator's figures change (what-if statements read several indicators).
"""

from __future__ import annotations

from datetime import date

from django import template

from indicators import findings, not_compared, presenters, vocabulary, whatif_inputs
from indicators.caching import cached
from indicators.configuration import areas_config
from indicators.statistics import whatif_parameters as wp

register = template.Library()


def _upper(words: str) -> str:
    return words[:1].upper() + words[1:]


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _plain(statement: whatif_inputs.Statement, fingertips_id: int) -> dict:
    """What the section shows of one statement, formatted once."""
    against = {"region": "the region", "england": "England"}.get(
        statement.comparator_kind, statement.comparator_kind.replace("_", " ")
    )
    title = (
        f"{_upper(wp.FACTOR_PHRASES[statement.factor][0])} and "
        f"{wp.OUTCOME_NAMES[statement.outcome_key]}, against {against}"
    )
    plain = {"statement": statement, "missing": statement.missing, "title": title}
    result = statement.result
    if result is None:
        return plain
    sim = result.simulation
    plain.update(
        p_gap=_percent(sim.p_gap),
        p_enough=_percent(sim.p_enough_given_gap),
        prevalence=f"{100 * result.prevalence.p:.1f}%",
        rr=result.risk,
        outcome=result.outcome,
        comparator=result.comparator,
        parameter_set=result.parameter_set,
        chart=_interval_chart(statement, fingertips_id),
    )
    return plain


def _interval_chart(statement: whatif_inputs.Statement, fingertips_id: int) -> dict:
    """The statement's interval chart and range bar for the women (WHATIF section 7), with
    the conventions of every chart: the table, a CSV of it, the words, a permalink, the API."""
    import json
    from urllib.parse import urlencode

    from django.urls import reverse

    from indicators.charts import whatif as wc
    from indicators.charts.common import figure_json

    result = statement.result
    factor = wp.FACTOR_PHRASES[statement.factor][0]
    rows = wc.curve(result)
    slug = f"whatif-{statement.outcome_key}-{statement.factor}-{statement.comparator_kind}"
    slug = slug.replace("_", "-")
    columns, body = wc.table(rows)
    spread = wc.women_range(result)
    women = None
    if spread is not None:
        women = {
            "figure_id": f"{slug}-women-figure",
            "figure": json.loads(figure_json(wc.women_figure(spread, factor=factor))),
            "text": wc.women_text(spread, factor=factor),
        }
    query = {
        "area": result_area_code(statement),
        "outcome": statement.outcome_key,
        "factor": statement.factor,
        "comparator": statement.comparator_kind,
    }
    if result.estimates.scenario_prevalence is not None:
        query["scenario_prevalence"] = f"{result.estimates.scenario_prevalence:g}"
    page = reverse("indicators:indicator", kwargs={"fingertips_id": fingertips_id})
    return {
        "slug": slug,
        "figure_id": f"{slug}-figure",
        "figure": json.loads(figure_json(wc.figure(result, rows, factor=factor))),
        "text": wc.alt_text(result, rows, factor=factor),
        "columns": columns,
        "rows": body,
        "women": women,
        "csv_columns": wc.CSV_COLUMNS,
        "csv_rows": wc.csv_rows(rows, spread),
        "csv_url": reverse(
            "indicators:whatif-csv", kwargs={"fingertips_id": fingertips_id, "statement": slug}
        ),
        "api_url": f"{reverse('api:whatif')}?{urlencode(query)}",
        "permalink": f"{page}#{slug}",
    }


def result_area_code(statement: whatif_inputs.Statement) -> str:
    """The area the statement is for (its outcome's source names it)."""
    return statement.sources[0].area if statement.sources else areas_config().home.code


def joint_offer(statement: whatif_inputs.Statement | None) -> dict | None:
    """The joint scenario as one plain sentence and the API's link (WHATIF section 2: several
    factors changed together; their separate figures must not be added); None without one."""
    if statement is None or statement.result is None:
        return None
    from urllib.parse import urlencode

    from django.urls import reverse

    factors = statement.factor.split("+")
    query = [
        ("area", result_area_code(statement)),
        ("outcome", statement.outcome_key),
        *(("factor", f) for f in factors),
        ("comparator", statement.comparator_kind),
    ]
    comparator = statement.result.comparator
    if statement.comparator_kind == "target" and comparator and comparator.value is not None:
        query.append(("target", f"{comparator.value:g}"))
    words = statement.wording
    names = [wp.FACTOR_PHRASES[f][0] for f in factors]
    return {
        "factors": ", ".join(names[:-1]) + " and " + names[-1],
        "sentence": " ".join(filter(None, [words.headline, words.qualifier])),
        "api_url": f"{reverse('api:whatif')}?{urlencode(query)}",
    }


def whatif_joint(indicator) -> dict | None:
    """The outcome page's joint scenario, kept as the statements are ({} for none, so that
    none is kept too)."""
    return cached(
        ("whatif-joint", indicator.fingertips_id),
        lambda: joint_offer(whatif_inputs.page_joint_statement(indicator.fingertips_id)) or {},
    )


def whatif_statements(indicator) -> list[dict]:
    """The what-if statements of an outcome's or a risk factor's page, built once and kept
    until any indicator's figures change (the page and the charts' CSVs read the same)."""

    def build():
        return [
            _plain(s, indicator.fingertips_id)
            for s in whatif_inputs.page_statements(indicator.fingertips_id)
        ]

    return cached(("whatif-statements", indicator.fingertips_id), build)


@register.inclusion_tag("indicators/_whatif.html")
def whatif_section(indicator) -> dict:
    """The what-if statements of an outcome's or a risk factor's page (none for the others);
    each chart's text alternative opens with the page's findings, as every chart's does."""
    return {
        "statements": whatif_statements(indicator),
        "joint": whatif_joint(indicator),
        "indicator": indicator,
        "findings_line": " ".join(_sentences(indicator)),
    }


def _comparison(text: str):
    try:
        return vocabulary.parse_comparison(text)
    except vocabulary.UnknownWording:
        return None


def _trend(text: str):
    """The stored trend (the importer stored the vocabulary's value: nothing to parse here)."""
    try:
        return vocabulary.Trend(text) if text else None
    except ValueError:
        return None


def finding_input(indicator, code: str | None = None) -> findings.FindingInput | None:
    """The structured results one indicator's findings are made from (home county, latest)."""
    config = areas_config()
    code = code or config.home.code
    rows = presenters.headline_observations(indicator).filter(value__isnull=False)
    mine = rows.filter(area__code=code).order_by("-period_sortable").first()
    if mine is None:
        return None
    figure = presenters.figure_of(mine)
    others = {o.area.code: o.value for o in rows.filter(period_sortable=mine.period_sortable)}
    england, region = others.get(config.england.code), others.get(config.region.code)
    benchmarks = [
        findings.Benchmarked(
            config.england.name,
            _comparison(figure.comparison_england or figure.published_comparison_england),
            england,
            not_compared.not_compared_reason(indicator, figure, england, config.england.name),
        ),
        findings.Benchmarked(
            f"the {config.region.name}",
            _comparison(figure.comparison_region),
            region,
            not_compared.not_compared_reason(indicator, figure, region, config.region.name),
        ),
    ]
    unit = "%" if indicator.unit == "%" else indicator.unit
    return findings.FindingInput(
        area=mine.area.name,
        measure=(indicator.short_name or indicator.name).lower(),
        unit=unit,
        period=mine.period_label,
        value=figure.value,
        lower95=figure.lower_ci_95,
        upper95=figure.upper_ci_95,
        count=figure.count,
        period_end_year=mine.period_end_year,
        current_year=date.today().year,
        benchmarks=benchmarks,
        rank=neighbours_rank(indicator, mine),
        trend=_trend(figure.computed_trend or figure.recent_trend),
    )


def neighbours_rank(indicator, observation):
    """The area's rank among its statistical neighbours, where the data cover the group."""
    try:
        from indicators import neighbours
    except ImportError:  # the neighbours module is not there yet
        return None
    return neighbours.rank_for_findings(indicator, observation)


def _sentences(indicator) -> list[str]:
    def build():
        found = finding_input(indicator)
        return findings.sentences(found) if found else []

    return cached(("findings", indicator.fingertips_id), build)


@register.inclusion_tag("indicators/_findings.html")
def findings_section(indicator) -> dict:
    """Two or three sentences at the top of an indicator's page."""
    return {"sentences": _sentences(indicator)}


@register.simple_tag
def findings_text(indicator) -> str:
    """The same sentences as one line: the first line of the page's charts' text alternatives."""
    return " ".join(_sentences(indicator))


@register.inclusion_tag("indicators/_neighbours.html")
def neighbours_section(indicator) -> dict:
    """The home county ranked among each of its DfE neighbour lists, where data cover them."""
    from indicators import neighbours

    def build():
        shown = []
        for group in neighbours.groups_for(areas_config().home.code):
            ranking = neighbours.ranking(indicator, group) if group.members else None
            if (ranking is not None and ranking.of > 1) or group.error:
                points = [r.member for r in ranking.members] if ranking else []
                chart = _funnel(indicator, points, group.name, f"nb{len(shown)}")
                shown.append({"group": group, "ranking": ranking, "funnel": chart})
        return shown, _district_funnel(indicator)

    groups, districts = cached(("neighbours", indicator.fingertips_id), build)
    return {"groups": groups, "districts": districts, "indicator": indicator}


def _funnel(indicator, members, group: str, slug: str) -> dict | None:
    """A funnel plot of crude rates or proportions (smoking at delivery, a percentage) whose
    counts and denominators are all held."""
    from indicators import neighbours_funnel as nf
    from indicators.models import ValueType

    kinds = {ValueType.CRUDE_RATE: "rate", ValueType.PROPORTION: "proportion"}
    if indicator.value_type not in kinds:
        return None
    points = [
        nf.Point(m.name, m.count, m.denominator, m.value, m.is_area)
        for m in members
        if m.value is not None and m.count is not None and m.denominator
    ]
    if len(points) != len(members):
        return None  # only where the data cover the whole group
    result = nf.funnel(points, indicator.multiplier, kinds[indicator.value_type])
    if result is None:
        return None
    unit = indicator.unit
    return {
        "slug": f"funnel-{slug}",
        "figure_id": f"funnel-{slug}-figure",
        "figure": nf.figure(
            result, title="Funnel plot", unit=unit, population="Population (log scale)"
        ),
        "text": result.text(group, unit),
    }


def _district_funnel(indicator) -> dict | None:
    """The county's districts on a funnel plot, for the latest period they all have."""
    from indicators.neighbours_rank import Member

    config = areas_config()
    codes = [d.code for d in config.districts]
    rows = presenters.headline_observations(indicator).filter(
        area__code__in=codes, value__isnull=False
    )
    latest = rows.order_by("-period_sortable").first()
    if latest is None:
        return None
    members = [
        Member(r.area.code, r.area.name, r.value, r.lower_95, r.upper_95, r.count, r.denominator)
        for r in rows.filter(period_sortable=latest.period_sortable)
    ]
    if len(members) != len(codes):
        return None
    name = f"Districts of {config.home.name}, {latest.period_label}"
    return _funnel(indicator, members, name, "districts")
