"""The board pack's plain values: everything the pack shows, without the database.

`reading.collect` fills them; the pages draw them; `actionplan.frozen_pack` keeps a frozen
quarter's as JSON. A field added here needs a default, so packs stored before it read back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from actionplan.boardpack.whatif_chart import WhatIfChart
from actionplan.rag import Rag


@dataclass(frozen=True, slots=True)
class AreaSummary:
    number: int
    title: str
    rag: Rag
    is_final: bool
    movement: str  # "up", "down", "same", "new" or "none"
    movement_words: str
    action_counts: tuple[tuple[Rag, int], ...]
    overrides: tuple[str, ...] = ()  # the group's final RAGs set over the rule's, with reasons


@dataclass(frozen=True, slots=True)
class ExceptionLine:
    area_number: int
    action_number: str
    action_text: str
    reasons: tuple[str, ...]
    due: date | None
    was_due: date | None
    rag: Rag
    reason: str


@dataclass(frozen=True, slots=True)
class LocalLine:
    """A measure's linked local quarterly measure: its latest quarter, disclosure-controlled
    for the public (the pack is a download), with the Making Data Count icons' letters and
    colours and their words (LOCAL_DATA.md section 6)."""

    heading: str  # "Local data (SATOD), Lancashire, 2024/25 Q2: 12.3%", or "No local data: …"
    variation: str = ""
    variation_letter: str = ""
    variation_colour: str = ""
    assurance: str = ""
    assurance_letter: str = ""
    assurance_colour: str = ""
    synthetic: bool = False


@dataclass(frozen=True, slots=True)
class MeasureLine:
    measure: str
    value: str  # formatted with its unit, or "No data"
    period: str
    england: str
    region: str
    target: str
    trend: str
    rag: Rag
    reason: str
    estimated: str  # why the figure is an estimate, or ""
    local: LocalLine | None = None  # the linked local quarterly measure, if the measure has one
    # The reason's first words (the table shows them; the reason in full follows the table) and
    # the rule's name as "How the proposed RAG is worked out" lists it; packs stored before
    # them have neither, and print the whole reason in the table as they did.
    headline: str = ""
    rule: str = ""


@dataclass(frozen=True, slots=True)
class UpdateLine:
    action_number: str
    action_text: str
    rag: Rag
    progress_note: str
    author: str
    entered: date


@dataclass(frozen=True, slots=True)
class ActionLine:
    number: str
    text: str
    owner: str
    due: date | None
    status: str  # confirmed status (and its reason); a pending Complete is said so
    rag: Rag  # the rule's proposal


@dataclass(frozen=True, slots=True)
class WhatIfLine:
    """One what-if statement for an area's measures, as `indicators.whatif_inputs` words it."""

    title: str  # the factor, the outcome and the comparator
    headline: str
    scenario: str
    caveats: tuple[str, ...]
    period: str
    source: str  # the relative risk and its citation
    chart: WhatIfChart | None = None  # the interval chart; packs stored before it have none


@dataclass(frozen=True, slots=True)
class AreaSection:
    number: int
    title: str
    rag: Rag
    is_final: bool
    proposed: Rag
    proposed_reason: str
    rationale: str
    decided: str  # who set the final RAG and when, or ""
    actions: int
    measures: tuple[MeasureLine, ...]
    updates: tuple[UpdateLine, ...]
    action_lines: tuple[ActionLine, ...] = ()  # every action of the area with its owner
    whatif: tuple[WhatIfLine, ...] = ()  # what-if statements for the indicators its measures read


@dataclass(frozen=True, slots=True)
class SourceLine:
    indicator: str
    fingertips_id: int
    period: str
    loaded_by: str  # the import run: its kind and date
    data_current_at: str
    note: str  # estimated figures and engine-made limits say so here


@dataclass(frozen=True, slots=True)
class ChangeList:
    summary: str
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # heading and its lines


@dataclass(frozen=True, slots=True)
class BoardPack:
    plan_title: str
    county: str
    region: str
    quarter: str  # "2021/22 Q2"
    quarter_months: str  # "July to September 2021"
    meeting_date: date | None
    frozen: bool
    generated_at: datetime
    read_at: date
    read_at_words: str
    previous_quarter: str  # the last frozen quarter before this one, or ""
    areas: tuple[AreaSummary, ...]
    exceptions: tuple[ExceptionLine, ...]
    plan_measures: tuple[MeasureLine, ...]
    sections: tuple[AreaSection, ...]
    changes: ChangeList
    sources: tuple[SourceLine, ...]
    plan_source: str
    rules_intro: str
    rules: tuple[tuple[str, str, tuple[str, ...]], ...] = field(default=())
    record: str = ""  # a frozen quarter's stored pack: when it was made and stored
