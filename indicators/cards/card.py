"""A chart card, the analyst's view it is drawn for, and the text every card kind shares."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from indicators import charts
from indicators.models import Indicator, Polarity
from indicators.presenters import Benchmark

NO_DATA_YET = "No data has been published for this indicator yet."


@dataclass
class ChartCard:
    slug: str
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)  # as shown in the table
    csv_rows: list[list[object]] = field(default_factory=list)  # the same, at full precision
    figure: dict | None = None
    alt_text: str = ""
    about: list[str] = field(default_factory=list)
    csv_url: str = ""
    api_url: str = ""
    permalink: str = ""
    points: int = 0
    empty: str = ""

    @property
    def figure_id(self) -> str:
        return f"{self.slug}-figure"


@dataclass(frozen=True)
class View:
    """What the analyst chose: indicator, period, benchmark and the area for the trend."""

    indicator: Indicator
    period: int | None
    period_label: str
    benchmark: Benchmark
    area_code: str

    def query(self, **overrides) -> str:
        params = {
            "period": self.period or "",
            "benchmark": self.benchmark.key,
            "area": self.area_code,
            **overrides,
        }
        return urlencode({k: v for k, v in params.items() if v})

    def url(self, name: str, anchor: str = "", **kwargs) -> str:
        base = reverse(name, kwargs={"fingertips_id": self.indicator.fingertips_id, **kwargs})
        return f"{base}?{self.query()}" + (f"#{anchor}" if anchor else "")

    def observations_api_url(self) -> str:
        """The API's answer with the figures of the chosen period, compared as the card is."""
        return (
            f"{reverse('api:observations')}?indicator={self.indicator.fingertips_id}"
            f"&period={self.period or ''}&benchmark={self.benchmark.key}"
        )


def figure_dict(fig) -> dict:
    # The card's heading already names the chart; a second title inside it would overflow on
    # narrow screens.
    top = fig.layout.margin.t
    fig.update_layout(title_text="", margin_t=max(top - 45, 20) if top else 20)
    return json.loads(charts.figure_json(fig))


def titled(indicator: Indicator, period_label: str, what: str) -> str:
    """A card's heading: the indicator, its period when there is one, and what the card shows."""
    name = indicator.short_name or indicator.name
    return f"{name}, {period_label}: {what}" if period_label else f"{name}: {what}"


def method_paragraphs(indicator: Indicator, benchmark: Benchmark) -> list[str]:
    return [
        f"{indicator.name}: {indicator.definition}",
        f"Compared with {benchmark.name} by "
        f"{indicator.get_benchmark_method_display().lower()}; polarity: "
        f"{indicator.get_polarity_display().lower()}. Confidence intervals: "
        f"{indicator.get_ci_method_display()}, as published by Fingertips where it published "
        "them, otherwise calculated here by the same method.",
        f"Source: {indicator.source}. Data: OHID Fingertips, Open Government Licence v3.0.",
    ]


def low_is_good(indicator: Indicator) -> bool | None:
    if indicator.polarity == Polarity.LOW_IS_GOOD:
        return True
    if indicator.polarity == Polarity.HIGH_IS_GOOD:
        return False
    return None
