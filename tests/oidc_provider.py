"""A small OpenID Connect provider on 127.0.0.1 for the sign-in tests (real HTTP, real RS256).

It serves discovery, authorization (approving at once for `person`, the claims of whoever is
"signed in" at the provider), the token endpoint (checks the client's secret, the redirect URI,
the PKCE verifier; issues an ID token signed with joserfc), JWKS and userinfo. `tamper` makes the
next ID tokens wrong in one way, for the refusal tests.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

CLIENT_ID = "imr-dashboard-test"
CLIENT_SECRET = "test-client-secret-1234"


def _json(value, status: int = 200) -> Response:
    return Response(json.dumps(value), status=status, content_type="application/json")


@dataclass
class LocalProvider:
    server: HTTPServer
    person: dict = field(default_factory=dict)
    tamper: str = ""  # "", "signature", "audience", "nonce", "issuer", "expired", "key"
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    other_key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"})
    )
    codes: dict = field(default_factory=dict)
    access_tokens: dict = field(default_factory=dict)
    token_requests: list = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def install(self) -> LocalProvider:
        handlers = {
            "/.well-known/openid-configuration": self.discovery,
            "/authorize": self.authorize,
            "/token": self.token,
            "/jwks": self.jwks,
            "/userinfo": self.userinfo,
        }
        for path, handler in handlers.items():
            self.server.expect_request(path).respond_with_handler(handler)
        return self

    # --- Endpoints

    def discovery(self, request: Request) -> Response:
        return _json(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "response_types_supported": ["code"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    def authorize(self, request: Request) -> Response:
        args = request.args
        if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code":
            return _json({"error": "unauthorized_client"}, 400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "nonce": args.get("nonce"),
            "redirect_uri": args["redirect_uri"],
            "challenge": args.get("code_challenge"),
            "person": dict(self.person),
        }
        query = urlencode({"code": code, "state": args["state"]})
        return Response(status=302, headers={"Location": f"{args['redirect_uri']}?{query}"})

    def token(self, request: Request) -> Response:
        form = request.form
        self.token_requests.append(dict(form))
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or form.get("grant_type") != "authorization_code":
            return _json({"error": "invalid_grant"}, 400)
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return _json({"error": "invalid_client"}, 401)
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return _json({"error": "invalid_grant"}, 400)
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            return _json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = grant["person"]
        return _json(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "id_token": self.id_token(grant["person"], grant["nonce"]),
            }
        )

    def jwks(self, request: Request) -> Response:
        public = self.key.as_dict(private=False)
        return _json({"keys": [{**public, "alg": "RS256", "use": "sig"}]})

    def userinfo(self, request: Request) -> Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        person = self.access_tokens.get(token)
        if person is None:
            return _json({"error": "invalid_token"}, 401)
        return _json({k: person[k] for k in ("sub", "email", "name") if k in person})

    # --- The ID token

    def id_token(self, person: dict, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "nonce": nonce,
            **person,
        }
        if self.tamper == "audience":
            claims["aud"] = "another-application"
        if self.tamper == "nonce":
            claims["nonce"] = "not-the-nonce-this-sign-in-sent"
        if self.tamper == "issuer":
            claims["iss"] = "https://login.example.org/another-tenant/v2.0"
        if self.tamper == "expired":
            claims["iat"], claims["nbf"], claims["exp"] = now - 7200, now - 7200, now - 3600
        key = self.other_key if self.tamper == "key" else self.key
        token = jwt.encode({"alg": "RS256", "kid": "k1", "typ": "JWT"}, claims, key)
        if self.tamper == "signature":
            # The same signature over a payload with one more group in it.
            header, payload, signature = token.split(".")
            changed = {**claims, "groups": [*claims.get("groups", []), "g-superusers"]}
            payload = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=").decode()
            token = f"{header}.{payload}.{signature}"
        return token


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
