"""System checks for configuration mistakes that would otherwise surface as wrong pages."""

from django.conf import settings
from django.core import checks
from django.core.checks import Error, Tags, register


@register(Tags.compatibility)
def check_areas_file(app_configs, **kwargs):
    from indicators.configuration import ConfigurationError, read_config

    try:
        config = read_config(settings.DASHBOARD_AREAS_FILE)
        _check_boundaries(config)
    except ConfigurationError as exc:
        return [
            Error(
                f"The areas file cannot be used: {exc}",
                hint="Set DASHBOARD_AREAS_FILE to a file laid out as docs/AREAS_FILE.md and "
                "fixtures/config/areas.schema.json describe (fixtures/config/lancashire.json "
                "and kent.json are two).",
                id="imr.E001",
            )
        ]
    return []


def _check_boundaries(config) -> None:
    """Every district and neighbour must have a shape in the boundary file the map draws from."""
    from indicators.configuration import ConfigurationError

    path = settings.BASE_DIR / config.boundaries.districts_file
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"boundaries: {path}: {exc.strerror}") from None
    # A plain text search: parsing the UK-wide file at every start would cost more than it tells.
    missing = [a.code for a in config.footprint if f'"{a.code}"' not in text]
    if missing:
        raise ConfigurationError(
            f"boundaries: {', '.join(missing)} not found in {config.boundaries.districts_file}"
        )


@register(Tags.compatibility)
def check_fingertips_url(app_configs, **kwargs):
    url = settings.FINGERTIPS_API_URL
    if not url.startswith(("http://", "https://")) or not url.endswith("/"):
        return [
            Error(
                f"FINGERTIPS_API_URL {url!r} must be an http(s) URL ending in '/'.",
                id="imr.E002",
            )
        ]
    return []


@register(Tags.caches, deploy=True)
def check_cache_is_not_the_broker(app_configs, **kwargs):
    from urllib.parse import urlsplit

    cache, broker = settings.REDIS_URL, settings.CELERY_BROKER_URL
    if not cache or not broker:
        return []

    def server(url: str) -> tuple:
        parts = urlsplit(url)
        return (
            parts.scheme,
            parts.hostname,
            parts.port or 6379,
            parts.path if parts.scheme == "unix" else "",
        )

    if server(cache) != server(broker):
        return []
    return [
        checks.Warning(
            "REDIS_URL (the page cache) and CELERY_BROKER_URL (the task queue) name the same "
            "Redis server. The cache must be bounded and evict old pages; the broker must never "
            "evict a queued task, and both are set per server, not per database.",
            hint="Run a second Redis for the cache with deploy/redis-cache.conf (as the `cache` "
            "service of docker-compose.yml does) and point REDIS_URL at it.",
            id="imr.W001",
        )
    ]
