#!/usr/bin/env python3
"""A stand-in for an API that takes bearer tokens (a Kubernetes API server, for kubectl), over
HTTPS on 127.0.0.1, for AuthDeck's tests of the credentials it hands to other programs.

Every GET is answered 200 with {"path": PATH, "answer": "hello"} when its Authorization header is
`Bearer TOKEN` and TOKEN is the access token the OAuth test server (oauth_test_server.py at
--issued-by URL) issued last; anything else gets 401, as a Kubernetes API server answers. Each
request is logged on stderr as one line, `GET PATH 200` or `GET PATH 401`, before it is answered
(never the token).

Prints exactly one line "PORT <n>" on stdout once listening. Standard library only.
"""
import argparse
import json
import ssl
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import serving  # Tests/Support/serving.py, beside this script


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass  # one line per request, written by answer()

    def newest_issued(self):
        with urllib.request.urlopen(self.server.issued_by + "/_control/issued", timeout=10) as answer:
            issued = json.load(answer)
        return issued[-1] if issued else None

    def do_GET(self):
        expected = self.newest_issued()
        authorization = self.headers.get("Authorization", "")
        if expected and authorization == "Bearer " + expected:
            self.answer(200, {"path": self.path, "answer": "hello"})
        else:
            self.answer(401, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                              "message": "Unauthorized", "reason": "Unauthorized", "code": 401})

    def answer(self, status, body):
        sys.stderr.write(f"GET {self.path} {status}\n")
        sys.stderr.flush()
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a failed handshake or a client gone: nothing for the log the tests read


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0, help="0 = any free port")
    ap.add_argument("--tls-cert", metavar="PEM", required=True)
    ap.add_argument("--tls-key", metavar="PEM", required=True)
    ap.add_argument("--issued-by", metavar="URL", required=True,
                    help="the OAuth test server whose newest access token is accepted")
    opts = ap.parse_args()
    server = serving.listen(  # loopback only, never 0.0.0.0
        "bearer_api_server", opts.port, lambda: Server(("127.0.0.1", opts.port), Handler))
    server.issued_by = opts.issued_by
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.minimum_version = ssl.TLSVersion.TLSv1_2
    tls.load_cert_chain(opts.tls_cert, opts.tls_key)
    # The handshake happens on the first read, in the connection's own thread: a client that
    # stalls never holds up the accept loop.
    server.socket = tls.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    serving.serve(server, server.server_port)


if __name__ == "__main__":
    main()
