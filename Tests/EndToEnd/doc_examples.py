#!/usr/bin/env python3
"""The examples of README.md and docs/scripting.md, run against the real binary, as doctests do,
so that the documents cannot drift from what the program does.

A sandbox holds a configuration whose providers (acme, lime, limio) point at the project's OAuth
test server on 127.0.0.1 (limio answers git for git.example.com), a store seeded with sessions of
every kind, a browser that approves, and stand-ins for the programs the examples hand tokens to
(curl to an API, ./bot.py, notify-send); jq, tmux and git are the real ones. Then, block by block:

- `sh`/`bash`: each line is a command (a trailing `# comment` is the reader's); it must exit 0. A
  comment holding `e.g. "TEXT"` says what the command prints: the output must match TEXT, digits
  standing for any digits. Lines of a `$ COMMAND` block are commands, each followed by its output,
  matched the same way. A block starting with `#!` is one script. Placeholders in brackets
  (`[--forget]`) are left out; a command that opens the board (`authdeck`, `authdeck demo`) is
  board_e2e.py's to test.
- `toml`: a configuration that AuthDeck must accept (`authdeck providers` reads it: no exit 78).
- `json` after `<!-- example: session object -->`: the members of `list --json`'s objects, in order.
- `tmux`: loaded into a tmux server; its status line must hold `authdeck status` and the clock.
- An HTML comment `<!-- example: skip: WHY -->` before a block skips it, and says why;
  `<!-- example: output of: COMMAND -->` before an untagged block runs COMMAND and matches the block.

Usage: doc_examples.py PATH/TO/authdeck
"""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from board_e2e import SECRET, SUPPORT, Server, free_port, write_session  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DOCUMENTS = ["README.md", "docs/scripting.md"]

# Where an example names a place the sandbox cannot use, the place used instead.
REWRITES = {"/run/job/token": "$WORK/job-token"}


def blocks(path):
    """(line number, language, annotation, lines) of every fenced block of a Markdown file."""
    found, annotation, inside, language, start, body = [], None, False, "", 0, []
    for number, line in enumerate(open(path, encoding="utf-8").read().split("\n"), 1):
        if not inside:
            note = re.match(r"\s*<!-- example: (.*?) -->\s*$", line)
            if note:
                annotation = note.group(1)
                continue
            fence = re.match(r"\s*```(\S*)\s*$", line)
            if fence:
                inside, language, start, body = True, fence.group(1), number, []
            elif line.strip():
                annotation = None
            continue
        if re.match(r"\s*```\s*$", line):
            found.append((start, language, annotation, body))
            inside, annotation = False, None
        else:
            body.append(line)
    return found


def shape(text):
    """A pattern for documented output: digits stand for any digits, a time zone for any."""
    pattern = re.escape(text.strip())
    pattern = re.sub(r"\d+", r"\\d+", pattern)
    pattern = re.sub(r"\b(EST|EDT|UTC|CET|CEST|GMT)\b", r"[A-Z]{2,5}", pattern)
    return re.compile(pattern + r"\Z")


def without_comment(line):
    """The command of a line, and its comment (a `#` after a space, outside quotes)."""
    quote = None
    for index, char in enumerate(line):
        if char in "'\"" and quote in (None, char):
            quote = None if quote else char
        elif char == "#" and quote is None and index > 0 and line[index - 1] == " ":
            return line[:index].rstrip(), line[index + 1:].strip()
    return line.rstrip(), ""


class Sandbox:
    def __init__(self, binary):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="authdeck-docs-")
        self.servers = [Server("limio"), Server("lime")]
        limio, lime = self.servers
        self.config = os.path.join(self.work, "config.toml")
        with open(self.config, "w") as f:
            for name, server in (("acme", limio), ("limio", limio)):
                f.write(f"""
[providers.{name}]
authorize_url = "{server.base}/oauth2/authorize"
token_url = "{server.base}/oauth2/token"
client_id = "test-client"
client_secret_env = "E2E_SECRET"
client_auth = "basic"
redirect_uri = "http://127.0.0.1:{free_port()}/callback"
""")
                if name == "limio":  # `git credential fill` for git.example.com gets limio/batch's token
                    f.write('git_hosts = ["git.example.com"]\n')
            f.write(f"""
[providers.lime]
preset = "lime"
authorize_url = "{lime.base}/connect/authorize"
token_url = "{lime.base}/connect/token"
client_id = "test-client"
client_secret_env = "E2E_SECRET"
redirect_uri = "http://127.0.0.1:{free_port()}/callback"
""")
        os.chmod(self.config, 0o600)
        self.store = os.path.join(self.work, "store")
        self.seed()

        self.bin = os.path.join(self.work, "bin")
        os.makedirs(self.bin)
        self.stub("curl", f"""#!/bin/sh
# The API an example calls is a stand-in that checks the token reached it; anything on
# 127.0.0.1 (the test server, the browser's redirect) goes to the real curl.
case "$*" in *127.0.0.1*|*localhost*) exec {shutil.which("curl")} "$@" ;; esac
case "$*" in *@-*) read -r header; case "$header" in "Authorization: Bearer "?*) exit 0 ;; esac ;; esac
case "$*" in *"Authorization: Bearer "?*) exit 0 ;; esac
echo "curl stand-in: no token in: $*" >&2; exit 22
""")
        self.cwd = os.path.join(self.work, "cwd")
        for program in ("bot.py", "reconcile.py", "trade.py"):
            self.stub(os.path.join(self.cwd, program), """#!/bin/sh
# A program a token is handed to: it needs one in its environment.
env | grep -q '_TOKEN=.' || { echo "no token in the environment" >&2; exit 1; }
""")
        self.stub("notify-send", "#!/bin/sh\nexit 0\n")
        self.stub("pass", "#!/bin/sh\necho not-a-real-secret\n")
        self.env = dict(
            os.environ, HOME=self.work, AUTHDECK_CONFIG=self.config, AUTHDECK_STORE=self.store,
            E2E_SECRET=SECRET, WORK=self.work, BROWSER=os.path.join(SUPPORT, "fake_browser.sh"),
            XDG_STATE_HOME=os.path.join(self.work, "state"), LANG="C.UTF-8",
            PATH=os.pathsep.join([self.bin, os.path.dirname(self.binary), os.environ["PATH"]]))

    def seed(self):
        """The store every block starts from (what one block logs out, the next still has)."""
        shutil.rmtree(self.store, ignore_errors=True)
        now = time.time()
        # What `authdeck status` shows: acme ✗ · lime 7:50 · limio ✓ · 2 to log in
        write_session(self.store, "lime/main", now - 600, now + 7 * 3600 + 50 * 60 - 30)
        write_session(self.store, "lime/paper", now - 600, now + 9 * 3600)
        write_session(self.store, "acme/ops", now - 60, now + 3 * 3600)
        write_session(self.store, "acme/reports", now - 7200, now - 60)
        write_session(self.store, "acme/old", now - 9000, now - 3600)
        write_session(self.store, "limio/batch", now - 60, now + 3600, refresh_token="r-batch")

    def stub(self, name, text):
        """An executable `name` (on PATH unless `name` is a path) holding `text`."""
        path = os.path.join(self.bin, name)  # an absolute `name` stays as it is
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)

    def run(self, command, stdin=None):
        for old, new in REWRITES.items():
            command = command.replace(old, new)
        return subprocess.run(["bash", "-c", command], cwd=self.cwd, env=self.env,
                              capture_output=True, text=True, timeout=60, input=stdin or "")

    def close(self):
        for server in self.servers:
            server.stop()
        shutil.rmtree(self.work, ignore_errors=True)


def check_block(box, document, line, language, annotation, body):
    """None when the block holds, else what went wrong. Returns "skip: WHY" for a skipped block."""
    if annotation and annotation.startswith("skip:"):
        return annotation
    text = "\n".join(body)
    if annotation and annotation.startswith("output of:"):
        command = annotation[len("output of:"):].strip()
        result = box.run(command)
        if not shape(text).match(result.stdout.strip()):
            return f"`{command}` printed {result.stdout.strip()!r}, the document shows {text.strip()!r}"
        return None
    if language == "toml":
        path = os.path.join(box.work, f"example-{line}.toml")
        with open(path, "w") as f:
            f.write(text + "\n")
        os.chmod(path, 0o600)
        result = box.run(f"authdeck providers --config {path}")
        if result.returncode == 78:
            return f"AuthDeck refuses this configuration: {result.stderr.strip()}"
        return None
    if language == "json" and annotation == "session object":
        documented = set(json.loads(text))
        listed = json.loads(box.run("authdeck list --json").stdout)
        if any(set(session) != documented for session in listed):
            return f"members {sorted(documented)} are not those of list --json: {sorted(listed[0])}"
        return None
    if language == "tmux":
        return check_tmux(box, text)
    if language not in ("sh", "bash"):
        return "skip: not a command" if language else "skip: no language and no annotation"
    if body and body[0].startswith("#!"):
        script = os.path.join(box.work, f"script-{line}.sh")
        with open(script, "w") as f:
            f.write(text + "\n")
        os.chmod(script, 0o755)
        result = box.run(script)
        return None if result.returncode == 0 else f"the script exited {result.returncode}: {result.stderr.strip()}"
    if annotation and annotation.startswith("then:"):
        result = box.run(text + "\n" + annotation[len("then:"):].strip())
        return None if result.returncode == 0 else f"exited {result.returncode}: {result.stderr.strip()}"
    return check_commands(box, body)


def check_commands(box, body):
    problems = []
    index = 0
    while index < len(body):
        raw = body[index].strip()
        index += 1
        expected = None
        if raw.startswith("$ "):
            raw = raw[2:]
            output = []
            while index < len(body) and not body[index].startswith("$ "):
                output.append(body[index])
                index += 1
            expected = "\n".join(output)
        command, comment = without_comment(raw)
        if not command:
            continue
        said = re.search(r'e\.g\. "([^"]+)"', comment)
        if said:
            expected = said.group(1)
        command = re.sub(r"\s+\[--[^\]]*\]", "", command)  # [--forget]: optional, left out
        if re.fullmatch(r"authdeck( demo)?", command):
            continue  # the board: board_e2e.py
        result = box.run(command)
        if result.returncode != 0:
            problems.append(f"`{command}` exited {result.returncode}: {result.stderr.strip()[:300]}")
        elif expected is not None and not shape(expected).match(result.stdout.strip()):
            problems.append(f"`{command}` printed {result.stdout.strip()!r}, the document shows {expected!r}")
    return "; ".join(problems) or None


def check_tmux(box, text):
    """The snippet in a tmux server of its own: its status line shows authdeck's line whole and
    the clock after it."""
    path = os.path.join(box.work, "tmux.conf")
    with open(path, "w") as f:
        f.write(text + "\n")
    socket = f"authdeck-docs-{os.getpid()}"
    tmux = ["tmux", "-L", socket]
    try:
        subprocess.run(tmux + ["-f", path, "new-session", "-d", "-x", "200", "-y", "10"], env=box.env,
                       check=True, capture_output=True)
        length = int(subprocess.run(tmux + ["show", "-gv", "status-right-length"], env=box.env,
                                    capture_output=True, text=True).stdout)
        line = box.run("authdeck status").stdout
        shown = len(line) + len(" | 00:00")
        if shown > length:
            return f"status-right-length {length} cuts the {shown}-character right side before the clock"
        return None
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)


def main():
    binary = os.path.abspath(sys.argv[1])
    box = Sandbox(binary)
    failed = ran = skipped = 0
    try:
        for document in DOCUMENTS:
            for line, language, annotation, body in blocks(os.path.join(ROOT, document)):
                box.seed()
                problem = check_block(box, document, line, language, annotation, body)
                where = f"{document}:{line}"
                if problem and problem.startswith("skip:"):
                    skipped += 1
                    print(f"skip {where} ({problem[5:].strip()})")
                elif problem:
                    failed += 1
                    print(f"FAIL {where}: {problem}")
                else:
                    ran += 1
                    print(f"ok   {where}")
    finally:
        box.close()
    print(f"doc examples: {ran} held, {failed} failed, {skipped} not runnable")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
