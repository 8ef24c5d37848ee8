"""Single sign-on through the council's identity provider (OpenID Connect, mozilla-django-oidc).

Off unless OIDC_CLIENT_ID is set (settings.SSO_ENABLED); its pages then answer 404. The flow is
the authorization code flow with PKCE, a state and a nonce. The ID token must be signed (RS256)
by a key in the provider's JWKS, be issued by OIDC_ISSUER, for OIDC_CLIENT_ID, not expired and
carry the nonce this sign-in sent: mozilla-django-oidc checks neither issuer nor audience, so
`ProviderBackend.verify_token` does it all with PyJWT.

A person is found by a claim that names them for good (OIDC_USER_ID_CLAIM, `sub` by default),
never by email address: their username is `sso-` and that value. Their roles are set from the
provider's groups on every sign-in (`sync_roles`): the roles OIDC_ROLE_MAP can grant are added or
taken away, every other role is left alone, and staff or superuser status comes only from a map
that names it. Someone with no mapped group is refused, with a page that says why.
"""

from __future__ import annotations

import hmac
import logging
import re
import threading
import time
from dataclasses import dataclass
from functools import wraps
from hashlib import sha256

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.checks import Error, Tags, register
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from actionplan.roles import ROLES
from imr_dashboard.role_map import FLAGS, STAFF, SUPERUSER, roles_granted, roles_mapped

logger = logging.getLogger(__name__)

BACKEND = "imr_dashboard.sso.ProviderBackend"
# The session remembers whether the provider asserted a second factor (two_factor.py reads it).
SESSION_MFA = "sso_mfa"
USERNAME_PREFIX = "sso-"
DISCOVERY_LIFETIME_SECONDS = 60 * 60
LEEWAY_SECONDS = 60  # clock difference allowed between the provider and this server


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered nonsense."""


class SignInRefused(Exception):
    """The provider signed the person in but the dashboard will not (the message says why)."""


# --- The provider's endpoints


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str


_discovered: dict[str, tuple[float, dict]] = {}
_discovery_lock = threading.Lock()


def _discovery(issuer: str) -> dict:
    """The provider's discovery document, read once an hour."""
    with _discovery_lock:
        cached = _discovered.get(issuer)
        if cached and time.monotonic() - cached[0] < DISCOVERY_LIFETIME_SECONDS:
            return cached[1]
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"discovery document {url}: {exc}") from None
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        # OpenID Connect Discovery 1.0 §4.3; Entra ID's "common" and "organizations" documents
        # say "{tenantid}": the tenant's own id must be used.
        raise ProviderUnavailable(
            f"discovery document {url} names issuer {str(document.get('issuer'))[:200]!r}, "
            f"not OIDC_ISSUER {issuer!r} (for Entra ID use the tenant's id, not common)"
        )
    with _discovery_lock:
        _discovered[issuer] = (time.monotonic(), document)
    return document


def provider() -> Provider:
    """The endpoints: each one set in the environment, else from the discovery document."""
    explicit = {
        "authorization_endpoint": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.OIDC_OP_TOKEN_ENDPOINT,
        "jwks_uri": settings.OIDC_OP_JWKS_ENDPOINT,
        "userinfo_endpoint": settings.OIDC_OP_USER_ENDPOINT,
    }
    document = {}
    if settings.OIDC_ISSUER and not all(explicit.values()):
        document = _discovery(settings.OIDC_ISSUER)
    values = {key: value or str(document.get(key) or "") for key, value in explicit.items()}
    missing = [
        key for key in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not values[key]
    ]
    if missing:
        raise ProviderUnavailable(f"the provider names no {', '.join(missing)}")
    return Provider(issuer=settings.OIDC_ISSUER, **values)


# --- Who the person is, and their roles


def username_for(subject: str) -> str:
    """The username of the person the provider names `subject`: stable, and never an email."""
    if re.fullmatch(r"[\w.@+-]{1,140}", subject, flags=re.ASCII):
        return USERNAME_PREFIX + subject
    return USERNAME_PREFIX + sha256(subject.encode()).hexdigest()


def groups_from(claims: dict) -> list[str]:
    """The provider's groups in the claims (OIDC_GROUPS_CLAIM); refused when they are left out."""
    name = settings.OIDC_GROUPS_CLAIM
    value = claims.get(name)
    if value is None and name in (claims.get("_claim_names") or {}):
        # Entra ID leaves groups out of the token of someone in more than 200 of them.
        raise SignInRefused(
            "Your account is in too many groups for the provider to list them. Ask your IT team "
            "to send only the groups assigned to this application (docs/OPERATIONS.md)."
        )
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(group) for group in value]
    raise SignInRefused(f"The provider's {name} claim is not a list of groups.")


def sync_roles(user, granted: set[str]) -> None:
    """Give `user` exactly the mapped roles in `granted`; roles the map never names are kept."""
    mapped = roles_mapped(settings.OIDC_ROLE_MAP)
    plan_roles = {group.name: group for group in Group.objects.filter(name__in=mapped)}
    missing = (mapped - set(FLAGS)) - set(plan_roles)
    if missing:
        raise SignInRefused(
            "The dashboard's roles are not set up yet (an administrator runs manage.py "
            f"setup_roles); missing: {', '.join(sorted(missing))}."
        )
    user.groups.add(*[plan_roles[name] for name in mapped & granted if name in plan_roles])
    user.groups.remove(*[plan_roles[name] for name in mapped - granted if name in plan_roles])
    user.__dict__.pop("_role_names", None)  # roles.role_names reads the groups afresh
    flags = {}
    if SUPERUSER in mapped:
        flags["is_superuser"] = SUPERUSER in granted
    if STAFF in mapped or SUPERUSER in mapped:
        flags["is_staff"] = bool({STAFF, SUPERUSER} & mapped & granted)
    changed = [name for name, value in flags.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, flags[name])
    if changed:
        user.save(update_fields=changed)


class ProviderBackend(OIDCAuthenticationBackend):
    """Signs in the person the provider vouches for, with the roles their groups map to."""

    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_IDP_SIGN_KEY = None

    def __init__(self, *args, **kwargs):
        # The library reads every endpoint here, for every sign-in (passwords too): ours are
        # read when a provider sign-in needs them.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return provider().token_endpoint

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return provider().jwks_uri

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return provider().userinfo_endpoint

    def authenticate(self, request, **kwargs):
        if not settings.SSO_ENABLED or request is None or "nonce" not in kwargs:
            return None  # a password sign-in, or SSO off
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        """The ID token's signature, issuer, audience, times and nonce, or SuspiciousOperation."""
        if not isinstance(token, str) or not token:
            raise SuspiciousOperation("The provider sent no ID token.")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token unreadable: {exc}") from None
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token signed with {header.get('alg')!r}, not RS256.")
        key = self.retrieve_matching_jwk(token)
        issuer = provider().issuer
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=issuer or None,
                leeway=LEEWAY_SECONDS,
                options={
                    "require": ["iss", "aud", "exp", "iat", "sub"],
                    "verify_iss": bool(issuer),
                },
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token refused: issued to another party (azp).")
        if "nonce" in kwargs:  # the ID token of a sign-in (not a signed userinfo answer)
            expected, got = str(kwargs["nonce"] or ""), str(claims.get("nonce") or "")
            if not expected or not hmac.compare_digest(got.encode(), expected.encode()):
                raise SuspiciousOperation("ID token refused: the nonce is not this sign-in's.")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, with the userinfo endpoint's beneath them when it has one."""
        endpoint = provider().userinfo_endpoint
        if not endpoint:
            return dict(payload)
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            # OpenID Connect Core 5.3.2: otherwise the answer is about someone else.
            raise SuspiciousOperation("The userinfo answer is not about the signed-in person.")
        return {**userinfo, **payload}

    def verify_claims(self, claims):
        return bool(claims.get(settings.OIDC_USER_ID_CLAIM))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        subject = str(claims.get(settings.OIDC_USER_ID_CLAIM) or "")
        if not subject:
            raise SuspiciousOperation(f"The ID token has no {settings.OIDC_USER_ID_CLAIM} claim.")
        try:
            user, refusal = self._sign_in(subject, claims)
            if refusal:
                raise SignInRefused(refusal)
        except SignInRefused as exc:
            self.request.sso_refusal = str(exc)
            logger.warning("Single sign-on refused for %s: %s", username_for(subject), exc)
            return None
        amr = claims.get("amr") or []
        # Kept by CallbackView.login_success in the new session.
        user.sso_mfa = bool(
            settings.OIDC_PROVIDER_ENFORCES_MFA or (isinstance(amr, list) and "mfa" in amr)
        )
        return user

    @transaction.atomic
    def _sign_in(self, subject: str, claims: dict) -> tuple[object, str]:
        """The person's account, made or updated with their roles, and why they are refused."""
        granted = roles_granted(settings.OIDC_ROLE_MAP, groups_from(claims))
        username = username_for(subject)
        user = self.UserModel.objects.select_for_update().filter(username=username).first()
        if user is not None and user.has_usable_password():
            raise SignInRefused(
                "A local account with a password already has this name; an administrator must "
                "remove its password before it can sign in through the provider."
            )
        if user is None and not granted:
            return None, _NO_ROLE
        if user is None:
            user = self.UserModel(username=username)
            user.set_unusable_password()
        user.email = str(claims.get("email") or claims.get("preferred_username") or "")[:254]
        user.first_name = str(claims.get("given_name") or claims.get("name") or "")[:150]
        user.last_name = str(claims.get("family_name") or "")[:150]
        user.save()
        # Roles are taken away even from someone refused now, so none outlives the group.
        sync_roles(user, granted)
        if not granted:
            return user, _NO_ROLE
        if not user.is_active:
            return user, "Your account on the dashboard has been switched off."
        return user, ""


_NO_ROLE = (
    "Your account is not in any of the groups that give a role on this dashboard. Ask your "
    "dashboard administrator to add you to one."
)


def not_a_password_attempt(request: HttpRequest, credentials: dict | None = None) -> bool:
    """For django-axes: whether a sign-in came back from the provider (its nonce is passed)."""
    return bool(credentials) and "nonce" in credentials and "password" not in credentials


# --- Views


def sign_in_options(request: HttpRequest) -> dict:
    """Context for every page: the provider's name when single sign-on is on, else ''."""
    return {"sso_provider_name": settings.OIDC_PROVIDER_NAME if settings.SSO_ENABLED else ""}


def _only_when_enabled(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.SSO_ENABLED:
            raise Http404("Single sign-on is not configured.")
        return view(request, *args, **kwargs)

    return wrapped


def refused(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    return render(
        request,
        "registration/sso_refused.html",
        {"reason": reason, "provider_name": settings.OIDC_PROVIDER_NAME},
        status=status,
    )


class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's sign-in page."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider().authorization_endpoint
        except ProviderUnavailable as exc:
            logger.error("Single sign-on unavailable: %s", exc)
            return refused(request, _UNAVAILABLE, status=503)
        return super().get(request)


_UNAVAILABLE = "The sign-in service cannot be reached just now. Try again in a few minutes."


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: signs in, or says why not."""

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            logger.warning("Single sign-on refused: %s", exc)
            return refused(
                request, "The sign-in could not be checked. Start again from the sign-in page."
            )
        except (requests.RequestException, ProviderUnavailable) as exc:
            logger.error("Single sign-on failed: %s", exc)
            return refused(request, _UNAVAILABLE, status=503)

    def login_success(self):
        response = super().login_success()
        self.request.session[SESSION_MFA] = getattr(self.user, "sso_mfa", False)
        return response

    def login_failure(self):
        reason = getattr(self.request, "sso_refusal", None)
        if reason is None and self.request.GET.get("error"):
            reason = "The sign-in service did not sign you in."
        if reason is None and getattr(self, "user", None) is not None and not self.user.is_active:
            reason = "Your account on the dashboard has been switched off."
        return refused(
            self.request,
            reason or "The sign-in did not complete. Start again from the sign-in page.",
        )


urlpatterns = [
    path("start/", _only_when_enabled(StartView.as_view()), name="oidc_authentication_init"),
    path(
        "callback/",
        _only_when_enabled(CallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
]


# --- Configuration checked at start-up


@register(Tags.security)
def check_role_map(app_configs, **kwargs):
    """imr.E010: every role OIDC_ROLE_MAP names is one of the plan's roles or a flag."""
    unknown = sorted(roles_mapped(settings.OIDC_ROLE_MAP) - set(ROLES) - set(FLAGS))
    if not unknown:
        return []
    return [
        Error(
            f"OIDC_ROLE_MAP names roles that do not exist: {', '.join(unknown)}.",
            hint=f"Use {', '.join(ROLES)}, or {STAFF} / {SUPERUSER}.",
            id="imr.E010",
        )
    ]
