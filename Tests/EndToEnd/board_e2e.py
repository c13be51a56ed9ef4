#!/usr/bin/env python3
"""The board, end to end: the real binary under tmux, real keys, a real OAuth server on
127.0.0.1. Each step waits for what a person would see on screen (no fixed sleeps), with a
deadline as a safety net. Prints 'N passed, N failed' and exits non-zero on any failure.

Usage: board_e2e.py PATH/TO/authdeck   (E2E_ONLY=words runs the steps whose name holds them)
"""
import json
import os
import re
import shutil
import signal
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

    def refreshes(self):
        """How many refresh-token requests the token endpoint has seen."""
        with urllib.request.urlopen(self.base + "/_control/requests") as response:
            return sum(1 for r in json.load(response) if r.get("form", {}).get("grant_type") == "refresh_token")

    def stop(self):
        self.process.terminate()
        self.process.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Board:
    """The real board in a detached tmux session of a given size. With `output`, every byte the
    board writes to its terminal is also appended to that file (tmux pipe-pane), escape
    sequences included: what a terminal would be asked to do that capture-pane cannot show."""

    def __init__(self, binary, env, width=100, height=30, name="main", output=None, shell="sh"):
        self.socket = f"authdeck-e2e-{os.getpid()}-{name}"
        self.output = output
        self.tmux(["-f", "/dev/null", "new-session", "-d", "-x", str(width), "-y", str(height),
                   "-e", "LANG=C.UTF-8", shell])
        self.tmux(["set-option", "-s", "set-clipboard", "on"])
        if output:
            self.tmux(["pipe-pane", "-o", "-t", "0", f"cat >> '{output}'"])
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

    def select(self, account):
        """Moves the selection to `account`'s row from the top, as a person would with j."""
        self.keys("g")
        for _ in range(40):
            if self.row(account).startswith("▸"):
                return
            before = self.screen()
            self.keys("j")
            self.wait_for(lambda s: s != before, "the selection to move")
        raise AssertionError(f"could not select {account}:\n{self.screen()}")

    def wait_row(self, account, status, timeout=10):
        self.wait_for(lambda s: status in self.row(account).split(), f"{account} {status}", timeout)

    def written(self):
        """Everything the board wrote to its terminal so far (needs `output`)."""
        with open(self.output, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_written(self, text, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.written():
                return
            time.sleep(0.05)
        raise AssertionError(f"the board never wrote {text!r} to its terminal")

    def close(self):
        self.tmux(["kill-server"], check=False)


def write_session(store, session_id, issued_at, expires_at, refresh_token=None, grant="authorization_code"):
    """A session file in the store's documented format (docs/architecture.md), mode 0600."""
    sessions = os.path.join(store, "sessions")
    os.makedirs(sessions, mode=0o700, exist_ok=True)
    os.chmod(store, 0o700)
    tokens = {"access_token": "seeded-" + session_id.replace("/", "-"), "token_type": "Bearer",
              "issued_at": issued_at, "expires_at": expires_at}
    if refresh_token:
        tokens["refresh_token"] = refresh_token
    body = {"version": 1, "session": {"id": session_id, "grant": grant, "tokens": tokens}}
    path = os.path.join(sessions, session_id.replace("/", "%2F") + ".json")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, json.dumps(body).encode())
    os.close(fd)
    return path


def write_config(path, limio, lime, loopback_port):
    with open(path, "w") as f:
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

[providers.svc]
name = "Batch service"
grant = "client_credentials"
token_url = "{limio.base}/oauth2/token"
client_id = "test-client"
client_secret_env = "E2E_SECRET"
client_auth = "basic"
""")
    os.chmod(path, 0o600)


def main():
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="authdeck-e2e-")
    limio, lime = Server("limio"), Server("lime")
    loopback_port = free_port()
    config = os.path.join(work, "config.toml")
    write_config(config, limio, lime, loopback_port)
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
        except Exception as error:  # an assertion, or a step that broke: reported, never a crash
            failed += 1
            print(f"FAIL {name}: {type(error).__name__}: {error}")

    def shows_providers():
        screen = board.wait_text("Limio acme")
        assert "Lime Trading" in screen and "no sessions yet" in screen, screen
        assert "expires daily 03:00 ET" in screen, screen
        assert "login" in screen.splitlines()[-1], "footer"

    def loopback_login():
        # The empty row of a provider is selectable, and n there adds to it: a bare account will do.
        board.keys("j")
        board.wait_for(lambda s: any(l.startswith("▸") and "no sessions yet" in l for l in s.splitlines()[5:6]),
                       "limio's empty row selected")
        board.keys("n")
        board.wait_text("New session in limio (account, or provider/account):")
        board.literal("main")
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
        # A paste fills the prompt; Enter submits it (issue 16, item 1: it used to submit at once,
        # and the Enter pressed out of habit then started a second login).
        board.wait_text("Paste redirect URL: https://localhost/callback?code=forged&state=not-the-right-one")
        assert "⏎ submit" in board.screen().splitlines()[-1]
        board.keys("Enter")
        board.wait_text("nothing was sent")
        assert "pending" in board.row("desk").split(), "a bad paste must keep the login waiting"
        redirect = open(redirect_file).read().strip()
        board.paste(redirect + "\n")  # on the list: the paste prompt opens with it
        board.wait_text(redirect[-40:])  # the prompt shows the end, where the cursor is
        assert "pending" in board.row("desk").split(), "a paste alone submits nothing"
        board.keys("Enter")
        board.wait_row("desk", "valid")
        board.wait_text("lime/desk: valid until")
        # The question that follows shows its own keys, not the message before it (item 7).
        board.keys("d")
        # One frame may be captured half drawn: wait for the question and its footer together.
        screen = board.wait_for(lambda s: "Log out lime/desk?" in s
                                and s.splitlines()[-1] == "y log out  f forget  n/Esc cancel",
                                "the question with its own keys in the footer")
        assert "valid until" not in screen, "an old message covers the question"
        board.keys("n")
        board.wait_for(lambda s: "Log out" not in s, "the question answered")

    def escape_cancels_a_login():
        # Issue 16, item 3: a new login on a session whose token is still valid shows both, and
        # Esc cancels the login, keeping the token.
        board.keys("Enter")
        board.wait_for(lambda s: "login 4:" in board.row("desk"), "the login's own countdown")
        assert "valid" in board.row("desk").split(), "the row says the token is valid: " + board.row("desk")
        assert "Esc cancel login" in board.screen().splitlines()[-1], board.screen()
        board.keys("Escape")
        board.wait_text("lime/desk: login cancelled; its tokens are as they were")
        assert "login" not in board.row("desk") and "valid" in board.row("desk").split(), board.row("desk")
        with open(os.path.join(env["AUTHDECK_STORE"], "sessions", "lime%2Fdesk.json")) as f:
            stored = json.load(f)["session"]
        assert "pending" not in stored and stored["tokens"]["access_token"], "the store kept the login"

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
        board.wait_text("Paste redirect URL: ")
        board.keys("Enter")
        board.wait_text("morning queue done")
        assert "valid" in board.row("desk").split() and "valid" in board.row("main").split(), board.screen()

    def unknown_provider_is_seen():
        # The mistake shows where the prompt's keys were, and the prompt keeps the text to fix.
        board.keys("n", "C-u")
        board.literal("nope/x")
        board.keys("Enter")
        screen = board.wait_text("unknown provider 'nope'")
        assert "(account, or provider/account): nope/x" in screen, screen
        board.keys("C-u")
        board.literal("lime/desk")
        board.wait_text("(account, or provider/account): lime/desk")
        board.keys("Escape")
        board.wait_for(lambda s: "New session" not in s, "the prompt closed")

    def logout_during_a_refresh():
        # r, then d y while the refresh is in flight: the board keeps answering keys (the log-out
        # waits for the session's lock off the loop), and the log-out lands after the refresh.
        limio.inject("slow", seconds=8)
        board.select("main")  # limio/main
        board.keys("r")
        board.wait_for(lambda s: "working" in board.row("main").split(), "the refresh under way")
        board.keys("d")
        board.wait_text("Log out limio/main?")
        board.keys("y")
        board.keys("/")
        board.literal("mai")
        screen = board.wait_text("/mai")
        assert "working" in board.row("main").split(), "the keys were answered while the refresh was still in flight"
        # The line edits as a shell's does: ← then a letter goes in before the cursor; Del and End.
        board.keys("Left", "Left")
        board.literal("X")
        board.wait_text("/mXai")
        board.keys("DC")
        board.wait_text("/mXi")
        board.keys("Home", "Delete", "End", "BSpace")
        board.wait_text("/X")
        board.keys("C-u")
        board.literal("mai")
        board.wait_text("/mai")
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
            # The service's token ends 40 s after the demo opens: keep-alive renews it before.
            demo.wait_text("demo-service/batch: kept alive, valid until", timeout=30)
            assert "valid" in demo.row("batch").split(), demo.row("batch")
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
            assert "/607" in large.screen(), large.screen()  # 600 sessions, 4 headers, 3 empty groups
        finally:
            large.close()

    def morning_board(name, extra_env=None):
        """A board of its own: a store and a configuration (its own loopback port) in `name`."""
        folder = os.path.join(work, name)
        os.makedirs(folder)
        own_config = os.path.join(folder, "config.toml")
        write_config(own_config, limio, lime, free_port())
        own_env = dict(env, AUTHDECK_CONFIG=own_config, AUTHDECK_STORE=os.path.join(folder, "store"),
                       FAKE_BROWSER_SAVE=os.path.join(folder, "redirect.txt"),
                       FAKE_BROWSER_LOG=os.path.join(folder, "browser.log"), **(extra_env or {}))
        return folder, own_env

    def morning_queue_renews_first():
        # limio/fresh has a refresh token the server honours, svc/batch is a service: both are
        # renewed without a browser. limio/stale's refresh token is refused (invalid_grant): it
        # joins the logins with lime/desk, which never had one. Then the two log in, one by one.
        folder, own_env = morning_board("morning")
        store = own_env["AUTHDECK_STORE"]
        cli = dict(os.environ, **own_env)
        login = subprocess.run([binary, "login", "limio/fresh"], env=cli, capture_output=True, text=True,
                               timeout=60, stdin=subprocess.DEVNULL)
        assert login.returncode == 0, login.stderr
        fresh = os.path.join(store, "sessions", "limio%2Ffresh.json")
        with open(fresh) as f:
            stored = json.load(f)
        stored["session"]["tokens"]["expires_at"] = time.time() - 60  # as the night left it
        with open(fresh, "w") as f:
            json.dump(stored, f)
        now = time.time()
        write_session(store, "limio/stale", now - 7200, now - 3600, refresh_token="revoked-long-ago")
        write_session(store, "lime/desk", now - 7200, now - 3600)
        write_session(store, "svc/batch", now - 7200, now - 3600, grant="client_credentials")
        os.remove(own_env["FAKE_BROWSER_LOG"])  # the CLI login's visit
        morning = Board(binary, own_env, name="morning")
        try:
            morning.wait_row("stale", "expired")
            morning.keys("L")
            morning.wait_row("desk", "pending", timeout=20)
            assert "valid" in morning.row("fresh").split() and "valid" in morning.row("batch").split(), \
                morning.screen()
            morning.wait_for(lambda s: os.path.exists(own_env["FAKE_BROWSER_SAVE"]), "lime/desk's redirect")
            morning.paste(open(own_env["FAKE_BROWSER_SAVE"]).read())
            morning.wait_text("Paste redirect URL: ")
            morning.keys("Enter")
            screen = morning.wait_text("morning queue done: 2 renewed, 2 logged in", timeout=20)
            for account in ("fresh", "batch", "stale", "desk"):
                assert "valid" in morning.row(account).split(), screen
            opened = open(own_env["FAKE_BROWSER_LOG"]).read().split()
            assert len(opened) == 2, f"the browser opened only for the two logins: {opened}"
            assert opened[0].startswith(lime.base) and opened[1].startswith(limio.base), opened
        finally:
            morning.close()

    def url_without_a_browser_and_a_notification():
        # No browser can start ($BROWSER fails at once): the URL is on screen whole and written
        # as an OSC 8 link. lime/soon cannot be renewed and ends in 5 minutes: the board rings,
        # writes OSC 9 and OSC 777, and runs notify-send (a stub on PATH that records its arguments).
        folder, own_env = morning_board("nobrowser")
        stubs = os.path.join(folder, "bin")
        os.makedirs(stubs)
        with open(os.path.join(stubs, "notify-send"), "w") as f:
            f.write(f"#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{folder}/notify.tmp'\n"
                    f"mv '{folder}/notify.tmp' '{folder}/notify-send.args'\n")
        os.chmod(os.path.join(stubs, "notify-send"), 0o755)
        now = time.time()
        write_session(own_env["AUTHDECK_STORE"], "lime/soon", now - 600, now + 300)
        own_env.update(BROWSER="false", PATH=stubs + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
        output = os.path.join(folder, "terminal.out")
        board_ = Board(binary, own_env, name="nobrowser", output=output)
        try:
            screen = board_.wait_text("lime/soon expires in 5m")
            board_.wait_written("\x07\x1b]9;AuthDeck: lime/soon expires in 5m: it ends at ")
            board_.wait_written("\x1b]777;notify;AuthDeck: lime/soon expires in 5m;it ends at ")
            args_file = os.path.join(folder, "notify-send.args")
            board_.wait_for(lambda s: os.path.exists(args_file), "notify-send's arguments")
            args = open(args_file).read().splitlines()
            assert args[:3] == ["--app-name=AuthDeck", "--", "AuthDeck: lime/soon expires in 5m"], args
            assert args[3].startswith("it ends at ") and "cannot be renewed" in args[3], args

            board_.keys("n", "C-u")
            board_.literal("limio/away")
            board_.keys("Enter")
            screen = board_.wait_text("open this URL in a browser")
            board_.wait_row("away", "pending")
            with open(os.path.join(own_env["AUTHDECK_STORE"], "sessions", "limio%2Faway.json")) as f:
                url = json.load(f)["session"]["pending"]["authorize_url"]
            lines = screen.splitlines()
            start = next(i for i, line in enumerate(lines) if "open this URL in a browser" in line) + 1
            panel = []
            for line in lines[start:]:
                if not line.strip() or line.startswith("limio/away:"):
                    break  # the status line follows the URL
                panel.append(line.rstrip())
            assert "".join(panel) == url, f"the URL is not on screen whole:\n{url}\n{screen}"
            assert len(panel) > 1, "a URL longer than the line is wrapped"
            board_.wait_written(f"\x1b]8;id=authdeck-login;{url}\x1b\\")
            # Written in one go, so the terminal wraps it itself: tmux joins the rows (-J) as a
            # terminal's mouse selection does, and the URL comes back without line breaks.
            joined = board_.tmux(["capture-pane", "-p", "-J", "-t", "0"])
            assert url in joined.splitlines(), f"the URL is not one line to the terminal:\n{joined}"
            assert "no browser could be started (false exited with status 1)" in screen, screen
            # At 60 columns the key to press comes first on the status line (item 4).
            board_.tmux(["resize-window", "-t", "0", "-x", "60", "-y", "30"])
            narrow = board_.wait_for(lambda s: max(len(l) for l in s.splitlines()) <= 60, "a 60-column board")
            assert "\nlimio/away: press u to copy the login URL; no browser" in narrow, narrow
            board_.tmux(["resize-window", "-t", "0", "-x", "100", "-y", "30"])
            board_.keys("Escape")
            board_.wait_for(lambda s: "open this URL" not in s, "the URL hidden by Esc")
            assert "pending" in board_.row("away").split(), "Esc hides the URL; the login still waits"
        finally:
            board_.close()

    def ascii_terminal_and_inert_names():
        # Issue 16, items 5 and 6: without a UTF-8 locale the keys are words (⏎ is "Enter"); a
        # provider name from the configuration holding a bidi override and an escape is drawn inert.
        folder, own_env = morning_board("ascii", extra_env={"LANG": "C", "LC_ALL": "C"})
        config = open(own_env["AUTHDECK_CONFIG"]).read()
        config = config.replace('name = "Limio acme"', 'name = "Limio \\u202Eemca\\u001B]2;pwned"')
        with open(own_env["AUTHDECK_CONFIG"], "w") as f:
            f.write(config)
        write_session(own_env["AUTHDECK_STORE"], "limio/main", time.time() - 60, time.time() + 3600)
        output = os.path.join(folder, "terminal.out")
        board_ = Board(binary, own_env, name="ascii", output=output)
        try:
            screen = board_.wait_text("Enter login")
            assert screen.splitlines()[-1].startswith("Enter login  p paste"), screen
            assert "\n> main " in screen, screen
            assert "\u202e" not in board_.written() and "\x1b]2;pwned" not in board_.written(), "raw name"
            assert "Limio ?emca?]2;pwned" in screen, screen
        finally:
            board_.close()

    def agent_asks_the_board():
        # Issue 17: agent = "confirm" — the open board asks about a caller (y allows), and the row
        # then says the agent served it, here.
        folder, own_env = morning_board("agent")
        config = open(own_env["AUTHDECK_CONFIG"]).read().replace(
            '[providers.svc]\n', '[providers.svc]\nagent = "confirm"\n')
        with open(own_env["AUTHDECK_CONFIG"], "w") as f:
            f.write(config)
        write_session(own_env["AUTHDECK_STORE"], "svc/batch", time.time() - 60, time.time() + 3600,
                      grant="client_credentials")
        board_ = Board(binary, own_env, name="agent")
        socket_path = os.path.join(folder, "agent.sock")
        agent = subprocess.Popen([binary, "agent", "--socket", socket_path], env=dict(os.environ, **own_env),
                                 stderr=subprocess.PIPE, text=True)
        try:
            board_.wait_row("batch", "valid")
            assert "serving svc" in agent.stderr.readline()
            caller = subprocess.Popen([binary, "token", "svc/batch"], stdout=subprocess.PIPE, text=True,
                                      env={"AUTHDECK_SOCK": socket_path, "PATH": "/usr/bin:/bin"})
            screen = board_.wait_for(lambda s: "asks for svc's tokens through the agent" in s
                                     and s.splitlines()[-1] == "y allow  n/Esc refuse",
                                     "the question with its own keys in the footer")
            assert f"pid {caller.pid} (authdeck)" in screen, screen
            board_.keys("y")
            assert caller.wait(timeout=20) == 0 and caller.stdout.read().strip(), "the token after the approval"
            board_.wait_for(lambda s: "served here" in board_.row("batch"), "the row saying the agent served it")
        finally:
            agent.terminate()
            agent.wait()
            board_.close()

    def board_pid(board_):
        shell = board_.tmux(["list-panes", "-F", "#{pane_pid}"]).strip()
        return int(subprocess.run(["pgrep", "-P", shell, "-f", "authdeck"], capture_output=True,
                                  text=True).stdout.split()[0])

    def paste_is_bracketed(board_):
        """A paste arrives whole (bracketed paste is on): it opens the paste prompt with all of it."""
        url = "https://localhost/callback?code=after-resume&state=check"
        board_.paste(url)
        # (the prompt keeps the end of a long text in view on a narrow window)
        board_.wait_for(lambda s: "Paste redirect URL: " in s and "callback?code=after-resume&state=check" in s,
                        "the paste in the prompt")
        board_.keys("Escape")
        board_.wait_for(lambda s: "Paste redirect URL" not in s, "the prompt closed")

    def suspend_and_resume():
        # Issue 18, item 1: Ctrl-Z, kill -TSTP and kill -STOP, each followed by the shell's fg.
        folder, own_env = morning_board("jobs")
        write_session(own_env["AUTHDECK_STORE"], "svc/batch", time.time() - 60, time.time() + 3600,
                      grant="client_credentials")
        # bash, as most people's shell: it puts its own (cooked) modes back when a job stops.
        board_ = Board(binary, own_env, name="jobs", shell="bash --norc --noprofile")
        try:
            board_.wait_row("batch", "valid")
            board_.keys("C-z")
            board_.wait_for(lambda s: "ACCOUNT" not in s, "the board leaving the screen")
            board_.literal("echo ECHOED-$((40+2))")
            board_.keys("Enter")
            board_.wait_text("ECHOED-42")  # the shell's terminal is cooked again: keys echo
            board_.keys("f", "g", "Enter")
            board_.wait_text("ACCOUNT")
            paste_is_bracketed(board_)

            os.kill(board_pid(board_), signal.SIGTSTP)
            board_.wait_for(lambda s: "ACCOUNT" not in s, "the board leaving on SIGTSTP")
            board_.keys("f", "g", "Enter")
            board_.wait_text("ACCOUNT")
            paste_is_bracketed(board_)

            os.kill(board_pid(board_), signal.SIGSTOP)  # cannot be caught: the shell takes over
            board_.wait_for(lambda s: "Stopped" in s or "stopped" in s, "the shell saying the job stopped")
            # Resized while stopped: the SIGWINCH goes to the shell, not to the board.
            board_.tmux(["resize-window", "-t", "0", "-x", "72", "-y", "20"])
            board_.keys("f", "g", "Enter")
            # Repainted whole (the shell's lines gone) at the new size, and raw again: ? is a key,
            # not echoed text.
            board_.wait_for(lambda s: "ACCOUNT" in s and "topped" not in s and len(s.splitlines()) <= 20
                            and "quit" in s.splitlines()[-1], "a whole repaint at 72x20 after SIGCONT")
            board_.keys("?")
            board_.wait_text("Esc/?/q close")
            board_.keys("Escape")
            paste_is_bracketed(board_)
        finally:
            board_.close()

    def repaint_and_reload():
        # Issue 18, items 2 and 3: Ctrl-L clears what another program wrote; a provider added
        # to the configuration shows at once, a broken one is said and the good one kept.
        folder, own_env = morning_board("reload")
        board_ = Board(binary, own_env, name="reload")
        try:
            board_.wait_text("Limio acme")
            tty = board_.tmux(["display-message", "-p", "#{pane_tty}"]).strip()
            with open(tty, "w") as terminal:
                terminal.write("\x1b[12;5HWRITTEN-BY-SOMEONE-ELSE")
            board_.wait_text("WRITTEN-BY-SOMEONE-ELSE")
            board_.keys("C-l")
            board_.wait_for(lambda s: "WRITTEN-BY-SOMEONE-ELSE" not in s, "Ctrl-L repainting the screen")

            config = open(own_env["AUTHDECK_CONFIG"]).read()
            with open(own_env["AUTHDECK_CONFIG"], "a") as f:
                f.write('\n[providers.newp]\nname = "New provider"\ngrant = "client_credentials"\n'
                        f'token_url = "{limio.base}/oauth2/token"\nclient_id = "test-client"\n'
                        'client_secret_env = "E2E_SECRET"\nclient_auth = "basic"\n')
            board_.wait_text("New provider")
            board_.wait_text("again: 5 providers")
            with open(own_env["AUTHDECK_CONFIG"], "a") as f:
                f.write("\n[providers.broken\n")
            screen = board_.wait_text("configuration not applied, the last good one stays:")
            assert "config.toml:" in screen and "New provider" in screen, screen
            with open(own_env["AUTHDECK_CONFIG"], "w") as f:
                f.write(config)
            board_.wait_text("again: 4 providers")
            assert "New provider" not in board_.screen()
        finally:
            board_.close()

    def first_run_notices_the_configuration():
        # Issue 18, item 3: the welcome screen notices the file it asks for.
        folder = os.path.join(work, "welcome")
        os.makedirs(folder)
        config = os.path.join(folder, "config.toml")
        own_env = dict(env, AUTHDECK_CONFIG=config, AUTHDECK_STORE=os.path.join(folder, "store"))
        board_ = Board(binary, own_env, name="welcome")
        try:
            board_.wait_text("No provider is configured yet")
            # A first attempt with a mistake: said on the welcome screen, where it happened.
            with open(config + ".tmp", "w") as f:
                f.write('[providers.first]\nclinet_secret_env = "X"\n')
            os.rename(config + ".tmp", config)
            screen = board_.wait_text("configuration not applied yet:")
            assert "clinet_secret_env" in screen and "No provider is configured yet" in screen, screen
            write_config(config + ".tmp", limio, lime, free_port())
            os.rename(config + ".tmp", config)
            board_.wait_text("Limio acme")
            board_.wait_text("again: 4 providers")
        finally:
            board_.close()

    def any_terminal():
        # Issue 18, item 4: a TERM this host has no entry for.
        folder, own_env = morning_board("kitty", extra_env={
            "TERM": "xterm-kitty", "FAKE_BROWSER_ENV_DUMP": os.path.join(work, "kitty", "browser-env.txt")})
        board_ = Board(binary, own_env, name="kitty")
        try:
            board_.wait_text("TERM=xterm-kitty has no terminfo entry here: drawing as xterm-256color")
            assert "Limio acme" in board_.screen()
            # Drawn as xterm-256color, but TERM is left alone: a child (the browser) sees the real one.
            board_.keys("n")
            board_.literal("limio/kitty")
            board_.keys("Enter")
            board_.wait_for(lambda s: os.path.exists(own_env["FAKE_BROWSER_ENV_DUMP"]), "the browser started")
            dump = open(own_env["FAKE_BROWSER_ENV_DUMP"]).read().splitlines()
            assert "TERM=xterm-kitty" in dump, [line for line in dump if line.startswith("TERM")]
        finally:
            board_.close()
        # Under script(1), which gives it a terminal: a type nothing here can draw is refused.
        result = subprocess.run(["script", "-qec", f"env TERM=vt9000 {binary}", "/dev/null"],
                                env=dict(os.environ, **own_env), capture_output=True, text=True, timeout=30)
        assert result.returncode == 64, result
        assert "'vt9000' has no terminfo entry here" in result.stdout, result.stdout

    def small_terminals():
        # Issue 18, items 5 and 6: the help scrolls at 80x12; at 20x5 the prompt shows what is
        # typed; grown back, the selected row's group header is on screen.
        folder, own_env = morning_board("small")
        write_session(own_env["AUTHDECK_STORE"], "svc/batch", time.time() - 60, time.time() + 3600,
                      grant="client_credentials")
        board_ = Board(binary, own_env, name="small", width=80, height=12)
        try:
            board_.wait_row("batch", "valid")
            board_.keys("?")
            screen = board_.wait_text("(10/27)")
            assert "q/^C" not in screen, "the bottom of the help is below at 12 rows"
            board_.keys("G")
            board_.wait_text("q/^C")
            board_.keys("g")
            board_.wait_for(lambda s: "q/^C" not in s, "back at the top")
            board_.keys("Escape")
            board_.tmux(["resize-window", "-t", "0", "-x", "20", "-y", "5"])
            board_.wait_for(lambda s: max(len(l) for l in s.splitlines()) <= 20, "a 20x5 board")
            board_.keys("n")
            board_.literal("desk")
            board_.wait_text("svc/desk")
            board_.keys("Escape")
            board_.tmux(["resize-window", "-t", "0", "-x", "100", "-y", "30"])
            screen = board_.wait_text("REFRESH")
            lines = screen.splitlines()
            selected = next(i for i, l in enumerate(lines) if l.startswith("▸"))
            assert lines[selected - 1].startswith("svc "), "the group header above the selection:\n" + screen
        finally:
            board_.close()

    def refused_refresh_needs_a_login_everywhere():
        # Issue 14, item 1: the command line's refused refresh is the board's too, after a restart.
        folder, own_env = morning_board("refused")
        cli = dict(os.environ, **own_env)
        login = subprocess.run([binary, "login", "limio/fresh"], env=cli, capture_output=True, text=True,
                               timeout=60, stdin=subprocess.DEVNULL)
        assert login.returncode == 0, login.stderr
        path = os.path.join(own_env["AUTHDECK_STORE"], "sessions", "limio%2Ffresh.json")
        with open(path) as f:
            stored = json.load(f)
        stored["session"]["tokens"]["expires_at"] = time.time() - 60
        with open(path, "w") as f:
            json.dump(stored, f)
        limio.inject("invalid_grant")
        token = subprocess.run([binary, "token", "limio/fresh"], env=cli, capture_output=True, text=True, timeout=60)
        assert token.returncode == 3 and "refused its refresh token" in token.stderr, token
        status = subprocess.run([binary, "status"], env=cli, capture_output=True, text=True, timeout=60)
        assert status.stdout == "limio ✗ · 1 to log in\n", status.stdout
        refreshes = limio.refreshes()
        board_ = Board(binary, own_env, name="refused")
        try:
            board_.wait_row("fresh", "expired")
            assert board_.row("fresh").rstrip().endswith(" no"), "REFRESH no: " + board_.row("fresh")
            board_.keys("L")
            screen = board_.wait_text("morning queue done: 1 logged in", timeout=30)
            assert "renewed" not in screen and "valid" in board_.row("fresh").split(), screen
            assert limio.refreshes() == refreshes, "the board sent the refused refresh token again"
        finally:
            board_.close()

    def denied_login_waits_no_more():
        # Issue 14, items 2 and 6: a denied login is no longer pending, and L moves on at once.
        folder, own_env = morning_board("denied")
        now = time.time()
        write_session(own_env["AUTHDECK_STORE"], "limio/deny", now - 7200, now - 3600)
        write_session(own_env["AUTHDECK_STORE"], "svc/after", now - 7200, now - 3600, grant="client_credentials")
        write_session(own_env["AUTHDECK_STORE"], "tv/zzz", now - 7200, now - 3600)
        limio.inject("access_denied_authorize", count=2)  # the fake browser asks twice
        board_ = Board(binary, own_env, name="denied")
        try:
            board_.wait_row("deny", "expired")
            board_.keys("L")
            board_.wait_text("the login was denied (access_denied", timeout=20)
            assert "pending" not in board_.row("deny").split(), board_.row("deny")
            # The queue did not wait five minutes on it: the device login after it started.
            board_.wait_row("zzz", "pending", timeout=10)
            status = subprocess.run([binary, "status", "--json"], env=dict(os.environ, **own_env),
                                    capture_output=True, text=True, timeout=60)
            deny = next(s for s in json.loads(status.stdout) if s["id"] == "limio/deny")
            assert deny["pending_until"] is None and deny["login_reason"] == "login_denied", deny
        finally:
            board_.close()

    def the_queue_follows_the_store():
        # Issue 14, items 3 and 6: the login L waits on ends elsewhere, and L moves on within seconds.
        folder, own_env = morning_board("follows")
        cli = dict(os.environ, **own_env)
        now = time.time()
        for account in ("a", "b", "c"):
            write_session(own_env["AUTHDECK_STORE"], "lime/" + account, now - 7200, now - 3600)
        board_ = Board(binary, own_env, name="follows")
        shell_login = None
        try:
            board_.wait_row("a", "expired")
            board_.keys("L")
            board_.wait_row("a", "pending")
            # Another shell logs lime/a in: its login replaces the board's.
            shell_login = subprocess.Popen([binary, "login", "lime/a", "--no-browser"], env=cli,
                                           stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            started = time.monotonic()
            board_.wait_row("b", "pending", timeout=10)
            assert time.monotonic() - started < 5, "the queue moved on within seconds"
            # Another shell logs lime/b out while the board waits on it.
            subprocess.run([binary, "logout", "lime/b"], env=cli, check=True, capture_output=True, timeout=60)
            board_.wait_row("c", "pending", timeout=10)
            # d y on the session L waits on: the queue ends, and says why each did not log in.
            board_.keys("d")
            board_.wait_text("Log out lime/c?")
            board_.keys("y")
            screen = board_.wait_text("morning queue done", timeout=10)
            assert "3 failed" in screen and "another login of this session took over" in screen, screen
            assert "Esc stop queue" not in screen, screen
        finally:
            if shell_login:
                shell_login.kill()
                shell_login.wait()
            board_.close()

    try:
        for name, body in [("board shows providers", shows_providers), ("loopback login", loopback_login),
                           ("copy token via OSC 52", copy_token), ("Esc then a key", escape_then_a_key), ("paste login survives a bad paste", paste_login),
                           ("Esc cancels a login waiting beside a valid token", escape_cancels_a_login),
                           ("another process's change shows up", another_process),
                           ("the morning queue logs in what expired", morning_queue),
                           ("an unknown provider in the new-session prompt is seen", unknown_provider_is_seen),
                           ("log out during a refresh does not freeze the board", logout_during_a_refresh),
                           ("a taken loopback port offers the paste", taken_port_offers_the_paste),
                           ("a device login shows its code, copies it, and logs in", device_login),
                           ("L renews what it can without a browser, then logs in the rest",
                            morning_queue_renews_first),
                           ("no browser: the URL is shown whole and linked; a notification is written",
                            url_without_a_browser_and_a_notification),
                           ("without UTF-8 the keys are words; names from the config are inert",
                            ascii_terminal_and_inert_names),
                           ("the agent asks the board about a caller; the row says it served it",
                            agent_asks_the_board),
                           ("Ctrl-Z, SIGTSTP and SIGSTOP, then fg: modes, paste and screen come back",
                            suspend_and_resume),
                           ("Ctrl-L repaints; the configuration is read again when it changes",
                            repaint_and_reload),
                           ("the first-run screen notices the configuration", first_run_notices_the_configuration),
                           ("a TERM without terminfo is drawn as xterm-256color or refused", any_terminal),
                           ("the help scrolls at 80x12; a 20x5 prompt shows its text; the header comes back",
                            small_terminals),
                           ("a refresh token refused in a shell needs a login on the board too",
                            refused_refresh_needs_a_login_everywhere),
                           ("a denied login waits no more, and L moves on at once", denied_login_waits_no_more),
                           ("L follows the store: a login replaced, logged out or forgotten elsewhere",
                            the_queue_follows_the_store),
                           ("resize to 40x10", resize),
                           ("quit restores the terminal", quit_restores_terminal),
                           ("first run offers the demo, which logs in", first_run_offers_the_demo),
                           ("a store of 600 sessions opens and fills in", large_store)]:
            if os.environ.get("E2E_ONLY", "") not in name:
                continue
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
