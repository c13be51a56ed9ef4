"""What every test server script here does around its server: bind 127.0.0.1 or say in one line
why not, stop cleanly on SIGTERM or SIGINT, print the one "PORT <n>" line the tests wait for,
and serve until stopped. Standard library only."""
import signal
import sys


def listen(name, port, make):
    """The server `make` binds on 127.0.0.1:port; a port that cannot be had ends the script."""
    try:
        return make()
    except OSError as err:
        sys.exit(f"{name}: cannot listen on 127.0.0.1:{port}: {err.strerror}")


def serve(server, port):
    """Announces `port` once the server listens, and serves until a signal stops it."""
    # Set both explicitly: a background job may inherit SIGINT as ignored.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(0))
    print(f"PORT {port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
