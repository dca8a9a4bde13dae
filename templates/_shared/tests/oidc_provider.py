"""A small OpenID Connect provider for the tests: real HTTP on 127.0.0.1, real signatures.

It serves what a login touches and nothing more: discovery, the JWKS, an authorization endpoint
that approves at once (as a user clicking "Allow" would), a token endpoint that checks the
client's secret, the one-time code, the redirect URI and the PKCE verifier (S256 only), and
userinfo. ID tokens are RS256-signed with a key made for this run.

Tests change what it issues through ``id_token_claims`` to prove the app refuses a token meant
for another audience or one that has expired (set ``exp`` an hour back: clients allow a few
minutes of clock skew). ``authorize_requests`` and ``token_requests`` record what the app sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

TOKEN_LIFETIME_SECONDS = 300


@dataclass(frozen=True)
class _Grant:
    """What an authorization request asked for, kept until its code is redeemed."""

    redirect_uri: str
    code_challenge: str
    nonce: str | None
    scope: str


class OIDCProvider:
    """Start with ``with OIDCProvider() as provider:``; ``provider.issuer`` is its URL."""

    def __init__(self, client_id: str = "test-client", client_secret: str | None = None) -> None:
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.user: dict[str, Any] = {
            "sub": "248289761001",
            "email": "ada@example.com",
            "email_verified": True,
            "name": "Ada Lovelace",
        }
        #: Merged over the claims of every ID token issued from now on.
        self.id_token_claims: dict[str, Any] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = secrets.token_hex(8)
        self._grants: dict[str, _Grant] = {}
        self._access_tokens: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        host, port = self._server.server_address[:2]
        self.issuer = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> OIDCProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def approve(self, authorize_url: str) -> str:
        """Visit ``authorize_url`` as the user's browser would; return where it redirects to."""
        parts = urlsplit(authorize_url)
        connection = http.client.HTTPConnection(parts.netloc, timeout=10)
        try:
            connection.request("GET", f"{parts.path}?{parts.query}")
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        location = response.getheader("Location")
        if response.status != 302 or not location:
            raise AssertionError(f"authorization refused: {response.status} {location}")
        return location

    # -- endpoints

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**jwk, "kid": self._kid, "use": "sig", "alg": "RS256"}]}

    def authorize(self, params: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
        self.authorize_requests.append(params)
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != self.client_id or not redirect_uri.startswith("http"):
            return 400, {}, {"error": "invalid_request", "error_description": "client/redirect"}
        problem = None
        if params.get("response_type") != "code":
            problem = "unsupported_response_type"
        elif "openid" not in params.get("scope", "").split():
            problem = "invalid_scope"
        elif params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            problem = "invalid_request"  # PKCE is required, and only S256
        reply: dict[str, str] = {"error": problem} if problem else {"code": secrets.token_urlsafe()}
        if not problem:
            with self._lock:
                self._grants[reply["code"]] = _Grant(
                    redirect_uri, params["code_challenge"], params.get("nonce"), params["scope"]
                )
        if "state" in params:
            reply["state"] = params["state"]
        separator = "&" if "?" in redirect_uri else "?"
        return 302, {"Location": f"{redirect_uri}{separator}{urlencode(reply)}"}, {}

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(form)
        if not self._client_authenticated(form, authorization):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # a code is good once
        if grant is None or form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        challenge = _s256(verifier) if verifier else ""
        if not hmac.compare_digest(challenge, grant.code_challenge):
            return 400, {"error": "invalid_grant", "error_description": "PKCE check failed"}
        access_token = secrets.token_urlsafe()
        with self._lock:
            self._access_tokens[access_token] = dict(self.user)
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "scope": grant.scope,
            "id_token": self.id_token(grant.nonce),
        }

    def id_token(self, nonce: str | None) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + TOKEN_LIFETIME_SECONDS,
            **self.user,
        }
        if nonce is not None:
            claims["nonce"] = nonce
        claims.update(self.id_token_claims)
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        scheme, _, token = authorization.partition(" ")
        with self._lock:
            claims = self._access_tokens.get(token) if scheme.lower() == "bearer" else None
        if claims is None:
            return 401, {"error": "invalid_token"}
        return 200, claims

    def _client_authenticated(self, form: dict[str, str], authorization: str) -> bool:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "basic":
            decoded = base64.b64decode(credentials).decode()
            client_id, _, secret = decoded.partition(":")
        return client_id == self.client_id and hmac.compare_digest(secret, self.client_secret)


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _handler_for(provider: OIDCProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            authorization = self.headers.get("Authorization", "")
            if url.path == "/.well-known/openid-configuration":
                self._send(200, provider.metadata())
            elif url.path == "/jwks":
                self._send(200, provider.jwks())
            elif url.path == "/authorize":
                status, headers, body = provider.authorize(dict(parse_qsl(url.query)))
                self._send(status, body, headers)
            elif url.path == "/userinfo":
                self._send(*provider.userinfo(authorization))
            else:
                self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode()))
            if urlsplit(self.path).path == "/token":
                self._send(*provider.token(form, self.headers.get("Authorization", "")))
            elif urlsplit(self.path).path == "/userinfo":
                self._send(*provider.userinfo(self.headers.get("Authorization", "")))
            else:
                self._send(404, {"error": "not_found"})

        def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
            payload = json.dumps(body).encode() if body else b""
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: pytest shows the app's own output, not every provider request."""

    return Handler
