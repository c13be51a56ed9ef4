#!/usr/bin/env python3
"""An OAuth 2.0 authorization server built on Authlib, for AuthDeck's integration tests.

Authlib is a widely used implementation of the RFCs that neither AuthDeck nor its own test
server (oauth_test_server.py) share a line with: a second, independent reading. This script
only wires it up; every protocol decision (encodings, checks, errors) is Authlib's.

- RFC 6749 authorization code with RFC 7636 PKCE (S256 only, required of the public client),
  approved at once for a fixed test user (a browser following the authorize URL is redirected
  straight back), with RFC 9207's `iss` on the redirect;
- refresh tokens, rotated on every use (the old one stops working at once); client credentials;
- RFC 7009 revocation (a refresh token takes its access tokens with it), RFC 7662
  introspection, and a protected resource, GET /api/me, that answers 401 to a revoked token;
- RFC 8628 device authorization, the code approved or denied through POST /_test/device
  {"user_code", "decision": "approve" | "deny"}, as a person would on another device;
- RFC 8414 metadata at /.well-known/oauth-authorization-server, and the same document at OpenID
  Connect's /.well-known/openid-configuration;
- clients: "basic-client" (client_secret_basic) and "post-client" (client_secret_post), both with
  the secret --secret, and "public-client" (no secret). Redirects: https://app.example/callback,
  and http://127.0.0.1/callback on any port (RFC 8252 §7.3; also [::1] and localhost).

Listens on 127.0.0.1 only, on --port (0: any free port), and prints exactly one line
"PORT <n>" on stdout once it listens. Needs authlib and flask: scripts/setup installs the pinned
versions of Tests/Support/authlib-requirements.txt into .build-python (put it on PYTHONPATH).
"""
import argparse
import logging
import secrets
import threading
import time
import urllib.parse

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from authlib.oauth2.rfc8628 import (DEVICE_CODE_GRANT_TYPE, DeviceAuthorizationEndpoint,
                                    DeviceCodeGrant, DeviceCredentialDict)
from authlib.oauth2.rfc9207 import IssuerParameter
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

import serving  # Tests/Support/serving.py, beside this script

ALL_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
CODE_LIFETIME = 300
USER = "test-user"  # the person who approves every login
LOOPBACK_HOSTS = ("127.0.0.1", "[::1]", "localhost")
lock = threading.Lock()  # werkzeug serves each request on a thread of its own


class Client(ClientMixin):
    def __init__(self, client_id, secret, auth_method, grant_types):
        self.client_id, self.secret = client_id, secret
        self.auth_method, self.grant_types = auth_method, grant_types

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return "https://app.example/callback"

    def get_allowed_scope(self, scope):
        return scope or ""

    def check_redirect_uri(self, redirect_uri):
        """Exactly as registered, or a loopback http redirect on any port (RFC 8252 §7.3)."""
        if redirect_uri == "https://app.example/callback":
            return True
        parts = urllib.parse.urlsplit(redirect_uri)
        host = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
        return parts.scheme == "http" and host in LOOPBACK_HOSTS and parts.path == "/callback" \
            and not parts.query and not parts.fragment

    def check_client_secret(self, client_secret):
        return self.secret is not None and secrets.compare_digest(
            client_secret.encode("utf-8"), self.secret.encode("utf-8"))

    def check_endpoint_auth_method(self, method, endpoint):
        return method == self.auth_method

    def check_response_type(self, response_type):
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type):
        return grant_type in self.grant_types


class Token(TokenMixin):
    def __init__(self, client_id, user, fields):
        self.client_id, self.user = client_id, user
        self.access_token = fields["access_token"]
        self.refresh_token = fields.get("refresh_token")
        self.scope = fields.get("scope", "")
        self.issued_at, self.expires_in = time.time(), fields["expires_in"]
        self.access_revoked = self.refresh_revoked = False

    def check_client(self, client):
        return client.get_client_id() == self.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return self.expires_in

    def is_expired(self):
        return time.time() >= self.issued_at + self.expires_in

    def is_revoked(self):
        return self.access_revoked

    def get_user(self):
        return self.user

    def get_client(self):
        return CLIENTS[self.client_id]


class AuthorizationCode(dict):
    def get_redirect_uri(self):
        return self["redirect_uri"]

    def get_scope(self):
        return self["scope"]

    @property
    def code_challenge(self):
        return self["code_challenge"]

    @property
    def code_challenge_method(self):
        return self["code_challenge_method"]


CLIENTS = {}
CODES = {}          # code -> AuthorizationCode
ACCESS = {}         # access token -> Token
REFRESH = {}        # refresh token -> Token
DEVICES = {}        # device code -> DeviceCredentialDict (+ last_poll, decision)


def find_token(token_string, hint=None):
    """The token a string names, looked up where the hint says first (RFC 7009 §2.1)."""
    tables = [REFRESH, ACCESS] if hint == "refresh_token" else [ACCESS, REFRESH]
    with lock:
        for table in tables:
            if token_string in table:
                return table[token_string]
    return None


REFRESH_EXPIRES_IN = None  # --refresh-expires-in: said in answers with a refresh token


def save_token(fields, req):
    if REFRESH_EXPIRES_IN is not None and fields.get("refresh_token"):
        fields["refresh_expires_in"] = REFRESH_EXPIRES_IN  # Keycloak's member; Authlib answers with fields
    client_id = req.client.get_client_id()
    token = Token(client_id, req.user, fields)
    with lock:
        ACCESS[token.access_token] = token
        if token.refresh_token:
            REFRESH[token.refresh_token] = token


class S256Only(CodeChallenge):
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_AUTH_METHODS

    def save_authorization_code(self, code, req):
        data = req.payload.data
        with lock:
            CODES[code] = AuthorizationCode(
                code=code, client_id=req.client.get_client_id(), redirect_uri=req.payload.redirect_uri,
                scope=req.payload.scope or "", code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"), issued_at=time.time())

    def query_authorization_code(self, code, client):
        with lock:
            entry = CODES.get(code)
        if entry and entry["client_id"] == client.get_client_id() \
                and time.time() - entry["issued_at"] < CODE_LIFETIME:
            return entry
        return None

    def delete_authorization_code(self, authorization_code):
        with lock:
            CODES.pop(authorization_code["code"], None)

    def authenticate_user(self, authorization_code):
        return USER


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation

    def authenticate_refresh_token(self, refresh_token):
        token = find_token(refresh_token, "refresh_token")
        if token and token.refresh_token == refresh_token and not token.refresh_revoked:
            return token
        return None

    def authenticate_user(self, refresh_token):
        return refresh_token.get_user()

    def revoke_old_credential(self, refresh_token):
        refresh_token.refresh_revoked = True  # the rotated-out refresh token dies at once


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class DeviceGrant(DeviceCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_AUTH_METHODS

    def query_device_credential(self, device_code):
        with lock:
            return DEVICES.get(device_code)

    def query_user_grant(self, user_code):
        with lock:
            for credential in DEVICES.values():
                if credential["user_code"] == user_code and credential.get("decision"):
                    return USER, credential["decision"] == "approve"
        return None

    def should_slow_down(self, credential):
        """A poll sooner than the interval after the last one (RFC 8628 §3.5)."""
        now = time.time()
        with lock:
            last, credential["last_poll"] = credential.get("last_poll"), now
            too_soon = last is not None and now - last < credential["interval"] - 0.05
            if too_soon:
                credential["interval"] += 5
        return too_soon

    def create_token_response(self):
        answer = super().create_token_response()
        with lock:  # a device code is good for one token
            DEVICES.pop(self.request.payload.data.get("device_code"), None)
        return answer


class DeviceEndpoint(DeviceAuthorizationEndpoint):
    def get_verification_uri(self):
        return issuer() + "/device"

    def save_device_credential(self, client_id, scope, data):
        with lock:
            DEVICES[data["device_code"]] = DeviceCredentialDict(
                client_id=client_id, scope=scope, user_code=data["user_code"],
                expires_at=time.time() + data["expires_in"], interval=data["interval"])


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ALL_AUTH_METHODS

    def query_token(self, token_string, token_type_hint):
        return find_token(token_string, token_type_hint)

    def revoke_token(self, token, req):
        # Revoking the refresh token ends the grant: its access token goes with it (§2.1).
        if req.form.get("token") == token.refresh_token:
            token.refresh_revoked = True
        token.access_revoked = True


class Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = ALL_AUTH_METHODS

    def query_token(self, token_string, token_type_hint):
        return find_token(token_string, token_type_hint)

    def check_permission(self, token, client, req):
        return token.check_client(client)

    def introspect_token(self, token):
        return {"client_id": token.client_id, "scope": token.scope, "sub": token.user,
                "token_type": "Bearer", "iat": int(token.issued_at),
                "exp": int(token.issued_at + token.expires_in)}


class Issuer(IssuerParameter):
    def get_issuer(self):
        return issuer()


class AccessTokens(BearerTokenValidator):
    def authenticate_token(self, token_string):
        token = find_token(token_string, "access_token")
        return token if token and token.access_token == token_string else None


app = Flask(__name__)
server = AuthorizationServer()
protect = ResourceProtector()
listening = {}


def issuer():
    return f"http://127.0.0.1:{listening['port']}"


def metadata():
    base = issuer()
    document = {
        "issuer": base, "authorization_endpoint": base + "/oauth/authorize",
        "token_endpoint": base + "/oauth/token", "revocation_endpoint": base + "/oauth/revoke",
        "introspection_endpoint": base + "/oauth/introspect",
        "device_authorization_endpoint": base + "/oauth/device_authorization",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials",
                                  DEVICE_CODE_GRANT_TYPE],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ALL_AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": ALL_AUTH_METHODS,
        "introspection_endpoint_auth_methods_supported": ALL_AUTH_METHODS,
        "authorization_response_iss_parameter_supported": True,
    }
    AuthorizationServerMetadata(document).validate()  # Authlib checks the document too
    return document


@app.get("/.well-known/oauth-authorization-server")
@app.get("/.well-known/openid-configuration")
def discovery():
    return jsonify(metadata())


@app.get("/oauth/authorize")
def authorize():
    try:
        grant = server.get_consent_grant(end_user=USER)
    except OAuth2Error as error:  # a bad client or redirect: answered here, never redirected
        return server.handle_error_response(None, error)
    return server.create_authorization_response(grant=grant, grant_user=USER)


@app.post("/oauth/token")
def token():
    return server.create_token_response()


@app.post("/oauth/revoke")
def revoke():
    return server.create_endpoint_response("revocation")


@app.post("/oauth/introspect")
def introspect():
    return server.create_endpoint_response("introspection")


@app.post("/oauth/device_authorization")
def device_authorization():
    return server.create_endpoint_response("device_authorization")


@app.get("/device")
def verification_page():
    return "<html><body><h1>Enter the code shown on your device</h1></body></html>"


@app.post("/_test/device")
def decide_device():
    spec = request.get_json(force=True, silent=True) or {}
    if spec.get("decision") not in ("approve", "deny"):
        return jsonify(error="send user_code and decision (approve or deny)"), 400
    with lock:
        for credential in DEVICES.values():
            if credential["user_code"] == spec.get("user_code"):
                credential["decision"] = spec["decision"]
                return jsonify(ok=True)
    return jsonify(error="no device login has that user_code"), 404


@app.get("/api/me")
@protect()
def me():
    return jsonify(sub=USER)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0, help="0 = any free port")
    ap.add_argument("--secret", default="s3cret: +%&=/é", help="the confidential clients' secret")
    ap.add_argument("--expires-in", type=int, default=3600, help="access tokens' lifetime, seconds")
    ap.add_argument("--device-interval", type=int, default=5, help="seconds between device polls")
    ap.add_argument("--refresh-expires-in", type=int, default=None,
                    help="answers with a refresh token say it lives this long (Keycloak's member)")
    opts = ap.parse_args()
    global REFRESH_EXPIRES_IN
    REFRESH_EXPIRES_IN = opts.refresh_expires_in

    grant_types = ["authorization_code", "refresh_token", "client_credentials", DEVICE_CODE_GRANT_TYPE]
    for client in (Client("basic-client", opts.secret, "client_secret_basic", grant_types),
                   Client("post-client", opts.secret, "client_secret_post", grant_types),
                   Client("public-client", None, "none",
                          ["authorization_code", "refresh_token", DEVICE_CODE_GRANT_TYPE])):
        CLIENTS[client.client_id] = client
    lifetimes = {grant: opts.expires_in for grant in grant_types}
    app.config.update(OAUTH2_REFRESH_TOKEN_GENERATOR=True, OAUTH2_TOKEN_EXPIRES_IN=lifetimes)
    server.init_app(app, query_client=CLIENTS.get, save_token=save_token)
    server.register_grant(AuthorizationCodeGrant, [S256Only(required=True)])
    server.register_grant(RefreshTokenGrant)
    server.register_grant(ClientCredentialsGrant)
    server.register_grant(DeviceGrant)
    DeviceEndpoint.INTERVAL = opts.device_interval
    server.register_endpoint(DeviceEndpoint)
    server.register_endpoint(Revocation)
    server.register_endpoint(Introspection)
    server.register_extension(Issuer())
    protect.register_token_validator(AccessTokens())

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # stdout is for the PORT line only
    httpd = serving.listen(  # loopback only
        "authlib_server", opts.port, lambda: make_server("127.0.0.1", opts.port, app, threaded=True))
    listening["port"] = httpd.server_port
    serving.serve(httpd, httpd.server_port)


if __name__ == "__main__":
    main()
