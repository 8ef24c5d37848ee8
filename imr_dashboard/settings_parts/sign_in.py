"""Single sign-on's settings checked together: with OIDC_CLIENT_ID set, the client secret and
the provider's endpoints must be too, and the role map must read."""

from django.core.exceptions import ImproperlyConfigured


def sso_role_map(
    enabled: bool, role_map_text: str, client_secret: str, issuer: str, endpoints: tuple
) -> dict:
    """The provider's groups mapped to the plan's roles (OIDC_ROLE_MAP), checked with the rest
    of single sign-on's settings when it is on; {} when it is off."""
    if not enabled:
        return {}
    from imr_dashboard.role_map import parse_role_map

    role_map = parse_role_map(role_map_text)
    if not client_secret:
        raise ImproperlyConfigured("OIDC_CLIENT_ID is set: set OIDC_CLIENT_SECRET (or _FILE) too.")
    if not issuer and not all(endpoints):
        raise ImproperlyConfigured(
            "OIDC_CLIENT_ID is set: set OIDC_ISSUER (the provider's discovery document is read "
            "from it), or OIDC_AUTHORIZATION_ENDPOINT, OIDC_TOKEN_ENDPOINT and OIDC_JWKS_ENDPOINT."
        )
    return role_map
