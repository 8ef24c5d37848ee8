"""The charts' script: a partial plotly.js bundle, at the version the Python package draws with."""

from __future__ import annotations

import json
import re
from pathlib import Path

import plotly.offline
from django.conf import settings
from django.contrib.staticfiles import finders

BUNDLE = Path(settings.BASE_DIR) / "static/vendor/plotly/plotly.min.js"
PINNED = Path(settings.BASE_DIR) / "vendor/plotly-bundle/package.json"


def test_the_served_plotly_is_the_partial_bundle_of_the_version_the_server_draws_with():
    head = BUNDLE.read_text()[:300]
    version = re.search(r"plotly\.js v([0-9.]+)", head).group(1)
    assert version == plotly.offline.get_plotlyjs_version()
    assert json.loads(PINNED.read_text())["dependencies"]["plotly.js"] == version
    # {% static 'vendor/plotly/plotly.min.js' %} finds this file, not the wheel's full bundle.
    assert Path(finders.find("vendor/plotly/plotly.min.js")) == BUNDLE
    assert BUNDLE.stat().st_size < 2_000_000  # the full bundle is 4.8 MB


def test_the_bundle_holds_every_trace_type_the_charts_use():
    """Each trace type a chart module builds must be registered in the bundle (entry.js)."""
    charts = Path(settings.BASE_DIR) / "indicators/charts"
    used = {
        name.lower()
        for module in charts.glob("*.py")
        for name in re.findall(
            r"go\.(Scatter\w*|Bar\w*|Choropleth\w*|Heatmap|Pie)\(", module.read_text()
        )
    }
    entry = (PINNED.parent / "entry.js").read_text()
    registered = set(re.findall(r"plotly\.js/lib/(\w+)", entry)) - {"core"} | {"scatter"}
    assert used and used <= registered, used - registered
