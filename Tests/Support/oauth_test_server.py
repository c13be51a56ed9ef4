#!/usr/bin/env python3
"""A strict OAuth 2.0 authorization server (RFC 6749, RFC 7636) for AuthDeck's tests.

Shapes:
  lime   IdentityServer-like: /connect/authorize, /connect/token, client_secret_post,
         no refresh token, expires_in 28800, scope "email profile".
  limio  Cognito-like: /oauth2/authorize, /oauth2/token, client_secret_basic,
         id_token + rotating refresh token, client_credentials, expires_in 3600.
The world around them: --clock-offset (a server whose clock is off: Date, iat, exp), --jwt-access
and --no-expires-in (lifetimes only in a JWT), --refresh-expires-in (Keycloak's answer member),
--basic-raw (Basic credentials compared undecoded, as django-oidc-provider does).
Both shapes also serve discovery documents (OpenID Connect's /.well-known/openid-configuration
after the issuer's path, RFC 8414's /.well-known/oauth-authorization-server before it; --discovery,
--issuer-path, --wrong-issuer), token revocation (RFC 7009) and the device authorization grant
(RFC 8628: a code a test approves or denies through /_control/device; polls faster than the
interval are told slow_down). HTTP Basic credentials must read
the same through a form decoder and a plain percent decoder (a '+' for a space does not).
Test-only control endpoints live under /_control/ (faults, request log, issued and revoked
tokens, discovery fetches, device logins).

Prints exactly one line "PORT <n>" on stdout once listening; nothing else goes to stdout.
With --tls-cert and --tls-key it speaks HTTPS (TLS 1.2 or later) instead of plain HTTP.
Standard library only.
"""
import argparse
import base64
import hashlib
import json
import re
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import serving  # Tests/Support/serving.py, beside this script

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
GRANT_HANDLERS = {"authorization_code": "grant_authorization_code", "refresh_token": "grant_refresh_token",
                  "client_credentials": "grant_client_credentials", DEVICE_GRANT: "grant_device_code"}
USER_CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ"  # RFC 8628 §6.1: no vowels, no look-alikes
DEVICE_ERRORS = {"authorization_pending", "slow_down", "access_denied", "expired_token"}
SHAPES = {
    "lime": {"authorize": "/connect/authorize", "token": "/connect/token", "auth": "post",
             "revoke": "/connect/revocation", "device": "/connect/deviceauthorization",
             "expires_in": 28800, "grants": {"authorization_code", DEVICE_GRANT}},
    "limio": {"authorize": "/oauth2/authorize", "token": "/oauth2/token", "auth": "basic",
              "revoke": "/oauth2/revoke", "device": "/oauth2/device", "expires_in": 3600,
              "grants": {"authorization_code", "refresh_token", "client_credentials", DEVICE_GRANT}},
}
FAULTS = {"500", "503", "html", "not_json", "oversized", "slow", "ansi_error", "error_200",
          "no_expires_in", "negative_expires_in", "redirect", "invalid_grant",
          "access_denied_authorize"} | DEVICE_ERRORS
MAX_BODY = 1024 * 1024
BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")  # a '%' not starting a valid escape
S256_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # RFC 7636 §4.2: base64url(SHA-256), no pad
VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")  # RFC 7636 §4.1
ANSI_TEXT = ("\u001b[31mERROR\u001b[0m \u001b]52;c;aGVsbG8=\u0007 visible\rOVERWRITTEN "
             "\u009b2J C1 \u202eesrever\u202c " + "lorem ipsum dolor sit amet " * 400)
PORTAL = b"<html><head><title>Hotel WiFi</title></head><body><h1>Welcome!</h1>" \
         b"<p>Accept the terms to continue.</p></body></html>"


class OAuthError(Exception):
    """An RFC 6749 §5.2 error; 401 for invalid_client (always with WWW-Authenticate)."""
    def __init__(self, error, description):
        super().__init__(description)
        self.error, self.description = error, description
        self.status = 401 if error == "invalid_client" else 400


class State:
    """Everything shared between handler threads, behind one lock."""
    def __init__(self):
        self.lock = threading.Lock()
        self.codes = {}      # code -> dict(client_id, redirect_uri, challenge, scope, nonce, t, grant)
        self.refresh = {}    # refresh token -> dict(client_id, scope, grant)
        self.revoked_grants = set()  # grants whose code was replayed (RFC 6749 §4.1.2)
        self.issued, self.requests, self.faults = [], [], []
        self.revoked, self.discovery = [], []  # {token, hint} per revocation; paths fetched
        self.devices = {}    # device code -> dict(client_id, user_code, scope, expires, interval,
        #                      last_poll, decision, polls, used); see device_authorization

    def take_fault(self, endpoint):
        """Use up one count of the first queued fault for this endpoint, if any."""
        with self.lock:
            for f in self.faults:
                if f["endpoint"] == endpoint:
                    f["count"] -= 1
                    if f["count"] <= 0:
                        self.faults.remove(f)
                    return f
        return None


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def strict_unquote(value, what):
    """Form-decode (RFC 6749 App. B): '+' is space, escapes must be valid UTF-8."""
    if BAD_PERCENT.search(value):
        raise OAuthError("invalid_request", f"{what}: malformed percent-encoding")
    try:
        return urllib.parse.unquote_plus(value, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", f"{what}: percent-encoded bytes are not UTF-8")


def parse_params(text, what):
    """Parse a query or form body strictly: no repeats (RFC 6749 §3.1, §3.2), empty = absent."""
    out = {}
    for field in filter(None, text.split("&")):
        name, _, value = field.partition("=")
        name, value = strict_unquote(name, what), strict_unquote(value, what)
        if value == "":
            continue  # "sent without a value MUST be treated as if they were omitted"
        if name in out:
            raise OAuthError("invalid_request", f"parameter {name!r} repeated")
        out[name] = value
    return out


def with_query(uri, params):
    """Add params to the redirect URI, keeping any query it already has (RFC 6749 §3.1.2)."""
    query = urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
    return uri + ("&" if "?" in uri else "?") + query  # uri never has a fragment here


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so every response carries its length
    server_version = "oauth-test-server/1"

    # ---- plumbing -------------------------------------------------------------------
    def log_message(self, fmt, *args):
        if self.server.opts.verbose:
            sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

    def send(self, status, body=b"", ctype="text/plain; charset=utf-8", headers=()):
        self.send_response(status)
        if body or status not in (204, 302):
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status, obj, headers=()):
        # RFC 6749 §5.1: token responses must not be cached.
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self.send(status, body, "application/json; charset=utf-8",
                  [("Cache-Control", "no-store"), ("Pragma", "no-cache"), *headers])

    def send_oauth_error(self, err):
        headers = [("WWW-Authenticate", 'Basic realm="oauth-test-server"')] \
            if err.status == 401 else []
        self.send_json(err.status, {"error": err.error, "error_description": err.description},
                       headers)

    def dispatch(self):
        if self.headers.get("Transfer-Encoding"):  # we only read Content-Length bodies
            self.close_connection = True
            return self.send(411, b"send a Content-Length\n")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            return self.send(413 if length > 0 else 400, b"bad or too large body\n")
        body = self.rfile.read(length)  # always drain it, or keep-alive breaks
        path, _, query = self.path.partition("?")
        shape = SHAPES[self.server.opts.shape]
        try:
            if path == shape["token"]:
                self.token(shape, body)
            elif path == shape["authorize"]:
                self.authorize(query)
            elif path == shape["revoke"]:
                self.revoke(shape, body)
            elif path == shape["device"]:
                self.device_authorization(shape, body)
            elif path == "/device":
                self.verification_page()
            elif path in self.discovery_paths():
                self.discover(shape, path)
            elif path.startswith("/_control/"):
                self.control(path, body)
            else:
                self.send(404, b"not found\n")
        except OAuthError as err:
            self.send_oauth_error(err)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # client hung up (e.g. refused an oversized body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = dispatch  # methods are checked per path

    # ---- authorization endpoint (RFC 6749 §4.1.1, RFC 7636 §4.3) ---------------------
    def authorize(self, query):
        opts = self.server.opts
        if self.command != "GET":
            return self.send(405, b"use GET\n", headers=[("Allow", "GET")])
        try:
            p = parse_params(query, "query")
        except OAuthError as err:
            return self.send(400, f"{err.description}\n".encode())
        # Client and redirect URI errors must NOT redirect (RFC 6749 §4.1.2.1).
        if p.get("client_id") != opts.client_id:
            return self.send(400, b"unknown or missing client_id\n")
        uri = p.get("redirect_uri", "")
        try:  # RFC 6749 §3.1.2: an absolute URI without a fragment
            parts = urllib.parse.urlsplit(uri)
            absolute = parts.scheme and (parts.hostname or parts.scheme not in ("http", "https"))
        except ValueError:
            absolute = False
        if not absolute or "#" in uri:
            return self.send(400, b"redirect_uri missing, not absolute, or has a fragment\n")

        def redirect(params):
            if "state" in p:
                params["state"] = p["state"]  # echoed exactly (RFC 6749 §4.1.2)
            self.send(302, headers=[("Location", with_query(uri, params)),
                                    ("Cache-Control", "no-store")])

        def fail(error, description):
            redirect({"error": error, "error_description": description})

        if self.server.state.take_fault("authorize"):
            return fail("access_denied", "User denied")
        if "response_type" not in p:
            return fail("invalid_request", "response_type missing")
        if p["response_type"] != "code":
            return fail("unsupported_response_type", "only response_type=code is supported")
        challenge, method = p.get("code_challenge"), p.get("code_challenge_method")
        if method and not challenge:
            return fail("invalid_request", "code_challenge_method without code_challenge")
        if challenge and (method or "plain") != "S256":  # absent method means plain (§4.3)
            return fail("invalid_request", "transform algorithm not supported; use S256")
        if challenge and not S256_CHALLENGE.match(challenge):
            return fail("invalid_request", "code_challenge must be 43 base64url characters")
        code = secrets.token_urlsafe(32)
        with self.server.state.lock:
            self.server.state.codes[code] = dict(
                client_id=opts.client_id, redirect_uri=uri, challenge=challenge,
                scope=p.get("scope"), nonce=p.get("nonce"), t=time.monotonic(),
                grant=secrets.token_hex(8))
        redirect({"code": code})

    # ---- token endpoint (RFC 6749 §3.2, §4.1.3, §4.4, §6) -----------------------------
    def token(self, shape, body):
        state = self.server.state
        text = body.decode("utf-8", "replace")
        loose = dict(urllib.parse.parse_qsl(text, keep_blank_values=True))  # for the log only
        with state.lock:
            state.requests.append({
                "path": self.path, "method": self.command,
                "headers": {k.lower(): ", ".join(self.headers.get_all(k))
                            for k in dict.fromkeys(self.headers.keys())},
                "body": text, "form": loose})
        fault = state.take_fault("token")
        name = fault["fault"] if fault else None
        if name == "slow":
            time.sleep(float(fault.get("seconds", 5)))  # only this handler thread waits
        elif name and name not in ("no_expires_in", "negative_expires_in"):
            return self.canned_fault(fault)

        if self.command != "POST":  # RFC 6749 §3.2
            return self.send_json(405, {"error": "invalid_request", "error_description":
                                        "the token endpoint requires POST"}, [("Allow", "POST")])
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            raise OAuthError("invalid_request",
                             "Content-Type must be application/x-www-form-urlencoded")
        try:
            form_text = body.decode("ascii")  # a form body is all-ASCII once encoded
        except UnicodeDecodeError:
            raise OAuthError("invalid_request", "form body contains raw non-ASCII bytes")
        form = parse_params(form_text, "form body")
        client_id = self.authenticate(shape, form)
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "grant_type missing")
        if grant_type not in shape["grants"]:
            raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} not supported")
        result = getattr(self, GRANT_HANDLERS[grant_type])(form, client_id)
        if name == "no_expires_in":
            result.pop("expires_in", None)
        elif name == "negative_expires_in":
            result["expires_in"] = -5
        with state.lock:
            state.issued.append(result["access_token"])
        self.send_json(200, result)

    def authenticate(self, shape, form):
        """client_secret_post for lime, client_secret_basic for limio; never both (§2.3).
        With --public-client: client_id in the body and nothing else (§2.1, §3.2.1)."""
        opts = self.server.opts
        headers = self.headers.get_all("Authorization") or []
        if headers and "client_secret" in form:
            raise OAuthError("invalid_request", "more than one client authentication method")
        if opts.public_client:
            if headers or "client_secret" in form:
                raise OAuthError("invalid_client", "a public client sends no secret")
            if form.get("client_id") != opts.client_id:
                raise OAuthError("invalid_client", "unknown or missing client_id")
            return opts.client_id
        if shape["auth"] == "post":
            if headers:
                raise OAuthError("invalid_client", "this client must use client_secret_post")
            client_id, secret = form.get("client_id"), form.get("client_secret")
            if client_id is None or secret is None:
                raise OAuthError("invalid_client", "client_id and client_secret required in body")
        else:
            scheme, _, cred = (headers or [""])[0].strip().partition(" ")
            if len(headers) != 1 or scheme.lower() != "basic":
                raise OAuthError("invalid_client", "HTTP Basic client authentication required")
            try:
                # Raw credentials may be any UTF-8; form-encoded ones are ASCII (§2.3.1).
                decoded = base64.b64decode(cred.strip(), validate=True).decode(
                    "utf-8" if opts.basic_raw else "ascii")
            except (ValueError, UnicodeDecodeError):
                # Non-ASCII here means the parts were not form-encoded first (§2.3.1).
                raise OAuthError("invalid_client", "Basic credentials are not valid base64 "
                                 "of form-encoded ASCII")
            raw_id, colon, raw_secret = decoded.partition(":")
            if not colon:
                raise OAuthError("invalid_client", "Basic credentials lack ':'")
            if opts.basic_raw:
                # Like django-oidc-provider and older Spring Security: the text is compared as it
                # came, never decoded (against RFC 6749 §2.3.1).
                client_id, secret = raw_id, raw_secret
            else:
                try:
                    client_id = strict_unquote(raw_id, "client id")
                    secret = strict_unquote(raw_secret, "client secret")
                except OAuthError as err:
                    raise OAuthError("invalid_client", err.description)
                # Many servers only percent-decode Basic credentials: both readings must agree.
                if (urllib.parse.unquote(raw_id), urllib.parse.unquote(raw_secret)) != (client_id, secret):
                    raise OAuthError("invalid_client", "Basic credentials read differently by a form "
                                     "decoder and a percent decoder (encode a space as %20)")
            if form.get("client_id", client_id) != client_id:
                raise OAuthError("invalid_client", "client_id in body differs from Basic")
        ok_id = secrets.compare_digest(client_id.encode(), opts.client_id.encode())
        ok_secret = secrets.compare_digest(secret.encode(), opts.client_secret.encode())
        if not (ok_id and ok_secret):
            raise OAuthError("invalid_client", "client authentication failed")
        return client_id

    def grant_authorization_code(self, form, client_id):
        opts, state = self.server.opts, self.server.state
        for key in ("code", "redirect_uri"):  # redirect_uri: it was sent at authorize
            if key not in form:
                raise OAuthError("invalid_request", f"{key} missing")
        with state.lock:
            entry = state.codes.get(form["code"])
            if entry is None:
                raise OAuthError("invalid_grant", "unknown authorization code")
            if entry.get("used"):
                # Replay: deny, and revoke what the code already produced (§4.1.2).
                state.revoked_grants.add(entry["grant"])
                raise OAuthError("invalid_grant", "authorization code already used")
            if entry["client_id"] != client_id:
                raise OAuthError("invalid_grant", "code was issued to another client")
            entry["used"] = True  # any real attempt consumes the code, as IdentityServer does
        if time.monotonic() - entry["t"] >= opts.code_lifetime:
            raise OAuthError("invalid_grant", "code expired")
        if form["redirect_uri"] != entry["redirect_uri"]:
            raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request")
        if opts.public_client and not entry["challenge"]:
            raise OAuthError("invalid_grant", "a public client must use PKCE")
        if entry["challenge"]:  # RFC 7636 §4.6; a verifier without a challenge is ignored
            verifier = form.get("code_verifier")
            if verifier is None:
                raise OAuthError("invalid_grant", "code_verifier missing")
            if not VERIFIER.match(verifier):
                raise OAuthError("invalid_grant", "code_verifier malformed")
            computed = b64url(hashlib.sha256(verifier.encode("ascii")).digest())
            if not secrets.compare_digest(computed, entry["challenge"]):
                raise OAuthError("invalid_grant", "code_verifier does not match code_challenge")
        if opts.shape == "lime":
            return self.access(scope="email profile")
        result = self.access(id_token=self.id_token(client_id, entry["nonce"]))
        return self.refresh_answer(result, client_id, entry["scope"], entry["grant"])

    def grant_refresh_token(self, form, client_id):
        state = self.server.state
        if "refresh_token" not in form:
            raise OAuthError("invalid_request", "refresh_token missing")
        with state.lock:
            entry = state.refresh.get(form["refresh_token"])
            if entry is None or entry["grant"] in state.revoked_grants:
                raise OAuthError("invalid_grant", "refresh token invalid, expired or rotated")
            if entry["client_id"] != client_id:
                raise OAuthError("invalid_grant", "refresh token was issued to another client")
            granted = set((entry["scope"] or "").split())
            if "scope" in form and not set(form["scope"].split()) <= granted:
                raise OAuthError("invalid_scope", "scope exceeds the original grant (§6)")
            del state.refresh[form["refresh_token"]]  # rotation: the old one dies at once
        return self.refresh_answer(self.access(), client_id, entry["scope"], entry["grant"])

    def grant_client_credentials(self, form, client_id):
        return self.access()  # §4.4.3: a refresh token SHOULD NOT be included

    def grant_device_code(self, form, client_id):
        """RFC 8628 §3.4, §3.5: pending until a test decides; a poll sooner than the interval
        after the last one is told slow_down, and the interval grows by 5 s for good."""
        state = self.server.state
        if "device_code" not in form:
            raise OAuthError("invalid_request", "device_code missing")
        with state.lock:
            entry = state.devices.get(form["device_code"])
            if entry is None or entry["client_id"] != client_id or entry["used"]:
                raise OAuthError("invalid_grant", "unknown or used device_code")
            now = time.monotonic()
            too_soon = entry["last_poll"] is not None and now - entry["last_poll"] < entry["interval"] - 0.05
            entry["last_poll"] = now
            if now >= entry["expires"]:
                answer = "expired_token"
            elif entry["decision"] in ("approve", "deny"):
                answer = "ok" if entry["decision"] == "approve" else "access_denied"
            elif too_soon:
                entry["interval"] += 5
                answer = "slow_down"
            else:
                answer = "authorization_pending"
            entry["polls"].append(answer)
            entry["used"] = answer == "ok"  # a device code is good for one token
        if answer != "ok":
            raise OAuthError(answer, {"access_denied": "the user denied the request",
                                      "expired_token": "the device code has expired"}.get(answer, answer))
        if self.server.opts.shape == "lime":
            return self.access(scope="email profile")
        result = self.access(id_token=self.id_token(client_id, None))
        return self.refresh_answer(result, client_id, entry["scope"], secrets.token_hex(8))

    def expires_in(self):
        opts = self.server.opts
        return SHAPES[opts.shape]["expires_in"] if opts.expires_in is None else opts.expires_in

    def now(self):
        """The server's clock: --clock-offset seconds off the machine's (a provider whose clock
        disagrees with the client's). The Date header, iat and exp follow it."""
        return time.time() + self.server.opts.clock_offset

    def date_time_string(self, timestamp=None):
        return super().date_time_string(self.now() if timestamp is None else timestamp)

    def access(self, **extra):
        opts = self.server.opts
        token = secrets.token_urlsafe(32)
        if opts.jwt_access:  # Cognito-like: an unsigned JWT with the server's iat and exp
            now = int(self.now())
            claims = {"iss": self.base_url(), "iat": now, "exp": now + self.expires_in(), "token_use": "access"}
            token = ".".join(b64url(json.dumps(x, separators=(",", ":")).encode())
                             for x in ({"alg": "none", "typ": "JWT"}, claims)) + ".sig"
        answer = {"access_token": token, "token_type": "Bearer", **extra}
        if not opts.no_expires_in:
            answer["expires_in"] = self.expires_in()
        return answer

    def new_refresh(self, client_id, scope, grant):
        token = secrets.token_urlsafe(48)
        with self.server.state.lock:
            self.server.state.refresh[token] = dict(client_id=client_id, scope=scope, grant=grant)
        return token

    def refresh_answer(self, result, client_id, scope, grant):
        """A refresh token in the answer, with Keycloak's refresh_expires_in when --refresh-expires-in."""
        result["refresh_token"] = self.new_refresh(client_id, scope, grant)
        if self.server.opts.refresh_expires_in is not None:
            result["refresh_expires_in"] = self.server.opts.refresh_expires_in
        return result

    def id_token(self, client_id, nonce):
        """An unsecured JWT (RFC 7519 §6): syntactically valid, with exp, not signed."""
        now = int(self.now())
        claims = {"iss": self.base_url(), "sub": "test-user",
                  "aud": client_id, "iat": now, "exp": now + self.expires_in(), "token_use": "id",
                  "email": "test-user@example.com"}
        if nonce:
            claims["nonce"] = nonce
        header = {"alg": "none", "typ": "JWT"}
        return ".".join(b64url(json.dumps(x, separators=(",", ":")).encode())
                        for x in (header, claims)) + "."

    # ---- discovery (RFC 8414, OpenID Connect Discovery 1.0) ---------------------------
    def base_url(self):
        scheme = "http" if self.server.tls is None else "https"
        return f"{scheme}://127.0.0.1:{self.server.server_port}"

    def issuer(self):
        opts = self.server.opts
        return ("https://wrong.example" if opts.wrong_issuer else self.base_url()) + opts.issuer_path

    def discovery_paths(self):
        opts = self.server.opts
        paths = []
        if opts.discovery in ("both", "oidc"):
            paths.append(opts.issuer_path + "/.well-known/openid-configuration")
        if opts.discovery in ("both", "oauth"):
            paths.append("/.well-known/oauth-authorization-server" + opts.issuer_path)
        return paths

    def discover(self, shape, path):
        if self.command != "GET":
            return self.send(405, b"use GET\n", headers=[("Allow", "GET")])
        with self.server.state.lock:
            self.server.state.discovery.append(path)
        base = self.base_url()
        opts = self.server.opts
        methods = ["none"] if opts.public_client else \
            ["client_secret_" + shape["auth"]]
        grants = sorted(shape["grants"])
        self.send_json(200, {
            "issuer": self.issuer(),
            "authorization_endpoint": base + shape["authorize"],
            "token_endpoint": base + shape["token"],
            "revocation_endpoint": base + shape["revoke"],
            "device_authorization_endpoint": base + shape["device"],
            "response_types_supported": ["code"], "grant_types_supported": grants,
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": methods,
            "revocation_endpoint_auth_methods_supported": methods,
        })

    # ---- device authorization endpoint (RFC 8628 §3.1, §3.2) ---------------------------
    def client_post(self, shape, body, endpoint, what):
        """What the revocation and device endpoints check first: a queued fault, POST, the form
        and the client's authentication. (form, client_id), or None once it has answered."""
        fault = self.server.state.take_fault(endpoint)
        if fault:
            return self.canned_fault(fault)
        if self.command != "POST":
            return self.send_json(405, {"error": "invalid_request", "error_description":
                                        f"the {what} endpoint requires POST"}, [("Allow", "POST")])
        form = parse_params(body.decode("ascii", "replace"), "form body")
        return form, self.authenticate(shape, form)

    def device_authorization(self, shape, body):
        state, opts = self.server.state, self.server.opts
        checked = self.client_post(shape, body, "device", "device authorization")
        if checked is None:
            return
        form, client_id = checked
        user_code = "-".join("".join(secrets.choice(USER_CODE_LETTERS) for _ in range(4)) for _ in range(2))
        device_code = secrets.token_urlsafe(32)
        with state.lock:
            state.devices[device_code] = dict(
                client_id=client_id, user_code=user_code, scope=form.get("scope"),
                expires=time.monotonic() + opts.device_lifetime, interval=opts.device_interval,
                last_poll=None, decision=None, polls=[], used=False)
        page = self.base_url() + "/device"
        self.send_json(200, {"device_code": device_code, "user_code": user_code, "verification_uri": page,
                             "verification_uri_complete": page + "?user_code=" + user_code,
                             "expires_in": opts.device_lifetime, "interval": opts.device_interval})

    def verification_page(self):
        """Where a person enters the code. Nothing is approved here: tests decide through
        /_control/device, as a person would on another device."""
        self.send(200, b"<html><body><h1>Enter the code shown on your device</h1></body></html>",
                  "text/html; charset=utf-8")

    def decide_device(self, body):
        """POST /_control/device {"user_code", "decision": "approve" | "deny"}; the code is
        compared without case or dashes (RFC 8628 §6.1)."""
        state = self.server.state
        try:
            spec = json.loads(body or b"{}")
            wanted = re.sub(r"[^A-Z0-9]", "", str(spec["user_code"]).upper())
            assert spec["decision"] in ("approve", "deny")
        except (ValueError, KeyError, AssertionError):
            return self.send_json(400, {"error": "send user_code and decision (approve or deny)"})
        with state.lock:
            for entry in state.devices.values():
                if entry["user_code"].replace("-", "") == wanted:
                    entry["decision"] = spec["decision"]
                    return self.send_json(200, {"ok": True})
        self.send_json(404, {"error": "no device login has that user_code"})

    def device_log(self):
        with self.server.state.lock:
            return [{"user_code": e["user_code"], "client_id": e["client_id"], "scope": e["scope"],
                     "interval": e["interval"], "decision": e["decision"], "polls": list(e["polls"])}
                    for e in self.server.state.devices.values()]

    # ---- revocation endpoint (RFC 7009) ------------------------------------------------
    def revoke(self, shape, body):
        state = self.server.state
        checked = self.client_post(shape, body, "revoke", "revocation")
        if checked is None:
            return
        form, client_id = checked
        token, hint = form.get("token"), form.get("token_type_hint")
        if token is None:
            raise OAuthError("invalid_request", "token missing")
        if hint not in (None, "access_token", "refresh_token"):
            raise OAuthError("unsupported_token_type", f"token_type_hint {hint!r}")
        with state.lock:
            entry = state.refresh.get(token)
            if entry is not None and entry["client_id"] == client_id:
                del state.refresh[token]  # the refresh token dies at once (§2.1)
            state.revoked.append({"token": token, "hint": hint})
        self.send(200)  # also for a token it does not know (§2.2)

    # ---- faults -----------------------------------------------------------------------
    def canned_fault(self, fault):
        name = fault["fault"]
        if name == "500":
            self.send(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>",
                      "text/html; charset=utf-8")
        elif name == "503":
            self.send(503, b"<html><body><h1>503 Service Unavailable</h1></body></html>",
                      "text/html; charset=utf-8",
                      [("Retry-After", str(fault.get("retry_after", 30)))])
        elif name == "html":
            self.send(200, PORTAL, "text/html; charset=utf-8")
        elif name == "not_json":
            self.send(200, b"not json{", "application/json")
        elif name == "oversized":
            self.send_oversized(bool(fault.get("chunked")))
        elif name == "ansi_error":
            self.send_json(400, {"error": "invalid_request", "error_description": ANSI_TEXT})
        elif name == "error_200":
            self.send_json(200, {"error": "invalid_grant"})
        elif name == "redirect":
            self.send(302, headers=[("Location", fault.get("location", "http://127.0.0.1:1/elsewhere"))])
        elif name == "invalid_grant":
            self.send_oauth_error(OAuthError("invalid_grant", "injected invalid_grant"))
        elif name in DEVICE_ERRORS:
            self.send_oauth_error(OAuthError(name, "injected " + name))

    def send_oversized(self, chunked):
        """2 MiB of otherwise valid token JSON, so only a size limit can refuse it."""
        pieces = [b'{"access_token":"'] + [b"A" * 65536] * 32 + \
                 [b'","token_type":"Bearer","expires_in":3600}']
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header(*(("Transfer-Encoding", "chunked") if chunked
                           else ("Content-Length", str(sum(map(len, pieces))))))
        self.end_headers()
        for piece in pieces:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            self.wfile.flush()
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    # ---- control endpoints (test-only) ------------------------------------------------
    def control(self, path, body):
        state = self.server.state
        route = (self.command, path)
        logs = {"requests": state.requests, "issued": state.issued, "revoked": state.revoked,
                "discovery": state.discovery}  # what the server saw, oldest first
        name = path[len("/_control/"):]
        if self.command == "GET" and name in logs:
            with state.lock:
                return self.send_json(200, list(logs[name]))
        if route == ("GET", "/_control/device"):
            return self.send_json(200, self.device_log())
        if route == ("POST", "/_control/device"):
            return self.decide_device(body)
        if route == ("POST", "/_control/reset"):
            with state.lock:
                state.requests.clear()
                state.faults.clear()
            return self.send_json(200, {"ok": True})
        if route == ("POST", "/_control/fault"):
            try:
                spec = json.loads(body or b"{}")
                spec["count"] = int(spec.get("count", 1))
                float(spec.get("seconds", 0))
                default = "authorize" if spec.get("fault") == "access_denied_authorize" else "token"
                spec["endpoint"] = spec.get("endpoint", default)
                assert spec.get("fault") in FAULTS and spec["count"] > 0
                assert spec["endpoint"] in ("authorize", "token", "revoke", "device")
            except (ValueError, TypeError, AttributeError, AssertionError):
                return self.send_json(400, {"error": "bad fault spec",
                                            "faults": sorted(FAULTS)})
            with state.lock:
                state.faults.append(spec)
            return self.send_json(200, {"ok": True})
        self.send(404, b"unknown control endpoint\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    tls = None  # an ssl.SSLContext when serving HTTPS

    def finish_request(self, request, client_address):
        if self.tls is None:
            return super().finish_request(request, client_address)
        # The handshake happens here, in the connection's own thread: a client that stalls or
        # refuses the certificate never holds up the accept loop. wrap_socket takes over the
        # descriptor, so this TLS socket is the one to close.
        request.settimeout(10)
        try:
            tls_request = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as err:
            if self.opts.verbose:
                sys.stderr.write(f"TLS handshake with {client_address[0]} failed: {err}\n")
            return
        try:
            tls_request.settimeout(None)
            super().finish_request(tls_request, client_address)
        finally:
            self.shutdown_request(tls_request)

    def handle_error(self, request, client_address):
        if self.opts.verbose:  # stay off stdout; stderr only when asked
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=sorted(SHAPES), required=True)
    ap.add_argument("--port", type=int, default=0, help="0 = any free port")
    ap.add_argument("--code-lifetime", type=float, default=300, help="seconds")
    ap.add_argument("--expires-in", type=int, default=None,
                    help="override expires_in (default 28800 lime, 3600 limio)")
    ap.add_argument("--client-id", default="test-client")
    ap.add_argument("--client-secret", default="s3cret: +%&=\u00e9")
    ap.add_argument("--public-client", action="store_true",
                    help="the client has no secret: client_id in the body, PKCE required")
    ap.add_argument("--discovery", choices=["both", "oidc", "oauth", "none"], default="both",
                    help="which discovery documents are served")
    ap.add_argument("--issuer-path", default="", help="the issuer's path, e.g. /realms/acme")
    ap.add_argument("--wrong-issuer", action="store_true",
                    help="the discovery documents name another issuer")
    ap.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this certificate (chain)")
    ap.add_argument("--tls-key", metavar="PEM", help="the private key of --tls-cert")
    ap.add_argument("--device-lifetime", type=int, default=600,
                    help="seconds a device code lives (expires_in)")
    ap.add_argument("--device-interval", type=int, default=5,
                    help="seconds between device polls (interval)")
    ap.add_argument("--basic-raw", action="store_true",
                    help="compare HTTP Basic credentials raw, never decoded (django-oidc-provider)")
    ap.add_argument("--clock-offset", type=float, default=0,
                    help="seconds the server's clock is ahead of the machine's (Date, iat, exp)")
    ap.add_argument("--jwt-access", action="store_true", help="access tokens are JWTs with iat and exp")
    ap.add_argument("--no-expires-in", action="store_true", help="answers carry no expires_in")
    ap.add_argument("--refresh-expires-in", type=int, default=None,
                    help="answers with a refresh token say it lives this many seconds")
    ap.add_argument("--verbose", action="store_true", help="log requests to stderr")
    opts = ap.parse_args()
    if bool(opts.tls_cert) != bool(opts.tls_key):
        ap.error("--tls-cert and --tls-key go together")

    server = serving.listen(  # loopback only, never 0.0.0.0
        "oauth_test_server", opts.port, lambda: Server(("127.0.0.1", opts.port), Handler))
    server.opts, server.state = opts, State()
    if opts.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            tls.load_cert_chain(opts.tls_cert, opts.tls_key)
        except (OSError, ssl.SSLError) as err:
            sys.exit(f"oauth_test_server: cannot load --tls-cert/--tls-key: {err}")
        server.tls = tls
    serving.serve(server, server.server_port)


if __name__ == "__main__":
    main()
