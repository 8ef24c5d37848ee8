"""The method page of what-if statements and comparator groups (thin: the numbers come from the
pure method run on the report's own inputs, so the worked example is always the method's)."""

from __future__ import annotations

from types import SimpleNamespace

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from indicators import neighbours, whatif_inputs
from indicators.caching import cached_page
from indicators.models import Indicator
from indicators.statistics import whatif as w
from indicators.statistics import whatif_simulation as ws
from indicators.statistics.whatif_wording import JOINT_APPROXIMATION, word, word_joint

# The report's inputs (section 6.2 of the county's report; WHATIF specification section 6).
REPORT_OUTCOME = w.Outcome("infant_mortality", 4.5, 177, 39333, 3, "2014 - 16")
REPORT_TARGET = w.Comparator("target", value=4.481, name="the region's rate")
REPORT_FACTORS = (
    w.Prevalence("smoking_at_delivery", 1619, 11647, "smoking at delivery", "2017/18"),
    w.Prevalence(
        "overweight_obese_bmi25", 6190, 12137, "BMI 25 or more in early pregnancy", "2017"
    ),
)


def worked_example() -> list[dict]:
    """The report's two statements reproduced by the method, seed 1, 10,000 draws."""
    params = whatif_inputs.parameter_set()
    rows = []
    for prevalence in REPORT_FACTORS:
        scenario = 0.06 if prevalence.factor == "smoking_at_delivery" else None
        result = w.run("The county", REPORT_OUTCOME, prevalence, params, REPORT_TARGET, scenario)
        rows.append(
            {
                "result": result,
                "wording": word(result),
                "women_shown": w.women_text(result.estimates.women, prevalence.count),
                "p_percent": f"{100 * prevalence.p:.1f}%",
            }
        )
    return rows


def joint_example() -> dict:
    """Both of the report's factors together (a joint scenario): the rate with both removed,
    never a number of women; against the sum of the two attributable fractions it replaces."""
    params = whatif_inputs.parameter_set()
    result = w.run_joint("The county", REPORT_OUTCOME, REPORT_FACTORS, params, REPORT_TARGET)
    singles = [
        w.attributable_fraction(p.p, r.rr)
        for p, r in zip(REPORT_FACTORS, result.risks, strict=True)
    ]
    return {
        "result": result,
        "wording": word_joint(result),
        "paf_percent": f"{100 * result.estimates.paf:.1f}%",
        "sum_percent": f"{100 * sum(singles):.1f}%",
    }


@cached_page
def whatif_method(request: HttpRequest) -> HttpResponse:
    params = whatif_inputs.parameter_set()
    lower, upper = REPORT_OUTCOME.limits()
    return render(
        request,
        "indicators/_whatif_method.html",
        {
            "parameter_set": params,
            "outcome": REPORT_OUTCOME,
            "limits": (lower, upper),
            "target": REPORT_TARGET,
            "examples": worked_example(),
            "joint": joint_example(),
            "draws": ws.DRAWS,
            "joint_approximation": JOINT_APPROXIMATION,
            "parameter_sets": sorted(
                whatif_inputs.parameter_sets().values(),
                key=lambda s: (s.name != "default", s.name, -s.version),
            ),
            "neighbour_groups": neighbours.dfe_groups(),
            "stored_groups": neighbours.stored_groups(None),
            "neighbour_source": neighbours.DFE_SOURCE,
        },
    )


def whatif_csv(request: HttpRequest, fingertips_id: int, statement: str) -> HttpResponse:
    """The numbers of one what-if chart (the curve and the women's range), at full precision,
    with the sources of its figures and relative risk on every row."""
    from indicators.exporters import FINGERTIPS, Provenance, fingertips_provenance
    from indicators.templatetags.comparators import whatif_statements
    from indicators.views import _card_csv

    indicator = get_object_or_404(Indicator.objects.shown(), fingertips_id=fingertips_id)
    for shown in whatif_statements(indicator):
        chart = shown.get("chart")
        if chart and chart["slug"] == statement:
            break
    else:
        raise Http404("No such what-if chart")
    result = shown["statement"].result
    ids = " and ".join(str(s.indicator_id) for s in shown["statement"].sources)
    provenance = Provenance(
        f"{FINGERTIPS}, indicators {ids}; relative risk {result.risk.rr:g}: "
        f"{result.risk.citation} ({result.parameter_set.label})",
        data_current_at=fingertips_provenance(indicator).data_current_at,
    )
    card = SimpleNamespace(columns=chart["csv_columns"], csv_rows=chart["csv_rows"])
    return _card_csv(card, f"{fingertips_id}-{statement}", provenance)
