"""A frozen quarter's board pack: what the board saw, stored once and served unchanged.

`store` runs inside `workflow.freeze`'s transaction: it collects the pack's values, renders the
PDF and keeps both (`FrozenBoardPack`). `stored` is what the download serves for a frozen
review. `to_plain` and `from_plain` turn the pack's values into JSON and back, so the stored
content renders to the very bytes stored beside it.
"""

from __future__ import annotations

import hashlib
import types
import typing
from dataclasses import fields, is_dataclass, replace
from datetime import date, datetime
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.utils import timezone

from actionplan import boardpack
from actionplan.models import FrozenBoardPack, QuarterlyReview

FORMAT = 1


def store(
    review: QuarterlyReview,
    *,
    captured: str = FrozenBoardPack.Captured.AT_FREEZING,
    at: datetime | None = None,
) -> FrozenBoardPack:
    """Collect, render and keep the frozen review's pack; once only (the row is unique)."""
    at = at or timezone.now()
    frozen_at = review.frozen_at or at
    # The moment read is the freezing itself; a pack kept later reads the database as it is then.
    moment = timezone.localtime(
        frozen_at if captured == FrozenBoardPack.Captured.AT_FREEZING else at
    )
    pack = boardpack.collect(review, today=moment.date(), generated_at=moment)
    pack = replace(pack, record=_record_words(captured, frozen_at, at))
    pdf = boardpack.render(pack)
    return FrozenBoardPack.objects.create(
        review=review,
        content=to_plain(pack),
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        filename=boardpack.filename(pack),
        captured=captured,
        captured_at=at,
    )


def stored(review: QuarterlyReview) -> FrozenBoardPack:
    """The frozen review's stored pack; one frozen without it is stored now, once."""
    found = FrozenBoardPack.objects.filter(review=review).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return store(review, captured=FrozenBoardPack.Captured.AT_FIRST_DOWNLOAD)
    except IntegrityError:
        # Two first downloads at once: the other one stored it.
        return FrozenBoardPack.objects.get(review=review)


def _record_words(captured: str, frozen_at: datetime, at: datetime) -> str:
    frozen = _moment(frozen_at)
    if captured == FrozenBoardPack.Captured.AT_FREEZING:
        return (
            f"This pack was made and stored when the quarter was frozen, {frozen}, and is "
            "served unchanged: later changes to actions, measures, figures or people do not "
            "alter it."
        )
    return (
        f"This quarter was frozen {frozen}, when no board pack was stored. This pack was "
        f"made and stored {_moment(at)}: its final RAGs, rationales, updates and change list "
        "are those kept at freezing, but action states and figures are as held on that later "
        "day. It is served unchanged from now on."
    )


def _moment(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"on {local.day} {local:%B %Y} at {local:%H:%M}"


# ------------------------------------------------------------------------------------------
# The pack's values as JSON, and back
# ------------------------------------------------------------------------------------------


def to_plain(pack: boardpack.BoardPack) -> dict:
    return {"format": FORMAT, "pack": _plain(pack)}


def from_plain(content: dict) -> boardpack.BoardPack:
    if content.get("format") != FORMAT:
        raise ValueError(f"Unknown board pack format {content.get('format')!r}")
    return _value(boardpack.BoardPack, content["pack"])


def _plain(value):
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        # The zone's name too: the pack prints "BST" or "GMT", which an offset cannot give back.
        return {"at": value.isoformat(), "zone": str(value.tzinfo) if value.tzinfo else ""}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _value(kind, plain):
    if plain is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(kind) if a is not type(None)]
        return _value(inner, plain)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_value(args[0], v) for v in plain)
        return tuple(_value(a, v) for a, v in zip(args, plain, strict=True))
    if is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        # A field added to the pack since this one was stored keeps its default.
        return kind(
            **{
                f.name: _value(hints[f.name], plain[f.name])
                for f in fields(kind)
                if f.name in plain
            }
        )
    if kind is datetime:
        moment = datetime.fromisoformat(plain["at"])
        try:
            return moment.astimezone(ZoneInfo(plain["zone"])) if plain["zone"] else moment
        except (ZoneInfoNotFoundError, ValueError):
            return moment
    if kind is date:
        return date.fromisoformat(plain)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(plain)
    return plain
