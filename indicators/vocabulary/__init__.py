"""The product's words, each declared once: RAG, statuses, polarity, comparisons, trends and more.

Pure: no Django. Every concept is an enum whose value is what is stored (in the database, the API
and the CSVs, so those keep their documented values) and whose members carry what the pages
need: `label` (as a page shows it), `phrase` (in a sentence, with `{b}` for the benchmark or
`{before}` for the earlier state where it applies), `symbol` (an arrow or mark, never the only
carrier of meaning) and `colour` (a hex colour, the same on the web, in charts and in the PDF).

Models build their choices from these enums (`Rag.choices`, as with Django's TextChoices),
statistics return their members, and Fingertips' own wording ("Better 95%", "Increasing and
getting worse") is turned into them once, at import, by the `parse_*` functions at the end:
nothing downstream matches display text.
"""

from indicators.vocabulary.base import (  # noqa: F401
    Term,
    UnknownWording,
    _letters,
    _listed,
    _Words,
)
from indicators.vocabulary.figures import (  # noqa: F401
    _COMPARISON_JUDGEMENT,
    _TREND_MARKER,
    COMPARISON_ORDER,
    NO_DATA,
    NO_DATA_COLOUR,
    NOT_COMPARED,
    Comparison,
    NotComparedReason,
    Trend,
    TrendMarker,
)
from indicators.vocabulary.local import (
    Disclosure,
    SuppressionReason,
)
from indicators.vocabulary.methods import (
    SpcAssurance,
    SpcVariation,
    WhatIfCase,
)
from indicators.vocabulary.parse import (  # noqa: F401
    _DIRECTION_ALIASES,
    _LEVEL,
    _POLARITY_ALIASES,
    _TREND_ALIASES,
    _TWO_LEVEL,
    parse_comparison,
    parse_direction,
    parse_polarity,
    parse_trend,
)
from indicators.vocabulary.plan import (  # noqa: F401
    _RAG_TONES,
    INK,
    WHITE,
    ActionStatus,
    Change,
    Direction,
    ImprovementDirection,
    Polarity,
    Rag,
    Role,
    TargetProgress,
)

__all__ = [
    "COMPARISON_ORDER",
    "INK",
    "NOT_COMPARED",
    "NO_DATA",
    "NO_DATA_COLOUR",
    "WHITE",
    "ActionStatus",
    "Change",
    "Comparison",
    "Direction",
    "Disclosure",
    "ImprovementDirection",
    "NotComparedReason",
    "Polarity",
    "Rag",
    "Role",
    "SpcAssurance",
    "SpcVariation",
    "SuppressionReason",
    "TargetProgress",
    "Term",
    "Trend",
    "TrendMarker",
    "UnknownWording",
    "WhatIfCase",
    "parse_comparison",
    "parse_direction",
    "parse_polarity",
    "parse_trend",
]
