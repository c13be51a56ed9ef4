#!/usr/bin/env python3
"""A tiny HTTP CONNECT proxy for AuthDeck's tests: it tunnels to 127.0.0.1 and nowhere else.

Listens on 127.0.0.1 (port 0 = any free port) and prints exactly one line "PORT <n>" on stdout
once listening. Every request is logged as one line on stderr, before it is answered:

  CONNECT 127.0.0.1:8443     a tunnel was opened to that target
  REFUSED CONNECT host:port  403: a target other than 127.0.0.1 (or --refuse-all)
  REFUSED GET http://...     405: only CONNECT is spoken

Never connects anywhere but 127.0.0.1. Standard library only.
"""
import argparse
import socket
import socketserver
import sys
import threading

import serving  # Tests/Support/serving.py, beside this script

MAX_HEADER_BYTES = 16 * 1024
ALLOWED_HOST = "127.0.0.1"


def log(line):
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def parse_target(target):
    """'127.0.0.1:8443' -> ('127.0.0.1', 8443), or None for anything else."""
    host, colon, port = target.rpartition(":")
    if not colon or not port.isascii() or not port.isdigit():
        return None
    number = int(port)
    if host != ALLOWED_HOST or not 0 < number < 65536:
        return None
    return host, number


def pump(source, sink):
    """Copies one direction until end of file, then passes the half-close on."""
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


class Handler(socketserver.BaseRequestHandler):
    def read_head(self):
        """The request line and headers, read byte by byte so nothing after them is consumed."""
        head = bytearray()
        while not head.endswith(b"\r\n\r\n") and not head.endswith(b"\n\n"):
            byte = self.request.recv(1)
            if not byte or len(head) >= MAX_HEADER_BYTES:
                return None
            head += byte
        return head.decode("latin-1")

    def answer(self, status):
        self.request.sendall(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                             .encode("ascii"))

    def handle(self):
        self.request.settimeout(30)
        head = self.read_head()
        if head is None:
            return
        parts = head.split("\r\n", 1)[0].split("\n", 1)[0].split()
        if len(parts) != 3:
            log("REFUSED malformed request line")
            return self.answer("400 Bad Request")
        method, target, _ = parts
        if method != "CONNECT":
            log(f"REFUSED {method} {target}")
            return self.answer("405 Method Not Allowed")
        address = None if self.server.refuse_all else parse_target(target)
        if address is None:
            log(f"REFUSED CONNECT {target}")
            return self.answer("403 Forbidden")
        try:
            upstream = socket.create_connection(address, timeout=10)
        except OSError:
            log(f"FAILED CONNECT {target}")
            return self.answer("502 Bad Gateway")
        log(f"CONNECT {target}")
        with upstream:
            upstream.settimeout(None)
            self.request.settimeout(None)
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            back = threading.Thread(target=pump, args=(upstream, self.request), daemon=True)
            back.start()
            pump(self.request, upstream)
            back.join()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    refuse_all = False

    def handle_error(self, request, client_address):
        pass  # a client that hangs up mid-tunnel is not news


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0, help="0 = any free port")
    ap.add_argument("--refuse-all", action="store_true",
                    help="answer every CONNECT with 403 (a proxy that blocks the provider)")
    opts = ap.parse_args()
    server = serving.listen(  # loopback only
        "connect_proxy", opts.port, lambda: Server(("127.0.0.1", opts.port), Handler))
    server.refuse_all = opts.refuse_all
    serving.serve(server, server.server_address[1])


if __name__ == "__main__":
    main()
