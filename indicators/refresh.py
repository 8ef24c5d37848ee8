"""Refresh from the Fingertips API: build the calls, download with retries, import atomically."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections import defaultdict
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import requests
from django.conf import settings
from django.utils import timezone
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from alerts.alerting import check_quietly
from indicators.configuration import AreasConfig, areas_config
from indicators.definitions import sync_definitions
from indicators.import_runs import one_refresh_at_a_time
from indicators.importers import fingertips as importer
from indicators.importers.fingertips import ImportOutcome, fail_run, import_bodies, start_run
from indicators.models import DataVersion, ImportRun, Indicator

logger = logging.getLogger(__name__)

MAX_IDS_PER_CALL = 100  # the API's limit on indicator_ids


class DownloadError(Exception):
    """A Fingertips call that did not give a complete CSV body."""


def data_urls(
    config: AreasConfig, indicators: list[Indicator], base_url: str | None = None
) -> list[str]:
    """The `all_data/csv/by_indicator_id` calls: each profile's ids, for districts and counties."""
    base = base_url or settings.FINGERTIPS_API_URL
    by_profile: dict[int | None, list[int]] = defaultdict(list)
    for indicator in indicators:
        by_profile[indicator.profile_id].append(indicator.fingertips_id)
    urls = []
    for profile_id, ids in sorted(by_profile.items(), key=lambda item: item[0] or 0):
        for start in range(0, len(ids), MAX_IDS_PER_CALL):
            chunk = sorted(ids)[start : start + MAX_IDS_PER_CALL]
            for area_type_id in (config.district_area_type_id, config.county_area_type_id):
                params = {
                    "indicator_ids": ",".join(map(str, chunk)),
                    "child_area_type_id": area_type_id,
                    "parent_area_type_id": config.parent_area_type_id,
                }
                if profile_id:
                    params["profile_id"] = profile_id
                urls.append(urljoin(base, "all_data/csv/by_indicator_id") + "?" + urlencode(params))
    return urls


def metadata_url(ids: list[int], base_url: str | None = None) -> str:
    base = base_url or settings.FINGERTIPS_API_URL
    query = urlencode({"indicator_ids": ",".join(map(str, sorted(ids)))})
    return urljoin(base, "indicator_metadata/csv/by_indicator_id") + "?" + query


def _session() -> requests.Session:
    retry = Retry(
        total=settings.FINGERTIPS_RETRIES,
        connect=settings.FINGERTIPS_RETRIES,
        read=settings.FINGERTIPS_RETRIES,
        status=settings.FINGERTIPS_RETRIES,
        backoff_factor=settings.FINGERTIPS_BACKOFF_SECONDS,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        raise_on_status=True,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers["User-Agent"] = "imr-dashboard (Fingertips refresh)"
    return session


def download(session: requests.Session, url: str) -> bytes:
    """One GET with timeouts and retries; any incomplete or non-CSV answer is an error."""
    timeout = settings.FINGERTIPS_TIMEOUT_SECONDS
    where = _short(url)
    limit = importer.MAX_EXPORT_BYTES
    try:
        with session.get(url, timeout=(min(10.0, timeout), timeout), stream=True) as response:
            response.raise_for_status()
            # Read in chunks, decompressed, and stop at the importer's size limit: a body that
            # grows past it (a gzip bomb, a runaway answer) never fills the worker's memory.
            # urllib3 raises if fewer bytes arrive than Content-Length says.
            chunks, size = [], 0
            for chunk in response.iter_content(chunk_size=1 << 16):
                size += len(chunk)
                if size > limit:
                    raise DownloadError(
                        f"{where}: the answer is larger than {limit // 2**20} MB "
                        "(the largest export the importer reads); nothing was imported"
                    )
                chunks.append(chunk)
            body = b"".join(chunks)
    except requests.exceptions.RetryError as exc:
        raise DownloadError(f"{where}: still failing after retries ({_reason(exc)})") from None
    except requests.exceptions.Timeout:
        raise DownloadError(f"{where}: no answer within {timeout:g} s") from None
    except requests.exceptions.ConnectionError as exc:
        # With retries on, a read timeout arrives wrapped as a connection error.
        if "timed out" in _reason(exc):
            raise DownloadError(f"{where}: no answer within {timeout:g} s") from None
        raise DownloadError(f"{where}: cannot connect ({_reason(exc)})") from None
    except requests.exceptions.RequestException as exc:
        raise DownloadError(f"{where}: {_reason(exc)}") from None
    if body.lstrip()[:1] in {b"<", b"{", b"["}:
        raise DownloadError(f"{where}: the answer is not a CSV export (it starts {body[:40]!r})")
    return body


def _short(url: str) -> str:
    """The call without the long list of indicator ids, for messages people read."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "indicator_ids"]
    return f"{parts.netloc}{parts.path}?{urlencode(query)}" if query else parts.netloc + parts.path


def _reason(exc: Exception) -> str:
    # requests nests urllib3's reason several levels deep; the innermost says what happened.
    reason: object = exc
    for _ in range(4):
        inner = getattr(reason, "reason", None) or (
            reason.args[0] if getattr(reason, "args", None) else None
        )
        if inner is None or inner is reason or isinstance(inner, str):
            break
        reason = inner
    # Drop urllib3's connection repr ("HTTPSConnection(host=..., port=443): ").
    return re.sub(r"^<?\w*Connection(Pool)?\b[^:]*>?: ", "", str(reason))


def refresh_from_api(*, base_url: str | None = None) -> ImportOutcome:
    """Download every configured call and import them all in one run; a failure changes nothing.

    However it ends, the administrators' alerts are checked after it (alerts.alerting): a failed
    refresh is mailed to them, a successful one clears the alert.
    """
    try:
        # One refresh at a time across every worker: a second one waits, then changes nothing.
        with one_refresh_at_a_time():
            return _refresh(base_url)
    finally:
        check_quietly()


def _refresh(base_url: str | None) -> ImportOutcome:
    sync_definitions()
    indicators = list(Indicator.objects.filter(refresh=True))
    urls = data_urls(areas_config(), indicators, base_url)
    run = start_run(source=ImportRun.Source.API, location="\n".join(urls))
    session = _session()
    try:
        bodies = [(url, download(session, url)) for url in urls]
    except DownloadError as exc:
        logger.warning("Fingertips refresh failed: %s", exc)
        return fail_run(run, str(exc))
    run.data_current_at = timezone.now()
    outcome = import_bodies(run, bodies)
    if outcome.status == "ok":
        confirm_indicator_ids(session, [i for i in indicators if not i.id_confirmed], base_url)
    else:
        logger.warning("Fingertips refresh rejected: %s", outcome.error)
    return outcome


def confirm_indicator_ids(
    session: requests.Session, indicators: list[Indicator], base_url: str | None = None
) -> None:
    """Check second-hand indicator ids against the API's metadata and record what it says."""
    if not indicators:
        return
    url = metadata_url([i.fingertips_id for i in indicators], base_url)
    checked = timezone.localdate().isoformat()
    try:
        text = download(session, url).decode("utf-8-sig")
        names = {
            int(row["Indicator ID"]): row.get("Indicator", "")
            for row in csv.DictReader(io.StringIO(text, newline=""))
            if (row.get("Indicator ID") or "").strip().isdigit()
        }
    except (DownloadError, UnicodeDecodeError, KeyError, csv.Error) as exc:
        logger.warning("Fingertips metadata check failed: %s", exc)
        return
    newly_confirmed = []
    for indicator in indicators:
        if indicator.fingertips_id in names:
            if not indicator.id_confirmed:
                newly_confirmed.append(indicator.fingertips_id)
            indicator.id_confirmed = True
            indicator.id_confirmation_note = (
                f"Confirmed in Fingertips indicator metadata on {checked}: "
                f"{names[indicator.fingertips_id]!r}."
            )
        else:
            indicator.id_confirmation_note = (
                f"Not found in Fingertips indicator metadata on {checked}; check the id."
            )
        indicator.save(update_fields=["id_confirmed", "id_confirmation_note"])
    # The indicator page says whether its id is confirmed.
    DataVersion.bump_indicators(newly_confirmed)
