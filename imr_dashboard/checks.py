"""System checks for configuration mistakes that would otherwise surface as wrong pages."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.compatibility)
def check_areas_file(app_configs, **kwargs):
    from indicators.configuration import ConfigurationError, read_config

    try:
        read_config(settings.DASHBOARD_AREAS_FILE)
    except ConfigurationError as exc:
        return [
            Error(
                f"The areas file cannot be used: {exc}",
                hint="Set DASHBOARD_AREAS_FILE to a file laid out like "
                "fixtures/config/lancashire.json.",
                id="imr.E001",
            )
        ]
    return []


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
