#!/usr/bin/env python3
"""The board, end to end: the real binary under tmux, real keys, a real OAuth server on
127.0.0.1. Each step waits for what a person would see on screen (no fixed sleeps), with a
deadline as a safety net. Prints 'N passed, N failed' and exits non-zero on any failure.

Usage: board_e2e.py PATH/TO/authdeck
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.path.join(HERE, "..", "Support")
SECRET = "s3cret: +%&=é"


class Server:
    """The standard-library OAuth test server, on a free port."""

    def __init__(self, shape):
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(SUPPORT, "oauth_test_server.py"), "--shape", shape,
             "--device-interval", "1"],
            stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        self.port = int(line.split()[1])
        self.base = f"http://127.0.0.1:{self.port}"

    def inject(self, fault, **spec):
        body = json.dumps(dict(spec, fault=fault)).encode()
        request = urllib.request.Request(self.base + "/_control/fault", data=body, method="POST")
        with urllib.request.urlopen(request) as response:
            assert response.status == 200

    def approve_device(self, user_code):
        """What a person does at the verification page on another device."""
        body = json.dumps({"user_code": user_code, "decision": "approve"}).encode()
        request = urllib.request.Request(self.base + "/_control/device", data=body, method="POST")
        with urllib.request.urlopen(request) as response:
            assert response.status == 200

    def issued(self):
        with urllib.request.urlopen(self.base + "/_control/issued") as response:
            return json.load(response)

    def stop(self):
        self.process.terminate()
        self.process.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Board:
    """The real board in a detached tmux session of a given size."""

    def __init__(self, binary, env, width=100, height=30, name="main"):
        self.socket = f"authdeck-e2e-{os.getpid()}-{name}"
        self.tmux(["-f", "/dev/null", "new-session", "-d", "-x", str(width), "-y", str(height),
                   "-e", "LANG=C.UTF-8", "sh"])
        self.tmux(["set-option", "-s", "set-clipboard", "on"])
        exports = " ".join(f"{k}='{v}'" for k, v in env.items())
        # After the board exits, the shell prints the terminal modes, to check they were restored.
        self.keys(f"env {exports} {binary}; echo BOARD-EXITED $?; stty -a | tr ' ' '\\n' | grep -x -e echo -e icanon",
                  "Enter")

    def tmux(self, args, check=True):
        return subprocess.run(["tmux", "-L", self.socket] + args, capture_output=True, text=True, check=check).stdout

    def keys(self, *keys):
        self.tmux(["send-keys", "-t", "0"] + list(keys))

    def literal(self, text):
        self.tmux(["send-keys", "-t", "0", "-l", text])

    def paste(self, text):
        """A bracketed paste, as a terminal delivers a paste from the clipboard."""
        self.tmux(["set-buffer", "-b", "e2e", text])
        self.tmux(["paste-buffer", "-p", "-b", "e2e", "-t", "0"])

    def screen(self):
        return self.tmux(["capture-pane", "-p", "-t", "0"])

    def wait_for(self, predicate, what, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; screen was:\n{self.screen()}")

    def wait_text(self, text, timeout=10):
        return self.wait_for(lambda s: text in s, repr(text), timeout)

    def row(self, account):
        for line in self.screen().splitlines():
            if re.match(rf"^[▸ ] {re.escape(account)}\s", line):
                return line
        return ""

    def wait_row(self, account, status, timeout=10):
        self.wait_for(lambda s: status in self.row(account).split(), f"{account} {status}", timeout)

    def close(self):
        self.tmux(["kill-server"], check=False)


def main():
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="authdeck-e2e-")
    limio, lime = Server("limio"), Server("lime")
    loopback_port = free_port()
    config = os.path.join(work, "config.toml")
    with open(config, "w") as f:
        f.write(f"""
[providers.limio]
name = "Limio acme"
authorize_url = "{limio.base}/oauth2/authorize"
token_url = "{limio.base}/oauth2/token"
client_id = "test-client"
client_secret_env = "E2E_SECRET"
client_auth = "basic"
scope = "openid"
redirect_uri = "http://127.0.0.1:{loopback_port}/callback"

[providers.lime]
preset = "lime"
authorize_url = "{lime.base}/connect/authorize"
token_url = "{lime.base}/connect/token"
client_id = "test-client"
client_secret_env = "E2E_SECRET"
redirect_uri = "https://localhost/callback"

[providers.tv]
name = "Den TV"
grant = "device_code"
token_url = "{limio.base}/oauth2/token"
device_authorization_url = "{limio.base}/oauth2/device"
client_id = "test-client"
client_secret_env = "E2E_SECRET"
client_auth = "basic"
""")
    os.chmod(config, 0o600)
    redirect_file = os.path.join(work, "redirect.txt")
    env = {
        "AUTHDECK_CONFIG": config, "AUTHDECK_STORE": os.path.join(work, "store"), "HOME": work,
        "E2E_SECRET": SECRET, "BROWSER": os.path.join(SUPPORT, "fake_browser.sh"),
        "FAKE_BROWSER_SAVE": redirect_file, "TERM": "tmux-256color",
        "FAKE_BROWSER_ENV_DUMP": os.path.join(work, "browser-env.txt"),
    }
    cli_env = dict(os.environ, **env)
    board = Board(binary, env)
    passed, failed = 0, 0

    def step(name, body):
        nonlocal passed, failed
        try:
            body()
            passed += 1
            print(f"ok   {name}")
        except AssertionError as error:
            failed += 1
            print(f"FAIL {name}: {error}")

    def shows_providers():
        screen = board.wait_text("Limio acme")
        assert "Lime Trading" in screen and "no sessions yet" in screen, screen
        assert "expires daily 03:00 ET" in screen, screen
        assert "login" in screen.splitlines()[-1], "footer"

    def loopback_login():
        board.keys("n")
        board.wait_text("New session (provider/account): lime/")
        board.keys("C-u")
        board.literal("limio/main")
        board.keys("Enter")
        board.wait_row("main", "valid")
        browser_env = open(env["FAKE_BROWSER_ENV_DUMP"]).read()
        assert "BROWSER=" in browser_env, "the dump holds the browser's environment"
        assert "E2E_SECRET" not in browser_env and SECRET not in browser_env, "the client secret reached the browser"

    def copy_token():
        board.keys("c")
        screen = board.wait_text("copied limio/main's access token")
        token = limio.issued()[-1]
        assert token not in screen, "the token itself must never be on screen"
        buffers = board.tmux(["list-buffers", "-F", "#{buffer_name}"]).split()
        contents = [board.tmux(["show-buffer", "-b", b]) for b in buffers]
        assert token in contents, f"no tmux paste buffer holds the token ({len(contents)} buffers)"

    def escape_then_a_key():
        # Esc typed right before another key (one tmux write, well within ESCDELAY) is Escape and
        # then that key, not a dropped Alt+key.
        board.keys("?")
        board.wait_text("show this help")
        board.keys("Escape", "d")
        board.wait_text("Log out limio/main?")
        board.keys("n")
        board.wait_for(lambda s: "Log out" not in s, "the question answered")
        assert "valid" in board.row("main").split(), "n keeps the session"

    def paste_login():
        if os.path.exists(redirect_file):
            os.remove(redirect_file)
        board.keys("n", "C-u")
        board.literal("lime/desk")
        board.keys("Enter")
        board.wait_row("desk", "pending")
        board.wait_for(lambda s: os.path.exists(redirect_file), "the browser's redirect")
        board.keys("p")
        board.wait_text("Paste redirect URL:")
        board.paste("https://localhost/callback?code=forged&state=not-the-right-one")
        board.wait_text("nothing was sent")
        assert "pending" in board.row("desk").split(), "a bad paste must keep the login waiting"
        board.paste(open(redirect_file).read())
        board.wait_row("desk", "valid")

    def another_process():
        subprocess.run([binary, "logout", "lime/desk"], env=cli_env, check=True, capture_output=True)
        board.wait_row("desk", "none", timeout=4)

    def morning_queue():
        # lime/desk was logged out by the other process: L logs in what needs it, here by paste.
        if os.path.exists(redirect_file):
            os.remove(redirect_file)
        board.keys("L")
        board.wait_row("desk", "pending")
        board.wait_text("Esc stop queue")
        board.wait_for(lambda s: os.path.exists(redirect_file), "the browser's redirect")
        board.paste(open(redirect_file).read())
        board.wait_text("morning queue done")
        assert "valid" in board.row("desk").split() and "valid" in board.row("main").split(), board.screen()

    def unknown_provider_is_seen():
        # The mistake shows where the prompt's keys were, and the prompt keeps the text to fix.
        board.keys("n", "C-u")
        board.literal("nope/x")
        board.keys("Enter")
        screen = board.wait_text("unknown provider 'nope'")
        assert "New session (provider/account): nope/x" in screen, screen
        board.keys("C-u")
        board.literal("lime/desk")
        board.wait_text("New session (provider/account): lime/desk")
        board.keys("Escape")
        board.wait_for(lambda s: "New session" not in s, "the prompt closed")

    def logout_during_a_refresh():
        # r, then d y while the refresh is in flight: the board keeps answering keys (the log-out
        # waits for the session's lock off the loop), and the log-out lands after the refresh.
        limio.inject("slow", seconds=8)
        board.keys("G")  # limio/main, the last session
        board.wait_for(lambda s: board.row("main").startswith("▸"), "limio/main selected")
        board.keys("r")
        board.wait_for(lambda s: "working" in board.row("main").split(), "the refresh under way")
        board.keys("d")
        board.wait_text("Log out limio/main?")
        board.keys("y")
        board.keys("/")
        board.literal("mai")
        screen = board.wait_text("/mai")
        assert "working" in board.row("main").split(), "the keys were answered while the refresh was still in flight"
        board.keys("Escape")
        board.wait_row("main", "none", timeout=20)
        board.wait_text("limio/main logged out")

    def taken_port_offers_the_paste():
        holder = socket.socket()
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past the earlier login's TIME_WAIT
        holder.bind(("127.0.0.1", loopback_port))
        holder.listen(1)
        try:
            board.keys("Enter")  # limio/main, logged out above: its redirect port is taken
            screen = board.wait_text("is in use by another")
            assert "press p to paste the redirect; browser not opened" in screen, screen
            assert "waiting for the browser" not in screen, screen
            board.wait_row("main", "pending")
        finally:
            holder.close()
        board.keys("d")
        board.wait_text("Log out limio/main?")
        board.keys("y")
        board.wait_row("main", "none")

    def device_login():
        # The row and the status line show the code; u copies it (OSC 52 into tmux); the code
        # entered elsewhere logs the session in while the board goes on.
        board.keys("n", "C-u")
        board.literal("tv/den")
        board.keys("Enter")
        board.wait_row("den", "pending")
        screen = board.wait_text(f"at {limio.base}/device within")
        code = re.search(r"enter ([B-Z]{4}-[B-Z]{4}) at", screen).group(1)
        assert code in board.row("den"), board.row("den")
        board.keys("u")
        board.wait_text("copied tv/den's code")
        buffers = board.tmux(["list-buffers", "-F", "#{buffer_name}"]).split()
        assert code in [board.tmux(["show-buffer", "-b", b]) for b in buffers], "u put the code in a paste buffer"
        limio.approve_device(code)
        board.wait_row("den", "valid")
        assert code not in board.screen(), "the code goes once the login is done"

    def resize():
        board.tmux(["resize-window", "-t", "0", "-x", "40", "-y", "10"])
        screen = board.wait_for(lambda s: max(len(l) for l in s.splitlines()) <= 40 and "…" in s, "a 40x10 board")
        assert "main" in screen, screen
        board.tmux(["resize-window", "-t", "0", "-x", "100", "-y", "30"])
        board.wait_text("REFRESH")

    def quit_restores_terminal():
        board.keys("q")
        screen = board.wait_text("BOARD-EXITED 0")
        board.wait_for(lambda s: "icanon" in s and "\necho" in s, "echo and icanon restored")
        assert "ACCOUNT" not in screen, "the board must leave the alternate screen"

    def first_run_offers_the_demo():
        demo_tmp = os.path.join(work, "tmp")
        os.makedirs(demo_tmp)
        demo_env = dict(env, AUTHDECK_CONFIG=os.path.join(work, "none.toml"), AUTHDECK_STORE=os.path.join(work, "empty"),
                        TMPDIR=demo_tmp)
        demo = Board(binary, demo_env, name="demo")
        try:
            screen = demo.wait_text("No provider is configured yet")
            assert "none.toml" in screen and "[providers.lime]" in screen, screen
            demo.keys("D")
            demo.wait_text("AuthDeck demo")
            demo.wait_row("bob", "expired")
            demo.keys("j")  # alice is first; bob's expired login is next
            demo.wait_for(lambda s: demo.row("bob").startswith("▸"), "bob selected")
            demo.keys("Enter")  # the demo's Approve page, then its loopback redirect
            demo.wait_row("bob", "valid")
            demo.keys("k", "r")  # alice's refresh token is one the demo server honours
            demo.wait_text("demo/alice: valid until")
            assert not os.path.exists(os.path.join(work, "empty", "sessions", "demo%2Fbob.json")), \
                "the demo must not write to the user's store"
            assert [n for n in os.listdir(demo_tmp) if n.startswith("authdeck-demo-")], "the demo's store is in TMPDIR"
            # A closed terminal or `kill` ends the board like q: the terminal is restored.
            pane_shell = demo.tmux(["list-panes", "-F", "#{pane_pid}"]).split()[0]
            board_pid = subprocess.run(["pgrep", "-P", pane_shell], capture_output=True, text=True).stdout.split()
            os.kill(int(board_pid[-1]), 15)
            demo.wait_text("BOARD-EXITED 0")
            demo.wait_for(lambda s: "icanon" in s, "icanon restored after SIGTERM")
            assert os.listdir(demo_tmp) == [], f"the demo's temporary store stayed: {os.listdir(demo_tmp)}"
        finally:
            demo.close()

    def large_store():
        # Over 500 sessions the first frame comes from the file names and the first screen;
        # the rest is read in the background and fills in.
        store = os.path.join(work, "large")
        sessions = os.path.join(store, "sessions")
        os.makedirs(sessions, mode=0o700)
        os.chmod(store, 0o700)
        now = time.time()
        for i in range(600):
            body = {"version": 1, "session": {"id": f"lime/acct-{i:04d}", "grant": "authorization_code",
                    "tokens": {"access_token": "t", "token_type": "Bearer", "issued_at": now,
                               "expires_at": now + 3600}}}
            fd = os.open(os.path.join(sessions, f"lime%2Facct-{i:04d}.json"), os.O_WRONLY | os.O_CREAT, 0o600)
            os.write(fd, json.dumps(body).encode())
            os.close(fd)
        large = Board(binary, dict(env, AUTHDECK_STORE=store), name="large")
        try:
            large.wait_text("acct-0000")
            large.keys("G")
            large.wait_for(lambda s: "valid" in large.row("acct-0599").split(), "the last session read")
            assert "/605" in large.screen(), large.screen()  # 600 sessions, 3 headers, 2 empty groups
        finally:
            large.close()

    try:
        for name, body in [("board shows providers", shows_providers), ("loopback login", loopback_login),
                           ("copy token via OSC 52", copy_token), ("Esc then a key", escape_then_a_key), ("paste login survives a bad paste", paste_login),
                           ("another process's change shows up", another_process),
                           ("the morning queue logs in what expired", morning_queue),
                           ("an unknown provider in the new-session prompt is seen", unknown_provider_is_seen),
                           ("log out during a refresh does not freeze the board", logout_during_a_refresh),
                           ("a taken loopback port offers the paste", taken_port_offers_the_paste),
                           ("a device login shows its code, copies it, and logs in", device_login),
                           ("resize to 40x10", resize),
                           ("quit restores the terminal", quit_restores_terminal),
                           ("first run offers the demo, which logs in", first_run_offers_the_demo),
                           ("a store of 600 sessions opens and fills in", large_store)]:
            step(name, body)
            if failed:
                break
    finally:
        board.close()
        limio.stop()
        lime.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"e2e: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
